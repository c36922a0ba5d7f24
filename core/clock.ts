/**
 * Clocks: the real one used by the daemon and a virtual one used by the
 * deterministic cluster simulator and unit tests.
 */
import type { Clock, TimerHandle } from '../plugin-api';

/** The process clock: monotonic `now()` from performance.now(), wall time from Date.now(). */
export class RealClock implements Clock {
  private nextId = 1;
  private readonly timers = new Map<number, NodeJS.Timeout>();
  private readonly immediates = new Map<number, NodeJS.Immediate>();

  now(): number {
    return performance.now();
  }

  wallNow(): number {
    return Date.now();
  }

  setTimeout(fn: () => void, ms: number): TimerHandle {
    const id = this.nextId++;
    this.timers.set(id, setTimeout(() => {
      this.timers.delete(id);
      fn();
    }, Math.max(0, ms)));
    return { id };
  }

  setInterval(fn: () => void, ms: number): TimerHandle {
    const id = this.nextId++;
    this.timers.set(id, setInterval(fn, Math.max(1, ms)));
    return { id };
  }

  setImmediate(fn: () => void): TimerHandle {
    const id = this.nextId++;
    this.immediates.set(id, setImmediate(() => {
      this.immediates.delete(id);
      fn();
    }));
    return { id };
  }

  clear(handle: TimerHandle | undefined): void {
    if (!handle) return;
    const immediate = this.immediates.get(handle.id);
    if (immediate !== undefined) {
      clearImmediate(immediate);
      this.immediates.delete(handle.id);
      return;
    }
    const timer = this.timers.get(handle.id);
    if (timer === undefined) return;
    clearTimeout(timer);
    this.timers.delete(handle.id);
  }

  /** Cancel every timer (shutdown). */
  clearAll(): void {
    for (const timer of this.timers.values()) clearTimeout(timer);
    this.timers.clear();
    for (const immediate of this.immediates.values()) clearImmediate(immediate);
    this.immediates.clear();
  }
}

interface VirtualTimer {
  id: number;
  due: number;
  /** Insertion order breaks ties between timers due at the same time. */
  order: number;
  interval: number | null;
  fn: () => void;
}

/**
 * A clock that moves only when told to. Timers due at the same instant run
 * in the order they were scheduled, so a run is fully reproducible.
 */
export class VirtualClock implements Clock {
  private current: number;
  private readonly epoch: number;
  private nextId = 1;
  private order = 0;
  private readonly timers = new Map<number, VirtualTimer>();

  constructor(options: { start?: number; epoch?: number } = {}) {
    this.current = options.start ?? 0;
    this.epoch = options.epoch ?? Date.UTC(2026, 0, 1);
  }

  now(): number {
    return this.current;
  }

  wallNow(): number {
    return this.epoch + this.current;
  }

  setTimeout(fn: () => void, ms: number): TimerHandle {
    return this.add(fn, Math.max(0, ms), null);
  }

  setInterval(fn: () => void, ms: number): TimerHandle {
    const every = Math.max(1, ms);
    return this.add(fn, every, every);
  }

  /** After every timer already due at this instant (the simulator's datagrams are timers too). */
  setImmediate(fn: () => void): TimerHandle {
    return this.add(fn, 0, null);
  }

  clear(handle: TimerHandle | undefined): void {
    if (handle) this.timers.delete(handle.id);
  }

  /** Number of pending timers. */
  pending(): number {
    return this.timers.size;
  }

  /** Time of the next due timer, or null when none. */
  nextDue(): number | null {
    let best: VirtualTimer | null = null;
    for (const t of this.timers.values()) if (!best || this.before(t, best)) best = t;
    return best ? best.due : null;
  }

  /** Run the earliest due timer (moving time to it). Returns false when no timer is pending. */
  step(): boolean {
    let best: VirtualTimer | null = null;
    for (const t of this.timers.values()) if (!best || this.before(t, best)) best = t;
    if (!best) return false;
    this.current = Math.max(this.current, best.due);
    if (best.interval === null) this.timers.delete(best.id);
    else {
      best.due += best.interval;
      best.order = this.order++;
    }
    best.fn();
    return true;
  }

  /** Advance time by `ms`, running every timer that falls due on the way, in order. */
  advance(ms: number): void {
    const until = this.current + ms;
    for (;;) {
      const due = this.nextDue();
      if (due === null || due > until) break;
      this.step();
    }
    this.current = until;
  }

  /** Move time to `t`, running every timer due before it; those due at `t` itself stay pending. */
  advanceBefore(t: number): void {
    for (;;) {
      const due = this.nextDue();
      if (due === null || due >= t) break;
      this.step();
    }
    this.current = Math.max(this.current, t);
  }

  private add(fn: () => void, delay: number, interval: number | null): TimerHandle {
    const id = this.nextId++;
    this.timers.set(id, { id, due: this.current + delay, order: this.order++, interval, fn });
    return { id };
  }

  private before(a: VirtualTimer, b: VirtualTimer): boolean {
    return a.due < b.due || (a.due === b.due && a.order < b.order);
  }
}
