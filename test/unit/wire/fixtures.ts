/** Realistic messages and codec pairs shared by the wire tests. */
import { randomUUID } from 'node:crypto';
import { VirtualClock } from '../../../core/clock';
import { createWireCodec } from '../../../core/wire/codec';
import type { WireCodec, WireCodecOptions } from '../../../core/wire/types';
import { createNodeCipher } from '../../../plugins/crypto-node';
import { createForgeCipher } from '../../../plugins/crypto-forge';
import { DEFAULT_KDF_ITERATIONS, deriveClusterKey } from '../../../core/wire/key';
import {
  NodeFlag, type AdminRequest, type AdminResponse, type Cipher, type HealthReport, type HeartBeat, type KoiMessage, type StateUpdate,
} from '../../../plugin-api';

/** The minimum (= default) iteration count; keys are cached per password. */
export const TEST_ITERATIONS = DEFAULT_KDF_ITERATIONS;
const keys = new Map<string, Uint8Array>();
export function testKey(password = 'secret-password', clusterId = 7): Uint8Array {
  const k = `${password}/${clusterId}`;
  if (!keys.has(k)) keys.set(k, deriveClusterKey(password, clusterId, TEST_ITERATIONS));
  return keys.get(k) as Uint8Array;
}

export type CipherKind = 'forge' | 'node';
export function testCipher(kind: CipherKind = 'node', password = 'secret-password', clusterId = 7): Cipher {
  return kind === 'forge' ? createForgeCipher(testKey(password, clusterId)) : createNodeCipher(testKey(password, clusterId));
}

/** A sending and a receiving codec of the same cluster on one virtual clock. */
export function codecPair(overrides: Partial<WireCodecOptions> = {}, kind: CipherKind = 'node'): {
  clock: VirtualClock; a: WireCodec; b: WireCodec; aId: string; bId: string;
} {
  const clock = new VirtualClock();
  const aId = randomUUID();
  const bId = randomUUID();
  const base = { cipher: testCipher(kind), clusterId: 7, clock, ...overrides };
  return { clock, aId, bId, a: createWireCodec({ ...base, senderId: aId }), b: createWireCodec({ ...base, senderId: bId }) };
}

export function pad2(n: number): string {
  return String(n).padStart(2, '0');
}

/** A leader's heartbeat describing `n` nodes named node-01.., each with two addresses. */
export function leaderHeartbeat(n: number): HeartBeat {
  const nodes = Array.from({ length: n }, (_, i) => ({
    id: randomUUID(),
    name: `node-${pad2(i + 1)}`,
    flags: NodeFlag.Elector | NodeFlag.Runner | (i === 0 ? NodeFlag.Leader : 0),
    addresses: [`10.0.0.${i + 11}:42012`, `[fd00:0:0:1::${(i + 11).toString(16)}]:42012`],
    lastSeenAgoMs: 137 + i * 31,
  }));
  return {
    kind: 'heartbeat',
    name: 'node-01',
    flags: NodeFlag.Elector | NodeFlag.Runner | NodeFlag.Leader,
    seenAddress: '',
    uptimeMs: 86_400_123,
    holdMs: 1500,
    ackWindowMs: 150,
    view: {
      leaderId: nodes[0].id,
      masterId: nodes[1 % n].id,
      masterName: nodes[1 % n].name,
      maintenance: false,
      manualMaster: false,
      nodes,
    },
  };
}

export function sampleMessages(): KoiMessage[] {
  const heartbeat: HeartBeat = { kind: 'heartbeat', name: 'node-02', flags: NodeFlag.Runner, seenAddress: '[::1]:42012', uptimeMs: 1234, holdMs: 1500, ackWindowMs: 150 };
  const health: HealthReport = {
    kind: 'health', name: 'node-03', state: 'Slave', mode: 'Passive', uptimeMs: 999_999, target: 'Start',
    services: [{ name: '10-virtualip', state: 'Started' }, { name: '20-postgres', state: 'Promoting' }],
    promoted: true, failCount: 2, lastFailureAgoMs: -1, lastFailureReason: 'status exited 1', stopped: false,
  };
  const state: StateUpdate = {
    kind: 'state', masterId: randomUUID(), masterName: 'node-02', masterAddress: '10.0.0.2:42012',
    leaderName: 'node-01', leaderUptimeMs: 5000, hasQuorum: true, maintenance: true, leaseMs: 1200,
    leaseEnd: { uptimeMs: 123_456_789, observedUptimeMs: 123_255_001, observedSeq: 4_000_000_001 },
  };
  const { leaseEnd: _granted, ...withoutGrant } = state;
  const stateNoMaster: StateUpdate = { ...withoutGrant, masterId: '', masterName: '', masterAddress: '', hasQuorum: false, leaseMs: 0 };
  const request: AdminRequest = { kind: 'request', requestId: 'r-1', command: 'promote', args: ['node-02', 'ünïcödé'], hops: 1 };
  const response: AdminResponse = { kind: 'response', requestId: 'r-1', exitCode: 1, text: 'unknown node x', json: '{"ok":false}' };
  // Protocol 3 riders: a leader's heartbeat with its tick's state updates, a runner's with its periodic report.
  const leaderWithUpdates: HeartBeat = { ...leaderHeartbeat(3), stateUpdates: [{ runnerId: randomUUID(), update: state }, { runnerId: randomUUID(), update: stateNoMaster }] };
  const runnerWithReport: HeartBeat = { ...heartbeat, seenAddress: '', health: { leaderId: randomUUID(), report: health } };
  // An answer to a leader's heartbeat (protocol 6: naming the incarnation answered).
  const answer: HeartBeat = {
    ...heartbeat, seenAddress: '', uptimeSinceSeq: 3, answersLeaderId: randomUUID(), answersUptimeMs: 98_765, answersSinceSeq: 41, answersFreeAgoMs: -250,
  };
  return [heartbeat, leaderHeartbeat(3), leaderHeartbeat(32), health, state, stateNoMaster, request, response, leaderWithUpdates, runnerWithReport, answer];
}
