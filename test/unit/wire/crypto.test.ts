import { randomBytes } from 'node:crypto';
import forge from 'node-forge';
import * as fc from 'fast-check';
import { deriveClusterKey, DEFAULT_KDF_ITERATIONS, MIN_PASSWORD_LENGTH } from '../../../core/wire/key';
import { GCM_OVERHEAD, SUBKEY_SALT_BYTES, deriveSubkey } from '../../../core/wire/aes-gcm';
import { keyringFromCluster, type Keyring } from '../../../core/wire/keyring';
import { createForgeCipher } from '../../../plugins/crypto-forge';
import { createNodeCipher } from '../../../plugins/crypto-node';
import forgePlugin from '../../../plugins/crypto-forge';
import nodePlugin from '../../../plugins/crypto-node';
import type { Cipher, KoiPluginContext } from '../../../plugin-api';
import { createTestLogger } from '../../helpers/logger';
import { TEST_ITERATIONS, testKey } from './fixtures';

const PW = 'correct horse battery';

describe('cluster key from a password', () => {
  it('is PBKDF2-SHA256 over label ‖ cluster id ‖ cluster.salt: node:crypto and forge derive the same bytes', () => {
    const key = deriveClusterKey('pässword-long-enough', 42, DEFAULT_KDF_ITERATIONS, 'site-salt');
    const { clusterKeySalt } = jest.requireActual<typeof import('../../../core/wire/key')>('../../../core/wire/key');
    const salt = clusterKeySalt(42, 'site-salt');
    expect(salt.toString('latin1')).toContain('site-salt');
    const forgeKey = forge.pkcs5.pbkdf2(Buffer.from('pässword-long-enough', 'utf8').toString('latin1'), salt.toString('latin1'), DEFAULT_KDF_ITERATIONS, 32, 'sha256');
    expect(Buffer.from(key).toString('hex')).toBe(Buffer.from(forgeKey, 'latin1').toString('hex'));
  });

  it('depends on password, cluster id and cluster.salt', () => {
    const k = (p: string, id: number, salt = ''): string => Buffer.from(deriveClusterKey(p, id, TEST_ITERATIONS, salt)).toString('hex');
    expect(k(PW, 1)).not.toBe(k(`${PW}!`, 1));
    expect(k(PW, 1)).not.toBe(k(PW, 2));
    expect(k(PW, 13)).not.toBe(k(PW, 13, 'cluster-a'));
    expect(k(PW, 1)).toBe(k(PW, 1));
  });

  it('refuses short passwords, a bad cluster id and low iteration counts with clear errors', () => {
    expect(() => deriveClusterKey('', 1)).toThrow(/password is empty/);
    expect(() => deriveClusterKey('x', 1)).toThrow(`cluster.password is 1 character long; at least ${MIN_PASSWORD_LENGTH} are required`);
    expect(() => deriveClusterKey('e2e-secret', 1)).toThrow(/10 characters long/);
    expect(() => deriveClusterKey(PW, -1)).toThrow(/cluster.id -1/);
    expect(() => deriveClusterKey(PW, 1, 1000)).toThrow(/kdf_iterations 1000 is not an integer in 100000\.\./);
    expect(deriveClusterKey('12-chars-ok!', 1).length).toBe(32);
  });
});

describe('AES-256-GCM subkey construction: both ciphers interoperate byte for byte', () => {
  const key = Uint8Array.from(randomBytes(32));
  const fixedSalt = (): Uint8Array => Uint8Array.from({ length: SUBKEY_SALT_BYTES }, (_, i) => i * 17);

  it('same key and salt give identical sealed bytes: salt ‖ counter nonce ‖ ciphertext ‖ tag', () => {
    const f = createForgeCipher(key, { salt: fixedSalt });
    const n = createNodeCipher(key, { salt: fixedSalt });
    fc.assert(fc.property(fc.uint8Array({ minLength: 9, maxLength: 64 }), fc.uint8Array({ maxLength: 1400, size: 'max' }), (header, plain) => {
      const a = f.seal(header, plain);
      expect(Buffer.from(a)).toEqual(Buffer.from(n.seal(header, plain)));
      expect(a.length).toBe(plain.length + GCM_OVERHEAD);
    }), { numRuns: 200 });
  });

  it('seal with one, open with the other, both directions; a wrong header or key fails', () => {
    const f = createForgeCipher(key);
    const n = createNodeCipher(key);
    const other = createNodeCipher(Uint8Array.from(randomBytes(32)));
    fc.assert(fc.property(fc.uint8Array({ minLength: 9, maxLength: 16 }), fc.uint8Array({ maxLength: 1400, size: 'max' }), (header, plain) => {
      header[8] = 0; // the key id byte: these ciphers hold key 0
      for (const [seal, open] of [[f, n], [n, f], [f, f], [n, n]] as [Cipher, Cipher][]) {
        const sealed = seal.seal(header, plain);
        expect(Buffer.from(open.open(header, sealed) ?? [])).toEqual(Buffer.from(plain));
        expect(open.open(Uint8Array.of(...header, 0), sealed)).toBeNull();
        expect(other.open(header, sealed)).toBeNull();
      }
    }), { numRuns: 100 });
  });

  it('nonces: one random salt (subkey) per cipher instance, a counter under it, a fresh salt after maxSeals', () => {
    const header = new Uint8Array(9);
    for (const make of [createForgeCipher, createNodeCipher]) {
      const c = make(key, { maxSeals: 100 });
      const salts = new Set<string>();
      const nonces = new Set<string>();
      for (let i = 1; i <= 250; i++) {
        const sealed = c.seal(header, Uint8Array.of(1));
        salts.add(Buffer.from(sealed.subarray(0, 16)).toString('hex'));
        const nonce = Buffer.from(sealed.subarray(16, 28));
        nonces.add(`${Buffer.from(sealed.subarray(0, 16)).toString('hex')}/${nonce.toString('hex')}`);
        expect(nonce.readUInt32BE(0)).toBe(0);
        expect(Number(nonce.readBigUInt64BE(4))).toBe(((i - 1) % 100) + 1);
      }
      expect(salts.size).toBe(3);
      expect(nonces.size).toBe(250);
      // Another instance (another process start) of the same key: another subkey.
      const again = make(key);
      expect(Buffer.from(again.seal(header, Uint8Array.of(1)).subarray(0, 16)).toString('hex')).not.toBe([...salts][0]);
    }
  });

  it('the subkey is HMAC-SHA256(key, label ‖ key id ‖ salt): the master key itself never meets GCM', () => {
    const salt = fixedSalt();
    const sub = deriveSubkey(key, 0, salt);
    expect(Buffer.from(sub)).not.toEqual(Buffer.from(key));
    expect(Buffer.from(deriveSubkey(key, 1, salt))).not.toEqual(Buffer.from(sub));
    // Sealing with a cipher whose key IS the subkey does not open under the master key directly.
    const sealed = createNodeCipher(key, { salt: fixedSalt }).seal(new Uint8Array(9), Uint8Array.of(7));
    const direct = createNodeCipher(sub, { salt: fixedSalt }).seal(new Uint8Array(9), Uint8Array.of(7));
    expect(Buffer.from(sealed)).not.toEqual(Buffer.from(direct));
  });

  it('open never throws and refuses short or random input, any size', () => {
    for (const c of [createForgeCipher(key), createNodeCipher(key)]) {
      fc.assert(fc.property(fc.uint8Array({ minLength: 9, maxLength: 9 }), fc.uint8Array({ maxLength: 1400, size: 'max' }), (header, junk) => {
        expect(c.open(header, junk)).toBeNull();
      }), { numRuns: 300 });
    }
  });

  it('refuses a key that is not 32 bytes', () => {
    expect(() => createForgeCipher(new Uint8Array(16))).toThrow(/32 bytes/);
    expect(() => createNodeCipher(new Uint8Array(31))).toThrow(/32 bytes/);
  });
});

describe('key ids and rotation', () => {
  const k1 = Uint8Array.from(randomBytes(32));
  const k2 = Uint8Array.from(randomBytes(32));
  const ring = (primary: number, ...ids: number[]): Keyring => ({ primary, keys: new Map(ids.map((id) => [id, id === 1 ? k1 : k2])) });
  const header = (keyId: number): Uint8Array => Uint8Array.of(0x4b, 0x49, 1, 0, 0, 0, 0, 7, keyId);

  it('seals with the primary, opens every listed key, refuses unlisted ids; setKeyring switches live', () => {
    for (const make of [createNodeCipher, createForgeCipher]) {
      const old = make(ring(1, 1));
      const both = make(ring(1, 1, 2));
      const next = make(ring(2, 2, 1));
      expect([old.keyId, both.keyId, next.keyId]).toEqual([1, 1, 2]);
      expect(both.hasKey(2) && !old.hasKey(2)).toBe(true);
      // step 2 of the rotation: a node on "2 primary" talks to one still on "1 primary, 2 listed"
      const fromNext = next.seal(header(2), Uint8Array.of(5));
      expect(both.open(header(2), fromNext)).not.toBeNull();
      expect(old.open(header(2), fromNext)).toBeNull();
      expect(next.open(header(1), both.seal(header(1), Uint8Array.of(5)))).not.toBeNull();
      // the key id is authenticated: relabelling 2 → 1 fails
      expect(both.open(header(1), fromNext)).toBeNull();
      old.setKeyring(ring(2, 2));
      expect(old.keyId).toBe(2);
      expect(old.open(header(2), fromNext)).not.toBeNull();
      expect(() => old.setKeyring(ring(3, 2))).toThrow(/primary key id 3/);
    }
  });
});

describe('crypto plugins', () => {
  function context(provided: Cipher[], cluster: Record<string, unknown>): KoiPluginContext {
    const log = createTestLogger();
    return {
      config: { cluster: { id: 9, password: '', transport: [], quorum: 1, ...cluster } },
      logger: log.logger,
      hooks: { onConfigReload: { tapPromise: () => undefined } },
      provide: { cipher: (c: Cipher) => provided.push(c), transport: () => undefined, logSink: () => undefined, executor: () => undefined },
      clusterKeyring: keyringFromCluster, // what the host hands over (core/plugins/host.ts)
    } as unknown as KoiPluginContext;
  }

  it('derive the key once at apply from cluster.password and cluster.id and provide interoperable ciphers', async () => {
    const provided: Cipher[] = [];
    expect(forgePlugin.options?.kdf_iterations.default).toBe(DEFAULT_KDF_ITERATIONS);
    await forgePlugin.apply(context(provided, { password: 'secret-password' }), { kdf_iterations: TEST_ITERATIONS });
    await nodePlugin.apply(context(provided, { password: 'secret-password' }), { kdf_iterations: TEST_ITERATIONS });
    expect(provided.map((c) => c.name)).toEqual(['crypto-forge', 'crypto-node']);
    const header = new Uint8Array(9);
    expect(Buffer.from(provided[1].open(header, provided[0].seal(header, Uint8Array.of(9, 9))) ?? [])).toEqual(Buffer.from([9, 9]));
    const expected = createNodeCipher(testKey('secret-password', 9));
    expect(expected.open(header, provided[0].seal(header, Uint8Array.of(5)))).not.toBeNull();
  });

  it('refuse a short password at apply, naming the rule', async () => {
    await expect(async () => nodePlugin.apply(context([], { password: 'pw' }), { kdf_iterations: TEST_ITERATIONS })).rejects.toThrow(/cluster.password is 2 characters long; at least 12/);
  });
});
