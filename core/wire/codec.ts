/**
 * The wire codec: KoiMessage ⇄ sealed datagram. Pure computation (no
 * sockets, no timers); time comes from the injected Clock. See frame.ts for
 * the layout and docs/wire.md for the protocol.
 *
 * Receipt order: size → header (magic, version, cluster, key id known,
 * flags: every check that costs no crypto) → authenticate → (inflate) → protobuf decode
 * → validate meaning → own-message filter → replay guard. Nothing that
 * failed authentication reaches zlib or the protobuf decoder.
 */
import { deflateRawSync, inflateRawSync } from 'node:zlib';
import { PROTOCOL_VERSION, type Envelope, type KoiMessage } from '../../plugin-api';
import {
  FLAG_DEFLATED, FRAME_HEADER_BYTES, KNOWN_FLAGS, readFrameHeader, writeFrameHeader,
} from './frame';
import { koi } from './generated/koi';
import { MessageFormatError, bodyFromProto, bodyToProto, bytesToId, idToBytes, toSafeInteger } from './message-map';
import { ReplayGuard } from './replay-guard';
import { REJECT_REASONS, type DecodeResult, type RejectReason, type WireCodec, type WireCodecOptions } from './types';
import pb = koi.wire;
import { ErrorCode, KoiError } from '../../plugin-api/errors';

export const DEFAULT_MAX_AGE_MS = 30_000;
export const DEFAULT_MAX_DATAGRAM_SIZE = 1472;
// Deflating costs ≈ 30 µs a datagram (and zlib state): only payloads that need it, near the MTU, are compressed.
export const DEFAULT_COMPRESS_ABOVE = 1024;
/** Largest payload accepted after inflating (a bound on decompression bombs). */
export const MAX_INFLATED_BYTES = 256 * 1024;

export type WireErrorReason = 'oversized' | 'bad-id' | 'bad-field' | 'bad-option';

/** A message that cannot be put on the wire, or a codec built with bad options. */
export class WireError extends KoiError {
  constructor(readonly reason: WireErrorReason, message: string) {
    super(ErrorCode.WIRE, message);
  }
}

export function createWireCodec(opts: WireCodecOptions): WireCodec {
  const maxAgeMs = opts.maxAgeMs ?? DEFAULT_MAX_AGE_MS;
  const maxDatagramSize = opts.maxDatagramSize ?? DEFAULT_MAX_DATAGRAM_SIZE;
  const compressAbove = opts.compressAbove ?? DEFAULT_COMPRESS_ABOVE;
  const fixedKeyId = opts.keyId ?? 0;
  const { cipher, clock, clusterId } = opts;
  if (!Number.isInteger(clusterId) || clusterId < 0 || clusterId > 0xffffffff) {
    throw new WireError('bad-option', `cluster id ${clusterId} is not an integer in 0..4294967295`);
  }
  if (!Number.isInteger(fixedKeyId) || fixedKeyId < 0 || fixedKeyId > 255) throw new WireError('bad-option', `key id ${fixedKeyId} is not in 0..255`);
  // A keyed cipher (key file, rotation) names its primary and its accepted ids; else the fixed id.
  const sealKeyId = (): number => cipher.keyId ?? fixedKeyId;
  const knownKeyId = (id: number): boolean => (cipher.hasKey ? cipher.hasKey(id) : id === fixedKeyId);
  if (!(maxAgeMs > 0)) throw new WireError('bad-option', `maxAgeMs ${maxAgeMs} must be > 0`);
  const minDatagram = FRAME_HEADER_BYTES + cipher.overhead + 1;
  if (!Number.isInteger(maxDatagramSize) || maxDatagramSize < minDatagram + 64) {
    throw new WireError('bad-option', `maxDatagramSize ${maxDatagramSize} is too small (cipher ${cipher.name} needs ${minDatagram} bytes of framing)`);
  }
  let senderBytes: Uint8Array;
  try {
    senderBytes = idToBytes(opts.senderId, 'sender id', false);
  } catch (err) {
    throw new WireError('bad-id', (err as Error).message);
  }
  const senderId = opts.senderId;
  const guard = new ReplayGuard({ windowSize: opts.replayWindow, maxAgeMs });
  const counts = Object.fromEntries(REJECT_REASONS.map((r) => [r, 0])) as Record<RejectReason, number>;
  let acceptedCount = 0;
  const sequence = opts.sequence ?? { last: 0 };

  const reject = (reason: RejectReason, detail: string): DecodeResult => {
    counts[reason]++;
    return { ok: false, reason, detail };
  };

  function encode(message: KoiMessage): Uint8Array {
    let body: Partial<pb.Envelope.$Properties>;
    try {
      body = bodyToProto(message);
    } catch (err) {
      if (err instanceof MessageFormatError) throw new WireError(err.reason, `cannot encode ${message.kind}: ${err.message}`);
      throw err;
    }
    const envelope: pb.Envelope.$Properties = {
      version: PROTOCOL_VERSION,
      clusterId,
      senderId: senderBytes,
      seq: ++sequence.last,
      sentAt: Math.floor(clock.wallNow()),
      ...body,
    };
    const plain = pb.Envelope.encode(envelope).finish();
    let payload: Uint8Array = plain;
    let flags = 0;
    if (plain.length > compressAbove) {
      const deflated = deflateRawSync(plain);
      if (deflated.length < plain.length) {
        payload = deflated;
        flags |= FLAG_DEFLATED;
      }
    }
    const header = writeFrameHeader({ version: PROTOCOL_VERSION, flags, clusterId, keyId: sealKeyId() });
    const sealed = cipher.seal(header, payload);
    const size = header.length + sealed.length;
    if (size > maxDatagramSize) {
      throw new WireError('oversized', `${message.kind} needs ${size} bytes sealed, limit ${maxDatagramSize} (payload ${plain.length} bytes, ${flags & FLAG_DEFLATED ? 'deflated' : 'not compressible'})`);
    }
    const datagram = new Uint8Array(size);
    datagram.set(header, 0);
    datagram.set(sealed, header.length);
    return datagram;
  }

  function decode(datagram: Uint8Array, from: string): DecodeResult {
    // 1. size, before anything driven by the packet's content
    if (datagram.length > maxDatagramSize) return reject('oversized', `${datagram.length} bytes from ${from}, limit ${maxDatagramSize}`);
    if (datagram.length < minDatagram) return reject('truncated', `${datagram.length} bytes from ${from}, minimum ${minDatagram}`);
    // 2. cleartext header
    const header = readFrameHeader(datagram);
    if (!header) return reject('bad-magic', `not a koi datagram (first bytes ${hex(datagram.subarray(0, 2))})`);
    if (header.version !== PROTOCOL_VERSION) return reject('bad-version', `protocol version ${header.version}, expected ${PROTOCOL_VERSION}: the sender runs another koi release (versions are not compatible; upgrade every node)`);
    if (header.clusterId !== clusterId) return reject('wrong-cluster', `cluster id ${header.clusterId}, expected ${clusterId}`);
    if (!knownKeyId(header.keyId)) return reject('auth-failed', `unknown key id ${header.keyId} (this node seals with key id ${sealKeyId()}; a key rotation not finished on every node?)`);
    if ((header.flags & ~KNOWN_FLAGS) !== 0) return reject('malformed', `unknown frame flags 0x${header.flags.toString(16)}`);
    // 3. authenticate (the header is additional data)
    const opened = cipher.open(datagram.subarray(0, FRAME_HEADER_BYTES), datagram.subarray(FRAME_HEADER_BYTES));
    if (opened === null) return reject('auth-failed', `authentication failed under key id ${header.keyId} (wrong password or key, or altered datagram)`);
    // 4. inflate and decode: authenticated bytes from a key holder, still checked
    let plain: Uint8Array = opened;
    if (header.flags & FLAG_DEFLATED) {
      try {
        plain = inflateRawSync(opened, { maxOutputLength: MAX_INFLATED_BYTES });
      } catch (err) {
        return reject('malformed', `cannot inflate payload: ${(err as Error).message}`);
      }
    }
    let env: pb.Envelope;
    try {
      env = pb.Envelope.decode(plain);
    } catch (err) {
      return reject('malformed', `protobuf decode failed: ${(err as Error).message}`);
    }
    // 5. meaning
    let envelope: Envelope;
    try {
      envelope = envelopeFromProto(env, header.version, header.clusterId);
    } catch (err) {
      if (err instanceof MessageFormatError) return reject('malformed', err.message);
      return reject('malformed', `unexpected decode error: ${(err as Error).message}`);
    }
    // 6. own datagrams (multicast loopback, own address in the transport list)
    if (envelope.senderId === senderId) return reject('own-message', `own ${envelope.message.kind} seq ${envelope.seq}`);
    // 7. replay guard
    const verdict = guard.check(envelope.senderId, envelope.seq, envelope.sentAt, clock.wallNow());
    if (!verdict.ok) {
      const detail = `${envelope.message.kind} from ${envelope.senderId}: ${verdict.detail}`;
      if (verdict.reason !== 'duplicate') return reject(verdict.reason, detail);
      counts.duplicate++;
      return { ok: false, reason: 'duplicate', detail, senderId: envelope.senderId };
    }
    acceptedCount++;
    return { ok: true, envelope };
  }

  return {
    encode,
    decode,
    rejected: () => ({ ...counts }),
    accepted: () => acceptedCount,
  };
}

function envelopeFromProto(env: pb.Envelope, version: number, clusterId: number): Envelope {
  if ((env.version ?? 0) !== version) throw new MessageFormatError('bad-field', `envelope version ${env.version} differs from header version ${version}`);
  if ((env.clusterId ?? 0) !== clusterId) throw new MessageFormatError('bad-field', `envelope cluster id ${env.clusterId} differs from header ${clusterId}`);
  const seq = toSafeInteger(env.seq, 'seq');
  if (seq < 1) throw new MessageFormatError('bad-field', `seq ${seq} < 1`);
  const sentAt = toSafeInteger(env.sentAt, 'sentAt');
  if (sentAt < 1) throw new MessageFormatError('bad-field', `sentAt ${sentAt} < 1`);
  return {
    version,
    clusterId,
    senderId: bytesToId(env.senderId, 'sender id', false),
    seq,
    sentAt,
    message: bodyFromProto(env),
  };
}

function hex(bytes: Uint8Array): string {
  return Buffer.from(bytes).toString('hex') || '(none)';
}
