/**
 * SPEC §7: koinode never reads configuration — and so never loads plugin
 * code — from its working directory unless the file is named with `-f`.
 * Real processes: a ./koi.conf whose `plugins` section loads a local module
 * that writes a marker file; koinode started there without -f must not
 * write it (named with -f, the same file does: the control).
 */
import { spawn } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { findFreePorts } from './harness';

const ROOT = path.resolve(__dirname, '..', '..');
const KOINODE = path.join(ROOT, 'dist', 'bin', 'koinode.js');
const SYSTEM_CONF = '/etc/koi/koi.conf';

let dir: string;
let marker: string;

beforeAll(async () => {
  if (!fs.existsSync(KOINODE)) throw new Error(`${KOINODE} is missing: run \`npm run build\` first (npm test does)`);
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'koi-cwd-'));
  fs.mkdirSync(path.join(dir, 'services'), { mode: 0o755 });
  marker = path.join(dir, 'plugin-ran');
  fs.writeFileSync(path.join(dir, 'marker-plugin.js'),
    `module.exports = { name: 'marker', apply(koi) { require('fs').writeFileSync(${JSON.stringify(marker)}, 'ran'); koi.logger.info('marker plugin applied'); } };\n`);
  const [port] = await findFreePorts(1);
  fs.writeFileSync(path.join(dir, 'koi.conf'), `node {\n  name cwd1\n  port ${port}\n  journal events.jsonl\n  state_file state.json\n}\ncluster {\n  password "cwd test secret"\n  transport "127.0.0.1:${port}"\n}\nservice {\n  folder services\n}\nplugins {\n  "./marker-plugin.js" {}\n}\n`, { mode: 0o600 });
});

afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

/** Run koinode in `dir` until it logs `until` (then SIGTERM) or exits; the output. */
async function runUntil(args: string[], until: RegExp): Promise<string> {
  const child = spawn(process.execPath, [KOINODE, ...args], { cwd: dir, stdio: ['ignore', 'pipe', 'pipe'], detached: true, env: { ...process.env, NO_COLOR: '1' } });
  let out = '';
  child.stdout.on('data', (d: Buffer) => { out += d.toString(); });
  child.stderr.on('data', (d: Buffer) => { out += d.toString(); });
  const exited = new Promise<void>((resolve) => child.on('exit', () => resolve()));
  const deadline = Date.now() + 15_000;
  let done = false;
  void exited.then(() => { done = true; });
  while (!done && !until.test(out) && Date.now() < deadline) await new Promise((r) => setTimeout(r, 25));
  if (!done) {
    await new Promise((r) => setTimeout(r, 500)); // anything it would load, it has loaded by now
    try {
      process.kill(-child.pid!, 'SIGTERM');
    } catch {
      // exited meanwhile
    }
    const killer = setTimeout(() => { try { process.kill(-child.pid!, 'SIGKILL'); } catch { /* gone */ } }, 10_000);
    await exited;
    clearTimeout(killer);
  }
  return out;
}

it('started without -f in a folder holding koi.conf, koinode does not read it: its plugin never runs', async () => {
  const out = await runUntil(['-C'], /started|start failed|no configuration file found/);
  expect(fs.existsSync(marker)).toBe(false);
  expect(out).not.toContain('marker plugin applied');
  expect(out).not.toContain('cwd1');
  if (!fs.existsSync(SYSTEM_CONF)) expect(out).toContain(`no configuration file found (looked for ${SYSTEM_CONF})`);
});

it('control: the same file named with -f is read and its plugin runs', async () => {
  const out = await runUntil(['-C', '-f', 'koi.conf'], /koinode cwd1 started|start failed/);
  expect(out).toContain('marker plugin applied');
  expect(fs.existsSync(marker)).toBe(true);
});
