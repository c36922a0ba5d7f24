/**
 * Replay protection per sender: a sliding window of recently seen sequence
 * numbers plus a maximum age by the sender's wall-clock send time.
 *
 * Clock assumption: nodes' wall clocks agree within `maxAgeMs` (NTP). A
 * datagram sent more than `maxAgeMs` ago, or more than `maxAgeMs` in the
 * future, is refused as `too-old`. A sender forgotten after 2 x maxAgeMs of
 * silence cannot be replayed: anything it sent before is too old by then.
 * Node and client ids are fresh per process, so sequence numbers restarting
 * at 1 after a restart never collide with an old window.
 */
import type { RejectReason } from './types';

export type ReplayVerdict = { ok: true } | { ok: false; reason: Extract<RejectReason, 'duplicate' | 'replay' | 'too-old'>; detail: string };

interface SenderWindow {
  highest: number;
  /** seen[seq % size] === seq when seq was accepted (and is still inside the window). */
  seen: Float64Array;
  lastWall: number;
}

export interface ReplayGuardOptions {
  /** Sequence numbers remembered behind the highest one (default 64). */
  windowSize?: number;
  maxAgeMs: number;
  /** Senders kept at most; the least recently heard ones are forgotten first (default 4096). */
  maxSenders?: number;
}

export class ReplayGuard {
  private readonly windows = new Map<string, SenderWindow>();
  private readonly size: number;
  private readonly maxAgeMs: number;
  private readonly maxSenders: number;
  private lastPrune = -Infinity;

  constructor(options: ReplayGuardOptions) {
    this.size = options.windowSize ?? 64;
    this.maxAgeMs = options.maxAgeMs;
    this.maxSenders = options.maxSenders ?? 4096;
  }

  /** Check (and on success record) one authenticated datagram's (sender, seq, sentAt) at wall time `now`. */
  check(sender: string, seq: number, sentAt: number, now: number): ReplayVerdict {
    if (now - sentAt > this.maxAgeMs) {
      return { ok: false, reason: 'too-old', detail: `sent ${now - sentAt} ms ago, limit ${this.maxAgeMs} ms (clocks out of sync?)` };
    }
    if (sentAt - now > this.maxAgeMs) {
      return { ok: false, reason: 'too-old', detail: `sent ${sentAt - now} ms in the future, limit ${this.maxAgeMs} ms (clocks out of sync?)` };
    }
    this.prune(now);
    let w = this.windows.get(sender);
    if (!w) {
      w = { highest: 0, seen: new Float64Array(this.size).fill(-1), lastWall: now };
      this.windows.set(sender, w);
    }
    // Inside the window each slot can only hold its own number or an older,
    // different one, so an exact match means "seen" without clearing slots.
    if (seq > w.highest) {
      w.highest = seq;
    } else if (seq <= w.highest - this.size) {
      return { ok: false, reason: 'replay', detail: `seq ${seq} is behind the window (highest ${w.highest})` };
    } else if (w.seen[seq % this.size] === seq) {
      return { ok: false, reason: 'duplicate', detail: `seq ${seq} already received` };
    }
    w.seen[seq % this.size] = seq;
    w.lastWall = now;
    // Keep Map order = least recently heard first (for eviction).
    this.windows.delete(sender);
    this.windows.set(sender, w);
    return { ok: true };
  }

  /** Senders currently remembered. */
  senders(): number {
    return this.windows.size;
  }

  private prune(now: number): void {
    if (now - this.lastPrune < this.maxAgeMs && this.windows.size < this.maxSenders) return;
    this.lastPrune = now;
    for (const [sender, w] of this.windows) {
      if (now - w.lastWall > 2 * this.maxAgeMs || this.windows.size >= this.maxSenders) this.windows.delete(sender);
      else break; // Map order: the rest were heard more recently
    }
  }
}
