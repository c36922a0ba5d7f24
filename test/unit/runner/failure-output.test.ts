/**
 * A failure's output is bounded so that a health report carrying it still
 * fits one default UDP datagram (1472 bytes) — the worst case: 8 lines of
 * 200 incompressible characters and many services.
 */
import { randomBytes } from 'node:crypto';
import { FAILURE_OUTPUT_WIRE_CHARS, fitOutput } from '../../../core/runner/failure-output';
import { OUTPUT_TAIL_CHARS, OUTPUT_TAIL_LINES, type HealthReport } from '../../../plugin-api';
import { codecPair } from '../wire/fixtures';

test('the newest lines that fit are kept, oldest dropped first', () => {
  expect(fitOutput(['aaaa', 'bbbb', 'cccc'], 8)).toEqual(['bbbb', 'cccc']);
  expect(fitOutput(['x'.repeat(20)], 8)).toEqual([]);
  expect(fitOutput([], 8)).toEqual([]);
});

test('a health report with the worst-case kept output still fits one default datagram', () => {
  const lines = Array.from({ length: OUTPUT_TAIL_LINES }, () => randomBytes(OUTPUT_TAIL_CHARS).toString('base64').slice(0, OUTPUT_TAIL_CHARS));
  const output = fitOutput(lines);
  expect(output.join('').length).toBeLessThanOrEqual(FAILURE_OUTPUT_WIRE_CHARS);
  expect(output.length).toBeGreaterThan(0);
  const report: HealthReport = {
    kind: 'health', name: 'node-with-a-long-name', state: 'Failed', mode: 'Active', uptimeMs: 123_456_789, target: 'Fail',
    services: Array.from({ length: 10 }, (_, i) => ({ name: `${10 + i}-service-${i}`, state: 'Failed' as const })),
    promoted: false, failCount: 3, lastFailureAgoMs: 1234,
    lastFailureReason: 'service 10-virtualip failed: 10-virtualip: promote exited with code 1', lastFailureOutput: output, stopped: false,
  };
  const { a, b } = codecPair();
  const datagram = a.encode(report);
  expect(datagram.length).toBeLessThanOrEqual(1472);
  const decoded = b.decode(datagram, '127.0.0.1:1');
  expect(decoded.ok && decoded.envelope.message).toMatchObject({ lastFailureOutput: output });
  // Unbounded, the same report would not fit: the bound is what makes it work.
  expect(() => a.encode({ ...report, lastFailureOutput: lines })).toThrow(/oversized|needs \d+ bytes/);
});
