/**
 * The pid file of `koinode --daemonize`, with real processes: a symbolic
 * link planted at the pid path is never followed (its target stays as it
 * was), a pid file naming a process that is not a koinode (or none) is
 * replaced with a line saying so, a live koinode blocks a second start, and
 * the daemon removes its pid file when it stops.
 */
import { spawn, spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { findFreePorts } from './harness';

const ROOT = path.resolve(__dirname, '..', '..');
const KOINODE = path.join(ROOT, 'dist', 'bin', 'koinode.js');

let dir: string;
const daemons: number[] = [];

beforeAll(() => {
  if (!fs.existsSync(KOINODE)) throw new Error(`${KOINODE} is missing: run \`npm run build\` first (npm test does)`);
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'koi-pidfile-'));
  fs.mkdirSync(path.join(dir, 'services'), { mode: 0o755 });
});

afterAll(() => {
  for (const pid of daemons) {
    try {
      process.kill(pid, 'SIGKILL');
    } catch {
      // stopped already
    }
  }
  fs.rmSync(dir, { recursive: true, force: true });
});

async function writeConf(name: string): Promise<string> {
  const [port] = await findFreePorts(1);
  const file = path.join(dir, name);
  fs.writeFileSync(file, `node {\n  name pid1\n  port ${port}\n  journal events.jsonl\n  state_file state.json\n}\ncluster {\n  password "pid file test secret"\n  transport "127.0.0.1:${port}"\n}\nservice {\n  folder services\n}\n`, { mode: 0o600 });
  return file;
}

function daemonize(conf: string, pidFile: string): { code: number | null; stderr: string } {
  const result = spawnSync(process.execPath, [KOINODE, '-f', conf, '--daemonize', pidFile, '--log', `file:${path.join(dir, 'daemon.log')}`], {
    cwd: dir, encoding: 'utf8', timeout: 20_000,
  });
  return { code: result.status, stderr: result.stderr };
}

/** A daemon that should not have started (the old code) is still stopped at the end. */
function adopt(code: number | null, file: string): void {
  const pid = code === 0 ? Number.parseInt(fs.readFileSync(file, 'utf8'), 10) : NaN;
  if (Number.isInteger(pid) && pid > 0) daemons.push(pid);
}

async function stopDaemon(pid: number, pidFile: string): Promise<void> {
  process.kill(pid, 'SIGTERM');
  const until = Date.now() + 15_000;
  while (fs.existsSync(pidFile) && Date.now() < until) await new Promise((r) => setTimeout(r, 50));
}

it('a symbolic link at the pid path is not followed: the start is refused and the target is unchanged', async () => {
  const conf = await writeConf('link.conf');
  const victim = path.join(dir, 'victim');
  fs.writeFileSync(victim, 'precious root-owned data\n', { mode: 0o644 });
  const pidFile = path.join(dir, 'link.pid');
  fs.symlinkSync(victim, pidFile);
  const { code, stderr } = daemonize(conf, pidFile);
  adopt(code, victim);
  expect(stderr).toContain(`pid file ${pidFile} is a symbolic link (to ${victim}); refusing to follow it`);
  expect(code).toBe(1);
  expect(fs.readFileSync(victim, 'utf8')).toBe('precious root-owned data\n');
  expect(fs.lstatSync(pidFile).isSymbolicLink()).toBe(true);
});

it('a dangling symbolic link at the pid path is not followed either (no file is created at its target)', async () => {
  const conf = await writeConf('dangling.conf');
  const target = path.join(dir, 'created-through-link');
  const pidFile = path.join(dir, 'dangling.pid');
  fs.symlinkSync(target, pidFile);
  const { code, stderr } = daemonize(conf, pidFile);
  if (fs.existsSync(target)) adopt(code, target);
  expect(code).toBe(1);
  expect(stderr).toContain('is a symbolic link');
  expect(fs.existsSync(target)).toBe(false);
});

it('a stale pid file (a live process that is not a koinode) is replaced with a line; a live koinode blocks a second start; the pid file goes at exit', async () => {
  const conf = await writeConf('stale.conf');
  const pidFile = path.join(dir, 'koinode.pid');
  const sleeper = spawn('sleep', ['60'], { detached: true, stdio: 'ignore' });
  try {
    fs.writeFileSync(pidFile, `${sleeper.pid}\n`);
    const first = daemonize(conf, pidFile);
    adopt(first.code, pidFile);
    expect(first.stderr).toContain(`replacing stale pid file ${pidFile}: process ${sleeper.pid} is running but is not a koinode`);
    expect(first.code).toBe(0);
    const pid = Number(fs.readFileSync(pidFile, 'utf8').trim());
    expect(pid).not.toBe(sleeper.pid);
    expect(fs.statSync(pidFile).mode & 0o777).toBe(0o644);
    process.kill(pid, 0); // alive

    const second = daemonize(conf, pidFile);
    expect(second.code).toBe(1);
    expect(second.stderr).toContain(`koinode is already running as process ${pid} (pid file ${pidFile})`);
    expect(Number(fs.readFileSync(pidFile, 'utf8').trim())).toBe(pid);

    await stopDaemon(pid, pidFile);
    expect(fs.existsSync(pidFile)).toBe(false);
  } finally {
    process.kill(-sleeper.pid!, 'SIGKILL');
  }
});

it('a pid file naming a process that is gone is replaced', async () => {
  const conf = await writeConf('gone.conf');
  const pidFile = path.join(dir, 'gone.pid');
  const gone = spawnSync('sh', ['-c', 'echo $$']).stdout.toString().trim();
  fs.writeFileSync(pidFile, `${gone}\n`);
  const { code, stderr } = daemonize(conf, pidFile);
  adopt(code, pidFile);
  expect(stderr).toContain(`replacing stale pid file ${pidFile}: process ${gone} is not running`);
  expect(code).toBe(0);
  const pid = Number(fs.readFileSync(pidFile, 'utf8').trim());
  await stopDaemon(pid, pidFile);
  expect(fs.existsSync(pidFile)).toBe(false);
});
