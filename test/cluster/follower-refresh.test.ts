/**
 * Followers send their heartbeats to the leader only, and one every few heartbeats to every peer
 * (docs/architecture.md "Membership", issue 15). What a hostile review found when the refresh rate
 * followed the sender's own node_timeout and leader-only copies went only where the leader was heard,
 * each now a test (all failed on that first version, 956b3bb):
 * - followers reloaded to a longer node_timeout (a rolling reload) refreshed so rarely that a master
 *   following the leader, still at 1 s, lost its quorum count and demoted over and over;
 * - with redundant links and crossed one-way faults a follower's leader-only heartbeats took the one
 *   dead link: the leader counted it only now and then (no lease quorum, no new master) and never got
 *   its health reports;
 * - a leader back from a partition was followed only after the followers' next full heartbeat (211 ms
 *   instead of 61; now a follower that hears a leader whose view does not list it refreshes at once).
 */
import { expectNoViolations, startCluster, waitSettled } from './helpers';
import { addressOf, type SimCluster, type SimNode } from './sim-cluster';

const clusters: SimCluster[] = [];
afterEach(() => {
  for (const c of clusters.splice(0)) c.shutdown();
});

/** Make a node other than the leader master (koi promote), and return it. */
async function followerMaster(sim: SimCluster): Promise<SimNode> {
  const master = await waitSettled(sim);
  const leader = sim.leader()!;
  if (master !== leader) return master;
  const target = sim.nodes.find((n) => n !== leader)!;
  leader.koi.promote(target.name);
  expect(await sim.runUntil(() => sim.master() === target && sim.servicesPromoted(target), 5000)).not.toBeNull();
  return target;
}

describe('follower heartbeats: leader-only with periodic refreshes', () => {
  test('followers reloaded to node_timeout 60 s still keep a 1 s master in its quorum count (no demote)', async () => {
    const sim = await startCluster({ nodes: 5, seed: 3 });
    clusters.push(sim);
    const master = await followerMaster(sim);
    const leader = sim.leader()!;
    await sim.run(2000);
    for (const f of sim.nodes.filter((n) => n !== leader && n !== master)) await sim.setTime(f.index, { node_timeout: 60_000 });
    const demotions = master.demotions.length;
    let fewest = Infinity;
    for (let i = 0; i < 300; i++) {
      await sim.run(100);
      fewest = Math.min(fewest, master.koi.getStatus().quorum.seen);
    }
    // It sees all 5 (a refresh at least every 3rd heartbeat, whatever the sender's node_timeout).
    expect(fewest).toBe(5);
    expect(master.demotions.length).toBe(demotions);
    expect(sim.master()).toBe(master);
    expectNoViolations(sim);
  });

  test('redundant links, crossed one-way faults: a follower that heard the leader on one link only still reaches it on the other', async () => {
    // n2 leads without a runner; n1 and n3 are runners. F hears the leader on link 1 only (link 0 cut toward
    // F) and reaches it on link 0 only (its link 1 toward the leader cut): before, its leader-only heartbeats
    // went to link 1 alone.
    const sim = await startCluster({ nodes: [{}, { runner: false }, {}], redundantLinks: true });
    clusters.push(sim);
    const first = await waitSettled(sim);
    await sim.run(2000);
    const leader = sim.leader()!;
    expect(leader.config.node.runner).toBe(false);
    const F = sim.nodes.find((n) => n !== leader && n !== first)!;
    sim.cutLinkOneWay(leader.index, F.index, 0);
    sim.cutLinkOneWay(F.index, leader.index, 1);
    await sim.restart(F.index);
    await sim.run(3000);
    const restarted = sim.nodes[F.index];
    expect(restarted.koi.getStatus().leader?.id).toBe(leader.id);
    // The fault as meant: the restarted node heard the leader at its link-1 address only.
    expect(restarted.koi.getStatus().nodes.find((e) => e.id === leader.id)?.addresses).toEqual([addressOf(leader.index, 1)]);
    // The leader counts every answer of F (every heartbeat, not only the refreshes that go on both links):
    // all three acknowledge it at every instant, sampled every 7 ms for 3 s.
    let fewest = Infinity;
    for (let i = 0; i < 430; i++) {
      await sim.run(7);
      fewest = Math.min(fewest, sim.nodes[leader.index].koi.getStatus().quorum.acked);
    }
    expect(fewest).toBe(3); // 2 when F's answers reach the leader only on refreshes (the first version)
    const record = () => sim.nodes[leader.index].koi.getStatus().elector?.runners.find((r) => r.id === restarted.id);
    expect(record()?.state).not.toBe('Disconnected');
    // The master dies: the leader, counting F's answers, elects F within a failover.
    const t = leader.config.time;
    sim.kill(first.index);
    const took = await sim.runUntil(() => sim.master() === restarted && sim.servicesPromoted(restarted), 10_000);
    expect(took).not.toBeNull();
    expect(took!).toBeLessThanOrEqual(t.master_dead_time + t.master_lease + t.lease_margin + 2 * t.elector_tick_interval + 500);
    expectNoViolations(sim);
  });

  test('a higher-id leader back from a partition is followed within a few heartbeats, as before', async () => {
    for (const [nodes, seed] of [3, 5].flatMap((n) => [1, 2, 3, 4, 5, 6, 7, 8].map((seed) => [n, seed]))) {
      const sim = await startCluster({ nodes, seed });
      clusters.push(sim);
      await waitSettled(sim);
      await sim.run(2000);
      const high = sim.leader()!;
      sim.partition([[high.index]]);
      await sim.run(8000);
      sim.heal();
      const took = await sim.runUntil(() => sim.nodes.every((n) => n.koi.getStatus().leader?.id === high.id), 10_000);
      expect({ nodes, followedAfter: took }).toEqual({ nodes, followedAfter: expect.any(Number) });
      // 61 ms in every run, as before leader-only heartbeats; 211 ms (seed 2) on their first version, which
      // refreshed every 4th heartbeat and went on sending leader-only while a leader not listing it was around.
      expect(took!).toBeLessThanOrEqual(3 * high.config.time.cluster_update_interval);
      expectNoViolations(sim);
      sim.shutdown();
    }
  });
});
