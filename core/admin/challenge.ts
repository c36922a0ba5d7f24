/**
 * Admin freshness by challenge (docs/wire.md "Admin requests"): a node hands
 * out random nonces, and accepts a mutating request only with a nonce it
 * issued, within `ttlMs`, once. The first request with a nonce claims it and
 * stores its answer; a retransmission (or a captured copy) with the same
 * nonce gets that answer again and never runs the action twice.
 *
 * Time is the node's monotonic clock (`Clock.now`), never the wall clock, so
 * stepping the wall clock cannot reopen anything; the book lives in memory
 * only, so a restarted node knows no nonce at all (and has a new node id).
 */
import { randomBytes } from 'node:crypto';
import type { AdminResponse, Clock } from '../../plugin-api';

export const NONCE_TTL_MS = 10_000;
export const MAX_OPEN_NONCES = 1024;

export interface NonceBookOptions {
  clock: Pick<Clock, 'now'>;
  /** How long an issued nonce can be used (default 10 s: the client's timeout is 3 s). */
  ttlMs?: number;
  /** Nonces kept at most; the oldest are forgotten first (default 1024). */
  maxEntries?: number;
  /** 16 random bytes (tests inject their own). */
  random?: () => Uint8Array;
}

/** What the book says about a request's nonce. */
export type Redeemed =
  /** First use: run the request; its answer is stored with `settle`. */
  | { kind: 'fresh'; settle(answer: Promise<AdminResponse>): void }
  /** Used before within its lifetime: answer with the first answer, do nothing. */
  | { kind: 'used'; answer: Promise<AdminResponse> }
  /** Never issued here, expired, or forgotten: refuse. */
  | { kind: 'unknown' };

interface Entry {
  issuedAt: number;
  answer: Promise<AdminResponse> | null;
  claimed: boolean;
}

export class NonceBook {
  private readonly entries = new Map<string, Entry>();
  private readonly ttlMs: number;
  private readonly maxEntries: number;
  private readonly random: () => Uint8Array;

  constructor(private readonly options: NonceBookOptions) {
    this.ttlMs = options.ttlMs ?? NONCE_TTL_MS;
    this.maxEntries = options.maxEntries ?? MAX_OPEN_NONCES;
    this.random = options.random ?? (() => randomBytes(16));
  }

  /** A fresh nonce (32 hex digits), good for one request within the lifetime. */
  issue(): string {
    this.expire();
    let nonce = Buffer.from(this.random()).toString('hex');
    // A repeat from the random source would let one nonce serve twice: never hand one out again.
    while (this.entries.has(nonce)) nonce = Buffer.from(this.random()).toString('hex');
    this.entries.set(nonce, { issuedAt: this.options.clock.now(), answer: null, claimed: false });
    while (this.entries.size > this.maxEntries) {
      const oldest = this.entries.keys().next().value;
      if (oldest === undefined) break;
      this.entries.delete(oldest);
    }
    return nonce;
  }

  /** Look a request's nonce up and claim it when fresh. */
  redeem(nonce: string): Redeemed {
    this.expire();
    const entry = this.entries.get(nonce);
    if (!entry) return { kind: 'unknown' };
    if (entry.claimed) {
      // Claimed but the answer not stored yet cannot happen: `settle` runs synchronously after `fresh`.
      return entry.answer ? { kind: 'used', answer: entry.answer } : { kind: 'unknown' };
    }
    entry.claimed = true;
    return { kind: 'fresh', settle: (answer) => { entry.answer = answer; } };
  }

  /** Nonces remembered (issued or used, not yet expired). */
  get size(): number {
    return this.entries.size;
  }

  private expire(): void {
    const now = this.options.clock.now();
    // Insertion order is issue order, so the oldest come first.
    for (const [nonce, entry] of this.entries) {
      if (now - entry.issuedAt < this.ttlMs) break;
      this.entries.delete(nonce);
    }
  }
}
