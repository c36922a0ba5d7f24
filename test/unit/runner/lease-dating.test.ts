/**
 * docs/safety.md R3: a runner's lease ends where the leader's grant put it
 * on the runner's own clock (`StateUpdate.leaseEnd`), never a lease length
 * after the grant was read — so a grant that waited in the socket buffer
 * through a stall (noticed or not) holds no longer than one read at once.
 * Frozen time found since the heartbeat the leader's bound comes from is
 * taken off; a bound from an earlier incarnation of the node is refused.
 * Measured from the services: the virtual times of their promote and demote
 * scripts.
 */
import type { LeaseEnd, StateUpdate } from '../../../plugin-api';
import { runnerRig, type RunnerRig } from './harness';
import type { VirtualClock } from '../../../core/clock';
import type { TimerSource } from '../../../core/node/guarded-timers';

let rig: RunnerRig | undefined;
afterEach(async () => {
  await rig?.close();
  rig = undefined;
});

const LEASE = 1200;
let seq = 0;

/** A grant of the test's leader whose lease ends at this runner's uptime `endUptimeMs` (its clock started at 0). */
function grant(r: RunnerRig, endUptimeMs: number, bound: Partial<LeaseEnd> = {}, leaseMs = LEASE): void {
  const update: StateUpdate = {
    kind: 'state', masterId: 'id-a', masterName: 'node-a', masterAddress: '', leaderName: 'leader',
    leaderUptimeMs: 10_000 + seq, hasQuorum: true, maintenance: false, leaseMs,
    leaseEnd: { uptimeMs: endUptimeMs, observedUptimeMs: Math.max(0, endUptimeMs - LEASE - 20), observedSeq: 1, ...bound },
  };
  r.runner.handleState('leader', ++seq, update);
}

/** A master on a quorate cluster, its lease granted at virtual time `t0` to end at t0 + LEASE. */
async function master(timers?: (clock: VirtualClock) => TimerSource): Promise<{ r: RunnerRig; t0: number }> {
  const r = runnerRig((config) => {
    config.cluster.quorum = 2;
    Object.assign(config.time, { cluster_update_interval: 50, master_lease: LEASE, lease_margin: 300 });
  }, (executor) => executor.add('20-app', {}), 10, timers);
  r.runner.start();
  r.runner.leaderKnown(true);
  await r.run(100);
  const t0 = r.clock.now();
  grant(r, t0 + LEASE);
  await r.run(50);
  expect(r.executor.times('promote', '20-app')).toHaveLength(1);
  return { r, t0 };
}

test('a renewal that waited through a stall the node did not notice ends where the leader put it, not a lease after its receipt', async () => {
  const { r, t0 } = await master();
  rig = r;
  // Renewed by the leader at t0 + 500 (its end: t0 + 1 700); read only 190 ms later, the runner having been
  // stopped meanwhile for less than the stall threshold of a slow heartbeat — no stall reported.
  r.clock.advance(640);
  grant(r, t0 + 500 + LEASE);
  await r.run(t0 + 500 + LEASE - 1 - r.clock.now());
  expect(r.executor.times('demote', '20-app')).toEqual([]);
  await r.run(500);
  const demotes = r.executor.times('demote', '20-app');
  expect(demotes).toHaveLength(1);
  // Dated by its receipt it would hold until t0 + 1 890.
  expect(demotes[0]).toBeLessThanOrEqual(t0 + 500 + LEASE);
});

test('frozen time found after the heartbeat the bound comes from is taken off the lease end', async () => {
  const { r, t0 } = await master();
  rig = r;
  r.clock.advance(50);
  // The leader's bound comes from this node's heartbeat at t0 + 40; the node froze 700 ms after it (a VM pause).
  r.freeze(700); // the first lease is cut to t0 + 500
  grant(r, t0 + 100 + LEASE, { observedUptimeMs: t0 + 40 });
  // The new grant ends at t0 + 1 300 on the leader's terms, t0 + 600 on this clock that lost 700 ms since.
  await r.run(t0 + 600 - 1 - r.clock.now());
  expect(r.executor.times('demote', '20-app')).toEqual([]);
  await r.run(100);
  const demotes = r.executor.times('demote', '20-app');
  expect(demotes).toHaveLength(1);
  expect(demotes[0]).toBeLessThanOrEqual(t0 + 600);
});

test('a freeze found before the heartbeat the bound comes from is not taken off again', async () => {
  const { r, t0 } = await master();
  rig = r;
  r.clock.advance(50);
  r.freeze(700);
  r.clock.advance(50);
  grant(r, t0 + 150 + LEASE, { observedUptimeMs: t0 + 140 });
  await r.run(t0 + 150 + LEASE - 1 - r.clock.now());
  expect(r.executor.times('demote', '20-app')).toEqual([]);
  await r.run(10);
  expect(r.executor.times('demote', '20-app')).toHaveLength(1);
});

test('short VM pauses after the grant was read, each below the stall threshold, add up and come off the lease held', async () => {
  const { r, t0 } = await master();
  rig = r;
  for (let i = 0; i < 5; i++) {
    r.clock.advance(100);
    r.lose(95);
  }
  // 475 ms lost since the grant read at t0 (its end t0 + 1 200): over at t0 + 725 on this clock.
  await r.run(t0 + 724 - r.clock.now());
  expect(r.executor.times('demote', '20-app')).toEqual([]);
  await r.run(10);
  const demotes = r.executor.times('demote', '20-app');
  expect(demotes).toHaveLength(1);
  expect(demotes[0]).toBeLessThanOrEqual(t0 + 725);
});

test('a bound from a heartbeat of an earlier incarnation (same id, another clock) is refused: no lease', async () => {
  const { r, t0 } = await master();
  rig = r;
  r.clock.advance(100);
  grant(r, t0 + 100 + 50_000, { observedSeq: 0, observedUptimeMs: t0 + 90 });
  await r.run(t0 + LEASE + 10 - r.clock.now());
  expect(r.executor.times('demote', '20-app')).toHaveLength(1);
  expect(r.logger.find('warn', 'ignoring lease grant from leader: its lease end comes from a heartbeat of an earlier run')).toHaveLength(1);
});

test('never longer than its own master_lease from the grant\'s receipt (R3: a leader reloaded to a longer lease)', async () => {
  const { r, t0 } = await master();
  rig = r;
  r.clock.advance(100);
  const readAt = r.clock.now();
  grant(r, readAt + 5000, { observedUptimeMs: readAt - 10 }, 5000);
  await r.run(readAt + LEASE + 10 - r.clock.now());
  const demotes = r.executor.times('demote', '20-app');
  expect(demotes).toHaveLength(1);
  expect(demotes[0]).toBeLessThanOrEqual(readAt + LEASE);
});

test('koi stop gives up the lease: a koi start before the leader names the successor does not promote again', async () => {
  const { r } = await master();
  rig = r;
  r.runner.stop();
  await r.run(100); // demoted and stopped; the leader, told so, elects another node — its update to us is lost
  expect(r.executor.times('demote', '20-app')).toHaveLength(1);
  r.runner.startAgain();
  await r.run(500); // well within the old 1.2 s lease
  expect(r.executor.times('start', '20-app').length).toBeGreaterThanOrEqual(2);
  expect(r.executor.times('promote', '20-app')).toHaveLength(1);
});

test('a lease timer that fires early (Node truncates a timer\'s milliseconds) is armed again for the rest: the expiry is not left to the next entry', async () => {
  // Every one-shot timer of the runner of 2 ms or more fires 1 ms before it is due (as Node's may, by up to a
  // millisecond; it never runs one sooner than 1 ms); its repeating ticks are slow (runner tick 200 ms).
  const early = (clock: VirtualClock): TimerSource => ({
    setTimeout: (fn, ms) => clock.setTimeout(fn, ms >= 2 ? ms - 1 : ms),
    setInterval: (fn, ms) => clock.setInterval(fn, ms),
    clear: (h) => clock.clear(h),
  });
  const { r, t0 } = await master(early);
  rig = r;
  await r.run(LEASE + 100);
  const demotes = r.executor.times('demote', '20-app');
  expect(demotes).toHaveLength(1);
  // Within a millisecond of the lease's end, not at the next runner tick.
  expect(demotes[0]).toBeGreaterThanOrEqual(t0 + LEASE);
  expect(demotes[0]).toBeLessThanOrEqual(t0 + LEASE + 1);
});
