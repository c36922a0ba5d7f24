/**
 * The stall guard (docs/safety.md R6): every entry point of a node (timer
 * or datagram) first asks it whether the loop stalled since the last entry.
 * Two clocks are compared, because either can freeze:
 * - a SIGSTOP, a long GC or an overloaded machine leaves a gap in the
 *   monotonic clock;
 * - a VM pause (KVM stop/cont, live-migration blackout) freezes the
 *   monotonic clock too, so only the wall clock shows the time that passed.
 *   Wall time that passed without monotonic time is "frozen" time: the
 *   master's lease, which runs on the monotonic clock, is shortened by it.
 * A forward step of the wall clock looks exactly like a VM pause and is
 * treated as one (the safe reading; docs/safety.md says what it costs).
 */
import type { Clock } from '../../plugin-api';

export interface Stall {
  /** The longest gap either clock saw since the previous entry, ms. */
  gapMs: number;
  /** Wall-clock time that passed while the monotonic clock did not, ms (0 when none beyond the threshold). */
  frozenMs: number;
}

export class StallGuard {
  private lastMono: number;
  private lastWall: number;

  constructor(private readonly clock: Clock) {
    this.lastMono = clock.now();
    this.lastWall = clock.wallNow();
  }

  /** Restart measuring now (after start-up, before the first timer). */
  reset(): void {
    this.lastMono = this.clock.now();
    this.lastWall = this.clock.wallNow();
  }

  /** Called at every entry: the stall since the previous entry when either clock's gap exceeds `thresholdMs`, else null. */
  check(thresholdMs: number): Stall | null {
    const mono = this.clock.now();
    const wall = this.clock.wallNow();
    const monoGap = mono - this.lastMono;
    const wallGap = wall - this.lastWall;
    this.lastMono = mono;
    this.lastWall = wall;
    const frozen = wallGap - monoGap;
    if (monoGap <= thresholdMs && frozen <= thresholdMs) return null;
    return { gapMs: Math.max(monoGap, wallGap), frozenMs: frozen > thresholdMs ? frozen : 0 };
  }
}

/**
 * The largest loop gap that goes unnoticed: two heartbeat intervals (the
 * cluster timer fires every interval, so one late timer is not a stall).
 * docs/safety.md: lease_margin must cover two such gaps (one delaying the
 * receipt of a renewal, one delaying the lease check) plus message delay
 * and clock-rate error — checked at start by cluster-check.ts.
 */
export function stallThresholdMs(clusterUpdateIntervalMs: number): number {
  return 2 * clusterUpdateIntervalMs;
}
