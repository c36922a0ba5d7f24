/**
 * How much time this node's monotonic clock lost since a given moment (R3,
 * docs/safety.md): a lease end the leader computed from one of this node's
 * heartbeats assumes the clock ran on since it, and a VM pause froze it.
 *
 * Measured, not thresholded: `wall − monotonic` changes only when the
 * monotonic clock stood still while the wall clock ran (a VM pause) or the
 * wall clock was stepped (NTP slews both clocks alike). The stall guard
 * notes it at every entry of the node, and adds the freezes only the peers
 * witnessed (a pause hidden by a wall clock stepped back); the ledger keeps
 * every change, so many short pauses — each below the stall threshold — add
 * up here instead of going unseen (a review found that sum missing). A
 * forward step of the wall clock counts as lost time: a lease ends early,
 * never late.
 */
import type { Clock } from '../../plugin-api';

/** Changes remembered at most; a moment older than the oldest one forgotten is not answered. */
const MAX_RECORDS = 256;
/** How far back the ledger answers at most. */
export const FROZEN_TIME_MEMORY_MS = 10 * 60_000;
/** `Date.now()` is whole milliseconds: smaller changes are its rounding, and every answer adds one. */
const RESOLUTION_MS = 1;

export class FrozenTimeLedger {
  /** From `at` on (monotonic), time lost so far was `lost` (wall − monotonic + witnessed, from the start). */
  private records: Array<{ at: number; lost: number }>;
  /** Peer-witnessed frozen time added so far. */
  private witnessed = 0;
  /** Moments before this are not answered (their records were dropped). */
  private coveredFrom: number;

  constructor(private readonly clock: Clock) {
    const now = clock.now();
    this.records = [{ at: now, lost: clock.wallNow() - now }];
    this.coveredFrom = now;
  }

  /** The clocks as they read now (every entry of the node). */
  note(): void {
    const now = this.clock.now();
    const lost = this.clock.wallNow() - now + this.witnessed;
    const last = this.records[this.records.length - 1];
    if (Math.abs(lost - last.lost) <= RESOLUTION_MS) return;
    this.records.push({ at: now, lost });
    this.trim(now);
  }

  /** Frozen time the peers' clocks revealed and the wall clock did not (StallGuard.peerBeat). */
  addWitnessed(ms: number): void {
    this.witnessed += ms;
    this.note();
  }

  /**
   * Time this clock lost since it read `at` (ms, ≥ 0, rounded up), or null when the ledger no longer reaches
   * back that far. A moment is answered with the record in force then: a change noted at the very entry of
   * `at` counts as after it (the safe reading).
   */
  lostSince(at: number): number | null {
    if (at < this.coveredFrom) return null;
    this.note();
    let before = this.records[0];
    for (const r of this.records) {
      if (r.at >= at) break;
      before = r;
    }
    // Now as read now (a record may be up to RESOLUTION_MS behind it); the record in force at `at` is never
    // above what was lost by then, as lost time only grows (a wall clock stepped back is the peers' to find).
    const lostNow = this.clock.wallNow() - this.clock.now() + this.witnessed;
    return Math.max(0, lostNow - before.lost) + RESOLUTION_MS;
  }

  private trim(now: number): void {
    while (this.records.length > MAX_RECORDS || (this.records.length > 1 && now - this.records[1].at > FROZEN_TIME_MEMORY_MS)) {
      this.records.shift();
      this.coveredFrom = this.records[0].at;
    }
  }
}
