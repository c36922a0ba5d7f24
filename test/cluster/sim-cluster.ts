/**
 * The deterministic cluster simulator: N real KoiNodes (real membership,
 * elector, runner, service manager and wire codec) on an in-memory network
 * and one VirtualClock. `run(ms)` steps the clock timer by timer, lets the
 * promise microtasks settle after each step (the service manager and hooks
 * are async), and checks the invariants after every step.
 */
import type { KoiConfig, KoiHooks, LogLevel, Logger, TransportAddress } from '../../plugin-api';
import { VirtualClock } from '../../core/clock';
import { defaultConfig } from '../../core/config/defaults';
import { ACK_WINDOW_TICKS } from '../../core/config/timing-defaults';
import { createHooks } from '../../core/hooks';
import { KoiNode } from '../../core/node';
import { InvariantChecker, type Violation } from './invariants';
import { Prng } from './prng';
import { PausableClock } from './sim-clock';
import { PERFECT_LINK, SimNetwork, type LinkFaults } from './sim-network';
import { SimExecutor, checksumCipher } from './sim-executor';

export interface SimNodeSpec {
  elector?: boolean;
  runner?: boolean;
}

export interface SimOptions {
  seed: number;
  nodes: number | SimNodeSpec[];
  /** Default: a strict majority of the nodes. */
  quorum?: number;
  time?: Partial<KoiConfig['time']>;
  service?: Partial<KoiConfig['service']>;
  maintenance?: boolean;
  services?: string[];
  serviceDurationMs?: number;
  faults?: LinkFaults;
  /** Keep this many log lines for failure reports. */
  traceLines?: number;
}

export type SimNodeStatus = 'new' | 'running' | 'paused' | 'dead' | 'stopped';

export interface SimNode {
  index: number;
  name: string;
  address: string;
  id: string;
  spec: Required<SimNodeSpec>;
  config: KoiConfig;
  status: SimNodeStatus;
  koi: KoiNode;
  clock: PausableClock;
  hooks: KoiHooks;
  executor: SimExecutor;
  /** Virtual times this node's runner entered / left Master. */
  promotions: number[];
  demotions: number[];
}

/** Promise microtasks settle before the next timer: hooks and the service manager are async. */
const settle = (): Promise<void> => new Promise((resolve) => setImmediate(resolve));

export class SimCluster {
  readonly clock = new VirtualClock();
  readonly prng: Prng;
  readonly network: SimNetwork;
  readonly nodes: SimNode[] = [];
  readonly checker = new InvariantChecker();
  readonly trace: string[] = [];
  readonly quorum: number;
  readonly majority: boolean;
  private lastTopologyChange = 0;
  private readonly traceLines: number;
  steps = 0;

  constructor(readonly options: SimOptions) {
    this.prng = new Prng(options.seed);
    this.network = new SimNetwork(this.clock, this.prng);
    this.network.setFaults(options.faults ?? PERFECT_LINK);
    this.traceLines = options.traceLines ?? 300;
    const specs = typeof options.nodes === 'number'
      ? Array.from({ length: options.nodes }, (): SimNodeSpec => ({}))
      : options.nodes;
    const count = specs.length;
    this.quorum = options.quorum ?? (count >= 3 ? Math.floor(count / 2) + 1 : 0);
    this.majority = this.quorum >= Math.floor(count / 2) + 1;
    specs.forEach((spec, i) => this.nodes.push(this.build(i, { elector: spec.elector ?? true, runner: spec.runner ?? true })));
  }

  get now(): number {
    return this.clock.now();
  }

  /** The configuration every node gets (transport lists every node). */
  private configFor(index: number, spec: Required<SimNodeSpec>): KoiConfig {
    const base = defaultConfig();
    const count = typeof this.options.nodes === 'number' ? this.options.nodes : this.options.nodes.length;
    const transport: TransportAddress[] = Array.from({ length: count }, (_, i) => ({
      kind: 'ipv4', host: `10.0.${Math.floor((i + 1) / 250)}.${((i + 1) % 250) + 1}`, port: 42012, raw: addressOf(i),
    }));
    return {
      ...base,
      node: { ...base.node, name: `n${index + 1}`, elector: spec.elector, runner: spec.runner, maintenance: this.options.maintenance ?? false, network_admin: 'full' },
      cluster: { ...base.cluster, id: 13, password: 'sim', transport, quorum: this.quorum },
      service: { ...base.service, folder: '/sim', workingdir: '/sim', ...this.options.service },
      time: { ...base.time, ...this.options.time },
    };
  }

  private build(index: number, spec: Required<SimNodeSpec>, previous?: SimNode, forcedId?: string): SimNode {
    const name = `n${index + 1}`;
    const address = addressOf(index);
    // The PRNG is drawn even for a forced id, so the rest of a seeded run stays the same.
    const drawn = this.prng.uuid();
    const id = forcedId ?? drawn;
    const clock = new PausableClock(this.clock);
    const logger = this.logger(name);
    const hooks = createHooks(logger);
    const executor = previous?.executor ?? new SimExecutor(clock, this.options.services, this.options.serviceDurationMs ?? 20);
    if (previous) (executor as unknown as { clock: PausableClock }).clock = clock;
    const config = this.configFor(index, spec);
    const transport = this.network.transport(address, () => config.cluster.transport.map((t) => t.raw));
    const koi = new KoiNode({
      config, clock, logger, hooks, transport, cipher: checksumCipher, executors: [executor], identity: { id, name },
      listEntries: async () => executor.entries(),
    });
    const node: SimNode = {
      index, name, address, id, spec, config, status: 'new', koi, clock, hooks, executor, promotions: [], demotions: [],
    };
    hooks.onStateChange.tap('sim', (change) => {
      this.checker.transition(name, this.now, change);
      if (change.to === 'Master') node.promotions.push(this.now);
      if (change.from === 'Master') node.demotions.push(this.now);
    });
    return node;
  }

  private logger(name: string): Logger {
    const trace = this.trace;
    const max = this.traceLines;
    const echo = process.env.KOI_SIM_LOG === '1';
    const clock = this.clock;
    const make = (bound: Record<string, unknown>): Logger => {
      const write = (level: LogLevel) => (obj: object | string, msg?: string): void => {
        if ((level === 'trace' || level === 'debug') && process.env.KOI_SIM_DEBUG !== '1') return;
        const text = typeof obj === 'string' ? obj : (msg ?? '');
        const line = `${String(clock.now()).padStart(7)} ${name} ${String(bound.component ?? '')} ${level}: ${text}`;
        if (echo) process.stderr.write(`${line}\n`);
        trace.push(line);
        if (trace.length > max) trace.splice(0, trace.length - max);
      };
      return {
        trace: write('trace'), debug: write('debug'), info: write('info'), warn: write('warn'), error: write('error'), fatal: write('fatal'),
        child: (more) => make({ ...bound, ...more }),
      };
    };
    return make({});
  }

  // ---- faults and operations ----------------------------------------------------------

  async start(index: number): Promise<void> {
    const node = this.nodes[index];
    if (node.status !== 'new') throw new Error(`${node.name} is ${node.status}, not new`);
    node.status = 'running';
    this.topology();
    await node.koi.start();
    await settle();
  }

  async startAll(): Promise<void> {
    for (let i = 0; i < this.nodes.length; i++) if (this.nodes[i].status === 'new') await this.start(i);
  }

  /** Crash: the process is gone at once (no demotion, no goodbye). */
  kill(index: number): void {
    const node = this.nodes[index];
    if (node.status === 'dead' || node.status === 'stopped' || node.status === 'new') return;
    node.status = 'dead';
    node.clock.kill();
    this.network.kill(node.address);
    this.topology();
  }

  /** Graceful stop (SIGTERM): runs while the clock keeps moving. */
  async stop(index: number): Promise<void> {
    const node = this.nodes[index];
    if (node.status !== 'running') return;
    const done = node.koi.stop('sim stop');
    let finished = false;
    void done.then(() => { finished = true; });
    for (let i = 0; i < 10_000 && !finished; i++) await this.stepOnce();
    node.status = 'stopped';
    node.clock.kill();
    this.network.kill(node.address);
    this.topology();
  }

  /**
   * Start a fresh process (new UUID) in the slot of a dead or stopped node.
   * `id` forces the new incarnation's id (e.g. one above every other node's,
   * so it wins the bully election); by default it is the PRNG's next UUID.
   */
  async restart(index: number, options: { id?: string } = {}): Promise<void> {
    const old = this.nodes[index];
    if (old.status === 'running' || old.status === 'paused') this.kill(index);
    for (const behaviour of old.executor.services.values()) behaviour.promoted = false;
    const node = this.build(index, old.spec, old, options.id);
    this.nodes[index] = node;
    await this.start(index);
  }

  pause(index: number): void {
    const node = this.nodes[index];
    if (node.status !== 'running') return;
    node.status = 'paused';
    node.clock.pause();
    this.network.pause(node.address);
    this.topology();
  }

  resume(index: number): void {
    const node = this.nodes[index];
    if (node.status !== 'paused') return;
    node.status = 'running';
    node.clock.resume();
    this.network.resume(node.address);
    this.topology();
  }

  partition(groups: number[][]): void {
    this.network.partition(groups.map((g) => g.map((i) => this.nodes[i].address)));
    this.topology();
  }

  heal(): void {
    this.network.heal();
    this.topology();
  }

  private topology(): void {
    this.lastTopologyChange = this.now;
  }

  // ---- running ---------------------------------------------------------------------------

  private async stepOnce(): Promise<boolean> {
    const stepped = this.clock.step();
    this.steps++;
    await settle();
    this.checkInvariants();
    return stepped;
  }

  /** Advance virtual time by `ms`, checking invariants after every timer. */
  async run(ms: number): Promise<void> {
    const until = this.now + ms;
    for (;;) {
      const due = this.clock.nextDue();
      if (due === null || due > until) break;
      await this.stepOnce();
    }
    this.clock.advance(until - this.now);
  }

  /** Run until `predicate` holds (checked after every step); returns the time it took, or null after `maxMs`. */
  async runUntil(predicate: () => boolean, maxMs: number): Promise<number | null> {
    const start = this.now;
    const until = start + maxMs;
    if (predicate()) return 0;
    for (;;) {
      const due = this.clock.nextDue();
      if (due === null || due > until) break;
      await this.stepOnce();
      if (predicate()) return this.now - start;
    }
    return null;
  }

  checkInvariants(): void {
    const t = this.nodes[0].config.time;
    const window = ACK_WINDOW_TICKS * t.cluster_update_interval;
    const running = this.nodes.filter((n) => n.status === 'running');
    this.checker.check({
      now: this.now,
      quorum: this.quorum,
      majority: this.majority,
      isolationBoundMs: window + t.master_lease + t.elector_tick_interval + this.network.maxDelayMs + 1,
      quiet: this.now - this.lastTopologyChange >= 3000 && this.network.faults.drop === 0 && !this.network.hasOneWayCuts,
      nodes: this.nodes.map((n) => ({
        name: n.name,
        running: n.status === 'running',
        isMaster: n.status === 'running' && n.koi.runnerState() === 'Master',
        isLeader: n.status === 'running' && n.koi.isLeader(),
        reach: n.status === 'running' ? running.filter((m) => m === n || this.network.connected(n.address, m.address)).map((m) => m.name) : [],
      })),
    });
  }

  get violations(): Violation[] {
    return this.checker.violations;
  }

  // ---- queries -----------------------------------------------------------------------------

  masters(): SimNode[] {
    return this.nodes.filter((n) => n.status === 'running' && n.koi.runnerState() === 'Master');
  }

  leaders(): SimNode[] {
    return this.nodes.filter((n) => n.status === 'running' && n.koi.isLeader());
  }

  master(): SimNode | null {
    const m = this.masters();
    return m.length === 1 ? m[0] : null;
  }

  leader(): SimNode | null {
    const l = this.leaders();
    return l.length === 1 ? l[0] : null;
  }

  /** The master has its services promoted (not only the runner state). */
  servicesPromoted(node: SimNode): boolean {
    const runner = node.koi.getStatus().runner;
    return runner !== null && runner.services.length > 0 && runner.services.every((s) => s.state === 'Promoted');
  }

  /** Stop every node's timers (end of a test). */
  shutdown(): void {
    for (const node of this.nodes) node.clock.kill();
  }

  describe(): string {
    return this.nodes.map((n) => {
      const s = n.koi.getStatus();
      return `${n.name}[${n.status}] ${s.state}${s.electionMode === 'leader' ? ' LEADER' : ''} master=${s.master?.name ?? '-'}`;
    }).join('; ');
  }
}

export function addressOf(index: number): string {
  return `10.0.${Math.floor((index + 1) / 250)}.${((index + 1) % 250) + 1}:42012`;
}
