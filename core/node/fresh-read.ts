/**
 * What a promote script waits for before it starts (docs/safety.md R6, "a promote begins after a fresh
 * read"): proof that no pause the wall clock hid is left untold since the promote was decided. After such a
 * pause the node's clocks agree that no time passed; only the peers' heartbeats tell it (StallGuard.peerBeat),
 * those that waited in the socket buffer through it and, if none did (the node was cut off, or its packets
 * were dropped, as in a live migration's last copy), the first ones sent after it, up to `I + S + δ` later.
 *
 * `whenFresh(fn, witnesses)`:
 * 1. the sockets read dry (read-barrier.ts): what waited in the buffer is handled;
 * 2. heartbeats read after that from `witnesses` distinct peers (quorum − 1: with this node, a quorum, which
 *    shares a node with any quorum that elected another master meanwhile — a peer paused with this one, two
 *    VMs of one host, cannot tell), each able to witness a pause: its baseline grown, and heard without a
 *    long gap since before step 1 (StallGuard `continuousSince`: after a long silence the rate bound forgives
 *    a rise as long as a pause). Each arrived after the drain, so it was sent at most δ before: after any
 *    pause that ended before the drain, all of which it tells but δ;
 * 3. the sockets read dry again: a pause between 1 and 2 is told by what waited through it.
 * `fn` then decides (the runner checks its lease in an entry of its own). A pause after the last read and
 * before the script starts is the same as one just after it started: the decision had read everything.
 * With no witness wanted (quorum 0 or 1: no peer's lease to respect) only step 1. Witnesses that do not come
 * within `retryMs` (peers silent or cut off) start the wait again from step 1, so a peer heard steadily
 * since then can do.
 */
import type { ReadBarrier } from './read-barrier';

interface Waiter {
  /** When step 1 ended (this node's monotonic clock). */
  drainedAt: number;
  needed: number;
  heard: Set<string>;
  fn: () => void;
  /** Cancels the timer that starts the wait over. */
  cancelRetry: () => void;
}

export interface FreshReadOptions {
  barrier: ReadBarrier;
  now(): number;
  /** Run `fn` after `ms` (a node timer); the returned function cancels it. */
  after(fn: () => void, ms: number): () => void;
  /** How long step 2 may wait before it starts over. */
  retryMs(): number;
}

export class FreshRead {
  private waiting: Waiter[] = [];

  constructor(private readonly opts: FreshReadOptions) {}

  /**
   * A heartbeat of `peerId` was handled; `continuousSince`: since when (this clock) the peer has been heard
   * without a long gap and with a grown baseline, null when it cannot witness (young, reordered, just back).
   */
  witness(peerId: string, continuousSince: number | null): void {
    if (continuousSince === null) return;
    const done: Waiter[] = [];
    for (const w of this.waiting) {
      if (continuousSince > w.drainedAt) continue;
      w.heard.add(peerId);
      if (w.heard.size >= w.needed) done.push(w);
    }
    if (done.length === 0) return;
    this.waiting = this.waiting.filter((w) => !done.includes(w));
    for (const w of done) {
      w.cancelRetry();
      this.opts.barrier.whenDrained(w.fn);
    }
  }

  whenFresh(fn: () => void, witnesses: number): void {
    this.opts.barrier.whenDrained(() => {
      if (witnesses <= 0) {
        fn();
        return;
      }
      const retry = (): void => {
        this.waiting = this.waiting.filter((x) => x !== w);
        this.whenFresh(fn, witnesses);
      };
      const w: Waiter = { drainedAt: this.opts.now(), needed: witnesses, heard: new Set(), fn, cancelRetry: this.opts.after(retry, this.opts.retryMs()) };
      this.waiting.push(w);
    });
  }

  /** Forget waiting callbacks (the node closes). */
  cancel(): void {
    for (const w of this.waiting) w.cancelRetry();
    this.waiting = [];
    this.opts.barrier.cancel();
  }
}
