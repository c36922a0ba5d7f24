/**
 * Shared by the install tests (npm global install, Debian package): run a
 * command, start an installed koinode in its own process group, wait for
 * `koi status` to name it master, stop it by pid, and list processes still
 * running from an install.
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';

export const ROOT = path.resolve(__dirname, '..', '..');
export const PACKAGE = JSON.parse(fs.readFileSync(path.join(ROOT, 'package.json'), 'utf8')) as { name: string; version: string };

export interface Ran {
  code: number | null;
  stdout: string;
  stderr: string;
}

export function run(command: string, args: string[], options: { cwd?: string; env?: NodeJS.ProcessEnv; timeout?: number } = {}): Ran {
  const result = spawnSync(command, args, {
    cwd: options.cwd ?? ROOT,
    env: options.env ?? process.env,
    encoding: 'utf8',
    timeout: options.timeout ?? 60_000,
    maxBuffer: 64 * 1024 * 1024,
  });
  if (result.error && (result.error as NodeJS.ErrnoException).code !== 'ETIMEDOUT') throw result.error;
  return { code: result.status, stdout: result.stdout ?? '', stderr: result.stderr ?? '' };
}

/** `run` that must exit 0; the error shows the command and its output. */
export function must(command: string, args: string[], options: Parameters<typeof run>[2] = {}): Ran {
  const result = run(command, args, options);
  if (result.code !== 0) throw new Error(`${command} ${args.join(' ')} exited ${result.code}\n${result.stdout}\n${result.stderr}`);
  return result;
}

export function has(command: string): boolean {
  return run('sh', ['-c', `command -v ${command}`]).code === 0;
}

export interface Daemon {
  child: ChildProcess;
  output: () => string;
}

/** Starts a koinode (detached: its own process group) and collects its output. */
export function startDaemon(command: string, args: string[], env: NodeJS.ProcessEnv = process.env): Daemon {
  const child = spawn(command, args, { detached: true, stdio: ['ignore', 'pipe', 'pipe'], env });
  let text = '';
  child.stdout?.on('data', (chunk: Buffer) => (text += chunk.toString()));
  child.stderr?.on('data', (chunk: Buffer) => (text += chunk.toString()));
  child.on('error', (err) => (text += `could not start ${command}: ${err.message}\n`));
  return { child, output: () => text };
}

/** Polls `koi ... status` until its text names `name` as master; returns that text. */
export async function waitForMaster(koi: string[], name: string, daemon: Daemon, ms = 20_000): Promise<string> {
  const until = Date.now() + ms;
  let last: Ran = { code: null, stdout: '', stderr: '' };
  while (Date.now() < until) {
    if (daemon.child.exitCode !== null || daemon.child.pid === undefined) throw new Error(`koinode exited ${daemon.child.exitCode} before it became master:\n${daemon.output()}`);
    last = run(koi[0], [...koi.slice(1), 'status'], { timeout: 10_000 });
    if (last.code === 0 && last.stdout.includes(`master ${name}`)) return last.stdout;
    await new Promise((resolve) => setTimeout(resolve, 250));
  }
  throw new Error(`no "master ${name}" within ${ms} ms; last koi status (exit ${last.code}):\n${last.stdout}${last.stderr}\nkoinode:\n${daemon.output()}`);
}

/** SIGTERM by pid (a graceful, ordered stop); the exit code, or SIGKILL to the group after `ms`. */
export async function stopDaemon(daemon: Daemon, ms = 15_000): Promise<number | null> {
  const { child } = daemon;
  if (child.exitCode !== null || child.signalCode !== null) return child.exitCode;
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  process.kill(child.pid as number, 'SIGTERM');
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<'timeout'>((resolve) => (timer = setTimeout(() => resolve('timeout'), ms)));
  const outcome = await Promise.race([exited, timeout]);
  clearTimeout(timer);
  if (outcome === 'timeout') {
    killGroup(daemon);
    throw new Error(`koinode did not exit within ${ms} ms of SIGTERM:\n${daemon.output()}`);
  }
  return outcome;
}

export function killGroup(daemon: Daemon): void {
  const pid = daemon.child.pid;
  if (pid === undefined || daemon.child.exitCode !== null || daemon.child.signalCode !== null) return;
  try {
    process.kill(-pid, 'SIGKILL');
  } catch {
    // already gone
  }
}

/** Processes whose command line names a path under `prefix` (e.g. `node /usr/sbin/koinode ...`). */
export function processesUnder(prefixes: string[]): string[] {
  const found: string[] = [];
  for (const entry of fs.readdirSync('/proc')) {
    if (!/^\d+$/.test(entry) || Number(entry) === process.pid) continue;
    let cmdline: string;
    try {
      cmdline = fs.readFileSync(`/proc/${entry}/cmdline`, 'latin1');
    } catch {
      continue; // exited meanwhile
    }
    const args = cmdline.split('\0').filter((a) => a !== '');
    if (args.some((arg) => prefixes.some((p) => arg === p || arg.startsWith(`${p}/`)))) found.push(`${entry}: ${args.join(' ')}`);
  }
  return found;
}
