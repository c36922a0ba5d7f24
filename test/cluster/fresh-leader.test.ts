/**
 * SPEC §2: a leader change does not by itself move the master — also when
 * the new leader is a node that restarted just as the old leader vanished,
 * so it wins the bully election (highest id) without ever having seen a
 * leader's view. It must learn the sitting master from the runners' health
 * reports instead of naming nobody (which made the master demote at once and
 * be promoted again ~0.4 s later in real-process soaks).
 */
import { expectNoViolations, indexOf, startCluster, waitSettled } from './helpers';
import type { SimCluster, SimNode } from './sim-cluster';

/** Above every UUID the PRNG can draw: the restarted node wins the bully election. */
const HIGHEST_ID = 'ffffffff-ffff-4fff-bfff-ffffffffffff';

const clusters: SimCluster[] = [];
afterEach(() => {
  for (const c of clusters.splice(0)) c.shutdown();
});

/** A settled 3-node cluster (quorum 2) whose master is not the leader. */
async function masterNotLeader(sim: SimCluster): Promise<{ master: SimNode; leader: SimNode; third: SimNode }> {
  await waitSettled(sim);
  const leader = sim.leader()!;
  let master = sim.master()!;
  if (master === leader) {
    const other = sim.nodes.find((n) => n !== leader)!;
    expect(leader.koi.promote(other.name)).toMatchObject({ ok: true });
    await sim.runUntil(() => sim.master() === other && sim.servicesPromoted(other), 10_000);
    master = sim.master()!;
    expect(master).toBe(other);
  }
  await sim.run(2000);
  const third = sim.nodes.find((n) => n !== leader && n !== master)!;
  return { master, leader, third };
}

// Default timings only: with examples/fast.conf the 50 ms lease is shorter than a leader election
// (8 heartbeats), so a leader's death always costs the master its lease (documented there).
const LAN = { drop: 0, delayMs: 0.2, jitterMs: 1, duplicate: 0 };

test.each([
  [21, 'a perfect network'], [22, 'a perfect network'], [23, 'LAN delay and jitter'], [24, 'LAN delay and jitter'], [25, 'LAN delay and jitter'],
])('seed %i, %s: the leader dies as a node restarts with the highest id; the master stays, nothing demotes or promotes', async (seed, network) => {
  const sim = await startCluster({ seed, nodes: 3, faults: network === 'a perfect network' ? undefined : LAN });
  clusters.push(sim);
  const { master, leader, third } = await masterNotLeader(sim);
  const demotionsBefore = master.demotions.length;
  const promotionsBefore = sim.nodes.map((n) => n.promotions.length);
  const thirdIndex = indexOf(sim, third);

  // A restarting runner listens up to 4 heartbeats for a leader's view (learning only maintenance) before it
  // takes part; the leader dies as that ends, so the fresh node joins without ever having adopted a view.
  await sim.restart(thirdIndex, { id: HIGHEST_ID });
  sim.kill(indexOf(sim, leader));
  const fresh = sim.nodes[thirdIndex];
  expect(fresh.id).toBe(HIGHEST_ID);

  // The restarted node becomes leader without ever having seen a view (the scenario under test).
  const took = await sim.runUntil(() => sim.leader() === fresh, 10_000);
  expect(took).not.toBeNull();
  await sim.run(10_000);

  expect(sim.leader()).toBe(fresh);
  expect(sim.master()).toBe(master);
  expect(sim.servicesPromoted(master)).toBe(true);
  expect(master.demotions).toHaveLength(demotionsBefore);
  expect(sim.nodes.map((n) => n.promotions.length)).toEqual(promotionsBefore.map((count, i) => (i === thirdIndex ? 0 : count)));
  expect(fresh.koi.getStatus().elector!.master?.id).toBe(master.id);
  expectNoViolations(sim);
});

test('two runners claim Master to a fresh leader (quorum off, after a partition): one is kept, the other demotes, nobody promotes', async () => {
  // Quorum 0 (the original's behaviour): each side of a partition elects its own master.
  const sim = await startCluster({ seed: 31, nodes: 4, quorum: 0 });
  clusters.push(sim);
  await waitSettled(sim);
  const leader = sim.leader()!;
  const master = sim.master()!;
  const rest = sim.nodes.filter((n) => n !== leader && n !== master);
  const sides = master === leader ? [[leader, rest[0]], [rest[1], rest[2]]] : [[leader, rest[0]], [master, rest[1]]];
  sim.partition(sides.map((side) => side.map((n) => indexOf(sim, n))));
  const sideSettled = (side: SimNode[]): boolean => {
    const masters = side.filter((n) => n.koi.runnerState() === 'Master');
    const leaders = side.filter((n) => n.koi.isLeader());
    return masters.length === 1 && leaders.length === 1 && sim.servicesPromoted(masters[0]);
  };
  expect(await sim.runUntil(() => sides.every(sideSettled), 20_000)).not.toBeNull();
  // On each side the master is the node that does not lead.
  for (const side of sides) {
    const sideLeader = side.find((n) => n.koi.isLeader())!;
    const other = side.find((n) => n !== sideLeader)!;
    if (other.koi.runnerState() !== 'Master') {
      expect(sideLeader.koi.promote(other.name)).toMatchObject({ ok: true });
      expect(await sim.runUntil(() => other.koi.runnerState() === 'Master' && sim.servicesPromoted(other), 10_000)).not.toBeNull();
    }
  }
  await sim.run(2000);
  const masters = sides.map((side) => side.find((n) => !n.koi.isLeader())!);
  expect(masters.every((m) => m.koi.runnerState() === 'Master')).toBe(true);
  const demotionsBefore = masters.map((m) => m.demotions.length);
  const promotionsBefore = masters.map((m) => m.promotions.length);

  // Both leaders die; one comes back with the highest id as the network heals.
  const leaderIndexes = sides.map((side) => indexOf(sim, side.find((n) => n.koi.isLeader())!));
  for (const i of leaderIndexes) sim.kill(i);
  sim.heal();
  await sim.restart(leaderIndexes[0], { id: HIGHEST_ID });
  const fresh = sim.nodes[leaderIndexes[0]];
  // The restarted node listens up to 4 heartbeats before it takes part, so a surviving node may lead first:
  // whoever leads meets two runners that claim Master.
  expect(await sim.runUntil(() => sim.leaders().length === 1, 10_000)).not.toBeNull();
  await sim.run(10_000);

  expect(sim.masters()).toHaveLength(1);
  const kept = sim.master()!;
  expect(masters).toContain(kept);
  const dropped = masters.find((m) => m !== kept)!;
  // The kept master never demoted; the other demoted once; nobody was promoted.
  expect(kept.demotions.length).toBe(demotionsBefore[masters.indexOf(kept)]);
  expect(dropped.demotions.length).toBe(demotionsBefore[masters.indexOf(dropped)] + 1);
  expect(masters.map((m) => m.promotions.length)).toEqual(promotionsBefore);
  expect(fresh.promotions).toHaveLength(0);
  expect(sim.trace.some((l) => l.includes(`continuing with master ${kept.name}`))).toBe(true);
  expect(sim.violations.filter((v) => v.invariant === 'legal-transition')).toEqual([]);
});
