/**
 * The AES-256-GCM datagram construction both built-in ciphers implement
 * (they differ only in the AES-GCM primitive: node:crypto or node-forge), and
 * the node:crypto one itself (`createNodeCipher`, which the `koi` client uses
 * too). A third-party cipher that wraps another AES-GCM implementation in
 * `createSubkeyCipher` interoperates with both.
 *
 *   sealed = salt(16) ‖ nonce(12) ‖ ciphertext ‖ tag(16)
 *   subkey = HMAC-SHA256(cluster key[key id], "koi-wire-subkey-1" ‖ key id ‖ salt)
 *   nonce  = 0x00000000 ‖ counter (uint64 BE, 1, 2, ...) under that subkey
 *
 * The frame header (which carries the key id) is the additional data.
 *
 * Why subkeys (docs/security.md "Nonce budget"): with one long-lived key and
 * random 96-bit nonces, NIST SP 800-38D allows 2^32 seals per key; a node
 * sealing ~120 datagrams/s reaches that in about 13 months, and every node of
 * the cluster spends the same budget. Here each cipher instance (one per
 * process start) draws a random 128-bit salt and seals under its own subkey
 * with a counter nonce, so nonces never repeat under a subkey; the salt is
 * drawn again every SUBKEY_MAX_SEALS seals. Subkeys collide only if two 128-bit
 * random salts do (birthday bound 2^64 process starts). The cluster key itself
 * only feeds HMAC, which has no such budget.
 *
 * Receiving: the key id (header) selects the cluster key; unknown ids are
 * rejected by the codec before any crypto. Subkeys of authentic senders are
 * cached (bounded); a datagram with an unseen salt costs one HMAC (~2 µs) plus
 * one GCM open, and only an authentic one enters the cache, so forged salts
 * cannot evict real senders' subkeys faster than they arrive.
 */
import { createCipheriv, createDecipheriv, createHmac, randomFillSync } from 'node:crypto';
import type { Cipher } from './providers';
import { singleKeyring, type Keyring } from './cluster-keys';
import { ErrorCode, KoiError } from './errors';

export const SUBKEY_SALT_BYTES = 16;
export const GCM_NONCE_BYTES = 12;
export const GCM_TAG_BYTES = 16;
export const GCM_OVERHEAD = SUBKEY_SALT_BYTES + GCM_NONCE_BYTES + GCM_TAG_BYTES;
/** Seals under one subkey before a new salt is drawn (far below any GCM limit for counter nonces). */
export const SUBKEY_MAX_SEALS = 2 ** 32;
/** Receive-side subkeys remembered (authentic senders: nodes and recent `koi` clients). */
export const SUBKEY_CACHE_SIZE = 256;
const SUBKEY_LABEL = Buffer.from('koi-wire-subkey-1', 'ascii');

/** Where salts come from; tests inject a fixed source to compare ciphers byte for byte. */
export type SaltSource = () => Uint8Array;
export const randomSalt: SaltSource = () => randomFillSync(new Uint8Array(SUBKEY_SALT_BYTES));

/** One AES-256-GCM primitive bound to one key. */
export interface GcmPrimitive {
  /** ciphertext ‖ tag */
  seal(nonce: Uint8Array, aad: Uint8Array, plaintext: Uint8Array): Uint8Array;
  /** plaintext, or null when the tag does not verify. Never throws on bad input. */
  open(nonce: Uint8Array, aad: Uint8Array, ciphertext: Uint8Array, tag: Uint8Array): Uint8Array | null;
}

export class CipherKeyError extends KoiError {
  constructor(message: string) {
    super(ErrorCode.CIPHER_KEY, message);
  }
}

export function checkAes256Key(key: Uint8Array, cipherName: string): void {
  if (!(key instanceof Uint8Array) || key.length !== 32) {
    throw new CipherKeyError(`${cipherName}: key must be 32 bytes (AES-256), got ${key instanceof Uint8Array ? key.length : typeof key}`);
  }
}

export function deriveSubkey(key: Uint8Array, keyId: number, salt: Uint8Array): Uint8Array {
  const h = createHmac('sha256', key);
  h.update(SUBKEY_LABEL);
  h.update(Uint8Array.of(keyId));
  h.update(salt);
  return new Uint8Array(h.digest());
}

/** A cipher whose keys can be replaced while it runs (key rotation by reload). */
export interface KeyedCipher extends Cipher {
  readonly keyId: number;
  hasKey(keyId: number): boolean;
  setKeyring(keyring: Keyring): void;
}

export interface SubkeyCipherOptions {
  salt?: SaltSource;
  /** Seals per subkey before re-salting (tests lower it). */
  maxSeals?: number;
}

/** The construction above around one AES-GCM primitive factory. */
export function createSubkeyCipher(
  name: string,
  keyring: Keyring,
  primitive: (key: Uint8Array) => GcmPrimitive,
  options: SubkeyCipherOptions = {},
): KeyedCipher {
  const nextSalt = options.salt ?? randomSalt;
  const maxSeals = options.maxSeals ?? SUBKEY_MAX_SEALS;
  let ring = checkKeyring(keyring, name);
  // Sending state: one subkey (per primary key id) and its counter.
  let send: { keyId: number; salt: Uint8Array; gcm: GcmPrimitive; counter: number } | null = null;
  // Receiving: authentic subkeys by key id + salt, least recently used first.
  const cache = new Map<string, GcmPrimitive>();

  const sender = () => {
    if (!send || send.keyId !== ring.primary || send.counter >= maxSeals) {
      const salt = nextSalt();
      const key = ring.keys.get(ring.primary) as Uint8Array;
      send = { keyId: ring.primary, salt, gcm: primitive(deriveSubkey(key, ring.primary, salt)), counter: 0 };
    }
    return send;
  };

  return {
    name,
    overhead: GCM_OVERHEAD,
    get keyId() {
      return ring.primary;
    },
    hasKey: (keyId) => ring.keys.has(keyId),
    setKeyring(next) {
      ring = checkKeyring(next, name);
      cache.clear();
      send = null;
    },
    seal(header, plaintext) {
      const s = sender();
      s.counter++;
      const nonce = new Uint8Array(GCM_NONCE_BYTES);
      new DataView(nonce.buffer).setBigUint64(4, BigInt(s.counter), false);
      const body = s.gcm.seal(nonce, header, plaintext);
      const out = new Uint8Array(SUBKEY_SALT_BYTES + GCM_NONCE_BYTES + body.length);
      out.set(s.salt, 0);
      out.set(nonce, SUBKEY_SALT_BYTES);
      out.set(body, SUBKEY_SALT_BYTES + GCM_NONCE_BYTES);
      return out;
    },
    open(header, sealed) {
      if (sealed.length < GCM_OVERHEAD || header.length < 9) return null;
      const keyId = header[8];
      const key = ring.keys.get(keyId);
      if (!key) return null;
      const salt = sealed.subarray(0, SUBKEY_SALT_BYTES);
      const nonce = sealed.subarray(SUBKEY_SALT_BYTES, SUBKEY_SALT_BYTES + GCM_NONCE_BYTES);
      const ciphertext = sealed.subarray(SUBKEY_SALT_BYTES + GCM_NONCE_BYTES, sealed.length - GCM_TAG_BYTES);
      const tag = sealed.subarray(sealed.length - GCM_TAG_BYTES);
      const cacheKey = keyId + Buffer.from(salt.buffer, salt.byteOffset, salt.length).toString('latin1');
      const cached = cache.get(cacheKey);
      const gcm = cached ?? primitive(deriveSubkey(key, keyId, salt));
      const plain = gcm.open(nonce, header, ciphertext, tag);
      if (plain === null) return null;
      if (cached) cache.delete(cacheKey); // re-insert: most recently used last
      else if (cache.size >= SUBKEY_CACHE_SIZE) cache.delete(cache.keys().next().value as string);
      cache.set(cacheKey, gcm);
      return plain;
    },
  };
}

function checkKeyring(keyring: Keyring, name: string): Keyring {
  if (!keyring.keys.has(keyring.primary)) throw new CipherKeyError(`${name}: primary key id ${keyring.primary} is not in the keyring`);
  for (const key of keyring.keys.values()) checkAes256Key(key, name);
  return keyring;
}

/** Name of the default cipher (the crypto-node plugin). */
export const NODE_CIPHER_NAME = 'crypto-node';

/** AES-256-GCM with one key on node:crypto (OpenSSL). */
export function nodeGcm(key: Uint8Array): GcmPrimitive {
  checkAes256Key(key, NODE_CIPHER_NAME);
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
  return createSubkeyCipher(NODE_CIPHER_NAME, ring, nodeGcm, options);
}
