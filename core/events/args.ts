/**
 * Arguments of the admin command `events` (`koi events`):
 *
 *     events [NODE] [since=DURATION|TIME] [after=SEQ] [tail=N] [limit=N]
 *
 * `since` is a duration back from the answering node's clock (`10m`, `1h30m`,
 * `2d`) or a time (`2026-11-26T17:00:00Z`, anything Date.parse reads);
 * `after` a sequence number of that node; `tail` keeps the newest N;
 * `limit` caps the answer (the client pages with `after`).
 */
import { DurationSyntaxError, parseDuration } from '../config/durations';

export interface EventArgs {
  /** The node named (routing), if any. */
  node?: string;
  /** Wall time in ms since the epoch. */
  since?: number;
  after?: number;
  tail?: number;
  limit?: number;
}

const DAY_MS = 24 * 3_600_000;

/** Milliseconds of a `since` duration, or null when it is not one. */
function durationMs(text: string): number | null {
  const days = /^(\d+(?:\.\d+)?)d$/i.exec(text);
  if (days) return Math.round(Number(days[1]) * DAY_MS);
  try {
    return parseDuration(text);
  } catch (err) {
    if (err instanceof DurationSyntaxError) return null;
    throw err;
  }
}

/** Parse `since` against `nowMs` (wall clock); throws Error with a usage message. */
export function parseSince(text: string, nowMs: number): number {
  const ms = durationMs(text);
  if (ms !== null) return nowMs - ms;
  const time = Date.parse(text);
  if (!Number.isNaN(time)) return time;
  throw new Error(`since: '${text}' is neither a duration (10m, 1h30m, 2d) nor a time (2026-11-26T17:00:00Z)`);
}

function count(name: string, value: string): number {
  if (!/^\d+$/.test(value)) throw new Error(`${name}: '${value}' is not a whole number`);
  return Number(value);
}

/** Parse the arguments; throws Error with what is wrong. */
export function parseEventArgs(args: readonly string[], nowMs: number): EventArgs {
  const out: EventArgs = {};
  args.forEach((arg, i) => {
    const eq = arg.indexOf('=');
    if (eq < 0) {
      if (i !== 0) throw new Error(`unexpected '${arg}': write since=, after=, tail= or limit= (NODE comes first)`);
      out.node = arg;
      return;
    }
    const key = arg.slice(0, eq);
    const value = arg.slice(eq + 1);
    switch (key) {
      case 'since': out.since = parseSince(value, nowMs); break;
      case 'after': out.after = count('after', value); break;
      case 'tail': out.tail = count('tail', value); break;
      case 'limit': out.limit = Math.max(1, count('limit', value)); break;
      default: throw new Error(`unknown argument '${key}=': write since=, after=, tail= or limit=`);
    }
  });
  return out;
}
