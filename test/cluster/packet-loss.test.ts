/**
 * Sustained 20 % packet loss on every link (3 nodes, quorum 2, default
 * timings) is no failover: the master keeps its mastership for minutes.
 * Reproduces the flap `npm run test:netns:loss` saw about one run in five.
 * Two ways it failed (before the fix, 8 of the first 20 seeds): the
 * leader marked the master Disconnected after 5 health reports lost in a
 * row although its heartbeats arrived; and 5 state updates lost in a row
 * ended the lease (one renewal per elector tick). See docs/architecture.md,
 * "No two masters" point 2. KOI_LOSS_SEEDS=1,2,... and KOI_LOSS_MS widen it.
 */
import { expectNoViolations, startCluster, waitSettled } from './helpers';
import type { SimCluster } from './sim-cluster';

const clusters: SimCluster[] = [];
afterEach(() => {
  for (const c of clusters.splice(0)) c.shutdown();
});

// 13 and 32: the leader lost its lease quorum for a few heartbeats and waited for the master's next health
// report to renew it (R5) until the lease ran out; heartbeats now carry the Master claim (NodeFlag.Master).
const SEEDS = (process.env.KOI_LOSS_SEEDS ?? '1,2,3,4,5,6,13,32').split(',').map(Number);

describe('20 % loss on every link, 3 nodes, quorum 2', () => {
  test.each(SEEDS)('seed %i: no master change for 3 simulated minutes', async (seed) => {
    const sim = await startCluster({ nodes: 3, seed, quorum: 2 });
    clusters.push(sim);
    let master = await waitSettled(sim);
    const leader = sim.leader()!;
    if (master === leader) {
      // The flap needs a master that is not the leader: it follows the leader like any runner.
      const target = sim.nodes.find((n) => n !== leader)!;
      leader.koi.promote(target.name);
      await sim.runUntil(() => sim.master() === target && sim.servicesPromoted(target), 5000);
      master = target;
    }
    await sim.run(2000);
    const promotions = sim.nodes.map((n) => n.promotions.length);
    const demotions = sim.nodes.map((n) => n.demotions.length);
    sim.network.setFaults({ drop: 0.2, delayMs: 1, jitterMs: 1, duplicate: 0 });
    await sim.run(Number(process.env.KOI_LOSS_MS ?? 180_000));
    const changed = sim.nodes.map((n) => n.demotions.length).join() !== demotions.join()
      || sim.nodes.map((n) => n.promotions.length).join() !== promotions.join();
    if (changed) {
      const at = Math.min(...sim.nodes.flatMap((n, i) => n.demotions.slice(demotions[i])), ...sim.nodes.flatMap((n, i) => n.promotions.slice(promotions[i])));
      throw new Error(`master changed at t=${at}\n${sim.trace.slice(-120).join('\n')}`);
    }
    expect(sim.master()).toBe(master);
    expectNoViolations(sim);
  }, 120_000);
});
