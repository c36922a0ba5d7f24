/**
 * crypto-forge (the default cipher): AES-256-GCM with node-forge, a fresh
 * random 96-bit nonce per datagram, 128-bit tag, the frame header as
 * additional authenticated data. The key is derived once, at apply, from
 * cluster.password and cluster.id (PBKDF2-SHA256 via core/wire/key.ts).
 *
 * Performance: one forge cipher and one decipher per key, restarted for
 * every datagram. Creating them per datagram expanded the AES key each time,
 * and forge's GCM `start()` rebuilds its 4-bit GHASH table (32 × 16 products
 * in GF(2^128)) from the hash subkey on every call — most of the cost of
 * sealing a 200-byte heartbeat. The subkey depends only on the key, so the
 * table is built once (docs/performance.md, "Codec").
 */
import { timingSafeEqual } from 'node:crypto';
import type Forge from 'node-forge';
import type { Cipher } from '../../plugin-api';
import {
  GCM_NONCE_BYTES, GCM_OVERHEAD, GCM_TAG_BYTES, checkAes256Key, randomNonce, type NonceSource,
} from '../../core/wire/aes-gcm';
import { defineCipherPlugin } from '../crypto-node';

export const CRYPTO_FORGE_NAME = 'crypto-forge';

// Only AES (with its cipher modes and util): node-forge's index also loads
// RSA, X.509, TLS, SSH, ... — about 9 MB of resident memory for nothing.
// eslint-disable-next-line @typescript-eslint/no-require-imports
require('node-forge/lib/aes');
// eslint-disable-next-line @typescript-eslint/no-require-imports
const forge = require('node-forge/lib/forge') as typeof Forge;

// forge works on "binary strings" (one char per byte).
const toBinary = (bytes: Uint8Array): string => Buffer.from(bytes.buffer, bytes.byteOffset, bytes.length).toString('latin1');
const fromBinary = (s: string): Buffer => Buffer.from(s, 'latin1');

type ForgeCipher = Forge.cipher.BlockCipher;

/** forge's GCM mode object (its typings omit this): the one method we memoize. */
interface GcmMode {
  generateHashTable(h: number[], bits: number): unknown;
}

/**
 * A forge AES-GCM cipher (or decipher) for `keyBin`, restarted for every
 * message. Its GHASH table depends only on the key: build it once.
 */
function reusable(create: typeof forge.cipher.createCipher, keyBin: string): ForgeCipher {
  const c = create('AES-GCM', keyBin);
  const mode = c.mode as unknown as GcmMode;
  if (typeof mode.generateHashTable !== 'function') {
    throw new Error(`${CRYPTO_FORGE_NAME}: this node-forge has no GCM generateHashTable; cannot reuse the cipher`);
  }
  const build = mode.generateHashTable.bind(mode);
  let table: unknown;
  mode.generateHashTable = (h, bits) => (table ??= build(h, bits));
  return c;
}

export function createForgeCipher(key: Uint8Array, options: { nonce?: NonceSource } = {}): Cipher {
  checkAes256Key(key, CRYPTO_FORGE_NAME);
  const keyBin = toBinary(key);
  const nextNonce = options.nonce ?? randomNonce;
  // Shared safely: seal and open are synchronous, and start() resets every per-message field.
  const c = reusable(forge.cipher.createCipher, keyBin);
  const d = reusable(forge.cipher.createDecipher, keyBin);
  return {
    name: CRYPTO_FORGE_NAME,
    overhead: GCM_OVERHEAD,
    seal(header, plaintext) {
      const nonce = nextNonce();
      c.start({ iv: toBinary(nonce), additionalData: toBinary(header), tagLength: GCM_TAG_BYTES * 8 });
      c.update(forge.util.createBuffer(toBinary(plaintext)));
      c.finish();
      const body = fromBinary(c.output.getBytes());
      const tag = fromBinary(c.mode.tag.getBytes());
      const out = new Uint8Array(GCM_OVERHEAD + body.length);
      out.set(nonce, 0);
      out.set(body, GCM_NONCE_BYTES);
      out.set(tag, GCM_NONCE_BYTES + body.length);
      return out;
    },
    open(header, sealed) {
      if (sealed.length < GCM_OVERHEAD) return null;
      const received = sealed.subarray(sealed.length - GCM_TAG_BYTES);
      d.start({
        iv: toBinary(sealed.subarray(0, GCM_NONCE_BYTES)),
        additionalData: toBinary(header),
        tagLength: GCM_TAG_BYTES * 8,
        tag: forge.util.createBuffer(toBinary(received)),
      });
      d.update(forge.util.createBuffer(toBinary(sealed.subarray(GCM_NONCE_BYTES, sealed.length - GCM_TAG_BYTES))));
      const forgeSaysOk = d.finish();
      // forge compares tags with `!==` on strings; compare again in constant time and require both.
      const computed = fromBinary(d.mode.tag.bytes());
      if (computed.length !== GCM_TAG_BYTES || !timingSafeEqual(computed, received) || !forgeSaysOk) return null;
      return new Uint8Array(fromBinary(d.output.getBytes()));
    },
  };
}

export default defineCipherPlugin(CRYPTO_FORGE_NAME, 'node-forge', (key) => createForgeCipher(key));
