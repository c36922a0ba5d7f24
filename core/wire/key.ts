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

import { DEFAULT_KDF_ITERATIONS, MAX_KDF_ITERATIONS, MIN_KDF_ITERATIONS } from '../../plugin-api/cluster-keys';
import { ErrorCode, KoiError } from '../../plugin-api/errors';

export { DEFAULT_KDF_ITERATIONS, MAX_KDF_ITERATIONS, MIN_KDF_ITERATIONS };
/** Shortest cluster.password accepted (docs/security.md "Keys and rotation"). */
export const MIN_PASSWORD_LENGTH = 12;

/**
 * Salt: a fixed label, the cluster id and `cluster.salt` (UTF-8; "" when not
 * set). Without cluster.salt every cluster with the same id shares a salt, so
 * one precomputed dictionary serves them all: set cluster.salt (any random
 * string, the same on every node) or, better, use cluster.key_file.
 */
export function clusterKeySalt(clusterId: number, clusterSalt = ''): Buffer {
  const extra = Buffer.from(clusterSalt, 'utf8');
  const salt = Buffer.alloc(16 + 4 + extra.length);
  salt.write('koi-cluster-key2', 0, 'ascii');
  salt.writeUInt32BE(clusterId >>> 0, 16);
  extra.copy(salt, 20);
  return salt;
}

export class KeyDerivationError extends KoiError {
  constructor(message: string) {
    super(ErrorCode.KEY_DERIVATION, message);
  }
}

/** Why a password cannot be used, or null. */
export function passwordProblem(password: string): string | null {
  if (typeof password !== 'string' || password.length === 0) return 'cluster.password is empty: set cluster.key_file (see `koi keygen`) or a shared password';
  const length = [...password].length;
  if (length < MIN_PASSWORD_LENGTH) {
    return `cluster.password is ${length} character${length === 1 ? '' : 's'} long; at least ${MIN_PASSWORD_LENGTH} are required (better: cluster.key_file, see \`koi keygen\`)`;
  }
  return null;
}

/** Derive the 32-byte AES-256 cluster key. */
export function deriveClusterKey(password: string, clusterId: number, iterations: number = DEFAULT_KDF_ITERATIONS, clusterSalt = ''): Uint8Array {
  const problem = passwordProblem(password);
  if (problem) throw new KeyDerivationError(problem);
  if (!Number.isInteger(clusterId) || clusterId < 0 || clusterId > 0xffffffff) {
    throw new KeyDerivationError(`cluster.id ${clusterId} is not an integer in 0..4294967295`);
  }
  if (!Number.isInteger(iterations) || iterations < MIN_KDF_ITERATIONS || iterations > MAX_KDF_ITERATIONS) {
    throw new KeyDerivationError(`kdf_iterations ${iterations} is not an integer in ${MIN_KDF_ITERATIONS}..${MAX_KDF_ITERATIONS}`);
  }
  return new Uint8Array(pbkdf2Sync(Buffer.from(password, 'utf8'), clusterKeySalt(clusterId, clusterSalt), iterations, CLUSTER_KEY_BYTES, 'sha256'));
}
