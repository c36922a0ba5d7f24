/**
 * The real koinode process (dist/bin/koinode.js; `npm test` builds first):
 * version, config errors → 78, plugin errors naming the plugin, an ES module
 * plugin loaded with a real import(), colour on/off, daemonize refusals, and
 * — once core/node is built — start, SIGHUP with a broken file, SIGTERM.
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { findFreePorts } from './harness';

const ROOT = path.resolve(__dirname, '..', '..');
const KOINODE = path.join(ROOT, 'dist', 'bin', 'koinode.js');
const NODE_BUILT = ['node.js', path.join('node', 'index.js')].some((f) => fs.existsSync(path.join(ROOT, 'dist', 'core', f)));
const VERSION = (JSON.parse(fs.readFileSync(path.join(ROOT, 'package.json'), 'utf8')) as { version: string }).version;

const started: ChildProcess[] = [];
let dir: string;

beforeAll(() => {
  if (!fs.existsSync(KOINODE)) throw new Error(`${KOINODE} is missing: run \`npm run build\` first (npm test does)`);
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'koi-koinode-'));
  fs.mkdirSync(path.join(dir, 'services'));
});

afterAll(() => {
  for (const child of started) {
    if (child.pid !== undefined && child.exitCode === null && child.signalCode === null) {
      try {
        process.kill(child.pid, 'SIGKILL');
      } catch {
        // already gone
      }
    }
  }
  fs.rmSync(dir, { recursive: true, force: true });
});

function run(args: string[], timeout = 15_000): { code: number | null; stdout: string; stderr: string } {
  const result = spawnSync(process.execPath, [KOINODE, ...args], { cwd: dir, encoding: 'utf8', timeout, env: { ...process.env, NO_COLOR: '' } });
  return { code: result.status, stdout: result.stdout, stderr: result.stderr };
}

function conf(port: number, extra = '', plugins = ''): string {
  return `node {
    name e2e1
    port ${port}
    journal events.jsonl
    state_file state.json
    runner true
    ${extra}
}
cluster {
    id 21
    password "e2e secret phrase"
    transport "127.0.0.1:${port}"
}
service {
    folder services
}
${plugins ? `plugins {\n${plugins}\n}` : ''}
`;
}

/** A koinode in the background, with its output collected. */
function startNode(args: string[]): { child: ChildProcess; out: () => string; exited: Promise<number | null> } {
  const child = spawn(process.execPath, [KOINODE, ...args], { cwd: dir, stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, NO_COLOR: '' } });
  started.push(child);
  let text = '';
  child.stdout?.on('data', (d: Buffer) => { text += d.toString(); });
  child.stderr?.on('data', (d: Buffer) => { text += d.toString(); });
  const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
  return { child, out: () => text, exited };
}

async function waitForText(out: () => string, pattern: RegExp, ms = 15_000): Promise<void> {
  const until = Date.now() + ms;
  while (!pattern.test(out())) {
    if (Date.now() > until) throw new Error(`timed out waiting for ${pattern}; output so far:\n${out()}`);
    await new Promise((r) => setTimeout(r, 25));
  }
}

it('-v prints the package version', () => {
  const { code, stdout } = run(['-v']);
  expect(code).toBe(0);
  expect(stdout.trim()).toBe(VERSION);
});

it('-h lists every option of SPEC §8', () => {
  const { code, stdout } = run(['-h']);
  expect(code).toBe(0);
  for (const option of ['-f, --file', '-n, --name', '-d, --debug', '-C, --no-color', '--log', '--daemonize', '-v, --version', '-h, --help']) {
    expect(stdout).toContain(option);
  }
});

it('a koi.conf with three different errors: three file:line lines on stderr, exit 78', () => {
  const file = path.join(dir, 'three-errors.conf');
  fs.writeFileSync(file, 'node {\n    port 99999\n    flavour vanilla\n}\ncluster {\n    transport "300.1.2.3"\n}\n');
  const { code, stderr } = run(['-f', file]);
  expect(code).toBe(78);
  const lines = stderr.trim().split('\n');
  expect(lines).toHaveLength(3);
  expect(lines[0]).toMatch(new RegExp(`^${file}:2: node\\.port: `));
  expect(lines[1]).toMatch(new RegExp(`^${file}:3: node\\.flavour: `));
  expect(lines[2]).toMatch(new RegExp(`^${file}:6: cluster\\.transport: `));
});

it('an unknown plugin stops the start, naming it and where it looked', async () => {
  const [port] = await findFreePorts(1);
  const file = path.join(dir, 'unknown-plugin.conf');
  fs.writeFileSync(file, conf(port, '', '    does-not-exist {}'));
  const { code, stderr } = run(['-f', file, '-C']);
  expect(code).toBe(1);
  expect(stderr).toMatch(/^plugin does-not-exist: not found; looked in: built-in .*koi-plugin-does-not-exist from /m);
});

it('bad plugin options exit 78 with file:line: plugins.<name>.<option>', async () => {
  const [port] = await findFreePorts(1);
  const file = path.join(dir, 'bad-options.conf');
  fs.writeFileSync(file, conf(port, '', '    log-syslog {\n        facility nowhere\n    }'));
  const { code, stderr } = run(['-f', file, '-C', '--log', 'console']);
  expect(code).toBe(78);
  expect(stderr).toContain(`${file}:19: plugins.log-syslog.facility: "nowhere" is not one of`);
});

it('an ES module plugin is loaded with a real import(); colour by default, none with -C', async () => {
  const [port] = await findFreePorts(1);
  fs.writeFileSync(path.join(dir, 'esm-plugin.mjs'),
    "export default { name: 'esm-plugin', apply(koi) { koi.logger.info('esm plugin applied on ' + koi.node.name); } };\n");
  const file = path.join(dir, 'esm.conf');
  fs.writeFileSync(file, conf(port, '', '    "./esm-plugin.mjs" {}'));
  for (const colour of [true, false]) {
    const node = startNode(['-f', file, ...(colour ? [] : ['-C'])]);
    await waitForText(node.out, /esm plugin applied on e2e1/);
    const line = node.out().split('\n').find((l) => l.includes('esm plugin applied')) as string;
    expect(line.includes('\x1b[')).toBe(colour);
    expect(line.replace(/\x1b\[[0-9;]*m/g, '')).toMatch(/^\d\d:\d\d:\d\d\.\d{3} INFO  \[esm-plugin\] esm plugin applied on e2e1$/);
    if (node.child.exitCode === null) node.child.kill('SIGTERM');
    await node.exited;
  }
});

it('--daemonize does not take a pid file naming a live process that is not a koinode as running (test/e2e/pidfile.test.ts has the rest)', () => {
  const pidFile = path.join(dir, 'live.pid');
  fs.writeFileSync(pidFile, `${process.pid}\n`);
  const { code, stderr } = run(['-f', path.join(dir, 'whatever.conf'), '--daemonize', pidFile]);
  expect(stderr).not.toContain('already running');
  expect(code).toBe(78); // got past the pid file to the missing configuration
  expect(fs.readFileSync(pidFile, 'utf8')).toBe(`${process.pid}\n`); // refused before anything was claimed
});

it('--daemonize reports a child that cannot start, with its exit code, and removes the pid file', async () => {
  const [port] = await findFreePorts(1);
  const file = path.join(dir, 'daemon-fails.conf');
  fs.writeFileSync(file, conf(port, '', '    missing-in-daemon {}'));
  const pidFile = path.join(dir, 'fails.pid');
  const { code, stderr } = run(['-f', file, '--daemonize', pidFile]);
  expect(code).toBe(1);
  expect(stderr).toContain('plugin missing-in-daemon: not found');
  expect(fs.existsSync(pidFile)).toBe(false);
});

(NODE_BUILT ? it : it.skip)('starts on loopback; SIGHUP with a broken file logs the errors and keeps running; SIGTERM exits 0', async () => {
  const [port] = await findFreePorts(1);
  const file = path.join(dir, 'live.conf');
  fs.writeFileSync(file, conf(port));
  const node = startNode(['-f', file, '-C']);
  await waitForText(node.out, /koinode e2e1 started/);

  fs.writeFileSync(file, conf(port, 'wibble 3'));
  node.child.kill('SIGHUP');
  await waitForText(node.out, /configuration not reloaded \(1 problem\)/);
  expect(node.out()).toContain(`reload refused: ${file}:7: node.wibble: unknown key`);
  expect(node.child.exitCode).toBeNull();

  node.child.kill('SIGTERM');
  expect(await node.exited).toBe(0);
  expect(node.out()).toContain('koinode stopped');
});

(NODE_BUILT ? it : it.skip)('V8\'s optimizing compiler follows the configured datagram rate: on for a busy one (and it stays on)', async () => {
  const ports = await findFreePorts(3);
  const file = path.join(dir, 'jit.conf');
  // Three nodes named (two never started: loopback ports nobody binds) at a 20 ms interval: ≈ 200 datagrams a second.
  const busy = (interval: string) => conf(ports[0]).replace(`transport "127.0.0.1:${ports[0]}"`, `transport "${ports.map((p) => `127.0.0.1:${p}`).join(' ')}"`)
    + `time {\n    cluster_update_interval ${interval}\n}\n`;
  fs.writeFileSync(file, busy('20ms'));
  const node = startNode(['-f', file, '-C']);
  try {
    await waitForText(node.out, /koinode e2e1 started/);
    expect(node.out()).toContain('V8 optimizing compiler on: ≈ 200 datagrams a second by configuration, above 120');
    fs.writeFileSync(file, busy('50ms'));
    node.child.kill('SIGHUP');
    await waitForText(node.out, /configuration reloaded live/);
    expect(node.out().match(/V8 optimizing compiler/g)).toHaveLength(1);
  } finally {
    node.child.kill('SIGTERM');
  }
  expect(await node.exited).toBe(0);
});

(NODE_BUILT ? it : it.skip)('--daemonize starts in the background, writes the pid file, and the daemon stops on SIGTERM', async () => {
  const [port] = await findFreePorts(1);
  const file = path.join(dir, 'daemon.conf');
  fs.writeFileSync(file, conf(port));
  const pidFile = path.join(dir, 'koinode.pid');
  const logFile = path.join(dir, 'daemon.log');
  const { code } = run(['-f', file, '--daemonize', pidFile, '--log', `file:${logFile}`]);
  expect(code).toBe(0);
  const pid = Number(fs.readFileSync(pidFile, 'utf8').trim());
  expect(pid).toBeGreaterThan(0);
  try {
    expect(fs.readFileSync(logFile, 'utf8')).toContain('koinode e2e1 started');
  } finally {
    process.kill(pid, 'SIGTERM');
  }
  const until = Date.now() + 15_000;
  while (fs.existsSync(pidFile) && Date.now() < until) await new Promise((r) => setTimeout(r, 50));
  expect(fs.existsSync(pidFile)).toBe(false);
});

(NODE_BUILT ? it : it.skip)('a second node with a live node\'s name stops gracefully and exits 78 through run.ts (the daemon\'s one exit path)', async () => {
  const ports = await findFreePorts(2);
  const twin = (port: number) => conf(port).replace(/transport "[^"]*"/, `transport "${ports.map((p) => `127.0.0.1:${p}`).join(' ')}"`)
    .replace('journal events.jsonl', `journal events-${port}.jsonl`).replace('state_file state.json', `state_file state-${port}.json`);
  const files = ports.map((port) => {
    const file = path.join(dir, `twin-${port}.conf`);
    fs.writeFileSync(file, twin(port));
    return file;
  });
  const first = startNode(['-f', files[0], '-C']);
  try {
    await waitForText(first.out, /koinode e2e1 started/);
    const second = startNode(['-f', files[1], '-C']);
    expect(await second.exited).toBe(78);
    expect(second.out()).toMatch(/koinode: another node named e2e1 \([0-9a-f-]+\) is live at 127\.0\.0\.1:\d+ and was up first: refusing to run a second node with that name/);
    expect(second.out()).toContain('koinode stopped');
    expect(first.child.exitCode).toBeNull();
  } finally {
    first.child.kill('SIGTERM');
  }
  expect(await first.exited).toBe(0);
});
