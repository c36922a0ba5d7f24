/**
 * Protocol 4's stall bound of its own (docs/safety.md "What is assumed", S): above a 50 ms heartbeat S is
 * 100 ms, less than the 2 intervals an idle loop's gap could reach before, so a stop of S to 2 intervals must
 * be noticed another way: by the first entry after an idle gap above I + S (the cluster timer was then more
 * than S late), or by a timer that stood more than S past its due time (core/node/guarded-timers.ts; the
 * unit tests in test/unit/node/stall-guard.test.ts have the cases where only a timer tells it: a datagram
 * read between). At the slow profile (200 ms heartbeat) a master stopped for 310 ms, at any phase of its
 * timers and whichever it reads first after the stop, notices the stall on resume (at 400 ms, 2 intervals,
 * it never did); one stopped for 80 ms (below S) never does; and neither costs the master its role.
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
async function pauses(pauseMs: number, datagramsFirst = false): Promise<{ noticed: number; trials: number; sim: SimCluster; kept: boolean }> {
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
    sim.resume(indexOf(sim, master), datagramsFirst);
    await sim.run(50);
    if (sim.trace.slice(before).some((l) => stallLine.test(l))) noticed++;
  }
  await sim.run(3000);
  const kept = sim.master() === master
    && sim.nodes.every((n, k) => n.promotions.length === promotions[k] && n.demotions.length === demotions[k]);
  return { noticed, trials, sim, kept };
}

test('slow profile: a 310 ms stop of the master (below two 200 ms intervals) is noticed at every phase, and the master keeps its role', async () => {
  expect(slow.cluster_update_interval).toBe(200);
  const { noticed, trials, sim, kept } = await pauses(310);
  expect(noticed).toBe(trials);
  expect(kept).toBe(true);
  expectNoViolations(sim);
});

test('slow profile: the same when the datagrams that waited are read before the late timers run (libuv\'s poll phase first)', async () => {
  const { noticed, trials, sim, kept } = await pauses(310, true);
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

test('a live reload from the slow profile\'s 200 ms heartbeat to a 20 ms one is no stall, at any phase of the old timers', async () => {
  // The reload is an entry of its own (KoiNode.applyConfig): the time before it is judged by the bounds it began
  // under; after it, the re-armed timers keep the new ones. Before, the first entry after the reload was judged
  // by the new 40 ms bound from the last entry before it, up to 200 ms earlier (a review found the false stall).
  let stalls = 0;
  for (let phase = 0; phase < 5; phase++) {
    const sim = await startCluster({ nodes: 3, seed: 31 + phase, time: slow, traceLines: 100_000 });
    clusters.push(sim);
    const master = await waitSettled(sim, 20_000);
    const follower = sim.nodes.find((n) => n !== master && sim.leader() !== n)!;
    await sim.run(1000 + 37 * phase);
    const before = sim.trace.length;
    await sim.setTime(indexOf(sim, follower), { cluster_update_interval: 20 });
    await sim.run(500);
    const stallLine = new RegExp(`^\\s*\\d+ ${follower.name} node warn: event loop stalled`);
    stalls += sim.trace.slice(before).filter((l) => stallLine.test(l)).length;
    expectNoViolations(sim);
  }
  expect(stalls).toBe(0);
});
