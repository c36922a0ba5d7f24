/**
 * A role hook's completion is an entry of the node like a timer (docs/safety.md R6): after a stop, a slow
 * onPromote plugin whose promise settles before the overdue lease timer runs must not let the services promote
 * on a lease that ran out meanwhile (a review found it outside the stall guard). Measured from the services
 * and the log: no promote script, no promote target, the lease's expiry logged. Without the entry, the target
 * went to Promote and back (the services' own change event caught the lease, this time).
 */
import { runnerRig } from './harness';

test('an onPromote hook that completes first after a stop does not promote the services past the lease', async () => {
  const LEASE = 1200;
  const r = runnerRig((config) => {
    config.cluster.quorum = 2;
    Object.assign(config.time, { cluster_update_interval: 50, master_lease: LEASE, lease_margin: 300 });
  }, (executor) => executor.add('20-app', {}), 10);
  let finishHook: () => void = () => undefined;
  r.hooks.onPromote.tapPromise('slow-plugin', () => new Promise((resolve) => { finishHook = () => resolve(); }));
  r.runner.start();
  r.runner.leaderKnown(true);
  await r.run(100);
  r.name('node-a'); // a lease to 1 200 ms from now: Master, the promote waits for the hook
  await r.run(50);
  expect(r.runner.snapshot().state).toBe('Master');
  expect(r.executor.times('promote', '20-app')).toEqual([]);
  // SIGSTOP for 2 s: no timer runs; on the resume the hook's completion comes first.
  (r.clock as unknown as { current: number }).current += 2_000;
  finishHook();
  await new Promise((resolve) => setImmediate(resolve));
  await r.run(500);
  expect(r.executor.times('promote', '20-app')).toEqual([]);
  // What the log shows: the lease's expiry first, and the services never even targeted for a promote.
  const lines = r.logger.records.map((l) => String(l.msg));
  expect(lines).toContain('Transition[Master -> Slave]: master lease expired (no renewal from a quorate leader within the 1200 ms lease)');
  expect(lines.filter((l) => l.endsWith('-> Promote'))).toEqual([]);
  await r.close();
});
