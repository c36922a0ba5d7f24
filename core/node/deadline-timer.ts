/**
 * A one-shot timer for "act at this instant" (the end of a wait that held
 * the election, the leader election's deadline): one per purpose, a later
 * instant replaces an earlier one, asking again for the same instant keeps
 * the timer. Set a millisecond late, because timers round their delay down;
 * the callback gets the instant it was set for and checks for itself whether
 * it is still owed (and due: a coarse loop clock may fire it early).
 */
import type { Clock, TimerHandle } from '../../plugin-api';
import type { TimerSource } from './guarded-timers';

export class DeadlineTimer {
  private handle: TimerHandle | undefined;
  private at: number | undefined;

  /** `timers` guards the callback as every entry point is guarded (the stall guard first: GuardedTimers). */
  constructor(
    private readonly clock: Clock,
    private readonly timers: TimerSource,
    private readonly fire: (at: number) => void,
  ) {}

  set(at: number): void {
    if (this.handle !== undefined && this.at === at) return;
    this.clear();
    this.at = at;
    this.handle = this.timers.setTimeout(() => {
      this.handle = undefined;
      this.at = undefined;
      this.fire(at);
    }, Math.max(0, Math.ceil(at - this.clock.now())) + 1);
  }

  clear(): void {
    this.timers.clear(this.handle);
    this.handle = undefined;
    this.at = undefined;
  }
}
