import { randomBytes } from 'node:crypto';
import forge from 'node-forge';
import * as fc from 'fast-check';
import { deriveClusterKey, DEFAULT_KDF_ITERATIONS } from '../../../core/wire/key';
import { createForgeCipher } from '../../../plugins/crypto-forge';
import { createNodeCipher } from '../../../plugins/crypto-node';
import forgePlugin from '../../../plugins/crypto-forge';
import nodePlugin from '../../../plugins/crypto-node';
import type { Cipher, KoiPluginContext } from '../../../plugin-api';
import { createTestLogger } from '../../helpers/logger';

describe('cluster key', () => {
  it('is PBKDF2-SHA256: node:crypto and forge derive the same bytes', () => {
    const key = deriveClusterKey('pässword', 42, 2000);
    const { clusterKeySalt } = jest.requireActual<typeof import('../../../core/wire/key')>('../../../core/wire/key');
    const forgeKey = forge.pkcs5.pbkdf2(Buffer.from('pässword', 'utf8').toString('latin1'), clusterKeySalt(42).toString('latin1'), 2000, 32, 'sha256');
    expect(Buffer.from(key).toString('hex')).toBe(Buffer.from(forgeKey, 'latin1').toString('hex'));
  });

  it('depends on password and cluster id', () => {
    const k = (p: string, id: number): string => Buffer.from(deriveClusterKey(p, id, 1000)).toString('hex');
    expect(k('a', 1)).not.toBe(k('b', 1));
    expect(k('a', 1)).not.toBe(k('a', 2));
    expect(k('a', 1)).toBe(k('a', 1));
  });

  it('refuses an empty password, a bad cluster id and bad iteration counts with clear errors', () => {
    expect(() => deriveClusterKey('', 1)).toThrow(/password is empty/);
    expect(() => deriveClusterKey('x', -1)).toThrow(/cluster.id -1/);
    expect(() => deriveClusterKey('x', 1, 10)).toThrow(/kdf_iterations 10/);
  });
});

describe('AES-256-GCM ciphers interoperate byte for byte', () => {
  const key = Uint8Array.from(randomBytes(32));
  const fixedNonce = (): Uint8Array => Uint8Array.from({ length: 12 }, (_, i) => i * 17);

  it('same key and nonce give identical sealed bytes', () => {
    const f = createForgeCipher(key, { nonce: fixedNonce });
    const n = createNodeCipher(key, { nonce: fixedNonce });
    fc.assert(fc.property(fc.uint8Array({ maxLength: 64 }), fc.uint8Array({ maxLength: 1500 }), (header, plain) => {
      expect(Buffer.from(f.seal(header, plain))).toEqual(Buffer.from(n.seal(header, plain)));
    }), { numRuns: 300 });
  });

  it('seal with one, open with the other, both directions; a wrong header or key fails', () => {
    const f = createForgeCipher(key);
    const n = createNodeCipher(key);
    const other = createNodeCipher(Uint8Array.from(randomBytes(32)));
    fc.assert(fc.property(fc.uint8Array({ maxLength: 16 }), fc.uint8Array({ maxLength: 1400 }), (header, plain) => {
      for (const [seal, open] of [[f, n], [n, f], [f, f], [n, n]] as [Cipher, Cipher][]) {
        const sealed = seal.seal(header, plain);
        expect(sealed.length).toBe(plain.length + seal.overhead);
        expect(Buffer.from(open.open(header, sealed) ?? [])).toEqual(Buffer.from(plain));
        expect(open.open(Uint8Array.of(...header, 0), sealed)).toBeNull();
        expect(other.open(header, sealed)).toBeNull();
      }
    }), { numRuns: 200 });
  });

  it('fresh nonce per datagram', () => {
    for (const c of [createForgeCipher(key), createNodeCipher(key)]) {
      const nonces = new Set<string>();
      for (let i = 0; i < 200; i++) nonces.add(Buffer.from(c.seal(new Uint8Array(0), Uint8Array.of(1)).subarray(0, 12)).toString('hex'));
      expect(nonces.size).toBe(200);
    }
  });

  it('open never throws and refuses short or altered input', () => {
    for (const c of [createForgeCipher(key), createNodeCipher(key)]) {
      fc.assert(fc.property(fc.uint8Array({ maxLength: 100 }), (junk) => {
        expect(c.open(new Uint8Array(0), junk)).toBeNull();
      }), { numRuns: 500 });
    }
  });

  it('refuses a key that is not 32 bytes', () => {
    expect(() => createForgeCipher(new Uint8Array(16))).toThrow(/32 bytes/);
    expect(() => createNodeCipher(new Uint8Array(31))).toThrow(/32 bytes/);
  });
});

describe('crypto plugins', () => {
  function context(provided: Cipher[]): KoiPluginContext {
    const log = createTestLogger();
    return {
      config: { cluster: { id: 9, password: 'pw', transport: [], quorum: 1 } },
      logger: log.logger,
      provide: { cipher: (c: Cipher) => provided.push(c), transport: () => undefined, logSink: () => undefined, executor: () => undefined },
    } as unknown as KoiPluginContext;
  }

  it('derive the key once at apply from cluster.password and cluster.id and provide interoperable ciphers', async () => {
    const provided: Cipher[] = [];
    expect(forgePlugin.options?.kdf_iterations.default).toBe(DEFAULT_KDF_ITERATIONS);
    await forgePlugin.apply(context(provided), { kdf_iterations: 1000 });
    await nodePlugin.apply(context(provided), { kdf_iterations: 1000 });
    expect(provided.map((c) => c.name)).toEqual(['crypto-forge', 'crypto-node']);
    const header = Uint8Array.of(1, 2, 3);
    expect(Buffer.from(provided[1].open(header, provided[0].seal(header, Uint8Array.of(9, 9))) ?? [])).toEqual(Buffer.from([9, 9]));
    const expected = createNodeCipher(deriveClusterKey('pw', 9, 1000));
    expect(expected.open(header, provided[0].seal(header, Uint8Array.of(5)))).not.toBeNull();
  });
});
