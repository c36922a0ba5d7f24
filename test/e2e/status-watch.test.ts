/**
 * `koi status --watch` in a real pseudo-terminal (util-linux `script`): it
 * clears and redraws the status every interval, shows a change (a node
 * killed) in a later frame, and ends on Ctrl-C (the terminal's ^C, a real
 * SIGINT from the line discipline) with exit 0 and the cursor shown again.
 * In a pipe it prints plain repeated blocks, no escape codes.
 */
import { execFileSync, spawn } from 'node:child_process';
import { E2ECluster, KOI } from './harness';

jest.setTimeout(60_000);

const CLEAR = '\u001b[H\u001b[2J\u001b[3J';
const SHOW_CURSOR = '\u001b[?25h';
const HIDE_CURSOR = '\u001b[?25l';

function hasScript(): boolean {
  try {
    execFileSync('script', ['--version'], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
}
const SCRIPT = hasScript();
if (!SCRIPT) console.warn('skipped: util-linux `script` is not installed (apt-get install bsdutils), the pseudo-terminal test of koi status --watch cannot run');
const maybe = SCRIPT ? test : test.skip;

let c: E2ECluster;

beforeAll(async () => {
  c = await E2ECluster.create({ nodes: 3, tag: 'koi-e2e-watch' });
  c.start();
  await c.waitForMaster((v) => v.nodes.filter((n) => n.state === 'Slave' || n.state === 'Master').length === 3, 40_000);
});

afterAll(async () => {
  await c?.close();
});

function koiArgv(node: string, extra: string[]): string[] {
  return [KOI, '-f', c.confPath(node), '-H', '127.0.0.1', '-p', String(c.ports.get(node)), 'status', '--watch', ...extra];
}

/** The frames drawn so far: what follows each screen clear. */
function frames(out: string): string[] {
  return out.split(CLEAR).slice(1);
}

maybe('in a terminal: redraws, shows a node killed in a later frame, exits 0 on Ctrl-C with the cursor restored', async () => {
  const view = await c.status();
  const victim = view!.nodes.find((n) => n.name !== view!.leader.name && n.name !== view!.master?.name)!.name;
  const watcher = c.nodes.map((n) => n.name).find((n) => n !== victim)!;
  // `exec`: koi itself is the terminal's foreground process, as when typed at a prompt. Without it dash (CI's
  // /bin/sh, used by script when SHELL is unset) stays in between, takes the ^C too and dies of it: exit 130.
  const command = ['exec', ...[process.execPath, ...koiArgv(watcher, ['--interval', '300ms'])].map((a) => `'${a}'`)].join(' ');
  // script -q (no banner) -f (flush) -e (its exit code is the command's) -c CMD; the typescript goes nowhere.
  const child = spawn('script', ['-qfec', command, '/dev/null'], { stdio: ['pipe', 'pipe', 'pipe'], env: { ...process.env, SHELL: '/bin/sh', TERM: 'xterm', NO_COLOR: '1' } });
  let out = '';
  child.stdout.on('data', (d: Buffer) => { out += d.toString(); });
  child.stderr.on('data', (d: Buffer) => { out += d.toString(); });
  const exit = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));

  await c.waitFor('two frames', () => frames(out).length >= 2, 10_000);
  expect(out).toContain(HIDE_CURSOR);
  const first = frames(out)[0];
  expect(first).toMatch(new RegExp(`${victim} .*Slave`));
  const drawnBeforeKill = frames(out).length;
  await c.stop(victim, 'SIGKILL');
  // A later frame shows it gone (Disconnected once the leader gives up on it).
  await c.waitFor(`${victim} shown Disconnected`, () => frames(out).slice(drawnBeforeKill).some((f) => new RegExp(`${victim} .*(Disconnected|Offline)`).test(f)), 15_000);
  expect(frames(out).length).toBeGreaterThan(drawnBeforeKill);

  child.stdin.write('\u0003'); // Ctrl-C, as typed
  let timer: NodeJS.Timeout | undefined;
  const code = await Promise.race([exit, new Promise<string>((resolve) => { timer = setTimeout(() => resolve('still running'), 5000); })]);
  clearTimeout(timer);
  if (code === 'still running') child.kill('SIGKILL');
  child.stdin.end();
  expect(code).toBe(0);
  expect(out.lastIndexOf(SHOW_CURSOR)).toBeGreaterThan(out.lastIndexOf(HIDE_CURSOR));
  console.log(`koi status --watch drew ${frames(out).length} frames; the last one:\n${frames(out).pop()}`);
  c.start(victim);
});

test('in a pipe: plain repeated blocks without escape codes; SIGINT ends it with exit 0', async () => {
  const watcher = c.runningNodes()[0];
  const child = spawn(process.execPath, koiArgv(watcher, ['--interval', '250ms']), { stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, NO_COLOR: '1' } });
  let out = '';
  child.stdout.on('data', (d: Buffer) => { out += d.toString(); });
  const exit = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  await c.waitFor('three blocks', () => (out.match(/^koi status --watch, every 0.25s: /gm) ?? []).length >= 3, 10_000);
  child.kill('SIGINT');
  expect(await exit).toBe(0);
  // eslint-disable-next-line no-control-regex
  expect(out).not.toMatch(/\u001b/);
  expect(out).toMatch(/Master/);
});
