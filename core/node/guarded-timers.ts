/**
 * The node's own timers, each entering through the stall guard (R6) and telling it how late it ran. A timer
 * knows when it was due, so the guard can tell how long the loop stood idle after that (its idle stretches
 * between entries), however long the heartbeat interval: the gap between two entries alone tells a stall from
 * a quiet loop only above the longest quiet wait (an interval + S), a late timer above S (safety-bounds.ts
 * `stallBoundMs`). Lateness is reckoned from the
 * clock's reading when the timer was armed (a repeating timer: when it last ran, as Node re-arms an interval
 * from its callback), so it is never overstated; what a timer ran early by (coarse clocks) counts as none.
 */
import type { Clock, TimerHandle } from '../../plugin-api';

/** What a component arms timers with (Clock's timer half). */
export type TimerSource = Pick<Clock, 'setTimeout' | 'setInterval' | 'clear'>;

export class GuardedTimers implements TimerSource {
  /** `enter` runs a callback through the stall guard; `lateMs` is how long after its due time it ran. */
  constructor(private readonly clock: Clock, private readonly enter: (fn: () => void, lateMs: number) => void) {}

  setTimeout(fn: () => void, ms: number): TimerHandle {
    const due = this.clock.now() + ms;
    return this.clock.setTimeout(() => this.enter(fn, this.clock.now() - due), ms);
  }

  setInterval(fn: () => void, ms: number): TimerHandle {
    let due = this.clock.now() + ms;
    return this.clock.setInterval(() => {
      const now = this.clock.now();
      const late = now - due;
      due = now + ms;
      this.enter(fn, late);
    }, ms);
  }

  clear(handle: TimerHandle | undefined): void {
    this.clock.clear(handle);
  }
}
