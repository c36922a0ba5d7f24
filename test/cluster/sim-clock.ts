/**
 * A per-node view of the shared VirtualClock that can be paused, like a
 * process under SIGSTOP: time goes on, but the node's timers do not run;
 * on resume each timer that fell due runs once (an interval does not catch
 * up), in the order it fell due.
 */
import type { Clock, TimerHandle } from '../../plugin-api';
import type { VirtualClock } from '../../core/clock';

export class PausableClock implements Clock {
  private paused = false;
  private dead = false;
  private readonly queued: Array<{ id: number; fn: () => void }> = [];
  private readonly queuedIds = new Set<number>();
  private readonly handles = new Map<number, TimerHandle>();
  private nextId = 1;

  constructor(private readonly base: VirtualClock) {}

  now(): number {
    return this.base.now();
  }

  wallNow(): number {
    return this.base.wallNow();
  }

  setTimeout(fn: () => void, ms: number): TimerHandle {
    const id = this.nextId++;
    this.handles.set(id, this.base.setTimeout(() => {
      this.handles.delete(id);
      this.fire(id, fn);
    }, ms));
    return { id };
  }

  setInterval(fn: () => void, ms: number): TimerHandle {
    const id = this.nextId++;
    this.handles.set(id, this.base.setInterval(() => this.fire(id, fn), ms));
    return { id };
  }

  clear(handle: TimerHandle | undefined): void {
    if (!handle) return;
    this.base.clear(this.handles.get(handle.id));
    this.handles.delete(handle.id);
    this.queuedIds.delete(handle.id);
  }

  get isPaused(): boolean {
    return this.paused;
  }

  pause(): void {
    this.paused = true;
  }

  /** Resume: run what fell due while paused (the node's first events after the stall). */
  resume(): void {
    this.paused = false;
    const due = this.queued.splice(0);
    for (const item of due) {
      if (!this.queuedIds.has(item.id)) continue;
      this.queuedIds.delete(item.id);
      item.fn();
    }
  }

  /** A crashed process: no timer ever runs again. */
  kill(): void {
    this.dead = true;
    for (const handle of this.handles.values()) this.base.clear(handle);
    this.handles.clear();
    this.queued.length = 0;
    this.queuedIds.clear();
  }

  private fire(id: number, fn: () => void): void {
    if (this.dead) return;
    if (!this.paused) {
      fn();
      return;
    }
    if (this.queuedIds.has(id)) return;
    this.queuedIds.add(id);
    this.queued.push({ id, fn });
  }
}
