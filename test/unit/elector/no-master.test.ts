/**
 * core/elector/no-master: why each runner is not a candidate, and the
 * failover-storm rule (every runner failed the same service since `since`).
 */
import { failoverHalt, runnerBlocker } from '../../../core/elector/no-master';
import type { RunnerRecord } from '../../../core/elector/records';

function runner(name: string, over: Partial<RunnerRecord> = {}): RunnerRecord {
  return {
    id: `${name}-id`, name, address: '', uptimeMs: 1000, state: 'Slave', mode: 'Active', target: 'Start', services: [],
    promoted: false, stopped: false, failCount: 0, lastFailureAt: -Infinity, lastFailureReason: '', lastFailureOutput: [],
    lastSeen: 10_000, firstSeen: 0, disconnectedSince: -Infinity, lastNamedSentAt: -Infinity, holdUntil: -Infinity, appliedUpdateMs: 0, lastMasterClaimAt: -Infinity, lastMasterClaimAnswering: -Infinity, claimWithdrawnAt: -Infinity, ...over,
  };
}
const failed = (service: string, at: number): Partial<RunnerRecord> => ({ lastFailureAt: at, lastFailureReason: `service ${service} failed: ${service}: promote exited with code 1` });

test('every runner failed the same service since `since`: halt, naming it and them', () => {
  expect(failoverHalt([runner('b', failed('10-vip', 9000)), runner('a', failed('10-vip', 8000))], 5000)).toEqual({ service: '10-vip', runners: ['a', 'b'] });
});

test('no halt: one runner healthy, different services, a failure older than `since`, or a single runner', () => {
  expect(failoverHalt([runner('a', failed('10-vip', 9000)), runner('b')], 5000)).toBeNull();
  expect(failoverHalt([runner('a', failed('10-vip', 9000)), runner('b', failed('50-db', 9000))], 5000)).toBeNull();
  expect(failoverHalt([runner('a', failed('10-vip', 9000)), runner('b', failed('10-vip', 4000))], 5000)).toBeNull();
  expect(failoverHalt([runner('a', failed('10-vip', 9000))], 5000)).toBeNull();
  // A Disconnected or stopped runner is out of reach: the others decide.
  expect(failoverHalt([runner('a', failed('10-vip', 9000)), runner('b', failed('10-vip', 9000)), runner('c', { state: 'Disconnected' })], 5000))
    .toEqual({ service: '10-vip', runners: ['a', 'b'] });
});

test('each reason a runner is not electable', () => {
  expect(runnerBlocker(runner('a'), 10_000, 60_000)).toBe('');
  expect(runnerBlocker(runner('a', { state: 'Disconnected', lastSeen: 4000 }), 10_000, 60_000)).toBe('Disconnected: not heard for 6 s');
  expect(runnerBlocker(runner('a', { state: 'Failed', ...failed('10-vip', 9000) }), 10_000, 60_000)).toMatch(/^Failed \(service 10-vip failed/);
  expect(runnerBlocker(runner('a', { stopped: true, state: 'Stopped' }), 10_000, 60_000)).toMatch(/stopped by hand/);
  expect(runnerBlocker(runner('a', { state: 'Live', services: [{ name: '50-db', state: 'Starting' }] }), 10_000, 60_000)).toBe('Live: services not promotable yet (50-db:Starting)');
  expect(runnerBlocker(runner('a', failed('10-vip', 9000)), 10_000, 60_000)).toBe('failed 1 s ago; electable again in 59 s (failure_promotion_timeout)');
});
