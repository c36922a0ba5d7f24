/**
 * examples/koi-plugin-example (TypeScript, built by `npm run build` into its
 * dist/): tested the way its author would, with `createTestContext()` from
 * the plugin API, and loaded by its short name as the daemon does.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { createTestContext } from '../../../plugin-api';
import type { KoiPlugin } from '../../../plugin-api';
import { makeHost, minimalConfig, tempDir } from './fixtures';

const exampleDir = path.resolve(__dirname, '../../../examples/koi-plugin-example');
// eslint-disable-next-line @typescript-eslint/no-require-imports
const plugin = (require(exampleDir) as { default: KoiPlugin<{ greeting: string; verbose: boolean; banner_file?: string }> }).default;

describe('examples/koi-plugin-example with createTestContext()', () => {
  it('answers hello with the greeting, defaults filled as the daemon fills them', async () => {
    const t = createTestContext({ node: { name: 'n1' } });
    const options = await t.apply(plugin, { greeting: 'Ahoy' });
    expect(options).toEqual({ greeting: 'Ahoy', verbose: false });
    await t.hooks.onStart.promise({ nodeId: 'id-1', name: 'n1', config: t.koi.config });
    expect(t.logs.find((r) => r.msg === 'example plugin running on n1')).toMatchObject({ plugin: 'example', level: 'info' });
    expect(await t.hooks.onAdminCommand.promise({ command: 'hello', args: [], from: '' }))
      .toMatchObject({ exitCode: 0, text: 'Ahoy from n1', json: { greeting: 'Ahoy', node: 'n1' } });
    expect(await t.hooks.onAdminCommand.promise({ command: 'status', args: [], from: '' })).toBeUndefined();
    t.hooks.onStateChange.call({ from: 'Slave', to: 'Master', reason: 'named' });
    expect(await t.hooks.onAdminCommand.promise({ command: 'roles', args: [], from: '' })).toMatchObject({ text: 'Master' });
    await t.close();
    expect(t.logs.some((r) => r.msg === 'example plugin closed')).toBe(true);
  });

  it('reads banner_file relative to the config folder (a `path` option)', async () => {
    const dir = tempDir('example-banner');
    fs.writeFileSync(path.join(dir, 'banner.txt'), 'welcome aboard\nsecond line\n');
    const t = createTestContext({ node: { name: 'n2' }, baseDir: dir });
    const options = await t.apply(plugin, { banner_file: 'banner.txt' });
    expect(options.banner_file).toBe(path.join(dir, 'banner.txt'));
    expect(await t.hooks.onAdminCommand.promise({ command: 'hello', args: [], from: '' })).toMatchObject({ text: 'Hello from n2 (welcome aboard)' });
    fs.rmSync(dir, { recursive: true, force: true });
  });

  it('refuses a wrongly typed option the way the daemon does', async () => {
    await expect(createTestContext().apply(plugin, { verbose: 'loud' })).rejects.toThrow(/plugins\.example\.verbose: expected a boolean/);
  });

  it('needs nothing from koi at run time (optional peer dependency, type-only imports)', () => {
    const built = fs.readFileSync(path.join(exampleDir, 'dist', 'index.js'), 'utf8');
    expect(built).not.toMatch(/require\(['"]koi/);
    const manifest = JSON.parse(fs.readFileSync(path.join(exampleDir, 'package.json'), 'utf8')) as Record<string, Record<string, unknown>>;
    expect(manifest.name).toBe('koi-plugin-example');
    expect(manifest.peerDependencies['koi-ha']).toBeDefined();
    expect(manifest.peerDependenciesMeta['koi-ha']).toEqual({ optional: true });
    expect(manifest.dependencies).toBeUndefined();
  });
});

describe('examples/koi-plugin-example loaded by its short name', () => {
  let configDir: string;

  beforeAll(() => {
    configDir = tempDir('example');
    fs.mkdirSync(path.join(configDir, 'node_modules'));
    fs.symlinkSync(exampleDir, path.join(configDir, 'node_modules', 'koi-plugin-example'), 'dir');
  });
  afterAll(() => fs.rmSync(configDir, { recursive: true, force: true }));

  it('is found in the config folder node_modules, declares its commands and answers `hello`', async () => {
    const { host, hooks } = makeHost({ config: minimalConfig([path.join(configDir, 'koi.conf')]) });
    const loaded = await host.load({ name: 'example', options: { greeting: 'Ahoy' }, baseDir: configDir });
    expect(loaded.resolved).toMatchObject({ source: 'package', request: 'koi-plugin-example' });
    expect(fs.realpathSync(loaded.resolved.file)).toBe(path.join(exampleDir, 'dist', 'index.js'));
    expect(host.commands.map((c) => [c.name, c.runs, c.readOnly, c.plugin])).toEqual([['hello', 'here', true, 'example'], ['roles', 'every', true, 'example']]);
    expect(await hooks.onAdminCommand.promise({ command: 'hello', args: [], from: 'x' })).toMatchObject({ exitCode: 0, text: 'Ahoy from n1' });
    await host.closeAll();
  });

  it('rejects a wrongly typed option with the plugin name and the line', async () => {
    const { host } = makeHost();
    await expect(host.load({ name: 'example', options: { verbose: 'loud' }, baseDir: configDir, origin: { file: 'koi.conf', line: 3 } }))
      .rejects.toMatchObject({ reason: 'bad-options', details: [expect.stringMatching(/^koi\.conf:3: plugins\.example\.verbose: expected a boolean/)] });
  });
});
