/**
 * crypto-node (the default cipher): AES-256-GCM on node:crypto (OpenSSL),
 * in the subkey construction of core/wire/aes-gcm.ts. Same construction and
 * keys as crypto-forge (they interoperate byte for byte); about 6x faster at
 * rejecting forged datagrams, which is why it is the default
 * (docs/security.md "Denial of service"). The `koi` client uses it too.
 */
import { createCipheriv, createDecipheriv } from 'node:crypto';
import { definePlugin, type Cipher, type InferOptions, type OptionsSchema } from '../../plugin-api';
import {
  GCM_TAG_BYTES, checkAes256Key, createSubkeyCipher, type GcmPrimitive, type KeyedCipher, type SubkeyCipherOptions,
} from '../../core/wire/aes-gcm';
import { DEFAULT_KDF_ITERATIONS, MAX_KDF_ITERATIONS, MIN_KDF_ITERATIONS } from '../../core/wire/key';
import { keyringFromCluster, singleKeyring, type Keyring } from '../../core/wire/keyring';

export const CRYPTO_NODE_NAME = 'crypto-node';

/** AES-256-GCM with one key on node:crypto. */
export function nodeGcm(key: Uint8Array): GcmPrimitive {
  checkAes256Key(key, CRYPTO_NODE_NAME);
  const keyBuf = Buffer.from(key);
  return {
    seal(nonce, aad, plaintext) {
      const c = createCipheriv('aes-256-gcm', keyBuf, nonce, { authTagLength: GCM_TAG_BYTES });
      c.setAAD(aad);
      return Buffer.concat([c.update(plaintext), c.final(), c.getAuthTag()]);
    },
    open(nonce, aad, ciphertext, tag) {
      const d = createDecipheriv('aes-256-gcm', keyBuf, nonce, { authTagLength: GCM_TAG_BYTES });
      d.setAAD(aad);
      d.setAuthTag(tag);
      const body = d.update(ciphertext);
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

/** A node:crypto cipher for a keyring, or for one key (id 0, the password route). */
export function createNodeCipher(keys: Keyring | Uint8Array, options: SubkeyCipherOptions = {}): KeyedCipher {
  const ring = keys instanceof Uint8Array ? singleKeyring(keys) : keys;
  return createSubkeyCipher(CRYPTO_NODE_NAME, ring, nodeGcm, options);
}

/** Options shared by both built-in crypto plugins. */
export const cryptoOptionsSchema = {
  kdf_iterations: {
    type: 'integer',
    description: 'PBKDF2-SHA256 iterations deriving the cluster key from cluster.password, cluster.id and cluster.salt (not used with cluster.key_file); every node and client of a cluster must use the same value',
    default: DEFAULT_KDF_ITERATIONS,
    min: MIN_KDF_ITERATIONS,
    max: MAX_KDF_ITERATIONS,
  },
} as const satisfies OptionsSchema;

export type CryptoPluginOptions = InferOptions<typeof cryptoOptionsSchema>;

/**
 * A cipher plugin: reads the keys once at apply (key file, or PBKDF2 from the
 * password — never per packet) and provides the cipher `create` builds. On a
 * live reload that changed the key file (a rotation step) the running cipher
 * takes the new keys without a restart. Both built-in ciphers use it.
 */
export function defineCipherPlugin(name: string, library: string, create: (keys: Keyring) => KeyedCipher) {
  return definePlugin({
    name,
    options: cryptoOptionsSchema,
    apply(koi, options) {
      const iterations = options.kdf_iterations ?? DEFAULT_KDF_ITERATIONS;
      const cipher = create(keyringFromCluster(koi.config.cluster, iterations));
      koi.provide.cipher(cipher as Cipher);
      const describe = (c: Readonly<typeof koi.config.cluster>) => (c.key_file
        ? `keys from ${c.key_file}, primary key id ${cipher.keyId}`
        : `key derived from the password (PBKDF2, ${iterations} iterations)`);
      koi.logger.debug(`cluster key ready (AES-256-GCM, ${library}; ${describe(koi.config.cluster)})`);
      koi.hooks.onConfigReload.tapPromise(name, async ({ config, previous, restart }) => {
        // A restart re-applies the plugin anyway; live, only the key file's keys or cluster.salt can change the keys.
        const c = config.cluster;
        const p = previous.cluster;
        if (restart || (c.key_digest === p.key_digest && c.key_file === p.key_file && c.salt === p.salt)) return;
        cipher.setKeyring(keyringFromCluster(config.cluster, iterations));
        koi.logger.info(`cluster keys reloaded (${describe(config.cluster)})`);
      });
    },
  });
}

export default defineCipherPlugin(CRYPTO_NODE_NAME, 'node:crypto', (keys) => createNodeCipher(keys));
