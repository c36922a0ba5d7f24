/**
 * A node's own clock on top of the shared VirtualClock, with the clock and
 * process faults of the nemesis:
 *
 * - pause/resume (SIGSTOP/SIGCONT): time goes on, the node's timers do not
 *   run; on resume each timer that fell due runs once (an interval does not
 *   catch up), in the order it fell due;
 * - freeze/thaw (VM pause): the node is stopped AND its monotonic `now()`
 *   stands still; on thaw it goes on from where it stopped (so every timer
 *   fires the length of the pause later in shared time), while `wallNow()`
 *   has jumped forward by the pause;
 * - rate: `now()` runs at `rate` × shared time (drift, e.g. 1.005) and the
 *   node's timers fire by it;
 * - wall offset and steps: `wallNow()` = shared wall + offset (skew), and
 *   `stepWall(ms)` moves it (NTP step, operator).
 *
 * "Script" timers (`setScriptTimeout`) model the service scripts, separate
 * processes: they obey rate and VM freezes, but not SIGSTOP, and they
 * survive the death of koinode (a crashed daemon leaves its scripts running).
 */
import type { Clock, TimerHandle } from '../../plugin-api';
import type { VirtualClock } from '../../core/clock';

interface LocalTimer {
  id: number;
  /** Due time on this node's monotonic clock. */
  due: number;
  interval: number | null;
  fn: () => void;
  handle?: TimerHandle;
  /** A service script: runs while the daemon is SIGSTOPped or dead. */
  script: boolean;
}

export interface NodeClockOptions {
  /** Local ms per shared ms (1 = exact; 1.005 = 0.5 % fast). */
  rate?: number;
  /** Wall clock offset from the shared wall clock, ms. */
  wallOffsetMs?: number;
}

export class PausableClock implements Clock {
  private paused = false;
  private frozen = false;
  private dead = false;
  private rate: number;
  private wallOffset: number;
  /** now() = anchorLocal + (base.now() - anchorBase) × rate (while not frozen). */
  private anchorLocal: number;
  private anchorBase: number;
  private readonly timers = new Map<number, LocalTimer>();
  private readonly queued: Array<{ id: number; fn: () => void }> = [];
  private readonly queuedIds = new Set<number>();
  private nextId = 1;

  constructor(private readonly base: VirtualClock, options: NodeClockOptions = {}) {
    this.rate = options.rate ?? 1;
    this.wallOffset = options.wallOffsetMs ?? 0;
    this.anchorLocal = base.now();
    this.anchorBase = base.now();
  }

  now(): number {
    if (this.frozen) return this.anchorLocal;
    if (this.rate === 1) return this.anchorLocal + (this.base.now() - this.anchorBase);
    return this.anchorLocal + (this.base.now() - this.anchorBase) * this.rate;
  }

  wallNow(): number {
    return this.base.wallNow() + this.wallOffset;
  }

  setTimeout(fn: () => void, ms: number): TimerHandle {
    return this.add(fn, Math.max(0, ms), null, false);
  }

  setInterval(fn: () => void, ms: number): TimerHandle {
    const every = Math.max(1, ms);
    return this.add(fn, every, every, false);
  }

  /** After everything already due at this instant (sim-network delivers each datagram as a timer of its own). */
  setImmediate(fn: () => void): TimerHandle {
    return this.add(fn, 0, null, false);
  }

  /** A timer of a service script (see the file comment). */
  setScriptTimeout(fn: () => void, ms: number): TimerHandle {
    return this.add(fn, Math.max(0, ms), null, true);
  }

  clear(handle: TimerHandle | undefined): void {
    if (!handle) return;
    const timer = this.timers.get(handle.id);
    if (timer) this.base.clear(timer.handle);
    this.timers.delete(handle.id);
    this.queuedIds.delete(handle.id);
  }

  get isPaused(): boolean {
    return this.paused || this.frozen;
  }

  get isFrozen(): boolean {
    return this.frozen;
  }

  get driftRate(): number {
    return this.rate;
  }

  get wallOffsetMs(): number {
    return this.wallOffset;
  }

  pause(): void {
    this.paused = true;
  }

  /**
   * Resume: what fell due while paused runs first, each timer a step of its own at this instant (promise
   * microtasks settle between them, as Node runs them after each callback), before anything scheduled later.
   */
  resume(): void {
    this.paused = false;
    this.runQueued();
  }

  /** VM pause: the monotonic clock stops and no timer (scripts included) runs. */
  freeze(): void {
    if (this.frozen || this.dead) return;
    this.anchorLocal = this.now();
    this.anchorBase = this.base.now();
    this.frozen = true;
    for (const timer of this.timers.values()) {
      this.base.clear(timer.handle);
      timer.handle = undefined;
    }
  }

  /** VM resume: the monotonic clock goes on from where it stood; the wall clock has jumped. */
  thaw(): void {
    if (!this.frozen) return;
    this.anchorBase = this.base.now();
    this.frozen = false;
    this.runQueued();
    this.rearmAll();
  }

  /** Change the rate from now on (drift). */
  setRate(rate: number): void {
    this.anchorLocal = this.now();
    this.anchorBase = this.base.now();
    this.rate = rate;
    if (!this.frozen) this.rearmAll();
  }

  /** Step the wall clock (± ms); the monotonic clock is untouched. */
  stepWall(ms: number): void {
    this.wallOffset += ms;
  }

  /** A crashed process: no daemon timer ever runs again (its service scripts finish). */
  kill(): void {
    this.dead = true;
    for (const timer of [...this.timers.values()]) {
      if (timer.script) continue;
      this.base.clear(timer.handle);
      this.timers.delete(timer.id);
    }
    this.queued.length = 0;
    this.queuedIds.clear();
  }

  /** Power off: nothing of this node runs again, scripts included. */
  powerOff(): void {
    this.kill();
    for (const timer of this.timers.values()) this.base.clear(timer.handle);
    this.timers.clear();
  }

  private runQueued(): void {
    for (const item of this.queued.splice(0)) {
      this.base.setTimeout(() => {
        if (!this.queuedIds.has(item.id)) return; // cleared, or the process died
        if (this.paused || this.frozen) {
          this.queued.push(item); // stopped again before it ran
          return;
        }
        this.queuedIds.delete(item.id);
        item.fn();
      }, 0);
    }
  }

  private add(fn: () => void, delay: number, interval: number | null, script: boolean): TimerHandle {
    const id = this.nextId++;
    const timer: LocalTimer = { id, due: this.now() + delay, interval, fn, script };
    this.timers.set(id, timer);
    if (!this.dead || script) this.arm(timer);
    return { id };
  }

  private arm(timer: LocalTimer): void {
    if (this.frozen) return;
    const local = timer.due - this.now();
    const delay = this.rate === 1 ? local : local / this.rate;
    timer.handle = this.base.setTimeout(() => this.onDue(timer), Math.max(0, delay));
  }

  private rearmAll(): void {
    const all = [...this.timers.values()].sort((a, b) => a.due - b.due || a.id - b.id);
    for (const timer of all) {
      this.base.clear(timer.handle);
      timer.handle = undefined;
      this.arm(timer);
    }
  }

  private onDue(timer: LocalTimer): void {
    timer.handle = undefined;
    if (!this.timers.has(timer.id)) return;
    if (timer.interval !== null) {
      timer.due += timer.interval;
      this.arm(timer);
    } else {
      this.timers.delete(timer.id);
    }
    if (timer.script) {
      timer.fn();
      return;
    }
    if (this.dead) return;
    if (!this.paused) {
      timer.fn();
      return;
    }
    if (this.queuedIds.has(timer.id)) return;
    this.queuedIds.add(timer.id);
    this.queued.push({ id: timer.id, fn: timer.fn });
  }
}
