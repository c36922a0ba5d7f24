import { randomUUID } from 'node:crypto';
import { createWireCodec, WireError } from '../../../core/wire/codec';
import { PROTOCOL_VERSION, type KoiMessage } from '../../../plugin-api';
import { codecPair, leaderHeartbeat, sampleMessages, testCipher } from './fixtures';

describe('wire codec round trip', () => {
  it.each(['node', 'forge'] as const)('carries every message kind intact (%s cipher)', (kind) => {
    const { a, b, aId } = codecPair({}, kind);
    const messages = sampleMessages();
    const kinds = new Set<string>();
    messages.forEach((message, i) => {
      const result = b.decode(a.encode(message), '127.0.0.1:1');
      if (!result.ok) throw new Error(`${message.kind}: ${result.reason} ${result.detail}`);
      expect(result.envelope.message).toEqual(message);
      expect(result.envelope.senderId).toBe(aId);
      expect(result.envelope.seq).toBe(i + 1);
      expect(result.envelope.version).toBe(PROTOCOL_VERSION);
      expect(result.envelope.clusterId).toBe(7);
      kinds.add(message.kind);
    });
    expect([...kinds].sort()).toEqual(['health', 'heartbeat', 'request', 'response', 'state']);
    expect(b.accepted()).toBe(messages.length);
    expect(Object.values(b.rejected()).every((n) => n === 0)).toBe(true);
  });

  it('keeps every enum value of health reports', () => {
    const { a, b } = codecPair();
    const states = ['Failed', 'Disconnected', 'Stopped', 'Live', 'Slave', 'Master'] as const;
    const targets = ['Fail', 'Stop', 'Start', 'Demote', 'Promote'] as const;
    const services = ['Failed', 'Failing', 'Stopped', 'Stopping', 'Starting', 'Started', 'Demoting', 'Promoting', 'Promoted'] as const;
    for (const state of states) {
      for (const target of targets) {
        const message: KoiMessage = {
          kind: 'health', name: 'n', state, mode: state === 'Master' ? 'Active' : 'Passive', uptimeMs: 1, target,
          services: services.map((s, i) => ({ name: `${i}-svc`, state: s })),
          promoted: false, failCount: 0, lastFailureAgoMs: 42, lastFailureReason: '', stopped: true,
        };
        const r = b.decode(a.encode(message), 'x');
        expect(r.ok && r.envelope.message).toEqual(message);
      }
    }
  });

  it('keeps non-IP and odd address forms exactly (text fallback)', () => {
    const { a, b } = codecPair();
    for (const seenAddress of ['mem:node-1', '[fe80::1%eth0]:42012', '[::ffff:10.0.0.1]:1', '[::0001]:5', '10.0.0.1:0', '[2001:db8::1:0:0:1]:65535']) {
      const message: KoiMessage = { kind: 'heartbeat', name: 'n', flags: 0, seenAddress, uptimeMs: 0, holdMs: 1500, ackWindowMs: 150 };
      const r = b.decode(a.encode(message), 'x');
      expect(r.ok && r.envelope.message).toEqual(message);
    }
  });

  it('refuses to encode ids that are not lowercase UUIDs, naming the field', () => {
    const { a } = codecPair();
    const hb = leaderHeartbeat(2);
    hb.view!.nodes[1].id = 'NODE-2';
    expect(() => a.encode(hb)).toThrow(WireError);
    expect(() => a.encode(hb)).toThrow(/view\.nodes\[1\]\.id/);
    expect(() => createWireCodec({ cipher: testCipher(), clusterId: 1, senderId: 'x', clock: codecPair().clock })).toThrow(/sender id/);
  });

  it('throws WireError(oversized) for a message that cannot fit one datagram', () => {
    const { a } = codecPair();
    const text = Array.from({ length: 3000 }, () => randomUUID()).join('');
    try {
      a.encode({ kind: 'response', requestId: 'r', exitCode: 0, text, json: '' });
      throw new Error('expected a throw');
    } catch (err) {
      expect(err).toBeInstanceOf(WireError);
      expect((err as WireError).reason).toBe('oversized');
    }
  });
});

describe('datagram size', () => {
  it.each([3, 32])('a leader heartbeat describing %i nodes fits under 1400 bytes sealed', (n) => {
    const { a, b } = codecPair();
    const message = leaderHeartbeat(n);
    const datagram = a.encode(message);
    // Logged so the number in docs/performance.md can be checked against a test run.
    process.stdout.write(`leader heartbeat, ${n} nodes: ${datagram.length} bytes sealed\n`);
    expect(datagram.length).toBeLessThan(1400);
    const r = b.decode(datagram, 'x');
    expect(r.ok && r.envelope.message).toEqual(message);
  });
});
