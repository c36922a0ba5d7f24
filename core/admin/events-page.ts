/**
 * One page of `events` for an admin answer. Answers travel in one datagram
 * (1472 bytes sealed, deflated: core/wire/codec.ts), so a page holds as many
 * of the oldest matching events as fit; the client asks again with
 * `after=<last seq>`. An event that would not fit alone is sent with its
 * script output cut (the journal keeps it whole).
 */
import { deflateRawSync } from 'node:zlib';
import type { ClusterEvent } from '../../plugin-api';

/** Deflated bytes of the events JSON in one answer (room left for the envelope, cipher and the other fields). */
export const EVENTS_ANSWER_BYTES = 900;

/** Events considered for one page (far more than fit: a page holds a few dozen at best). */
export const EVENTS_PAGE_CANDIDATES = 200;

const packed = (events: readonly ClusterEvent[]): number => deflateRawSync(JSON.stringify(events)).length;

/** An event small enough to travel alone: long strings cut, script output reduced to its last lines. */
function shrink(event: ClusterEvent): ClusterEvent {
  const cut = (s: string, n: number): string => (s.length > n ? `${s.slice(0, n)}…` : s);
  const data: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(event.data)) {
    if (typeof value === 'string') data[key] = cut(value, 200);
    else if (Array.isArray(value)) data[key] = value.slice(-3).map((v) => (typeof v === 'string' ? cut(v, 120) : v));
    else data[key] = value;
  }
  return { ...event, message: cut(event.message, 300), data: { ...data, truncated: true } };
}

/** The longest prefix of `events` whose JSON deflates to at most `budget` bytes (at least one event, shrunk if needed). */
export function fitEvents(events: readonly ClusterEvent[], budget: number): ClusterEvent[] {
  if (events.length === 0) return [];
  if (packed(events) <= budget) return [...events];
  let lo = 1;
  let hi = events.length - 1;
  if (packed(events.slice(0, 1)) > budget) return [shrink(events[0])];
  // Invariant: the first lo events fit; more than hi do not.
  while (lo < hi) {
    const mid = Math.ceil((lo + hi) / 2);
    if (packed(events.slice(0, mid)) <= budget) lo = mid;
    else hi = mid - 1;
  }
  return events.slice(0, lo);
}
