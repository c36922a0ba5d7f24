/**
 * The cleartext frame header that starts every datagram. It is passed to the
 * cipher as additional authenticated data, so it cannot be altered without
 * failing authentication.
 *
 *   offset size field
 *   0      2    magic 'K' 'I' (0x4b 0x49)
 *   2      1    protocol version
 *   3      1    flags (bit 0: payload is deflate-raw compressed; others 0)
 *   4      4    cluster id (uint32, big endian)
 *   8      1    key id (0: password-derived key; 1..255: key file ids)
 *   9      ..   cipher.seal output: salt ‖ nonce ‖ ciphertext ‖ tag (aes-gcm.ts)
 */
export const FRAME_MAGIC_0 = 0x4b;
export const FRAME_MAGIC_1 = 0x49;
export const FRAME_HEADER_BYTES = 9;
export const FLAG_DEFLATED = 0x01;
export const KNOWN_FLAGS = FLAG_DEFLATED;

export interface FrameHeader {
  version: number;
  flags: number;
  clusterId: number;
  keyId: number;
}

export function writeFrameHeader(h: FrameHeader): Uint8Array {
  const out = new Uint8Array(FRAME_HEADER_BYTES);
  out[0] = FRAME_MAGIC_0;
  out[1] = FRAME_MAGIC_1;
  out[2] = h.version;
  out[3] = h.flags;
  new DataView(out.buffer).setUint32(4, h.clusterId >>> 0, false);
  out[8] = h.keyId;
  return out;
}

/** Read the header of a datagram at least FRAME_HEADER_BYTES long; null when the magic is wrong. */
export function readFrameHeader(datagram: Uint8Array): FrameHeader | null {
  if (datagram[0] !== FRAME_MAGIC_0 || datagram[1] !== FRAME_MAGIC_1) return null;
  const view = new DataView(datagram.buffer, datagram.byteOffset, FRAME_HEADER_BYTES);
  return { version: datagram[2], flags: datagram[3], clusterId: view.getUint32(4, false), keyId: datagram[8] };
}
