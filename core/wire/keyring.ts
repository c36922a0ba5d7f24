/**
 * The keys a node seals and opens with: key id → 32-byte AES-256 key, and the
 * primary id that seals. From `cluster.key_file` (several ids, rotation) or
 * from `cluster.password` (one key, id 0, PBKDF2).
 */
import { deriveClusterKey, DEFAULT_KDF_ITERATIONS, KeyDerivationError } from './key';
import { readKeyFile } from './keyfile';
import { PASSWORD_KEY_ID, singleKeyring, type Keyring } from '../../plugin-api/cluster-keys';

export { PASSWORD_KEY_ID, singleKeyring, type Keyring };

export interface ClusterSecrets {
  id: number;
  password: string;
  key_file?: string;
  salt?: string;
}

/** The cluster's keyring from its configuration: the key file if set, else the password. */
export function keyringFromCluster(cluster: ClusterSecrets, iterations: number = DEFAULT_KDF_ITERATIONS): Keyring {
  if (cluster.key_file) {
    if (cluster.password) throw new KeyDerivationError('cluster.password and cluster.key_file are both set: use one of them');
    return readKeyFile(cluster.key_file);
  }
  return singleKeyring(deriveClusterKey(cluster.password, cluster.id, iterations, cluster.salt ?? ''));
}
