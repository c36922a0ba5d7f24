/**
 * The cluster's keys as a cipher plugin gets them: a keyring (key id →
 * 32-byte AES-256 key, and the primary id that seals) and the PBKDF2 bounds of
 * the `kdf_iterations` option. The host reads the key file or derives the
 * key from the password (`koi.clusterKeyring`), so a cipher never parses
 * secrets itself.
 */

export interface Keyring {
  primary: number;
  keys: ReadonlyMap<number, Uint8Array>;
}

/** Key id of the single password-derived key. */
export const PASSWORD_KEY_ID = 0;

export function singleKeyring(key: Uint8Array, id = PASSWORD_KEY_ID): Keyring {
  return { primary: id, keys: new Map([[id, key]]) };
}

/**
 * Default and minimum PBKDF2 iterations. 100 000 is ~35 ms once per process
 * on a 2020s server core (see docs/wire.md); every node and client of a
 * cluster must use the same value (crypto plugin option `kdf_iterations`).
 * Fewer are refused: with a 12-character minimum password they are what
 * makes an offline guess from one captured datagram cost something.
 */
export const DEFAULT_KDF_ITERATIONS = 100_000;
export const MIN_KDF_ITERATIONS = 100_000;
export const MAX_KDF_ITERATIONS = 10_000_000;
