/**
 * Shared facts of the AES-256-GCM datagram construction both built-in
 * ciphers implement: sealed = nonce(12) ‖ ciphertext ‖ tag(16), the frame
 * header as additional authenticated data, a fresh random nonce per datagram.
 * With random 96-bit nonces a key stays safe for far more than 2^32
 * datagrams (NIST SP 800-38D), decades of koi traffic.
 */
import { randomFillSync } from 'node:crypto';

export const GCM_NONCE_BYTES = 12;
export const GCM_TAG_BYTES = 16;
export const GCM_OVERHEAD = GCM_NONCE_BYTES + GCM_TAG_BYTES;

/** Where nonces come from; tests inject a fixed source to compare ciphers byte for byte. */
export type NonceSource = () => Uint8Array;

export const randomNonce: NonceSource = () => randomFillSync(new Uint8Array(GCM_NONCE_BYTES));

export class CipherKeyError extends Error {
  readonly code = 'KOI_CIPHER_KEY';
  constructor(message: string) {
    super(message);
    this.name = 'CipherKeyError';
  }
}

export function checkAes256Key(key: Uint8Array, cipherName: string): void {
  if (!(key instanceof Uint8Array) || key.length !== 32) {
    throw new CipherKeyError(`${cipherName}: key must be 32 bytes (AES-256), got ${key instanceof Uint8Array ? key.length : typeof key}`);
  }
}
