import * as fs from 'node:fs';
import * as path from 'node:path';
import { PluginError, packageNameFor, resolvePlugin } from '../../../core/plugins';
import { tempDir, writeFiles, writePackage } from './fixtures';

describe('plugin names', () => {
  it.each([
    ['foo', 'koi-plugin-foo'],
    ['@acme/fence', '@acme/koi-plugin-fence'],
    ['koi-plugin-x', 'koi-plugin-x'],
    ['@acme/koi-plugin-x', '@acme/koi-plugin-x'],
    ['./local', null],
    ['../up/one', null],
    ['/abs/plugin.js', null],
  ])('%s → %s', (name, expected) => {
    expect(packageNameFor(name)).toBe(expected);
  });
});

describe('resolvePlugin', () => {
  let root: string;
  let builtinDir: string;
  let configDir: string;
  let daemonRoot: string;

  beforeAll(() => {
    root = tempDir('resolve');
    builtinDir = path.join(root, 'builtins');
    configDir = path.join(root, 'etc');
    daemonRoot = path.join(root, 'daemon');
    writeFiles(builtinDir, { 'udp/index.js': 'module.exports = {}', 'empty/README': 'no index here' });
    fs.mkdirSync(configDir, { recursive: true });
    writePackage(configDir, 'koi-plugin-both', 'module.exports = "config copy"');
    writePackage(daemonRoot, 'koi-plugin-both', 'module.exports = "daemon copy"');
    writePackage(daemonRoot, 'koi-plugin-daemononly', 'module.exports = 1');
    writePackage(configDir, '@acme/koi-plugin-fence', 'module.exports = 1');
    writePackage(configDir, 'koi-plugin-udp', 'module.exports = 1');
    writeFiles(configDir, { 'local/plugin.js': 'module.exports = 1', 'dir-plugin/index.js': 'module.exports = 1' });
    // An ES-module-only package: require.resolve cannot see its `import` export.
    writeFiles(path.join(configDir, 'node_modules', 'koi-plugin-esm'), {
      'package.json': JSON.stringify({ name: 'koi-plugin-esm', type: 'module', exports: { '.': { import: './main.js' } } }),
      'main.js': 'export default {}',
    });
  });
  afterAll(() => fs.rmSync(root, { recursive: true, force: true }));

  const opts = () => ({ baseDir: configDir, builtinDir, daemonRoot });

  it('a short name that is a built-in folder with an index wins over a package', () => {
    const r = resolvePlugin('udp', opts());
    expect(r.source).toBe('builtin');
    expect(r.file).toBe(path.join(builtinDir, 'udp', 'index.js'));
  });

  it('a folder under the built-ins without an index is not a built-in', () => {
    expect(() => resolvePlugin('empty', opts())).toThrow(/koi-plugin-empty/);
  });

  it('the config folder is searched before the daemon install', () => {
    const r = resolvePlugin('both', opts());
    expect(r).toMatchObject({ source: 'package', request: 'koi-plugin-both' });
    expect(r.file.startsWith(configDir)).toBe(true);
  });

  it('falls back to the daemon install', () => {
    const r = resolvePlugin('daemononly', opts());
    expect(r.file.startsWith(daemonRoot)).toBe(true);
  });

  it('scoped short names get the koi-plugin- prefix inside the scope; full names are used as is', () => {
    expect(resolvePlugin('@acme/fence', opts()).request).toBe('@acme/koi-plugin-fence');
    expect(resolvePlugin('@acme/koi-plugin-fence', opts()).request).toBe('@acme/koi-plugin-fence');
    expect(resolvePlugin('koi-plugin-both', opts()).request).toBe('koi-plugin-both');
  });

  it('relative paths resolve against the config folder, files and folders alike', () => {
    expect(resolvePlugin('./local/plugin.js', opts()).file).toBe(path.join(configDir, 'local', 'plugin.js'));
    expect(resolvePlugin('./local/plugin', opts()).source).toBe('path');
    expect(resolvePlugin('./dir-plugin', opts()).file).toBe(path.join(configDir, 'dir-plugin', 'index.js'));
    expect(resolvePlugin(path.join(configDir, 'local', 'plugin.js'), opts()).source).toBe('path');
  });

  it('an ESM-only package is found through its import export and marked esm', () => {
    const r = resolvePlugin('esm', opts());
    expect(r.file).toBe(path.join(configDir, 'node_modules', 'koi-plugin-esm', 'main.js'));
    expect(r.esm).toBe(true);
  });

  it('not found: the error names the plugin and every place it looked', () => {
    let caught: unknown;
    try {
      resolvePlugin('nothere', opts());
    } catch (err) {
      caught = err;
    }
    expect(caught).toBeInstanceOf(PluginError);
    const err = caught as PluginError;
    expect(err.reason).toBe('not-found');
    expect(err.plugin).toBe('nothere');
    expect(err.message).toContain('plugin nothere');
    expect(err.message).toContain(`built-in ${path.join(builtinDir, 'nothere')}`);
    expect(err.message).toContain(`koi-plugin-nothere from ${configDir}`);
    expect(err.message).toContain(`koi-plugin-nothere from ${daemonRoot}`);
    expect(err.details).toHaveLength(3);
  });

  it('a missing relative path names the absolute path it tried', () => {
    expect(() => resolvePlugin('./missing.js', opts())).toThrow(path.join(configDir, 'missing.js'));
  });
});
