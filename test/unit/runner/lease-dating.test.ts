/**
 * docs/safety.md R6: after a stall, a naming of this runner (it may have
 * waited in the socket buffer) is dated by the leader's clock from an update
 * received before the stall — and not at all once a freeze (a VM pause)
 * made that reference worthless. Measured from the services: the virtual
 * times of their promote and demote scripts.
 */
import type { StateUpdate } from '../../../plugin-api';
import { runnerRig, type RunnerRig } from './harness';

let rig: RunnerRig | undefined;
afterEach(async () => {
  await rig?.close();
  rig = undefined;
});

const LEASE = 1200;
let seq = 0;

/** A grant of the test's leader, made when its uptime was `leaderUptimeMs`. */
function grant(r: RunnerRig, leaderUptimeMs: number): void {
  const update: StateUpdate = {
    kind: 'state', masterId: 'id-a', masterName: 'node-a', masterAddress: '', leaderName: 'leader',
    leaderUptimeMs, hasQuorum: true, maintenance: false, leaseMs: LEASE,
  };
  r.runner.handleState('leader', ++seq, update);
}

/** A master on a quorate cluster whose lease the test's leader granted at leader uptime 10 000, at virtual time `t0`. */
async function master(): Promise<{ r: RunnerRig; t0: number }> {
  const r = runnerRig((config) => {
    config.cluster.quorum = 2;
    Object.assign(config.time, { cluster_update_interval: 50, master_lease: LEASE, lease_margin: 300 });
  }, (executor) => executor.add('20-app', {}));
  r.runner.start();
  r.runner.leaderKnown(true);
  await r.run(100);
  const t0 = r.clock.now();
  grant(r, 10_000);
  await r.run(50);
  expect(r.executor.times('promote', '20-app')).toHaveLength(1);
  return { r, t0 };
}

test('a renewal sent during a stall and read after it renews the lease from when it was sent', async () => {
  const { r, t0 } = await master();
  rig = r;
  // Stopped 600 ms from t0 + 50; the leader renewed 500 ms after its first grant, in the socket buffer meanwhile.
  r.clock.advance(600);
  r.runner.stalled(600);
  grant(r, 10_500);
  // Ignored (the old quarantine), the lease would end at t0 + 1200; dated, at ≈ t0 + 490 − 100 + 1200.
  await r.run(t0 + LEASE + 200 - r.clock.now());
  expect(r.executor.times('demote', '20-app')).toEqual([]);
  await r.run(1000);
  const demotes = r.executor.times('demote', '20-app');
  expect(demotes).toHaveLength(1);
  expect(demotes[0]).toBeLessThanOrEqual(t0 + 500 + LEASE); // never later than its send + the lease
});

test('after a VM pause the reference is forgotten: a buffered renewal read after a later stall does not promote again', async () => {
  const { r, t0 } = await master();
  rig = r;
  r.clock.advance(50);
  r.runner.stalled(750, 700); // a VM pause: 700 ms this clock did not count; the lease is cut to ≈ t0 + 500
  r.clock.advance(1700);
  r.runner.stalled(1700); // then a long monotonic stall: the lease ran out, the master demotes
  await r.run(10);
  expect(r.executor.times('demote', '20-app')).toHaveLength(1);
  // Sent 1 500 ms of leader time after the first grant (≈ 800 ms on this node's clock, which lost 700):
  // dated from the pre-pause reference it would hold until ≈ t0 + 2 570, past the leader's hold for it.
  grant(r, 11_500);
  await r.run(500);
  expect(r.executor.times('promote', '20-app')).toHaveLength(1);
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
