/**
 * The freshness logic (core/admin/challenge.ts) with full-size random
 * inputs: thousands of nonces per run (fast-check's default size would cap
 * the arrays at about 10), redeemed in random order at random times.
 */
import fc from 'fast-check';
import { NonceBook } from '../../../core/admin/challenge';
import type { AdminResponse } from '../../../plugin-api';

const answer = (n: number): Promise<AdminResponse> => Promise.resolve({ kind: 'response', requestId: String(n), exitCode: 0, text: '', json: '' });

describe('NonceBook', () => {
  it('each issued nonce is fresh exactly once within its lifetime, then answers the first answer, then is unknown', () => {
    fc.assert(fc.property(
      fc.array(fc.record({ advance: fc.integer({ min: 0, max: 400 }), redeem: fc.nat(), twice: fc.boolean() }), { minLength: 500, maxLength: 3000, size: 'max' }),
      (steps) => {
        let now = 0;
        const book = new NonceBook({ clock: { now: () => now }, ttlMs: 10_000, maxEntries: 100_000 });
        const issued: Array<{ nonce: string; at: number; used: Promise<AdminResponse> | null }> = [];
        let fresh = 0;
        for (const [i, step] of steps.entries()) {
          now += step.advance;
          issued.push({ nonce: book.issue(), at: now, used: null });
          const pick = issued[step.redeem % issued.length];
          for (let k = 0; k < (step.twice ? 2 : 1); k++) {
            const r = book.redeem(pick.nonce);
            const alive = now - pick.at < 10_000;
            if (!alive) expect(r.kind).toBe('unknown');
            else if (pick.used === null) {
              expect(r.kind).toBe('fresh');
              if (r.kind === 'fresh') { pick.used = answer(i); r.settle(pick.used); fresh++; }
            } else {
              expect(r.kind).toBe('used');
              if (r.kind === 'used') expect(r.answer).toBe(pick.used);
            }
          }
        }
        expect(fresh).toBeLessThanOrEqual(issued.length);
      },
    ), { numRuns: 8 });
  });

  it('never accepts what it did not issue, whatever the bytes', () => {
    const book = new NonceBook({ clock: { now: () => 0 } });
    for (let i = 0; i < 100; i++) book.issue();
    fc.assert(fc.property(fc.uint8Array({ minLength: 16, maxLength: 16 }), (bytes) => {
      expect(book.redeem(Buffer.from(bytes).toString('hex')).kind).toBe('unknown');
    }), { numRuns: 5000 });
  });

  it('a repeat from the random source is never handed out twice', () => {
    let calls = 0;
    const book = new NonceBook({ clock: { now: () => 0 }, random: () => new Uint8Array(16).fill(calls++ < 3 ? 7 : calls) });
    const a = book.issue();
    const b = book.issue();
    expect(a).not.toBe(b);
  });

  it('keeps at most maxEntries nonces, forgetting the oldest', () => {
    const book = new NonceBook({ clock: { now: () => 0 }, maxEntries: 1000 });
    const nonces = Array.from({ length: 5000 }, () => book.issue());
    expect(book.size).toBe(1000);
    expect(book.redeem(nonces[0]).kind).toBe('unknown');
    expect(book.redeem(nonces[4999]).kind).toBe('fresh');
  });
});
