/**
 * Protocol 4's quick renewal of an inherited master (docs/safety.md R5): when the leader dies and the master
 * is another node, the new leader renews the master on its first Master-flagged heartbeat that answers one of
 * the new leader's own heartbeats sent once it was quorate — the claim was made after the quorum began, by
 * causality — instead of on a claim received an ack window W after the quorum began. At the slow profile
 * (200 ms heartbeat, W = 600 ms) the chain from the leader's death to the renewal is then ≈ 1.5–1.7 s instead
 * of ≈ 2.1–2.3 s, so a 1.8 s lease outlasts a leader change: the master's own service never demotes.
 */
import { indexOf, startCluster, waitSettled, expectNoViolations } from './helpers';
import { loadProfile, profileSpec } from '../../bench/lib/profiles';
import type { KoiConfig } from '../../plugin-api';
import type { SimCluster } from './sim-cluster';

const time = { ...loadProfile(profileSpec('slow')).timeMs, master_lease: 1800 } as Partial<KoiConfig['time']>;
const clusters: SimCluster[] = [];
afterEach(() => {
  for (const c of clusters.splice(0)) c.shutdown();
});

test.each([31, 32, 33, 34, 35, 36])('slow profile, 1.8 s lease: the leader (not the master) dies and the master keeps its role (seed %i)', async (seed) => {
  const sim = await startCluster({ nodes: 3, seed, time, traceLines: 100_000 });
  clusters.push(sim);
  await waitSettled(sim, 20_000);
  const leader = sim.leader()!;
  const master = sim.nodes.find((n) => n !== leader)!;
  if (sim.master() !== master) {
    leader.koi.promote(master.name);
    await sim.runUntil(() => sim.master() === master && sim.servicesPromoted(master), 10_000);
  }
  await sim.run(5000);
  const demotions = master.demotions.length;
  const promotions = sim.nodes.map((n) => n.promotions.length);
  const killedAt = sim.now;
  sim.kill(indexOf(sim, leader));
  expect(await sim.runUntil(() => sim.leader() !== null && sim.leader() !== leader, 10_000)).not.toBeNull();
  await sim.run(6000);
  if (process.env.DUMP === String(seed)) console.log(sim.trace.filter((l) => Number(l.trim().split(' ')[0]) >= killedAt - 300).join('\n'));
  // What the master's services saw: no demote, and nobody else promoted.
  expect(master.demotions.length).toBe(demotions);
  expect(sim.nodes.map((n) => n.promotions.length)).toEqual(promotions);
  expect(sim.master()).toBe(master);
  expect(sim.now - killedAt).toBeGreaterThan(6000);
  expectNoViolations(sim);
});
