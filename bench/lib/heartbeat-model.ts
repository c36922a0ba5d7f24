/**
 * The pure parts of `npm run bench:heartbeat` (bench/heartbeat.ts): the
 * defaults slowed down to another heartbeat interval, and the fit of idle CPU
 * against that interval.
 *
 * Idle CPU is modelled as `floor + perBeat / interval`: a part paid whatever
 * the heartbeat (timers of services, the runtime's own threads) and a part
 * paid once per heartbeat round (a leader's heartbeat sent and its answers
 * received, a follower's heartbeat received and answered, the ticks). The
 * fit tells which interval a CPU target needs with today's code, and how
 * much cheaper a round must get to meet it at a given interval.
 */
import { TIME_DEFAULTS, type TimeKey } from '../../core/config/timing-defaults';

/**
 * The `time` keys whose defaults are counted in heartbeats (they keep their ratio to
 * `cluster_update_interval` when it is slowed down). The others (status checks, recovery,
 * `initial_promotion_delay`, `elector_gone_time`, `quorum_demote_time`) are not tied to the heartbeat.
 */
export const HEARTBEAT_SCALED_KEYS: readonly TimeKey[] = [
  'cluster_update_interval',
  'elector_tick_interval',
  'runner_tick_interval',
  'state_update_interval',
  'leader_dead_time',
  'master_dead_time',
  'node_timeout',
  'master_lease',
  'lease_margin',
  'elector_startup_tolerance',
  'elector_lost_time',
];

/**
 * A profile's timings (every key in ms) with every heartbeat-counted key multiplied by
 * `intervalMs / cluster_update_interval`, as koi.conf text: the same relations (so koinode's start-up checks
 * pass) and a failover about as many times slower (the promote script's own time does not scale). What does
 * not scale is derived in code: a follower's heartbeat to every peer (peerRefreshSpacingMs, bounded by the
 * default node_timeout) goes every 3rd heartbeat at 50 ms, every heartbeat from 200 ms.
 */
export function slowDown(timeMs: Readonly<Record<TimeKey, number>>, intervalMs: number): Record<string, string> {
  const factor = intervalMs / timeMs.cluster_update_interval;
  return Object.fromEntries(HEARTBEAT_SCALED_KEYS.map((key) => [key, `${Math.round(timeMs[key] * factor)}ms`]));
}

export interface CpuPoint {
  intervalMs: number;
  /** % of a core. */
  cpuPct: number;
}

export interface InverseFit {
  /** % of a core paid whatever the interval. */
  floorPct: number;
  /** CPU milliseconds per heartbeat round (the slope against 1/interval, from % to a fraction). */
  perBeatMs: number;
  /** Coefficient of determination of the fit (1 = every point on the curve). */
  r2: number;
}

/** Least-squares fit of `cpuPct = floorPct + 100 · perBeatMs / intervalMs` (at least two distinct intervals). */
export function fitInverse(points: readonly CpuPoint[]): InverseFit {
  const xs = points.map((p) => 1 / p.intervalMs);
  const ys = points.map((p) => p.cpuPct);
  const n = points.length;
  const mx = xs.reduce((s, x) => s + x, 0) / n;
  const my = ys.reduce((s, y) => s + y, 0) / n;
  const sxx = xs.reduce((s, x) => s + (x - mx) ** 2, 0);
  if (n < 2 || sxx === 0) throw new Error('fitInverse: needs CPU at two or more different heartbeat intervals');
  const slope = xs.reduce((s, x, i) => s + (x - mx) * (ys[i] - my), 0) / sxx;
  const floorPct = my - slope * mx;
  const ssTot = ys.reduce((s, y) => s + (y - my) ** 2, 0);
  const ssRes = ys.reduce((s, y, i) => s + (y - (floorPct + slope * xs[i])) ** 2, 0);
  return { floorPct, perBeatMs: slope / 100, r2: ssTot === 0 ? 1 : 1 - ssRes / ssTot };
}

/** The fitted CPU at an interval, % of a core. */
export function cpuAt(fit: InverseFit, intervalMs: number): number {
  return fit.floorPct + (100 * fit.perBeatMs) / intervalMs;
}

/** The shortest heartbeat interval whose fitted CPU is within `targetPct`; Infinity when the floor alone exceeds it. */
export function intervalFor(fit: InverseFit, targetPct: number): number {
  return targetPct > fit.floorPct ? (100 * fit.perBeatMs) / (targetPct - fit.floorPct) : Infinity;
}

/** The CPU per heartbeat round (ms) that meets `targetPct` at `intervalMs`, with the same floor; ≤ 0 when the floor alone exceeds it. */
export function perBeatFor(fit: InverseFit, targetPct: number, intervalMs: number): number {
  return ((targetPct - fit.floorPct) * intervalMs) / 100;
}

/** What the runs themselves say about a target, whatever the fit: where every run met it, and where one missed it. */
export interface MeasuredBoundary {
  /** The shortest interval at which every run was within the target (and every run at every slower interval too); null when none. */
  metFrom: number | null;
  /** The longest interval at which a run exceeded the target; null when none did. */
  missedUpTo: number | null;
}

export function measuredBoundary(points: readonly CpuPoint[], targetPct: number): MeasuredBoundary {
  const missed = points.filter((p) => p.cpuPct > targetPct).map((p) => p.intervalMs);
  const missedUpTo = missed.length > 0 ? Math.max(...missed) : null;
  const met = [...new Set(points.map((p) => p.intervalMs))].filter((i) => missedUpTo === null || i > missedUpTo);
  return { metFrom: met.length > 0 ? Math.min(...met) : null, missedUpTo };
}
