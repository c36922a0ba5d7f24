/**
 * Issue 10 case 8: an in-process restart keeps the node id, so its sequence
 * numbers must go on where they were, or peers drop its traffic as replays
 * for as long as it had been running. core/daemon.ts hands every generation
 * of the node one counter (`sequence`).
 */
import { randomUUID } from 'node:crypto';
import { VirtualClock } from '../../../core/clock';
import { createWireCodec } from '../../../core/wire/codec';
import type { KoiMessage } from '../../../plugin-api';
import { testCipher } from './fixtures';

const beat: KoiMessage = { kind: 'heartbeat', name: 'n1', flags: 3, seenAddress: '', uptimeMs: 1, holdMs: 1500, ackWindowMs: 150 };

function scenario(shared: boolean): { accepted: number; replays: number } {
  const clock = new VirtualClock();
  const cipher = testCipher('node');
  const id = randomUUID();
  const sequence = { last: 0 };
  const peer = createWireCodec({ cipher, clusterId: 7, senderId: randomUUID(), clock });
  const before = createWireCodec({ cipher, clusterId: 7, senderId: id, clock, sequence: shared ? sequence : undefined });
  for (let i = 0; i < 500; i++) peer.decode(before.encode(beat), '127.0.0.1:1');
  // The reload-restart: a new codec for the same id.
  const after = createWireCodec({ cipher, clusterId: 7, senderId: id, clock, sequence: shared ? sequence : undefined });
  let accepted = 0;
  for (let i = 0; i < 100; i++) if (peer.decode(after.encode(beat), '127.0.0.1:1').ok) accepted++;
  return { accepted, replays: peer.rejected().replay };
}

describe('sequence numbers across an in-process restart (issue 10 case 8)', () => {
  test('a shared counter: the peer accepts every datagram after the restart', () => {
    expect(scenario(true)).toEqual({ accepted: 100, replays: 0 });
  });

  test('a fresh counter (the old behaviour) gets the restarted node dropped as a replayer', () => {
    const { accepted, replays } = scenario(false);
    expect(accepted).toBe(0);
    expect(replays).toBe(100);
  });
});
