/**
 * The npm route of docs/guide.md "Installation" (issue 16): `npm pack`, then
 * `npm install -g --allow-scripts=unix-dgram` of that tarball into a fresh
 * prefix, exactly as the guide's command with another --prefix. The
 * installed `koi` and `koinode` work; the examples the guide points to are
 * there; koinode runs the installed examples/koi.conf with the installed
 * example services on loopback and `koi status` shows it master; the
 * example unit, pointed at this prefix, passes `systemd-analyze verify`;
 * without the native syslog addon the install still runs and says why
 * local syslog is off; nothing is left running.
 *
 * Needs npm and the registry or npm's cache (for the dependencies); skipped
 * with a message when the registry cannot be reached. About 15 s.
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { findFreePorts } from '../e2e/harness';
import { PACKAGE, ROOT, has, killGroup, must, processesUnder, run, startDaemon, stopDaemon, waitForMaster, type Daemon } from './helpers';

const skipReason = !has('npm') ? 'npm is not on PATH' : !fs.existsSync(path.join(ROOT, 'dist', 'bin', 'koinode.js')) ? 'dist/ is not built (npm run build)' : null;
if (skipReason) {
  // eslint-disable-next-line no-console
  console.warn(`npm global install test skipped: ${skipReason}`);
}
const maybe = skipReason ? describe.skip : describe;

const OFFLINE = /ENOTFOUND|EAI_AGAIN|ECONNREFUSED|ETIMEDOUT|ENETUNREACH|network request .* failed/;

maybe('npm install -g of the packed tarball', () => {
  let dir: string;
  let prefix: string;
  let app: string;
  let offline = false;
  const daemons: Daemon[] = [];

  beforeAll(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'koi-npm-global-'));
    prefix = path.join(dir, 'prefix');
    app = path.join(prefix, 'lib', 'node_modules', PACKAGE.name);
  });

  afterAll(() => {
    for (const daemon of daemons) killGroup(daemon);
    fs.rmSync(dir, { recursive: true, force: true });
  });

  test('npm pack, then npm install -g as the guide says: koi and koinode in PREFIX/bin, the syslog addon built, examples/ there', () => {
    // --ignore-scripts: dist/ as `npm test` built it (prepack would rebuild it under other tests' koinode processes).
    must('npm', ['pack', '--silent', '--ignore-scripts', '--pack-destination', dir]);
    const tarball = path.join(dir, `${PACKAGE.name}-${PACKAGE.version}.tgz`);
    expect(fs.existsSync(tarball)).toBe(true);

    const installed = run('npm', ['install', '-g', '--prefix', prefix, '--allow-scripts=unix-dgram', '--prefer-offline', '--no-audit', '--no-fund', tarball], { cwd: dir, timeout: 240_000 });
    if (installed.code !== 0 && OFFLINE.test(installed.stderr)) {
      offline = true;
      // eslint-disable-next-line no-console
      console.warn(`npm global install test skipped: the registry cannot be reached and the dependencies are not in npm's cache\n${installed.stderr}`);
      return;
    }
    expect({ code: installed.code, stderr: installed.stderr.split('\n').filter((l) => /ERR|warn/i.test(l)) }).toEqual({ code: 0, stderr: [] });

    expect(must(path.join(prefix, 'bin', 'koinode'), ['--version']).stdout.trim()).toBe(PACKAGE.version);
    expect(must(path.join(prefix, 'bin', 'koi'), ['--version']).stdout.trim()).toBe(PACKAGE.version);
    expect(fs.existsSync(path.join(app, 'node_modules', 'unix-dgram', 'build', 'Release', 'unix_dgram.node'))).toBe(true);
    const guideFiles = ['examples/koi.conf', 'examples/services/ping/status', 'examples/systemd/koinode.service', 'examples/koi-plugin-fence-script/index.js', 'docs/guide.md'];
    expect(guideFiles.filter((file) => !fs.existsSync(path.join(app, file)))).toEqual([]);
    // Production dependencies only.
    expect(fs.existsSync(path.join(app, 'node_modules', 'typescript')) || fs.existsSync(path.join(app, 'node_modules', 'jest'))).toBe(false);
  }, 300_000);

  test('the installed koinode runs the installed examples/koi.conf on loopback, koi status shows it master, SIGTERM stops it', async () => {
    if (offline) return;
    const [port] = await findFreePorts(1);
    const conf = path.join(dir, 'koi.conf');
    // As the guide: install -m 600 examples/koi.conf /etc/koi/koi.conf (here a temp folder, its own port and socket).
    fs.copyFileSync(path.join(app, 'examples', 'koi.conf'), conf);
    fs.chmodSync(conf, 0o600);
    fs.symlinkSync(path.join(app, 'examples', 'services'), path.join(dir, 'services'));
    const override = path.join(dir, 'override.conf');
    fs.writeFileSync(override, `node {\n    port ${port}\n    admin_socket ${dir}/run/koi.sock\n    journal ${dir}/run/events.jsonl\n}\n`, { mode: 0o600 });
    const runDir = fs.mkdtempSync(path.join(dir, 'state-'));
    const files = ['-f', conf, '-f', override];
    const daemon = startDaemon(path.join(prefix, 'bin', 'koinode'), [...files, '-n', 'npm-node', '-C'], { ...process.env, KOI_RUN_DIR: runDir, KOI_REPLICA_SYNC_SECONDS: '0' });
    daemons.push(daemon);

    const text = await waitForMaster([path.join(prefix, 'bin', 'koi'), ...files], 'npm-node', daemon);
    expect(text).toMatch(new RegExp(`^npm-node +Master +Active +ERL- +127\\.0\\.0\\.1:${port} `, 'm'));
    expect(text).toContain('ping:');
    expect(await stopDaemon(daemon)).toBe(0);
    expect(daemon.output()).toContain('koinode stopped');
  }, 60_000);

  test('the example unit, with this prefix, passes systemd-analyze verify', () => {
    if (offline) return;
    if (!has('systemd-analyze')) {
      // eslint-disable-next-line no-console
      console.warn('systemd-analyze verify skipped: systemd-analyze is missing (apt-get install systemd)');
      return;
    }
    const unit = fs.readFileSync(path.join(app, 'examples', 'systemd', 'koinode.service'), 'utf8');
    expect(unit).toContain('ExecStart=/usr/local/bin/koinode -f /etc/koi/koi.conf');
    expect(unit).toContain(`Documentation=file:/usr/local/lib/node_modules/${PACKAGE.name}/docs/guide.md`);
    const unitDir = path.join(dir, 'units');
    fs.mkdirSync(unitDir);
    const file = path.join(unitDir, 'koinode.service');
    fs.writeFileSync(file, unit.split('/usr/local/').join(`${prefix}/`));
    const verified = run('systemd-analyze', ['verify', file]);
    expect({ code: verified.code, complaints: `${verified.stdout}${verified.stderr}`.split('\n').filter((l) => l.includes('koinode.service')) })
      .toEqual({ code: 0, complaints: [] });
  });

  test('without the native syslog addon (no compiler at install): koinode still runs and says once why local syslog is off', async () => {
    if (offline) return;
    fs.rmSync(path.join(app, 'node_modules', 'unix-dgram'), { recursive: true, force: true });
    const [port] = await findFreePorts(1);
    const conf = path.join(dir, 'bare.conf');
    fs.writeFileSync(conf, `node {\n    port ${port}\n    admin_socket off\n    journal ${dir}/events.jsonl\n    runner true\n}\ncluster {\n    id 7\n    password "npm global install test"\n    transport "127.0.0.1"\n}\nservice {\n    folder ${dir}/empty\n}\n`, { mode: 0o600 });
    fs.mkdirSync(path.join(dir, 'empty'));
    const daemon = startDaemon(path.join(prefix, 'bin', 'koinode'), ['-f', conf, '-n', 'bare', '-C', '--log', 'console,syslog']);
    daemons.push(daemon);
    await waitForMaster([path.join(prefix, 'bin', 'koi'), '-f', conf, '-p', String(port)], 'bare', daemon);
    const said = daemon.output().split('\n').filter((l) => l.includes('unix-dgram'));
    expect(said).toHaveLength(1);
    expect(said[0]).toContain('syslog socket /dev/log cannot be used: the native addon unix-dgram is not installed or not built');
    expect(await stopDaemon(daemon)).toBe(0);
  }, 60_000);

  test('nothing from the install is left running', () => {
    expect(processesUnder([prefix])).toEqual([]);
  });
});
