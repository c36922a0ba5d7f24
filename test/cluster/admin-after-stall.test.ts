/**
 * Admin actions enter through the stall guard (KoiNode.action, docs/safety.md R6): a leader stopped long
 * enough for the others to elect another, whose first entry on resume is an operator's request, notices the
 * stall and steps down before it acts. The operator sees the refusal (not the leader), and the cluster keeps
 * one master. Without the guard the stale leader would take `koi promote` or `koi maintenance on` as its own
 * decision for a cluster another leader now leads.
 */
import { indexOf, startCluster, waitSettled, expectNoViolations } from './helpers';
import type { SimCluster } from './sim-cluster';
import type { ActionResult } from '../../core/node/status';

const clusters: SimCluster[] = [];
afterEach(() => {
  for (const c of clusters.splice(0)) c.shutdown();
});

const requests = [
  ['promote', (koi: import('../../core/node').KoiNode, target: string) => koi.promote(target)],
  ['maintenance on', (koi: import('../../core/node').KoiNode) => koi.setMaintenance(true)],
] as const;

test.each(requests)('`koi %s` read first by a leader resumed from a 2 s stop is refused after the stall is noticed', async (_name, request) => {
  const sim = await startCluster({ nodes: 3, seed: 47, traceLines: 100_000 });
  clusters.push(sim);
  const master = await waitSettled(sim, 20_000);
  await sim.run(2000);
  const leader = sim.leader()!;
  const other = sim.nodes.find((n) => n !== leader && n !== master) ?? sim.nodes.find((n) => n !== leader)!;
  const before = sim.trace.length;
  sim.pause(indexOf(sim, leader));
  await sim.run(2000);
  expect(sim.leader()).not.toBe(leader); // the others elected another meanwhile
  sim.adminAction();
  let result: ActionResult | undefined;
  // The request is the first entry after the stop: no timer or datagram has run yet.
  sim.resume(indexOf(sim, leader), false, () => { result = request(leader.koi, other.name); });
  const lines = sim.trace.slice(before);
  const stallAt = lines.findIndex((l) => new RegExp(`^\\s*\\d+ ${leader.name} node warn: event loop stalled for \\d+ ms`).test(l));
  expect(stallAt).toBeGreaterThanOrEqual(0);
  expect(result?.ok).toBe(false);
  await sim.run(5000);
  expectNoViolations(sim);
  expect(sim.nodes.filter((n) => n.koi.inMaintenance())).toEqual([]);
});
