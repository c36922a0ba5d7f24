/**
 * How much of a failing script's output travels with the failure. Health
 * reports and admin answers are single UDP datagrams (1472 bytes by
 * default, deflated): the output kept must never make a report too big to
 * send (the runner would look Disconnected) or crowd out an answer.
 */

/** Characters of output a failure carries in a health report: the newest lines that fit. */
export const FAILURE_OUTPUT_WIRE_CHARS = 600;

/** The newest lines of `lines` whose lengths add up to at most `maxChars` (oldest dropped first). */
export function fitOutput(lines: readonly string[], maxChars = FAILURE_OUTPUT_WIRE_CHARS): string[] {
  const kept: string[] = [];
  let total = 0;
  for (let i = lines.length - 1; i >= 0; i--) {
    total += lines[i].length;
    if (total > maxChars) break;
    kept.unshift(lines[i]);
  }
  return kept;
}
