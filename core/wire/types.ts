/**
 * The contract of the wire codec (core/wire/codec.ts): messages in, sealed
 * datagrams out, and back. Decoding order: size check → header → authenticate
 * → protobuf decode → validate meaning; nothing unauthenticated is decoded.
 */
import type { Cipher, Clock, Envelope, KoiMessage } from '../../plugin-api';

/** Why a datagram was dropped. */
export type RejectReason =
  | 'oversized'
  | 'truncated'
  | 'bad-magic'
  | 'bad-version'
  | 'wrong-cluster'
  | 'auth-failed'
  | 'malformed'
  | 'duplicate'
  | 'replay'
  | 'too-old'
  | 'own-message';

/** Every reject reason, in receipt order. */
export const REJECT_REASONS: readonly RejectReason[] = [
  'oversized', 'truncated', 'bad-magic', 'bad-version', 'wrong-cluster', 'auth-failed',
  'malformed', 'own-message', 'too-old', 'replay', 'duplicate',
];

export type DecodeResult =
  | { ok: true; envelope: Envelope }
  | {
    ok: false; reason: RejectReason; detail: string;
    /** For an authenticated duplicate (the same datagram over a redundant link): who sent it. */
    senderId?: string;
  };

export interface WireCodecOptions {
  cipher: Cipher;
  clusterId: number;
  /** This sender's id (UUID); datagrams carrying it are dropped as `own-message` (multicast loopback). */
  senderId: string;
  clock: Clock;
  /** Maximum age of a datagram by its send time (default 30 s). */
  maxAgeMs?: number;
  /** Largest datagram accepted or produced (default 1472 bytes, one Ethernet UDP payload). */
  maxDatagramSize?: number;
  /**
   * The sender's sequence counter, shared across in-process restarts of one
   * node id so peers never see its numbers start again (they would drop its
   * traffic as replays). Default: a fresh counter.
   */
  sequence?: { last: number };
  /** Sequence numbers remembered per sender for duplicate/replay detection (default 64). */
  replayWindow?: number;
  /** Payloads larger than this many bytes are deflated when that makes them smaller (default 1024). */
  compressAbove?: number;
  /** Key id written in the frame header and required on receipt (default 0). */
  keyId?: number;
}

export interface WireCodec {
  /** Wrap, number, encode and seal one message. Throws WireError('oversized') if it cannot fit one datagram. */
  encode(message: KoiMessage): Uint8Array;
  /** Check, authenticate and decode one datagram. Never throws. */
  decode(datagram: Uint8Array, from: string): DecodeResult;
  /** Datagrams dropped so far, by reason. */
  rejected(): Record<RejectReason, number>;
  /** Datagrams accepted so far. */
  accepted(): number;
}
