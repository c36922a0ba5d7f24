import * as fs from 'node:fs';
import * as path from 'node:path';
import { makeHost, minimalConfig, tempDir } from './fixtures';

const exampleDir = path.resolve(__dirname, '../../../examples/koi-plugin-example');

describe('examples/koi-plugin-example loaded by its short name', () => {
  let configDir: string;

  beforeAll(() => {
    configDir = tempDir('example');
    fs.mkdirSync(path.join(configDir, 'node_modules'));
    fs.symlinkSync(exampleDir, path.join(configDir, 'node_modules', 'koi-plugin-example'), 'dir');
  });
  afterAll(() => fs.rmSync(configDir, { recursive: true, force: true }));

  it('is found in the config folder node_modules, validates options and answers `hello`', async () => {
    const { host, hooks, capture } = makeHost({ config: minimalConfig([path.join(configDir, 'koi.conf')]) });
    const loaded = await host.load({ name: 'example', options: { greeting: 'Ahoy' }, baseDir: configDir });
    expect(loaded.resolved).toMatchObject({ source: 'package', request: 'koi-plugin-example' });
    expect(fs.realpathSync(loaded.resolved.file)).toBe(path.join(exampleDir, 'index.js'));
    expect(loaded.options).toEqual({ greeting: 'Ahoy', verbose: false });

    await hooks.onStart.promise({ nodeId: 'id-1', name: 'n1', config: minimalConfig() });
    expect(capture.find('info', 'example plugin running on n1')[0]).toMatchObject({ plugin: 'example' });

    const answer = await hooks.onAdminCommand.promise({ command: 'hello', args: [], from: '127.0.0.1:1' });
    expect(answer).toEqual({ exitCode: 0, text: 'Ahoy from n1', json: { greeting: 'Ahoy', node: 'n1', nodeId: '00000000-0000-4000-8000-000000000001' } });
    expect(await hooks.onAdminCommand.promise({ command: 'status', args: [], from: 'x' })).toBeUndefined();

    hooks.onMasterChange.call({ masterId: 'id-2', masterName: 'n2', previousMasterId: '' });
    expect(capture.find('info', 'master is now n2')).toHaveLength(1);
    await host.closeAll();
  });

  it('rejects a wrongly typed option with the plugin name', async () => {
    const { host } = makeHost();
    await expect(host.load({ name: 'example', options: { verbose: 'loud' }, baseDir: configDir, origin: { file: 'koi.conf', line: 3 } }))
      .rejects.toMatchObject({ reason: 'bad-options', details: [expect.stringMatching(/^koi\.conf:3: plugins\.example\.verbose: expected a boolean/)] });
  });

  it('does not require koi at run time (peer dependency only)', () => {
    const source = fs.readFileSync(path.join(exampleDir, 'index.js'), 'utf8');
    expect(source).not.toMatch(/require\(['"]koi/);
    const manifest = JSON.parse(fs.readFileSync(path.join(exampleDir, 'package.json'), 'utf8')) as Record<string, Record<string, string>>;
    expect(manifest.name).toBe('koi-plugin-example');
    expect(manifest.peerDependencies['koi-ha']).toBeDefined();
    expect(manifest.dependencies).toBeUndefined();
  });
});
