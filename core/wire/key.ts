/**
 * The cluster key: derived once (when the crypto plugin is applied, or when
 * the client starts) from the cluster password and id with PBKDF2-SHA256,
 * never per packet. Both built-in ciphers and the `koi` client use this one
 * function, so they agree on the key byte for byte.
 *
 * node:crypto's pbkdf2Sync is used even by the node-forge cipher: it is the
 * same standard function, ~10x faster than forge's pure-JS PBKDF2, which
 * keeps the client's start-up short.
 */
import { pbkdf2Sync } from 'node:crypto';

/** AES-256 key length in bytes. */
export const CLUSTER_KEY_BYTES = 32;

/**
 * Default PBKDF2 iterations. ~30-40 ms once per process on a 2020s server
 * core (see docs/wire.md); every node and client of a cluster must use the
 * same value (crypto plugin option `kdf_iterations`).
 */
export const DEFAULT_KDF_ITERATIONS = 100_000;
export const MIN_KDF_ITERATIONS = 1_000;
export const MAX_KDF_ITERATIONS = 10_000_000;

/** Salt: a fixed label plus the cluster id, so equal passwords in two clusters give different keys. */
export function clusterKeySalt(clusterId: number): Buffer {
  const salt = Buffer.alloc(16 + 4);
  salt.write('koi-cluster-key1', 0, 'ascii');
  salt.writeUInt32BE(clusterId >>> 0, 16);
  return salt;
}

export class KeyDerivationError extends Error {
  readonly code = 'KOI_KEY_DERIVATION';
  constructor(message: string) {
    super(message);
    this.name = 'KeyDerivationError';
  }
}

/** Derive the 32-byte AES-256 cluster key. */
export function deriveClusterKey(password: string, clusterId: number, iterations: number = DEFAULT_KDF_ITERATIONS): Uint8Array {
  if (typeof password !== 'string' || password.length === 0) {
    throw new KeyDerivationError('cluster.password is empty: set a shared secret for the cluster');
  }
  if (!Number.isInteger(clusterId) || clusterId < 0 || clusterId > 0xffffffff) {
    throw new KeyDerivationError(`cluster.id ${clusterId} is not an integer in 0..4294967295`);
  }
  if (!Number.isInteger(iterations) || iterations < MIN_KDF_ITERATIONS || iterations > MAX_KDF_ITERATIONS) {
    throw new KeyDerivationError(`kdf_iterations ${iterations} is not an integer in ${MIN_KDF_ITERATIONS}..${MAX_KDF_ITERATIONS}`);
  }
  return new Uint8Array(pbkdf2Sync(Buffer.from(password, 'utf8'), clusterKeySalt(clusterId), iterations, CLUSTER_KEY_BYTES, 'sha256'));
}
