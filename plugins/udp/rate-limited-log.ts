/** Logs a given problem (by key, e.g. destination + error code) at most once per interval, counting the rest. */
import type { Clock, Logger } from '../../plugin-api';

export type RateLimitedLog = (level: 'warn' | 'error', key: string, fields: Record<string, unknown>, msg: string) => void;

export function createRateLimitedLog(logger: Logger, clock: Pick<Clock, 'now'>, intervalMs = 10_000, maxKeys = 1024): RateLimitedLog {
  const last = new Map<string, { at: number; suppressed: number }>();
  return (level, key, fields, msg) => {
    const now = clock.now();
    const seen = last.get(key);
    if (seen && now - seen.at < intervalMs) {
      seen.suppressed++;
      return;
    }
    if (!seen && last.size >= maxKeys) last.delete(last.keys().next().value as string);
    last.set(key, { at: now, suppressed: 0 });
    const suppressed = seen?.suppressed ?? 0;
    logger[level]({ ...fields, suppressed }, suppressed > 0 ? `${msg} (${suppressed} more since the last report)` : msg);
  };
}
