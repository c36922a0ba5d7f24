/**
 * One place for each fact in a log line (issue 12): a field whose value the
 * message already says is not repeated after it, and measured numbers carry
 * no false precision.
 */
import { formatRecord, formatSeconds } from '../../../core/logging/format';
import type { LogRecord } from '../../../plugin-api';

const line = (fields: Record<string, unknown>, msg: string): string =>
  formatRecord({ level: 'info', time: 0, msg, component: 'runner', ...fields } as LogRecord, { color: false, time: false });

test('fields the message already says are dropped; the others stay', () => {
  expect(line({ from: 'Slave', to: 'Master', reason: 'leader n1 names this node master' }, 'Transition[Slave -> Master]: leader n1 names this node master'))
    .toBe('INFO  [runner] Transition[Slave -> Master]: leader n1 names this node master');
  expect(line({ from: 'Slave', pgid: 4242 }, 'stopping')).toBe('INFO  [runner] stopping from=Slave pgid=4242');
});

test('numbers are rounded: no durationMs=3084.0796230000005', () => {
  expect(line({ durationMs: 3084.0796230000005 }, 'promote finished')).toBe('INFO  [runner] promote finished durationMs=3084');
  expect(line({ ratio: 1.23456 }, 'x')).toBe('INFO  [runner] x ratio=1.23');
});

test('durations for humans', () => {
  expect([850, 2500, 40_000, 600_000, 150_000].map(formatSeconds)).toEqual(['850 ms', '2.5 s', '40 s', '10 min', '2 min 30 s']);
});
