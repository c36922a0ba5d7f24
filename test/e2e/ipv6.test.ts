/**
 * One cluster on ::1: three real koinode processes talking IPv6 only, the
 * `koi` client asking over IPv6, a master elected, `kill -9` of the master
 * failing over — then no process left behind.
 */
import * as fs from 'node:fs';
import { E2ECluster } from './harness';
import { checkClusterAnswer, checkLocalAnswer } from './client-schema';

jest.setTimeout(90_000);

let c: E2ECluster;

beforeAll(async () => {
  c = await E2ECluster.create({ nodes: 3, host: '::1', quorum: 2, statusInterval: '500ms', clusterId: 61 });
  c.start();
});

afterAll(async () => {
  await c?.close();
});

test('three nodes on ::1 elect a leader and a master; status and local show IPv6 addresses', async () => {
  expect(fs.readFileSync(c.confPath('n1'), 'utf8')).toMatch(/transport "\[::1\]:\d+, \[::1\]:\d+, \[::1\]:\d+"/);
  const view = await c.waitForMaster((v) => v.nodes.length === 3 && v.nodes.every((n) => n.state === 'Master' || n.state === 'Slave'), 40_000);
  expect(checkClusterAnswer(view)).toEqual([]);
  for (const n of view.nodes) expect(n.address).toBe(`[::1]:${c.ports.get(n.name)}`);
  const local = await c.koi(['local'], { node: 'n2', json: true });
  expect(checkLocalAnswer(local.json)).toEqual([]);
  expect((local.json as { addresses: string[] }).addresses).toEqual([`[::1]:${c.ports.get('n2')}`]);
  const text = await c.koi(['status'], { node: 'n3' });
  expect(text.stdout).toContain(`Cluster 61: leader ${view.leader.name}, master ${view.master.name}`);
  expect(text.stdout).toMatch(/\[::1\]:\d+/);
});

test('kill -9 of the master on ::1: another node is promoted', async () => {
  const before = await c.waitForMaster();
  const victim = before.master.name;
  const killedAt = Date.now() / 1000;
  c.signal(victim, 'SIGKILL');
  const after = await c.waitForMaster((v) => v.master.name !== victim, 30_000);
  const promoted = await c.waitFor('promote ran on the new master', () =>
    c.events().find((e) => e.node === after.master.name && e.event === 'promote' && e.phase === 'end' && e.time > killedAt), 30_000);
  console.log(`::1: kill -9 of master ${victim} (leader ${before.leader.name}): ${after.master.name} promoted after ${Math.round((promoted.time - killedAt) * 1000)} ms`);
});

test('nothing is left running (checked by pid)', async () => {
  const codes = await Promise.all(c.runningNodes().map((n) => c.stop(n, 'SIGTERM')));
  expect(codes.every((code) => code === 0)).toBe(true);
  expect(c.leftovers()).toEqual({ koinodes: [], others: [] });
});
