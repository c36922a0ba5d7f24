/**
 * The elector logic (SPEC §5), run by the leader only: runner records from
 * health reports, state updates (lease grants) to runners, master
 * selection, quorum, manual master mode, maintenance, failure records and
 * fencing. The lease arithmetic itself (docs/safety.md R2–R5) is in
 * `lease-rules.ts`; this class feeds it and acts on its answers:
 *
 * - a state update goes only to runners heard within the ack window, so a
 *   master that went silent stops getting its lease renewed at once;
 * - every grant carries its length and is remembered with its hold-until;
 * - a new master is elected only after every lease another leader may have
 *   granted ran out (the unconditional wait) and, for the previous master,
 *   after this leader's own last grant ran out, or once it reported itself
 *   Failed/Stopped/Passive; never while a runner reports promoted services;
 * - with an `onFence` tap, a silent previous master is fenced first.
 */
import type {
  ClusterView, ElectionCandidate, HealthReport, KoiConfig, Logger, StateUpdate,
} from '../../plugin-api';
import { ACK_WINDOW_TICKS, FORGET_RUNNER_MS } from '../config/timing-defaults';
import type { ComponentContext } from '../node/component';
import { MAX_FAILURES, applyReport, isAtLeast, type FailureEntry, type RunnerRecord } from './records';
import { electionCandidates } from './selection';
import { claimsFreshly, grant, mayGrant, otherLeadersLeasesUntil, replacementWait } from './lease-rules';
import { failoverHalt, runnerBlockers, type FailoverHalt, type NoMasterWait, type RunnerBlocker } from './no-master';

/** What the elector needs from membership. */
export interface ElectorMembership {
  seenCount(): number;
  ackCount(): number;
  lastView(): ClusterView | null;
  viewNodes(): ClusterView['nodes'];
  /** Last time `id` was heard (any message), undefined when never. */
  lastHeard(id: string): number | undefined;
  /** When this node sent the last heartbeat `id` acknowledged (it follows this leader), undefined when never. */
  lastAcked(id: string): number | undefined;
  /** Runner-flagged nodes currently in the table. */
  runnerIds(): string[];
  /** Address to reach `id` ('' when unknown). */
  addressOf(id: string): string;
  /** The longest master_lease + lease_margin advertised by any node heard in the last hour, this one included. */
  maxHoldMs(): number;
  /**
   * Every configured peer has been heard: each unicast address of
   * cluster.transport is this node's own or one some heard node was seen
   * from (a node with redundant links covers several addresses).
   */
  allConfiguredPeersHeard(): boolean;
  /** This node has seen the cluster with a master at some point (survives leadership changes). */
  everSawMaster(): boolean;
}

export interface ElectorOptions extends ComponentContext {
  membership: ElectorMembership;
  /** Send a state update to runner `id` at `address` ('' = this node's own runner). */
  sendState(id: string, address: string, update: StateUpdate): void;
  /** The master chosen by this leader changed. */
  onMasterChange(masterId: string, masterName: string, reason: string): void;
}

interface PreviousMaster {
  id: string;
  name: string;
  droppedAt: number;
  /**
   * Dropped because this leader lost sight of it (quorum lost, not heard),
   * not for anything it did or an operator asked: when it reports itself
   * Master again (another leader kept it), this leader continues with it.
   */
  lostSight: boolean;
  /**
   * Learned from another leader's view or a follower's memory, not dropped here: "not reported since"
   * means nothing for it until it had master_dead_time to report (a healthy runner reports every tick).
   */
  learned?: boolean;
}

export type ElectorActionResult = { ok: true; message: string } | { ok: false; reason: string };

export interface ElectorSnapshot {
  leaderSince: number;
  masterId: string;
  masterName: string;
  targetMasterId: string;
  manualMaster: boolean;
  maintenance: boolean;
  quorum: { configured: number; seen: number; acked: number; has: boolean };
  /** Why no master is elected right now (null when there is one or an election just ran). */
  waiting: NoMasterWait | null;
  /** Runners that are not candidates now, with why. */
  blockers: RunnerBlocker[];
  runners: RunnerRecord[];
  failures: FailureEntry[];
}

export class Elector {
  private readonly log: Logger;
  private config: KoiConfig;
  private readonly records = new Map<string, RunnerRecord>();
  /**
   * Records of runners that restarted under a new id (SPEC §1), out of the
   * status and the election, kept only while the no-two-masters rules may
   * still read them: the master, the previous master (its last renewal,
   * address and silence), or a runner named master within the replacement
   * wait. See retireOldIncarnations.
   */
  private readonly retired = new Map<string, RunnerRecord>();
  private readonly failures: FailureEntry[] = [];
  private masterId = '';
  private masterName = '';
  /** When this leader last took a master (elected, adopted from a view or a report). */
  private masterSince = -Infinity;
  private previous: PreviousMaster | null = null;
  /** Further masters followers remember while `previous` is still owed (R8): fenced before any election. */
  private readonly remembered = new Map<string, PreviousMaster>();
  private targetMasterId = '';
  private manualMaster = false;
  private maintenance: boolean;
  private readonly leaderSince: number;
  private quorateSince = -Infinity;
  private clusterHadMaster = false;
  private fenced = new Set<string>();
  private fencing = false;
  private waiting: NoMasterWait | null = null;
  /** The failover halt in force (no-master.ts), null when none. */
  private halt: FailoverHalt | null = null;
  /** Failures before this time do not count toward a failover halt (`koi elect` / `koi promote` lift it). */
  private haltClearedAt = -Infinity;
  private lastWaitLogged = '';
  private warnedTarget = '';
  /** The master this leader elected through the replacement guard ('' when none). */
  private clearedMasterId = '';
  /** The previous tick granted the master a lease (the chain of renewals is unbroken). */
  private granting = false;

  constructor(private readonly opts: ElectorOptions) {
    this.config = opts.config;
    this.log = opts.logger.child({ component: 'elector' });
    this.leaderSince = opts.clock.now();
    const view = opts.membership.lastView();
    this.maintenance = view ? view.maintenance : opts.config.node.maintenance;
    if (view) {
      this.manualMaster = view.manualMaster;
      // R8: a replacement the previous leader still owed (waiting out or fencing a silent master) is owed here too.
      this.previous = this.owedFromView(view, this.leaderSince);
      if (view.masterId) {
        this.masterId = view.masterId;
        this.masterSince = this.opts.clock.now();
        this.masterName = view.masterName;
        this.clusterHadMaster = true;
        this.log.info({ master: view.masterId }, `continuing with master ${view.masterName} (${view.masterId}) from the last view`);
      }
    }
  }

  applyConfig(config: KoiConfig): void {
    this.config = config;
  }

  /** Elections wait for an operator: manual master mode, maintenance, or a failover halt (no-master.ts). */
  get operatorHold(): boolean {
    return this.manualMaster || this.maintenance || (this.halt !== null && !this.masterId);
  }

  get master(): { id: string; name: string } {
    return { id: this.masterId, name: this.masterName };
  }

  view(): ClusterView {
    return {
      leaderId: this.opts.self.id,
      masterId: this.masterId,
      masterName: this.masterName,
      maintenance: this.maintenance,
      manualMaster: this.manualMaster,
      nodes: this.opts.membership.viewNodes(),
      ...(this.previous ? { previousMasterId: this.previous.id, previousMasterName: this.previous.name } : {}),
    };
  }

  /**
   * Another leader's view reached this leader (two leaders after a partition
   * heals; the lower one will step down). When this leader has no master and
   * the other names one, continue with it instead of electing afresh.
   */
  absorbForeignView(view: ClusterView, leaderId: string): void {
    if (!this.previous && !this.masterId) this.previous = this.owedFromView(view, this.opts.clock.now());
    if (this.masterId || !view.masterId || this.manualMaster) return;
    this.masterId = view.masterId;
    this.masterSince = this.opts.clock.now();
    this.masterName = view.masterName;
    this.clusterHadMaster = true;
    if (this.previous?.id === view.masterId) this.previous = null;
    this.remembered.clear();
    this.log.info({ master: view.masterId, from: leaderId }, `continuing with master ${view.masterName} (${view.masterId}) named by leader ${leaderId}`);
    this.opts.onMasterChange(this.masterId, this.masterName, `named by leader ${leaderId}`);
  }

  /**
   * R8: a follower remembers master `id` from the views it followed (this
   * leader never knew it: deaf, cut off, or leading apart). Without a master
   * or an owed replacement of its own, this leader owes that one's: the lease
   * rules wait it out and fencing covers it, like a master it dropped.
   */
  absorbKnownMaster(id: string, name: string, fromId: string): void {
    if (this.masterId || id === '' || id === this.opts.self.id || this.previous?.id === id || this.remembered.has(id)
      || this.isOwnPastIncarnation(id, name)) return;
    if (!this.opts.rules.on('known-master')) return;
    const owed = { id, name, droppedAt: this.opts.clock.now(), lostSight: true, learned: true };
    // The previous master keeps its place (R3's wait for it stands); a remembered one beside it is owed fencing.
    if (!this.previous) this.previous = owed;
    else this.remembered.set(id, owed);
    this.log.warn({ master: id, from: fromId }, `node ${this.records.get(fromId)?.name ?? fromId} remembers master ${name} (${id}): a new master waits for its lease to be out${hasTaps(this.opts.hooks.onFence) ? ' and for fencing when it stays silent' : ''}`);
  }

  /**
   * R3's shortcut (a planned `koi promote`): the previous master reported, after applying a state update
   * this leader sent after dropping it, that it is neither Master nor holds promoted services. That update
   * ended its lease (runner.ts handleState), and the older namings it could still receive are refused by
   * sequence number, so no lease of this leader's is left to wait out (R2 still covers other leaders').
   */
  private confirmedDemote(record: RunnerRecord, prev: PreviousMaster): boolean {
    const dropStamp = Math.round(prev.droppedAt - this.opts.startedAt) + 1;
    // A stamp above this process's uptime came from before an in-process restart (same id): not ours.
    const ours = record.appliedUpdateMs <= Math.round(this.opts.clock.now() - this.opts.startedAt);
    return ours && record.appliedUpdateMs >= dropStamp && record.lastSeen > prev.droppedAt && !record.promoted
      && record.state !== 'Master' && record.state !== 'Disconnected';
  }

  /** The dropped master a view still owes a safe replacement (R8), learned at `at`; null when none. */
  private owedFromView(view: ClusterView, at: number): PreviousMaster | null {
    const id = view.previousMasterId;
    const name = view.previousMasterName ?? '';
    if (!id || id === view.masterId || this.isOwnPastIncarnation(id, name)) return null;
    return { id, name, droppedAt: at, lostSight: true, learned: true };
  }

  /**
   * A later koinode of `prev`'s machine (same name, another id) reports: `prev`'s process is gone and the
   * successor's start-up sweep undid what it left promoted (before it sent anything).
   */
  private succeeded(prev: PreviousMaster): boolean {
    if (!prev.name) return false;
    for (const r of this.records.values()) {
      if (r.id !== prev.id && r.name === prev.name && r.state !== 'Disconnected') return true;
    }
    return false;
  }

  /**
   * A master named like this node but with another id was this machine's earlier koinode: it is gone
   * (this one runs), and this one's start-up sweep undid what it left promoted. Nothing to wait out,
   * and fencing it would shoot this very machine.
   */
  private isOwnPastIncarnation(id: string, name: string): boolean {
    return id !== this.opts.self.id && name !== '' && name === this.opts.self.name;
  }

  /** A health report from runner `id` (the leader's own runner included, address ''). */
  handleHealth(id: string, report: HealthReport, address: string): void {
    const now = this.opts.clock.now();
    const before = this.records.get(id);
    const previousState = before?.state; // applyReport updates the record in place
    const wasPromoted = before?.promoted ?? false;
    const { record, newFailure } = applyReport(before, id, report, address, now);
    if (!before) this.log.info({ runner: id, name: report.name }, `runner ${report.name} (${id}) reports ${report.state}`);
    else if (previousState !== record.state) this.log.info({ runner: id, from: previousState, to: record.state }, `runner ${report.name}: ${previousState} -> ${record.state}`);
    // Every report: the old incarnation may go Disconnected only after the new one first reported.
    this.retireOldIncarnations(id, report.name, now);
    this.records.set(id, record);
    if (report.state === 'Master' || report.promoted) this.clusterHadMaster = true;
    if (newFailure) this.recordFailure(record, newFailure.at, newFailure.reason);
    // The master (or the one just dropped) reports its demote ended (a graceful stop, `koi promote`): decide now,
    // not at the next tick. The tick applies every rule (R2, R3's shortcut, R7) as it would a moment later.
    if (wasPromoted && !record.promoted && (id === this.masterId || id === this.previous?.id)) this.tick();
  }

  /** One elector tick: health of runners and master, election, state updates. */
  tick(): void {
    const now = this.opts.clock.now();
    this.markSilentRunners(now);
    this.adoptReportedMaster();
    const quorum = this.config.cluster.quorum;
    const tableQuorate = quorum <= 0 || this.opts.membership.seenCount() >= quorum;
    const leaseQuorate = this.leaseQuorate(tableQuorate);
    if (leaseQuorate && this.quorateSince === -Infinity) this.quorateSince = now;
    if (!leaseQuorate) {
      // Without quorum this leader's earlier election proves nothing about the future: re-check on regain.
      this.quorateSince = -Infinity;
      this.clearedMasterId = '';
    }

    if (!this.maintenance) {
      this.checkMaster(now, tableQuorate);
      this.checkTarget(now);
      if (!this.masterId) this.tryElect(now, leaseQuorate);
    }
    this.sendStateUpdates(now, leaseQuorate);
  }

  /**
   * Between elector ticks (called every cluster tick): repeat the master's
   * renewal while the last tick granted it and the lease quorum still holds.
   * State updates are single unicast datagrams; at one per elector tick a
   * lease (1.2 s, 200 ms ticks) ends after 5 lost in a row, which 20 %
   * random loss does about once in 3 minutes (a false failover). Renewing at
   * the heartbeat rate needs ~23 lost in a row. Safety is unchanged: only a
   * grant the tick just made is continued, under the same quorum and
   * mayGrant check, and each one is recorded (grantTo), so the replacement
   * guard still waits lease + margin after the last renewal actually sent.
   */
  renewMaster(): void {
    if (!this.granting || !this.masterId) return;
    const now = this.opts.clock.now();
    const quorum = this.config.cluster.quorum;
    if (quorum <= 0) return;
    const tableQuorate = this.opts.membership.seenCount() >= quorum;
    if (!this.leaseQuorate(tableQuorate) || !this.mayGrant(now, true)) return;
    const record = this.records.get(this.masterId);
    if (!record || record.id === this.opts.self.id || !isAtLeast(record.state, 'Live') || record.mode !== 'Active') return;
    const window = ACK_WINDOW_TICKS * this.config.time.cluster_update_interval;
    const heard = Math.max(record.lastSeen, this.opts.membership.lastHeard(record.id) ?? -Infinity);
    const address = this.opts.membership.addressOf(record.id) || record.address;
    if (now - heard > window || !address) return;
    this.opts.sendState(record.id, address, this.stateUpdate(now, this.grantTo(record, now), true));
  }

  // ---- admin actions (leader only) -------------------------------------------

  promote(id: string): ElectorActionResult {
    const record = this.records.get(id);
    if (!record) return { ok: false, reason: `no runner with id ${id} is known to the leader` };
    this.targetMasterId = id;
    this.haltClearedAt = this.opts.clock.now();
    const wasManual = this.manualMaster;
    this.manualMaster = false;
    this.warnedTarget = '';
    this.log.info({ target: id }, `target master set to ${record.name} (${id})${wasManual ? '; manual master mode off' : ''}`);
    if (id === this.masterId) {
      this.targetMasterId = '';
      return { ok: true, message: `${record.name} is already master` };
    }
    if (!this.electable(id, this.opts.clock.now())) {
      return { ok: true, message: `${record.name} is not electable now (${record.state}, ${record.mode}${record.stopped ? ', stopped' : ''}`
        + `${record.lastFailureAt > -Infinity ? `, failed ${Math.round((this.opts.clock.now() - record.lastFailureAt) / 1000)} s ago` : ''}); `
        + `the master stays until it is, then ${record.name} will be promoted${wasManual ? '; manual master mode off' : ''}` };
    }
    return { ok: true, message: `${record.name} will be promoted${wasManual ? ' (manual master mode off)' : ''}` };
  }

  demote(): ElectorActionResult {
    this.manualMaster = true;
    this.targetMasterId = '';
    if (this.masterId) this.dropMaster('koi demote: manual master mode');
    else this.log.info('manual master mode on (koi demote)');
    return { ok: true, message: 'master demoted; manual master mode: nobody is elected until `koi promote` or `koi elect`' };
  }

  elect(): ElectorActionResult {
    this.haltClearedAt = this.opts.clock.now();
    this.manualMaster = false;
    this.targetMasterId = '';
    this.log.info('manual master mode off (koi elect): electing normally');
    return { ok: true, message: 'manual master mode off; electing normally' };
  }

  setMaintenance(on: boolean): ElectorActionResult {
    if (this.maintenance !== on) this.log.warn({ maintenance: on }, `cluster maintenance mode ${on ? 'on' : 'off'}`);
    this.maintenance = on;
    return { ok: true, message: `maintenance mode ${on ? 'on' : 'off'}` };
  }

  failureList(): FailureEntry[] {
    return [...this.failures];
  }

  snapshot(): ElectorSnapshot {
    const quorum = this.config.cluster.quorum;
    const seen = this.opts.membership.seenCount();
    const acked = this.opts.membership.ackCount();
    return {
      leaderSince: this.leaderSince,
      masterId: this.masterId,
      masterName: this.masterName,
      targetMasterId: this.targetMasterId,
      manualMaster: this.manualMaster,
      maintenance: this.maintenance,
      quorum: { configured: quorum, seen, acked, has: quorum <= 0 || seen >= quorum },
      waiting: this.masterId ? null : this.maintenance ? { code: 'maintenance', message: 'cluster maintenance mode: nobody is elected (koi maintenance off)' } : this.waiting,
      blockers: runnerBlockers(this.records.values(), this.opts.clock.now(), this.config.time.failure_promotion_timeout),
      runners: [...this.records.values()].map((r) => ({ ...r, services: [...r.services] })),
      failures: this.failureList(),
    };
  }

  // ---- internals ---------------------------------------------------------------

  /**
   * A runner reporting under a new id with the name of a runner that went
   * Disconnected (silent for master_dead_time) is that machine restarted
   * (SPEC §1: a fresh id per start): forget the old record now instead of
   * showing the machine twice for 30 minutes. A name still heard is left
   * alone (two live nodes sharing a name is a configuration error, not a
   * restart). What the replacement guard reads of the old incarnation (last
   * renewal, last seen, state, address) moves to `retired`.
   */
  private retireOldIncarnations(id: string, name: string, now: number): void {
    for (const old of [...this.records.values()]) {
      if (old.id === id || old.name !== name || old.state !== 'Disconnected') continue;
      this.records.delete(old.id);
      this.log.info({ runner: old.id, replacement: id }, `runner ${name} restarted as ${id}; forgetting ${old.id}`);
      if (this.guardMayNeed(old, now)) this.retired.set(old.id, old);
    }
  }

  /** The no-two-masters rules may still read this record (see `retired`). */
  private guardMayNeed(record: RunnerRecord, now: number): boolean {
    const hold = this.config.time.master_lease + this.config.time.lease_margin;
    return record.id === this.masterId || record.id === this.previous?.id || now <= Math.max(record.holdUntil, record.lastNamedSentAt + hold);
  }

  /** The record of runner `id`, also of a retired incarnation: for the master checks and the replacement guard only. */
  private guardRecord(id: string): RunnerRecord | undefined {
    return this.records.get(id) ?? this.retired.get(id);
  }

  private markSilentRunners(now: number): void {
    for (const record of [...this.retired.values()]) {
      if (!this.guardMayNeed(record, now) || now - record.disconnectedSince > FORGET_RUNNER_MS) this.retired.delete(record.id);
    }
    for (const record of [...this.records.values()]) {
      if (record.id === this.opts.self.id) continue;
      // "Heard" is a report, or an acknowledgement of this leader's heartbeats: health reports are
      // unicast, 5 per master_dead_time, so 20 % loss drops 5 in a row about once a minute per
      // runner, while its answers to heartbeats (20 per master_dead_time) still arrive; marking it
      // Disconnected would drop a healthy master (a false failover). Heartbeats alone are not
      // enough: a node that cannot hear this leader (deaf, cut one way) still sends them, but follows
      // another leader or none and never reports here — a master like that must be dropped, or the
      // cluster stays masterless. Safety does not rest on this (the lease).
      const heard = Math.max(record.lastSeen, this.opts.membership.lastAcked(record.id) ?? -Infinity);
      if (record.state !== 'Disconnected' && now - heard > this.config.time.master_dead_time) {
        this.log.warn({ runner: record.id }, `runner ${record.name} not heard for ${Math.round(now - heard)} ms: Disconnected`);
        record.state = 'Disconnected';
        record.promoted = false;
        record.disconnectedSince = now;
      }
      if (record.state === 'Disconnected' && now - record.disconnectedSince > FORGET_RUNNER_MS) {
        this.log.info({ runner: record.id }, `forgetting runner ${record.name}: Disconnected for ${FORGET_RUNNER_MS / 60_000} min`);
        this.records.delete(record.id);
      }
    }
  }

  /**
   * SPEC §2: a new leader continues from the cluster's last known master. A
   * leader that starts without one (it never saw a view naming a master: e.g.
   * it restarted just as the old leader vanished and won the election with
   * the highest id) learns it from the runners' health reports before its
   * first state update, instead of naming nobody, which would make the
   * sitting master demote at once (and be elected again moments later).
   *
   * Only while this leader has no master, is not in manual master mode, and
   * dropped no master for what that master did or an operator asked (a
   * master it dropped on purpose still reports Master until it demotes, and
   * must not be taken back). A master dropped because this leader lost
   * sight of it (quorum lost, not heard) is taken back when it reports
   * Master again: another leader kept it meanwhile (issue 10 case 9).
   * Naming a runner that already is Master promotes nobody; its lease is
   * renewed only under `mayGrant` (as for a master taken from a view), so
   * no-two-masters does not depend on where the name came from. When two
   * runners claim Master (a transient: one is about to demote), the one
   * listed first by the election order (longest uptime, earliest last seen,
   * id) is kept; the other is not named and demotes.
   */
  private adoptReportedMaster(): void {
    if (this.masterId || this.manualMaster || (this.previous && !this.previous.lostSight)) return;
    const claimants = [...this.records.values()].filter((r) => r.state === 'Master' && r.mode === 'Active' && !r.stopped);
    if (claimants.length === 0) return;
    const now = this.opts.clock.now();
    const [chosen] = electionCandidates(claimants, now, this.config.time.failure_promotion_timeout);
    if (!chosen) return;
    this.masterId = chosen.id;
    this.masterSince = this.opts.clock.now();
    this.masterName = chosen.name;
    this.clusterHadMaster = true;
    if (this.previous?.id === chosen.id) this.previous = null;
    const others = claimants.filter((r) => r.id !== chosen.id).map((r) => `${r.name} (${r.id})`);
    this.log.info({ master: chosen.id, others }, `continuing with master ${chosen.name} (${chosen.id}): it reports itself Master`
      + (others.length > 0 ? `; not naming ${others.join(', ')}, which also claim Master` : ''));
    this.opts.onMasterChange(this.masterId, this.masterName, 'reports itself Master');
  }

  private checkMaster(now: number, tableQuorate: boolean): void {
    if (!this.masterId) return;
    const record = this.guardRecord(this.masterId);
    let reason = '';
    let lostSight = true;
    if (!tableQuorate) reason = `quorum lost (${this.opts.membership.seenCount()} of ${this.config.cluster.quorum} nodes seen)`;
    else if (!record) {
      // Heard or not (a deaf master still sends heartbeats but follows no one here): no report within
      // master_dead_time of this leader taking it, and it is not this leader's master.
      if (now - Math.max(this.masterSince, this.leaderSince) > this.config.time.master_dead_time) reason = 'the master never reported to this leader';
    } else if (record.state === 'Disconnected' && now - this.masterSince <= this.config.time.master_dead_time
      && now - (this.opts.membership.lastHeard(record.id) ?? -Infinity) <= this.config.time.master_dead_time) {
      // A stale record (e.g. this leader was cut off from the master and the partition healed):
      // the master is heard again, so give its health report time to arrive instead of dropping it.
    } else if (record.state === 'Disconnected') reason = 'the master is Disconnected';
    else if (!isAtLeast(record.state, 'Live')) {
      reason = `the master is ${record.state}`;
      lostSight = false;
    } else if (record.mode === 'Passive') {
      reason = 'the master is Passive (stopping)';
      lostSight = false;
    }
    if (reason) this.dropMaster(reason, lostSight);
  }

  /**
   * A `koi promote` target replaces the current master only once it is
   * electable by the same rule the election uses (never drop a healthy
   * master for a target the election would then pass over).
   */
  private checkTarget(now: number): void {
    if (!this.targetMasterId || !this.masterId || this.targetMasterId === this.masterId) return;
    const target = this.records.get(this.targetMasterId);
    if (target && this.electable(target.id, now)) this.dropMaster(`koi promote ${target.name}`);
  }

  /** Runner `id` is among the election candidates right now (selection.ts; the failure timeout applies strictly). */
  private electable(id: string, now: number): boolean {
    const record = this.records.get(id);
    if (!record) return false;
    const recentlyFailed = record.lastFailureAt > -Infinity && now - record.lastFailureAt < this.config.time.failure_promotion_timeout;
    return !recentlyFailed && electionCandidates([record], now, this.config.time.failure_promotion_timeout).length === 1;
  }

  private dropMaster(reason: string, lostSight = false): void {
    const now = this.opts.clock.now();
    this.log.warn({ master: this.masterId, reason }, `dropping master ${this.masterName} (${this.masterId}): ${reason}`);
    this.previous = { id: this.masterId, name: this.masterName, droppedAt: now, lostSight };
    this.granting = false;
    this.clearedMasterId = '';
    this.masterId = '';
    this.masterName = '';
    this.opts.onMasterChange('', '', reason);
  }

  private tryElect(now: number, leaseQuorate: boolean): void {
    const wait = this.electionBlocker(now, leaseQuorate);
    if (wait) return this.setWaiting(wait);
    const halt = this.checkFailoverHalt(now);
    if (halt) return this.setWaiting(halt);
    const candidates = electionCandidates(this.records.values(), now, this.config.time.failure_promotion_timeout);
    if (candidates.length === 0) return this.setWaiting({ code: 'no-electable-runner', message: 'no electable runner' });
    const ordered = this.opts.hooks.onElect.call(candidates, {
      leaderId: this.opts.self.id,
      previousMasterId: this.previous?.id ?? '',
      targetMasterId: this.targetMasterId,
    }) as ElectionCandidate[] | undefined;
    const list = Array.isArray(ordered) ? ordered.filter((c) => this.records.has(c.id)) : candidates;
    if (list.length === 0) return this.setWaiting({ code: 'on-elect-empty', message: 'the onElect hook left no candidate' });
    let chosen = list[0];
    if (this.targetMasterId) {
      const target = list.find((c) => c.id === this.targetMasterId);
      if (target) chosen = target;
      else if (this.warnedTarget !== this.targetMasterId) {
        this.warnedTarget = this.targetMasterId;
        this.log.warn({ target: this.targetMasterId }, `target master ${this.targetMasterId} is not electable; electing normally`);
        this.targetMasterId = '';
      }
    }
    const guard = this.replacementGuard(now, chosen.id);
    if (guard) return this.setWaiting({ code: guard.startsWith('waiting for fencing') ? 'fencing' : 'lease-wait', message: guard });
    this.masterId = chosen.id;
    this.masterSince = this.opts.clock.now();
    this.masterName = chosen.name;
    this.clearedMasterId = chosen.id;
    this.clusterHadMaster = true;
    if (this.targetMasterId === chosen.id) this.targetMasterId = '';
    const previous = this.previous;
    this.previous = null;
    this.remembered.clear();
    this.setWaiting(null);
    this.log.info({ master: chosen.id, previous: previous?.id ?? '' }, `elected master ${chosen.name} (${chosen.id})`);
    this.opts.onMasterChange(chosen.id, chosen.name, previous && previous.id !== chosen.id ? `replaces ${previous.name}` : 'elected');
  }

  /** Why an election may not run now (null when it may), SPEC §5. */
  private electionBlocker(now: number, leaseQuorate: boolean): NoMasterWait | null {
    if (!leaseQuorate) {
      return { code: 'no-quorum', message: `no quorum: ${this.opts.membership.ackCount()} of ${this.config.cluster.quorum} needed nodes answer this leader` };
    }
    if (this.manualMaster) return { code: 'manual-master', message: 'manual master mode (koi demote): waiting for koi promote or koi elect' };
    if (this.opts.rules.on('promoted-services-guard')) {
      for (const r of this.records.values()) {
        if (r.state !== 'Disconnected' && r.promoted) return { code: 'promoted-services', message: `runner ${r.name} still reports promoted services` };
      }
    }
    if (now - this.leaderSince < this.config.time.elector_startup_tolerance) {
      const until = this.leaderSince + this.config.time.elector_startup_tolerance;
      return { code: 'startup-delay', message: `new leader: letting runners report (elector_startup_tolerance, ${Math.ceil((until - now) / 1000)} s left)`, until };
    }
    // With quorum on, the lease rules make a first election safe without hearing every peer
    // (docs/safety.md "initial_promotion_delay"); without quorum nothing else stops a node that boots
    // cut off from its peers from promoting at once, so the original's delay stays.
    if (this.config.cluster.quorum <= 0 && !this.clusterHadMaster && !this.opts.membership.everSawMaster()
      && now - this.opts.startedAt < this.config.time.initial_promotion_delay && !this.allPeersReported()) {
      const until = this.opts.startedAt + this.config.time.initial_promotion_delay;
      return {
        code: 'startup-delay', until,
        message: `waiting for every configured peer to report (initial_promotion_delay, quorum off; ${Math.ceil((until - now) / 1000)} s left)`,
      };
    }
    return null;
  }

  /** Every configured peer was heard (nodes, not addresses: redundant links count once) and every runner among them reported. */
  private allPeersReported(): boolean {
    if (!this.opts.membership.allConfiguredPeersHeard()) return false;
    const runners = this.opts.membership.runnerIds();
    if (this.config.node.runner) runners.push(this.opts.self.id);
    return runners.every((id) => {
      const r = this.records.get(id);
      return r !== undefined && r.state !== 'Disconnected';
    });
  }

  /** The lease rules (lease-rules.ts) and fencing before `chosenId` becomes master; '' when clear. */
  private replacementGuard(now: number, chosenId: string): string {
    const t = this.config.time;
    const prev = this.previous && this.previous.id !== chosenId ? this.previous : null;
    const record = prev ? this.guardRecord(prev.id) : undefined;
    const wait = replacementWait({
      now,
      othersUntil: this.othersUntil(),
      chosenClaimsFreshly: this.claimsMasterFreshly(chosenId),
      previous: prev ? {
        name: prev.name,
        holdUntil: record?.holdUntil ?? -Infinity,
        // Failed, Stopped and Passive runners cannot promote again whatever a late state update says;
        // nor can one that confirmed its demote after applying an update of this leader that dropped it.
        selfDemoted: record !== undefined && ((record.lastSeen > record.lastNamedSentAt
          && (record.state === 'Failed' || record.state === 'Stopped' || record.mode === 'Passive'))
          || this.confirmedDemote(record, prev!)),
      } : null,
    });
    if (wait) return wait;
    // Every master this leader owes a replacement: the one it dropped (or inherited) and those its followers remember.
    for (const owed of [...(prev ? [prev] : []), ...this.remembered.values()]) {
      if (owed.id === chosenId) continue;
      const fence = this.fenceGuard(now, owed, t.master_dead_time);
      if (fence) return fence;
    }
    return '';
  }

  /**
   * Fencing promises no overlap at all: a previous master that has not reported to this leader since it
   * was dropped (silent, or heard but following no one here: deaf, cut one way) may still be demoting or
   * worse; only one whose reports show it released the role (R7 waits for those) needs no fence.
   */
  private fenceGuard(now: number, prev: PreviousMaster, deadTime: number): string {
    if (prev.id === this.opts.self.id) return ''; // this leader's own runner reports locally; never fence this machine
    const record = this.guardRecord(prev.id);
    const heard = this.opts.membership.lastHeard(prev.id) ?? -Infinity;
    const silentFor = now - Math.max(heard, record?.lastSeen ?? -Infinity);
    const reported = record !== undefined && record.state !== 'Disconnected' && record.lastSeen > prev.droppedAt;
    // A learned master gets master_dead_time to report before "not reported" counts against it.
    const unreported = !reported && (!prev.learned || now - prev.droppedAt > deadTime);
    if (this.opts.rules.on('fencing') && hasTaps(this.opts.hooks.onFence) && (silentFor > deadTime || unreported)
      && !this.fenced.has(prev.id) && !this.succeeded(prev)) {
      this.startFence(prev, record?.address ?? this.opts.membership.addressOf(prev.id), silentFor);
      return `waiting for fencing of ${prev.name}`;
    }
    return '';
  }

  private startFence(prev: PreviousMaster, address: string, silentFor: number): void {
    if (this.fencing) return;
    this.fencing = true;
    this.log.warn({ node: prev.id }, `fencing silent master ${prev.name} (${prev.id}), silent for ${Math.round(silentFor)} ms`);
    const request = { nodeId: prev.id, name: prev.name, addresses: address ? [address] : [], silentForMs: Math.round(silentFor) };
    this.opts.hooks.onFence.promise(request).then((result) => {
      if (result?.ok) {
        this.fenced.add(prev.id);
        this.log.warn({ node: prev.id, detail: result.detail }, `fenced ${prev.name}: ${result.detail}`);
      } else {
        this.log.error({ node: prev.id, detail: result?.detail ?? 'no fencing plugin answered' },
          `fencing ${prev.name} failed: ${result?.detail ?? 'no fencing plugin answered'}; retrying`);
      }
    }, (err: unknown) => {
      this.log.error({ node: prev.id, err: String(err) }, `fencing ${prev.name} failed: ${String(err)}; retrying`);
    }).finally(() => {
      this.fencing = false;
    });
  }

  /** R7: a runner other than `exceptId`, heard, still reports promoted services (unless the teeth run disabled the rule). */
  private otherRunnerPromoted(exceptId: string): boolean {
    if (!this.opts.rules.on('promoted-services-guard')) return false;
    for (const r of this.records.values()) if (r.id !== exceptId && r.state !== 'Disconnected' && r.promoted) return true;
    return false;
  }

  /** Lease quorum: acknowledgements from a quorum (R4); with that rule disabled (teeth run), the node table's count. */
  private leaseQuorate(tableQuorate: boolean): boolean {
    const quorum = this.config.cluster.quorum;
    if (quorum <= 0) return true;
    if (!this.opts.rules.on('renewal-ack-quorum')) return tableQuorate;
    return this.opts.membership.ackCount() >= quorum;
  }

  /** Until when a lease granted by another leader may still run (R2). */
  private othersUntil(): number {
    const hold = Math.max(this.config.time.master_lease + this.config.time.lease_margin, this.opts.membership.maxHoldMs());
    return otherLeadersLeasesUntil(this.quorateSince, hold, this.opts.rules.on('unconditional-wait'));
  }

  /**
   * Whether this tick's updates renew the master's lease (lease-rules.ts `mayGrant`, R5). A grant to a named
   * master that does not hold a lease now (not Master, not elected here, no unbroken chain) promotes it: an
   * election in effect, so R7 applies too (no other runner still reports promoted services).
   */
  private mayGrant(now: number, leaseQuorate: boolean): boolean {
    const record = this.masterId ? this.records.get(this.masterId) : undefined;
    const inEffectElection = !this.granting && this.clearedMasterId !== this.masterId && record?.state !== 'Master';
    if (inEffectElection && this.otherRunnerPromoted(this.masterId)) return false;
    return mayGrant({
      leaseQuorate,
      hasMaster: this.masterId !== '',
      chainUnbroken: this.granting,
      electedHere: this.masterId !== '' && this.clearedMasterId === this.masterId,
      claimsFreshly: this.claimsMasterFreshly(this.masterId),
      now,
      othersUntil: this.othersUntil(),
    });
  }

  /** Runner `id` reported itself Master after this leader became quorate (lease-rules.ts `claimsFreshly`). */
  private claimsMasterFreshly(id: string): boolean {
    const record = id ? this.records.get(id) : undefined;
    if (!record) return false;
    const window = ACK_WINDOW_TICKS * this.config.time.cluster_update_interval;
    return claimsFreshly(record.state === 'Master', record.lastSeen, this.quorateSince, window);
  }

  /** Record a lease grant to the master now; returns the lease length the update carries. */
  private grantTo(record: RunnerRecord, now: number): number {
    const g = grant(now, this.config.time.master_lease, this.config.time.lease_margin);
    record.lastNamedSentAt = now;
    record.holdUntil = Math.max(record.holdUntil, g.holdUntil);
    return g.leaseMs;
  }

  private sendStateUpdates(now: number, leaseQuorate: boolean): void {
    const granting = this.mayGrant(now, leaseQuorate);
    if (!granting && this.granting) this.log.debug('master lease renewals paused');
    this.granting = granting;
    const window = ACK_WINDOW_TICKS * this.config.time.cluster_update_interval;
    for (const record of this.records.values()) {
      const self = record.id === this.opts.self.id;
      // Only runners heard (any message) within the ack window: a silent master's lease is not renewed.
      const heard = Math.max(record.lastSeen, this.opts.membership.lastHeard(record.id) ?? -Infinity);
      if (!self && now - heard > window) continue;
      // A stale record (Disconnected, heard again but not yet reported): its runner may be a master
      // another leader kept; wait for its report (adoptReportedMaster) instead of naming nobody to it.
      if (!self && record.state === 'Disconnected') continue;
      const address = self ? '' : (this.opts.membership.addressOf(record.id) || record.address);
      if (!self && !address) continue;
      const leaseMs = record.id === this.masterId && granting ? this.grantTo(record, now) : 0;
      this.opts.sendState(record.id, address, this.stateUpdate(now, leaseMs, leaseQuorate));
    }
  }

  /** A state update; `leaseMs` > 0 when it grants the named master its lease. */
  private stateUpdate(now: number, leaseMs: number, leaseQuorate: boolean): StateUpdate {
    const masterRecord = this.masterId ? this.records.get(this.masterId) : undefined;
    return {
      kind: 'state',
      masterId: this.masterId,
      masterName: this.masterName,
      masterAddress: masterRecord?.address ?? '',
      leaderName: this.opts.self.name,
      leaderUptimeMs: Math.max(0, Math.round(now - this.opts.startedAt)),
      hasQuorum: leaseMs > 0 || (leaseQuorate && !this.masterId),
      maintenance: this.maintenance,
      leaseMs,
    };
  }

  /** Logged when its kind changes, not for every second of a countdown. */
  private setWaiting(wait: NoMasterWait | null): void {
    this.waiting = wait;
    const key = wait ? `${wait.code}:${wait.code === 'startup-delay' || wait.code === 'lease-wait' ? '' : wait.message}` : '';
    if (wait && key !== this.lastWaitLogged) this.log.debug(`not electing: ${wait.message}`);
    this.lastWaitLogged = key;
  }

  /**
   * The failover-storm rule (no-master.ts `failoverHalt`): said loudly once
   * when it starts (error log, onFailoverHalt) and when it ends.
   */
  private checkFailoverHalt(now: number): NoMasterWait | null {
    const since = Math.max(now - this.config.time.failcount_reset, this.haltClearedAt);
    const halt = failoverHalt(this.records.values(), since);
    const before = this.halt;
    this.halt = halt;
    const message = halt
      ? `failover halted: every runner (${halt.runners.join(', ')}) failed service ${halt.service} recently; `
        + 'not electing until an operator acts (fix the cause, then koi recover NODE or --all, koi promote NODE, or koi elect)'
      : '';
    if (halt && (!before || before.service !== halt.service)) {
      this.log.error(message);
      this.opts.hooks.onFailoverHalt.call({ halted: true, service: halt.service, runners: halt.runners, message });
    } else if (!halt && before) {
      this.log.warn(`failover resumed: ${before.service} no longer failed on every runner`);
      this.opts.hooks.onFailoverHalt.call({ halted: false, service: before.service, runners: before.runners, message: 'failover resumed' });
    }
    return halt ? { code: 'failover-halted', message } : null;
  }

  private recordFailure(record: RunnerRecord, at: number, reason: string): void {
    const entry: FailureEntry = {
      at, atWall: this.opts.clock.wallNow() - (this.opts.clock.now() - at), nodeId: record.id, nodeName: record.name, reason,
      output: [...record.lastFailureOutput],
    };
    this.failures.unshift(entry);
    if (this.failures.length > MAX_FAILURES) this.failures.length = MAX_FAILURES;
    this.log.warn(`runner ${record.name} failed: ${reason}${entry.output.length ? `; last output: ${entry.output.join(' | ')}` : ''}`);
  }
}

/** Whether a plugin tapped the hook (`isUsed()` also counts koi's own interceptors). */
export function hasTaps(hook: unknown): boolean {
  const taps = (hook as { taps?: unknown[] }).taps;
  return Array.isArray(taps) && taps.length > 0;
}
