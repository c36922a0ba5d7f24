/**
 * Failover between three real koinode processes on 127.0.0.1 (quorum 2):
 * `kill -9` of the master, the killed node rejoining as a slave, and a
 * SIGTERM of the master handing over in order — then no process left behind.
 * Failover times are printed (they are not asserted: the machine may be busy).
 */
import { E2ECluster } from './harness';

jest.setTimeout(90_000);

let c: E2ECluster;

beforeAll(async () => {
  c = await E2ECluster.create({ nodes: 3, quorum: 2, statusInterval: '500ms' });
  c.start();
});

afterAll(async () => {
  await c?.close();
});

const settled = () => c.waitForSettled();

function promoteEndAfter(node: string, since: number): number | undefined {
  return c.events().find((e) => e.node === node && e.event === 'promote' && e.phase === 'end' && e.time > since)?.time;
}

test('kill -9 of the master: another node becomes master and runs promote; the killed node rejoins as a slave', async () => {
  const before = await settled();
  const victim = before.master.name;
  const killedAt = Date.now() / 1000;
  c.signal(victim, 'SIGKILL');

  const after = await c.waitForMaster((v) => v.master.name !== victim, 30_000);
  const successor = after.master.name;
  const promotedAt = await c.waitFor(`${successor} promote ran`, () => promoteEndAfter(successor, killedAt), 30_000);
  // Seen by the survivors as gone: Disconnected (a runner record), or OFFLINE (it left the node table; never dropped from the view).
  const view = await c.waitFor(`${victim} gone from the leader's view`, async () => {
    const v = await c.status();
    const n = v?.nodes.find((x) => x.name === victim);
    return v && n && (n.state === 'Disconnected' || n.state === 'Offline') ? v : undefined;
  });
  expect(view.master!.name).toBe(successor);
  console.log(`kill -9 of master ${victim} (leader was ${before.leader.name}): ${successor} promoted after ${Math.round((promotedAt - killedAt) * 1000)} ms`);

  const restartedAt = Date.now() / 1000;
  c.start(victim);
  const rejoined = await c.waitFor(`${victim} back as a slave`, async () => {
    const v = await c.status();
    const n = v?.nodes.find((x) => x.name === victim && x.state !== 'Disconnected');
    return n?.state === 'Slave' && n.services.every((s) => s.state === 'Started') ? v : undefined;
  }, 30_000);
  expect(rejoined.master!.name).toBe(successor);
  expect(c.events().some((e) => e.node === victim && e.event === 'start' && e.phase === 'end' && e.time > restartedAt)).toBe(true);

  // No flip back: watch a few elector ticks and status rounds.
  const watchUntil = Date.now() + 2000;
  while (Date.now() < watchUntil) {
    const v = await c.status();
    if (v) expect(v.master?.name).toBe(successor);
  }
  const since = c.events().filter((e) => e.time > restartedAt);
  expect(since.filter((e) => e.node === victim && e.event === 'promote')).toEqual([]);
  expect(since.filter((e) => e.node === successor && e.event === 'demote')).toEqual([]);
});

test('SIGTERM of the master: it demotes and stops, exits 0, and only then is another node promoted', async () => {
  const before = await settled();
  const master = before.master.name;
  // Slow scripts make any overlap visible.
  c.control('slow-demote', '0.4');
  c.control('slow-stop', '0.4');
  try {
    const sentAt = Date.now() / 1000;
    const code = await c.stop(master, 'SIGTERM');
    expect(code).toBe(0);
    const after = await c.waitForMaster((v) => v.master.name !== master, 30_000);
    const successor = after.master.name;
    await c.waitFor(`${successor} promoted`, () => promoteEndAfter(successor, sentAt), 30_000);

    const events = c.events().filter((e) => e.time > sentAt);
    const of = (node: string, event: string, phase: string) => events.find((e) => e.node === node && e.event === event && e.phase === phase);
    const demoteEnd = of(master, 'demote', 'end');
    const stopBegin = of(master, 'stop', 'begin');
    const stopEnd = of(master, 'stop', 'end');
    const promoteBegin = of(successor, 'promote', 'begin')!;
    expect(demoteEnd).toBeDefined();
    expect(stopEnd).toBeDefined();
    // Demote before stop on the old master; the new master is promoted only after the old one demoted.
    expect(demoteEnd!.time).toBeLessThanOrEqual(stopBegin!.time);
    expect(demoteEnd!.time).toBeLessThan(promoteBegin.time);
    console.log(`SIGTERM of master ${master}: demote end → ${successor} promote begin ${Math.round((promoteBegin.time - demoteEnd!.time) * 1000)} ms; `
      + `old stop end ${stopEnd!.time < promoteBegin.time ? 'before' : 'after'} the new promote began`);
  } finally {
    c.control('slow-demote', null);
    c.control('slow-stop', null);
  }
  c.start(master);
  const back = await settled();
  expect(back.nodes.filter((n) => n.name === master).map((n) => n.state)).toContain('Slave');
});

test('nothing is left running after SIGTERM of every node (checked by pid)', async () => {
  const codes = await Promise.all(c.nodes.map((n) => c.stop(n.name, 'SIGTERM')));
  expect(codes).toEqual(c.nodes.map(() => 0));
  expect(c.leftovers()).toEqual({ koinodes: [], others: [] });
});
