/**
 * Rate-limited warnings for dropped datagrams, bounded in log volume and
 * memory whatever a flood looks like:
 *
 * - keyed by source **address** (the port stripped): rotating source ports
 *   is free for an attacker and must not buy a new warning each time;
 * - at most one warning per address per interval (10 s), naming the source,
 *   the reason and how many more from that address were dropped meanwhile;
 * - a global budget (token bucket: BURST lines, then one per
 *   1000/LINES_PER_SECOND ms) across all addresses, so a flood from many
 *   addresses (spoofed, IPv6 /64s) costs at most a few lines a second; what
 *   the budget swallowed is counted and reported on the next line that is
 *   written ("N more dropped from M other addresses without a warning");
 * - at most MAX_SOURCES addresses remembered (oldest forgotten first).
 *
 * Duplicates (normal with redundant links) and own datagrams (multicast
 * loopback) are only counted by the codec, never warned.
 */
import type { Clock, Logger } from '../../plugin-api';
import type { DecodeResult, RejectReason } from './types';

export const DEFAULT_REJECT_LOG_INTERVAL_MS = 10_000;
/** Global warning budget: a burst of this many lines… */
export const REJECT_LOG_BURST = 5;
/** …then this many lines per second at most. */
export const REJECT_LOG_LINES_PER_SECOND = 1;
const QUIET: ReadonlySet<RejectReason> = new Set<RejectReason>(['duplicate', 'own-message']);
/** Addresses remembered at most (a flood of spoofed sources must not grow memory without bound). */
export const MAX_SOURCES = 1024;
/** Distinct addresses counted in the "without a warning" summary (beyond: "at least"). */
const MAX_COUNTED_ADDRESSES = 4096;

interface SourceState {
  lastWarn: number;
  suppressed: number;
}

export type RejectLogger = (result: DecodeResult, from: string) => void;

export interface RejectLoggerOptions {
  intervalMs?: number;
  burst?: number;
  linesPerSecond?: number;
}

/** `10.0.0.1:42012` → `10.0.0.1`, `[fe80::1%eth0]:42012` → `fe80::1%eth0`; anything else unchanged. */
export function sourceAddress(from: string): string {
  const v6 = /^\[(.*)\]:\d+$/.exec(from);
  if (v6) return v6[1];
  const v4 = /^(\d{1,3}(?:\.\d{1,3}){3}):\d+$/.exec(from);
  return v4 ? v4[1] : from;
}

export function createRejectLogger(logger: Logger, clock: Clock, options: RejectLoggerOptions = {}): RejectLogger {
  const intervalMs = options.intervalMs ?? DEFAULT_REJECT_LOG_INTERVAL_MS;
  const burst = options.burst ?? REJECT_LOG_BURST;
  const refillMs = 1000 / (options.linesPerSecond ?? REJECT_LOG_LINES_PER_SECOND);
  const sources = new Map<string, SourceState>();
  let tokens = burst;
  let refilledAt = clock.now();
  // Dropped while the global budget was empty (not attributed to a remembered address).
  let unlogged = 0;
  const unloggedAddresses = new Set<string>();
  let unloggedSince = 0;

  const takeToken = (now: number): boolean => {
    const earned = Math.floor((now - refilledAt) / refillMs);
    if (earned > 0) {
      tokens = Math.min(burst, tokens + earned);
      refilledAt = tokens === burst ? now : refilledAt + earned * refillMs;
    }
    if (tokens < 1) return false;
    tokens--;
    return true;
  };

  return (result, from) => {
    if (result.ok || QUIET.has(result.reason)) return;
    const now = clock.now();
    const address = sourceAddress(from);
    const state = sources.get(address);
    if (state && now - state.lastWarn < intervalMs) {
      state.suppressed++;
      return;
    }
    if (!takeToken(now)) {
      if (unlogged === 0) unloggedSince = now;
      unlogged++;
      if (unloggedAddresses.size < MAX_COUNTED_ADDRESSES) unloggedAddresses.add(address);
      return;
    }
    if (!state && sources.size >= MAX_SOURCES) {
      for (const [key, s] of sources) if (now - s.lastWarn >= intervalMs) sources.delete(key);
      if (sources.size >= MAX_SOURCES) sources.delete(sources.keys().next().value as string);
    }
    const suppressed = state?.suppressed ?? 0;
    sources.delete(address); // re-insert: the map's order is oldest warning first
    sources.set(address, { lastWarn: now, suppressed: 0 });
    const others = unlogged;
    const otherAddresses = unloggedAddresses.size;
    let text = `dropped datagram from ${from}: ${result.reason} (${result.detail})`;
    if (suppressed > 0) text += `; ${suppressed} more from ${address} dropped in the last ${Math.round((now - (state?.lastWarn ?? now)) / 1000)} s`;
    if (others > 0) {
      const count = otherAddresses >= MAX_COUNTED_ADDRESSES ? `at least ${otherAddresses}` : String(otherAddresses);
      text += `; ${others} more dropped from ${count} address${otherAddresses === 1 ? '' : 'es'} without a warning in the last ${Math.max(1, Math.round((now - unloggedSince) / 1000))} s (log rate limit)`;
      unlogged = 0;
      unloggedAddresses.clear();
    }
    logger.warn({ source: from, address, reason: result.reason, detail: result.detail, suppressed, unlogged: others }, text);
  };
}
