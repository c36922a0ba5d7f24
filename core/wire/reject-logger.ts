/**
 * Rate-limited warnings for dropped datagrams: at most one per source address
 * per interval, naming the source and the reason, with the number of
 * datagrams from that source suppressed since the last warning. Duplicates
 * (normal with redundant links) and own datagrams (multicast loopback) are
 * only counted by the codec, never warned.
 */
import type { Clock, Logger } from '../../plugin-api';
import type { DecodeResult, RejectReason } from './types';

export const DEFAULT_REJECT_LOG_INTERVAL_MS = 10_000;
const QUIET: ReadonlySet<RejectReason> = new Set<RejectReason>(['duplicate', 'own-message']);
/** Sources remembered at most (a flood of spoofed sources must not grow memory without bound). */
const MAX_SOURCES = 1024;

interface SourceState {
  lastWarn: number;
  suppressed: number;
}

export type RejectLogger = (result: DecodeResult, from: string) => void;

export function createRejectLogger(logger: Logger, clock: Clock, options: { intervalMs?: number } = {}): RejectLogger {
  const intervalMs = options.intervalMs ?? DEFAULT_REJECT_LOG_INTERVAL_MS;
  const sources = new Map<string, SourceState>();
  return (result, from) => {
    if (result.ok || QUIET.has(result.reason)) return;
    const now = clock.now();
    const state = sources.get(from);
    if (state && now - state.lastWarn < intervalMs) {
      state.suppressed++;
      return;
    }
    if (!state && sources.size >= MAX_SOURCES) {
      for (const [key, s] of sources) if (now - s.lastWarn >= intervalMs) sources.delete(key);
      if (sources.size >= MAX_SOURCES) sources.delete(sources.keys().next().value as string);
    }
    const suppressed = state?.suppressed ?? 0;
    sources.set(from, { lastWarn: now, suppressed: 0 });
    logger.warn(
      { source: from, reason: result.reason, detail: result.detail, suppressed },
      `dropped datagram from ${from}: ${result.reason} (${result.detail})` +
        (suppressed > 0 ? `; ${suppressed} more from this source dropped in the last ${Math.round((now - (state?.lastWarn ?? now)) / 1000)} s` : ''),
    );
  };
}
