import { randomUUID } from 'node:crypto';
import { createWireCodec } from '../../../core/wire/codec';
import { FRAME_HEADER_BYTES } from '../../../core/wire/frame';
import { createRejectLogger } from '../../../core/wire/reject-logger';
import { REJECT_REASONS, type RejectReason, type WireCodec } from '../../../core/wire/types';
import { PROTOCOL_VERSION, type KoiMessage } from '../../../plugin-api';
import { createTestLogger } from '../../helpers/logger';
import { codecPair, leaderHeartbeat, testCipher } from './fixtures';

const hb: KoiMessage = { kind: 'heartbeat', name: 'node-02', flags: 3, seenAddress: '', uptimeMs: 10, holdMs: 1500, ackWindowMs: 150 };

function expectOnly(codec: WireCodec, expected: Partial<Record<RejectReason, number>>): void {
  const want = Object.fromEntries(REJECT_REASONS.map((r) => [r, expected[r] ?? 0]));
  expect(codec.rejected()).toEqual(want);
}

function expectReject(codec: WireCodec, datagram: Uint8Array, reason: RejectReason): void {
  const r = codec.decode(datagram, '192.0.2.1:42012');
  expect(r.ok).toBe(false);
  if (!r.ok) expect(r.reason).toBe(reason);
}

describe('wire codec rejections', () => {
  it('truncated: every prefix of a real datagram is refused without a throw', () => {
    const { a, b } = codecPair();
    const d = a.encode(hb);
    for (let len = 0; len < d.length; len++) {
      const r = b.decode(d.subarray(0, len), 'x');
      expect(r.ok).toBe(false);
      if (!r.ok) expect(['truncated', 'auth-failed', 'bad-magic']).toContain(r.reason);
    }
    expect(b.rejected().truncated).toBeGreaterThan(0);
    expect(b.accepted()).toBe(0);
  });

  it('oversized: refused before anything else', () => {
    const { a, b } = codecPair({ maxDatagramSize: 600 });
    expectReject(b, new Uint8Array(601), 'oversized');
    const big = a.encode(hb);
    const padded = new Uint8Array(700);
    padded.set(big);
    expectReject(b, padded, 'oversized');
    expectOnly(b, { oversized: 2 });
  });

  it('garbage: random bytes, wrong magic', () => {
    const { b } = codecPair();
    expectReject(b, new Uint8Array(200).fill(0xab), 'bad-magic');
    const g = new Uint8Array(200);
    g[0] = 0x4b; g[1] = 0x49; g[2] = PROTOCOL_VERSION; g[7] = 7;
    expectReject(b, g, 'auth-failed');
    expectOnly(b, { 'bad-magic': 1, 'auth-failed': 1 });
  });

  it('wrong password: auth-failed', () => {
    const { a, clock } = codecPair();
    const other = createWireCodec({ cipher: testCipher('node', 'other-password'), clusterId: 7, senderId: randomUUID(), clock });
    expectReject(other, a.encode(hb), 'auth-failed');
    expectOnly(other, { 'auth-failed': 1 });
  });

  it('wrong cluster id (header) and a re-labelled header fail', () => {
    const { a, clock } = codecPair();
    const other = createWireCodec({ cipher: testCipher(), clusterId: 8, senderId: randomUUID(), clock });
    const d = a.encode(hb);
    expectReject(other, d, 'wrong-cluster');
    // Relabel the header as cluster 8: same key, but the header is authenticated data.
    const relabelled = Uint8Array.from(d);
    relabelled[7] = 8;
    expectReject(other, relabelled, 'auth-failed');
    expectOnly(other, { 'wrong-cluster': 1, 'auth-failed': 1 });
  });

  it('wrong version', () => {
    const { a, b } = codecPair();
    const d = Uint8Array.from(a.encode(hb));
    d[2] = PROTOCOL_VERSION - 1; // the previous release (protocol 2: no riders) is refused, not misread
    expectReject(b, d, 'bad-version');
    expectOnly(b, { 'bad-version': 1 });
  });

  it('every flipped bit of a real datagram is refused, nothing throws, nothing is accepted', () => {
    const { a, b, clock } = codecPair();
    const original = a.encode(leaderHeartbeat(4));
    const seen = new Set<RejectReason>();
    for (let bit = 0; bit < original.length * 8; bit++) {
      const d = Uint8Array.from(original);
      d[bit >> 3] ^= 1 << (bit & 7);
      const r = b.decode(d, 'x');
      expect(r.ok).toBe(false);
      if (!r.ok) seen.add(r.reason);
    }
    // A flipped flag bit is refused as malformed before any crypto (unknown flags); every other bit fails a header check or authentication.
    expect([...seen].sort()).toEqual(['auth-failed', 'bad-magic', 'bad-version', 'malformed', 'wrong-cluster']);
    expect(b.accepted()).toBe(0);
    // The original is still accepted afterwards: no state changed.
    clock.advance(1);
    expect(b.decode(original, 'x').ok).toBe(true);
  });

  it('duplicate inside the window, replay behind it, too old, from the future', () => {
    const { a, b, clock } = codecPair({ replayWindow: 8 });
    const first = a.encode(hb);
    expect(b.decode(first, 'l1').ok).toBe(true);
    expectReject(b, first, 'duplicate');
    // Out of order but inside the window: accepted once.
    const d2 = a.encode(hb);
    const d3 = a.encode(hb);
    expect(b.decode(d3, 'l1').ok).toBe(true);
    expect(b.decode(d2, 'l1').ok).toBe(true);
    expectReject(b, d2, 'duplicate');
    for (let i = 0; i < 10; i++) expect(b.decode(a.encode(hb), 'l1').ok).toBe(true);
    expectReject(b, first, 'replay');
    expectReject(b, d3, 'replay');
    // Too old: 30 s default.
    const late = a.encode(hb);
    clock.advance(30_001);
    expectReject(b, late, 'too-old');
    // From the future: a sender whose clock is 31 s ahead.
    const ahead = createWireCodec({
      cipher: testCipher(), clusterId: 7, senderId: randomUUID(),
      clock: Object.assign(Object.create(clock) as typeof clock, { wallNow: () => clock.wallNow() + 31_000 }),
    });
    expectReject(b, ahead.encode(hb), 'too-old');
    expectOnly(b, { duplicate: 2, replay: 2, 'too-old': 2 });
    expect(b.accepted()).toBe(13);
  });

  it('a sender forgotten after silence still cannot be replayed', () => {
    const { a, b, clock } = codecPair({ maxAgeMs: 1000 });
    const d = a.encode(hb);
    expect(b.decode(d, 'x').ok).toBe(true);
    clock.advance(5000);
    expect(b.decode(a.encode(hb), 'x').ok).toBe(true); // prunes old windows
    expectReject(b, d, 'too-old');
  });

  it('own datagrams (multicast loopback) are dropped as own-message', () => {
    const { a } = codecPair();
    expectReject(a, a.encode(hb), 'own-message');
    expectOnly(a, { 'own-message': 1 });
  });

  it('authentic but meaningless payloads are malformed (validated after authentication)', () => {
    const { b, clock } = codecPair();
    // A codec of the same key whose messages break the rules: unknown enum value, wrong version in envelope.
    const cipher = testCipher();
    const sender = createWireCodec({ cipher, clusterId: 7, senderId: randomUUID(), clock });
    const bad = { kind: 'health', name: 'n', state: 'Bogus', mode: 'Active', uptimeMs: 0, target: 'Start', services: [], promoted: false, failCount: 0, lastFailureAgoMs: -1, lastFailureReason: '', stopped: false };
    expect(() => sender.encode(bad as unknown as KoiMessage)).toThrow(/health\.state 'Bogus'/);
    // Hand-made frames: authentic garbage, authentic empty envelope.
    const { writeFrameHeader } = jest.requireActual<typeof import('../../../core/wire/frame')>('../../../core/wire/frame');
    const header = writeFrameHeader({ version: PROTOCOL_VERSION, flags: 0, clusterId: 7, keyId: 0 });
    for (const payload of [Uint8Array.of(0xff, 0xff, 0xff), Uint8Array.of(0), Uint8Array.of(0x08, 0x01)]) {
      const sealed = cipher.seal(header, payload);
      const d = new Uint8Array(FRAME_HEADER_BYTES + sealed.length);
      d.set(header); d.set(sealed, FRAME_HEADER_BYTES);
      expectReject(b, d, 'malformed');
    }
    // Deflate flag on a payload that is not deflate data.
    const h2 = writeFrameHeader({ version: PROTOCOL_VERSION, flags: 1, clusterId: 7, keyId: 0 });
    const s2 = cipher.seal(h2, Uint8Array.of(1, 2, 3, 4));
    const d2 = new Uint8Array(FRAME_HEADER_BYTES + s2.length);
    d2.set(h2); d2.set(s2, FRAME_HEADER_BYTES);
    expectReject(b, d2, 'malformed');
    expectOnly(b, { malformed: 4 });
  });

  it('a rider that breaks the rules makes its whole heartbeat malformed, naming the rider field', () => {
    const { b, clock } = codecPair();
    const cipher = testCipher();
    const sender = createWireCodec({ cipher, clusterId: 7, senderId: randomUUID(), clock });
    const { koi } = jest.requireActual<typeof import('../../../core/wire/generated/koi')>('../../../core/wire/generated/koi');
    const { writeFrameHeader } = jest.requireActual<typeof import('../../../core/wire/frame')>('../../../core/wire/frame');
    const envelope = (heartbeat: object): Uint8Array => {
      const plain = koi.wire.Envelope.encode({ version: PROTOCOL_VERSION, clusterId: 7, senderId: Buffer.alloc(16, 9), seq: 1, sentAt: clock.wallNow(), heartbeat }).finish();
      const header = writeFrameHeader({ version: PROTOCOL_VERSION, flags: 0, clusterId: 7, keyId: 0 });
      const sealed = cipher.seal(header, plain);
      const d = new Uint8Array(FRAME_HEADER_BYTES + sealed.length);
      d.set(header); d.set(sealed, FRAME_HEADER_BYTES);
      return d;
    };
    const base = { name: 'n1', uptimeMs: 5 };
    const shortId = b.decode(envelope({ ...base, stateUpdates: [{ runnerId: Buffer.alloc(3), update: { leaderName: 'n1' } }] }), 'test');
    expect(shortId).toMatchObject({ ok: false, reason: 'malformed' });
    expect(JSON.stringify(shortId)).toMatch(/heartbeat\.stateUpdates\[0\]\.runnerId/);
    const noLeader = b.decode(envelope({ ...base, health: { name: 'n2', state: 5, mode: 1, target: 3 } }), 'test');
    expect(JSON.stringify(noLeader)).toMatch(/heartbeat\.healthLeaderId/);
    const badReport = b.decode(envelope({ ...base, health: { name: 'n2', state: 99, mode: 1, target: 3 }, healthLeaderId: Buffer.alloc(16, 1) }), 'test');
    expect(JSON.stringify(badReport)).toMatch(/heartbeat\.health\.state/);
    expect(sender.encode({ kind: 'heartbeat', name: 'n1', flags: 0, seenAddress: '', uptimeMs: 5, holdMs: 0, ackWindowMs: 0 }).length).toBeGreaterThan(0);
  });
});

describe('reject logger', () => {
  it('warns once per source per interval, names the source and reason, counts suppressed, ignores duplicates', () => {
    const { a, b, clock } = codecPair();
    const log = createTestLogger();
    const report = createRejectLogger(log.logger, clock, { intervalMs: 10_000 });
    const wrong = createWireCodec({ cipher: testCipher('node', 'bad-password-x'), clusterId: 7, senderId: randomUUID(), clock });
    const receive = (d: Uint8Array, from: string): void => report(b.decode(d, from), from);
    for (let i = 0; i < 5; i++) receive(wrong.encode(hb), '192.0.2.9:42012');
    receive(Uint8Array.of(1, 2, 3), '[2001:db8::9]:42012');
    const ok = a.encode(hb);
    receive(ok, '10.0.0.1:42012');
    receive(ok, '10.0.0.2:42012'); // duplicate over a second link: counted, not warned
    let warns = log.find('warn');
    expect(warns).toHaveLength(2);
    expect(warns[0].msg).toContain('192.0.2.9:42012');
    expect(warns[0].msg).toContain('auth-failed');
    expect(warns[0].source).toBe('192.0.2.9:42012');
    expect(warns[1].msg).toContain('[2001:db8::9]:42012');
    expect(warns[1].reason).toBe('truncated');
    expect(b.rejected().duplicate).toBe(1);
    clock.advance(10_000);
    receive(wrong.encode(hb), '192.0.2.9:42012');
    warns = log.find('warn');
    expect(warns).toHaveLength(3);
    expect(warns[2].suppressed).toBe(4);
    expect(warns[2].msg).toMatch(/4 more from 192\.0\.2\.9 dropped/);
  });

  it('keys sources by address, not port: a flood from rotating ports is one warning per interval', () => {
    const { b, clock } = codecPair();
    const log = createTestLogger();
    const report = createRejectLogger(log.logger, clock, { intervalMs: 10_000 });
    const junk = new Uint8Array(200).fill(7);
    for (let second = 0; second < 60; second++) {
      for (let i = 0; i < 1000; i++) report(b.decode(junk, `127.0.0.1:${1024 + ((second * 1000 + i) % 60000)}`), `127.0.0.1:${1024 + ((second * 1000 + i) % 60000)}`);
      clock.advance(1000);
    }
    const warns = log.find('warn');
    expect(warns.length).toBeLessThanOrEqual(6);
    expect(warns.at(-1)?.address).toBe('127.0.0.1');
    expect(warns.at(-1)?.msg).toMatch(/; 9999 more from 127\.0\.0\.1 dropped in the last 10 s/);
  });

  it('a global budget: a flood from 100 000 addresses costs a burst then about one line a second, and says what it dropped', () => {
    const { b, clock } = codecPair();
    const log = createTestLogger();
    const report = createRejectLogger(log.logger, clock, { intervalMs: 10_000 });
    const junk = new Uint8Array(200).fill(7);
    let n = 0;
    for (let second = 0; second < 60; second++) {
      for (let i = 0; i < 1000; i++, n++) {
        const from = `10.${(n >> 16) & 255}.${(n >> 8) & 255}.${n & 255}:9`;
        report(b.decode(junk, from), from);
      }
      clock.advance(1000);
    }
    const warns = log.find('warn');
    expect(warns.length).toBeGreaterThanOrEqual(60);
    expect(warns.length).toBeLessThanOrEqual(5 + 60);
    const summarised = warns.reduce((sum, w) => sum + (w.unlogged as number), 0);
    // Every dropped datagram is either warned or counted in a summary (the last second's are still pending).
    expect(summarised + warns.length).toBeGreaterThan(60_000 - 1000);
    expect(warns.at(-1)?.msg).toMatch(/; 99\d more dropped from 99\d addresses without a warning in the last 1 s \(log rate limit\)/);
  });
});

describe('names on the wire', () => {
  const evil = 'evil\u001b[2J\u001b[31m';
  const bad: KoiMessage[] = [
    { kind: 'heartbeat', name: evil, flags: 3, seenAddress: '', uptimeMs: 10, holdMs: 1500, ackWindowMs: 150 },
    { kind: 'heartbeat', name: '-rf', flags: 3, seenAddress: '', uptimeMs: 10, holdMs: 1500, ackWindowMs: 150 },
    {
      kind: 'health', name: 'node-03', state: 'Slave', mode: 'Passive', uptimeMs: 1, target: 'Start',
      services: [{ name: evil, state: 'Started' }], promoted: false, failCount: 0, lastFailureAgoMs: -1, lastFailureReason: '', stopped: false,
    },
    { kind: 'state', masterId: '', masterName: '--master', masterAddress: '', leaderName: 'l', leaderUptimeMs: 1, hasQuorum: true, maintenance: false, leaseMs: 0 },
  ];

  it('a heartbeat, health report or state update carrying a bad name is dropped as malformed; the warning names the source and escapes the name', () => {
    const { a, b, clock } = codecPair();
    const log = createTestLogger();
    const report = createRejectLogger(log.logger, clock, { intervalMs: 10_000 });
    bad.forEach((message, i) => {
      const from = `192.0.2.${i + 1}:42012`;
      const result = b.decode(a.encode(message), from);
      expect(result.ok).toBe(false);
      if (!result.ok) expect(result.reason).toBe('malformed');
      report(result, from);
      report(b.decode(a.encode(message), from), from); // rate-limited: one warning per source
    });
    const warns = log.find('warn');
    expect(warns.map((w) => w.source)).toEqual(['192.0.2.1:42012', '192.0.2.2:42012', '192.0.2.3:42012', '192.0.2.4:42012']);
    expect(warns[0].msg).toContain('heartbeat.name "evil\\x1b[2J\\x1b[31m" is not a valid name');
    expect(warns[1].msg).toContain('heartbeat.name "-rf" is not a valid name: it starts with "-"');
    expect(warns[2].msg).toContain('health.services[0].name "evil\\x1b[2J\\x1b[31m"');
    expect(warns[3].msg).toContain('state.masterName "--master"');
    for (const w of warns) expect(w.msg).not.toContain('\u001b');
    expect(b.accepted()).toBe(0);
  });

  it('valid names, and the empty master/leader name (none), pass', () => {
    const { a, b } = codecPair();
    const ok: KoiMessage = { kind: 'state', masterId: '', masterName: '', masterAddress: '', leaderName: 'db-1.example', leaderUptimeMs: 1, hasQuorum: true, maintenance: false, leaseMs: 0 };
    expect(b.decode(a.encode(ok), 'x').ok).toBe(true);
  });
});
