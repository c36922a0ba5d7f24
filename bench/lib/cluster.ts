/**
 * Real-process cluster for the benchmarks (a copy of the e2e harness, which
 * other tests own and change): writes one koi.conf and service folder per node into a temp
 * directory, runs `dist/bin/koinode.js` processes on loopback ports, drives
 * them with the real `dist/bin/koi.js` client, and ends every process it
 * started by pid.
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import * as dgram from 'node:dgram';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';

/** The repository root: the nearest folder above this file whose package.json is koi's (works from scripts/lib and dist/scripts/lib). */
export const REPO_ROOT = findRepoRoot(__dirname);
function findRepoRoot(from: string): string {
  for (let dir = from; ; dir = path.dirname(dir)) {
    const pkg = path.join(dir, 'package.json');
    if (fs.existsSync(pkg) && (JSON.parse(fs.readFileSync(pkg, 'utf8')) as { name?: string }).name === 'koi') return dir;
    if (path.dirname(dir) === dir) throw new Error(`no koi package.json above ${from}`);
  }
}
export const KOINODE = path.join(REPO_ROOT, 'dist', 'bin', 'koinode.js');
export const KOI = path.join(REPO_ROOT, 'dist', 'bin', 'koi.js');

export interface NodeSpec {
  name: string;
  elector?: boolean;
  runner?: boolean;
}

export interface ClusterOptions {
  nodes: NodeSpec[] | number;
  /** Loopback address family to use: 127.0.0.1 or ::1. */
  host?: '127.0.0.1' | '::1';
  quorum?: number;
  /** Extra text appended inside the `time { }` section. */
  time?: Record<string, string>;
  /** Extra top-level koi.conf text (e.g. a plugins section). */
  extraConf?: string;
  /** status_interval for the test services (default 1s). */
  statusInterval?: string;
  password?: string;
  clusterId?: number;
  /** Node.js flags before the koinode script (e.g. --cpu-prof for profiling). */
  nodeArgs?: string[];
  /** Write service folders; default: the event-recording `10-app` service. */
  writeServices?: (serviceDir: string, node: NodeSpec, cluster: BenchCluster) => void;
}

export interface ServiceEvent {
  /** Seconds since the epoch, fractional. */
  time: number;
  node: string;
  service: string;
  event: string;
  phase: 'begin' | 'end';
}

export interface KoiResult {
  code: number;
  stdout: string;
  stderr: string;
  json?: unknown;
}

/** Find `count` consecutive UDP ports free on `host`. */
export async function findFreePorts(count: number, host = '127.0.0.1'): Promise<number[]> {
  for (let attempt = 0; attempt < 50; attempt++) {
    // Below the kernel's ephemeral range (32768.. on Linux): a killed node's port must still be free when it
    // restarts, and any client socket (koi, other tests) may otherwise be given it in between.
    const base = 20000 + Math.floor(Math.random() * 12000);
    const ports = Array.from({ length: count }, (_, i) => base + i);
    if ((await Promise.all(ports.map((p) => udpPortFree(p, host)))).every(Boolean)) return ports;
  }
  throw new Error('no free UDP port range found');
}

function udpPortFree(port: number, host: string): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = dgram.createSocket(host.includes(':') ? 'udp6' : 'udp4');
    socket.once('error', () => {
      socket.close();
      resolve(false);
    });
    socket.bind(port, host, () => socket.close(() => resolve(true)));
  });
}

/** The default test service: records begin/end of every event with a timestamp; fails status on demand. */
export function writeRecordingService(serviceDir: string, eventsFile: string, controlDir: string, name = '10-app'): void {
  const dir = path.join(serviceDir, name);
  fs.mkdirSync(dir, { recursive: true });
  for (const event of ['start', 'stop', 'promote', 'demote', 'failed', 'status']) {
    const body = [
      '#!/bin/sh',
      `rec() { echo "$(date +%s.%N) $KOI_NODE_NAME $KOI_SERVICE ${event} $1" >> "${eventsFile}"; }`,
      event === 'status' ? '' : 'rec begin',
      event === 'status' ? `[ -f "${controlDir}/fail-status-$KOI_NODE_NAME" ] && exit 1` : '',
      event === 'status' ? '' : `[ -f "${controlDir}/slow-${event}" ] && sleep "$(cat "${controlDir}/slow-${event}")"`,
      event === 'status' ? '' : 'rec end',
      'exit 0',
      '',
    ].filter((l) => l !== '').join('\n');
    fs.writeFileSync(path.join(dir, event), `${body}\n`, { mode: 0o755 });
  }
}

export class BenchCluster {
  readonly dir: string;
  readonly eventsFile: string;
  readonly controlDir: string;
  readonly host: string;
  readonly nodes: NodeSpec[];
  readonly ports = new Map<string, number>();
  private readonly procs = new Map<string, ChildProcess>();
  private readonly logs = new Map<string, string[]>();
  private readonly options: ClusterOptions;

  private constructor(options: ClusterOptions, ports: number[]) {
    this.options = options;
    this.host = options.host ?? '127.0.0.1';
    this.dir = fs.mkdtempSync(path.join(os.tmpdir(), 'koi-bench-'));
    this.eventsFile = path.join(this.dir, 'events.log');
    this.controlDir = path.join(this.dir, 'control');
    fs.mkdirSync(this.controlDir);
    fs.writeFileSync(this.eventsFile, '');
    this.nodes = typeof options.nodes === 'number'
      ? Array.from({ length: options.nodes }, (_, i) => ({ name: `n${i + 1}` }))
      : options.nodes;
    this.nodes.forEach((n, i) => this.ports.set(n.name, ports[i]));
    for (const node of this.nodes) this.writeNode(node);
  }

  static async create(options: ClusterOptions): Promise<BenchCluster> {
    const count = typeof options.nodes === 'number' ? options.nodes : options.nodes.length;
    const ports = await findFreePorts(count, options.host ?? '127.0.0.1');
    return new BenchCluster(options, ports);
  }

  nodeDir(name: string): string {
    return path.join(this.dir, name);
  }

  confPath(name: string): string {
    return path.join(this.nodeDir(name), 'koi.conf');
  }

  private addr(port: number): string {
    return this.host.includes(':') ? `[${this.host}]:${port}` : `${this.host}:${port}`;
  }

  private writeNode(node: NodeSpec): void {
    const dir = this.nodeDir(node.name);
    const services = path.join(dir, 'services');
    fs.mkdirSync(services, { recursive: true });
    if (this.options.writeServices) this.options.writeServices(services, node, this);
    else writeRecordingService(services, this.eventsFile, this.controlDir);
    const transport = this.nodes.map((n) => this.addr(this.ports.get(n.name)!)).join(', ');
    const time = Object.entries(this.options.time ?? {}).map(([k, v]) => `  ${k} ${v}`).join('\n');
    const conf = `; generated by bench/lib/cluster.ts
node {
  elector ${node.elector ?? true}
  runner ${node.runner ?? true}
  port ${this.ports.get(node.name)}
}
cluster {
  id ${this.options.clusterId ?? 13}
  password "${this.options.password ?? 'bench-secret'}"
  transport "${transport}"
  quorum ${this.options.quorum ?? 0}
}
service {
  folder services
  start_timeout 20s
  stop_timeout 20s
  promote_timeout 20s
  demote_timeout 20s
  status_timeout 10s
}
time {
  status_interval ${this.options.statusInterval ?? '1s'}
${time}
}
${this.options.extraConf ?? ''}
`;
    fs.writeFileSync(this.confPath(node.name), conf);
  }

  /** Start one node (or all). Resolves once the process is spawned. */
  start(name?: string, extraArgs: string[] = []): void {
    const names = name ? [name] : this.nodes.map((n) => n.name);
    for (const n of names) {
      if (this.running(n)) throw new Error(`node ${n} already running`);
      const child = spawn(process.execPath, [...(this.options.nodeArgs ?? []), KOINODE, '-f', this.confPath(n), '--name', n, '-C', ...extraArgs], {
        cwd: this.nodeDir(n),
        stdio: ['ignore', 'pipe', 'pipe'],
        env: { ...process.env, KOI_RUN_DIR: this.dir },
      });
      const lines = this.logs.get(n) ?? [];
      this.logs.set(n, lines);
      // Keep the tail only: a benchmark runs for minutes.
      const collect = (chunk: Buffer) => {
        lines.push(...chunk.toString().split('\n').filter(Boolean));
        if (lines.length > 2000) lines.splice(0, lines.length - 1000);
      };
      child.stdout!.on('data', collect);
      child.stderr!.on('data', collect);
      this.procs.set(n, child);
    }
  }

  pid(name: string): number {
    const pid = this.procs.get(name)?.pid;
    if (pid === undefined) throw new Error(`node ${name} not started`);
    return pid;
  }

  running(name: string): boolean {
    const p = this.procs.get(name);
    return !!p && p.exitCode === null && p.signalCode === null;
  }

  log(name: string): string[] {
    return this.logs.get(name) ?? [];
  }

  /** Send a signal to a node by pid. */
  signal(name: string, sig: NodeJS.Signals): void {
    process.kill(this.pid(name), sig);
  }

  /** Kill a node and wait for its exit; returns the exit code or signal. */
  async stop(name: string, sig: NodeJS.Signals = 'SIGTERM', timeoutMs = 30000): Promise<number | string> {
    const child = this.procs.get(name);
    if (!child || !this.running(name)) return child?.exitCode ?? child?.signalCode ?? 'not running';
    const exited = new Promise<number | string>((resolve) => child.once('exit', (code, signal) => resolve(code ?? signal ?? -1)));
    child.kill(sig);
    const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
    try {
      return await exited;
    } finally {
      clearTimeout(timer);
    }
  }

  /** Run the real client against `node` (default: first node). */
  koi(args: string[], opts: { node?: string; json?: boolean; timeoutMs?: number } = {}): Promise<KoiResult> {
    const node = opts.node ?? this.nodes[0].name;
    const argv = [KOI, '-f', this.confPath(node), '-H', this.host, '-p', String(this.ports.get(node))];
    if (opts.json) argv.push('--json');
    if (opts.timeoutMs) argv.push('--timeout', String(opts.timeoutMs));
    argv.push(...args);
    return new Promise((resolve) => {
      const child = spawn(process.execPath, argv, { stdio: ['ignore', 'pipe', 'pipe'] });
      let stdout = '';
      let stderr = '';
      child.stdout.on('data', (c: Buffer) => (stdout += c.toString()));
      child.stderr.on('data', (c: Buffer) => (stderr += c.toString()));
      child.on('exit', (code) => {
        const result: KoiResult = { code: code ?? -1, stdout, stderr };
        if (opts.json && code === 0) {
          try {
            result.json = JSON.parse(stdout);
          } catch {
            /* left undefined: the caller asserts on it */
          }
        }
        resolve(result);
      });
    });
  }

  /** Parsed service events recorded by the test service scripts. */
  events(): ServiceEvent[] {
    return fs.readFileSync(this.eventsFile, 'utf8').split('\n').filter(Boolean).map((line) => {
      const [time, node, service, event, phase] = line.split(' ');
      return { time: Number(time), node, service, event, phase: phase as 'begin' | 'end' };
    });
  }

  /** Touch or remove a control file read by the test services. */
  control(name: string, content: string | null): void {
    const file = path.join(this.controlDir, name);
    if (content === null) fs.rmSync(file, { force: true });
    else fs.writeFileSync(file, content);
  }

  /** Poll `probe` until it returns a truthy value or the timeout passes. */
  async waitFor<T>(what: string, probe: () => Promise<T | undefined | null | false> | T | undefined | null | false, timeoutMs = 20000, everyMs = 200): Promise<T> {
    const until = Date.now() + timeoutMs;
    let last: unknown;
    for (;;) {
      try {
        const value = await probe();
        if (value) return value as T;
        last = value;
      } catch (err) {
        last = err;
      }
      if (Date.now() > until) {
        const tails = this.nodes.map((n) => `--- ${n.name}\n${this.log(n.name).slice(-15).join('\n')}`).join('\n');
        throw new Error(`timed out waiting for ${what} (last: ${String(last)})\n${tails}`);
      }
      await new Promise((r) => setTimeout(r, everyMs));
    }
  }

  /** SIGKILL every node still running (by pid), then remove the temp directory. */
  async close(keepDir = false): Promise<void> {
    await Promise.all(this.nodes.map((n) => (this.running(n.name) ? this.stop(n.name, 'SIGKILL') : undefined)));
    // Service scripts run in their own process groups: end any still alive.
    for (const pid of this.scriptPids()) {
      try {
        process.kill(-pid, 'SIGKILL');
      } catch {
        /* already gone */
      }
    }
    if (!keepDir) fs.rmSync(this.dir, { recursive: true, force: true });
  }

  /** Pids of processes whose command line mentions this cluster's directory (leftover checks). */
  scriptPids(): number[] {
    const out = spawnSync('ps', ['-eo', 'pid=,args='], { encoding: 'utf8' }).stdout ?? '';
    return out.split('\n').filter((l) => l.includes(this.dir)).map((l) => Number(l.trim().split(/\s+/)[0]))
      .filter((pid) => Number.isInteger(pid) && pid !== process.pid);
  }
}
