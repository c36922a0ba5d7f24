/**
 * Property tests: tens of thousands of random and mutated datagrams against
 * the decoder. None may throw; none may decode unless it is authentic (an
 * untouched datagram the sender produced, received for the first time).
 */
import * as fc from 'fast-check';
import { FRAME_HEADER_BYTES } from '../../../core/wire/frame';
import type { KoiMessage } from '../../../plugin-api';
import { codecPair, leaderHeartbeat, sampleMessages } from './fixtures';

const messages: KoiMessage[] = [...sampleMessages(), leaderHeartbeat(8)];

describe('decoder properties', () => {
  it('random bytes never throw and never decode (20000 runs)', () => {
    const { b } = codecPair();
    fc.assert(fc.property(fc.uint8Array({ maxLength: 1600 }), (bytes) => {
      const r = b.decode(bytes, 'fuzz');
      expect(r.ok).toBe(false);
    }), { numRuns: 20000 });
    expect(b.accepted()).toBe(0);
  });

  it('random bytes behind a valid header never decode (10000 runs)', () => {
    const { a, b } = codecPair();
    const header = a.encode(messages[0]).subarray(0, FRAME_HEADER_BYTES);
    fc.assert(fc.property(fc.uint8Array({ minLength: 0, maxLength: 1400 }), (tail) => {
      const d = new Uint8Array(FRAME_HEADER_BYTES + tail.length);
      d.set(header); d.set(tail, FRAME_HEADER_BYTES);
      const r = b.decode(d, 'fuzz');
      expect(r.ok).toBe(false);
    }), { numRuns: 10000 });
    expect(b.accepted()).toBe(0);
  });

  it('mutated real datagrams never throw and decode only when identical to an authentic one (20000 runs)', () => {
    const { a, b } = codecPair({}, 'node');
    const pool = messages.map((m) => a.encode(m));
    const mutation = fc.oneof(
      fc.record({ kind: fc.constant('flip' as const), at: fc.nat(), bit: fc.integer({ min: 0, max: 7 }) }),
      fc.record({ kind: fc.constant('truncate' as const), at: fc.nat() }),
      fc.record({ kind: fc.constant('extend' as const), extra: fc.uint8Array({ minLength: 1, maxLength: 64 }) }),
      fc.record({ kind: fc.constant('splice' as const), other: fc.nat(), at: fc.nat() }),
      fc.record({ kind: fc.constant('overwrite' as const), at: fc.nat(), bytes: fc.uint8Array({ minLength: 1, maxLength: 8 }) }),
      fc.record({ kind: fc.constant('replay' as const) }),
    );
    let decodedFresh = 0;
    fc.assert(fc.property(fc.nat(), fc.array(mutation, { minLength: 1, maxLength: 3 }), (which, muts) => {
      const original = pool[which % pool.length];
      let d = Uint8Array.from(original);
      for (const m of muts) {
        switch (m.kind) {
          case 'flip': d[m.at % d.length] ^= 1 << m.bit; break;
          case 'truncate': d = d.subarray(0, m.at % d.length); break;
          case 'extend': d = Uint8Array.from([...d, ...m.extra]); break;
          case 'splice': {
            const o = pool[m.other % pool.length];
            const cut = m.at % Math.min(d.length, o.length);
            d = Uint8Array.from([...d.subarray(0, cut), ...o.subarray(cut)]);
            break;
          }
          case 'overwrite': d.set(m.bytes.subarray(0, Math.max(0, d.length - (m.at % Math.max(1, d.length)))), m.at % Math.max(1, d.length)); break;
          case 'replay': break;
        }
      }
      // A splice at offset 0 yields another whole pool datagram: authentic too.
      const unchanged = pool.some((p) => d.length === p.length && d.every((x, i) => x === p[i]));
      const r = b.decode(d, 'fuzz');
      if (r.ok) {
        expect(unchanged).toBe(true);
        decodedFresh++;
      }
    }), { numRuns: 20000 });
    // Each pool datagram decodes at most once; later copies are duplicates.
    expect(decodedFresh).toBeLessThanOrEqual(pool.length);
    expect(b.accepted()).toBe(decodedFresh);
  });
});
