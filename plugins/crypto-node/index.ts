/**
 * crypto-node (the default cipher): AES-256-GCM on node:crypto (OpenSSL),
 * in the subkey construction of plugin-api/aes-gcm.ts. Same construction and
 * keys as crypto-forge (they interoperate byte for byte); about 6x faster at
 * rejecting forged datagrams, which is why it is the default
 * (docs/security.md "Denial of service"). The `koi` client uses the same
 * createNodeCipher from plugin-api.
 */
import {
  DEFAULT_KDF_ITERATIONS, MAX_KDF_ITERATIONS, MIN_KDF_ITERATIONS, NODE_CIPHER_NAME, createNodeCipher, definePlugin,
  type Cipher, type InferOptions, type KeyedCipher, type Keyring, type OptionsSchema,
} from '../../plugin-api';

export { createNodeCipher, nodeGcm } from '../../plugin-api';
export const CRYPTO_NODE_NAME = NODE_CIPHER_NAME;

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
      const cipher = create(koi.clusterKeyring(koi.config.cluster, iterations));
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
        cipher.setKeyring(koi.clusterKeyring(config.cluster, iterations));
        koi.logger.info(`cluster keys reloaded (${describe(config.cluster)})`);
      });
    },
  });
}

export default defineCipherPlugin(CRYPTO_NODE_NAME, 'node:crypto', (keys) => createNodeCipher(keys));
