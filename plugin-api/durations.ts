/**
 * Durations as written in koi.conf (SPEC §7): a bare number is milliseconds;
 * a number may carry a unit `ms`, `s`, `m` or `h`; units may be chained
 * (`1m30s`). Fractions are allowed (`1.5s`) and the result is rounded to whole
 * milliseconds.
 */
import { ErrorCode, KoiError } from './errors';

/** A duration text that cannot be read. */
export class DurationSyntaxError extends KoiError {
  constructor(readonly input: string, detail: string) {
    super(ErrorCode.DURATION, `"${input}" is not a duration (${detail}); write e.g. 500, 250ms, 1.5s, 2m or 1h`);
  }
}

const UNIT_MS: Readonly<Record<string, number>> = { ms: 1, s: 1_000, m: 60_000, h: 3_600_000 };

/** One `<number><unit?>` component; the unit is optional only for a lone bare number. */
const COMPONENT = /(\d+(?:\.\d+)?|\.\d+)(ms|s|m|h)?/y;

/**
 * Parse a duration to milliseconds. A finite non-negative number is taken
 * as milliseconds as it is (JSON/YAML sources).
 */
export function parseDuration(input: string | number): number {
  if (typeof input === 'number') {
    if (!Number.isFinite(input) || input < 0) throw new DurationSyntaxError(String(input), 'must be a finite number ≥ 0');
    return Math.round(input);
  }
  const text = input.trim().toLowerCase();
  if (text === '') throw new DurationSyntaxError(input, 'empty');
  let total = 0;
  let pos = 0;
  let components = 0;
  let sawBare = false;
  while (pos < text.length) {
    COMPONENT.lastIndex = pos;
    const match = COMPONENT.exec(text);
    if (!match) throw new DurationSyntaxError(input, `unexpected "${text.slice(pos)}"`);
    const [whole, amount, unit] = match;
    if (unit === undefined) sawBare = true;
    total += Number(amount) * UNIT_MS[unit ?? 'ms'];
    pos += whole.length;
    components += 1;
  }
  // "1m30" is ambiguous (30 what?): a bare number must stand alone.
  if (sawBare && components > 1) throw new DurationSyntaxError(input, 'every part of a combined duration needs a unit');
  if (!Number.isFinite(total)) throw new DurationSyntaxError(input, 'too large');
  return Math.round(total);
}

/** Format milliseconds with the largest unit that divides them (`90000` → `90s`, `1800000` → `30m`). */
export function formatDuration(ms: number): string {
  if (ms === 0) return '0';
  for (const [unit, size] of [['h', 3_600_000], ['m', 60_000], ['s', 1_000]] as const) {
    if (ms % size === 0) return `${ms / size}${unit}`;
  }
  if (ms >= 1_000 && (ms * 10) % 1_000 === 0) return `${ms / 1_000}s`;
  return `${ms}ms`;
}
