/**
 * Recent answers by request, so that a retransmitted request (the client
 * resends the same requestId when an answer is slow or lost) gets the first
 * answer again instead of running its action twice. An entry holds the
 * promise of the answer, so a duplicate that arrives while the first is
 * still being handled waits for it.
 */
import type { AdminResponse, Clock } from '../../plugin-api';

export interface ResponseCacheOptions {
  /** Without a clock, entries leave by count only. */
  clock?: Clock;
  /** How long an answer is kept (default 10 s). */
  ttlMs?: number;
  /** Most answers kept (default 256). */
  maxEntries?: number;
}

interface Entry {
  answer: Promise<AdminResponse>;
  storedAt: number;
}

export class ResponseCache {
  private readonly entries = new Map<string, Entry>();
  private readonly ttlMs: number;
  private readonly maxEntries: number;

  constructor(private readonly options: ResponseCacheOptions = {}) {
    this.ttlMs = options.ttlMs ?? 10_000;
    this.maxEntries = options.maxEntries ?? 256;
  }

  get(key: string): Promise<AdminResponse> | undefined {
    this.expire();
    return this.entries.get(key)?.answer;
  }

  set(key: string, answer: Promise<AdminResponse>): void {
    this.expire();
    this.entries.delete(key);
    this.entries.set(key, { answer, storedAt: this.options.clock?.now() ?? 0 });
    while (this.entries.size > this.maxEntries) {
      const oldest = this.entries.keys().next().value;
      if (oldest === undefined) break;
      this.entries.delete(oldest);
    }
  }

  get size(): number {
    return this.entries.size;
  }

  private expire(): void {
    const clock = this.options.clock;
    if (!clock) return;
    const now = clock.now();
    // Map iteration is insertion order, so the oldest entries come first.
    for (const [key, entry] of this.entries) {
      if (now - entry.storedAt < this.ttlMs) break;
      this.entries.delete(key);
    }
  }
}
