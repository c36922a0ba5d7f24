/**
 * Property tests with teeth: full-size random datagrams (fast-check's default
 * `size` caps arrays at ~10 bytes whatever maxLength says, so every array
 * here sets `size: 'max'` or a minLength) and validly sealed datagrams
 * mutated after sealing (a bit flip anywhere, truncation, extension, splices).
 * None may throw, none may decode unless identical to an authentic one, and
 * each must be refused by the check that owns the bytes it touched: a changed
 * sealed part must fail *authentication* (not die earlier at a size check),
 * which is what makes these tests fail when a cipher's tag check is removed.
 */
import * as fc from 'fast-check';
import { FRAME_HEADER_BYTES } from '../../../core/wire/frame';
import { GCM_OVERHEAD } from '../../../core/wire/aes-gcm';
import type { AdminResponse, KoiMessage } from '../../../plugin-api';
import type { RejectReason } from '../../../core/wire/types';
import { codecPair, leaderHeartbeat, sampleMessages, type CipherKind } from './fixtures';

const MAX = 1472;
const messages: KoiMessage[] = [...sampleMessages(), leaderHeartbeat(8), leaderHeartbeat(32)];
/** Full-size datagrams: a response whose text is random (incompressible), from 0 to ~1000 bytes of base64. */
const bigResponse = fc.uint8Array({ minLength: 0, maxLength: 1000, size: 'max' }).map((bytes): AdminResponse => ({
  kind: 'response', requestId: 'r', exitCode: 0, text: Buffer.from(bytes).toString('base64').slice(0, 1300), json: '',
}));

const mutation = fc.oneof(
  fc.record({ kind: fc.constant('flip' as const), at: fc.nat(), bit: fc.integer({ min: 0, max: 7 }) }),
  fc.record({ kind: fc.constant('truncate' as const), by: fc.integer({ min: 1, max: MAX }) }),
  fc.record({ kind: fc.constant('extend' as const), extra: fc.uint8Array({ minLength: 1, maxLength: 64, size: 'max' }) }),
);
type Mutation = typeof mutation extends fc.Arbitrary<infer M> ? M : never;

function mutate(original: Uint8Array, m: Mutation): { d: Uint8Array; allowed: RejectReason[] } {
  const d = Uint8Array.from(original);
  switch (m.kind) {
    case 'flip': {
      const at = m.at % d.length;
      d[at] ^= 1 << m.bit;
      // Header bytes have their own cheap checks; everything after the header is sealed: only authentication may refuse it.
      const allowed: RejectReason[] = at < 2 ? ['bad-magic'] : at === 2 ? ['bad-version'] : at === 3 ? [m.bit === 0 ? 'auth-failed' : 'malformed'] /* bit 0 = deflated, a known flag */ : at < 8 ? ['wrong-cluster'] : ['auth-failed'];
      return { d, allowed };
    }
    case 'truncate': {
      const cut = d.subarray(0, Math.max(0, d.length - m.by));
      return { d: cut, allowed: cut.length < FRAME_HEADER_BYTES + GCM_OVERHEAD + 1 ? ['truncated'] : ['auth-failed'] };
    }
    case 'extend': {
      const longer = Uint8Array.from([...d, ...m.extra]);
      return { d: longer, allowed: longer.length > MAX ? ['oversized'] : ['auth-failed'] };
    }
  }
}

describe.each<[CipherKind, number]>([['node', 1], ['forge', 0.2]])('decoder properties (%s cipher)', (kind, share) => {
  const runs = (n: number): number => Math.max(200, Math.round(n * share));

  it('random datagrams of 1..1472 bytes never throw and never decode, and do reach past the size check', () => {
    const { b } = codecPair({}, kind);
    const lengths: number[] = [];
    fc.assert(fc.property(fc.uint8Array({ minLength: 1, maxLength: MAX, size: 'max' }), (bytes) => {
      lengths.push(bytes.length);
      expect(b.decode(bytes, 'fuzz').ok).toBe(false);
    }), { endOnFailure: true, numRuns: runs(10000) });
    expect(b.accepted()).toBe(0);
    // The generator really makes big datagrams (the old tests never exceeded 10 bytes).
    expect(lengths.filter((n) => n > 700).length).toBeGreaterThan(lengths.length / 3);
    // fast-check biases some runs toward short arrays: up to ~10 % fall under the minimum datagram; a quarter is a wide margin.
    expect(b.rejected().truncated).toBeLessThan(lengths.length / 4);
  });

  it('random bytes of any size behind a valid header all fail authentication (not an earlier check)', () => {
    const { a, b } = codecPair({}, kind);
    const header = a.encode(messages[0]).subarray(0, FRAME_HEADER_BYTES);
    fc.assert(fc.property(fc.uint8Array({ minLength: 54, maxLength: MAX - FRAME_HEADER_BYTES, size: 'max' }), (tail) => {
      const d = new Uint8Array(FRAME_HEADER_BYTES + tail.length);
      d.set(header); d.set(tail, FRAME_HEADER_BYTES);
      const r = b.decode(d, 'fuzz');
      expect(r.ok ? 'accepted' : r.reason).toBe('auth-failed');
    }), { endOnFailure: true, numRuns: runs(5000) });
    expect(b.accepted()).toBe(0);
  });

  it('sealed datagrams up to full size, mutated after sealing (bit flip anywhere, truncation, extension): each refused by the check owning the changed bytes', () => {
    const { a, b } = codecPair({}, kind);
    let sealedBytes = 0;
    fc.assert(fc.property(bigResponse, mutation, (message, m) => {
      const sealed = a.encode(message);
      sealedBytes += sealed.length;
      const { d, allowed } = mutate(sealed, m);
      const r = b.decode(d, 'fuzz');
      expect(r.ok ? 'accepted' : r.reason).toBe(allowed.length === 1 ? allowed[0] : expect.stringMatching(allowed.join('|')));
    }), { endOnFailure: true, numRuns: runs(6000) });
    expect(b.accepted()).toBe(0);
    expect(sealedBytes / runs(6000)).toBeGreaterThan(500); // average datagram size: not a toy
  });

  it('mutation chains over real messages never throw and decode only when identical to an authentic one', () => {
    const { a, b } = codecPair({}, kind);
    const pool = messages.map((msg) => a.encode(msg));
    const chain = fc.oneof(
      mutation,
      fc.record({ kind: fc.constant('splice' as const), other: fc.nat(), at: fc.nat() }),
      fc.record({ kind: fc.constant('replay' as const) }),
    );
    let decodedFresh = 0;
    fc.assert(fc.property(fc.nat(), fc.array(chain, { minLength: 1, maxLength: 3 }), (which, muts) => {
      let d: Uint8Array = Uint8Array.from(pool[which % pool.length]);
      for (const m of muts) {
        if (m.kind === 'splice') {
          const o = pool[m.other % pool.length];
          const cut = m.at % Math.max(1, Math.min(d.length, o.length));
          d = Uint8Array.from([...d.subarray(0, cut), ...o.subarray(cut)]);
        } else if (m.kind !== 'replay' && d.length > 0) {
          d = mutate(d, m).d;
        }
      }
      const unchanged = pool.some((p) => d.length === p.length && d.every((x, i) => x === p[i]));
      const r = b.decode(d, 'fuzz');
      if (r.ok) {
        expect(unchanged).toBe(true);
        decodedFresh++;
      }
    }), { endOnFailure: true, numRuns: runs(10000) });
    expect(decodedFresh).toBeLessThanOrEqual(pool.length);
    expect(b.accepted()).toBe(decodedFresh);
  });
});
