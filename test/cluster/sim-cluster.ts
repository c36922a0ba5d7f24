/**
 * The deterministic cluster simulator: N real KoiNodes (real membership,
 * elector, runner, service manager and wire codec) on an in-memory network
 * and one VirtualClock. `run(ms)` steps the clock timer by timer, lets the
 * promise microtasks settle after each step (the service manager and hooks
 * are async), and checks the invariants after every step: the daemons'
 * (invariants.ts) and the services' (service-invariants.ts).
 *
 * Faults on a node: crash (services left promoted), power off (services
 * gone; what the simulated fencing plugin does), SIGSTOP-like pause, VM
 * pause (monotonic clock frozen too), clock rate drift, wall-clock skew and
 * steps, graceful stop, reload-restart (same id), live `time.*` reloads.
 * Network faults are in sim-network.ts.
 */
import { InMemoryMachineMemory } from '../../core/node/machine-memory';
import type { KoiConfig, KoiHooks, LogLevel, Logger, TransportAddress } from '../../plugin-api';
import { VirtualClock } from '../../core/clock';
import { defaultConfig } from '../../core/config/defaults';
import { ackWindowMs, stallBoundMs } from '../../core/config/safety-bounds';
import { createHooks } from '../../core/hooks';
import { KoiNode, checkClusterConfig } from '../../core/node';
import type { SafetyRule } from '../../core/safety-rules';
import { InvariantChecker, type Violation } from './invariants';
import { Prng } from './prng';
import {
  FIRST_EVENT_MS, ServiceInvariants, crashBoundMs, demoteChainBoundMs, frozenBoundMs, frozenDemoteStartMs, livenessBoundMs, type ClusterProbe, type NodeLife, type ProbeNode, type ServiceBounds,
} from './service-invariants';
import { PausableClock, type NodeClockOptions } from './sim-clock';
import { PERFECT_LINK, SimNetwork, type LinkFaults } from './sim-network';
import { SimExecutor, checksumCipher, type SimDurations } from './sim-executor';

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
  /** Duration of every service event, ms (default 20); `durations` overrides promote/demote. */
  serviceDurationMs?: number;
  durations?: Partial<SimDurations>;
  faults?: LinkFaults;
  /** Keep this many log lines for failure reports. */
  traceLines?: number;
  /** Safety rules turned off in every node (the teeth run only). */
  disabledSafetyRules?: readonly SafetyRule[];
  /** Every node taps onFence with the simulated fencing plugin: it powers the silent node off and answers ok. */
  fencing?: boolean;
  /** Per-node clock faults from the start (rate drift, wall skew). */
  clocks?: Array<NodeClockOptions | undefined>;
  /** Two addresses per node on two subnets (redundant links; every node lists all of them). */
  redundantLinks?: boolean;
  /** Judge liveness and flapping (the random schedules; scenario tests drive admin commands themselves). */
  checkLiveness?: boolean;
}

/** 'paused' = SIGSTOP, 'frozen' = VM pause, 'dead' = daemon crashed (services left), 'off' = powered off. */
export type SimNodeStatus = NodeLife;

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
  /** The machine's disk as far as koi uses it (`node.state_file`): it outlives crashes and restarts. */
  machineMemory: InMemoryMachineMemory;
  /** The wire sequence counter of this id (kept by a reload-restart). */
  sequence: { last: number };
  /** What else a reload-restart keeps (KoiNodeOptions.memory). */
  memory: { sawMaster: boolean };
  /** Virtual times this node's runner entered / left Master. */
  promotions: number[];
  demotions: number[];
  /** A rate, skew or wall step was applied to this node's clock. */
  clockFault: boolean;
  /** Shared time its VM pause began, while frozen. */
  frozenAt: number | null;
}

/** Promise microtasks settle before the next timer: hooks and the service manager are async. */
const settle = (): Promise<void> => new Promise((resolve) => setImmediate(resolve));

export class SimCluster {
  readonly clock = new VirtualClock();
  readonly prng: Prng;
  readonly network: SimNetwork;
  readonly nodes: SimNode[] = [];
  readonly checker = new InvariantChecker();
  readonly services: ServiceInvariants;
  readonly bounds: ServiceBounds;
  readonly durations: SimDurations;
  readonly serviceNames: string[];
  readonly trace: string[] = [];
  readonly quorum: number;
  readonly majority: boolean;
  /** Operator holds in force (maintenance on, manual demote): no liveness is promised meanwhile. */
  readonly holds = new Set<string>();
  /** Last operator or service action (liveness and flapping are judged from quiet periods). */
  lastAdminAction = 0;
  /**
   * `koi promote X` for an X not electable then: the leader switches to X when it becomes electable
   * (docs/client.md), an operator's switch whenever it comes. Cleared when X holds every service, or by
   * `koi demote`/`koi elect`.
   */
  pendingPromote = '';
  /** Fault counts by kind (what a run applied). */
  readonly applied = new Map<string, number>();
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
    const other = options.serviceDurationMs ?? 20;
    this.durations = { otherMs: other, promoteMs: other, demoteMs: other, ...options.durations };
    this.serviceNames = options.services ?? ['10-ip', '20-app'];
    this.bounds = {
      quorum: this.quorum, majority: this.majority, fencing: options.fencing ?? false,
      frozenBoundMs: 0, frozenDemoteStartMs: 0, quorumOffFirstDemoteMs: 0, crashBoundMs: 0, demoteChainBoundMs: 0, livenessBoundMs: 0, flapWindowMs: 0, checkLiveness: options.checkLiveness ?? false,
    };
    this.services = new ServiceInvariants(this.bounds, (v) => this.checker.add(v));
    specs.forEach((spec, i) => this.nodes.push(this.build(i, { elector: spec.elector ?? true, runner: spec.runner ?? true })));
    this.updateBounds();
  }

  /** The largest value of each timing any node uses now (live reloads differ per node). */
  /** Lease lengths of timings reloaded away, until a lease granted under them has run out (the isolation bound). */
  private leasesInForce: Array<{ leaseMs: number; until: number }> = [];

  maxTime(): KoiConfig['time'] {
    const out = { ...this.nodes[0].config.time };
    for (const n of this.nodes) {
      for (const key of Object.keys(out) as Array<keyof KoiConfig['time']>) out[key] = Math.max(out[key], n.config.time[key]);
    }
    return out;
  }

  /** Largest clock rate error of any node (|rate - 1|). */
  maxDrift(): number {
    return Math.max(0, ...this.nodes.map((n) => Math.abs(n.clock.driftRate - 1)));
  }

  private updateBounds(): void {
    const t = this.maxTime();
    const drift = this.maxDrift();
    const services = this.serviceNames.length;
    this.bounds.frozenBoundMs = frozenBoundMs(this.durations, services, drift);
    this.bounds.frozenDemoteStartMs = frozenDemoteStartMs(this.durations, services, drift);
    this.bounds.quorumOffFirstDemoteMs = Math.ceil((t.elector_tick_interval + 2 * t.cluster_update_interval) * (1 + drift)) + FIRST_EVENT_MS;
    this.bounds.quorumOffStartDelayMs = this.bounds.majority ? 0 : t.initial_promotion_delay;
    this.bounds.clusterTickMs = Math.ceil(t.cluster_update_interval * (1 + drift));
    this.bounds.hiddenPauseTellMs = Math.ceil((t.master_lease + stallBoundMs(t.cluster_update_interval) + t.cluster_update_interval) * (1 + drift));
    this.bounds.crashBoundMs = crashBoundMs(this.durations, services, drift, t.cluster_update_interval);
    this.bounds.demoteChainBoundMs = demoteChainBoundMs(this.durations, services, drift);
    this.bounds.livenessBoundMs = livenessBoundMs(t, this.durations, services, drift);
    this.bounds.flapWindowMs = ackWindowMs(t.cluster_update_interval) + t.master_lease + t.lease_margin;
  }

  private count(kind: string): void {
    this.applied.set(kind, (this.applied.get(kind) ?? 0) + 1);
  }

  get now(): number {
    return this.clock.now();
  }

  /** The configuration every node gets (transport lists every node). */
  private configFor(index: number, spec: Required<SimNodeSpec>): KoiConfig {
    const base = defaultConfig();
    const count = typeof this.options.nodes === 'number' ? this.options.nodes : this.options.nodes.length;
    const subnets = this.options.redundantLinks ? [0, 1] : [0];
    const transport: TransportAddress[] = subnets.flatMap((net) => Array.from({ length: count }, (_, i) => ({
      kind: 'ipv4' as const, host: addressOf(i, net).split(':')[0], port: 42012, raw: addressOf(i, net),
    })));
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
    // A restarted process runs on the same machine: its clock keeps the machine's rate and wall offset.
    const clockOptions: NodeClockOptions = previous
      ? { rate: previous.clock.driftRate, wallOffsetMs: previous.clock.wallOffsetMs }
      : (this.options.clocks?.[index] ?? {});
    const clock = new PausableClock(this.clock, clockOptions);
    const logger = this.logger(name);
    const hooks = createHooks(logger);
    const executor = previous?.executor ?? this.executorFor(name, clock);
    const machineMemory = previous?.machineMemory ?? new InMemoryMachineMemory();
    executor.setClock(clock);
    const config = previous ? { ...this.configFor(index, spec), time: { ...previous.config.time } } : this.configFor(index, spec);
    const extra = this.options.redundantLinks ? [addressOf(index, 1)] : [];
    const transport = this.network.transport(address, () => config.cluster.transport.map((t) => t.raw), extra);
    // Same id again (a reload-restart): the daemon keeps the sequence counter (core/daemon.ts), so does the simulator.
    const sequence = previous && previous.id === id ? previous.sequence : { last: 0 };
    const memory = previous && previous.id === id ? previous.memory : { sawMaster: false };
    const koi = new KoiNode({
      config, clock, logger, hooks, transport, cipher: checksumCipher, executors: [executor], identity: { id, name },
      listEntries: async () => executor.entries(), disabledSafetyRules: this.options.disabledSafetyRules, sequence, memory, machineMemory,
    });
    const node: SimNode = {
      index, name, address, id, spec, config, status: 'new', koi, clock, hooks, executor, machineMemory, sequence, memory, promotions: [], demotions: [],
      frozenAt: null,
      clockFault: previous?.clockFault ?? ((clockOptions.rate !== undefined && clockOptions.rate !== 1) || (clockOptions.wallOffsetMs ?? 0) !== 0),
    };
    if (this.options.fencing) this.tapFence(hooks, name);
    hooks.onStateChange.tap('sim', (change) => {
      this.checker.transition(name, this.now, change);
      if (change.to === 'Master') node.promotions.push(this.now);
      if (change.from === 'Master') node.demotions.push(this.now);
    });
    return node;
  }

  /** One executor per machine (slot): it outlives crashes and restarts. */
  private executorFor(name: string, clock: PausableClock): SimExecutor {
    const executor = new SimExecutor(clock, this.serviceNames, this.durations, () => this.clock.now());
    executor.witness = {
      promoteStart: (service, at) => this.services.promoteStart(this.probe(), name, service, at),
      promotedEnd: (service, interval) => this.services.promotedEnd(name, service, interval),
      demoteStart: (service, at) => this.services.demoteStart(this.probe(), name, service, at),
    };
    return executor;
  }

  /** The simulated fencing plugin (STONITH): powers the named machine off and answers ok. */
  private tapFence(hooks: KoiHooks, by: string): void {
    hooks.onFence.tapPromise('sim-fence', async (request) => {
      // A power switch knows machines by name or address: an old incarnation's id (restarted since) names the same machine.
      const index = this.nodes.findIndex((n) => n.id === request.nodeId || n.name === request.name
        || request.addresses.some((a) => a === n.address || a === addressOf(n.index, 1)));
      if (index < 0) return { ok: false, detail: `no machine for ${request.name}` };
      this.trace.push(`${String(this.now).padStart(7)} ${by} sim-fence: powering off ${this.nodes[index].name}`);
      this.powerOff(index);
      return { ok: true, detail: `powered off ${this.nodes[index].name} (sim)` };
    });
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
    // A machine fenced (powered off) or killed during its start-up sweep never finishes starting.
    await this.untilDone([node.koi.start()], () => node.status !== 'running');
  }

  /** Start every new node at the same virtual instant. */
  async startAll(): Promise<void> {
    const starting: Array<Promise<void>> = [];
    for (const node of this.nodes) {
      if (node.status !== 'new') continue;
      node.status = 'running';
      starting.push(node.koi.start());
    }
    this.topology();
    await this.untilDone(starting);
  }

  /** KoiNode.start() awaits the start-up sweep (status scripts on the virtual clock): keep time moving until all are done. */
  private async untilDone(work: Array<Promise<void>>, gone: () => boolean = () => false): Promise<void> {
    let done = false;
    let failure: unknown = null;
    const all = Promise.all(work).then(() => { done = true; }, (err: unknown) => { done = true; failure = err; });
    await settle();
    // Bounded by virtual time, not steps: a hung status script holds a start for status_timeout (120 s).
    const limit = this.now + 10 * 60_000;
    while (!done && this.now <= limit && !gone()) {
      if (!(await this.stepOnce())) break;
    }
    if (!done && gone()) return;
    if (!done) throw new Error(`a node did not finish starting within 10 virtual minutes (t=${this.now})\n${this.trace.slice(-40).join('\n')}`);
    await all;
    if (failure) throw failure;
    await settle();
  }

  /** Crash: the daemon is gone at once (no demotion, no goodbye); its services stay as they are. */
  kill(index: number): void {
    const node = this.nodes[index];
    if (node.status === 'dead' || node.status === 'stopped' || node.status === 'new' || node.status === 'off') return;
    node.status = 'dead';
    node.clock.kill();
    this.network.kill(node.address);
    this.count('crash');
    this.topology();
  }

  /** Power off (what fencing does): daemon and services gone at once. */
  powerOff(index: number): void {
    const node = this.nodes[index];
    if (node.status === 'off') return;
    if (node.status !== 'new') this.kill(index);
    node.status = 'off';
    node.clock.powerOff();
    node.executor.powerOff();
    this.count('power-off');
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
   * Start a fresh process in the slot of a dead, stopped or powered-off node
   * (a running or paused one is killed first). Services a crash left
   * promoted stay promoted: the executor is the machine's. `id` forces the
   * new incarnation's id (e.g. one above every other node's, so it wins the
   * bully election, or the old one for a reload-restart); by default it is
   * the PRNG's next UUID.
   */
  async restart(index: number, options: { id?: string } = {}): Promise<void> {
    const old = this.nodes[index];
    if (old.status === 'running' || old.status === 'paused' || old.status === 'frozen') this.kill(index);
    const node = this.build(index, old.spec, old, options.id);
    this.nodes[index] = node;
    // Before start: KoiNode.start runs the start-up sweep, during which the leftovers are still promoted.
    this.services.returned(node.name, this.now, 'restart', false, node.executor.openServices());
    await this.start(index);
  }

  /** In-process restart after a reload (koi reconfigure): graceful stop, then the same id again. */
  async reloadRestart(index: number): Promise<void> {
    const old = this.nodes[index];
    if (old.status !== 'running') return;
    this.count('reload-restart');
    this.adminAction(); // an operator's reconfigure: its graceful demote is no flap
    await this.stop(index);
    await this.restart(index, { id: old.id });
  }

  /** Live reload of `time.*` on one node (no restart). */
  async setTime(index: number, time: Partial<KoiConfig['time']>): Promise<void> {
    const node = this.nodes[index];
    const config = { ...node.config, time: { ...node.config.time, ...time } };
    // As the daemon does (a reload it refuses changes nothing): timings koinode would never run are no test.
    const refused = checkClusterConfig(config).errors;
    if (refused.length > 0) throw new Error(`${node.name}: a time reload koinode refuses: ${refused.join('; ')}`);
    // A lease this node granted (as leader) before the reload runs its old length: the isolation bound keeps it that long.
    const old = node.config.time;
    this.leasesInForce.push({ leaseMs: old.master_lease, until: this.now + old.master_lease + old.lease_margin });
    node.config = config;
    this.updateBounds();
    if (node.status !== 'running') return;
    this.count('time-reload');
    await node.koi.applyConfig(node.config);
    await settle();
  }

  /** SIGSTOP. */
  pause(index: number): void {
    const node = this.nodes[index];
    if (node.status !== 'running') return;
    node.status = 'paused';
    this.services.stopped(node.name, this.now);
    node.clock.pause();
    this.network.pause(node.address);
    this.count('pause');
    this.topology();
  }

  /**
   * SIGCONT, or the end of a VM pause. Where the process stood decides what runs first (libuv): stopped in
   * its poll phase, it reads the datagrams that waited first; stopped as timers fell due, those timers run
   * first and the datagrams are read after them. Either way every one is a step of its own at this instant.
   * `datagramsFirst` picks the order; by default a SIGSTOP resumes timers first and a VM pause datagrams first.
   * `firstEntry` runs before both: a request read first from another socket (an admin connection).
   */
  resume(index: number, datagramsFirst?: boolean, firstEntry?: () => void, hidden = false): void {
    const node = this.nodes[index];
    if (node.status === 'frozen') {
      this.vmResume(index, datagramsFirst ?? true, hidden);
      return;
    }
    if (node.status !== 'paused') return;
    node.status = 'running';
    this.services.returned(node.name, this.now, 'resume', this.promoting(node));
    firstEntry?.();
    if (datagramsFirst) this.network.resume(node.address);
    node.clock.resume();
    if (!datagramsFirst) this.network.resume(node.address);
    this.topology();
  }

  /** VM pause: the node and its monotonic clock stop; its wall clock jumps by the pause on resume. */
  vmPause(index: number): void {
    const node = this.nodes[index];
    if (node.status !== 'running') return;
    node.status = 'frozen';
    node.frozenAt = this.now;
    this.services.stopped(node.name, this.now);
    node.clock.freeze();
    this.network.pause(node.address);
    this.count('vm-pause');
    this.topology();
  }

  /**
   * The end of a VM pause (see resume): its clock goes on from where it stood. `hidden`: its wall clock is
   * stepped back by the pause first, so neither of its clocks shows it (only its peers' heartbeats tell it:
   * docs/safety.md R6, the weaker premise of "What is assumed").
   */
  vmResume(index: number, datagramsFirst = true, hidden = false): void {
    const node = this.nodes[index];
    if (node.status !== 'frozen') return;
    const hides = hidden && node.frozenAt !== null;
    if (hides) this.stepWall(index, -(this.now - node.frozenAt!));
    node.frozenAt = null;
    node.status = 'running';
    this.services.returned(node.name, this.now, 'resume', this.promoting(node), [], true, hides);
    if (datagramsFirst) this.network.resume(node.address);
    node.clock.thaw();
    if (!datagramsFirst) this.network.resume(node.address);
    this.topology();
  }

  /** A promote script of the node is still running. */
  /**
   * Its first demote may come later than its first event: a promote script (service not promoted yet)
   * or a demote chain is in flight, or it believes the cluster still in maintenance (its demote is only
   * presumed until it learns maintenance is off and its status check finds the service promoted).
   */
  private promoting(node: SimNode): boolean {
    const services = [...node.executor.services.values()];
    return services.some((b) => b.openSince !== null && !b.promoted) || node.executor.demoting() || node.koi.inMaintenance()
      || (services.some((b) => b.openSince !== null) && this.services.demoteChainUnderway(node.name));
  }

  /** Step the node's wall clock by ms (its monotonic clock is untouched). */
  stepWall(index: number, ms: number): void {
    const node = this.nodes[index];
    node.clock.stepWall(ms);
    node.clockFault = true;
    // Its stall guard reads the step as a pause (docs/safety.md R6): a leader steps down and elects
    // again, so the liveness bound runs afresh from the step.
    this.adminAction();
    this.count('wall-step');
  }

  /** Clock rate drift from now on (1.005 = 0.5 % fast). */
  setRate(index: number, rate: number): void {
    const node = this.nodes[index];
    node.clock.setRate(rate);
    if (rate !== 1) node.clockFault = true;
    this.count('drift');
    this.updateBounds();
  }

  /** An operator or service action happened (liveness and flapping are judged from quiet periods). */
  adminAction(): void {
    this.lastAdminAction = this.now;
  }

  /** Split into groups, replacing every cut in force (a flip when one is in force: no heal in between). */
  partition(groups: number[][]): void {
    this.network.partition(groups.map((g) => g.map((i) => this.nodes[i].address)), this.nodes.map((n) => n.address));
    this.count('partition');
    this.topology();
  }

  /** `from`'s datagrams to `to` are lost; the other way works. Adds to the cuts in force. */
  oneWay(from: number, to: number): void {
    if (from === to) return;
    this.network.blockOneWay(this.nodes[from].address, this.nodes[to].address);
    this.count('one-way');
    this.topology();
  }

  /** With redundant links: `from`'s datagrams on its link `link` (0 or 1) to `to`'s address on that link are lost. */
  cutLinkOneWay(from: number, to: number, link: number): void {
    this.network.cutLinkOneWay(addressOf(from, link), addressOf(to, link));
    this.topology();
  }

  /** Cut a and b from each other (both ways), on top of the cuts in force: non-transitive partitions. */
  cutPair(a: number, b: number): void {
    if (a === b) return;
    this.network.cutPair(this.nodes[a].address, this.nodes[b].address);
    this.count('pair-cut');
    this.topology();
  }

  /** One of the node's redundant links goes down (its second address; its only one without redundant links). */
  nicDown(index: number): void {
    this.network.nicDown(this.options.redundantLinks ? addressOf(index, 1) : this.nodes[index].address);
    this.count('nic-down');
    this.topology();
  }

  deaf(index: number): void {
    this.network.deaf(this.nodes[index].address);
    this.count('deaf');
    this.topology();
  }

  mute(index: number): void {
    this.network.mute(this.nodes[index].address);
    this.count('mute');
    this.topology();
  }

  heal(): void {
    this.network.heal();
    this.topology();
  }

  /**
   * The links changed (a crash, a partition, a one-way cut, a pause, a heal...). The liveness bound runs
   * afresh from here: a node cut away may have been promoting, and a heal brings a higher-id node back
   * that takes the lead (bully) and waits out leases again (R2).
   */
  private topology(): void {
    this.lastTopologyChange = this.now;
  }

  // ---- running ---------------------------------------------------------------------------

  /** Run the next timer (moving time to it), let microtasks settle and check the invariants. */
  async stepOnce(): Promise<boolean> {
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

  /** Run every timer due before virtual time `t` and stop there: what falls due at `t` itself has not run. */
  async runBefore(t: number): Promise<void> {
    for (;;) {
      const due = this.clock.nextDue();
      if (due === null || due >= t) break;
      await this.stepOnce();
    }
    if (t > this.now) this.clock.advanceBefore(t);
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
    const t = this.maxTime();
    const window = ackWindowMs(t.cluster_update_interval);
    this.leasesInForce = this.leasesInForce.filter((l) => l.until > this.now);
    const lease = Math.max(t.master_lease, ...this.leasesInForce.map((l) => l.leaseMs));
    const running = this.nodes.filter((n) => n.status === 'running');
    this.checker.check({
      now: this.now,
      quorum: this.quorum,
      majority: this.majority,
      isolationBoundMs: Math.ceil((window + lease + t.elector_tick_interval) * (1 + this.maxDrift()) + this.network.maxDelayMs + 1),
      ackWindowMs: Math.ceil(window * (1 + this.maxDrift()) + this.network.maxDelayMs),
      quiet: this.now - this.lastTopologyChange >= 3000 && this.network.faults.drop === 0 && !this.network.hasOneWayCuts,
      nodes: this.nodes.map((n) => ({
        name: n.name,
        running: n.status === 'running',
        isMaster: n.status === 'running' && n.koi.runnerState() === 'Master',
        isLeader: n.status === 'running' && n.koi.isLeader(),
        reach: n.status === 'running' ? running.filter((m) => m === n || this.network.connected(n.address, m.address)).map((m) => m.name) : [],
      })),
    });
    this.services.check(this.probe());
  }

  /** What the service-layer invariants see of the cluster now. */
  probe(): ClusterProbe {
    const full = this.bounds.checkLiveness;
    const byName = new Map(this.nodes.map((n) => [n.name, n]));
    const nodes: ProbeNode[] = this.nodes.map((n) => {
      const running = n.status === 'running';
      const behaviours = [...n.executor.services.values()];
      const state = running && full && n.spec.runner ? n.koi.runnerState() : null;
      return {
        name: n.name,
        life: n.status,
        elector: n.spec.elector,
        healthyRunner: state !== null && state !== 'Failed' && state !== 'Stopped' && behaviours.every((b) => b.failEvents.size === 0),
        isLeader: full && running && n.koi.isLeader(),
        open: n.executor.openServices(),
        allPromoted: behaviours.length > 0 && behaviours.every((b) => b.promoted),
        clockFault: n.clockFault,
        serviceFault: behaviours.some((b) => b.failEvents.size > 0),
        maintenance: running && n.koi.inMaintenance(),
      };
    });
    if (this.pendingPromote && nodes.some((n) => n.name === this.pendingPromote && n.allPromoted)) this.pendingPromote = '';
    return {
      now: this.now,
      nodes,
      pendingPromote: this.pendingPromote,
      lastCut: this.lastTopologyChange,
      oneWayCuts: this.network.hasOneWayCuts,
      connected: (a, b) => this.network.connected(byName.get(a)!.address, byName.get(b)!.address),
      // An operator's manual master mode or maintenance (e.g. a `koi elect` that reached no leader) holds elections.
      disturbed: this.holds.size > 0 || this.network.faults.drop > 0 || this.nodes.some((n) => n.status === 'running' && n.koi.operatorHold()),
      lastAdminAction: this.lastAdminAction,
    };
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
      const waiting = s.elector?.waiting ? ` waiting="${s.elector.waiting.message}"` : '';
      return `${n.name}[${n.status}] ${s.state}${s.electionMode === 'leader' ? ' LEADER' : ''} master=${s.master?.name ?? '-'}${waiting}`;
    }).join('; ');
  }
}

/** The node's address on subnet `net` (10.<net>.x.y): a second subnet for redundant links. */
export function addressOf(index: number, net = 0): string {
  return `10.${net}.${Math.floor((index + 1) / 250)}.${((index + 1) % 250) + 1}:42012`;
}
