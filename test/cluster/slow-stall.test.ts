/**
 * Protocol 4's stall bound of its own (docs/safety.md "What is assumed", S): above a 50 ms heartbeat the
 * stall guard can no longer tell a stall of S = 100 ms from a quiet loop by the gap between two entries (an
 * idle node waits up to an interval), so every timer tells it how late it ran (core/node/guarded-timers.ts).
 * At the slow profile (200 ms heartbeat: 2 intervals are 400 ms) a master stopped for 300 ms, at any phase
 * of its timers, notices the stall on resume; one stopped for 80 ms (below S) never does; and neither costs
 * the master its role (lease 2.5 s).
 */
import { indexOf, startCluster, waitSettled, expectNoViolations } from './helpers';
import { loadProfile, profileSpec } from '../../bench/lib/profiles';
import type { KoiConfig } from '../../plugin-api';
import type { SimCluster } from './sim-cluster';

const slow = loadProfile(profileSpec('slow')).timeMs as Partial<KoiConfig['time']>;
const clusters: SimCluster[] = [];
afterEach(() => {
  for (const c of clusters.splice(0)) c.shutdown();
});

/** The master stopped `pauseMs` at 10 phases across one heartbeat interval: how many times it logged a stall. */
async function pauses(pauseMs: number): Promise<{ noticed: number; trials: number; sim: SimCluster; kept: boolean }> {
  const sim = await startCluster({ nodes: 3, seed: 21, time: slow, traceLines: 100_000 });
  clusters.push(sim);
  const master = await waitSettled(sim, 20_000);
  await sim.run(3000);
  const promotions = sim.nodes.map((n) => n.promotions.length);
  const demotions = sim.nodes.map((n) => n.demotions.length);
  const stallLine = new RegExp(`^\\s*\\d+ ${master.name} node warn: event loop stalled for (\\d+) ms`);
  let noticed = 0;
  const trials = 10;
  for (let i = 0; i < trials; i++) {
    // Each trial starts a further 23 ms into the 200 ms heartbeat cycle: every phase of the master's timers.
    await sim.run(1000 + 23 * i);
    const before = sim.trace.length;
    sim.pause(indexOf(sim, master));
    await sim.run(pauseMs);
    sim.resume(indexOf(sim, master));
    await sim.run(50);
    if (sim.trace.slice(before).some((l) => stallLine.test(l))) noticed++;
  }
  await sim.run(3000);
  const kept = sim.master() === master
    && sim.nodes.every((n, k) => n.promotions.length === promotions[k] && n.demotions.length === demotions[k]);
  return { noticed, trials, sim, kept };
}

test('slow profile: a 300 ms stop of the master (below two 200 ms intervals) is noticed at every phase by its late timers, and the master keeps its role', async () => {
  expect(slow.cluster_update_interval).toBe(200);
  const { noticed, trials, sim, kept } = await pauses(300);
  expect(noticed).toBe(trials);
  expect(kept).toBe(true);
  expectNoViolations(sim);
});

test('slow profile: an 80 ms stop (below S = 100 ms) is never taken for a stall', async () => {
  const { noticed, sim, kept } = await pauses(80);
  expect(noticed).toBe(0);
  expect(kept).toBe(true);
  expectNoViolations(sim);
});
