import * as fs from 'node:fs';
import * as path from 'node:path';
import { PluginError } from '../../../core/plugins';
import type { PluginEntry } from '../../../plugin-api';
import { makeHost, tempDir, writeFiles, writePackage } from './fixtures';

const transportSource = (name: string) => `
module.exports = { name: '${name}', apply(koi) {
  koi.provide.transport({ name: '${name}', maxDatagramSize: 1400, start: async () => {}, broadcast() {}, sendTo() {}, localAddresses: () => [], close: async () => {} });
} };`;

describe('PluginHost', () => {
  let dir: string;
  const entry = (name: string, options: Record<string, unknown> = {}, extra: Partial<PluginEntry> = {}): PluginEntry => ({ name, options, baseDir: dir, ...extra });

  beforeAll(() => {
    dir = tempDir('host');
    writePackage(dir, 'koi-plugin-default-export', `exports.default = { name: 'default-export', version: '2.0.0', apply(koi) { koi.logger.info('hello from default'); } };`);
    writePackage(dir, 'koi-plugin-cjs', `module.exports = { name: 'cjs', apply() {} };`);
    writePackage(dir, 'koi-plugin-named', `exports.plugin = { name: 'named', apply() {} };`);
    writePackage(dir, 'koi-plugin-factory', `module.exports = function makePlugin() { return { name: 'factory', apply(koi) { koi.logger.info('made by a factory'); } }; };`);
    writePackage(dir, 'koi-plugin-throws', `module.exports = { name: 'throws', apply() { throw new Error('disk on fire'); } };`);
    writePackage(dir, 'koi-plugin-rejects', `module.exports = { name: 'rejects', async apply() { throw new Error('async boom'); } };`);
    writePackage(dir, 'koi-plugin-bad-export', `module.exports = { name: 'bad', aply() {} };`);
    writePackage(dir, 'koi-plugin-no-name', `module.exports = { apply() {} };`);
    writePackage(dir, 'koi-plugin-syntax', `module.exports = {;`);
    writePackage(dir, 'koi-plugin-t1', transportSource('t1'));
    writePackage(dir, 'koi-plugin-t2', transportSource('t2'));
    writePackage(dir, 'koi-plugin-opts', `
      module.exports = { name: 'opts', options: {
        greeting: { type: 'string', description: 'g', default: 'hi' },
        count: { type: 'integer', description: 'c', min: 1, max: 10, required: true },
        verbose: { type: 'boolean', description: 'v', default: false },
        wait: { type: 'duration', description: 'w', default: '2s' },
        mode: { type: 'string', description: 'm', enum: ['fast', 'safe'], default: 'safe' },
        tags: { type: 'string[]', description: 't', default: [] },
      }, apply(koi, options) { module.exports.seen = options; } };`);
    writePackage(dir, 'koi-plugin-closer', `
      module.exports = { name: 'closer', options: { id: { type: 'string', description: 'id', required: true } },
        apply(koi, o) { koi.onClose(() => { global.__koiCloseOrder.push(o.id); if (o.id === 'b') throw new Error('close failed'); }); } };`);
  });
  afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

  it.each([
    ['default-export', 'default export (exports.default)'],
    ['cjs', 'module.exports = plugin'],
    ['named', 'a named plugin export'],
    ['factory', 'a factory function'],
  ])('accepts %s: %s', async (name) => {
    const { host } = makeHost();
    const loaded = await host.load(entry(name));
    expect(loaded.resolved.request).toBe(`koi-plugin-${name}`);
    expect(host.plugins.map((p) => p.entryName)).toEqual([name]);
  });

  it('gives each plugin a logger bound to its name', async () => {
    const { host, capture } = makeHost();
    await host.load(entry('factory'));
    expect(capture.find('info', 'made by a factory')[0]).toMatchObject({ plugin: 'factory' });
  });

  it('validates, coerces and fills defaults from the plugin schema', async () => {
    const { host } = makeHost();
    const loaded = await host.load(entry('opts', { count: '3', verbose: 'yes', tags: 'a, b c' }));
    expect(loaded.options).toEqual({ greeting: 'hi', count: 3, verbose: true, wait: 2000, mode: 'safe', tags: ['a', 'b', 'c'] });
  });

  it('bad options: every problem as file:line: plugins.<name>.<option>: what is wrong', async () => {
    const { host } = makeHost();
    const origin = (line: number) => ({ file: '/etc/koi/koi.conf', line });
    const bad = entry('opts', { count: '11', verbose: 'perhaps', mode: 'reckless', colour: 'blue', wait: 'soon' }, {
      origin: origin(20),
      optionOrigins: { count: origin(21), verbose: origin(22), mode: origin(23), colour: origin(24), wait: origin(25) },
    });
    const err = await host.load(bad).then(() => null, (e: unknown) => e);
    expect(err).toBeInstanceOf(PluginError);
    const pe = err as PluginError;
    expect(pe.reason).toBe('bad-options');
    expect(pe.message).toContain('plugin opts');
    expect(pe.details).toEqual(expect.arrayContaining([
      expect.stringMatching(/^\/etc\/koi\/koi\.conf:21: plugins\.opts\.count: "11" is above the maximum 10$/),
      expect.stringMatching(/^\/etc\/koi\/koi\.conf:22: plugins\.opts\.verbose: expected a boolean/),
      expect.stringMatching(/^\/etc\/koi\/koi\.conf:23: plugins\.opts\.mode: "reckless" is not one of fast, safe$/),
      expect.stringMatching(/^\/etc\/koi\/koi\.conf:24: plugins\.opts\.colour: unknown option/),
      expect.stringMatching(/^\/etc\/koi\/koi\.conf:25: plugins\.opts\.wait: expected a duration/),
    ]));
    expect(pe.details).toHaveLength(5);
    expect(pe.format().split('\n')).toHaveLength(6);
  });

  it('a missing required option names it, at the plugin entry line', async () => {
    const { host } = makeHost();
    const err = (await host.load(entry('opts', {}, { origin: { file: 'k.conf', line: 7 } })).catch((e: unknown) => e)) as PluginError;
    expect(err.details).toEqual(['k.conf:7: plugins.opts.count: required option missing (c)']);
  });

  it('a plugin that throws in apply (sync or async) stops the load naming it', async () => {
    for (const [name, text] of [['throws', 'disk on fire'], ['rejects', 'async boom']]) {
      const { host } = makeHost();
      const err = (await host.load(entry(name)).catch((e: unknown) => e)) as PluginError;
      expect(err).toBeInstanceOf(PluginError);
      expect(err).toMatchObject({ reason: 'apply-threw', plugin: name });
      expect(err.message).toBe(`plugin ${name}: threw in apply: ${text}`);
    }
  });

  it.each([
    ['bad-export', /does not export a koi plugin: found an object with keys name, aply/],
    ['no-name', /no `name` string/],
    ['syntax', /cannot be loaded from .*koi-plugin-syntax.*index\.js/],
  ])('bad export %s', async (name, pattern) => {
    const { host } = makeHost();
    const err = (await host.load(entry(name)).catch((e: unknown) => e)) as PluginError;
    expect(err).toMatchObject({ reason: 'bad-export', plugin: name });
    expect(err.message).toMatch(pattern);
  });

  it('two transports: the second fails loudly naming both plugins', async () => {
    const { host } = makeHost();
    await host.load(entry('t1'));
    const err = (await host.load(entry('t2')).catch((e: unknown) => e)) as PluginError;
    expect(err).toMatchObject({ reason: 'slot-conflict', plugin: 't2' });
    expect(err.message).toBe('plugin t2: cannot provide the transport: plugin t1 already provides it (only one transport is allowed)');
    expect(host.transport?.name).toBe('t1');
  });

  it('not found is a PluginError naming the plugin', async () => {
    const { host } = makeHost();
    await expect(host.load(entry('ghost'))).rejects.toMatchObject({ reason: 'not-found', plugin: 'ghost' });
  });

  it('closes in reverse load order, each close isolated and logged with the plugin name', async () => {
    const g = global as unknown as { __koiCloseOrder: string[] };
    g.__koiCloseOrder = [];
    const { host, capture } = makeHost();
    for (const id of ['a', 'b', 'c']) await host.load(entry('closer', { id }));
    await host.closeAll();
    expect(g.__koiCloseOrder).toEqual(['c', 'b', 'a']);
    expect(capture.find('error', 'plugin closer failed to close: close failed')).toHaveLength(1);
    await host.closeAll(); // idempotent
    expect(g.__koiCloseOrder).toHaveLength(3);
  });

  it('fills empty slots with defaults that exist, and reports an empty slot clearly', async () => {
    const builtinDir = path.join(dir, 'builtins');
    writeFiles(builtinDir, {
      'fake-udp/index.js': transportSource('fake-udp'),
      'fake-exec/index.js': `module.exports = { name: 'fake-exec', apply(koi) { koi.provide.executor({ kind: 'shell', probe: async () => null, run: async () => ({ code: 0, timedOut: false, aborted: false, durationMs: 0 }) }); } };`,
    });
    const defaults = { transport: ['fake-udp'], cipher: ['fake-cipher-not-installed'], executors: ['fake-exec', 'missing-exec'] };
    const { host } = makeHost({ builtinDir, defaults });
    await host.loadAll([]);
    expect(host.transport?.name).toBe('fake-udp');
    expect(host.executors.map((e) => e.kind)).toEqual(['shell']);
    expect(() => host.requireProviders()).toThrow('plugin fake-cipher-not-installed: no plugin provides a cipher');

    // A configured transport keeps the default away.
    const second = makeHost({ builtinDir, defaults });
    await second.host.loadAll([entry('t1')]);
    expect(second.host.plugins.map((p) => p.entryName)).toEqual(['t1', 'fake-exec']);
  });

  it('collects log sinks and hands them to the log target', async () => {
    const attached: string[] = [];
    const detached: string[] = [];
    const { host } = makeHost({ logSinks: { attach: (s) => attached.push(s.name), detach: (s) => detached.push(s.name) } });
    await host.load({ name: 'log-console', options: { color: false } });
    expect(attached).toEqual(['console']);
    expect(host.logSinks.map((s) => s.name)).toEqual(['console']);
    await host.closeAll();
    expect(detached).toEqual(['console']);
  });
});

describe('default cipher (issue 11 finding 5)', () => {
  it('fills the cipher slot with crypto-node, the one that rejects forged datagrams at ≥ 50,000/s per core (npm run bench:codec)', async () => {
    // The daemon's defaults (makeHost turns them off for the other tests); the built-ins come from the source tree.
    const { host } = makeHost({ defaults: undefined });
    await host.loadAll([]);
    expect(host.plugins.map((p) => p.entryName)).toContain('crypto-node');
    expect(host.plugins.map((p) => p.entryName)).not.toContain('crypto-forge');
    expect(host.requireProviders().cipher).toBeDefined();
    await host.closeAll();
  });
});
