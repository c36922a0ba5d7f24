/**
 * Real-process cluster harness for end-to-end tests, the demo and the
 * benchmarks: writes one koi.conf and service folder per node into a temp
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
  /** UDP ports, one per node (default: a free consecutive range). */
  ports?: number[];
  /** Extra environment of the koinode processes (and so of the service scripts). */
  env?: Record<string, string>;
  /** Load examples/koi-plugin-example on every node (through a node_modules symlink), with this greeting. */
  examplePlugin?: string;
  /** Write service folders; default: the event-recording `10-app` service. */
  writeServices?: (serviceDir: string, node: NodeSpec, cluster: E2ECluster) => void;
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

/**
 * The default test service: records begin/end of every event but status with
 * a timestamp in `eventsFile` (`<epoch.ns> <node> <service> <event> begin|end`),
 * appends `<epoch.ns> <node>` to `statusFile` on every status run, fails status
 * while `<controlDir>/fail-status-<node>` exists, and sleeps in event E for the
 * seconds written in `<controlDir>/slow-E`.
 */
export function writeRecordingService(serviceDir: string, eventsFile: string, controlDir: string, name = '10-app', statusFile?: string): void {
  const dir = path.join(serviceDir, name);
  fs.mkdirSync(dir, { recursive: true });
  for (const event of ['start', 'stop', 'promote', 'demote', 'failed', 'status']) {
    const body = event === 'status'
      ? [
        '#!/bin/sh',
        statusFile ? `echo "$(date +%s.%N) $KOI_NODE_NAME" >> "${statusFile}"` : '',
        `[ -f "${controlDir}/fail-status-$KOI_NODE_NAME" ] && exit 1`,
        'exit 0',
      ]
      : [
        '#!/bin/sh',
        `rec() { echo "$(date +%s.%N) $KOI_NODE_NAME $KOI_SERVICE ${event} $1" >> "${eventsFile}"; }`,
        'rec begin',
        `[ -f "${controlDir}/slow-${event}" ] && sleep "$(cat "${controlDir}/slow-${event}")"`,
        'rec end',
        'exit 0',
      ];
    fs.writeFileSync(path.join(dir, event), `${body.filter((l) => l !== '').join('\n')}\n`, { mode: 0o755 });
  }
}

/** What `koi --json status` answers (docs/client.md, schema 1), as far as the harness reads it. */
export interface ClusterView {
  schema: number;
  type: 'cluster';
  leader: { id: string; name: string };
  master: { id: string; name: string } | null;
  targetMaster: { id: string; name: string } | null;
  manualMaster: boolean;
  maintenance: boolean;
  nodes: Array<{ name: string; state: string; flags: string[]; address: string | null; services: Array<{ name: string; state: string }>; failCount: number; lastFailure: { agoMs: number; reason: string } | null }>;
}

/** A cluster view that has a master. */
export type MasterView = ClusterView & { master: NonNullable<ClusterView['master']> };

/** One line per node: `leader n1, master n2 | n1 Slave 10-app:Started | ...`. */
export function summarize(view: ClusterView): string {
  const head = `leader ${view.leader.name}, master ${view.master?.name ?? 'none'}${view.manualMaster ? ' (manual)' : ''}${view.maintenance ? ' (maintenance)' : ''}`;
  return [head, ...view.nodes.map((n) => `${n.name} ${n.state} ${n.services.map((s) => `${s.name}:${s.state}`).join(' ')}`)].join(' | ');
}

export class E2ECluster {
  readonly dir: string;
  readonly eventsFile: string;
  /** One line per status run of the recording service: `<epoch.ns> <node>`. */
  readonly statusFile: string;
  readonly controlDir: string;
  readonly host: string;
  readonly nodes: NodeSpec[];
  readonly ports = new Map<string, number>();
  private readonly procs = new Map<string, ChildProcess>();
  /** Every koinode pid this cluster ever started, for the leftover check. */
  private readonly allPids: number[] = [];
  private readonly logs = new Map<string, string[]>();
  private readonly lineListeners: Array<(node: string, line: string) => void> = [];
  private readonly options: ClusterOptions;

  private constructor(options: ClusterOptions, ports: number[]) {
    this.options = options;
    this.host = options.host ?? '127.0.0.1';
    this.dir = fs.mkdtempSync(path.join(os.tmpdir(), 'koi-e2e-'));
    this.eventsFile = path.join(this.dir, 'events.log');
    this.statusFile = path.join(this.dir, 'status.log');
    this.controlDir = path.join(this.dir, 'control');
    fs.mkdirSync(this.controlDir);
    fs.writeFileSync(this.eventsFile, '');
    fs.writeFileSync(this.statusFile, '');
    this.nodes = typeof options.nodes === 'number'
      ? Array.from({ length: options.nodes }, (_, i) => ({ name: `n${i + 1}` }))
      : options.nodes;
    this.nodes.forEach((n, i) => this.ports.set(n.name, ports[i]));
    if (options.examplePlugin) {
      // `example` resolves to the package koi-plugin-example from the config file's folder upwards.
      fs.mkdirSync(path.join(this.dir, 'node_modules'));
      fs.symlinkSync(path.join(REPO_ROOT, 'examples', 'koi-plugin-example'), path.join(this.dir, 'node_modules', 'koi-plugin-example'), 'dir');
    }
    for (const node of this.nodes) this.writeNode(node);
  }

  static async create(options: ClusterOptions): Promise<E2ECluster> {
    if (!fs.existsSync(KOINODE)) throw new Error(`${KOINODE} is missing: run \`npm run build\` first (npm test does)`);
    const count = typeof options.nodes === 'number' ? options.nodes : options.nodes.length;
    const ports = options.ports ?? await findFreePorts(count, options.host ?? '127.0.0.1');
    if (ports.length < count) throw new Error(`${count} nodes need ${count} ports, got ${ports.length}`);
    return new E2ECluster(options, ports);
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
    else writeRecordingService(services, this.eventsFile, this.controlDir, '10-app', this.statusFile);
    fs.writeFileSync(this.confPath(node.name), this.configText(node));
  }

  /** The koi.conf the harness writes for `node`, with `time` overrides on top of the cluster's. */
  configText(node: NodeSpec, time: Record<string, string> = {}): string {
    const transport = this.nodes.map((n) => this.addr(this.ports.get(n.name)!)).join(', ');
    const timing = { status_interval: this.options.statusInterval ?? '1s', ...this.options.time, ...time };
    const plugins = this.options.examplePlugin ? `plugins {\n  example { greeting "${this.options.examplePlugin}" }\n}\n` : '';
    return `; generated by scripts/lib/cluster.ts
node {
  elector ${node.elector ?? true}
  runner ${node.runner ?? true}
  port ${this.ports.get(node.name)}
}
cluster {
  id ${this.options.clusterId ?? 13}
  password "${this.options.password ?? 'e2e-secret'}"
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
${Object.entries(timing).map(([k, v]) => `  ${k} ${v}`).join('\n')}
}
${plugins}${this.options.extraConf ?? ''}
`;
  }

  /** Rewrite a node's koi.conf (the node sees it on its next reload). */
  writeConf(name: string, text: string): void {
    fs.writeFileSync(this.confPath(name), text);
  }

  spec(name: string): NodeSpec {
    const spec = this.nodes.find((n) => n.name === name);
    if (!spec) throw new Error(`no node ${name} in this cluster`);
    return spec;
  }

  /** Start one node (or all). Returns once the processes are spawned. */
  start(name?: string, extraArgs: string[] = []): void {
    const names = name ? [name] : this.nodes.map((n) => n.name);
    for (const n of names) {
      if (this.running(n)) throw new Error(`node ${n} already running`);
      const child = spawn(process.execPath, [KOINODE, '-f', this.confPath(n), '--name', n, '-C', ...extraArgs], {
        cwd: this.nodeDir(n),
        stdio: ['ignore', 'pipe', 'pipe'],
        // KOI_RUN_DIR: where the example services keep their marker files.
        env: { ...process.env, NO_COLOR: '1', KOI_RUN_DIR: this.dir, ...this.options.env },
      });
      if (child.pid !== undefined) this.allPids.push(child.pid);
      const lines = this.logs.get(n) ?? [];
      this.logs.set(n, lines);
      let partial = '';
      const collect = (chunk: Buffer) => {
        const parts = (partial + chunk.toString()).split('\n');
        partial = parts.pop() ?? '';
        for (const line of parts.filter(Boolean)) {
          lines.push(line);
          for (const listener of this.lineListeners) listener(n, line);
        }
        if (lines.length > 5000) lines.splice(0, lines.length - 5000);
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

  /** Names of the nodes whose process is running. */
  runningNodes(): string[] {
    return this.nodes.map((n) => n.name).filter((n) => this.running(n));
  }

  /** Call `listener` with every log line of every node as it arrives. */
  onLine(listener: (node: string, line: string) => void): void {
    this.lineListeners.push(listener);
  }

  log(name: string): string[] {
    return this.logs.get(name) ?? [];
  }

  /** Send a signal to a node by pid. */
  signal(name: string, sig: NodeJS.Signals): void {
    process.kill(this.pid(name), sig);
  }

  /** Signal a node and wait for its exit; returns the exit code or the signal name. SIGKILL after timeoutMs. */
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

  /** Run the real client against `node` (default: the first running node) with the node's koi.conf. */
  koi(args: string[], opts: { node?: string; json?: boolean; timeoutMs?: number; confOf?: string; color?: boolean } = {}): Promise<KoiResult> {
    const node = opts.node ?? this.runningNodes()[0] ?? this.nodes[0].name;
    // The password comes from a node's koi.conf: that node's own unless `confOf` names another.
    const argv = [KOI, '-f', this.confPath(opts.confOf ?? node), '-H', this.host, '-p', String(this.ports.get(node))];
    if (opts.json) argv.push('--json');
    if (opts.color) argv.push('--color');
    if (opts.timeoutMs) argv.push('--timeout', String(opts.timeoutMs));
    argv.push(...args);
    return new Promise((resolve) => {
      const env = opts.color ? process.env : { ...process.env, NO_COLOR: '1' };
      const child = spawn(process.execPath, argv, { stdio: ['ignore', 'pipe', 'pipe'], env });
      let stdout = '';
      let stderr = '';
      child.stdout.on('data', (c: Buffer) => (stdout += c.toString()));
      child.stderr.on('data', (c: Buffer) => (stderr += c.toString()));
      child.on('close', (code) => {
        const result: KoiResult = { code: code ?? -1, stdout, stderr };
        if (opts.json) {
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

  /** `koi --json status` asked of `node` (default: the first running node); undefined unless it answered with a cluster view. */
  async status(node?: string): Promise<ClusterView | undefined> {
    const r = await this.koi(['status'], { node, json: true });
    const view = r.json as ClusterView | undefined;
    return r.code === 0 && view?.type === 'cluster' ? view : undefined;
  }

  /** Wait until `koi status` shows a master for which `accept` holds (default: any master); returns the view. */
  waitForMaster(accept: (view: MasterView) => boolean = () => true, timeoutMs = 30000): Promise<MasterView> {
    let seen: ClusterView | undefined;
    return this.waitFor('a master', async () => {
      const view = await this.status();
      if (view) seen = view;
      return view?.master && accept(view as MasterView) ? view as MasterView : undefined;
    }, timeoutMs).catch((err: Error) => {
      throw new Error(`${err.message}\nlast status seen: ${seen ? summarize(seen) : 'none'}`);
    });
  }

  /** Parsed service events recorded by the test service scripts. */
  events(): ServiceEvent[] {
    return fs.readFileSync(this.eventsFile, 'utf8').split('\n').filter(Boolean).map((line) => {
      const [time, node, service, event, phase] = line.split(' ');
      return { time: Number(time), node, service, event, phase: phase as 'begin' | 'end' };
    });
  }

  /** Status runs recorded by the test service (`{ time, node }`). */
  statusRuns(): Array<{ time: number; node: string }> {
    return fs.readFileSync(this.statusFile, 'utf8').split('\n').filter(Boolean).map((line) => {
      const [time, node] = line.split(' ');
      return { time: Number(time), node };
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
        throw new Error(`timed out after ${timeoutMs} ms waiting for ${what} (last: ${String(last)})\n${tails}`);
      }
      await new Promise((r) => setTimeout(r, everyMs));
    }
  }

  /** SIGKILL every node still running (by pid), end leftover scripts, then remove the temp directory. */
  async close(keepDir = false): Promise<void> {
    await Promise.all(this.nodes.map((n) => (this.running(n.name) ? this.stop(n.name, 'SIGKILL') : undefined)));
    // Scripts run in process groups of their own: end any group still alive.
    for (const pid of this.scriptPids()) {
      try {
        process.kill(-pid, 'SIGKILL');
      } catch {
        try {
          process.kill(pid, 'SIGKILL');
        } catch {
          /* already gone */
        }
      }
    }
    if (!keepDir) fs.rmSync(this.dir, { recursive: true, force: true });
  }

  /** Processes still alive that this cluster started or that mention its directory (empty after close()). */
  leftovers(): { koinodes: number[]; others: number[] } {
    return { koinodes: this.allPids.filter(pidAlive), others: this.scriptPids() };
  }

  /** Pids of processes whose command line mentions this cluster's directory. */
  scriptPids(): number[] {
    const out = spawnSync('ps', ['-eo', 'pid=,args='], { encoding: 'utf8' }).stdout ?? '';
    return out.split('\n').filter((l) => l.includes(this.dir)).map((l) => Number(l.trim().split(/\s+/)[0]))
      .filter((pid) => Number.isInteger(pid) && pid !== process.pid);
  }
}

/** Whether a process with this pid exists (and is not a zombie we could still reap: children are reaped by node). */
export function pidAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}
