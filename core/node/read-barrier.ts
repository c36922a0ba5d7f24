/**
 * "Has this node read what waited in its sockets?" A runner's promote starts only once the answer is yes
 * (docs/safety.md R6, "a promote begins after a read"): a VM pause the wall clock hid is told by the peers'
 * heartbeats that waited in the socket buffer through it, and an entry that ran before them (a timer that fell
 * due during the pause, or the first buffered datagram, a stale grant) decides on a frozen clock.
 *
 * `whenDrained(fn)` runs `fn` after an event-loop turn whose socket read found nothing new: Node runs an
 * immediate after the poll phase of its turn, and libuv's poll reads every ready socket (up to 32 datagrams
 * each a turn, so a long backlog takes several turns). The first immediate only marks the count of datagrams
 * read; the next, a turn later, runs `fn` if no datagram came in between — the poll of that turn began after
 * the request, so a request made in the middle of a poll phase (on datagram 32 of a backlog) still waits for
 * the rest. A turn that read something tries again; a steady stream delays the promote, never lets it through
 * on an unread backlog.
 */
export class ReadBarrier {
  /** Datagrams read from the node's sockets so far (the transport's receive callback counts them). */
  private reads = 0;
  private marked = 0;
  private armed = false;
  private waiting: Array<() => void> = [];

  /** `afterPoll` runs a callback after the event loop's next poll phase (Clock.setImmediate). */
  constructor(private readonly afterPoll: (fn: () => void) => void) {}

  /** A datagram was read (any, authentic or not: what matters is that the buffer is being emptied). */
  noteRead(): void {
    this.reads++;
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
  }

  private mark(): void {
    this.marked = this.reads;
    this.afterPoll(() => this.check());
  }

  private check(): void {
    if (this.reads !== this.marked) {
      this.mark();
      return;
    }
    this.armed = false;
    const due = this.waiting;
    this.waiting = [];
    for (const fn of due) fn();
  }
}
