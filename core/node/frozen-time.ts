/**
 * How much time this node's monotonic clock lost since a given moment (R3,
 * docs/safety.md): a lease end the leader computed from one of this node's
 * heartbeats assumes the clock ran on since it, and a VM pause froze it.
 *
 * Measured, not thresholded: `wall − monotonic` changes only when the
 * monotonic clock stood still while the wall clock ran (a VM pause whose
 * guest steps its wall clock on resume, as kvmclock and guest agents do) or
 * the wall clock was stepped (NTP slews both clocks alike). The stall guard
 * notes it at every entry of the node, and adds the freezes only the peers
 * witnessed (a pause the wall clock did not show); every rise is kept, so
 * many short pauses — each below the stall threshold — add up here instead
 * of going unseen, and a step back cancels none of them (two reviews found
 * each). A forward step of the wall clock counts as lost time: a lease ends
 * early, never late.
 */
import type { Clock } from '../../plugin-api';

/** Changes remembered at most; a moment older than the oldest one forgotten is not answered. */
const MAX_RECORDS = 256;
/** How far back the ledger answers at most. */
export const FROZEN_TIME_MEMORY_MS = 10 * 60_000;
/** `Date.now()` is whole milliseconds: changes this small are its rounding, and every answer adds one. */
const RESOLUTION_MS = 1;

export class FrozenTimeLedger {
  /** `wall − monotonic` when a change was last counted (or stepped back): changes within RESOLUTION_MS of it are rounding. */
  private skew: number;
  /** Time lost so far: every rise of `wall − monotonic`, plus what the peers witnessed. Only ever grows. */
  private total = 0;
  /** From `at` on (monotonic), `total` was as given. */
  private records: Array<{ at: number; total: number }>;
  /** Moments before this are not answered — nor this one once records were dropped (its change may be after it). */
  private coveredFrom: number;
  private trimmed = false;

  constructor(private readonly clock: Clock) {
    const now = clock.now();
    this.skew = clock.wallNow() - now;
    this.records = [{ at: now, total: 0 }];
    this.coveredFrom = now;
  }

  /**
   * The clocks as they read now (every entry of the node); returns the frozen time found since the last note.
   * A wall clock stepped back takes nothing back (it would cancel pauses counted before): it only moves the
   * point later rises are counted from — a pause it hides in the same gap is the peers' to witness.
   */
  note(now = this.clock.now(), wall = this.clock.wallNow()): number {
    const skew = wall - now;
    const rise = skew - this.skew;
    if (rise < -RESOLUTION_MS) this.skew = skew;
    if (rise <= RESOLUTION_MS) return 0;
    this.skew = skew;
    this.add(rise, now);
    return rise;
  }

  /**
   * All the time lost so far (ms; only ever grows): the difference of two readings is what was lost between
   * them — exactly, however close together, where `lostSince` answers by time.
   */
  lostSoFar(): number {
    this.note();
    return this.total;
  }

  /** Frozen time the peers' clocks revealed and the wall clock did not (StallGuard.peerBeat). */
  addWitnessed(ms: number): void {
    this.add(ms, this.clock.now());
  }

  /**
   * Time this clock lost since it read `at` (ms, rounded up), or null when the ledger no longer reaches back
   * that far. A change noted at the very entry of `at` counts as after it (the safe reading).
   */
  lostSince(at: number): number | null {
    if (at < this.coveredFrom || (this.trimmed && at <= this.coveredFrom)) return null;
    this.note();
    let before = this.records[0];
    for (const r of this.records) {
      if (r.at >= at) break;
      before = r;
    }
    return this.total - before.total + RESOLUTION_MS;
  }

  private add(ms: number, now: number): void {
    this.total += ms;
    this.records.push({ at: now, total: this.total });
    while (this.records.length > MAX_RECORDS || (this.records.length > 1 && now - this.records[1].at > FROZEN_TIME_MEMORY_MS)) {
      this.records.shift();
      this.coveredFrom = this.records[0].at;
      this.trimmed = true;
    }
  }
}
