/**
 * The plugin platform's rules (issue 17): bounded awaited taps named by the
 * loaded plugin, read-only hooks, load-time metadata checks (koi range,
 * dependencies, commands), host options, and option errors that read well
 * (sorted by line, no `:0`, durations as durations, `path` resolved against
 * the config folder).
 */
import * as path from 'node:path';
import { createHooks, hooksForPlugin } from '../../../core/hooks';
import { satisfiesRange, validatePluginOptions } from '../../../core/plugins';
import { createManualClock, createTestContext, DEFAULT_HOOK_TIMEOUT_MS, HOST_OPTIONS, parseDuration } from '../../../plugin-api';
import { createTestLogger } from '../../helpers/logger';
import { makeHost, tempDir, writeFiles } from './fixtures';

/** Let every pending promise job run (the manual clock fires timers synchronously). */
const flush = (): Promise<void> => new Promise((resolve) => setImmediate(resolve));

describe('awaited taps are bounded per plugin (item 1)', () => {
  it('a never-resolving onPromote tap is skipped after the plugin\'s hook_timeout, named by the loaded plugin; later taps run', async () => {
    const capture = createTestLogger();
    const clock = createManualClock();
    const hooks = createHooks(capture.logger, { clock });
    const ran: string[] = [];
    hooksForPlugin(hooks, { plugin: 'acc', timeoutMs: 1000 }).onPromote.tapPromise('whatever-the-tap-says', () => new Promise(() => undefined));
    hooksForPlugin(hooks, { plugin: 'other', timeoutMs: 1000 }).onPromote.tapPromise('other', async () => { ran.push('other'); });
    let done = false;
    void hooks.onPromote.promise({ nodeId: 'x', name: 'n1', reason: 'test' }).then(() => { done = true; });
    clock.advance(999);
    await flush();
    expect(done).toBe(false);
    clock.advance(1);
    await flush();
    expect(done).toBe(true);
    expect(ran).toEqual(['other']);
    const [record] = capture.find('error', 'did not finish');
    expect(record.msg).toBe('plugin acc: onPromote tap did not finish within 1 s; skipped');
    expect(record).toMatchObject({ plugin: 'acc', hook: 'onPromote' });
  });

  it('onFence is not cut: a fencing plugin bounds its own work', async () => {
    const clock = createManualClock();
    const hooks = createHooks(createTestLogger().logger, { clock });
    let answer: (r: { ok: boolean; detail: string }) => void = () => undefined;
    hooksForPlugin(hooks, { plugin: 'fence', timeoutMs: 100 }).onFence.tapPromise('fence', () => new Promise((resolve) => { answer = resolve; }));
    let result: unknown;
    void hooks.onFence.promise({ nodeId: 'x', name: 'n2', addresses: [], silentForMs: 5000 }).then((r) => { result = r; });
    clock.advance(10_000);
    await flush();
    expect(result).toBeUndefined();
    answer({ ok: true, detail: 'powered off' });
    await flush();
    expect(result).toEqual({ ok: true, detail: 'powered off' });
  });

  it('a callback tap (tapAsync) that never calls back is bounded too', async () => {
    const clock = createManualClock();
    const hooks = createHooks(createTestLogger().logger, { clock });
    hooksForPlugin(hooks, { plugin: 'cb', timeoutMs: 200 }).onServiceEvent.tapAsync('cb', () => undefined);
    let done = false;
    void hooks.onServiceEvent.promise({ service: 's', event: 'start', ok: true, presumed: false, result: { code: 0, timedOut: false, aborted: false, durationMs: 1 } })
      .then(() => { done = true; });
    clock.advance(200);
    await flush();
    expect(done).toBe(true);
  });

  it('the host reads hook_timeout from the plugin\'s section (default in one place) and bounds onClose with it', async () => {
    const dir = tempDir('timeout');
    writeFiles(dir, {
      'slow.js': `module.exports = { name: 'slow', apply(koi) { koi.onClose(() => new Promise(() => {})); } };`,
      'plain.js': `module.exports = { name: 'plain', apply() {} };`,
    });
    const { host, capture } = makeHost();
    const slow = await host.load({ name: './slow.js', options: { hook_timeout: '50ms' }, baseDir: dir });
    const plain = await host.load({ name: './plain.js', options: {}, baseDir: dir });
    expect(slow.hookTimeoutMs).toBe(50);
    expect(plain.hookTimeoutMs).toBe(DEFAULT_HOOK_TIMEOUT_MS);
    expect(parseDuration(HOST_OPTIONS.hook_timeout.default)).toBe(DEFAULT_HOOK_TIMEOUT_MS);
    const started = Date.now();
    await host.closeAll();
    expect(Date.now() - started).toBeLessThan(2000);
    expect(capture.find('error', 'plugin ./slow.js: onClose did not finish within 0.05 s; skipped')).toHaveLength(1);
  });

  it('an apply that never settles fails the load after hook_timeout (Fastify\'s pluginTimeout)', async () => {
    const dir = tempDir('apply-hang');
    writeFiles(dir, { 'stuck.js': `module.exports = { name: 'stuck', apply: () => new Promise(() => {}) };` });
    const { host } = makeHost();
    await expect(host.load({ name: './stuck.js', options: { hook_timeout: '50ms' }, baseDir: dir }))
      .rejects.toMatchObject({ reason: 'apply-threw', message: 'plugin ./stuck.js: apply did not finish within 0.05 s (its hook_timeout)' });
  });

  it('a bad hook_timeout is an option error like the plugin\'s own', async () => {
    const dir = tempDir('timeout-bad');
    writeFiles(dir, { 'p.js': `module.exports = { name: 'p', apply() {} };` });
    const { host } = makeHost();
    await expect(host.load({ name: './p.js', options: { hook_timeout: '2h' }, optionOrigins: { hook_timeout: { file: 'koi.conf', line: 9 } }, baseDir: dir }))
      .rejects.toMatchObject({ reason: 'bad-options', details: ['koi.conf:9: plugins../p.js.hook_timeout: "2h" is above the maximum 10m'] });
  });
});

describe('hooks as a plugin sees them (item 8)', () => {
  it('cannot be replaced or changed: the hooks object and each hook are read-only', async () => {
    const t = createTestContext();
    const koi = t.koi;
    expect(() => { (koi.hooks as { onPromote: unknown }).onPromote = null; }).toThrow(TypeError);
    expect(() => { (koi.hooks.onPromote as unknown as { promise: unknown }).promise = () => undefined; }).toThrow(/hooks are read-only/);
    expect(Object.isFrozen(t.hooks)).toBe(true);
  });

  it('a failing tap is logged under the loaded plugin\'s name, not the tap\'s own', async () => {
    const t = createTestContext({ pluginName: 'acc' });
    t.koi.hooks.onStateChange.tap('something-else', () => {
      throw new Error('kaput');
    });
    t.hooks.onStateChange.call({ from: 'Slave', to: 'Master', reason: 'x' });
    expect(t.logs.filter((r) => r.level === 'error').map((r) => r.msg)).toEqual(['plugin acc failed in onStateChange: kaput']);
  });

  it('createTestContext bounds taps with the manual clock, like the daemon', async () => {
    const t = createTestContext({ pluginName: 'hang', hookTimeoutMs: 300 });
    t.koi.hooks.onStart.tapPromise('hang', () => new Promise(() => undefined));
    let done = false;
    void t.hooks.onStart.promise({ nodeId: 'x', name: 'n', config: t.koi.config }).then(() => { done = true; });
    (t.clock as ReturnType<typeof createManualClock>).advance(300);
    await flush();
    expect(done).toBe(true);
    expect(t.logs.some((r) => r.msg === 'plugin hang: onStart tap did not finish within 0.3 s; skipped')).toBe(true);
  });
});

describe('metadata checked at load (item 8)', () => {
  const dir = tempDir('meta');
  writeFiles(dir, {
    'future.js': `module.exports = { name: 'future', koi: '>=9.0.0', apply() {} };`,
    'fits.js': `module.exports = { name: 'fits', koi: '^0.1.0', apply() {} };`,
    'garbled.js': `module.exports = { name: 'garbled', koi: 'soon', apply() {} };`,
    'a.js': `module.exports = { name: 'a', apply() {} };`,
    'b.js': `module.exports = { name: 'b', dependencies: ['a'], apply() {} };`,
    'clash.js': `module.exports = { name: 'clash', commands: [{ name: 'status', summary: 's' }], apply() {} };`,
    'cmd1.js': `module.exports = { name: 'cmd1', commands: [{ name: 'report', summary: 'r', readOnly: true }], apply() {} };`,
    'cmd2.js': `module.exports = { name: 'cmd2', commands: [{ name: 'report', summary: 'r' }], apply() {} };`,
  });

  it('a plugin made for another koi is refused with both versions named', async () => {
    const { host } = makeHost({ koiVersion: '0.1.0' });
    await expect(host.load({ name: './future.js', options: {}, baseDir: dir, origin: { file: '/etc/koi/koi.conf', line: 12 } })).rejects.toMatchObject({
      reason: 'incompatible',
      message: 'plugin ./future.js: needs koi >=9.0.0, but this is koi 0.1.0; install a version of the plugin made for koi 0.1.0',
      details: ['/etc/koi/koi.conf:12: plugins../future.js'],
    });
    await expect(host.load({ name: './fits.js', options: {}, baseDir: dir })).resolves.toBeDefined();
    await expect(host.load({ name: './garbled.js', options: {}, baseDir: dir })).rejects.toThrow(/declares koi "soon", which is not a version range/);
  });

  it('dependencies must be loaded first', async () => {
    const { host } = makeHost();
    await expect(host.load({ name: './b.js', options: {}, baseDir: dir }))
      .rejects.toThrow('plugin ./b.js: needs plugin a loaded before it (its dependencies); list it above ./b.js in the plugins section');
    await host.load({ name: './a.js', options: {}, baseDir: dir });
    await expect(host.load({ name: './b.js', options: {}, baseDir: dir })).resolves.toBeDefined();
  });

  it('declared commands may not clash with built-ins or each other', async () => {
    const { host } = makeHost();
    await expect(host.load({ name: './clash.js', options: {}, baseDir: dir })).rejects.toThrow("declares the command 'status', which is a built-in koi command");
    await host.load({ name: './cmd1.js', options: {}, baseDir: dir });
    await expect(host.load({ name: './cmd2.js', options: {}, baseDir: dir })).rejects.toThrow("declares the command 'report', which plugin ./cmd1.js already declares");
    expect(host.commands).toEqual([{ name: 'report', usage: '', summary: 'r', readOnly: true, runs: 'here', plugin: './cmd1.js' }]);
  });

  it('the context carries the config folder as baseDir', async () => {
    writeFiles(dir, { 'where.js': `module.exports = { name: 'where', apply(koi) { global.__koiBaseDir = koi.baseDir; } };` });
    const { host } = makeHost();
    await host.load({ name: './where.js', options: {}, baseDir: dir });
    expect((global as unknown as { __koiBaseDir: string }).__koiBaseDir).toBe(dir);
  });
});

describe('option errors that read well (item 8)', () => {
  const schema = {
    window: { type: 'duration', description: 'w', max: '10m', min: '1s' },
    count: { type: 'integer', description: 'c', max: 5 },
    file: { type: 'path', description: 'f' },
  } as const;

  it('are sorted by line, whatever the schema order', () => {
    const result = validatePluginOptions({
      name: 'acc', options: { file: '', count: 9, window: '2h' },
      optionOrigins: { file: { file: 'k.conf', line: 3 }, count: { file: 'k.conf', line: 7 }, window: { file: 'k.conf', line: 5 } },
    }, schema);
    expect(result.problems).toEqual([
      'k.conf:3: plugins.acc.file: expected a path, got ""',
      'k.conf:5: plugins.acc.window: "2h" is above the maximum 10m',
      'k.conf:7: plugins.acc.count: 9 is above the maximum 5',
    ]);
  });

  it('a source without lines (JSON) prints the file, not file:0', () => {
    const result = validatePluginOptions({ name: 'acc', options: { window: '500ms' }, optionOrigins: { window: { file: '/etc/koi/koi.json', line: 0 } } }, schema);
    expect(result.problems).toEqual(['/etc/koi/koi.json: plugins.acc.window: "500ms" is below the minimum 1s']);
  });

  it('a path option is resolved against the config file\'s folder', () => {
    const result = validatePluginOptions({ name: 'acc', options: { file: 'data/x.db' }, baseDir: '/etc/koi' }, schema);
    expect(result.options.file).toBe(path.join('/etc/koi', 'data/x.db'));
  });
});

describe('koi version ranges', () => {
  it.each([
    ['0.1.0', '^0.1.0', true], ['0.1.5', '^0.1.0', true], ['0.2.0', '^0.1.0', false], ['1.4.0', '^1.2', true], ['2.0.0', '^1.2', false],
    ['0.1.0', '>=0.1.0 <1', true], ['1.0.0', '>=0.1.0 <1', false], ['0.3.1', '~0.3', true], ['0.4.0', '~0.3', false],
    ['1.2.3', '1.x', true], ['2.0.0', '1.x || >=3', false], ['3.1.0', '1.x || >=3', true], ['0.1.0', '*', true],
    ['1.5.0', '1.0 - 2.0', true], ['2.1.0', '1.0 - 2.0', false], ['0.1.0-beta.1', '^0.1.0', false], ['0.0.3', '^0.0.3', true], ['0.0.4', '^0.0.3', false],
    ['1.3.0', '>1.2', true], ['1.2.9', '>1.2', false], ['1.2.9', '<=1.2', true],
  ])('%s satisfies %s: %s', (version, range, expected) => {
    expect(satisfiesRange(version, range)).toBe(expected);
  });
});
