/**
 * Maps koi's plain message objects (plugin-api/messages.ts) to the generated
 * protobuf shapes and back. The way back validates meaning: known kind, enum
 * ranges, id lengths, sane string and list sizes, safe integers. It runs
 * only on authenticated bytes, and throws MessageFormatError, which the
 * codec turns into a `malformed` rejection.
 */
import {
  ErrorCode, KoiError, RUNNER_STATES, SERVICE_STATES, TARGET_ACTIONS,
  type AdminRequest, type AdminResponse, type ClusterNodeInfo, type ClusterView, type HealthReport,
  type HeartBeat, type KoiMessage, type RunnerMode, type ServiceStatusInfo, type StateUpdate,
} from '../../plugin-api';
import { compactAddress, expandAddress } from './address';
import { escapeControl, nameProblem } from '../../plugin-api/names';
import { koi } from './generated/koi';
import pb = koi.wire;

/** Bounds a decoded message must respect (a node never produces more). */
export const WIRE_LIMITS = {
  /** Node, service, master and leader names. */
  nameChars: 256,
  /** Address text (non-IP transports) and request ids. */
  shortTextChars: 256,
  lastFailureReasonChars: 4096,
  /** Lines of a failing script's output carried with the failure, and characters per line. */
  failureOutputLines: 32,
  failureOutputLineChars: 1024,
  commandChars: 64,
  argChars: 4096,
  args: 64,
  nodes: 256,
  addressesPerNode: 16,
  services: 256,
  /** Admin response text/json: bounded by the decompressed payload cap anyway. */
  longTextChars: 256 * 1024,
  hops: 255,
} as const;

/** Thrown for a message that cannot be put on or taken off the wire; `code` says why. */
export class MessageFormatError extends KoiError {
  constructor(readonly reason: 'bad-id' | 'bad-field', message: string) {
    super(ErrorCode.WIRE, message);
  }
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;
const RUNNER_MODES: readonly RunnerMode[] = ['Active', 'Passive'];
const HEX: string[] = Array.from({ length: 256 }, (_, i) => i.toString(16).padStart(2, '0'));

/**
 * Memo for the encode side's conversions: a node sends the same few ids and addresses in every heartbeat
 * (its own, the leader's, each node of the view), and converting them was a tenth of an idle leader's
 * encoding work. Results are shared: protobufjs only reads them. Bounded: cleared when full.
 */
function memo<T>(convert: (text: string) => T, limit = 1024): (text: string) => T {
  const cache = new Map<string, T>();
  return (text) => {
    let value = cache.get(text);
    if (value === undefined && !cache.has(text)) {
      value = convert(text);
      if (cache.size >= limit) cache.clear();
      cache.set(text, value);
    }
    return value as T;
  };
}

const EMPTY = new Uint8Array(0);
const uuidBytes = memo((id: string): Uint8Array | null => (UUID.test(id) ? Uint8Array.from(Buffer.from(id.replace(/-/g, ''), 'hex')) : null));

/** A lowercase UUID as 16 bytes. `''` (meaning "none") becomes 0 bytes when `allowEmpty`. */
export function idToBytes(id: string, field: string, allowEmpty: boolean): Uint8Array {
  if (id === '' && allowEmpty) return EMPTY;
  const bytes = uuidBytes(id);
  if (!bytes) throw new MessageFormatError('bad-id', `${field} '${id}' is not a lowercase UUID`);
  return bytes;
}

/** Bytes of an admin nonce (docs/wire.md "Admin requests"). */
export const NONCE_BYTES = 16;
const NONCE_HEX = /^[0-9a-f]{32}$/;

/** An admin nonce (32 lowercase hex digits, or absent/'' for none) as 16 bytes (or 0). */
export function nonceToBytes(nonce: string | undefined, field: string): Uint8Array {
  if (nonce === undefined || nonce === '') return new Uint8Array(0);
  if (!NONCE_HEX.test(nonce)) throw new MessageFormatError('bad-field', `${field} '${nonce}' is not ${NONCE_BYTES * 2} lowercase hex digits`);
  return Uint8Array.from(Buffer.from(nonce, 'hex'));
}

export function bytesToNonce(bytes: Uint8Array | null | undefined, field: string): string {
  const b = bytes ?? new Uint8Array(0);
  if (b.length === 0) return '';
  if (b.length !== NONCE_BYTES) throw new MessageFormatError('bad-field', `${field} has ${b.length} bytes, expected ${NONCE_BYTES}`);
  return Buffer.from(b).toString('hex');
}

export function bytesToId(bytes: Uint8Array | null | undefined, field: string, allowEmpty: boolean): string {
  const b = bytes ?? new Uint8Array(0);
  if (b.length === 0 && allowEmpty) return '';
  if (b.length !== 16) throw new MessageFormatError('bad-field', `${field} has ${b.length} bytes, expected 16`);
  let hex = '';
  for (let i = 0; i < 16; i++) hex += HEX[b[i]];
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
}

const addressProto = memo((address: string): pb.Address.$Properties => {
  const compact = compactAddress(address);
  return compact ? { ip: compact.ip, port: compact.port, zone: compact.zone } : { text: address };
});

function addressToProto(address: string): pb.Address.$Properties | null {
  return address === '' ? null : addressProto(address);
}

function addressFromProto(a: pb.Address.$Properties | null | undefined, field: string): string {
  if (!a) return '';
  const ip = a.ip ?? new Uint8Array(0);
  const text = a.text ?? '';
  if (ip.length === 0) {
    if (text === '') throw new MessageFormatError('bad-field', `${field} is empty`);
    return checkText(text, field, WIRE_LIMITS.shortTextChars);
  }
  if (text !== '') throw new MessageFormatError('bad-field', `${field} has both ip and text`);
  const zone = checkText(a.zone ?? '', `${field}.zone`, 64);
  const port = a.port ?? 0;
  if (port > 65535) throw new MessageFormatError('bad-field', `${field}.port ${port} out of range`);
  const expanded = expandAddress({ ip, port, zone });
  if (expanded === null) throw new MessageFormatError('bad-field', `${field}.ip has ${ip.length} bytes (zone '${zone}')`);
  return expanded;
}

/** A 64-bit field (number or protobufjs Long) as a safe JS integer. */
export function toSafeInteger(value: unknown, field: string): number {
  let n: number;
  if (typeof value === 'number') n = value;
  else if (value !== null && typeof value === 'object' && 'toNumber' in value && typeof value.toNumber === 'function') {
    n = (value as { toNumber(): number }).toNumber();
  } else if (value === undefined || value === null) n = 0;
  else throw new MessageFormatError('bad-field', `${field} is not a number`);
  if (!Number.isSafeInteger(n)) throw new MessageFormatError('bad-field', `${field} ${n} is not a safe integer`);
  return n;
}

function checkText(value: string | null | undefined, field: string, max: number): string {
  const s = value ?? '';
  if (s.length > max) throw new MessageFormatError('bad-field', `${field} is ${s.length} chars, limit ${max}`);
  return s;
}

/**
 * A node or service name (core/security/names.ts): a message carrying a bad
 * one is dropped as malformed — the reject logger names its source — so no
 * control character or leading `-` reaches status output, logs or scripts.
 */
function checkName(value: string | null | undefined, field: string, allowEmpty = false): string {
  const s = checkText(value, field, WIRE_LIMITS.nameChars);
  if (s === '' && allowEmpty) return s;
  const problem = nameProblem(s);
  if (problem !== null) {
    const shown = escapeControl(s.length > 80 ? `${s.slice(0, 80)}…` : s);
    throw new MessageFormatError('bad-field', `${field} "${shown}" is not a valid name: it ${escapeControl(problem)}`);
  }
  return s;
}

function checkCount<T>(list: T[] | null | undefined, field: string, max: number): T[] {
  const l = list ?? [];
  if (l.length > max) throw new MessageFormatError('bad-field', `${field} has ${l.length} entries, limit ${max}`);
  return l;
}

function enumToProto<T extends string>(values: readonly T[], value: T, field: string): number {
  const i = values.indexOf(value);
  if (i < 0) throw new MessageFormatError('bad-field', `${field} '${value}' is not one of ${values.join(', ')}`);
  return i + 1;
}

function enumFromProto<T extends string>(values: readonly T[], value: number | null | undefined, field: string): T {
  const v = value ?? 0;
  if (!Number.isInteger(v) || v < 1 || v > values.length) {
    throw new MessageFormatError('bad-field', `${field} ${v} is not a known value (1..${values.length})`);
  }
  return values[v - 1];
}

function nonNegative(value: unknown, field: string): number {
  const n = toSafeInteger(value, field);
  if (n < 0) throw new MessageFormatError('bad-field', `${field} ${n} is negative`);
  return n;
}

// ---- plain → proto -------------------------------------------------------

function viewToProto(view: ClusterView): pb.ClusterView.$Properties {
  return {
    leaderId: idToBytes(view.leaderId, 'view.leaderId', true),
    masterId: idToBytes(view.masterId, 'view.masterId', true),
    masterName: view.masterName,
    maintenance: view.maintenance,
    manualMaster: view.manualMaster,
    previousMasterId: idToBytes(view.previousMasterId ?? '', 'view.previousMasterId', true),
    previousMasterName: view.previousMasterName ?? '',
    nodes: view.nodes.map((n, i) => ({
      id: idToBytes(n.id, `view.nodes[${i}].id`, false),
      name: n.name,
      flags: n.flags,
      addresses: n.addresses.map((a) => addressToProto(a) ?? { text: a }),
      lastSeenAgoMs: Math.max(0, Math.round(n.lastSeenAgoMs)),
    })),
  };
}

function healthToProto(message: HealthReport): pb.HealthReport.$Properties {
  return {
    name: message.name,
    state: enumToProto(RUNNER_STATES, message.state, 'health.state'),
    mode: enumToProto(RUNNER_MODES, message.mode, 'health.mode'),
    uptimeMs: Math.max(0, Math.round(message.uptimeMs)),
    target: enumToProto(TARGET_ACTIONS, message.target, 'health.target'),
    services: message.services.map((s, i) => ({
      name: s.name, state: enumToProto(SERVICE_STATES, s.state, `health.services[${i}].state`), disabled: s.disabled === true,
    })),
    promoted: message.promoted,
    failCount: message.failCount,
    lastFailureAgoMs: Math.max(-1, Math.round(message.lastFailureAgoMs)),
    lastFailureReason: message.lastFailureReason,
    stopped: message.stopped,
    appliedUpdateMs: Math.max(0, Math.round(message.appliedUpdateMs ?? 0)),
    lastFailureOutput: message.lastFailureOutput ?? [],
  };
}

function stateToProto(message: StateUpdate): pb.StateUpdate.$Properties {
  return {
    masterId: idToBytes(message.masterId, 'state.masterId', true),
    masterName: message.masterName,
    masterAddress: addressToProto(message.masterAddress),
    leaderName: message.leaderName,
    leaderUptimeMs: Math.max(0, Math.round(message.leaderUptimeMs)),
    hasQuorum: message.hasQuorum,
    maintenance: message.maintenance,
    leaseMs: Math.max(0, Math.round(message.leaseMs)),
    // Down to the millisecond: a lease end earlier, an observation older (more lost time counted), never later.
    leaseEndUptimeMs: message.leaseEnd ? Math.max(0, Math.floor(message.leaseEnd.uptimeMs)) : 0,
    leaseObservedUptimeMs: message.leaseEnd ? Math.max(0, Math.floor(message.leaseEnd.observedUptimeMs)) : 0,
    leaseObservedSeq: message.leaseEnd ? Math.max(0, Math.round(message.leaseEnd.observedSeq)) : 0,
  };
}

/** The envelope body for `message` (fields named as in koi.proto). */
export function bodyToProto(message: KoiMessage): Partial<pb.Envelope.$Properties> {
  switch (message.kind) {
    case 'heartbeat':
      return {
        heartbeat: {
          name: message.name,
          flags: message.flags,
          seenAddress: addressToProto(message.seenAddress),
          uptimeMs: Math.max(0, Math.round(message.uptimeMs)),
          uptimeSinceSeq: Math.max(0, Math.round(message.uptimeSinceSeq ?? 0)),
          view: message.view ? viewToProto(message.view) : null,
          holdMs: Math.max(0, Math.round(message.holdMs)),
          ackWindowMs: Math.max(0, Math.round(message.ackWindowMs)),
          answersUptimeMs: Math.max(0, Math.floor(message.answersUptimeMs ?? 0)),
          answersLeaderId: idToBytes(message.answersLeaderId ?? '', 'heartbeat.answersLeaderId', true),
          answersSinceSeq: Math.max(0, Math.round(message.answersSinceSeq ?? 0)),
          answersFreeAgoMs: Math.round(message.answersFreeAgoMs ?? 0),
          knownMasterId: idToBytes(message.knownMasterId ?? '', 'heartbeat.knownMasterId', true),
          knownMasterName: message.knownMasterName ?? '',
          relayedHoldMs: Math.max(0, Math.round(message.relayedHoldMs ?? 0)),
          stateUpdates: (message.stateUpdates ?? []).map((r, i) => ({
            runnerId: idToBytes(r.runnerId, `heartbeat.stateUpdates[${i}].runnerId`, false), update: stateToProto(r.update),
          })),
          health: message.health ? healthToProto(message.health.report) : null,
          healthLeaderId: idToBytes(message.health?.leaderId ?? '', 'heartbeat.healthLeaderId', true),
        },
      };
    case 'health':
      return { health: healthToProto(message) };
    case 'state':
      return { state: stateToProto(message) };
    case 'request':
      return {
        request: {
          requestId: message.requestId, command: message.command, args: message.args, hops: message.hops,
          challenge: message.challenge === true,
          target: idToBytes(message.target ?? '', 'request.target', true),
          nonce: nonceToBytes(message.nonce, 'request.nonce'),
        },
      };
    case 'response':
      return {
        response: {
          requestId: message.requestId, exitCode: message.exitCode, text: message.text, json: message.json,
          nonce: nonceToBytes(message.nonce, 'response.nonce'),
          nodeId: idToBytes(message.nodeId ?? '', 'response.nodeId', true),
        },
      };
    default: {
      const never: never = message;
      throw new MessageFormatError('bad-field', `unknown message kind '${(never as { kind?: string }).kind}'`);
    }
  }
}

// ---- proto → plain (validating) -------------------------------------------

function viewFromProto(v: pb.ClusterView.$Properties): ClusterView {
  const nodes = checkCount(v.nodes, 'view.nodes', WIRE_LIMITS.nodes).map((n, i): ClusterNodeInfo => ({
    id: bytesToId(n.id, `view.nodes[${i}].id`, false),
    name: checkName(n.name, `view.nodes[${i}].name`),
    flags: n.flags ?? 0,
    addresses: checkCount(n.addresses, `view.nodes[${i}].addresses`, WIRE_LIMITS.addressesPerNode)
      .map((a, j) => addressFromProto(a, `view.nodes[${i}].addresses[${j}]`)),
    lastSeenAgoMs: nonNegative(n.lastSeenAgoMs, `view.nodes[${i}].lastSeenAgoMs`),
  }));
  const view: ClusterView = {
    leaderId: bytesToId(v.leaderId, 'view.leaderId', true),
    masterId: bytesToId(v.masterId, 'view.masterId', true),
    masterName: checkName(v.masterName, 'view.masterName', true),
    maintenance: v.maintenance === true,
    manualMaster: v.manualMaster === true,
    nodes,
  };
  const previousId = bytesToId(v.previousMasterId, 'view.previousMasterId', true);
  if (previousId) {
    view.previousMasterId = previousId;
    view.previousMasterName = checkName(v.previousMasterName, 'view.previousMasterName', true);
  }
  return view;
}

function healthFromProto(proto: pb.HealthReport.$Properties | null | undefined, at: string): HealthReport {
  const h = proto ?? {};
  const lastFailureAgoMs = toSafeInteger(h.lastFailureAgoMs, `${at}.lastFailureAgoMs`);
  if (lastFailureAgoMs < -1) throw new MessageFormatError('bad-field', `${at}.lastFailureAgoMs ${lastFailureAgoMs} < -1`);
  const message: HealthReport = {
    kind: 'health',
    name: checkName(h.name, `${at}.name`),
    state: enumFromProto(RUNNER_STATES, h.state, `${at}.state`),
    mode: enumFromProto(RUNNER_MODES, h.mode, `${at}.mode`),
    uptimeMs: nonNegative(h.uptimeMs, `${at}.uptimeMs`),
    target: enumFromProto(TARGET_ACTIONS, h.target, `${at}.target`),
    services: checkCount(h.services, `${at}.services`, WIRE_LIMITS.services).map((s, i): ServiceStatusInfo => ({
      name: checkName(s.name, `${at}.services[${i}].name`),
      state: enumFromProto(SERVICE_STATES, s.state, `${at}.services[${i}].state`),
      ...(s.disabled === true ? { disabled: true } : {}),
    })),
    promoted: h.promoted === true,
    failCount: h.failCount ?? 0,
    lastFailureAgoMs,
    lastFailureReason: checkText(h.lastFailureReason, `${at}.lastFailureReason`, WIRE_LIMITS.lastFailureReasonChars),
    stopped: h.stopped === true,
  };
  const applied = nonNegative(h.appliedUpdateMs, `${at}.appliedUpdateMs`);
  if (applied > 0) message.appliedUpdateMs = applied;
  const output = checkCount(h.lastFailureOutput, `${at}.lastFailureOutput`, WIRE_LIMITS.failureOutputLines)
    .map((line, i) => checkText(line, `${at}.lastFailureOutput[${i}]`, WIRE_LIMITS.failureOutputLineChars));
  if (output.length > 0) message.lastFailureOutput = output;
  return message;
}

function stateFromProto(proto: pb.StateUpdate.$Properties | null | undefined, at: string): StateUpdate {
  const s = proto ?? {};
  const message: StateUpdate = {
    kind: 'state',
    masterId: bytesToId(s.masterId, `${at}.masterId`, true),
    masterName: checkName(s.masterName, `${at}.masterName`, true),
    masterAddress: addressFromProto(s.masterAddress, `${at}.masterAddress`),
    leaderName: checkName(s.leaderName, `${at}.leaderName`, true),
    leaderUptimeMs: nonNegative(s.leaderUptimeMs, `${at}.leaderUptimeMs`),
    hasQuorum: s.hasQuorum === true,
    maintenance: s.maintenance === true,
    leaseMs: s.leaseMs ?? 0,
  };
  const end = nonNegative(s.leaseEndUptimeMs, `${at}.leaseEndUptimeMs`);
  if (end > 0) {
    message.leaseEnd = {
      uptimeMs: end,
      observedUptimeMs: nonNegative(s.leaseObservedUptimeMs, `${at}.leaseObservedUptimeMs`),
      observedSeq: nonNegative(s.leaseObservedSeq, `${at}.leaseObservedSeq`),
    };
  }
  return message;
}

/** The validated plain message of a decoded envelope. */
export function bodyFromProto(env: pb.Envelope.$Properties): KoiMessage {
  switch (env.body) {
    case 'heartbeat': {
      const h = env.heartbeat ?? {};
      const message: HeartBeat = {
        kind: 'heartbeat',
        name: checkName(h.name, 'heartbeat.name'),
        flags: h.flags ?? 0,
        seenAddress: addressFromProto(h.seenAddress, 'heartbeat.seenAddress'),
        uptimeMs: nonNegative(h.uptimeMs, 'heartbeat.uptimeMs'),
        holdMs: h.holdMs ?? 0,
        ackWindowMs: h.ackWindowMs ?? 0,
      };
      const since = nonNegative(h.uptimeSinceSeq, 'heartbeat.uptimeSinceSeq');
      if (since > 0) message.uptimeSinceSeq = since;
      const answers = nonNegative(h.answersUptimeMs, 'heartbeat.answersUptimeMs');
      const answersLeaderId = bytesToId(h.answersLeaderId, 'heartbeat.answersLeaderId', true);
      if (answers > 0 && answersLeaderId) {
        message.answersUptimeMs = answers;
        message.answersLeaderId = answersLeaderId;
        message.answersFreeAgoMs = toSafeInteger(h.answersFreeAgoMs ?? 0, 'heartbeat.answersFreeAgoMs');
        const answersSince = nonNegative(h.answersSinceSeq, 'heartbeat.answersSinceSeq');
        if (answersSince > 0) message.answersSinceSeq = answersSince;
      }
      if ((h.relayedHoldMs ?? 0) > 0) message.relayedHoldMs = h.relayedHoldMs ?? 0;
      const knownMasterId = bytesToId(h.knownMasterId, 'heartbeat.knownMasterId', true);
      if (knownMasterId) {
        message.knownMasterId = knownMasterId;
        message.knownMasterName = checkName(h.knownMasterName, 'heartbeat.knownMasterName', true);
      }
      if (h.view) message.view = viewFromProto(h.view);
      const riders = checkCount(h.stateUpdates, 'heartbeat.stateUpdates', WIRE_LIMITS.nodes);
      if (riders.length > 0) {
        message.stateUpdates = riders.map((r, i) => ({
          runnerId: bytesToId(r.runnerId, `heartbeat.stateUpdates[${i}].runnerId`, false),
          update: stateFromProto(r.update, `heartbeat.stateUpdates[${i}].update`),
        }));
      }
      if (h.health) {
        message.health = {
          leaderId: bytesToId(h.healthLeaderId, 'heartbeat.healthLeaderId', false),
          report: healthFromProto(h.health, 'heartbeat.health'),
        };
      }
      return message;
    }
    case 'health':
      return healthFromProto(env.health, 'health');
    case 'state':
      return stateFromProto(env.state, 'state');
    case 'request': {
      const r = env.request ?? {};
      const hops = r.hops ?? 0;
      if (hops > WIRE_LIMITS.hops) throw new MessageFormatError('bad-field', `request.hops ${hops} > ${WIRE_LIMITS.hops}`);
      const message: AdminRequest = {
        kind: 'request',
        requestId: checkText(r.requestId, 'request.requestId', WIRE_LIMITS.shortTextChars),
        command: checkText(r.command, 'request.command', WIRE_LIMITS.commandChars),
        args: checkCount(r.args, 'request.args', WIRE_LIMITS.args).map((a, i) => checkText(a, `request.args[${i}]`, WIRE_LIMITS.argChars)),
        hops,
      };
      // Optional fields only when present, so a plain request decodes to what was encoded.
      if (r.challenge === true) message.challenge = true;
      const target = bytesToId(r.target, 'request.target', true);
      if (target !== '') message.target = target;
      const nonce = bytesToNonce(r.nonce, 'request.nonce');
      if (nonce !== '') message.nonce = nonce;
      return message;
    }
    case 'response': {
      const r = env.response ?? {};
      const exitCode = r.exitCode ?? 0;
      if (exitCode < 0 || exitCode > 255) throw new MessageFormatError('bad-field', `response.exitCode ${exitCode} out of 0..255`);
      const message: AdminResponse = {
        kind: 'response',
        requestId: checkText(r.requestId, 'response.requestId', WIRE_LIMITS.shortTextChars),
        exitCode,
        text: checkText(r.text, 'response.text', WIRE_LIMITS.longTextChars),
        json: checkText(r.json, 'response.json', WIRE_LIMITS.longTextChars),
      };
      const nonce = bytesToNonce(r.nonce, 'response.nonce');
      if (nonce !== '') message.nonce = nonce;
      const nodeId = bytesToId(r.nodeId, 'response.nodeId', true);
      if (nodeId !== '') message.nodeId = nodeId;
      return message;
    }
    case undefined:
    case null:
      throw new MessageFormatError('bad-field', 'envelope has no message body');
    default: {
      const never: never = env.body;
      throw new MessageFormatError('bad-field', `unknown message body '${String(never)}'`);
    }
  }
}
