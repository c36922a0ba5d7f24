/**
 * KoiNode: one koi cluster node. Wires membership (heartbeats, leader
 * election), the elector logic (on the leader), the runner and its service
 * manager to the injected clock, transport, cipher and executors. Every
 * entry point (timer or datagram) first runs the stall guard
 * (node/stall-guard.ts, docs/safety.md R6): after a stall the master lease
 * is checked (shortened by any frozen time) and leadership dropped before
 * anything else happens (SPEC §3). The jobs around the wiring live in
 * core/node/ (routing, joining, status projection, admin actions, ...).
 */
import type {
  Clock, ClusterView, HealthReport, HeartBeat, InboundMessage, KoiConfig, KoiHooks, KoiMessage, Logger, NodeInspector,
  LeaseEnd, RunnerState, StateUpdate, TimerHandle, Transport,
} from '../plugin-api';
import { ExitCode, NodeFlag } from '../plugin-api';
import { Elector, hasTaps } from './elector/elector';
import { Membership } from './membership/membership';
import { Runner, runnerTickInterval } from './runner/runner';
import { createServiceManager } from './services/manager';
import type { ServiceManager } from './services/types';
import { createWireCodec } from './wire/codec';
import { createRejectLogger, type RejectLogger } from './wire/reject-logger';
import type { WireCodec } from './wire/types';
import type { ComponentContext } from './node/component';
import { safetyRules, type SafetyRuleSet } from './safety-rules';
import { checkClusterConfig, quorumMajorityWarning, type ClusterCheck } from './node/cluster-check';
import { CLOCK_RATE_BOUND, entryGapBoundMs, freshReadRetryMs, stallBoundMs, witnessBounds, witnessThresholdMs } from './config/safety-bounds';
import { DeadlineTimer } from './node/deadline-timer';
import { GuardedTimers } from './node/guarded-timers';
import { FreshRead } from './node/fresh-read';
import { ReadBarrier } from './node/read-barrier';
import { StallGuard, type Stall } from './node/stall-guard';
import { PeerClocks } from './node/peer-clocks';
import { ELECTION_LIMIT_TICKS, electionTimeoutMs } from './config/timing-defaults';
import type { ActionResult, FailureStatus, NodeStatus } from './node/status';
import type { AdminMessageHandler, KoiNodeOptions, ReloadOutcome } from './node/options';
import { projectStatus } from './node/status-projection';
import * as actions from './node/admin-actions';
import type { ResolvedNode } from './node/admin-actions';
import { electorMembership } from './node/elector-membership';
import { encodeForWire, routeMessage } from './node/routing';
import { NameClashGuard } from './node/name-clash';
import { JoinListener } from './node/joining';
import { leaderOnlyTargets } from './node/leader-targets';
import { withoutZone } from '../plugin-api/address';
import { HeartbeatRiders, TickSchedule } from './node/riders';
import { adminBackend, adminPolicy, startLocalAdmin } from './node/admin-adapter';
import { koiVersion } from './node/version';
import { createAdminEndpoint } from './admin/endpoint';
import { createAdminForwarder, type AdminForwarder } from './admin/forwarder';
import { createAdminServer, type AdminServer } from './admin/server';
import { nodeInspector } from './node/inspector';
import { startEvents, type EventRecorder } from './events';

export { checkClusterConfig, type ClusterCheck };
export type * from './node/status';

export type { AdminMessageHandler, KoiNodeOptions, ReloadOutcome } from './node/options';

export class KoiNode {
  static checkClusterConfig = checkClusterConfig;

  readonly id: string;
  readonly name: string;
  private config: KoiConfig;
  private readonly clock: Clock;
  private readonly hooks: KoiHooks;
  private readonly log: Logger;
  private readonly transport: Transport;
  private readonly codec: WireCodec;
  private readonly rejectLog: RejectLogger;
  private readonly membership: Membership;
  private readonly runner: Runner | null;
  private readonly services: ServiceManager | null;
  private elector: Elector | null = null;
  private readonly startedAt: number;
  private clusterTimer: TimerHandle | undefined;
  private electorTimer: TimerHandle | undefined;
  /** A one-shot elector tick at the end of a wait that held the election (Elector.scheduleDecision). */
  private readonly decisionTimer: DeadlineTimer;
  /** The leader election's deadline when it comes before the next cluster tick (Membership.scheduleElection). */
  private readonly electionTimer: DeadlineTimer;
  /** When the elector ticks inside cluster ticks (so its updates ride on the heartbeat). */
  private readonly electorSchedule = new TickSchedule();
  private readonly runnerSchedule = new TickSchedule();
  private readonly riders: HeartbeatRiders;
  private readonly stallGuard: StallGuard;
  /** Whether the sockets were read dry since a moment, and a peer heard since that tells a pause (R6). */
  private readonly readBarrier: ReadBarrier;
  private readonly freshRead: FreshRead;
  /** The node's timers, each entering through the stall guard with its lateness (R6). */
  private readonly timers: GuardedTimers;
  /** Entries running now (guarded): one inside another is part of it. */
  private entryDepth = 0;
  /** The leader whose view this node last adopted (a new one gets this runner's report at once). */
  private lastViewLeaderId = '';
  /** Each peer's clock as its heartbeats bound it: where a lease this node grants ends on the runner's clock (R3). */
  private readonly peerClocks = new PeerClocks(CLOCK_RATE_BOUND);
  /** The sequence number of this incarnation's first message (an in-process restart keeps the id, not the clock). */
  private readonly firstSeq: number;
  /** When a stall the peers' clocks revealed was last reported (one freeze arrives as several parts). */
  private lastPeerStallAt = -Infinity;
  private majorityChecked = false;
  /** The cluster had a master as this node saw it (the initial promotion delay is for a cluster that never had one). */
  private readonly memory: { sawMaster: boolean };
  private started = false;
  private closed = false;
  private seenMaster = { id: '', name: '' };
  private localStateSeq = 0;
  private adminHandler: AdminMessageHandler | null = null;
  private forwarder: AdminForwarder | null = null;
  private adminServer: AdminServer | null = null;
  private localAdmin: ReturnType<typeof startLocalAdmin> | null = null;
  private readonly rules: SafetyRuleSet;
  private readonly nameClashes: NameClashGuard;
  /** Turns what happens here into cluster events (onEvent, the journal, `koi events`). */
  readonly events: EventRecorder;

  constructor(private readonly opts: KoiNodeOptions) {
    this.id = opts.identity.id;
    this.name = opts.identity.name;
    this.config = opts.config;
    this.rules = safetyRules(opts.disabledSafetyRules);
    this.clock = opts.clock;
    this.hooks = opts.hooks;
    this.transport = opts.transport;
    this.log = opts.logger.child({ component: 'node', node: this.name });
    this.startedAt = this.clock.now();
    this.firstSeq = (opts.sequence?.last ?? 0) + 1;
    this.memory = opts.memory ?? { sawMaster: false };
    this.stallGuard = new StallGuard(this.clock);
    this.readBarrier = new ReadBarrier((fn) => this.clock.setImmediate(fn));
    this.freshRead = new FreshRead({
      barrier: this.readBarrier,
      now: () => this.clock.now(),
      after: (fn, ms) => {
        const timer = this.clock.setTimeout(fn, ms);
        return () => this.clock.clear(timer);
      },
      retryMs: () => freshReadRetryMs(this.config.time.cluster_update_interval),
    });
    this.timers = new GuardedTimers(this.clock, (fn, lateMs) => this.guarded(fn, lateMs));
    this.decisionTimer = new DeadlineTimer(this.clock, this.timers, (at) => this.decisionDue(at));
    this.electionTimer = new DeadlineTimer(this.clock, this.timers, () => this.membership.checkElection());
    this.events = startEvents({
      hooks: this.hooks, clock: this.clock, logger: this.log, self: opts.identity,
      journalFile: opts.journal ? opts.config.node.journal : 'off',
      lastFailure: () => {
        const snap = this.runner?.snapshot();
        return snap ? { reason: snap.lastFailureReason, output: snap.lastFailureOutput } : null;
      },
    });
    this.codec = (opts.codecFactory ?? createWireCodec)({
      cipher: opts.cipher, clusterId: opts.config.cluster.id, senderId: this.id, clock: this.clock, sequence: opts.sequence,
    });
    this.nameClashes = new NameClashGuard({ id: this.id, name: this.name }, this.log, (message) => {
      if (this.opts.onFatal) this.opts.onFatal(message, ExitCode.CONFIG);
      else void this.stop(message);
    });
    this.rejectLog = createRejectLogger(opts.logger.child({ component: 'wire', node: this.name }), this.clock);
    this.riders = new HeartbeatRiders({
      reachedByBroadcast: (address) => this.reachedByBroadcast(address),
      leader: () => ({ id: this.membership.currentLeaderId(), address: this.membership.leaderAddress() }),
      freshReport: (leaderId) => {
        const report = this.runner?.freshReport();
        return report ? this.reportTo(leaderId, report) : null;
      },
    });
    const context = this.componentContext();
    const { self, logger } = context;
    this.membership = new Membership({
      ...context,
      broadcast: (m, leaderOnly) => this.broadcast(m, leaderOnly),
      extraFlags: () => (this.runner?.state === 'Failed' ? NodeFlag.Failed : this.runner?.state === 'Master' ? NodeFlag.Master : 0),
      onMasterClaim: (id, master, answeringSentAt) => this.elector?.noteMasterClaim(id, master, answeringSentAt),
      leaderView: () => this.elector?.view() ?? this.fallbackView(),
      onLeadershipChange: (leading, reason) => this.leadershipChanged(leading, reason),
      onViewAdopted: (view, leaderId) => this.viewAdopted(view, leaderId),
      onForeignView: (view, leaderId) => this.elector?.absorbForeignView(view, leaderId),
      onKnownMaster: (id, name, fromId) => this.elector?.absorbKnownMaster(id, name, fromId),
      configuredAddresses: () => this.transport.configuredAddresses?.() ?? null,
      machineMemory: opts.machineMemory ?? null,
      grantedHere: (id) => this.elector?.grantedHere(id) ?? false,
      onNameClash: (senderId, from, uptimeMs) => this.nameClash(senderId, from, uptimeMs),
      // Only once the node takes part (the cluster timer runs): a live reload during start-up may ask.
      scheduleElection: (at) => { if (this.clusterTimer !== undefined) this.electionTimer.set(at); },
    });
    if (this.config.node.runner) {
      this.runner = new Runner({
        ...context,
        sendHealth: (report, periodic) => this.sendHealth(report, periodic),
        seenCount: () => this.membership.seenCount(),
        timers: this.timers,
        enter: (fn) => this.guarded(fn),
        frozenSince: (at) => this.stallGuard.frozenSince(at),
        frozenSoFar: () => this.stallGuard.frozenSoFar(),
        afterFreshRead: (fn, witnesses) => this.freshRead.whenFresh(fn, witnesses),
      });
      const runner = this.runner;
      this.services = (opts.serviceManagerFactory ?? createServiceManager)({
        config: this.config, executors: opts.executors, hooks: this.hooks, clock: this.clock, logger,
        node: self,
        listener: {
          onChange: () => this.guarded(() => runner.servicesChanged()),
          onFailure: (service, reason, output) => this.guarded(() => runner.serviceFailed(service, reason, output)),
        },
        listEntries: opts.listEntries,
        promoteGate: () => runner.mayLaunchPromote(),
      });
      this.runner.attach(this.services);
    } else {
      this.runner = null;
      this.services = null;
    }
  }

  static checkConfig(config: KoiConfig): ClusterCheck {
    return checkClusterConfig(config);
  }

  /** Bind the transport, start heartbeats and the runner. */
  async start(): Promise<void> {
    if (this.started) return;
    this.started = true;
    if (!this.adminHandler && !this.opts.noAdmin) this.installAdmin();
    const check = checkClusterConfig(this.config);
    for (const warning of check.warnings) this.log.warn(warning);
    // Before it takes part, a runner listens for a leader's view: a cluster in maintenance runs no script,
    // not even the start-up sweep's status checks (SPEC §6); then it undoes what a crash left promoted.
    let listening = this.services !== null && !this.config.node.maintenance;
    const joining = new JoinListener({
      self: { id: this.id, name: this.name }, clock: this.clock, codec: this.codec, rejectLog: this.rejectLog, log: this.log,
      nameClash: (otherId, from, otherUptimeMs) => this.nameClash(otherId, from, otherUptimeMs),
      maintenance: () => this.runner?.setMaintenance(true),
    });
    await this.transport.start((data, from) => {
      this.readBarrier.noteRead();
      this.guarded(() => (listening ? joining.receive(data, from) : this.receive(data, from)));
    });
    // The election counts silence from when this node began to listen, not from its construction.
    this.membership.countSilenceFrom(this.clock.now());
    // 4 heartbeats, not leader_dead_time: a living leader's view arrives within one, and a longer listen would
    // only delay a cold start (it counts toward leader_dead_time: a node that heard no leader stands once it takes part).
    if (listening) await joining.waitForView(ELECTION_LIMIT_TICKS * this.config.time.cluster_update_interval);
    await this.services?.recoverLeftovers();
    listening = false;
    this.stallGuard.reset();
    // The listener heard for the election during the listen and the sweep: a leader heard then is heard (a
    // restarted higher id must not overthrow it at its first tick); none heard is silence, and the node stands
    // as soon as it takes part if that lasted leader_dead_time (a cold start, or a dead leader).
    this.membership.countSilenceFrom(joining.lastLeaderHeardAt);
    this.clusterTimer = this.timers.setInterval(() => this.clusterTick(), this.config.time.cluster_update_interval);
    this.runner?.start(this.runnerRides(this.config));
    this.runnerSchedule.restart(this.clock.now(), runnerTickInterval(this.config));
    this.membership.tick();
    this.log.info({ id: this.id, elector: this.config.node.elector, runner: this.config.node.runner },
      `node ${this.name} (${this.id}) started`);
    await this.hooks.onStart.promise({ nodeId: this.id, name: this.name, config: this.config });
  }

  private nameClash(otherId: string, from: string, otherUptimeMs: number): void {
    this.nameClashes.clash(this.clock.now() - this.startedAt, otherId, from, otherUptimeMs);
  }

  /** Apply a configuration that can change live (timings, quorum, service timeouts, maintenance). */
  async applyConfig(config: KoiConfig): Promise<void> {
    // An entry of its own: the time since the last entry is judged by the bounds it began under, and the time
    // after it by the new ones, with the timers re-armed for them (a review found a reload to a much shorter
    // heartbeat read as a stall).
    this.guarded(() => {
      const previous = this.config;
      this.config = config;
      this.membership.applyConfig(config);
      this.runner?.applyConfig(config);
      this.services?.applyConfig(config);
      this.elector?.applyConfig(config);
      if (previous.time.cluster_update_interval !== config.time.cluster_update_interval && this.membership.mode !== 'servant') {
        // Answers already given were promised for the old ack window (R1): lead again under the new one.
        this.membership.stepDown('cluster_update_interval changed');
      }
      if (previous.time.cluster_update_interval !== config.time.cluster_update_interval && this.clusterTimer) {
        this.clock.clear(this.clusterTimer);
        this.clusterTimer = this.timers.setInterval(() => this.clusterTick(), config.time.cluster_update_interval);
      }
      if (this.elector && (this.electorInterval(previous) !== this.electorInterval(config) || previous.time.cluster_update_interval !== config.time.cluster_update_interval)) this.armElectorTimer();
      if (this.runner && (runnerTickInterval(previous) !== runnerTickInterval(config) || previous.time.cluster_update_interval !== config.time.cluster_update_interval)) {
        this.runnerSchedule.restart(this.clock.now(), runnerTickInterval(config));
        this.runner.retick(this.runnerRides(config));
      }
      if (previous.node.maintenance !== config.node.maintenance && this.elector) actions.leaderSetsMaintenance(this.elector, this.runner, config.node.maintenance);
      this.log.info('configuration applied');
    });
  }

  /** Graceful stop: Passive, demote if master, stop services in order, tell the cluster, stop timers. */
  async stop(reason: string): Promise<void> {
    if (this.closed) return;
    this.log.info({ reason }, `stopping: ${reason}`);
    this.events.stopping(reason);
    if (this.runner) await this.runner.shutdown(reason, this.config.service.demote_timeout + this.config.service.stop_timeout);
    this.membership.leave();
    this.closed = true;
    this.clock.clear(this.clusterTimer);
    this.clock.clear(this.electorTimer);
    this.decisionTimer.clear();
    this.electionTimer.clear();
    this.runner?.close();
    this.freshRead.cancel();
    this.forwarder?.close();
    await (await this.localAdmin)?.close();
    await this.hooks.onShutdown.promise({ reason });
    await this.services?.close();
    await this.events.close();
  }

  /** Answer `koi` requests through core/admin (server, forwarding, endpoint). */
  private installAdmin(): void {
    const logger = this.opts.logger.child({ node: this.name });
    const forwarder = createAdminForwarder({ clock: this.clock, logger, send: (address, request) => this.sendMessage(address, request) });
    this.forwarder = forwarder;
    const backend = adminBackend(this, this.config.cluster.id, koiVersion(), this.clock, (address, request, options) => forwarder.forward(address, request, options));
    const server = createAdminServer({
      backend, hooks: this.hooks, logger, clock: this.clock, policy: adminPolicy(() => this.config.node), commands: this.opts.commands,
      onAnswered: (call, exitCode, forwarded) => this.events.adminAnswered(call, exitCode, forwarded),
    });
    this.adminServer = server;
    this.adminHandler = createAdminEndpoint({ server, forwarder, logger, reply: (address, response) => this.sendMessage(address, response) });
    if (this.opts.localAdmin) this.localAdmin = startLocalAdmin(this.config.node, server, logger);
  }

  /** Read-only access for plugins (`koi.inspect`): admin queries through this node's admin server, core counters. */
  inspector(): NodeInspector {
    return nodeInspector({
      server: () => this.adminServer,
      codec: this.codec,
      leaseRemainingMs: () => (this.runner ? this.runner.snapshot().leaseRemainingMs : null),
    });
  }

  /** Route admin requests/responses to core/admin (the daemon wires its endpoint here). */
  setAdminHandler(handler: AdminMessageHandler | null): void {
    this.adminHandler = handler;
  }

  /** Encode and send one message to one address (admin answers, forwarding). Throws when it cannot be encoded. */
  sendMessage(address: string, message: KoiMessage): void {
    this.transport.sendTo(address, this.codec.encode(message));
  }

  // ---- admin actions -------------------------------------------------------------

  isLeader(): boolean {
    return this.membership.isLeader();
  }

  /** Leader: elections wait for an operator (manual master mode, maintenance, a failover halt); cheap, for the simulator's liveness check. */
  operatorHold(): boolean {
    return this.elector?.operatorHold ?? false;
  }

  /** This runner follows cluster maintenance (no scripts run); cheap, for the simulator. */
  inMaintenance(): boolean {
    return this.runner?.inMaintenance ?? false;
  }

  /** The runner's state (null for a non-runner); cheap, for status lines and the simulator. */
  runnerState(): RunnerState | null {
    return this.runner?.state ?? null;
  }

  /** Transport address of the leader ('' when this node leads or none is known). */
  leaderAddress(): string {
    return this.membership.leaderAddress();
  }

  /** A node by exact id, else by name (this node included); null when unknown. */
  resolveNode(nameOrId: string): ResolvedNode | null {
    return actions.resolveNode(this.actionParts(), nameOrId);
  }

  /** Leader: make a runner (name or id) the target master. */
  promote(nameOrId: string): ActionResult {
    return this.action(() => actions.promote(this.actionParts(), nameOrId));
  }

  /** Leader: drop the master and enter manual master mode. */
  demote(): ActionResult {
    return this.action(() => actions.demote(this.actionParts()));
  }

  /** Leader: leave manual master mode. */
  elect(): ActionResult {
    return this.action(() => actions.elect(this.actionParts()));
  }

  /** Leader: cluster-wide maintenance mode, spread in heartbeats. */
  setMaintenance(on: boolean): ActionResult {
    return this.action(() => actions.setMaintenance(this.actionParts(), on));
  }

  /** This runner: demote, stop services, Stopped (`koi stop`). */
  stopRunner(): ActionResult {
    return this.action(() => actions.stopRunner(this.actionParts()));
  }

  /** This runner: undo `koi stop`. */
  startRunner(): ActionResult {
    return this.action(() => actions.startRunner(this.actionParts()));
  }

  /** This runner: clear the failure and the fail count now. */
  recover(): ActionResult {
    return this.action(() => actions.recover(this.actionParts()));
  }

  /** Leader: the last failures, newest first (empty elsewhere). */
  failures(): FailureStatus[] {
    return this.getStatus().elector?.failures ?? [];
  }

  /** Reload the configuration (the daemon's reload; `koi reconfigure`). */
  async reconfigure(): Promise<ReloadOutcome> {
    if (!this.opts.reload) return { ok: false, problems: ['this node cannot reload its configuration'] };
    return this.opts.reload();
  }

  getStatus(): NodeStatus {
    return projectStatus({
      now: this.clock.now(), id: this.id, name: this.name, startedAt: this.startedAt, config: this.config,
      membership: this.membership, transport: this.transport, runner: this.runner, services: this.services,
      elector: this.elector, seenMaster: this.seenMaster,
    });
  }

  // ---- internals -------------------------------------------------------------------

  /**
   * An admin action, entered through the stall guard like a timer: after a stop, a request read first must not
   * act before the overdue lease is checked (a review found admin actions outside the guard).
   */
  private action(fn: () => ActionResult): ActionResult {
    let result: ActionResult = { ok: false, reason: `node ${this.name} is stopped` };
    this.guarded(() => { result = fn(); });
    return result;
  }

  private actionParts(): actions.ActionParts {
    return { id: this.id, name: this.name, membership: this.membership, elector: this.elector, runner: this.runner };
  }

  /**
   * Every entry point (timer, datagram, service event): skip after close, run the stall guard first and once
   * more at the end (the entry's own work, a GC pause in it, is a stall above S, and the idle time before the
   * next entry counts from here). `lateMs`: a timer's lateness. An entry made inside another is part of it.
   */
  private guarded(fn: () => void, lateMs?: number): void {
    if (this.closed) return;
    if (this.entryDepth > 0) {
      fn();
      return;
    }
    this.entryDepth++;
    try {
      this.checkStall(lateMs);
      fn();
    } finally {
      this.entryDepth--;
      if (!this.closed) this.checkStall(Infinity);
    }
  }

  /**
   * R6 at an entry point: a stall since the last check is handled first, then an expired lease demotes. True
   * after a stall. `lateMs` is how late the timer that entered ran (GuardedTimers); Infinity inside an entry,
   * where all the time since the last check was this entry's own work.
   */
  private checkStall(lateMs?: number): boolean {
    const interval = this.config.time.cluster_update_interval;
    const stall = this.stallGuard.check({ gapMs: entryGapBoundMs(interval), stallMs: stallBoundMs(interval), frozenMs: witnessThresholdMs(interval) }, lateMs);
    const stalled = this.started && stall !== null && this.rules.on('stall-guard');
    if (stalled) this.stalled(stall);
    this.runner?.checkLease();
    return stalled;
  }

  /** Every cluster_update_interval: heartbeats; on the leader, the master's lease renewal repeated (Elector.renewMaster). */
  private clusterTick(): void {
    const left = this.riders.collect(() => {
      const now = this.clock.now();
      const interval = this.electorInterval(this.config);
      const cluster = this.config.time.cluster_update_interval;
      // The runner first: a leader's elector then decides with its own runner's fresh report.
      if (this.runner && this.runnerRides(this.config) && this.runnerSchedule.tickNow(now, runnerTickInterval(this.config), cluster)) this.runner.tick();
      if (this.elector && TickSchedule.ridesClusterTick(interval, cluster)
        && (this.electorSchedule.tickNow(now, interval, cluster) || this.elector.quorumAwaited())) this.elector.tick();
      this.elector?.renewMaster();
      // A stall inside this tick's own work (a GC pause) is found before the heartbeat goes: the election counts
      // time, and the stall is this node's, not the leader's silence. The state updates decided before it stay
      // home: a lease would end where its grant put it however late it left (R3), but an election decided then
      // has not seen the reports that came during the stall (R7) — the next tick decides again.
      if (this.checkStall(Infinity)) {
        const dropped = this.riders.discardHeld();
        if (dropped > 0) this.log.warn({ dropped }, `${dropped} state update(s) decided before the stall not sent: the next tick decides again`);
      }
      // Last, so that the heartbeat carries what the elector just decided (riders.ts). Sent even when the last
      // went out less than an interval ago if the lease quorum just began: its answers prove a Master claim
      // fresh (R5), so an inherited master is renewed at the next elector tick.
      this.membership.tick(this.elector?.heartbeatWanted() ?? false);
    });
    for (const u of left) this.sendTo(u.address, u.update);
    if (!this.majorityChecked && this.membership.allConfiguredPeersHeard()) this.checkQuorumMajority();
  }

  /** SPEC §3 guidance, once the node count is known (nodes, not addresses: redundant links count once). */
  private checkQuorumMajority(): void {
    this.majorityChecked = true;
    const warning = quorumMajorityWarning(this.config.cluster.quorum, this.membership.configuredNodeCount(), this.config.node.elector);
    if (warning) this.log.warn(warning);
  }

  private stalled(stall: Stall, why?: string, quiet = false): void {
    const gap = Math.round(stall.gapMs);
    const frozen = why ?? (stall.frozenMs > 0 ? ` (${Math.round(stall.frozenMs)} ms of it on the wall clock only: a VM pause or a clock step)` : '');
    (quiet ? this.log.debug.bind(this.log) : this.log.warn.bind(this.log))({ gapMs: gap, frozenMs: Math.round(stall.frozenMs) }, `event loop stalled for ${gap} ms${frozen}: master lease checked`);
    this.runner?.stalled(stall.gapMs, stall.frozenMs);
    // On the monotonic clock, which the election counts (frozen time it never counted).
    this.membership.ownStall(stall.monoGapMs);
    // Followers stand after leader_dead_time of silence (electionTimeoutMs): after a longer stall another
    // leader may lead, so step down instead of fighting it. Shorter stalls need no step-down for safety: the
    // lease quorum counts acknowledgements from when the answered heartbeat was sent (R1).
    // Frozen time (a VM pause) also froze the clock that dates acknowledgements (R1): step down for any.
    const electionTimeout = electionTimeoutMs(this.config.time);
    if (this.membership.mode !== 'servant' && (stall.gapMs > electionTimeout || stall.frozenMs > 0)) {
      this.membership.stepDown(`stall of ${gap} ms detected`);
    }
  }

  private receive(data: Uint8Array, from: string): void {
    const result = this.codec.decode(data, from);
    if (!result.ok) {
      // The second copy over a redundant link: not a message, but proof the sender is reachable there
      // (every configured peer is heard by node, not by address: Membership.allConfiguredPeersHeard).
      if (result.reason === 'duplicate' && result.senderId) this.membership.heardAt(result.senderId, from);
      this.rejectLog(result, from);
      return;
    }
    const inbound: InboundMessage = { envelope: result.envelope, from };
    if (hasTaps(this.hooks.onMessage)) {
      // Until it is routed, the socket does not count as read (its heartbeat may be the one that tells a pause).
      const handled = this.readBarrier.handledLater();
      this.hooks.onMessage.promise(inbound).then((consumed) => {
        if (!consumed) this.guarded(() => this.route(inbound));
      }, (err: unknown) => this.log.error({ err: String(err) }, `onMessage hook failed: ${String(err)}`)).finally(handled);
      return;
    }
    this.route(inbound);
  }

  private route(inbound: InboundMessage): void {
    routeMessage(inbound, {
      log: this.log,
      selfId: this.id,
      heartbeat: (senderId, seq, message, from) => this.heartbeat(senderId, seq, message, from),
      noteReport: (senderId, from, name) => this.membership.noteReport(senderId, from, name),
      currentLeaderId: () => this.membership.currentLeaderId(),
      elector: this.elector,
      runner: this.runner,
      adminHandler: this.adminHandler,
    });
  }

  /** R3: where a lease ending at `endsAt` on this clock ends on runner `id`'s clock (exactly, for this node's own runner). */
  private leaseEnd(id: string, endsAt: number): LeaseEnd | null {
    if (id !== this.id) return this.peerClocks.boundAt(id, endsAt);
    const now = this.clock.now();
    return { uptimeMs: endsAt - this.startedAt, observedUptimeMs: now - this.startedAt, observedSeq: this.firstSeq };
  }

  private heartbeat(senderId: string, seq: number, message: HeartBeat, from: string): void {
    this.peerClocks.observe(senderId, message.uptimeMs, message.uptimeSinceSeq ?? 0, seq, this.clock.now());
    const witnessed = this.stallGuard.witnessCount;
    // R6, third witness: a peer's monotonic clock that ran ahead of ours means ours stood still.
    const stall = this.stallGuard.peerBeat(senderId, message.uptimeMs, seq, message.uptimeSinceSeq ?? 0, witnessBounds(this.config.time.cluster_update_interval));
    if (this.started && stall && this.rules.on('stall-guard')) {
      // Buffered heartbeats of one freeze arrive together and report it in parts: log the first part only.
      const quiet = this.clock.now() - this.lastPeerStallAt < this.config.time.node_timeout;
      this.lastPeerStallAt = this.clock.now();
      this.stalled(stall, ` (peer ${message.name}'s clock ran ${Math.round(stall.frozenMs)} ms ahead of this node's: a VM pause hidden by a wall-clock step back?)`, quiet);
    }
    this.membership.handleHeartbeat(senderId, message, from);
    if (this.stallGuard.witnessCount > witnessed) this.freshRead.witness(senderId, this.stallGuard.continuousSince(senderId));
  }

  private encode(message: KoiMessage): Uint8Array | null {
    return encodeForWire(this.codec, message, this.log);
  }

  /** The peer `address` receives this node's broadcasts (a configured destination). */
  private reachedByBroadcast(address: string): boolean {
    const bare = withoutZone(address); // configured entries lose their IPv6 zone
    return this.transport.configuredAddresses?.()?.some((c) => !c.own && c.address === bare) ?? false;
  }

  /** Where a follower's leader-only heartbeat goes (leader-targets.ts); null for every peer. */
  private leaderTargets(): string[] | null {
    const leader = this.membership.table.get(this.membership.currentLeaderId());
    if (!leader) return null;
    const heard = this.membership.table.all().flatMap((e) => e.addresses);
    return leaderOnlyTargets(leader.addresses, this.transport.configuredAddresses?.() ?? null, heard);
  }

  private broadcast(message: HeartBeat, leaderOnly = false): void {
    if (this.closed) return;
    // Decided before boarding: state updates ride only on a heartbeat that goes to every peer.
    const targets = leaderOnly && !this.riders.holdsUpdates() ? this.leaderTargets() : null;
    const { beat, updates } = this.riders.board(message);
    let data: Uint8Array | null = null;
    if (updates.length > 0 || beat.health) {
      try {
        data = this.codec.encode(beat);
      } catch {
        // Too large with its riders (a big cluster, a long failure output): they go on their own.
        for (const u of updates) this.sendTo(u.address, u.update);
        if (beat.health) this.sendTo(this.membership.leaderAddress(), beat.health.report);
      }
    }
    data ??= this.encode(message);
    if (!data) return;
    if (targets) for (const address of targets) this.transport.sendTo(address, data);
    else this.transport.broadcast(data);
  }

  private sendTo(address: string, message: KoiMessage): void {
    if (this.closed || !address) return;
    const data = this.encode(message);
    if (data) this.transport.sendTo(address, data);
  }

  private sendHealth(report: HealthReport, periodic: boolean): void {
    if (this.elector) {
      this.elector.handleHealth(this.id, this.reportTo(this.id, report), '');
      return;
    }
    // The periodic report rides on the next heartbeat (within an interval), built afresh then.
    if (periodic && this.riders.deferReport()) return;
    this.riders.reportSent();
    const address = this.membership.leaderAddress();
    if (address) this.sendTo(address, this.reportTo(this.membership.currentLeaderId(), report));
  }

  /** A report for `leaderId`: it echoes the newest update applied from that leader (R3's shortcut). */
  private reportTo(leaderId: string, report: HealthReport): HealthReport {
    return { ...report, appliedUpdateMs: this.runner?.appliedUpdateFrom(leaderId) ?? 0 };
  }

  private sendState(id: string, address: string, update: StateUpdate): void {
    if (id === this.id) {
      this.runner?.handleState(this.id, ++this.localStateSeq, update);
      return;
    }
    if (address && this.riders.hold({ runnerId: id, address, update })) return;
    this.sendTo(address, update);
  }

  private electorInterval(config: KoiConfig): number {
    return Math.min(config.time.elector_tick_interval, config.time.state_update_interval);
  }

  /** The runner ticks inside cluster ticks (riders.ts) unless its interval is shorter than theirs. */
  private runnerRides(config: KoiConfig): boolean {
    return TickSchedule.ridesClusterTick(runnerTickInterval(config), config.time.cluster_update_interval);
  }

  /**
   * The elector ticks inside cluster ticks (riders.ts), or on a timer of its own when its interval is shorter.
   * A new leader's first tick comes at its next cluster tick, not an elector interval later: its lease quorum
   * is known from then, and an inherited master's renewal waits for that plus a claim made after it (R5).
   */
  private armElectorTimer(newLeader = false): void {
    this.clock.clear(this.electorTimer);
    this.electorTimer = undefined;
    const interval = this.electorInterval(this.config);
    this.electorSchedule.restart(this.clock.now(), interval, newLeader);
    if (TickSchedule.ridesClusterTick(interval, this.config.time.cluster_update_interval)) return;
    this.electorTimer = this.timers.setInterval(() => this.elector?.tick(), interval);
  }

  /**
   * The elector tick at `at`, when a wait that held the election ends by itself (protocol 4's "election on a
   * timer at the wait's end": not at the next heartbeat, half an interval later on average; decisionTimer).
   * Only if the elector still owes that decision (no tick since decided or moved it): elect, or wait the rest
   * if the timer fired early.
   */
  private decisionDue(at: number): void {
    if (this.elector?.pendingDecisionAt() !== at) return;
    if (this.clock.now() >= at) this.elector.tick();
    else this.decisionTimer.set(at);
  }

  /** What membership, runner and elector get from the node (the config as it is now). */
  private componentContext(): ComponentContext {
    return {
      self: { id: this.id, name: this.name }, config: this.config, clock: this.clock,
      logger: this.opts.logger.child({ node: this.name }), hooks: this.hooks, startedAt: this.startedAt,
      firstSeq: this.firstSeq, rules: this.rules,
    };
  }

  private leadershipChanged(leading: boolean, reason: string): void {
    if (leading) {
      this.elector = new Elector({
        ...this.componentContext(),
        membership: electorMembership(this.membership, this.memory),
        sendState: (id, address, update) => this.sendState(id, address, update),
        onMasterChange: (masterId, masterName, why) => this.masterSeen(masterId, masterName, why, true),
        scheduleDecision: (at) => this.decisionTimer.set(at),
        leaseEnd: (id, endsAt) => this.leaseEnd(id, endsAt),
      });
      if (this.config.node.maintenance && !this.elector.view().maintenance) this.elector.setMaintenance(true);
      this.armElectorTimer(true);
      this.runner?.setMaintenance(this.elector.view().maintenance);
      this.runner?.leaderKnown(true);
      // Its own runner's report at once, as to any new leader (viewAdopted): a master taken from a stale view
      // is let go when that runner reports it is not Master (stall-failback.test.ts).
      this.runner?.reportNow();
      this.log.info({ reason }, `leading the cluster: ${reason}`);
      this.masterSeen(this.elector.master.id, this.elector.master.name);
    } else {
      if (this.elector) this.membership.rememberOwnView(this.elector.view());
      this.elector = null;
      // Updates of the elector that just ended must not ride on a heartbeat that no longer carries the Leader flag.
      this.riders.discardHeld();
      this.clock.clear(this.electorTimer);
      this.electorTimer = undefined;
      this.decisionTimer.clear();
      this.log.info({ reason }, `no longer leading: ${reason}`);
    }
  }

  private viewAdopted(view: ClusterView, leaderId: string): void {
    // Maintenance first: a joining runner must not run scripts before it knows (SPEC §6).
    this.runner?.setMaintenance(view.maintenance);
    this.runner?.leaderKnown(true);
    // A new leader hears this runner's report at once, not at the next runner tick: an inherited master's
    // renewal needs its record there (R5's quick renewal), and so does an election.
    if (leaderId !== this.lastViewLeaderId) {
      this.lastViewLeaderId = leaderId;
      this.runner?.reportNow();
    }
    this.masterSeen(view.masterId, view.masterName);
  }

  /** `decidedHere`: the leader's own elector changed it (with its reason), not a leader's view. */
  private masterSeen(id: string, name: string, reason?: string, decidedHere = false): void {
    if (id) this.memory.sawMaster = true;
    if (id === this.seenMaster.id) return;
    const previous = this.seenMaster.id;
    this.seenMaster = { id, name };
    this.hooks.onMasterChange.call({ masterId: id, masterName: name, previousMasterId: previous, ...(reason ? { reason } : {}), decidedHere });
  }

  /** The view to send when leading without an elector yet (never in practice). */
  private fallbackView(): ClusterView {
    return { leaderId: this.id, masterId: '', masterName: '', maintenance: false, manualMaster: false, nodes: [] };
  }
}

export { KoiNode as default };
