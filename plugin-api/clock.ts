/** Opaque handle of a scheduled timer. */
export interface TimerHandle {
  readonly id: number;
}

/**
 * Time as the core sees it. The daemon injects a real clock; the cluster
 * simulator injects a virtual one, so the core never calls Date.now() or
 * setTimeout() itself.
 */
export interface Clock {
  /** Monotonic milliseconds (never goes backwards; origin unspecified). */
  now(): number;
  /** Wall-clock milliseconds since the Unix epoch (wire timestamps, logs). */
  wallNow(): number;
  /** Run `fn` once after `ms` milliseconds. */
  setTimeout(fn: () => void, ms: number): TimerHandle;
  /** Run `fn` every `ms` milliseconds until cleared. */
  setInterval(fn: () => void, ms: number): TimerHandle;
  /**
   * Run `fn` once the event loop has next read its sockets (Node's setImmediate: after the poll phase of
   * this turn). The simulator runs it after everything already due at this instant, datagrams included.
   */
  setImmediate(fn: () => void): TimerHandle;
  /** Cancel a timer; unknown or already-fired handles are ignored. */
  clear(handle: TimerHandle | undefined): void;
}
