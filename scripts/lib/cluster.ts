/**
 * The real-process cluster harness of the end-to-end tests, the demo, the
 * benchmarks, `npm run fuzz:live` and the network-namespace tests/chaos:
 * writes one koi.conf and service folder per node into a temp directory, runs
 * `dist/bin/koinode.js` processes (optionally each inside a network
 * namespace), drives them with the real `dist/bin/koi.js` client, and ends
 * every process it started by pid.
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import * as dgram from 'node:dgram';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { PACKAGE_NAME } from '../../core/node/version';

/** The repository root: the nearest folder above this file whose package.json is koi's (works from sources and dist). */
export const REPO_ROOT = findRepoRoot(__dirname);
function findRepoRoot(from: string): string {
  for (let dir = from; ; dir = path.dirname(dir)) {
    const pkg = path.join(dir, 'package.json');
    if (fs.existsSync(pkg) && (JSON.parse(fs.readFileSync(pkg, 'utf8')) as { name?: string }).name === PACKAGE_NAME) return dir;
    if (path.dirname(dir) === dir) throw new Error(`no koi package.json above ${from}`);
  }
}
export const KOINODE = path.join(REPO_ROOT, 'dist', 'bin', 'koinode.js');
export const KOI = path.join(REPO_ROOT, 'dist', 'bin', 'koi.js');
export const FENCE_PLUGIN = path.join(REPO_ROOT, 'examples', 'koi-plugin-fence-script');

export interface NodeSpec {
  name: string;
  elector?: boolean;
  runner?: boolean;
  /** Address other nodes use for this node (default: the cluster's host). */
  address?: string;
  /** UDP port (default: from `ClusterOptions.ports` or a free one). */
  port?: number;
  /** Network namespace to run the node (and its clients, on 127.0.0.1) in; none = the host's. */
  netns?: string;
}

export interface ClusterOptions {
  nodes: NodeSpec[] | number;
  /** Loopback address the nodes use unless a node names its own: 127.0.0.1 or ::1. */
  host?: '127.0.0.1' | '::1';
  quorum?: number;
  /** Entries of the `time { }` section, e.g. { master_dead_time: '1s' }. */
  time?: Record<string, string>;
  /** Extra top-level koi.conf text (e.g. a plugins section). */
  extraConf?: string;
  /** status_interval for the test services (default 1s). */
  statusInterval?: string;
  password?: string;
  /** Use `cluster.key_file` (this path) instead of a password. */
  keyFile?: string;
  clusterId?: number;
  loglevel?: 'trace' | 'debug' | 'info' | 'warn' | 'error';
  /** UDP ports, one per node (default: each node's own `port`, else a free consecutive range). */
  ports?: number[];
  /** More `cluster.transport` entries (e.g. a listening fuzzer that captures heartbeats). */
  extraTransport?: string[];
  /** `node.network_admin` of every node (default full: the tests drive mutating commands over UDP). */
  networkAdmin?: 'full' | 'read-only' | 'off';
  /** `node.admin_allow` of every node (default unset: any source). */
  adminAllow?: string;
  /** Extra environment of the koinode processes (and so of the service scripts). */
  env?: Record<string, string>;
  /** Let the nodes colour their logs (default: NO_COLOR=1). */
  color?: boolean;
  /** Node.js flags before the koinode script (e.g. --cpu-prof). */
  nodeArgs?: string[];
  /** Load examples/koi-plugin-example on every node (through a node_modules symlink), with this greeting. */
  examplePlugin?: string;
  /** Load the example fencing plugin with `<dir>/fence.sh`, which appends `<epoch.ns> <node> fence` to `log`. */
  fence?: { log: string; timeout?: string };
  /** More entries of the `plugins { }` section, as written in koi.conf (e.g. `example { greeting "Hi" }`). */
  plugins?: string[];
  /** Per-node entries of the `plugins` section, e.g. `http { listen 127.0.0.1:<port of this node> }`. */
  pluginConf?: (node: NodeSpec) => string;
  /** Prefix of the temp directory name (default koi-e2e). */
  tag?: string;
  /** Write service folders; default: the event-recording `10-app` service. */
  writeServices?: (serviceDir: string, node: NodeSpec, cluster: Cluster) => void;
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

export interface KoiOptions {
  /** Node to ask (default: the first running node). */
  node?: string;
  json?: boolean;
  timeoutMs?: number;
  /** Read the password from this node's koi.conf instead of the asked node's. */
  confOf?: string;
  color?: boolean;
  /** Over the node's local admin socket (what an operator on the node uses) instead of UDP. */
  local?: boolean;
}

/** What `koi local` answers, as far as the harness reads it. */
export interface LocalView {
  name: string;
  state: string;
  leader: string | null;
  master: string | null;
  services: { name: string; state: string }[];
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
  nodes: Array<{ name: string; state: string; flags: string[]; address: string | null; lastSeenAgoMs: number; services: Array<{ name: string; state: string }>; failCount: number; lastFailure: { agoMs: number; reason: string } | null }>;
}

/** A cluster view that has a master. */
export type MasterView = ClusterView & { master: NonNullable<ClusterView['master']> };

export function sleep(ms: number): Promise<void> {
  return new Promise((r) => setTimeout(r, ms));
}

/** Wall-clock time in seconds with sub-millisecond precision (comparable with `date +%s.%N`). */
export function wallSeconds(): number {
  return (performance.timeOrigin + performance.now()) / 1000;
}

/** Find `count` consecutive UDP ports free on `host`. */
export async function findFreePorts(count: number, host = '127.0.0.1'): Promise<number[]> {
  for (let attempt = 0; attempt < 50; attempt++) {
    // Below the kernel's ephemeral range (32768.. on Linux): a killed node's port must still be free when it
    // restarts, and a client socket (koi, other tests) could otherwise be given it in between.
    const base = 20000 + Math.floor(Math.random() * (12000 - count));
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

/** A fence script for the example fencing plugin: records `<time> <node> fence` and succeeds. */
export function writeFenceScript(file: string, fenceLog: string): void {
  fs.writeFileSync(file, `#!/bin/sh\necho "$(date +%s.%N) $1 fence" >> "${fenceLog}"\nexit 0\n`, { mode: 0o755 });
}

/** Lines of the recording service's events file. */
export function parseEvents(text: string): ServiceEvent[] {
  return text.split('\n').filter(Boolean).map((line) => {
    const [time, node, service, event, phase] = line.split(' ');
    return { time: Number(time), node, service, event, phase: phase as 'begin' | 'end' };
  });
}

/** One line per node: `leader n1, master n2 | n1 Slave 10-app:Started | ...`. */
export function summarize(view: ClusterView): string {
  const head = `leader ${view.leader.name}, master ${view.master?.name ?? 'none'}${view.manualMaster ? ' (manual)' : ''}${view.maintenance ? ' (maintenance)' : ''}`;
  return [head, ...view.nodes.map((n) => `${n.name} ${n.state} ${n.services.map((s) => `${s.name}:${s.state}`).join(' ')}`)].join(' | ');
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

export class Cluster {
  readonly dir: string;
  readonly eventsFile: string;
  /** One line per status run of the recording service: `<epoch.ns> <node>`. */
  readonly statusFile: string;
  readonly controlDir: string;
  readonly host: string;
  readonly nodes: NodeSpec[];
  readonly ports = new Map<string, number>();
  private readonly procs = new Map<string, ChildProcess>();
  private readonly exits = new Map<string, Promise<number | string>>();
  /** Every koinode pid this cluster ever started, for the leftover check. */
  private readonly allPids: number[] = [];
  private readonly logs = new Map<string, string[]>();
  private readonly lineListeners: Array<(node: string, line: string) => void> = [];

  /** Synchronous when every node's port is known (`ports` or `NodeSpec.port`); otherwise use `Cluster.create`. */
  constructor(private readonly options: ClusterOptions) {
    this.host = options.host ?? '127.0.0.1';
    this.nodes = typeof options.nodes === 'number'
      ? Array.from({ length: options.nodes }, (_, i) => ({ name: `n${i + 1}` }))
      : options.nodes;
    this.nodes.forEach((n, i) => {
      const port = n.port ?? options.ports?.[i];
      if (port === undefined) throw new Error(`node ${n.name} has no port: give ports or use Cluster.create`);
      this.ports.set(n.name, port);
    });
    this.dir = fs.mkdtempSync(path.join(os.tmpdir(), `${options.tag ?? 'koi-e2e'}-`));
    this.eventsFile = path.join(this.dir, 'events.log');
    this.statusFile = path.join(this.dir, 'status.log');
    this.controlDir = path.join(this.dir, 'control');
    fs.mkdirSync(this.controlDir);
    fs.writeFileSync(this.eventsFile, '');
    fs.writeFileSync(this.statusFile, '');
    if (options.examplePlugin) {
      // `example` resolves to the package koi-plugin-example from the config file's folder upwards.
      fs.mkdirSync(path.join(this.dir, 'node_modules'));
      fs.symlinkSync(path.join(REPO_ROOT, 'examples', 'koi-plugin-example'), path.join(this.dir, 'node_modules', 'koi-plugin-example'), 'dir');
    }
    if (options.fence) writeFenceScript(path.join(this.dir, 'fence.sh'), options.fence.log);
    for (const node of this.nodes) this.writeNode(node);
  }

  /** A cluster on free consecutive ports (unless the options fix them). */
  static async create(options: ClusterOptions): Promise<Cluster> {
    if (!fs.existsSync(KOINODE)) throw new Error(`${KOINODE} is missing: run \`npm run build\` first (npm test does)`);
    const specs = typeof options.nodes === 'number' ? undefined : options.nodes;
    const count = specs?.length ?? (options.nodes as number);
    if (options.ports || specs?.every((n) => n.port !== undefined)) return new Cluster(options);
    return new Cluster({ ...options, ports: await findFreePorts(count, options.host ?? '127.0.0.1') });
  }

  nodeDir(name: string): string {
    return path.join(this.dir, name);
  }

  /** The node's local admin socket (its own folder: nodes on one host must not share /run/koi/koi.sock). */
  adminSocket(name: string): string {
    return path.join(this.nodeDir(name), 'run', 'koi.sock');
  }

  /** The node's event journal (node.journal; its own folder, like the admin socket). */
  journalPath(name: string): string {
    return path.join(this.nodeDir(name), 'events.jsonl');
  }

  /** What the node remembers across restarts (node.state_file; its own folder: one per machine). */
  stateFilePath(name: string): string {
    return path.join(this.nodeDir(name), 'state.json');
  }

  confPath(name: string): string {
    return path.join(this.nodeDir(name), 'koi.conf');
  }

  spec(name: string): NodeSpec {
    const spec = this.nodes.find((n) => n.name === name);
    if (!spec) throw new Error(`no node ${name} in this cluster`);
    return spec;
  }

  private hostPort(node: NodeSpec): string {
    const address = node.address ?? this.host;
    const port = this.ports.get(node.name)!;
    return address.includes(':') ? `[${address}]:${port}` : `${address}:${port}`;
  }

  private writeNode(node: NodeSpec): void {
    const services = path.join(this.nodeDir(node.name), 'services');
    fs.mkdirSync(services, { recursive: true });
    if (this.options.writeServices) this.options.writeServices(services, node, this);
    else writeRecordingService(services, this.eventsFile, this.controlDir, '10-app', this.statusFile);
    fs.writeFileSync(this.confPath(node.name), this.configText(node));
  }

  /** The koi.conf the harness writes for `node`, with `time` overrides on top of the cluster's. */
  configText(node: NodeSpec, time: Record<string, string> = {}): string {
    const o = this.options;
    const transport = [...this.nodes.map((n) => this.hostPort(n)), ...(o.extraTransport ?? [])].join(', ');
    const timing = { status_interval: o.statusInterval ?? '1s', ...o.time, ...time };
    const plugins = [
      o.examplePlugin ? `  example { greeting "${o.examplePlugin}" }` : '',
      o.fence ? `  "${FENCE_PLUGIN}" {\n    script ../fence.sh\n    timeout ${o.fence.timeout ?? '5s'}\n  }` : '',
      ...(o.plugins ?? []).map((entry) => `  ${entry}`),
      o.pluginConf ? `  ${o.pluginConf(node)}` : '',
    ].filter(Boolean);
    return `; generated by scripts/lib/cluster.ts
node {
  elector ${node.elector ?? true}
  runner ${node.runner ?? true}
  port ${this.ports.get(node.name)}
  admin_socket "${this.adminSocket(node.name)}"
  journal "${this.journalPath(node.name)}"
  state_file "${this.stateFilePath(node.name)}"
  network_admin ${o.networkAdmin ?? 'full'}
${o.adminAllow !== undefined ? `  admin_allow "${o.adminAllow}"\n` : ''}${o.loglevel ? `  loglevel ${o.loglevel}\n` : ''}}
cluster {
  id ${o.clusterId ?? 13}
  ${o.keyFile ? `key_file "${o.keyFile}"` : `password "${o.password ?? 'e2e-secret-passphrase'}"`}
  transport "${transport}"
  quorum ${o.quorum ?? 0}
}
service {
  folder services
  start_timeout 20s
  stop_timeout 20s
  promote_timeout 20s
  demote_timeout 20s
  status_timeout 10s
  ; scripts get a minimal environment: the example services' KOI_RUN_DIR is passed on by name
  env_passthrough "KOI_RUN_DIR"
}
time {
${Object.entries(timing).map(([k, v]) => `  ${k} ${v}`).join('\n')}
}
${plugins.length ? `plugins {\n${plugins.join('\n')}\n}\n` : ''}${o.extraConf ?? ''}
`;
  }

  /** Rewrite a node's koi.conf (the node sees it on its next reload). */
  writeConf(name: string, text: string): void {
    fs.writeFileSync(this.confPath(name), text);
  }

  /** `argv` run by node, inside the node's namespace when it has one (`ip netns exec` execs in place: the pid stays the node's). */
  private command(name: string, argv: string[]): [string, string[]] {
    const netns = this.spec(name).netns;
    return netns ? ['ip', ['netns', 'exec', netns, process.execPath, ...argv]] : [process.execPath, argv];
  }

  /** Start one node (or all). Returns once the processes are spawned. */
  start(name?: string, extraArgs: string[] = []): void {
    const names = name ? [name] : this.nodes.map((n) => n.name);
    for (const n of names) {
      // running(), not exitCode: a node killed by a signal keeps exitCode null.
      if (this.running(n)) throw new Error(`node ${n} already running`);
      const [cmd, args] = this.command(n, [...(this.options.nodeArgs ?? []), KOINODE, '-f', this.confPath(n), '--name', n, '-C', ...extraArgs]);
      const child = spawn(cmd, args, {
        cwd: this.nodeDir(n),
        stdio: ['ignore', 'pipe', 'pipe'],
        // KOI_RUN_DIR: where the example services keep their marker files.
        env: { ...process.env, ...(this.options.color ? {} : { NO_COLOR: '1' }), KOI_RUN_DIR: this.dir, ...this.options.env },
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

  /** The last `lines` log lines of every node. */
  tails(lines = 15): string {
    return this.nodes.map((n) => `--- ${n.name}\n${this.log(n.name).slice(-lines).join('\n')}`).join('\n');
  }

  /** Send a signal to a node by pid. */
  signal(name: string, sig: NodeJS.Signals): void {
    process.kill(this.pid(name), sig);
  }

  /** Signal a node (resuming it if stopped) and wait for its exit; returns the exit code or signal name. SIGKILL after timeoutMs. */
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

  /** Run the real client against a node (in its namespace, if any) with the node's koi.conf. */
  koi(args: string[], opts: KoiOptions = {}): Promise<KoiResult> {
    const node = opts.node ?? this.runningNodes()[0] ?? this.nodes[0].name;
    const host = this.spec(node).netns ? '127.0.0.1' : this.host;
    const argv = [KOI, '-f', this.confPath(opts.confOf ?? node), ...(opts.local ? ['-S', this.adminSocket(node)] : ['-H', host, '-p', String(this.ports.get(node))])];
    if (opts.json) argv.push('--json');
    if (opts.color) argv.push('--color');
    if (opts.timeoutMs) argv.push('--timeout', String(opts.timeoutMs));
    argv.push(...args);
    const [cmd, cmdArgs] = this.command(node, argv);
    return new Promise((resolve) => {
      const env = opts.color ? process.env : { ...process.env, NO_COLOR: '1' };
      const child = spawn(cmd, cmdArgs, { stdio: ['ignore', 'pipe', 'pipe'], env });
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
            /* left undefined: the caller checks it */
          }
        }
        resolve(result);
      });
    });
  }

  /** `koi --json status` asked of `node` (default: the first running node); undefined unless it answered with a cluster view. */
  async status(node?: string, timeoutMs?: number): Promise<ClusterView | undefined> {
    const r = await this.koi(['status'], { node, json: true, timeoutMs });
    const view = r.json as ClusterView | undefined;
    return r.code === 0 && view?.type === 'cluster' ? view : undefined;
  }

  /** The leader `koi status` on `node` names, or undefined. */
  async leader(node?: string, timeoutMs = 2000): Promise<string | undefined> {
    return (await this.status(node, timeoutMs))?.leader?.name;
  }

  /** `koi local` on a node: its own runner state and the master/leader it sees (undefined when it does not answer). */
  async local(name: string, timeoutMs = 2000): Promise<LocalView | undefined> {
    const answer = await this.koi(['local'], { node: name, json: true, timeoutMs });
    const j = answer.json as Record<string, unknown> | undefined;
    if (answer.code !== 0 || !j || j.type !== 'local') return undefined;
    const ref = (v: unknown) => (v && typeof v === 'object' && 'name' in v ? String((v as { name: unknown }).name) : null);
    return {
      name: String(j.name), state: String(j.state), leader: ref(j.leader), master: ref(j.master),
      services: (j.services as { name: string; state: string }[] | undefined) ?? [],
    };
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

  /**
   * A master whose services are Promoted and every configured node (by name) live as a Slave with its services
   * Started. A node restarted after kill -9 is a new node (fresh id): the leader keeps the old one Disconnected.
   */
  waitForSettled(timeoutMs = 40_000): Promise<MasterView> {
    const names = this.nodes.map((n) => n.name).sort().join();
    return this.waitForMaster((v) => {
      const live = v.nodes.filter((n) => n.state !== 'Disconnected' && n.state !== 'Offline');
      return live.map((n) => n.name).sort().join() === names && live.every((n) => {
        const want = n.name === v.master.name ? ['Master', 'Promoted'] : ['Slave', 'Started'];
        return n.state === want[0] && n.services.every((s) => s.state === want[1]);
      });
    }, timeoutMs);
  }

  /** Parsed service events recorded by the test service scripts. */
  events(): ServiceEvent[] {
    return parseEvents(fs.readFileSync(this.eventsFile, 'utf8'));
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

  /** Poll `probe` until it returns a truthy value; throws with the nodes' log tails on timeout. */
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
      if (Date.now() > until) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what} (last: ${String(last)})\n${this.tails()}`);
      await sleep(everyMs);
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

/** The node id (a UUID, fresh on every process start) in the last "node NAME (ID) started" line of a log. */
export function startedId(lines: string[]): string | undefined {
  for (let i = lines.length - 1; i >= 0; i--) {
    const m = /node \S+ \(([0-9a-f-]{36})\) started/.exec(lines[i]);
    if (m) return m[1];
  }
  return undefined;
}
