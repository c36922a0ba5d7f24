/**
 * crypto-node: AES-256-GCM on node:crypto (OpenSSL). Same construction and
 * key as crypto-forge (they interoperate byte for byte); faster, and what the
 * `koi` client uses.
 */
import { createCipheriv, createDecipheriv } from 'node:crypto';
import { definePlugin, type Cipher, type OptionsSchema } from '../../plugin-api';
import {
  GCM_NONCE_BYTES, GCM_OVERHEAD, GCM_TAG_BYTES, checkAes256Key, randomNonce, type NonceSource,
} from '../../core/wire/aes-gcm';
import { DEFAULT_KDF_ITERATIONS, MAX_KDF_ITERATIONS, MIN_KDF_ITERATIONS, deriveClusterKey } from '../../core/wire/key';

export const CRYPTO_NODE_NAME = 'crypto-node';

export function createNodeCipher(key: Uint8Array, options: { nonce?: NonceSource } = {}): Cipher {
  checkAes256Key(key, CRYPTO_NODE_NAME);
  const keyBuf = Buffer.from(key);
  const nextNonce = options.nonce ?? randomNonce;
  return {
    name: CRYPTO_NODE_NAME,
    overhead: GCM_OVERHEAD,
    seal(header, plaintext) {
      const nonce = nextNonce();
      const c = createCipheriv('aes-256-gcm', keyBuf, nonce, { authTagLength: GCM_TAG_BYTES });
      c.setAAD(header);
      const body = Buffer.concat([c.update(plaintext), c.final()]);
      const out = new Uint8Array(GCM_OVERHEAD + body.length);
      out.set(nonce, 0);
      out.set(body, GCM_NONCE_BYTES);
      out.set(c.getAuthTag(), GCM_NONCE_BYTES + body.length);
      return out;
    },
    open(header, sealed) {
      if (sealed.length < GCM_OVERHEAD) return null;
      const nonce = sealed.subarray(0, GCM_NONCE_BYTES);
      const tag = sealed.subarray(sealed.length - GCM_TAG_BYTES);
      const d = createDecipheriv('aes-256-gcm', keyBuf, nonce, { authTagLength: GCM_TAG_BYTES });
      d.setAAD(header);
      d.setAuthTag(tag);
      const body = d.update(sealed.subarray(GCM_NONCE_BYTES, sealed.length - GCM_TAG_BYTES));
      try {
        d.final();
      } catch {
        // OpenSSL reports a tag mismatch by throwing: that is the "not authentic" answer.
        return null;
      }
      return new Uint8Array(body.buffer, body.byteOffset, body.length);
    },
  };
}

/** Options shared by both built-in crypto plugins. */
export const cryptoOptionsSchema: OptionsSchema = {
  kdf_iterations: {
    type: 'integer',
    description: 'PBKDF2-SHA256 iterations deriving the cluster key from cluster.password and cluster.id; every node and client of a cluster must use the same value',
    default: DEFAULT_KDF_ITERATIONS,
    min: MIN_KDF_ITERATIONS,
    max: MAX_KDF_ITERATIONS,
  },
};

export interface CryptoPluginOptions extends Record<string, unknown> {
  kdf_iterations: number;
}

/**
 * A cipher plugin: derives the cluster key once at apply (never per packet)
 * and provides the cipher `create` builds from it. Both built-in ciphers use it.
 */
export function defineCipherPlugin(name: string, library: string, create: (key: Uint8Array) => Cipher) {
  return definePlugin<CryptoPluginOptions>({
    name,
    options: cryptoOptionsSchema,
    apply(koi, options) {
      const iterations = options.kdf_iterations ?? DEFAULT_KDF_ITERATIONS;
      const key = deriveClusterKey(koi.config.cluster.password, koi.config.cluster.id, iterations);
      koi.provide.cipher(create(key));
      koi.logger.debug({ iterations }, `cluster key derived (AES-256-GCM, ${library})`);
    },
  });
}

export default defineCipherPlugin(CRYPTO_NODE_NAME, 'node:crypto', (key) => createNodeCipher(key));
