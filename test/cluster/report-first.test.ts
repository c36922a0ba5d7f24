/**
 * A runner's health report that reaches the leader before the runner's first heartbeat after it left the
 * node table (here two nodes paused together, deaf, one wall clock stepped back) made a table entry with an
 * empty name; the leader's view then carried it, and every peer dropped that view as malformed (found by a
 * hostile review of bc4590f; membership.ts noteReport now takes the report's name).
 */
import { SimCluster } from './sim-cluster';

test('a runner heard first by its report gets its name in the view: no peer drops the view as malformed', async () => {
  const five = (): SimCluster => new SimCluster({ seed: 1, nodes: [{ runner: false }, { elector: false }, { elector: false }, { elector: false }, { elector: false }], quorum: 3, traceLines: 5000, serviceDurationMs: 20 });
  const probe = five();
  let named: { id: string; at: number } | null = null;
  probe.nodes[0].hooks.onMasterChange.tap('r', (c) => { if (c.decidedHere && c.masterId && named === null) named = { id: c.masterId, at: probe.now }; });
  await probe.startAll();
  await probe.runUntil(() => named !== null, 10_000);
  probe.shutdown();
  const sim = five();
  await sim.startAll();
  await sim.run(named!.at - sim.now);
  const m = sim.nodes.findIndex((n) => n.id === named!.id);
  const p = sim.nodes.findIndex((n, i) => i !== 0 && i !== m);
  sim.vmPause(m); sim.vmPause(p);
  await sim.run(20);
  sim.deaf(m); sim.deaf(p);
  await sim.run(80);
  sim.stepWall(m, -4_000);
  await sim.run(3_900);
  sim.heal();
  sim.resume(m, true);
  sim.resume(p, false);
  await sim.run(2_000);
  const bad = sim.trace.filter((l) => l.includes('malformed'));
  expect(bad).toEqual([]);
  sim.shutdown();
});
