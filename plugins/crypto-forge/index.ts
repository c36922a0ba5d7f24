/**
 * crypto-forge: AES-256-GCM with node-forge (pure JavaScript), in the subkey
 * construction of plugin-api/aes-gcm.ts; interoperates byte for byte with
 * crypto-node, the default. Kept for platforms whose node:crypto lacks
 * AES-GCM; it rejects forged datagrams several times slower (a new salt
 * means a new forge cipher: AES key expansion and the GHASH table), see
 * docs/security.md "Denial of service".
 *
 * Performance: one forge cipher and one decipher per subkey, restarted for
 * every datagram. forge's GCM `start()` rebuilds its 4-bit GHASH table
 * (32 × 16 products in GF(2^128)) from the hash subkey on every call; the
 * table depends only on the key, so it is built once per subkey
 * (docs/performance.md, "Codec").
 */
import { timingSafeEqual } from 'node:crypto';
import type Forge from 'node-forge';
import {
  GCM_TAG_BYTES, checkAes256Key, createSubkeyCipher, singleKeyring,
  type Cipher, type GcmPrimitive, type KeyedCipher, type Keyring, type SubkeyCipherOptions,
} from '../../plugin-api';
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

/** AES-256-GCM with one key on node-forge. */
export function forgeGcm(key: Uint8Array): GcmPrimitive {
  checkAes256Key(key, CRYPTO_FORGE_NAME);
  const keyBin = toBinary(key);
  // Shared safely: seal and open are synchronous, and start() resets every per-message field.
  const c = reusable(forge.cipher.createCipher, keyBin);
  const d = reusable(forge.cipher.createDecipher, keyBin);
  return {
    seal(nonce, aad, plaintext) {
      c.start({ iv: toBinary(nonce), additionalData: toBinary(aad), tagLength: GCM_TAG_BYTES * 8 });
      c.update(forge.util.createBuffer(toBinary(plaintext)));
      c.finish();
      return Buffer.concat([fromBinary(c.output.getBytes()), fromBinary(c.mode.tag.getBytes())]);
    },
    open(nonce, aad, ciphertext, tag) {
      if (tag.length !== GCM_TAG_BYTES) return null;
      d.start({
        iv: toBinary(nonce),
        additionalData: toBinary(aad),
        tagLength: GCM_TAG_BYTES * 8,
        tag: forge.util.createBuffer(toBinary(tag)),
      });
      d.update(forge.util.createBuffer(toBinary(ciphertext)));
      const forgeSaysOk = d.finish();
      // forge compares tags with `!==` on strings; compare again in constant time and require both.
      const computed = fromBinary(d.mode.tag.bytes());
      if (computed.length !== GCM_TAG_BYTES || !timingSafeEqual(computed, tag) || !forgeSaysOk) return null;
      return new Uint8Array(fromBinary(d.output.getBytes()));
    },
  };
}

/** A forge cipher for a keyring, or for one key (id 0, the password route). */
export function createForgeCipher(keys: Keyring | Uint8Array, options: SubkeyCipherOptions = {}): KeyedCipher {
  const ring = keys instanceof Uint8Array ? singleKeyring(keys) : keys;
  return createSubkeyCipher(CRYPTO_FORGE_NAME, ring, forgeGcm, options);
}

export default defineCipherPlugin(CRYPTO_FORGE_NAME, 'node-forge', (keys) => createForgeCipher(keys));
