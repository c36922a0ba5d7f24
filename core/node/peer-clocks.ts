/**
 * What this node knows of each peer's clock, for leases (docs/safety.md R3):
 * a lower bound of `peer uptime − this node's monotonic time`.
 *
 * A heartbeat that left the peer when its uptime read `u` and arrived here
 * when this clock read `a` says the peer's clock was at least `u − a` ahead
 * of this one at that moment: delay, and any stall of this node before it
 * read the datagram, only make the reading smaller — never wrong. Since
 * then the two clocks may have drifted apart by the rate bound ρ each, so
 * at this node's time `t` the bound is `u − a − 2ρ·(t − a)`. The best
 * bound is the largest over the heartbeats of the last second or two (all
 * of them sink at the same rate, so the best of a stretch is its
 * least-delayed heartbeat): any heartbeat's bound is safe, older ones only
 * sink further below the truth, 2 % of their age. A clock of the peer that
 * stood still (a VM pause) breaks the bound by the time it lost: the peer
 * takes that off itself (`Runner`), which is why the bound names the
 * heartbeat it comes from — and why an old heartbeat must not stay the best
 * for long: after a freeze of `Z` every later heartbeat is `Z` below it, so
 * it would stay the best for `Z / 2ρ` (22 s for a 450 ms pause) while its
 * 2 % sank the lease away (nemesis seed 9730252, brisk profile).
 *
 * So when this node's clock reads `t`, the peer's uptime has certainly
 * reached `t + bound(t)`: a lease that ends at leader time `E` ends at that
 * uptime on the runner, and a runner that holds it that long holds it no
 * longer than the leader assumes, whenever it reads the grant.
 */
export interface PeerClockBound {
  /** The peer's uptime that it certainly reached by the time this clock reads `at` (ms). */
  uptimeMs: number;
  /** The peer's uptime in the heartbeat the bound comes from. */
  observedUptimeMs: number;
  /** That heartbeat's sequence number. */
  observedSeq: number;
}

interface Best {
  /** `u − a` of the best heartbeat, ms. */
  offsetMs: number;
  /** When it arrived (this clock). */
  at: number;
  uptimeMs: number;
  seq: number;
}

interface Peer {
  /** The best heartbeat since `since` (this clock), and the best of the stretch before (null: none). */
  best: Best;
  since: number;
  previous: Best | null;
  /** Which clock of the peer: the sequence number its uptime began at (HeartBeat.uptimeSinceSeq). */
  sinceSeq: number;
  /** The newest heartbeat's uptime and sequence number (a peer whose uptime goes back restarted). */
  lastUptimeMs: number;
  lastSeq: number;
}

/** Peers remembered at most (a 2–5 node cluster; restarted peers come back with fresh ids). */
const MAX_PEERS = 64;

/** A stretch of heartbeats whose best is kept: the bound comes from the last one or two (≤ 2 s old). */
export const PEER_CLOCK_STRETCH_MS = 1000;

export class PeerClocks {
  private readonly peers = new Map<string, Peer>();

  /** @param rateBound ρ, each clock's rate error (docs/safety.md "What is assumed"). */
  constructor(private readonly rateBound: number) {}

  /**
   * A heartbeat of `peerId` sent at its uptime `uptimeMs` on the clock that began at its sequence number
   * `sinceSeq` (the heartbeat's own sequence number: `seq`), read at `now`.
   */
  observe(peerId: string, uptimeMs: number, sinceSeq: number, seq: number, now: number): void {
    const offsetMs = uptimeMs - now;
    const known = this.peers.get(peerId);
    if (known && seq <= known.lastSeq) return; // reordered over a slower link: older news
    if (!known || sinceSeq !== known.sinceSeq || uptimeMs < known.lastUptimeMs) {
      // New, or restarted in-process (same id, a new clock — its uptime may have grown past the old one's
      // before this node heard it again, so the sequence number it began at tells): the old bound was of another clock.
      this.peers.delete(peerId);
      this.peers.set(peerId, { best: { offsetMs, at: now, uptimeMs, seq }, since: now, previous: null, sinceSeq, lastUptimeMs: uptimeMs, lastSeq: seq });
      if (this.peers.size > MAX_PEERS) this.peers.delete(this.peers.keys().next().value as string);
      return;
    }
    known.lastUptimeMs = uptimeMs;
    known.lastSeq = seq;
    // Least recently heard first, so that the peers evicted beyond MAX_PEERS are gone ones, not live ones.
    this.peers.delete(peerId);
    this.peers.set(peerId, known);
    const beat = { offsetMs, at: now, uptimeMs, seq };
    if (now - known.since >= PEER_CLOCK_STRETCH_MS) {
      known.previous = known.best;
      known.best = beat;
      known.since = now;
    } else if (offsetMs >= this.sunk(known.best, now)) {
      known.best = beat;
    }
  }

  /** The peer's uptime certainly reached by the time this clock reads `at` (not before the bound's heartbeat), or null when never heard. */
  boundAt(peerId: string, at: number): PeerClockBound | null {
    const peer = this.peers.get(peerId);
    if (!peer) return null;
    const { best: current, previous } = peer;
    // Both sink at the same rate: the larger offset after sinking to a common time is the better bound.
    const best = previous && this.sunk(previous, current.at) > current.offsetMs ? previous : current;
    return { uptimeMs: at + this.sunk(best, Math.max(at, best.at)), observedUptimeMs: best.uptimeMs, observedSeq: best.seq };
  }

  private sunk(best: Best, t: number): number {
    return best.offsetMs - 2 * this.rateBound * (t - best.at);
  }
}
