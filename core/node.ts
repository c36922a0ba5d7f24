/**
 * KoiNode: one koi cluster node. Wires membership (heartbeats, leader
 * election), the elector logic (on the leader), the runner and its service
 * manager to the injected clock, transport, cipher and executors. Every
 * entry point (timer or datagram) first runs the stall guard
 * (node/stall-guard.ts, docs/safety.md R6): after a stall the master lease
 * is checked (shortened by any frozen time) and leadership dropped before
 * anything else happens (SPEC §3).
 */
import type {
  Cipher, Clock, ClusterView, HealthReport, InboundMessage, KoiConfig, KoiHooks, KoiMessage, Logger, NodeInspector, ServiceEntry,
  RunnerState, ServiceExecutor, StateUpdate, TimerHandle, Transport,
} from '../plugin-api';
import { ExitCode, NodeFlag } from '../plugin-api';
import { Elector, hasTaps } from './elector/elector';
import { Membership } from './membership/membership';
import { Runner } from './runner/runner';
import { createServiceManager } from './services/manager';
import type { ServiceManager, ServiceManagerOptions } from './services/types';
import { createWireCodec } from './wire/codec';
import { createRejectLogger, type RejectLogger } from './wire/reject-logger';
import type { WireCodec, WireCodecOptions } from './wire/types';
import type { ComponentContext } from './node/component';
import { safetyRules, type SafetyRule, type SafetyRuleSet } from './safety-rules';
import { CLOCK_RATE_BOUND, checkClusterConfig, quorumMajorityWarning, type ClusterCheck } from './node/cluster-check';
import { StallGuard, stallThresholdMs, type Stall } from './node/stall-guard';
import { ELECTION_LIMIT_TICKS } from './config/timing-defaults';
import type { ActionResult, FailureStatus, NodeStatus } from './node/status';
import { adminBackend, adminPolicy, startLocalAdmin } from './node/admin-adapter';
import { koiVersion } from './node/version';
import { createAdminEndpoint } from './admin/endpoint';
import { createAdminForwarder, type AdminForwarder } from './admin/forwarder';
import { createAdminServer, type AdminServer } from './admin/server';
import { nodeInspector } from './node/inspector';
import { startEvents, type EventRecorder } from './events';

export { checkClusterConfig, type ClusterCheck };
export type * from './node/status';

export interface ReloadOutcome {
  ok: boolean;
  problems?: string[];
  restart?: boolean;
}

export interface KoiNodeOptions {
  config: KoiConfig;
  clock: Clock;
  logger: Logger;
  hooks: KoiHooks;
  transport: Transport;
  cipher: Cipher;
  executors: ServiceExecutor[];
  identity: { id: string; name: string };
  /** Reload the configuration like SIGHUP (the admin `reconfigure` command). */
  reload?: () => Promise<ReloadOutcome>;
  /** Wire codec factory (default: core/wire createWireCodec). */
  codecFactory?: (opts: WireCodecOptions) => WireCodec;
  /** Service manager factory (default: core/services createServiceManager). */
  serviceManagerFactory?: (opts: ServiceManagerOptions) => ServiceManager;
  /** Lists the service folder (the simulator injects its own). */
  listEntries?: () => Promise<ServiceEntry[]>;
  /** Do not answer `koi` requests (the simulator); default false. */
  noAdmin?: boolean;
  /** Sequence counter shared by every in-process restart of this node id (core/daemon.ts); default fresh. */
  sequence?: { last: number };
  /**
   * What an in-process restart (same id) keeps besides the sequence counter: whether this node ever saw
   * the cluster with a master (with quorum off, a restarted former master must not wait out
   * initial_promotion_delay again).
   */
  memory?: { sawMaster: boolean };
  /** Open the local admin socket (`node.admin_socket`); the daemon sets it, tests and the simulator do not. */
  localAdmin?: boolean;
  /** Keep the on-disk event journal (`node.journal`); the daemon sets it, tests and the simulator do not (events stay in memory). */
  journal?: boolean;
  /**
   * The node cannot go on and the process should end with `exitCode` (a
   * duplicate node name); the daemon shuts down gracefully. Without it the
   * node stops itself.
   */
  onFatal?: (message: string, exitCode: number) => void;
  /** Simulator teeth run only (scripts/chaos-teeth.ts): safety rules to turn off. Never set in a real node. */
  disabledSafetyRules?: readonly SafetyRule[];
}

/** Handler for admin requests and responses (core/admin's endpoint); true when consumed. */
export type AdminMessageHandler = (inbound: InboundMessage) => Promise<boolean>;

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
  private readonly stallGuard: StallGuard;
  /** When a stall the peers' clocks revealed was last reported (one freeze arrives as several parts). */
  private lastPeerStallAt = -Infinity;
  private majorityChecked = false;
  /** The cluster had a master as this node saw it (the initial promotion delay is for a cluster that never had one). */
  private readonly memory: { sawMaster: boolean };
  /** Set while start() waits for a leader's view before the start-up sweep. */
  private viewHeard: (() => void) | null = null;
  private started = false;
  private closed = false;
  private seenMaster = { id: '', name: '' };
  private localStateSeq = 0;
  private adminHandler: AdminMessageHandler | null = null;
  private forwarder: AdminForwarder | null = null;
  private adminServer: AdminServer | null = null;
  private localAdmin: ReturnType<typeof startLocalAdmin> | null = null;
  private readonly rules: SafetyRuleSet;
  /** Ids already reported as carrying this node's name. */
  private readonly nameClashes = new Set<string>();
  private yieldingName = false;
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
    this.memory = opts.memory ?? { sawMaster: false };
    this.stallGuard = new StallGuard(this.clock);
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
    this.rejectLog = createRejectLogger(opts.logger.child({ component: 'wire', node: this.name }), this.clock);
    const context = this.componentContext();
    const { self, logger } = context;
    this.membership = new Membership({
      ...context,
      broadcast: (m) => this.broadcast(m),
      sendTo: (address, m) => this.sendTo(address, m),
      extraFlags: () => (this.runner?.state === 'Failed' ? NodeFlag.Failed : 0),
      leaderView: () => this.elector?.view() ?? this.fallbackView(),
      onLeadershipChange: (leading, reason) => this.leadershipChanged(leading, reason),
      onViewAdopted: (view) => this.viewAdopted(view),
      onForeignView: (view, leaderId) => this.elector?.absorbForeignView(view, leaderId),
      onKnownMaster: (id, name, fromId) => this.elector?.absorbKnownMaster(id, name, fromId),
      configuredAddresses: () => this.transport.configuredAddresses?.() ?? null,
      onNameClash: (senderId, from, uptimeMs) => this.nameClash(senderId, from, uptimeMs),
    });
    if (this.config.node.runner) {
      this.runner = new Runner({
        ...context,
        sendHealth: (report) => this.sendHealth(report),
        seenCount: () => this.membership.seenCount(),
        guard: (fn) => this.guard(fn),
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
    await this.transport.start((data, from) => this.guarded(() => (listening ? this.listenBeforeJoining(data, from) : this.receive(data, from))));
    if (listening) await this.awaitLeaderView();
    await this.services?.recoverLeftovers();
    listening = false;
    this.stallGuard.reset();
    this.clusterTimer = this.clock.setInterval(this.guard(() => this.clusterTick()), this.config.time.cluster_update_interval);
    this.runner?.start();
    this.membership.tick();
    this.log.info({ id: this.id, elector: this.config.node.elector, runner: this.config.node.runner },
      `node ${this.name} (${this.id}) started`);
    await this.hooks.onStart.promise({ nodeId: this.id, name: this.name, config: this.config });
  }

  /**
   * Up to one election timeout (a leader's heartbeat reaches every configured address every
   * cluster_update_interval): long enough to hear a leader that exists, short for a cold start.
   */
  private awaitLeaderView(): Promise<void> {
    return new Promise((resolve) => {
      const timer = this.clock.setTimeout(() => {
        this.viewHeard = null;
        resolve();
      }, ELECTION_LIMIT_TICKS * this.config.time.cluster_update_interval);
      this.viewHeard = () => {
        this.clock.clear(timer);
        this.viewHeard = null;
        resolve();
      };
    });
  }

  /** Before joining: only learn whether the cluster is in maintenance from a leader's heartbeat. */
  private listenBeforeJoining(data: Uint8Array, from: string): void {
    const result = this.codec.decode(data, from);
    if (!result.ok) {
      this.rejectLog(result, from);
      return;
    }
    const message = result.envelope.message;
    if (message.kind === 'heartbeat' && message.name === this.name && result.envelope.senderId !== this.id) {
      this.nameClash(result.envelope.senderId, from, message.uptimeMs);
    }
    if (message.kind !== 'heartbeat' || !message.view) return;
    if (message.view.maintenance) {
      this.log.info(`cluster in maintenance (leader ${message.name}): no script runs here, the start-up sweep included`);
      this.runner?.setMaintenance(true);
    }
    this.viewHeard?.();
  }

  /**
   * Two live nodes with one name (default name = host name: cloned VMs)
   * make every name-based command ambiguous. The node that started later
   * (shorter uptime; ties by id) refuses to go on, with a clear error; the
   * other one logs which address also claims its name.
   */
  private nameClash(otherId: string, from: string, otherUptimeMs: number): void {
    const mine = this.clock.now() - this.startedAt;
    const yields = mine < otherUptimeMs || (mine === otherUptimeMs && this.id < otherId);
    if (yields) {
      if (this.yieldingName) return;
      this.yieldingName = true;
      const message = `another node named ${this.name} (${otherId}) is live at ${from} and was up first: `
        + 'refusing to run a second node with that name (give this node its own name: --name or node.name)';
      this.log.error(message);
      if (this.opts.onFatal) this.opts.onFatal(message, ExitCode.CONFIG);
      else void this.stop(message);
      return;
    }
    if (this.nameClashes.has(otherId)) return;
    this.nameClashes.add(otherId);
    this.log.error(`a second node named ${this.name} (${otherId}) appeared at ${from}; it started later and refuses to run (duplicate node name)`);
  }

  /** Apply a configuration that can change live (timings, quorum, service timeouts, maintenance). */
  async applyConfig(config: KoiConfig): Promise<void> {
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
      this.clusterTimer = this.clock.setInterval(this.guard(() => this.clusterTick()), config.time.cluster_update_interval);
    }
    if (this.elector && this.electorInterval(previous) !== this.electorInterval(config)) this.armElectorTimer();
    if (previous.node.maintenance !== config.node.maintenance && this.elector) this.leaderSetsMaintenance(this.elector, config.node.maintenance);
    this.log.info('configuration applied');
  }

  /** Graceful stop: Passive, demote if master, stop services in order, tell the cluster, stop timers. */
  async stop(reason: string): Promise<void> {
    if (this.closed) return;
    this.log.info({ reason }, `stopping: ${reason}`);
    if (this.runner) await this.runner.shutdown(reason, this.config.service.demote_timeout + this.config.service.stop_timeout);
    this.membership.leave();
    this.closed = true;
    this.clock.clear(this.clusterTimer);
    this.clock.clear(this.electorTimer);
    this.runner?.close();
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
      backend, hooks: this.hooks, logger, clock: this.clock, policy: adminPolicy(() => this.config.node),
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
  resolveNode(nameOrId: string): { id: string; name: string; address: string } | null {
    if (nameOrId === this.id || nameOrId === this.name) return { id: this.id, name: this.name, address: '' };
    const entries = this.membership.table.all();
    const byId = entries.find((e) => e.id === nameOrId) ?? entries.find((e) => e.name === nameOrId);
    if (byId) return { id: byId.id, name: byId.name, address: byId.addresses[0] ?? '' };
    const runner = this.elector?.snapshot().runners.find((r) => r.id === nameOrId || r.name === nameOrId);
    return runner ? { id: runner.id, name: runner.name, address: runner.address } : null;
  }

  /** Leader: make a runner (name or id) the target master. */
  promote(nameOrId: string): ActionResult {
    if (!this.elector) return this.notLeader('promote');
    const node = this.resolveNode(nameOrId);
    if (!node) return { ok: false, reason: `unknown node '${nameOrId}'` };
    return this.elector.promote(node.id);
  }

  /** Leader: drop the master and enter manual master mode. */
  demote(): ActionResult {
    return this.elector ? this.elector.demote() : this.notLeader('demote');
  }

  /** Leader: leave manual master mode. */
  elect(): ActionResult {
    return this.elector ? this.elector.elect() : this.notLeader('elect');
  }

  /** Leader: cluster-wide maintenance mode, spread in heartbeats. */
  setMaintenance(on: boolean): ActionResult {
    return this.elector ? this.leaderSetsMaintenance(this.elector, on) : this.notLeader('maintenance');
  }

  /**
   * The elector spreads maintenance to other nodes in heartbeats and state
   * updates; this node's own runner (and service manager) takes it at once,
   * before the admin answer goes out: a SIGTERM right after `koi maintenance
   * on` must run no stop script here either.
   */
  private leaderSetsMaintenance(elector: Elector, on: boolean): ActionResult {
    const result = elector.setMaintenance(on);
    if (result.ok) this.runner?.setMaintenance(on);
    return result;
  }

  /** This runner: demote, stop services, Stopped (`koi stop`). */
  stopRunner(): ActionResult {
    if (!this.runner) return { ok: false, reason: `${this.name} is not a runner` };
    this.runner.stop();
    return { ok: true, message: `${this.name}: stopping services` };
  }

  /** This runner: undo `koi stop`. */
  startRunner(): ActionResult {
    if (!this.runner) return { ok: false, reason: `${this.name} is not a runner` };
    this.runner.startAgain();
    return { ok: true, message: `${this.name}: starting services` };
  }

  /** This runner: clear the failure and the fail count now. */
  recover(): ActionResult {
    if (!this.runner) return { ok: false, reason: `${this.name} is not a runner` };
    this.runner.recover();
    return { ok: true, message: `${this.name}: failure cleared` };
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
    const now = this.clock.now();
    const runnerSnap = this.runner?.snapshot();
    const leaderId = this.membership.currentLeaderId();
    const nameOf = (id: string): string => (id === this.id ? this.name : (this.membership.table.get(id)?.name ?? ''));
    const view = this.elector ? this.elector.view() : this.membership.lastView();
    const electorSnap = this.elector?.snapshot();
    const quorum = this.config.cluster.quorum;
    const seen = this.membership.seenCount();
    return {
      id: this.id,
      name: this.name,
      uptimeMs: Math.round(now - this.startedAt),
      roles: { elector: this.config.node.elector, runner: this.config.node.runner },
      flags: this.membership.flags(),
      state: runnerSnap ? runnerSnap.state : this.config.node.elector ? 'Elector' : 'Other',
      electionMode: this.config.node.elector ? this.membership.mode : null,
      leader: leaderId ? { id: leaderId, name: nameOf(leaderId) } : null,
      master: this.seenMaster.id ? { ...this.seenMaster } : null,
      maintenance: view?.maintenance ?? this.config.node.maintenance,
      manualMaster: view?.manualMaster ?? false,
      quorum: { configured: quorum, seen, acked: this.membership.ackCount(), has: quorum <= 0 || seen >= quorum },
      addresses: this.transport.localAddresses(),
      runner: runnerSnap && this.services ? {
        state: runnerSnap.state, mode: runnerSnap.mode, target: this.services.target, stopped: runnerSnap.stopped,
        failed: runnerSnap.failed, failCount: runnerSnap.failCount, lastFailureAgoMs: runnerSnap.lastFailureAgoMs,
        lastFailureReason: runnerSnap.lastFailureReason, lastFailureOutput: runnerSnap.lastFailureOutput, namedMaster: runnerSnap.namedMaster,
        leaseRemainingMs: runnerSnap.leaseRemainingMs, lastStateUpdateAgoMs: runnerSnap.lastStateUpdateAgoMs,
        services: this.services.summary(), promoted: this.services.anyPromoted(),
      } : null,
      nodes: this.membership.table.all().map((e) => ({
        id: e.id, name: e.name, flags: e.flags, addresses: [...e.addresses],
        lastSeenAgoMs: Math.round(now - e.lastSeen), uptimeMs: e.uptimeMs,
      })),
      departed: this.membership.departedNodes().map((e) => ({
        id: e.id, name: e.name, flags: e.flags, addresses: [...e.addresses],
        lastSeenAgoMs: Math.round(now - e.lastSeen), uptimeMs: e.uptimeMs,
      })),
      configured: this.transport.configuredAddresses?.() ?? null,
      elector: electorSnap ? {
        leaderForMs: Math.round(now - electorSnap.leaderSince),
        master: electorSnap.masterId ? { id: electorSnap.masterId, name: electorSnap.masterName } : null,
        targetMaster: electorSnap.targetMasterId ? { id: electorSnap.targetMasterId, name: nameOf(electorSnap.targetMasterId) || (electorSnap.runners.find((r) => r.id === electorSnap.targetMasterId)?.name ?? '') } : null,
        manualMaster: electorSnap.manualMaster,
        maintenance: electorSnap.maintenance,
        waiting: electorSnap.waiting ? {
          code: electorSnap.waiting.code, message: electorSnap.waiting.message,
          ...(electorSnap.waiting.until !== undefined ? { remainingMs: Math.max(0, Math.round(electorSnap.waiting.until - now)) } : {}),
        } : null,
        blockers: electorSnap.blockers,
        runners: electorSnap.runners.map((r) => ({
          id: r.id, name: r.name, address: r.address, state: r.state, mode: r.mode, target: r.target,
          uptimeMs: r.uptimeMs, lastSeenAgoMs: Math.round(now - r.lastSeen), services: r.services, promoted: r.promoted,
          stopped: r.stopped, failCount: r.failCount,
          lastFailureAgoMs: r.lastFailureAt > -Infinity ? Math.round(now - r.lastFailureAt) : -1,
          lastFailureReason: r.lastFailureReason, lastFailureOutput: r.lastFailureOutput,
        })),
        failures: electorSnap.failures.map((f) => ({
          atMs: Math.round(f.atWall), agoMs: Math.round(now - f.at), node: { id: f.nodeId, name: f.nodeName }, reason: f.reason, output: f.output,
        })),
      } : null,
    };
  }

  // ---- internals -------------------------------------------------------------------

  private notLeader(command: string): ActionResult {
    const leader = this.membership.currentLeaderId();
    const name = leader ? (this.membership.table.get(leader)?.name ?? leader) : '';
    return { ok: false, reason: `${command} must run on the leader${name ? ` (${name})` : '; no leader is known'}` };
  }

  /** Wrap a timer callback: skip after close, run the stall guard first. */
  private guard(fn: () => void): () => void {
    return () => this.guarded(fn);
  }

  private guarded(fn: () => void): void {
    if (this.closed) return;
    const stall = this.stallGuard.check(stallThresholdMs(this.config.time.cluster_update_interval));
    if (this.started && stall && this.rules.on('stall-guard')) this.stalled(stall);
    this.runner?.checkLease();
    fn();
  }

  /** Every cluster_update_interval: heartbeats; on the leader, the master's lease renewal repeated (Elector.renewMaster). */
  private clusterTick(): void {
    this.membership.tick();
    this.elector?.renewMaster();
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
    (quiet ? this.log.debug.bind(this.log) : this.log.warn.bind(this.log))({ gapMs: gap, frozenMs: Math.round(stall.frozenMs) }, `event loop stalled for ${gap} ms${frozen}: master lease checked, namings quarantined`);
    this.runner?.stalled(stall.gapMs, stall.frozenMs);
    // Followers stand after ELECTION_LIMIT_TICKS silent ticks: after a longer stall another leader may
    // lead, so step down instead of fighting it. Shorter stalls need no step-down for safety: the
    // lease quorum counts acknowledgements from when the answered heartbeat was sent (R1).
    // Frozen time (a VM pause) also froze the clock that dates acknowledgements (R1): step down for any.
    const electionTimeout = ELECTION_LIMIT_TICKS * this.config.time.cluster_update_interval;
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
      this.hooks.onMessage.promise(inbound).then((consumed) => {
        if (!consumed) this.guarded(() => this.route(inbound));
      }, (err: unknown) => this.log.error({ err: String(err) }, `onMessage hook failed: ${String(err)}`));
      return;
    }
    this.route(inbound);
  }

  private route(inbound: InboundMessage): void {
    const { envelope, from } = inbound;
    const message = envelope.message;
    switch (message.kind) {
      case 'heartbeat': {
        // R6, third witness: a peer's monotonic clock that ran ahead of ours means ours stood still.
        const stall = this.stallGuard.peerBeat(envelope.senderId, message.uptimeMs, envelope.seq, stallThresholdMs(this.config.time.cluster_update_interval), CLOCK_RATE_BOUND);
        if (this.started && stall && this.rules.on('stall-guard')) {
          // Buffered heartbeats of one freeze arrive together and report it in parts: log the first part only.
          const quiet = this.clock.now() - this.lastPeerStallAt < this.config.time.node_timeout;
          this.lastPeerStallAt = this.clock.now();
          this.stalled(stall, ` (peer ${message.name}'s clock ran ${Math.round(stall.frozenMs)} ms ahead of this node's: a VM pause hidden by a wall-clock step back?)`, quiet);
        }
        this.membership.handleHeartbeat(envelope.senderId, message, from);
        break;
      }
      case 'health':
        if (!this.elector) {
          this.log.debug({ from }, `health report from ${message.name} but this node is not the leader`);
          break;
        }
        this.membership.noteReport(envelope.senderId, from);
        this.elector.handleHealth(envelope.senderId, message, from);
        break;
      case 'state':
        if (!this.runner) break;
        if (envelope.senderId !== this.membership.currentLeaderId()) {
          this.log.debug({ from, sender: envelope.senderId }, `state update from ${message.leaderName}, which is not the followed leader: ignored`);
          break;
        }
        this.runner.handleState(envelope.senderId, envelope.seq, message);
        break;
      case 'request':
      case 'response':
        if (!this.adminHandler) {
          this.log.debug({ from }, `admin ${message.kind} from ${from}: no admin handler`);
          break;
        }
        this.adminHandler(inbound).catch((err: unknown) => this.log.error({ err: String(err) }, `admin handler failed: ${String(err)}`));
        break;
      default: {
        const unreachable: never = message;
        this.log.warn(`unknown message ${String(unreachable)}`);
      }
    }
  }

  private encode(message: KoiMessage): Uint8Array | null {
    try {
      return this.codec.encode(message);
    } catch (err) {
      if (message.kind === 'heartbeat' && message.view && message.view.nodes.length > 0) {
        // A large cluster's view does not fit one datagram: send it without the node list.
        return this.encode({ ...message, view: { ...message.view, nodes: message.view.nodes.slice(0, 1) } });
      }
      this.log.error({ err: String(err), kind: message.kind }, `cannot send ${message.kind}: ${String(err)}`);
      return null;
    }
  }

  private broadcast(message: KoiMessage): void {
    if (this.closed) return;
    const data = this.encode(message);
    if (data) this.transport.broadcast(data);
  }

  private sendTo(address: string, message: KoiMessage): void {
    if (this.closed || !address) return;
    const data = this.encode(message);
    if (data) this.transport.sendTo(address, data);
  }

  private sendHealth(report: HealthReport): void {
    if (this.elector) {
      this.elector.handleHealth(this.id, { ...report, appliedUpdateMs: this.runner?.appliedUpdateFrom(this.id) ?? 0 }, '');
      return;
    }
    const address = this.membership.leaderAddress();
    if (address) this.sendTo(address, { ...report, appliedUpdateMs: this.runner?.appliedUpdateFrom(this.membership.currentLeaderId()) ?? 0 });
  }

  private sendState(id: string, address: string, update: StateUpdate): void {
    if (id === this.id) {
      this.runner?.handleState(this.id, ++this.localStateSeq, update);
      return;
    }
    this.sendTo(address, update);
  }

  private electorInterval(config: KoiConfig): number {
    return Math.min(config.time.elector_tick_interval, config.time.state_update_interval);
  }

  private armElectorTimer(): void {
    this.clock.clear(this.electorTimer);
    this.electorTimer = this.clock.setInterval(this.guard(() => this.elector?.tick()), this.electorInterval(this.config));
  }

  /** What membership, runner and elector get from the node (the config as it is now). */
  private componentContext(): ComponentContext {
    return {
      self: { id: this.id, name: this.name }, config: this.config, clock: this.clock,
      logger: this.opts.logger.child({ node: this.name }), hooks: this.hooks, startedAt: this.startedAt,
      rules: this.rules,
    };
  }

  private leadershipChanged(leading: boolean, reason: string): void {
    if (leading) {
      this.elector = new Elector({
        ...this.componentContext(),
        membership: {
          seenCount: () => this.membership.seenCount(),
          ackCount: () => this.membership.ackCount(),
          lastView: () => this.membership.lastView(),
          viewNodes: () => this.membership.viewNodes(),
          lastHeard: (id) => this.membership.table.lastHeard(id),
          lastAcked: (id) => this.membership.table.get(id)?.lastAck,
          runnerIds: () => this.membership.table.all().filter((e) => (e.flags & NodeFlag.Runner) !== 0).map((e) => e.id),
          addressOf: (id) => this.membership.table.get(id)?.addresses[0] ?? '',
          maxHoldMs: () => this.membership.maxHoldMs(),
          allConfiguredPeersHeard: () => this.membership.allConfiguredPeersHeard(),
          everSawMaster: () => this.memory.sawMaster,
        },
        sendState: (id, address, update) => this.sendState(id, address, update),
        onMasterChange: (masterId, masterName, why) => this.masterSeen(masterId, masterName, why, true),
      });
      if (this.config.node.maintenance && !this.elector.view().maintenance) this.elector.setMaintenance(true);
      this.armElectorTimer();
      this.runner?.setMaintenance(this.elector.view().maintenance);
      this.runner?.leaderKnown(true);
      this.log.info({ reason }, `leading the cluster: ${reason}`);
      this.masterSeen(this.elector.master.id, this.elector.master.name);
    } else {
      if (this.elector) this.membership.rememberOwnView(this.elector.view());
      this.elector = null;
      this.clock.clear(this.electorTimer);
      this.electorTimer = undefined;
      this.log.info({ reason }, `no longer leading: ${reason}`);
    }
  }

  private viewAdopted(view: ClusterView): void {
    // Maintenance first: a joining runner must not run scripts before it knows (SPEC §6).
    this.runner?.setMaintenance(view.maintenance);
    this.runner?.leaderKnown(true);
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
