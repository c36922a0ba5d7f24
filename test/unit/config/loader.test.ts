import { promises as fs, existsSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { loadConfig, type LoadConfigOptions } from '../../../core/config/loader';
import { ConfigError } from '../../../core/config/errors';
import { defaultConfig } from '../../../core/config/defaults';
import { TIME_DEFAULTS } from '../../../core/config/timing-defaults';

let dir: string;
const NO_SYSTEM = '/nonexistent/koi-test/koi.conf';

beforeEach(async () => {
  dir = await fs.mkdtemp(path.join(os.tmpdir(), 'koi-config-'));
});
afterEach(async () => {
  await fs.rm(dir, { recursive: true, force: true });
});

async function write(name: string, content: string): Promise<string> {
  const file = path.join(dir, name);
  await fs.mkdir(path.dirname(file), { recursive: true });
  await fs.writeFile(file, content);
  return file;
}

/** The client's search (cwd included); the daemon's is tested in 'koinode search'. */
const load = (opts: LoadConfigOptions = {}) => loadConfig({ cwd: dir, systemConfigPath: NO_SYSTEM, searchCwd: true, ...opts });

async function configError(promise: Promise<unknown>): Promise<ConfigError> {
  try {
    await promise;
  } catch (error) {
    if (error instanceof ConfigError) return error;
    throw error;
  }
  throw new Error('expected a ConfigError');
}

describe('defaults', () => {
  it('no file anywhere: every SPEC default, and a warning', async () => {
    const { config, warnings } = await load();
    expect(config.node).toEqual({
      name: os.hostname(), elector: true, runner: false, port: 42012, maintenance: false, loglevel: 'info',
      force_restart: false, reuse_address: false, increment_port: false,
      admin_socket: '/run/koi/koi.sock', admin_group: '', network_admin: 'read-only', admin_allow: '', journal: '/var/lib/koi/events.jsonl', state_file: '/var/lib/koi/state.json',
    });
    expect(config.cluster).toEqual({ id: 13, password: '', transport: [], quorum: 0 });
    expect(config.service).toEqual({
      folder: '/etc/koi/services', workingdir: '/etc/koi/services',
      start_timeout: 360_000, stop_timeout: 360_000, status_timeout: 120_000, promote_timeout: 30_000,
      demote_timeout: 30_000, failed_timeout: 20_000, kill_grace: 5_000, auto_recover: 120,
      // 2, not the original 1: the recovery wait grows by default (issue 12: no failover storms).
      auto_recover_wait_factor: 2, strict_permissions: true, env_passthrough: '',
    });
    expect(config.time).toEqual(TIME_DEFAULTS);
    expect(config.plugins).toEqual([]);
    expect(config.sources).toEqual([]);
    expect(warnings[0]).toMatch(/^no configuration file found/);
    expect(warnings.some((w) => w.includes('password is empty'))).toBe(true);
    expect(warnings.some((w) => w.includes('talks only to itself'))).toBe(true);
  });

  it('defaultConfig() equals the loaded defaults', async () => {
    expect((await load()).config).toEqual(defaultConfig());
  });
});

describe('koi.conf values', () => {
  it('types every kind of key, and keeps origins', async () => {
    const file = await write('koi.conf', [
      'node {', '  elector no', '  runner on', '  port 5000', '  loglevel WARN', '  increment_port yes', '}',
      'cluster {', '  id 99', '  password "s3cret; with semicolon"', '  transport "127.0.0.1, [::1]:6000 239.1.2.3"', '  quorum 2', '}',
      'service {', '  start_timeout 1.5s', '  kill_grace 250', '  auto_recover 0', '  auto_recover_wait_factor 2.5', '}',
      'time { status_interval 2m }',
    ].join('\n'));
    const { config, origins } = await load();
    expect(config.node).toMatchObject({ elector: false, runner: true, port: 5000, loglevel: 'warn', increment_port: true });
    expect(config.cluster).toMatchObject({ id: 99, password: 's3cret; with semicolon', quorum: 2 });
    expect(config.cluster.transport).toEqual([
      { kind: 'ipv4', host: '127.0.0.1', port: 5000, raw: '127.0.0.1' },
      { kind: 'ipv6', host: '::1', port: 6000, raw: '[::1]:6000' },
      { kind: 'multicast4', host: '239.1.2.3', port: 5000, raw: '239.1.2.3' },
    ]);
    expect(config.service).toMatchObject({ start_timeout: 1500, kill_grace: 250, auto_recover: 0, auto_recover_wait_factor: 2.5 });
    expect(config.time.status_interval).toBe(120_000);
    expect(config.time.node_timeout).toBe(TIME_DEFAULTS.node_timeout);
    expect(config.sources).toEqual([file]);
    expect(origins['cluster.quorum']).toEqual({ file, line: 12 });
  });

  it('clamps auto_recover_wait_factor into 1..8 with a warning naming file and line', async () => {
    await write('koi.conf', 'service {\n  auto_recover_wait_factor 12\n}\n');
    const high = await load();
    expect(high.config.service.auto_recover_wait_factor).toBe(8);
    expect(high.warnings).toContain(`${path.join(dir, 'koi.conf')}:2: service.auto_recover_wait_factor: 12 is out of range 1..8; using 8`);
    await write('koi.conf', 'service {\n  auto_recover_wait_factor 0.5\n}\n');
    const low = await load();
    expect(low.config.service.auto_recover_wait_factor).toBe(1);
    expect(low.warnings.some((w) => w.includes('0.5 is out of range 1..8; using 1'))).toBe(true);
  });
});

describe('errors', () => {
  it('three different errors in one file → three file:line lines, sorted', async () => {
    await write('bad.conf', [
      'node {',              // 1
      '  port 70000',        // 2 out of range
      '  runner maybe',      // 3 wrong type
      '}',                   // 4
      'cluster {',           // 5
      '  transport "10.0.0.300"', // 6 bad address
      '}',
    ].join('\n'));
    const error = await configError(load({ files: ['bad.conf'] }));
    expect(error.code).toBe('KOI_CONFIG');
    expect(error.exitCode).toBe(78);
    expect(error.format().split('\n')).toEqual([
      'bad.conf:2: node.port: 70000 is out of range 1..65535',
      'bad.conf:3: node.runner: expected true/false (or yes/no, on/off), got "maybe"',
      'bad.conf:6: cluster.transport: bad address "10.0.0.300": octet 4 of "10.0.0.300" is 300, more than 255',
    ]);
  });

  it('collects unknown sections and keys, syntax errors and problems of several files together', async () => {
    await write('a.conf', 'nodes {\n  port 1\n}\nnode {\n  prot 1\n  port 1\n  port 2\n}\n');
    await write('b.conf', 'service {\n  folder "unterminated\n  start_timeout soon\n}\n');
    const error = await configError(load({ files: ['b.conf', 'a.conf'] }));
    expect(error.problems.map((p) => `${p.file}:${p.line}:${p.key}`)).toEqual([
      'a.conf:1:nodes', 'a.conf:5:node.prot', 'a.conf:7:node.port', 'b.conf:2:', 'b.conf:3:service.start_timeout',
    ]);
    expect(error.format()).toContain('a.conf:1: nodes: unknown section (did you mean "node"?)');
  });

  it('reports semantic errors when the syntax is fine', async () => {
    await write('a.conf', 'nodes {\n  port 1\n}\nnode {\n  prot 1\n  loglevel loud\n}\ntime { status_interval 5 }\nservice { start_timeout soon }\n');
    const error = await configError(load({ files: ['a.conf'] }));
    expect(error.format().split('\n')).toEqual([
      'a.conf:1: nodes: unknown section (did you mean "node"?) (sections: node, cluster, service, time, plugins)',
      'a.conf:5: node.prot: unknown key (did you mean "port"?)',
      'a.conf:6: node.loglevel: expected one of trace|debug|info|warn|error, got "loud"',
      'a.conf:8: time.status_interval: 5ms is out of range 10ms..1h',
      expect.stringMatching(/^a\.conf:9: service\.start_timeout: "soon" is not a duration/),
    ]);
  });

  it('a section where a key belongs, and a value where a section belongs', async () => {
    await write('a.conf', 'node {\n  port { x 1 }\n}\ncluster 5\n');
    const error = await configError(load({ files: ['a.conf'] }));
    expect(error.format().split('\n')).toEqual([
      'a.conf:2: node.port: expected a value, got a section',
      'a.conf:4: cluster: expected a section ("cluster { ... }"), got a value',
    ]);
  });

  it('a missing file named with -f is an error naming it', async () => {
    const error = await configError(load({ files: ['nope.conf'] }));
    expect(error.format()).toBe('nope.conf: configuration file not found');
  });

  it('JSON/YAML errors name the file (no line for values)', async () => {
    await write('k.json', JSON.stringify({ node: { port: 'x' }, cluster: { transport: ['::1', 'bad_host'] } }));
    const error = await configError(load({ files: ['k.json'] }));
    expect(error.format().split('\n')).toEqual([
      'k.json: node.port: expected a whole number, got "x"',
      'k.json: cluster.transport: bad address "bad_host": "bad_host" is not an IPv4/IPv6 address or a valid host name (label "bad_host")',
    ]);
  });

  it('a YAML syntax error gives its line', async () => {
    await write('k.yaml', 'node:\n  port: 1\n   bad: [\n');
    const error = await configError(load({ files: ['k.yaml'] }));
    expect(error.problems).toHaveLength(1);
    expect(error.problems[0]).toMatchObject({ file: 'k.yaml', key: '' });
    expect(error.problems[0].line).toBeGreaterThan(0);
    expect(error.problems[0].message).toMatch(/^cannot parse/);
  });
});

describe('several files and overrides', () => {
  it('later files override earlier ones key by key; CLI overrides win', async () => {
    await write('one.conf', 'node {\n  port 1000\n  runner true\n  name one\n}\ncluster { id 5 }\n');
    await write('two.conf', 'node {\n  port 2000\n  loglevel debug\n}\n');
    const { config, origins } = await load({ files: ['one.conf', 'two.conf'] });
    expect(config.node).toMatchObject({ port: 2000, runner: true, name: 'one', loglevel: 'debug' });
    expect(config.cluster.id).toBe(5);
    expect(origins['node.port']).toEqual({ file: 'two.conf', line: 2 });
    expect(origins['node.runner']).toEqual({ file: 'one.conf', line: 3 });
    expect(config.sources).toEqual([path.join(dir, 'one.conf'), path.join(dir, 'two.conf')]);

    const reversed = await load({ files: ['two.conf', 'one.conf'] });
    expect(reversed.config.node.port).toBe(1000);

    const overridden = await load({ files: ['one.conf', 'two.conf'], overrides: { name: 'cli-name', loglevel: 'trace' } });
    expect(overridden.config.node).toMatchObject({ name: 'cli-name', loglevel: 'trace', port: 2000 });
  });

  it('transport entries without a port take the final node port', async () => {
    await write('one.conf', 'cluster { transport "127.0.0.1 [::1]:7" }\n');
    await write('two.conf', 'node { port 3000 }\n');
    const { config } = await load({ files: ['one.conf', 'two.conf'] });
    expect(config.cluster.transport.map((a) => a.port)).toEqual([3000, 7]);
  });

  it('plugins merge by name: later options override, false removes, order is first mention', async () => {
    await write('one.conf', [
      'plugins {',
      '  udp {}',
      '  "@acme/fence" {',
      '    host pdu1',
      '    outlet 4',
      '  }',
      '  old true',
      '}',
    ].join('\n'));
    await write('sub/two.json', JSON.stringify({ plugins: { '@acme/fence': { outlet: 7, verify: true }, old: false, extra: true } }));
    const { config } = await load({ files: ['one.conf', 'sub/two.json'] });
    expect(config.plugins).toEqual([
      { name: 'udp', options: {}, origin: { file: 'one.conf', line: 2 }, optionOrigins: {}, baseDir: dir },
      {
        name: '@acme/fence',
        options: { host: 'pdu1', outlet: 7, verify: true },
        origin: { file: 'sub/two.json', line: 0 },
        optionOrigins: { host: { file: 'one.conf', line: 4 }, outlet: { file: 'sub/two.json', line: 0 }, verify: { file: 'sub/two.json', line: 0 } },
        baseDir: path.join(dir, 'sub'),
      },
      { name: 'extra', options: {}, origin: { file: 'sub/two.json', line: 0 }, optionOrigins: {}, baseDir: path.join(dir, 'sub') },
    ]);
  });

  it('koi.conf plugin options stay strings as written; nested sections become objects', async () => {
    await write('p.conf', 'plugins {\n  "./my-plugin" {\n    retries 3\n    enabled yes\n    target { host "a b" }\n  }\n}\n');
    const { config } = await load({ files: ['p.conf'] });
    expect(config.plugins[0]).toMatchObject({ name: './my-plugin', options: { retries: '3', enabled: 'yes', target: { host: 'a b' } } });
    expect(config.plugins[0].optionOrigins).toEqual({
      retries: { file: 'p.conf', line: 3 }, enabled: { file: 'p.conf', line: 4 }, target: { file: 'p.conf', line: 5 },
    });
  });

  it('plugins as a JSON/YAML list', async () => {
    await write('p.yaml', 'plugins:\n  - udp\n  - [example, { greeting: hi }]\n  - { name: other, options: { n: 2 } }\n');
    const { config } = await load({ files: ['p.yaml'] });
    expect(config.plugins.map((p) => [p.name, p.options])).toEqual([['udp', {}], ['example', { greeting: 'hi' }], ['other', { n: 2 }]]);
    await write('bad.yaml', 'plugins:\n  - 42\n  - [example, 5]\n');
    const error = await configError(load({ files: ['bad.yaml'] }));
    expect(error.format().split('\n')).toEqual([
      'bad.yaml: plugins[0]: expected "name", [name, options] or { name, options }',
      'bad.yaml: plugins.example: options must be an object, got 5',
    ]);
  });

  it('relative paths resolve against the folder of the file that set them', async () => {
    await write('etc/a.conf', 'service {\n  folder services\n}\n');
    await write('other/b.conf', 'service {\n  workingdir ../work\n}\n');
    const { config } = await load({ files: ['etc/a.conf', 'other/b.conf'] });
    expect(config.service.folder).toBe(path.join(dir, 'etc', 'services'));
    expect(config.service.workingdir).toBe(path.join(dir, 'work'));
    const alone = await load({ files: ['etc/a.conf'] });
    expect(alone.config.service.workingdir).toBe(path.join(dir, 'etc', 'services'));
    await write('abs.conf', 'service { folder /srv/koi }\n');
    expect((await load({ files: ['abs.conf'] })).config.service.folder).toBe('/srv/koi');
  });
});

describe('search and other sources', () => {
  it('./koi.conf first, then the system file, then the other sources', async () => {
    const system = await write('system/koi.conf', 'node { port 2222 }\n');
    await write('koi.config.json', JSON.stringify({ node: { port: 3333 } }));
    expect((await load({ systemConfigPath: system })).config.node.port).toBe(2222);
    await write('koi.conf', 'node { port 1111 }\n');
    const found = await load({ systemConfigPath: system });
    expect(found.config.node.port).toBe(1111);
    expect(found.config.sources).toEqual([path.join(dir, 'koi.conf')]);
    expect(found.warnings.some((w) => w.startsWith('no configuration'))).toBe(false);
  });

  it.each([
    ['koi.config.json', JSON.stringify({ node: { port: 4001, runner: true } })],
    ['koi.config.yaml', 'node:\n  port: 4001\n  runner: yes\n'],
    ['koi.config.yml', 'node:\n  port: "4001"\n  runner: "on"\n'],
    ['.koirc', 'node:\n  port: 4001\n  runner: true\n'],
    ['.koirc.json', '{ "node": { "port": 4001, "runner": true } }'],
    ['.koirc.yaml', 'node: { port: 4001, runner: true }\n'],
    ['.koirc.yml', 'node: { port: 4001, runner: true }\n'],
    ['package.json', JSON.stringify({ name: 'x', koi: { node: { port: 4001, runner: true } } })],
  ])('finds %s', async (name, content) => {
    await write(name, content);
    const { config } = await load();
    expect(config.node).toMatchObject({ port: 4001, runner: true });
    expect(config.sources).toEqual([path.join(dir, name)]);
  });

  it('skips a package.json without "koi"', async () => {
    await write('package.json', JSON.stringify({ name: 'x' }));
    await write('.koirc.yml', 'node: { port: 4002 }\n');
    expect((await load()).config.node.port).toBe(4002);
  });

  it('never runs a JS config found in the cwd; runs one only when named with -f', async () => {
    const marker = path.join(dir, 'ran-js-config');
    const body = `require('fs').writeFileSync(${JSON.stringify(marker)}, 'x'); module.exports = { node: { port: 4321 } };\n`;
    await write('koi.config.js', body);
    await write('koi.config.cjs', body);
    await write('.koirc.js', body);
    const searched = await load();
    expect(searched.config.node.port).toBe(42012);
    expect(existsSync(marker)).toBe(false);
    const explicit = await load({ files: ['koi.config.cjs'] });
    expect(explicit.config.node.port).toBe(4321);
    expect(existsSync(marker)).toBe(true);
  });

  it('re-reads an edited JS config on the next load (reload)', async () => {
    await write('site.config.js', 'module.exports = { node: { port: 5001 } };\n');
    expect((await load({ files: ['site.config.js'] })).config.node.port).toBe(5001);
    await write('site.config.js', 'module.exports = { node: { port: 5002 } };\n');
    expect((await load({ files: ['site.config.js'] })).config.node.port).toBe(5002);
  });

  it('does not execute cosmiconfig meta config (.config/config.js) in the cwd during the search', async () => {
    const marker = path.join(dir, 'ran-meta-config');
    await write('.config/config.js', `require('fs').writeFileSync(${JSON.stringify(marker)}, 'x'); module.exports = {};\n`);
    await write('koi.config.json', JSON.stringify({ node: { port: 4555 } }));
    const previous = process.cwd();
    process.chdir(dir); // cosmiconfig's meta lookup uses process.cwd(), whatever `cwd` says
    try {
      const { config } = await loadConfig({ systemConfigPath: NO_SYSTEM, searchCwd: true });
      expect(config.node.port).toBe(4555);
      await new Promise((resolve) => setTimeout(resolve, 50)); // let any async import settle
      expect(existsSync(marker)).toBe(false);

      // Control: the stock cosmiconfig explorer does run it, so this test can fail.
      // eslint-disable-next-line @typescript-eslint/no-require-imports
      const { cosmiconfig } = require('cosmiconfig') as typeof import('cosmiconfig');
      try {
        await cosmiconfig('koi').search(dir);
      } catch {
        // the empty meta config may be rejected; executing it is what we look for
      }
      await new Promise((resolve) => setTimeout(resolve, 50));
      expect(existsSync(marker)).toBe(true);
    } finally {
      process.chdir(previous);
    }
  });
});

describe('koinode search (SPEC §7): never the working directory', () => {
  it('without files and without searchCwd only the system file is read; ./koi.conf and the other sources are not', async () => {
    await write('koi.conf', 'node { port 1111 }\nplugins {\n  "./evil.js" {}\n}\n');
    await write('koi.config.json', JSON.stringify({ node: { port: 3333 } }));
    const none = await loadConfig({ cwd: dir, systemConfigPath: NO_SYSTEM });
    expect(none.config.node.port).toBe(42012);
    expect(none.config.plugins).toEqual([]);
    expect(none.config.sources).toEqual([]);
    expect(none.warnings).toContain(`no configuration file found (looked for ${NO_SYSTEM}); running with defaults as a lone node`);
    const system = await write('system/koi.conf', 'node { port 2222 }\n');
    expect((await loadConfig({ cwd: dir, systemConfigPath: system })).config.node.port).toBe(2222);
    // Named with -f, the cwd file is read.
    expect((await loadConfig({ cwd: dir, systemConfigPath: NO_SYSTEM, files: ['koi.conf'] })).config.node.port).toBe(1111);
  });
});

describe('hardening checks', () => {
  it('a node name that is not a valid name is an error at file:line', async () => {
    const file = await write('koi.conf', 'node {\n  port 1111\n  name "-rf"\n}\n');
    const error = await configError(load({ files: [file] }));
    expect(error.format()).toBe(`${file}:3: node.name: "-rf" starts with "-" (it would be read as an option by scripts)`);
    await write('koi.json', JSON.stringify({ node: { name: 'red\u001b[31m' } }));
    const json = await configError(load({ files: ['koi.json'] }));
    expect(json.format()).toContain('koi.json: node.name: contains a control character');
    await write('koi.json', JSON.stringify({ node: { name: 'x'.repeat(65) } }));
    expect((await configError(load({ files: ['koi.json'] }))).format()).toContain('koi.json: node.name:');
  });

  it('--name is checked too', async () => {
    const error = await configError(load({ overrides: { name: 'a b' } }));
    expect(error.format()).toBe('--name: node.name: "a b" contains " " (allowed: 1-64 characters from A-Z a-z 0-9 . _ -, not starting with "-")');
  });

  it('service.env_passthrough takes variable names only', async () => {
    const file = await write('koi.conf', 'service {\n  env_passthrough "http_proxy JAVA_HOME"\n}\n');
    expect((await load({ files: [file] })).config.service.env_passthrough).toBe('http_proxy JAVA_HOME');
    await write('koi.conf', 'service {\n  env_passthrough "OK 1BAD"\n}\n');
    const error = await configError(load({ files: [file] }));
    expect(error.format()).toBe(`${file}:2: service.env_passthrough: "1BAD" is not an environment variable name ([A-Za-z_][A-Za-z0-9_]*)`);
  });

  it('a file setting the password that group/others can read is warned about, naming it, its mode and the fix', async () => {
    const file = await write('koi.conf', 'cluster {\n  password "a long enough secret"\n}\n');
    await fs.chmod(file, 0o644);
    const loose = await load({ files: [file] });
    expect(loose.warnings).toContain(`${file} holds the cluster password and is readable by group and others (mode 0644); anyone who can read it controls the cluster: chmod 600 ${file}`);
    await fs.chmod(file, 0o600);
    expect((await load({ files: [file] })).warnings.filter((w) => w.includes('readable'))).toEqual([]);
    // A readable file without a password is not a secret.
    const other = await write('other.conf', 'node {\n  port 1234\n}\n');
    await fs.chmod(other, 0o644);
    expect((await load({ files: [other] })).warnings.filter((w) => w.includes('readable'))).toEqual([]);
  });
});
