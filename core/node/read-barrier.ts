/**
 * "Has this node read what waited in its sockets?" Part of the check a promote waits for (fresh-read.ts,
 * docs/safety.md R6 "a promote begins after a fresh read"): after a VM pause the wall clock hid, the peers'
 * heartbeats that waited in the socket buffer through it tell the pause, and an entry that ran before them (a
 * timer that fell due during it, the first buffered datagram) decided on a frozen clock.
 *
 * `whenDrained(fn)` runs `fn` after an event-loop turn whose poll found every socket empty. Node runs an
 * immediate after the poll phase of its turn, and libuv's poll reads each ready socket until it is empty or
 * until it has read `POLL_BATCH` datagrams of it in this turn (uv__udp_io; test/unit/node/read-barrier.test.ts
 * measures it on a real socket). So a turn that read fewer than `POLL_BATCH` in all found each socket empty
 * at that moment — and one that read more may have left some behind, so the next turn is watched; a flood
 * only costs turns while it fills a whole batch. The first immediate marks the count of datagrams read; the
 * next, a turn later, judges the turn between: a request made in the middle of a poll phase (on the last
 * datagram of a batch) still waits for a whole poll begun after it. A datagram still being handled
 * asynchronously (an `onMessage` tap: KoiNode.receive) holds the barrier until it is routed — its heartbeat
 * is what tells the pause.
 */
/** Datagrams libuv reads from one socket in one poll phase at most (uv__udp_io's loop, libuv 1.x as in Node 20). */
export const POLL_BATCH = 32;

export class ReadBarrier {
  /** Datagrams read from the node's sockets so far (the transport's receive callback counts them). */
  private reads = 0;
  /** Datagrams read and not yet handled (routed after an asynchronous hook). */
  private unhandled = 0;
  private marked = 0;
  private armed = false;
  /** A check found datagrams still unhandled: the last one handled marks again (no spinning meanwhile). */
  private awaitingHandled = false;
  private waiting: Array<() => void> = [];

  /** `afterPoll` runs a callback after the event loop's next poll phase (Clock.setImmediate). */
  constructor(private readonly afterPoll: (fn: () => void) => void) {}

  /** A datagram was read (any, authentic or not: what matters is whether the buffer is being emptied). */
  noteRead(): void {
    this.reads++;
  }

  /** A datagram read is handled later (an asynchronous hook first): call the returned function once it is. */
  handledLater(): () => void {
    this.unhandled++;
    let done = false;
    return () => {
      if (done) return;
      done = true;
      this.unhandled--;
      if (this.unhandled === 0 && this.awaitingHandled) {
        this.awaitingHandled = false;
        this.afterPoll(() => this.mark());
      }
    };
  }

  whenDrained(fn: () => void): void {
    this.waiting.push(fn);
    if (this.armed) return;
    this.armed = true;
    this.afterPoll(() => this.mark());
  }

  /** Forget waiting callbacks (the node closes). */
  cancel(): void {
    this.waiting = [];
    this.awaitingHandled = false;
  }

  private mark(): void {
    this.marked = this.reads;
    this.afterPoll(() => this.check());
  }

  private check(): void {
    if (this.unhandled > 0) {
      this.awaitingHandled = true;
      return;
    }
    if (this.reads - this.marked >= POLL_BATCH) {
      this.mark();
      return;
    }
    this.armed = false;
    const due = this.waiting;
    this.waiting = [];
    for (const fn of due) fn();
  }
}
