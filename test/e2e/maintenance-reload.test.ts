/**
 * Maintenance mode and configuration reloads on three real koinode processes
 * (127.0.0.1, quorum 2): with maintenance on no script runs on any node (the
 * recording service logs every event and every status run), a node started
 * meanwhile follows it, and scripts resume when it is off; `koi reconfigure`
 * applies a changed status_interval without a restart; SIGHUP with a broken
 * file keeps the node running and answering.
 */
import { E2ECluster, type ClusterView } from './harness';
import { checkResultAnswer } from './client-schema';

jest.setTimeout(90_000);

let c: E2ECluster;
const INTERVAL = '300ms';

beforeAll(async () => {
  c = await E2ECluster.create({ nodes: 3, quorum: 2, statusInterval: INTERVAL });
  c.start();
});

afterAll(async () => {
  await c?.close();
});

/** The running nodes all listed (ignoring Disconnected records of earlier processes), one master, services settled. */
async function settled(): Promise<ClusterView & { master: { id: string; name: string } }> {
  return c.waitForMaster((v) => {
    const live = v.nodes.filter((n) => n.state !== 'Disconnected' && n.state !== 'Offline');
    return live.map((n) => n.name).sort().join() === c.runningNodes().sort().join() && live.every((n) => {
      const want = n.name === v.master.name ? ['Master', 'Promoted'] : ['Slave', 'Started'];
      return n.state === want[0] && n.services.every((s) => s.state === want[1]);
    });
  }, 40_000);
}

async function localOf(node: string): Promise<{ state?: string; maintenance?: boolean; services?: Array<{ state: string }> }> {
  const r = await c.koi(['local'], { node, json: true });
  return (r.json ?? {}) as { state?: string; maintenance?: boolean };
}

function runsOf(node: string, since: number): number {
  return c.statusRuns().filter((r) => r.node === node && r.time > since).length;
}

test('maintenance on: no script runs on any node, a node started meanwhile follows it; off: scripts run again', async () => {
  const before = await settled();
  const late = before.nodes.find((n) => n.name !== before.master.name)!.name;
  expect(await c.stop(late, 'SIGTERM')).toBe(0);
  await settled();

  const on = await c.koi(['maintenance', 'on'], { json: true });
  expect(on.code).toBe(0);
  expect(checkResultAnswer(on.json, 'maintenance')).toEqual([]);
  for (const node of c.runningNodes()) await c.waitFor(`${node} in maintenance`, async () => (await localOf(node)).maintenance === true);
  expect((await c.status())!.maintenance).toBe(true);
  const quietFrom = Date.now();
  const eventsBefore = c.events().length;
  const statusBefore = c.statusRuns().length;

  // A node started during maintenance adopts it before its services start: no start script.
  c.start(late);
  await c.waitFor(`${late} joined as Slave in maintenance`, async () => {
    const l = await localOf(late);
    return l.maintenance === true && l.state === 'Slave' && l.services?.every((s) => s.state === 'Started');
  }, 30_000);
  // A stop/start cycle on another slave: only presumed events.
  const other = c.runningNodes().find((n) => n !== late && n !== before.master.name)!;
  expect((await c.koi(['stop', other])).code).toBe(0);
  await c.waitFor(`${other} Stopped`, async () => (await localOf(other)).state === 'Stopped');
  expect((await c.koi(['start', other])).code).toBe(0);
  await c.waitFor(`${other} Slave again`, async () => (await localOf(other)).state === 'Slave');
  // Cover several status intervals on every node.
  await c.waitFor('five status intervals', () => Date.now() - quietFrom > 1500);

  expect(c.events().slice(eventsBefore)).toEqual([]);
  expect(c.statusRuns().slice(statusBefore)).toEqual([]);
  expect(c.log(late).some((l) => /start presumed successful \(maintenance mode\)/.test(l))).toBe(true);
  expect(c.log(other).some((l) => /stop presumed successful \(maintenance mode\)/.test(l))).toBe(true);
  expect((await c.koi(['status'])).stdout).toMatch(/Maintenance: on/i);

  const off = await c.koi(['maintenance', 'off']);
  expect(off.code).toBe(0);
  const offAt = Date.now() / 1000;
  await c.waitFor('status scripts running again on every node', () => c.runningNodes().every((n) => runsOf(n, offAt) >= 2), 30_000);
  expect((await c.status())!.maintenance).toBe(false);
  expect((await c.koi(['stop', other])).code).toBe(0);
  await c.waitFor(`${other} stop script ran`, () => c.events().some((e) => e.node === other && e.event === 'stop' && e.phase === 'end' && e.time > offAt));
  expect((await c.koi(['start', other])).code).toBe(0);
  await c.waitFor(`${other} start script ran`, () => c.events().some((e) => e.node === other && e.event === 'start' && e.phase === 'end' && e.time > offAt));
  await settled();
});

test('koi reconfigure applies a changed status_interval without a restart', async () => {
  await settled();
  const node = 'n1';
  const pid = c.pid(node);
  const uptimeBefore = ((await c.koi(['local'], { node, json: true })).json as { uptimeMs: number; id: string });

  // 300 ms → 30 s: n1 stops checking (at most one round already under way), the others go on.
  c.writeConf(node, c.configText(c.spec(node), { status_interval: '30s' }));
  const slow = await c.koi(['reconfigure', node], { node: 'n2', json: true });
  expect(slow.code).toBe(0);
  expect(checkResultAnswer(slow.json, 'reconfigure')).toEqual([]);
  const slowFrom = Date.now() / 1000;
  await c.waitFor('six status rounds on n2', () => runsOf('n2', slowFrom) >= 6, 30_000);
  expect(runsOf(node, slowFrom)).toBeLessThanOrEqual(1);

  // 30 s → 100 ms: many rounds within a few seconds.
  c.writeConf(node, c.configText(c.spec(node), { status_interval: '100ms' }));
  const fast = await c.koi(['reconfigure'], { node });
  expect(fast.code).toBe(0);
  const fastFrom = Date.now() / 1000;
  await c.waitFor('ten status rounds on n1', () => runsOf(node, fastFrom) >= 10, 20_000);

  // Same process, same node identity (a restart would make a new id), uptime kept.
  const after = (await c.koi(['local'], { node, json: true })).json as { uptimeMs: number; id: string };
  expect(c.pid(node)).toBe(pid);
  expect(c.running(node)).toBe(true);
  expect(after.id).toBe(uptimeBefore.id);
  expect(after.uptimeMs).toBeGreaterThan(uptimeBefore.uptimeMs);
});

test('SIGHUP with a broken file: the node keeps running and answering; a fixed file reloads', async () => {
  const view = await settled();
  const node = 'n2';
  const good = c.configText(c.spec(node));
  const lines = c.log(node).length;
  c.writeConf(node, `${good}\nnode {\n  port not-a-number\n`);
  c.signal(node, 'SIGHUP');
  const complaint = await c.waitFor('the reload error in the log', () => c.log(node).slice(lines).find((l) => /koi\.conf/.test(l) && /(ERROR|WARN)/.test(l)), 20_000);
  expect(complaint).toMatch(/koi\.conf/);
  expect(c.running(node)).toBe(true);
  // (The client reads its password from another node's file: this node's file is broken.)
  const local = await c.koi(['local'], { node, json: true, confOf: 'n1' });
  expect(local.code).toBe(0);
  expect(local.json).toMatchObject({ name: node });
  // `koi reconfigure` with the same broken file: refused with exit 1, naming the file.
  const refused = await c.koi(['reconfigure'], { node, confOf: 'n1' });
  expect(refused.code).toBe(1);
  expect(refused.stderr).toMatch(/koi\.conf/);
  expect((await c.status('n1'))!.master?.name).toBe(view.master.name);

  c.writeConf(node, good);
  const fixed = await c.koi(['reconfigure'], { node });
  expect(fixed.code).toBe(0);
  await settled();
});

test('nothing is left running after SIGTERM of every node (checked by pid)', async () => {
  const codes = await Promise.all(c.runningNodes().map((n) => c.stop(n, 'SIGTERM')));
  expect(codes.every((code) => code === 0)).toBe(true);
  expect(c.leftovers()).toEqual({ koinodes: [], others: [] });
});
