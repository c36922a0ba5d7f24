/**
 * The runner (SPEC §4): drives the local services through the service
 * manager, follows the leader's state updates, holds the master lease
 * (SPEC §3), demotes on lease expiry / quorum loss / elector gone, fails on
 * a service failure and recovers automatically with back-off.
 *
 * Every decision is made in `evaluate()`, which derives the wanted state
 * from the inputs and walks the transition table one legal step at a time.
 */
import type {
  HealthReport, KoiConfig, Logger, RunnerMode, RunnerState, StateUpdate, TimerHandle,
} from '../../plugin-api';
import type { ComponentContext } from '../node/component';
import type { ServiceManager } from '../services/types';
import type { TimerSource } from '../node/guarded-timers';
import { assertTransition, isLegalTransition, targetFor } from './transitions';
import { formatSeconds } from '../logging/format';
import { fitOutput } from './failure-output';

/** How often a runner ticks (health report, recovery and lost-leader checks). */
export function runnerTickInterval(config: KoiConfig): number {
  return Math.min(config.time.runner_tick_interval, config.time.state_update_interval);
}

export interface RunnerOptions extends ComponentContext {
  /** Send a health report to the leader (the node routes it). */
  /** `periodic`: the runner tick's report (it may ride on the next heartbeat); else a transition's, sent at once. */
  sendHealth(report: HealthReport, periodic: boolean): void;
  /** Nodes seen within the node timeout, this one included. */
  seenCount(): number;
  /** The node's timers: each callback enters through the stall guard (core/node/guarded-timers.ts). */
  timers: TimerSource;
  /** Run `fn` as an entry of the node, through the stall guard (a role hook's completion: KoiNode.guarded). */
  enter(fn: () => void): void;
  /**
   * Time this node's monotonic clock lost (a VM pause) since it read `at`, all of it, however short each pause
   * (core/node/frozen-time.ts); null when that is no longer known.
   */
  frozenSince(at: number): number | null;
  /** All the time this node's monotonic clock lost so far (only grows): the lease held loses what it adds. */
  frozenSoFar(): number;
  /**
   * Run `fn` once the node has read its sockets dry since this call and heard since that from `witnesses`
   * distinct peers that would tell a pause the wall clock hid (core/node/fresh-read.ts): every promote script
   * waits for it, and the lease is checked again then (docs/safety.md R6).
   */
  afterFreshRead(fn: () => void, witnesses: number): void;
}

/** The runner's state as the node status shows it (core/node/status.ts `RunnerStatus` adds the services). */
export interface RunnerCoreStatus {
  state: RunnerState;
  mode: RunnerMode;
  stopped: boolean;
  failed: boolean;
  failCount: number;
  /** -1 when it never failed. */
  lastFailureAgoMs: number;
  lastFailureReason: string;
  /** The last lines the failing script wrote (bounded; empty when none). */
  lastFailureOutput: string[];
  /** The leader's last state update names this runner master (and the lease holds). */
  namedMaster: boolean;
  leaseRemainingMs: number;
  /** -1 when no state update came yet. */
  lastStateUpdateAgoMs: number;
}

export interface RunnerSnapshot extends RunnerCoreStatus {
  masterName: string;
  maintenance: boolean;
}

const MAX_STEPS = 6;

export class Runner {
  private readonly log: Logger;
  private config: KoiConfig;
  private services: ServiceManager | null = null;
  private current: RunnerState = 'Disconnected';
  private mode: RunnerMode = 'Active';
  private stopped = false;
  private failed = false;
  private failCount = 0;
  private lastFailureAt = -Infinity;
  private lastFailureReason = '';
  private lastFailureOutput: string[] = [];
  private recoverTimer: TimerHandle | undefined;
  private tickTimer: TimerHandle | undefined;
  private leaseTimer: TimerHandle | undefined;
  private leaderHeard = false;
  private named = false;
  /**
   * Where the lease ends on the monotonic clock as reckoned when this clock had lost `leaseLostAt` in all:
   * time it loses after that (a VM pause, however short) comes off it (leaseEnd()).
   */
  private leaseUntil = -Infinity;
  private leaseLostAt = 0;
  /** When the lease timer is armed for (re-armed when lost time moves the end earlier). */
  private leaseTimerAt = Infinity;
  private leaseMs = 0;
  /** The leader whose last lease grant was refused (leaseEndHere), '' when the last one was taken. */
  private grantRefusedBy = '';
  private lastUpdateAt = -Infinity;
  private lastSeqByLeader = new Map<string, number>();
  /** The newest state update applied: from which leader, and its leaderUptimeMs (echoed in health reports). */
  private applied = { leaderId: '', uptimeMs: 0 };
  private masterName = '';
  private maintenance = false;
  private electorLostWarned = false;
  private quorumLostSince = -Infinity;
  private hookChain: Promise<void> = Promise.resolve();
  private hooksPending = 0;
  /** Counts the turns to Master: a fresh read requested during one turn does not clear a promote of the next. */
  private masterTurn = 0;
  private awaitingRead = false;
  /** True only inside the entry that follows a fresh read, after the lease was checked there: promotes may start. */
  private promoteWindow = false;
  /** `promoted` of the last health report sent. */
  private reportedPromoted = false;
  private closed = false;
  private started = false;

  constructor(private readonly opts: RunnerOptions) {
    this.config = opts.config;
    this.log = opts.logger.child({ component: 'runner' });
    this.maintenance = opts.config.node.maintenance;
    const factor = opts.config.service.auto_recover_wait_factor;
    if (factor < 1 || factor > 8) this.log.warn({ factor }, `service.auto_recover_wait_factor ${factor} is outside 1..8; clamped`);
  }

  get state(): RunnerState {
    return this.current;
  }

  /** Cluster maintenance as this runner follows it (no scripts run). */
  get inMaintenance(): boolean {
    return this.maintenance;
  }

  /** Attach the service manager (created by the node with this runner as its listener). */
  attach(services: ServiceManager): void {
    this.services = services;
    services.setMaintenance(this.maintenance);
    this.pushContext();
  }

  /** `ridesClusterTick`: the node calls tick() from its cluster ticks (riders.ts) instead of a timer of the runner's own. */
  start(ridesClusterTick = false): void {
    this.started = true;
    this.retick(ridesClusterTick);
    this.services?.start();
    this.evaluate('runner started');
  }

  /** Tick on a timer of its own at runnerTickInterval, or (`ridesClusterTick`) only when the node calls tick(). */
  retick(ridesClusterTick: boolean): void {
    this.opts.clock.clear(this.tickTimer);
    this.tickTimer = undefined;
    if (!this.started || this.closed || ridesClusterTick) return;
    this.tickTimer = this.opts.timers.setInterval(() => this.tick(), runnerTickInterval(this.config));
  }

  applyConfig(config: KoiConfig): void {
    this.config = config;
  }

  // ---- inputs -------------------------------------------------------------------

  /** The node knows a leader (membership). Services start once a leader is heard. */
  leaderKnown(known: boolean): void {
    if (known && !this.leaderHeard) {
      this.leaderHeard = true;
      this.evaluate('leader heard');
    }
  }

  /** Cluster maintenance mode as the leader spreads it (before services start on a joining node). */
  setMaintenance(on: boolean): void {
    if (on === this.maintenance) return;
    this.maintenance = on;
    this.services?.setMaintenance(on);
  }

  /** A state update from the leader `leaderId` (already checked to be the followed leader). */
  handleState(leaderId: string, seq: number, update: StateUpdate): void {
    const last = this.lastSeqByLeader.get(leaderId) ?? -1;
    if (seq <= last) {
      this.log.debug({ leader: leaderId, seq, last }, 'ignoring an out-of-order state update');
      return;
    }
    this.lastSeqByLeader.set(leaderId, seq);
    this.applied = { leaderId, uptimeMs: update.leaderUptimeMs };
    if (this.lastSeqByLeader.size > 16) this.lastSeqByLeader.delete(this.lastSeqByLeader.keys().next().value as string);
    const now = this.opts.clock.now();
    this.lastUpdateAt = now;
    if (this.electorLostWarned) this.log.info(`leader ${update.leaderName} heard again`);
    this.electorLostWarned = false;
    this.leaderHeard = true;
    this.masterName = update.masterName;
    this.setMaintenance(update.maintenance);
    const namesMe = update.masterId === this.opts.self.id;
    const grants = namesMe && this.quorumOn() && update.hasQuorum && update.leaseMs > 0;
    const endsAt = grants ? this.leaseEndHere(update, now) : null;
    if (grants && endsAt === null) {
      // Neither a renewal nor a withdrawal: the lease held already runs its course.
    } else if (!namesMe) {
      this.named = false;
      this.leaseUntil = -Infinity;
    } else if (this.quorumOn()) {
      if (endsAt !== null) {
        this.named = true;
        this.renewLease(endsAt, update.leaseMs);
      } else if (now >= this.leaseEnd()) {
        this.named = false;
      }
    } else {
      this.named = true;
    }
    this.evaluate(namesMe ? `leader ${update.leaderName} names this node master` : `leader ${update.leaderName} names ${update.masterName || 'no master'}`);
  }

  /** The service manager's listener: some service changed. */
  servicesChanged(): void {
    this.evaluate('services changed');
    // A demote that ended is news the leader acts on (R3: it may elect the next master once this runner reports
    // nothing promoted, instead of waiting out the lease): tell it now, not at the next tick.
    if (this.services && this.services.anyPromoted() !== this.reportedPromoted) this.sendHealthNow();
  }

  /** The service manager's listener: a service failed. */
  serviceFailed(service: string, reason: string, output: string[] = []): void {
    this.fail(`service ${service} failed: ${reason}`, output);
  }

  /**
   * The node's loop stalled for `gapMs` (SIGSTOP, long GC, VM pause). The
   * lease runs on the monotonic clock, and time it did not count (a VM pause,
   * `frozenMs` of it found now — and any shorter one, however short: the
   * node's ledger of frozen time, `frozenSince`) comes off it (leaseEnd); a
   * lease that ran out demotes the node before anything else (checkLease).
   * A lease still valid is kept: the leader times its replacement wait on
   * its own clock from the grant it sent. Grants that waited in the socket
   * buffer through the stall need nothing special: a lease ends where the
   * leader's grant says, on this node's clock, not a lease length after it
   * was read (R3).
   */
  stalled(gapMs: number, frozenMs = 0): void {
    const now = this.opts.clock.now();
    const end = this.leaseEnd();
    if (this.current === 'Master' && this.quorumOn()) {
      this.log.warn({ gapMs: Math.round(gapMs), frozenMs: Math.round(frozenMs), leaseRemainingMs: Math.max(0, Math.round(end - now)) },
        now < end
          ? `stall of ${Math.round(gapMs)} ms: master lease still valid for ${Math.round(end - now)} ms, kept`
          : `stall of ${Math.round(gapMs)} ms: master lease ran out during the stall`);
    }
    this.checkLease();
  }

  /** Called at every event of the node before anything else: an expired lease demotes first (R3). */
  checkLease(): void {
    if (this.current !== 'Master' || !this.leaseEnforced()) return;
    const now = this.opts.clock.now();
    const end = this.leaseEnd();
    if (now >= end) {
      this.named = false;
      this.evaluate(`master lease expired (no renewal from a quorate leader within the ${Math.round(this.leaseMs)} ms lease)`);
    } else if (end < this.leaseTimerAt) {
      this.armLeaseTimer(end, now); // time lost since the lease was reckoned moved its end earlier
    }
  }

  /** Where the lease ends on the monotonic clock now: its reckoned end less the time this clock lost since. */
  private leaseEnd(): number {
    if (this.leaseUntil === -Infinity) return -Infinity;
    return this.leaseUntil - (this.opts.frozenSoFar() - this.leaseLostAt);
  }

  private armLeaseTimer(end: number, now: number): void {
    this.opts.clock.clear(this.leaseTimer);
    this.leaseTimerAt = end;
    const handle = this.opts.timers.setTimeout(() => {
      // Fired: none pending — unless the entry's own stall check armed a newer one first. One that ran early
      // (Node truncates a timer's milliseconds) is armed again by checkLease for the rest, instead of leaving
      // the expiry to the next entry, up to an interval later.
      if (this.leaseTimer === handle) {
        this.leaseTimer = undefined;
        this.leaseTimerAt = Infinity;
      }
      this.checkLease();
    }, Math.max(1, Math.ceil(end - now)));
    this.leaseTimer = handle;
  }

  // ---- admin ----------------------------------------------------------------------

  stop(reason = 'koi stop'): void {
    this.stopped = true;
    this.mode = 'Passive';
    this.giveUpLease();
    this.evaluate(reason);
    this.sendHealthNow();
  }

  startAgain(): void {
    this.stopped = false;
    this.mode = 'Active';
    this.evaluate('koi start');
  }

  recover(): void {
    this.opts.clock.clear(this.recoverTimer);
    this.recoverTimer = undefined;
    this.failed = false;
    this.failCount = 0;
    this.lastFailureAt = -Infinity;
    this.lastFailureReason = '';
    this.lastFailureOutput = [];
    this.evaluate('koi recover: failure and fail count cleared');
  }

  /** Stop services for shutdown: Passive, demote if master, Stop target; resolves when settled or `timeoutMs` passed. */
  async shutdown(reason: string, timeoutMs: number): Promise<void> {
    this.stop(`shutdown: ${reason}`);
    await this.hookChain;
    const deadline = this.opts.clock.now() + timeoutMs;
    await new Promise<void>((resolve) => {
      const check = (): void => {
        if (!this.services || this.services.settled() || this.opts.clock.now() >= deadline) resolve();
        else this.opts.clock.setTimeout(check, 50);
      };
      check();
    });
    // The final report, sent to the leader now that the demote and stop ended (a report goes out only on a
    // state change or a tick, and the process may be gone before the next tick): with it the leader may
    // elect the next master at once (docs/safety.md R3: a runner that reported Stopped and nothing promoted
    // holds no lease) instead of waiting for this node to fall silent.
    this.sendHealthNow();
  }

  close(): void {
    this.closed = true;
    this.opts.clock.clear(this.tickTimer);
    this.opts.clock.clear(this.recoverTimer);
    this.opts.clock.clear(this.leaseTimer);
  }

  snapshot(): RunnerSnapshot {
    const now = this.opts.clock.now();
    return {
      state: this.current,
      mode: this.mode,
      stopped: this.stopped,
      failed: this.failed,
      failCount: this.failCount,
      lastFailureAgoMs: this.lastFailureAt > -Infinity ? Math.round(now - this.lastFailureAt) : -1,
      lastFailureReason: this.lastFailureReason,
      lastFailureOutput: [...this.lastFailureOutput],
      namedMaster: this.named,
      leaseRemainingMs: Math.max(0, Math.round(this.leaseEnd() - now)),
      masterName: this.masterName,
      maintenance: this.maintenance,
      lastStateUpdateAgoMs: this.lastUpdateAt > -Infinity ? Math.round(now - this.lastUpdateAt) : -1,
    };
  }

  /** `leaderUptimeMs` of the newest state update applied, when it came from `leaderId` (else 0). */
  appliedUpdateFrom(leaderId: string): number {
    return this.applied.leaderId === leaderId ? this.applied.uptimeMs : 0;
  }

  healthReport(): HealthReport {
    const now = this.opts.clock.now();
    return {
      kind: 'health',
      name: this.opts.self.name,
      state: this.current,
      mode: this.mode,
      uptimeMs: Math.max(0, Math.round(now - this.opts.startedAt)),
      target: this.services?.target ?? 'Stop',
      services: this.services?.summary() ?? [],
      promoted: this.services?.anyPromoted() ?? false,
      failCount: this.failCount,
      lastFailureAgoMs: this.lastFailureAt > -Infinity ? Math.round(now - this.lastFailureAt) : -1,
      lastFailureReason: this.lastFailureReason,
      lastFailureOutput: [...this.lastFailureOutput],
      stopped: this.stopped,
    };
  }

  // ---- internals --------------------------------------------------------------------

  private quorumOn(): boolean {
    return this.config.cluster.quorum > 0;
  }

  /**
   * R3: the lease is on the grantor's terms (its length travels with the
   * grant), never longer than this node's own master_lease from now: a live
   * reload of either side cannot make the runner hold longer than the leader
   * waits. `endsAt` (leaseEndHere) is where it ends on this clock.
   */
  private renewLease(endsAt: number, grantedMs: number): void {
    this.leaseMs = Math.min(grantedMs, this.config.time.master_lease);
    // An earlier grant may end later than this one (a lease end is a bound, not a date): never shorten it.
    // Both as of now: the earlier one with the time lost since it was reckoned taken off.
    const now = this.opts.clock.now();
    this.leaseUntil = Math.max(this.leaseEnd(), endsAt);
    this.leaseLostAt = this.opts.frozenSoFar();
    this.armLeaseTimer(this.leaseUntil, now);
  }

  /**
   * Stopped or Failed: the leader elects the next master as soon as this
   * runner reports so with nothing promoted (docs/safety.md R3), taking the
   * state as final for the lease. `koi start` or a recovery can end it before
   * the update naming the successor arrives (or when it is lost), so the old
   * naming must not make this node master again: a new one is needed.
   */
  private giveUpLease(): void {
    this.named = false;
    this.leaseUntil = -Infinity;
    this.leaseTimerAt = Infinity;
    this.opts.clock.clear(this.leaseTimer);
  }

  /**
   * R3: where the lease a grant gives ends on this node's monotonic clock, or null when the grant cannot be
   * used. The leader moved its own `grant + lease` onto this node's uptime with a heartbeat of this node
   * (core/node/peer-clocks.ts): by the time the leader's clock reads that, this clock has certainly read the
   * uptime given — unless it stood still since that heartbeat, so all the time it lost since is taken off
   * (frozenSince: measured, however short each pause). When the grant is read does not matter, so a grant that
   * waited in the socket buffer through a stall holds no longer than one read at once. Never later than the
   * node's own master_lease from now. Refused: a grant without an end (an older protocol), one whose heartbeat
   * this incarnation did not send (an in-process restart keeps the id but starts a new clock), or one from a
   * heartbeat older than what this node remembers of its clock.
   */
  private leaseEndHere(update: StateUpdate, now: number): number | null {
    const end = update.leaseEnd;
    const startedAt = this.opts.startedAt;
    const observedAt = end ? startedAt + end.observedUptimeMs : NaN;
    let refusal = '';
    let lost: number | null = null;
    if (!end) refusal = 'it carries no lease end';
    else if (end.observedSeq < this.opts.firstSeq || observedAt > now) {
      refusal = `its lease end comes from a heartbeat of an earlier run of this node (sequence ${end.observedSeq}, uptime ${end.observedUptimeMs} ms; `
        + `this run began at sequence ${this.opts.firstSeq} and is ${Math.floor(now - startedAt)} ms old)`;
    } else {
      lost = this.opts.frozenSince(observedAt);
      if (lost === null) refusal = `its lease end comes from a heartbeat ${Math.round((now - observedAt) / 1000)} s old, older than this node's record of its clock`;
    }
    if (!end || lost === null) {
      // Once per leader until a grant is taken again (renewals repeat every heartbeat or two).
      if (this.grantRefusedBy !== update.leaderName) this.log.warn(`ignoring lease grant from ${update.leaderName}: ${refusal}`);
      this.grantRefusedBy = update.leaderName;
      return null;
    }
    this.grantRefusedBy = '';
    const endsAt = Math.min(startedAt + end.uptimeMs - lost, now + Math.min(update.leaseMs, this.config.time.master_lease));
    if (endsAt <= now) this.log.debug({ lostMs: lost }, `lease grant from ${update.leaderName} ended ${Math.ceil(now - endsAt)} ms before it was read`);
    return endsAt;
  }

  /** With quorum on, the master holds only while its lease runs (unless the teeth run disabled the rule). */
  private leaseEnforced(): boolean {
    return this.quorumOn() && this.opts.rules.on('runner-lease-expiry');
  }

  /** One runner tick: every runnerTickInterval, on a timer of its own or inside a cluster tick (start). */
  tick(): void {
    if (this.closed) return;
    const now = this.opts.clock.now();
    const t = this.config.time;
    if (this.failCount > 0 && !this.failed && now - this.lastFailureAt >= t.failcount_reset) {
      this.log.info({ failCount: this.failCount }, `fail count ${this.failCount} reset after ${t.failcount_reset} ms of health`);
      this.failCount = 0;
    }
    if (this.leaderHeard && !this.electorLostWarned && now - this.lastUpdateAt > t.elector_lost_time && this.lastUpdateAt > -Infinity) {
      this.electorLostWarned = true;
      this.log.warn(`elector lost: no state update for ${Math.round(now - this.lastUpdateAt)} ms`);
    }
    if (this.current === 'Master' && !this.quorumOn() && now - this.lastUpdateAt > t.elector_gone_time) {
      this.named = false;
      this.evaluate(`elector gone: no state update for ${Math.round(now - this.lastUpdateAt)} ms`);
    }
    if (this.quorumOn() && this.current === 'Master' && this.opts.seenCount() < this.config.cluster.quorum) {
      if (this.quorumLostSince === -Infinity) this.quorumLostSince = now;
      if (now - this.quorumLostSince >= t.quorum_demote_time) {
        this.named = false;
        this.evaluate(`quorum lost for ${Math.round(now - this.quorumLostSince)} ms`);
      }
    } else {
      this.quorumLostSince = -Infinity;
    }
    this.sendHealthNow(true);
  }

  /** Report now (to a leader just followed). */
  reportNow(): void {
    this.sendHealthNow();
  }

  private sendHealthNow(periodic = false): void {
    if (this.closed) return;
    this.opts.sendHealth(this.freshReport(), periodic);
  }

  /** The health report as of now, recorded as the latest one reported (a rider is built when it leaves). */
  freshReport(): HealthReport {
    const report = this.healthReport();
    this.reportedPromoted = report.promoted;
    return report;
  }

  private fail(reason: string, output: string[] = []): void {
    if (this.failed) {
      this.log.warn({ reason }, `further failure while Failed: ${reason}`);
      return;
    }
    const now = this.opts.clock.now();
    this.failed = true;
    this.failCount++;
    this.lastFailureAt = now;
    this.lastFailureReason = reason;
    this.lastFailureOutput = fitOutput(output);
    this.giveUpLease();
    this.evaluate(reason);
    const max = this.config.service.auto_recover;
    if (max > 0 && this.failCount <= max) {
      const factor = Math.min(8, Math.max(1, this.config.service.auto_recover_wait_factor));
      const wait = Math.min(this.config.time.auto_recover_max_time, this.config.time.auto_recover_time * factor ** (this.failCount - 1));
      this.log.info(`auto-recovery ${this.failCount} of ${max} in ${formatSeconds(wait)}`);
      this.opts.clock.clear(this.recoverTimer);
      this.recoverTimer = this.opts.timers.setTimeout(() => {
        this.recoverTimer = undefined;
        if (!this.failed) return;
        this.failed = false;
        this.evaluate(`auto-recovery ${this.failCount} of ${max}: failure forgotten`);
      }, wait);
    } else {
      this.log.error({ failCount: this.failCount }, max > 0
        ? `auto-recovery exhausted (${max} attempts): staying Failed until koi recover`
        : 'auto-recovery is off: staying Failed until koi recover');
    }
    this.sendHealthNow();
  }

  private wanted(): RunnerState {
    if (this.failed) return 'Failed';
    if (this.stopped) return 'Stopped';
    if (!this.leaderHeard) return 'Disconnected';
    const s = this.services;
    const leaseOk = !this.leaseEnforced() || this.opts.clock.now() < this.leaseEnd();
    const mayMaster = this.named && leaseOk && this.mode === 'Active';
    if (this.current === 'Master' && mayMaster) return 'Master';
    const ready = s !== null && s.promotable() && (s.settled() || this.current === 'Slave' || s.anyPromoted());
    if (mayMaster && ready) return 'Master';
    return ready ? 'Slave' : 'Live';
  }

  /** Walk toward the wanted state through legal steps; every step is logged. */
  private evaluate(reason: string): void {
    if (this.closed) return;
    for (let i = 0; i < MAX_STEPS; i++) {
      const want = this.wanted();
      if (want === this.current) break;
      const next = isLegalTransition(this.current, want) ? want : this.intermediate(this.current, want);
      this.transition(next, reason);
    }
    this.pushContext();
    this.applyTarget();
  }

  /** A legal step toward `want` when the direct transition is not in the table. */
  private intermediate(from: RunnerState, want: RunnerState): RunnerState {
    if (from === 'Master') return 'Slave';
    if (want === 'Master' && from === 'Live') return 'Slave';
    if (from === 'Failed' || from === 'Stopped') return 'Live';
    if (want === 'Disconnected') return from === 'Live' || from === 'Slave' ? 'Stopped' : want;
    return 'Live';
  }

  private transition(to: RunnerState, reason: string): void {
    const from = this.current;
    assertTransition(from, to, reason);
    this.current = to;
    this.log.info({ from, to, reason }, `Transition[${from} -> ${to}]: ${reason}`);
    this.opts.hooks.onStateChange.call({ from, to, reason });
    const change = { nodeId: this.opts.self.id, name: this.opts.self.name, reason };
    if (to === 'Master') {
      this.masterTurn++;
      this.queueHook(() => this.opts.hooks.onPromote.promise(change));
    }
    if (from === 'Master') this.queueHook(() => this.opts.hooks.onDemote.promise(change));
    this.sendHealthNow();
  }

  /**
   * onPromote/onDemote run in order. A promote waits for the chain (onPromote runs before the services
   * are promoted); a demote does not: a master whose lease ran out cannot wait for a plugin
   * (docs/safety.md R3), so onDemote runs while the services demote.
   */
  private queueHook(call: () => Promise<void>): void {
    this.hooksPending++;
    this.hookChain = this.hookChain.then(call).catch((err: unknown) => {
      this.log.error({ err: String(err) }, `role hook failed: ${String(err)}`);
    }).finally(() => {
      this.hooksPending--;
      // An entry of its own: after a stop, the overdue lease is checked before a promote goes on.
      this.opts.enter(() => this.applyTarget());
    });
  }

  /**
   * The service manager asks before every promote script (ServiceManagerOptions.promoteGate). Yes only inside
   * the entry that follows a fresh read (core/node/fresh-read.ts) asked for since the runner last turned
   * Master, once that entry has checked the lease and found the runner still Master; otherwise it asks for
   * one and the manager holds the promote until then. After a VM pause the wall clock hid, the promote may
   * have been decided on a frozen clock — by a timer that ran first, a stale grant read first, the end of the
   * previous service's promote script — and only the peers' heartbeats tell the pause (docs/safety.md R6).
   */
  mayLaunchPromote(): boolean {
    if (this.promoteWindow || !this.opts.rules.on('promote-after-read')) return true;
    this.awaitRead();
    return false;
  }

  private awaitRead(): void {
    if (this.awaitingRead || this.closed) return;
    this.awaitingRead = true;
    const turn = this.masterTurn;
    this.opts.afterFreshRead(() => this.opts.enter(() => {
      this.awaitingRead = false;
      if (this.closed) return;
      this.evaluate('sockets read before a promote');
      if (this.current !== 'Master' || !this.services) return;
      if (turn !== this.masterTurn) {
        this.awaitRead(); // turned Master again since the request: a read after that turn
        return;
      }
      this.promoteWindow = true;
      try {
        this.services.launchDue();
      } finally {
        this.promoteWindow = false;
      }
    }), this.witnessesWanted());
  }

  /** Peers whose heartbeats must tell any pause before a promote: with this node, a quorum (quorum 0: none). */
  private witnessesWanted(): number {
    return this.leaseEnforced() ? Math.max(0, this.config.cluster.quorum - 1) : 0;
  }

  private pushContext(): void {
    this.services?.setContext({ state: this.current, promoted: this.current === 'Master', masterName: this.masterName });
  }

  private applyTarget(): void {
    const s = this.services;
    if (!s || this.closed) return;
    if (this.hooksPending > 0 && this.current === 'Master') return;
    const target = targetFor(this.current, s.anyPromoted());
    if (s.target !== target) s.setTarget(target);
  }
}
