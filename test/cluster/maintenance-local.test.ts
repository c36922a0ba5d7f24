/**
 * `koi maintenance on|off` on the leader applies to the leader's own runner
 * and service manager at once, before the answer: a SIGTERM right after it
 * must follow the new mode on the leader too, not the old one until the next
 * state update. Scripts are counted with the simulator's in-memory executor.
 */
import { startCluster, waitSettled } from './helpers';
import type { SimCluster, SimNode } from './sim-cluster';

const clusters: SimCluster[] = [];
afterEach(() => {
  for (const c of clusters.splice(0)) c.shutdown();
});

/** Stop the node gracefully (SIGTERM) and return the events its executor ran meanwhile. */
async function stopAndCount(sim: SimCluster, node: SimNode): Promise<string[]> {
  const before = node.executor.log.length;
  await sim.stop(sim.nodes.indexOf(node));
  return node.executor.log.slice(before).map((e) => `${e.service}:${e.event}`);
}

test('after setMaintenance(true) on the leader, a stop right away runs no script on the leader', async () => {
  const sim = await startCluster({ nodes: 3 });
  clusters.push(sim);
  await waitSettled(sim);
  const leader = sim.leader()!;
  expect(leader.koi.runnerState()).not.toBe('Stopped');

  expect(leader.koi.setMaintenance(true)).toMatchObject({ ok: true });
  const ran = await stopAndCount(sim, leader);
  expect(ran).toEqual([]);
  expect(leader.koi.getStatus().runner!.services.every((s) => s.state === 'Stopped')).toBe(true);
});

test('after setMaintenance(false) on the leader, a stop right away runs the leader\'s stop scripts again', async () => {
  const sim = await startCluster({ nodes: 3 });
  clusters.push(sim);
  await waitSettled(sim);
  const leader = sim.leader()!;
  leader.koi.setMaintenance(true);
  await sim.run(2000); // maintenance reached every runner through state updates

  expect(leader.koi.setMaintenance(false)).toMatchObject({ ok: true });
  const ran = await stopAndCount(sim, leader);
  expect(ran.filter((e) => e.endsWith(':stop')).sort()).toEqual(['10-ip:stop', '20-app:stop']);
});

test('the leader logs each runner\'s state change as it learns it from health reports', async () => {
  const sim = await startCluster({ nodes: 3 });
  clusters.push(sim);
  await waitSettled(sim);
  const leader = sim.leader()!;
  const slave = sim.nodes.find((n) => n !== leader && n.koi.runnerState() === 'Slave')!;
  slave.koi.stopRunner();
  await sim.run(2000);
  const lines = sim.trace.filter((l) => l.includes(` ${leader.name} elector `) && l.includes(`runner ${slave.name}: Slave -> Stopped`));
  expect(lines.length).toBeGreaterThan(0);
});
