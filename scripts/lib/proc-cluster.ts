/**
 * A cluster of real `koinode` processes for the stall test, the network
 * namespace tests, `npm run chaos:netns` and `npm run fuzz:live`.
 *
 * Each node gets its own folder (koi.conf, services) under one temp
 * directory, and a recording service whose scripts append
 * `<epoch seconds.nanos> <node> <service> <event> begin|end` to a shared
 * events.log. A node may run inside a network namespace (`ip netns exec`,
 * which execs in place, so the pid we hold is the koinode's pid); the
 * `koi` client then runs in the same namespace against 127.0.0.1.
 *
 * (Adapted from test/e2e/harness.ts, which another suite owns.)
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import * as dgram from 'node:dgram';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';

export const REPO_ROOT = findRepoRoot(__dirname);
export const KOINODE = path.join(REPO_ROOT, 'dist', 'bin', 'koinode.js');
export const KOI = path.join(REPO_ROOT, 'dist', 'bin', 'koi.js');
export const FENCE_PLUGIN = path.join(REPO_ROOT, 'examples', 'koi-plugin-fence-script');

/** Works from the sources (ts-jest) and from dist/scripts/lib. */
function findRepoRoot(from: string): string {
  let dir = from;
  while (!fs.existsSync(path.join(dir, 'package.json')) || path.basename(dir) === 'dist') {
    const up = path.dirname(dir);
    if (up === dir) throw new Error(`no package.json above ${from}`);
    dir = up;
  }
  return dir;
}

/** Wall-clock time in seconds with sub-millisecond precision (comparable with `date +%s.%N`). */
export function wallSeconds(): number {
  return (performance.timeOrigin + performance.now()) / 1000;
}

export interface ProcNodeSpec {
  name: string;
  /** Address other nodes use for this node (the transport entry). */
  address: string;
  port: number;
  /** Network namespace to run in; none = the host's (loopback only). */
  netns?: string;
  elector?: boolean;
  runner?: boolean;
}

export interface ProcClusterOptions {
  nodes: ProcNodeSpec[];
  quorum: number;
  /** Entries of the `time { }` section, e.g. { master_dead_time: '1s' }. */
  time?: Record<string, string>;
  /** Extra top-level koi.conf text (e.g. a plugins section). */
  extraConf?: string;
  password?: string;
  clusterId?: number;
  loglevel?: 'trace' | 'debug' | 'info' | 'warn' | 'error';
  /** Prefix of the temp directory name. */
  tag?: string;
  /** More `cluster.transport` entries (e.g. a listening fuzzer on loopback that captures heartbeats). */
  extraTransport?: string[];
}

export interface ServiceEvent {
  /** Seconds since the epoch, fractional. */
  time: number;
  node: string;
  service: string;
  event: string;
  phase: 'begin' | 'end';
}

export interface KoiAnswer {
  code: number;
  stdout: string;
  stderr: string;
  json?: Record<string, unknown>;
}

/** Find `count` consecutive UDP ports free on loopback. */
export async function findFreePorts(count: number, host = '127.0.0.1'): Promise<number[]> {
  for (let attempt = 0; attempt < 50; attempt++) {
    const base = 20000 + Math.floor(Math.random() * 30000);
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

/** The recording service: every event's begin and end with a timestamp. */
export function writeRecordingService(serviceDir: string, eventsFile: string, name = '10-app'): void {
  const dir = path.join(serviceDir, name);
  fs.mkdirSync(dir, { recursive: true });
  for (const event of ['start', 'stop', 'promote', 'demote', 'failed']) {
    fs.writeFileSync(path.join(dir, event), [
      '#!/bin/sh',
      `echo "$(date +%s.%N) $KOI_NODE_NAME $KOI_SERVICE ${event} begin" >> "${eventsFile}"`,
      `echo "$(date +%s.%N) $KOI_NODE_NAME $KOI_SERVICE ${event} end" >> "${eventsFile}"`,
      'exit 0',
      '',
    ].join('\n'), { mode: 0o755 });
  }
  fs.writeFileSync(path.join(dir, 'status'), '#!/bin/sh\nexit 0\n', { mode: 0o755 });
}

/** A fence script for the example fencing plugin: records `<time> <node> fence` and succeeds. */
export function writeFenceScript(file: string, fenceLog: string): void {
  fs.writeFileSync(file, `#!/bin/sh\necho "$(date +%s.%N) $1 fence" >> "${fenceLog}"\nexit 0\n`, { mode: 0o755 });
}

export function parseEvents(text: string): ServiceEvent[] {
  return text.split('\n').filter(Boolean).map((line) => {
    const [time, node, service, event, phase] = line.split(' ');
    return { time: Number(time), node, service, event, phase: phase as 'begin' | 'end' };
  });
}

export class ProcCluster {
  readonly dir: string;
  readonly eventsFile: string;
  readonly nodes: ProcNodeSpec[];
  private readonly procs = new Map<string, ChildProcess>();
  private readonly logs = new Map<string, string[]>();
  private readonly exits = new Map<string, Promise<number | string>>();

  constructor(private readonly options: ProcClusterOptions) {
    this.dir = fs.mkdtempSync(path.join(os.tmpdir(), `${options.tag ?? 'koi-proc'}-`));
    this.eventsFile = path.join(this.dir, 'events.log');
    fs.writeFileSync(this.eventsFile, '');
    this.nodes = options.nodes;
    for (const node of this.nodes) this.writeNode(node);
  }

  spec(name: string): ProcNodeSpec {
    const spec = this.nodes.find((n) => n.name === name);
    if (!spec) throw new Error(`unknown node ${name}`);
    return spec;
  }

  nodeDir(name: string): string {
    return path.join(this.dir, name);
  }

  confPath(name: string): string {
    return path.join(this.nodeDir(name), 'koi.conf');
  }

  private writeNode(node: ProcNodeSpec): void {
    const services = path.join(this.nodeDir(node.name), 'services');
    fs.mkdirSync(services, { recursive: true });
    writeRecordingService(services, this.eventsFile);
    const hostPort = (n: ProcNodeSpec) => (n.address.includes(':') ? `[${n.address}]:${n.port}` : `${n.address}:${n.port}`);
    const transport = [...this.nodes.map(hostPort), ...(this.options.extraTransport ?? [])].join(', ');
    const time = Object.entries(this.options.time ?? {}).map(([k, v]) => `  ${k} ${v}`).join('\n');
    fs.writeFileSync(this.confPath(node.name), `; generated by scripts/lib/proc-cluster.ts
node {
  name ${node.name}
  elector ${node.elector ?? true}
  runner ${node.runner ?? true}
  port ${node.port}
  loglevel ${this.options.loglevel ?? 'info'}
}
cluster {
  id ${this.options.clusterId ?? 29}
  password "${this.options.password ?? 'proc-cluster secret'}"
  transport "${transport}"
  quorum ${this.options.quorum}
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
  status_interval 1s
${time}
}
${this.options.extraConf ?? ''}
`);
  }

  private command(spec: ProcNodeSpec, argv: string[]): [string, string[]] {
    return spec.netns ? ['ip', ['netns', 'exec', spec.netns, process.execPath, ...argv]] : [process.execPath, argv];
  }

  /** Start one node (or all). */
  start(name?: string): void {
    for (const n of name ? [name] : this.nodes.map((x) => x.name)) {
      if (this.running(n)) throw new Error(`node ${n} already running`);
      const [cmd, args] = this.command(this.spec(n), [KOINODE, '-f', this.confPath(n), '-C']);
      const child = spawn(cmd, args, {
        cwd: this.nodeDir(n),
        stdio: ['ignore', 'pipe', 'pipe'],
        env: { ...process.env, KOI_RUN_DIR: this.dir, NO_COLOR: '1' },
      });
      const lines = this.logs.get(n) ?? [];
      this.logs.set(n, lines);
      const collect = (chunk: Buffer) => {
        lines.push(...chunk.toString().split('\n').filter(Boolean));
        if (lines.length > 5000) lines.splice(0, lines.length - 5000);
      };
      child.stdout!.on('data', collect);
      child.stderr!.on('data', collect);
      this.exits.set(n, new Promise((resolve) => child.once('exit', (code, signal) => resolve(code ?? signal ?? -1))));
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

  /** Signal a node and wait for its exit (SIGKILL after `timeoutMs`). */
  async stop(name: string, sig: NodeJS.Signals = 'SIGTERM', timeoutMs = 30000): Promise<number | string> {
    const child = this.procs.get(name);
    if (!child || !this.running(name)) return child?.exitCode ?? child?.signalCode ?? 'not running';
    child.kill('SIGCONT');
    child.kill(sig);
    const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
    try {
      return await this.exits.get(name)!;
    } finally {
      clearTimeout(timer);
    }
  }

  /** Run the real client against `name`, in its namespace, on its loopback. */
  koi(name: string, args: string[], timeoutMs = 2000): Promise<KoiAnswer> {
    const spec = this.spec(name);
    const [cmd, argv] = this.command(spec, [KOI, '-f', this.confPath(name), '-H', '127.0.0.1', '-p', String(spec.port),
      '--json', '--timeout', String(timeoutMs), ...args]);
    return new Promise((resolve) => {
      const child = spawn(cmd, argv, { stdio: ['ignore', 'pipe', 'pipe'] });
      let stdout = '';
      let stderr = '';
      child.stdout.on('data', (c: Buffer) => (stdout += c.toString()));
      child.stderr.on('data', (c: Buffer) => (stderr += c.toString()));
      child.on('exit', (code) => {
        const answer: KoiAnswer = { code: code ?? -1, stdout, stderr };
        try {
          answer.json = JSON.parse(stdout) as Record<string, unknown>;
        } catch {
          // left undefined: callers check it
        }
        resolve(answer);
      });
    });
  }

  /** `koi local` on a node: its own runner state and the master/leader it sees (undefined when it does not answer). */
  async local(name: string): Promise<LocalView | undefined> {
    const answer = await this.koi(name, ['local']);
    const j = answer.json;
    if (answer.code !== 0 || !j || j.type !== 'local') return undefined;
    const ref = (v: unknown) => (v && typeof v === 'object' && 'name' in v ? String((v as { name: unknown }).name) : null);
    return {
      name: String(j.name), state: String(j.state), leader: ref(j.leader), master: ref(j.master),
      services: (j.services as { name: string; state: string }[] | undefined) ?? [],
    };
  }

  events(): ServiceEvent[] {
    return parseEvents(fs.readFileSync(this.eventsFile, 'utf8'));
  }

  /** Poll `probe` until it returns a truthy value; throws with the nodes' log tails on timeout. */
  async waitFor<T>(what: string, probe: () => Promise<T | undefined | null | false> | T | undefined | null | false,
    timeoutMs = 20000, everyMs = 100): Promise<T> {
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
        throw new Error(`timed out waiting for ${what} (last: ${String(last)})\n${this.tails()}`);
      }
      await sleep(everyMs);
    }
  }

  tails(lines = 15): string {
    return this.nodes.map((n) => `--- ${n.name}\n${this.log(n.name).slice(-lines).join('\n')}`).join('\n');
  }

  /** SIGKILL every node still running (by pid), end leftover scripts, remove the directory. */
  async close(keepDir = false): Promise<void> {
    await Promise.all(this.nodes.map((n) => (this.running(n.name) ? this.stop(n.name, 'SIGKILL') : undefined)));
    for (const pid of this.scriptPids()) {
      try {
        process.kill(pid, 'SIGKILL');
      } catch {
        // already gone
      }
    }
    if (!keepDir) fs.rmSync(this.dir, { recursive: true, force: true });
  }

  /** Pids of processes whose command line mentions this cluster's directory. */
  scriptPids(): number[] {
    const out = spawnSync('ps', ['-eo', 'pid=,args='], { encoding: 'utf8' }).stdout ?? '';
    return out.split('\n').filter((l) => l.includes(this.dir)).map((l) => Number(l.trim().split(/\s+/)[0]))
      .filter((pid) => Number.isInteger(pid) && pid !== process.pid);
  }
}

export interface LocalView {
  name: string;
  state: string;
  leader: string | null;
  master: string | null;
  services: { name: string; state: string }[];
}

export function sleep(ms: number): Promise<void> {
  return new Promise((r) => setTimeout(r, ms));
}
