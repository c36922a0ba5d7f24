/**
 * R2 counted from the quorum's freedom (docs/safety.md R2): a new leader
 * waits out other leaders' leases from the latest instant at which any node
 * of its quorum became free of other leaders (each says so in its answers),
 * not from when its quorum began. Two sides of it:
 *
 * - the usual failover is faster: the master that also leads dies, and the
 *   wait overlaps the election (the followers were free of it ≈ 6 heartbeats
 *   after its death; the new leader's quorum forms ≈ 10 heartbeats after);
 * - a quorum member that left another leader only lately moves the wait
 *   later: the new leader, itself free for long, must not elect before that
 *   member's old leader lost the lease quorum it gave it. Without the
 *   member's report the new leader elected at once and two masters ran for
 *   about a second (seen failing with `quorumFreeAt` reading only the
 *   leader's own freedom).
 */
import { expectNoViolations, indexOf, startCluster, waitSettled } from './helpers';
import type { SimCluster, SimNode } from './sim-cluster';

const clusters: SimCluster[] = [];
afterEach(() => {
  for (const c of clusters.splice(0)) c.shutdown();
});

async function makeMaster(sim: SimCluster, target: SimNode, leader = sim.leader()!): Promise<void> {
  leader.koi.promote(target.name);
  const took = await sim.runUntil(() => sim.master() === target && sim.servicesPromoted(target), 10_000);
  if (took === null) throw new Error(`${target.name} not promoted: ${sim.describe()}`);
}

describe('the replacement wait counts from when the new quorum was free of other leaders', () => {
  test('the master that also leads dies: promoted again within the switch gap + hold + a tick, not election + hold', async () => {
    const sim = await startCluster({ nodes: 3 });
    clusters.push(sim);
    await waitSettled(sim);
    const leader = sim.leader()!;
    if (sim.master() !== leader) await makeMaster(sim, leader);
    await sim.run(3000);
    const t = leader.config.time;
    const I = t.cluster_update_interval;
    const hold = t.master_lease + t.lease_margin;
    const killedAt = sim.now;
    sim.kill(indexOf(sim, leader));
    const took = await sim.runUntil(() => {
      const m = sim.master();
      return m !== null && m !== leader && m.promotions.some((p) => p > killedAt);
    }, 10_000);
    expect(took).not.toBeNull();
    // Freedom: ack window (3 I) + 3 I after the followers' last answer; then the hold; then the elector tick.
    // Counted from the quorum (≈ 10 I after the death) the same took ≥ 10 I + hold (2.0 s here).
    console.log(`leader-master failover in the simulator: ${took} ms`);
    expect(took!).toBeLessThanOrEqual(6 * I + hold + t.elector_tick_interval + 2 * I);
    expectNoViolations(sim);
  });

  test('a follower that left the old leader lately holds the new leader back until the old one lost it', async () => {
    const sim = await startCluster({ nodes: 3 });
    clusters.push(sim);
    await waitSettled(sim);
    // Highest id first: the leader (B), then A, then the follower F.
    const [b, a, f] = [...sim.nodes].sort((x, y) => (x.id < y.id ? 1 : -1));
    const [ib, ia, iF] = [b, a, f].map((n) => indexOf(sim, n));
    // B alone for 10 s: A leads {A, F} and is made master; B, leading nobody, has been free of others for long.
    sim.partition([[ia, iF], [ib]]);
    const took = await sim.runUntil(() => sim.leaders().includes(a) && sim.master() !== null && sim.master() !== b, 10_000);
    expect(took).not.toBeNull();
    await makeMaster(sim, a, a);
    await sim.run(10_000);
    expect(sim.master()).toBe(a);
    const demotionsBefore = a.demotions.length;
    // B and F meet again, A and B still cut: F follows B (higher id), which waits for F's old leader A.
    sim.heal();
    sim.cutPair(ia, ib);
    const met = sim.now;
    const promoted = await sim.runUntil(() => [b, f].some((n) => n.promotions.some((p) => p > met)), 15_000);
    expect(promoted).not.toBeNull();
    // A demoted (its lease ran out without F's answers) before anyone else promoted.
    const newPromote = Math.min(...[b, f].flatMap((n) => n.promotions.filter((p) => p > met)));
    expect(a.demotions.length).toBeGreaterThan(demotionsBefore);
    expect(a.demotions[a.demotions.length - 1]).toBeLessThanOrEqual(newPromote);
    expectNoViolations(sim);
  });

  test('a master heard again after a partition gets its report in before anyone is elected — not fenced, not overlapped', async () => {
    // Two nodes, quorum 2, the master a runner only (seed 9600528 of npm run chaos): the leader regains its
    // quorum the moment the partition heals, and the quorum was free long before, so only the wait for the
    // rejoined runner's report (election-gate.ts `awaiting-report`) keeps it from fencing a master that is
    // there and demoting (the simulated fencing plugin powers the node off).
    const sim = await startCluster({ nodes: [{}, { elector: false, runner: true }], quorum: 2, fencing: true, durations: { demoteMs: 600 } });
    clusters.push(sim);
    await waitSettled(sim);
    const [leader, runner] = sim.nodes;
    await makeMaster(sim, runner);
    await sim.run(2000);
    sim.partition([[0], [1]]);
    await sim.run(5000);
    sim.heal();
    const elected = await sim.runUntil(() => sim.master() !== null && sim.servicesPromoted(sim.master()!), 10_000);
    expect(elected).not.toBeNull();
    expect(runner.status).toBe('running');
    expect(sim.trace.some((l) => l.includes('fencing silent master'))).toBe(false);
    expect(leader.status).toBe('running');
    expectNoViolations(sim);
  });
});
