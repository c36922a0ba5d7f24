/**
 * The stall guard (docs/safety.md R6): every entry point of a node (timer
 * or datagram) first asks it whether the loop stalled since the last entry.
 * Two clocks are compared, because either can freeze:
 * - a SIGSTOP, a long GC or an overloaded machine leaves a gap in the
 *   monotonic clock;
 * - a VM pause (KVM stop/cont, live-migration blackout) freezes the
 *   monotonic clock too, so only the wall clock shows the time that passed.
 *   Wall time that passed without monotonic time is "frozen" time: the
 *   master's lease, which runs on the monotonic clock, is shortened by it.
 * A forward step of the wall clock looks exactly like a VM pause and is
 * treated as one (the safe reading; docs/safety.md says what it costs).
 * A wall clock stepped *back* during a VM pause can hide it from both
 * clocks, so peers are the third witness (`peerBeat`): every heartbeat
 * carries its sender's monotonic uptime, and a peer's clock that ran ahead
 * of ours by more than the threshold (beyond the clock-rate bound) between
 * two of its heartbeats means ours stood still.
 */
import type { Clock } from '../../plugin-api';
import { FrozenTimeLedger } from './frozen-time';

export interface Stall {
  /** The longest gap either clock saw since the previous entry, ms. */
  gapMs: number;
  /** Wall-clock time that passed while the monotonic clock did not, ms (0 when none beyond the threshold). */
  frozenMs: number;
  /** The gap on the monotonic clock alone, ms (what timers and the election count; 0 when a peer witnessed it). */
  monoGapMs: number;
}

/** What check() takes for a stall (safety-bounds.ts: entryGapBoundMs, stallBoundMs, witnessThresholdMs). */
export interface StallBounds {
  /** A gap between two entries longer than this is a stall. */
  gapMs: number;
  /** A timer that ran later than this is a stall. */
  stallMs: number;
  /** More frozen time than this (wall clock only) is a stall. */
  frozenMs: number;
}

/** What a peer's witness judges by (core/config/safety-bounds.ts `witnessBounds`). */
export interface WitnessBounds {
  /** A rise above the baseline by more than this is frozen time (S). */
  thresholdMs: number;
  /** Each clock's rate error ρ. */
  rateBound: number;
  /** How long a new baseline is young (witnessYouthMs). */
  youthMs: number;
  /** δ: a young baseline takes a rise up to the threshold + δ (its first heartbeat may have been delayed). */
  delayMs: number;
}

/** Per peer: the largest (its uptime − our monotonic time) seen, i.e. from its least-delayed heartbeat, and when. */
interface PeerOffset {
  uptimeMs: number;
  /** Sequence number of the newest heartbeat used (a reordered older one is ignored). */
  seq: number;
  /** Which clock of the peer (HeartBeat.uptimeSinceSeq): an in-process restart starts a new one. */
  sinceSeq: number;
  maxOffset: number;
  at: number;
  /**
   * Until when (our clock) the baseline is young: it follows a higher offset up, since its first heartbeat may
   * have been read late (a busy start-up) or delayed (δ); and a rise is frozen time only above S + δ then.
   */
  youngUntil: number;
  /**
   * Since when (our clock) it has been heard with no gap longer than `youthMs`: over a longer gap the rate
   * bound forgives a rise as long as a pause, so a heartbeat after it witnesses nothing (fresh-read.ts).
   */
  continuousSince: number;
  /** How much of the current credit (credit.id) this baseline already moved by. */
  absorbed: { id: number; ms: number };
}

/** Idle stretches kept for timers that run late after them: at most this many, over at most this long. */
const IDLE_KEPT = 32;
const IDLE_KEPT_MS = 10_000;

/** How long frozen time already found stays a credit against the peers' evidence of the same freeze. */
const CREDIT_MS = 10_000;

export class StallGuard {
  private lastMono: number;
  private lastWall: number;
  /**
   * The monotonic time of the last entry's start: a busy entry and a stop after it are one stall when the two
   * together exceed the gap bound, as before entries were checked at their end too (a review found them
   * judged in pieces: a 90 ms entry and a 60 ms stop at a 50 ms heartbeat).
   */
  private lastStart: number;
  /**
   * The recent idle stretches between entries longer than S (from the end of one entry to the start of the
   * next), newest last: a timer due within one ran that much late even when other entries (datagrams read
   * first after a SIGSTOP) ran between the stretch and the timer.
   */
  private idle: Array<{ from: number; to: number }> = [];
  private readonly peers = new Map<string, PeerOffset>();
  private witnessedBeats = 0;
  /**
   * Frozen time already found (by the clocks or one peer), until when it counts: each peer's baseline
   * absorbs up to it once, so one freeze is reported once. A credit nobody uses (a wall-clock step that
   * was no pause) expires instead of blinding the witness.
   */
  private credit = { id: 0, ms: 0, until: -Infinity };
  /** All the frozen time found, however short each stretch, and when (R3's lease ends: `frozenSince`). */
  private readonly ledger: FrozenTimeLedger;

  /** Add `ms` of frozen time found at `now` to the credit (a new credit once the last one expired). */
  private addCredit(ms: number, now: number): void {
    this.credit = now <= this.credit.until
      ? { id: this.credit.id, ms: this.credit.ms + ms, until: now + CREDIT_MS }
      : { id: this.credit.id + 1, ms, until: now + CREDIT_MS };
  }

  constructor(private readonly clock: Clock) {
    this.lastMono = clock.now();
    this.lastStart = this.lastMono;
    this.lastWall = clock.wallNow();
    this.ledger = new FrozenTimeLedger(clock);
  }

  /** Time the monotonic clock lost since it read `at` (every pause, noticed as a stall or not); null when no longer known. */
  frozenSince(at: number): number | null {
    return this.ledger.lostSince(at);
  }

  /** All the time the monotonic clock lost so far (FrozenTimeLedger.lostSoFar). */
  frozenSoFar(): number {
    return this.ledger.lostSoFar();
  }

  /** Restart measuring now (after start-up, before the first timer). */
  reset(): void {
    this.lastMono = this.clock.now();
    this.lastStart = this.lastMono;
    this.lastWall = this.clock.wallNow();
  }

  /**
   * Called at the start and the end of every entry (and once more inside a cluster tick): the stall since the
   * previous call, else null. At an entry's start (`lateMs` undefined, or a timer's lateness) the time since
   * the last entry's start — its work and the loop's idle time since — is a stall when above `bounds.gapMs`
   * (an idle loop is never quiet that long), or for a timer when it stood idle — stopped — for more than
   * `bounds.stallMs` at a stretch since the timer was due (a loop busy with other entries meanwhile did not
   * stall). Inside an entry or at its end (`lateMs` Infinity) all the time since was the entry's own work: a
   * stall above `bounds.stallMs`. Either way, more than `bounds.frozenMs` of wall-clock time that passed while
   * the monotonic clock did not is one too.
   */
  check(bounds: StallBounds, lateMs?: number): Stall | null {
    const mono = this.clock.now();
    const wall = this.clock.wallNow();
    // All frozen time the wall clock shows, however short, is a credit against the peers' evidence of it: a
    // short pause below the threshold must not be witnessed (and counted) again later.
    const found = this.ledger.note(mono, wall);
    if (found > 0) this.addCredit(found, mono);
    const monoGap = mono - this.lastMono;
    const wallGap = wall - this.lastWall;
    this.lastMono = mono;
    this.lastWall = wall;
    const frozen = wallGap - monoGap;
    let late = 0;
    let startGap = 0;
    if (lateMs === Infinity) late = monoGap;
    else {
      startGap = mono - this.lastStart;
      this.lastStart = mono;
      if (monoGap > bounds.stallMs) this.rememberIdle(mono - monoGap, mono);
      if (lateMs !== undefined && lateMs > bounds.stallMs) late = this.longestIdleSince(mono - lateMs);
    }
    if (startGap <= bounds.gapMs && late <= bounds.stallMs && frozen <= bounds.frozenMs) return null;
    // Reported: the next entry's start-to-start gap must not report this entry's work again.
    if (lateMs === Infinity) this.lastStart = mono;
    return { gapMs: Math.max(startGap, monoGap, wallGap), frozenMs: frozen > bounds.frozenMs ? frozen : 0, monoGapMs: Math.max(startGap, monoGap) };
  }

  /** An idle stretch longer than S; a few seconds of them are kept (timers are never late by more unnoticed). */
  private rememberIdle(from: number, to: number): void {
    this.idle.push({ from, to });
    while (this.idle.length > IDLE_KEPT || (this.idle.length > 0 && this.idle[0].to < to - IDLE_KEPT_MS)) this.idle.shift();
  }

  /** The longest idle stretch, or part of one, after `since` (a timer's due time). */
  private longestIdleSince(since: number): number {
    let longest = 0;
    for (const { from, to } of this.idle) if (to > since) longest = Math.max(longest, to - Math.max(from, since));
    return longest;
  }

  /**
   * A heartbeat from `peerId` whose monotonic uptime is `uptimeMs`. Message delay only lowers (its uptime −
   * our time), so the least-delayed offset is the baseline; an offset above it by more than `thresholdMs`
   * plus twice the clock-rate bound over the time since is time our monotonic clock did not count: frozen.
   * The baseline follows a lower offset no faster than the rate bound allows (a peer whose clock runs slow),
   * and a higher one by no more than that bound either once it is `youthMs` old: a rise below the threshold
   * (a heartbeat less delayed than the one the baseline came from) then stays above it, and a later rise adds
   * to it. So the heartbeats that waited in the socket buffer through a pause the wall clock hid add up however
   * they are read, and the first one sent after the pause shows all of it but its own delay (a review found
   * the baseline rising by all the time elapsed since the last heartbeat: a pause of S + I went unseen; a later
   * one, a rise confirmed by two heartbeats read apart absorbing a pause read in pieces). While young, the
   * baseline follows every rise up to the threshold + δ (`delayMs`), and only a rise above that is frozen time:
   * its first heartbeat may have been read up to S late and δ more delayed than the next. A restarted peer
   * (uptime went back, or another `sinceSeq`) starts a new, young baseline.
   */
  /** Heartbeats judged by a grown baseline so far: each could tell a hidden pause of ours before its send. */
  get witnessCount(): number {
    return this.witnessedBeats;
  }

  /** Since when `peerId` has been heard without a long gap (PeerOffset.continuousSince); null when unknown. */
  continuousSince(peerId: string): number | null {
    return this.peers.get(peerId)?.continuousSince ?? null;
  }

  peerBeat(peerId: string, uptimeMs: number, seq: number, sinceSeq: number, bounds: WitnessBounds): Stall | null {
    const { thresholdMs, rateBound, youthMs, delayMs } = bounds;
    const now = this.clock.now();
    const offset = uptimeMs - now;
    const known = this.peers.get(peerId);
    if (known && seq <= known.seq) return null; // reordered (a slower link): older news, and not a restart
    if (!known || uptimeMs < known.uptimeMs || sinceSeq !== known.sinceSeq) {
      // New, or restarted in-process (same id, newer sequence number, uptime from 0 — or grown past the old one
      // before this node heard it again, which only the sequence number its clock began at tells).
      this.peers.set(peerId, { uptimeMs, seq, sinceSeq, maxOffset: offset, at: now, youngUntil: now + youthMs, continuousSince: now, absorbed: { id: -1, ms: 0 } });
      return null;
    }
    known.uptimeMs = uptimeMs;
    known.seq = seq;
    if (now - known.at > youthMs) known.continuousSince = now;
    const young = now < known.youngUntil;
    // A heartbeat judged by a grown baseline tells any pause of ours before it was sent (fresh-read.ts).
    if (!young) this.witnessedBeats++;
    const drift = 2 * rateBound * (now - known.at);
    known.at = now;
    let excess = offset - known.maxOffset - drift;
    if (excess <= 0) {
      // Lower, or higher within the rate bound: follow it, sinking no faster than the rate bound.
      known.maxOffset = Math.max(offset, known.maxOffset - drift);
      return null;
    }
    known.maxOffset += drift;
    if (now <= this.credit.until) {
      // Part of a freeze already found (by the wall clock or another peer): this baseline moves by it, once.
      const before = known.absorbed.id === this.credit.id ? known.absorbed.ms : 0;
      const used = Math.min(excess, Math.max(0, this.credit.ms - before));
      known.maxOffset += used;
      known.absorbed = { id: this.credit.id, ms: before + used };
      excess -= used;
    }
    if (excess > thresholdMs + (young ? delayMs : 0)) {
      known.maxOffset += excess;
      const before = known.absorbed.id === this.credit.id && now <= this.credit.until ? known.absorbed.ms : 0;
      this.addCredit(excess, now);
      this.ledger.addWitnessed(excess);
      known.absorbed = { id: this.credit.id, ms: before + excess };
      return { gapMs: excess, frozenMs: excess, monoGapMs: 0 };
    }
    // Below the threshold: a less-delayed heartbeat, or part of a pause. A young baseline takes it (its first
    // heartbeat's lateness is not known); a grown one keeps it above, where a later rise adds to it.
    if (young) known.maxOffset += excess;
    return null;
  }
}
