/**
 * What a promote script waits for before it starts (docs/safety.md R6, "a promote begins after a fresh
 * read"): proof that no pause the wall clock hid is left untold since the promote was decided. After such a
 * pause the node's clocks agree that no time passed; only the peers' heartbeats tell it (StallGuard.peerBeat),
 * those that waited in the socket buffer through it and, if none did (the node was cut off, or its packets
 * were dropped, as in a live migration's last copy), the first one sent after it, up to `I + S + δ` later.
 *
 * `whenFresh(fn, witness)`:
 * 1. the sockets read dry (read-barrier.ts): what waited in the buffer is handled;
 * 2. with `witness`, a heartbeat of a peer able to witness a pause (its baseline grown, not young) read after
 *    that — it arrived after the drain, so it was sent at most δ before: after any pause that ended before the
 *    drain, all of which it tells but δ;
 * 3. the sockets read dry again: a pause between 1 and 2 is told by what waited through it.
 * `fn` then decides (the runner checks its lease in an entry of its own). A pause after the last read and
 * before the script starts is the same as one just after it started: the decision had read everything.
 * Without `witness` (no lease to protect: quorum off) only step 1.
 */
import type { ReadBarrier } from './read-barrier';

export class FreshRead {
  private witnessed = 0;
  private readonly waitingForWitness: Array<{ after: number; fn: () => void }> = [];

  constructor(private readonly barrier: ReadBarrier) {}

  /** A heartbeat of a peer whose witness baseline is grown was handled (KoiNode.heartbeat, after peerBeat). */
  witness(): void {
    this.witnessed++;
    const due = this.waitingForWitness.filter((w) => w.after < this.witnessed);
    if (due.length === 0) return;
    this.waitingForWitness.splice(0, this.waitingForWitness.length, ...this.waitingForWitness.filter((w) => w.after >= this.witnessed));
    for (const w of due) w.fn();
  }

  whenFresh(fn: () => void, witness: boolean): void {
    this.barrier.whenDrained(() => {
      if (!witness) {
        fn();
        return;
      }
      this.waitingForWitness.push({ after: this.witnessed, fn: () => this.barrier.whenDrained(fn) });
    });
  }

  /** Forget waiting callbacks (the node closes). */
  cancel(): void {
    this.waitingForWitness.length = 0;
    this.barrier.cancel();
  }
}
