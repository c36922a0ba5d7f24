/**
 * The elector logic (SPEC §5), run by the leader only: runner records from
 * health reports, state updates (lease renewals) to runners, master
 * selection, quorum, manual master mode, maintenance, failure records, and
 * the no-two-masters rules of SPEC §3 (docs/architecture.md):
 *
 * - a state update goes only to runners heard within the ack window, so a
 *   master that went silent stops getting its lease renewed at once;
 * - a replacement for master M is promoted only when M reported itself
 *   Failed/Stopped/Passive (it cannot promote again), or when
 *   `master_lease + lease_margin` has passed since this leader last renewed
 *   M, and since this leader gained its lease quorum (covering leases that a
 *   previous leader may still have granted);
 * - with an `onFence` tap, a silent M is fenced first.
 */
import type {
  ClusterView, ElectionCandidate, HealthReport, KoiConfig, Logger, StateUpdate,
} from '../../plugin-api';
import { ACK_WINDOW_TICKS, FORGET_RUNNER_MS } from '../config/timing-defaults';
import type { ComponentContext } from '../node/component';
import { countConfiguredPeers } from './peers';
import { MAX_FAILURES, applyReport, isAtLeast, type FailureEntry, type RunnerRecord } from './records';
import { electionCandidates } from './selection';

/** What the elector needs from membership. */
export interface ElectorMembership {
  seenCount(): number;
  ackCount(): number;
  lastView(): ClusterView | null;
  viewNodes(): ClusterView['nodes'];
  /** Last time `id` was heard (any message), undefined when never. */
  lastHeard(id: string): number | undefined;
  /** Runner-flagged nodes currently in the table. */
  runnerIds(): string[];
  /** Address to reach `id` ('' when unknown). */
  addressOf(id: string): string;
  /** Latest time another node was heard leading (with a view), -Infinity when never. */
  lastOtherLeaderBeat(): number;
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
  /** Why no master is elected right now ('' when there is one or an election just ran). */
  waiting: string;
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
  private previous: PreviousMaster | null = null;
  private targetMasterId = '';
  private manualMaster = false;
  private maintenance: boolean;
  private readonly leaderSince: number;
  private quorateSince = -Infinity;
  private clusterHadMaster = false;
  private fenced = new Set<string>();
  private fencing = false;
  private waiting = '';
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
      if (view.masterId) {
        this.masterId = view.masterId;
        this.masterName = view.masterName;
        this.clusterHadMaster = true;
        this.log.info({ master: view.masterId }, `continuing with master ${view.masterName} (${view.masterId}) from the last view`);
      }
    }
  }

  applyConfig(config: KoiConfig): void {
    this.config = config;
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
    };
  }

  /**
   * Another leader's view reached this leader (two leaders after a partition
   * heals; the lower one will step down). When this leader has no master and
   * the other names one, continue with it instead of electing afresh.
   */
  absorbForeignView(view: ClusterView, leaderId: string): void {
    if (this.masterId || !view.masterId || this.manualMaster) return;
    this.masterId = view.masterId;
    this.masterName = view.masterName;
    this.clusterHadMaster = true;
    if (this.previous?.id === view.masterId) this.previous = null;
    this.log.info({ master: view.masterId, from: leaderId }, `continuing with master ${view.masterName} (${view.masterId}) named by leader ${leaderId}`);
    this.opts.onMasterChange(this.masterId, this.masterName, `named by leader ${leaderId}`);
  }

  /** A health report from runner `id` (the leader's own runner included, address ''). */
  handleHealth(id: string, report: HealthReport, address: string): void {
    const now = this.opts.clock.now();
    const before = this.records.get(id);
    const previousState = before?.state; // applyReport updates the record in place
    const { record, newFailure } = applyReport(before, id, report, address, now);
    if (!before) this.log.info({ runner: id, name: report.name }, `runner ${report.name} (${id}) reports ${report.state}`);
    else if (previousState !== record.state) this.log.info({ runner: id, from: previousState, to: record.state }, `runner ${report.name}: ${previousState} -> ${record.state}`);
    // Every report: the old incarnation may go Disconnected only after the new one first reported.
    this.retireOldIncarnations(id, report.name, now);
    this.records.set(id, record);
    if (report.state === 'Master' || report.promoted) this.clusterHadMaster = true;
    if (newFailure) this.recordFailure(record, newFailure.at, newFailure.reason);
  }

  /** One elector tick: health of runners and master, election, state updates. */
  tick(): void {
    const now = this.opts.clock.now();
    this.markSilentRunners(now);
    this.adoptReportedMaster();
    const quorum = this.config.cluster.quorum;
    const tableQuorate = quorum <= 0 || this.opts.membership.seenCount() >= quorum;
    const leaseQuorate = quorum <= 0 || this.opts.membership.ackCount() >= quorum;
    if (leaseQuorate && this.quorateSince === -Infinity) this.quorateSince = now;
    if (!leaseQuorate) {
      // Without quorum this leader's earlier election proves nothing about the future: re-check on regain.
      this.quorateSince = -Infinity;
      this.clearedMasterId = '';
    }

    if (!this.maintenance) {
      this.checkMaster(now, tableQuorate);
      this.checkTarget();
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
   * mayGrant check, and lastNamedSentAt moves with it, so the replacement
   * guard still waits lease + margin after the last renewal actually sent.
   */
  renewMaster(): void {
    if (!this.granting || !this.masterId) return;
    const now = this.opts.clock.now();
    const quorum = this.config.cluster.quorum;
    if (quorum <= 0) return;
    if (this.opts.membership.ackCount() < quorum || !this.mayGrant(now, true)) return;
    const record = this.records.get(this.masterId);
    if (!record || record.id === this.opts.self.id || !isAtLeast(record.state, 'Live') || record.mode !== 'Active') return;
    const window = ACK_WINDOW_TICKS * this.config.time.cluster_update_interval;
    const heard = Math.max(record.lastSeen, this.opts.membership.lastHeard(record.id) ?? -Infinity);
    const address = this.opts.membership.addressOf(record.id) || record.address;
    if (now - heard > window || !address) return;
    record.lastNamedSentAt = now;
    this.opts.sendState(record.id, address, this.stateUpdate(now, true, true));
  }

  // ---- admin actions (leader only) -------------------------------------------

  promote(id: string): ElectorActionResult {
    const record = this.records.get(id);
    if (!record) return { ok: false, reason: `no runner with id ${id} is known to the leader` };
    this.targetMasterId = id;
    const wasManual = this.manualMaster;
    this.manualMaster = false;
    this.warnedTarget = '';
    this.log.info({ target: id }, `target master set to ${record.name} (${id})${wasManual ? '; manual master mode off' : ''}`);
    if (id === this.masterId) this.targetMasterId = '';
    return { ok: true, message: id === this.masterId ? `${record.name} is already master` : `${record.name} will be promoted` };
  }

  demote(): ElectorActionResult {
    this.manualMaster = true;
    this.targetMasterId = '';
    if (this.masterId) this.dropMaster('koi demote: manual master mode');
    else this.log.info('manual master mode on (koi demote)');
    return { ok: true, message: 'master demoted; manual master mode: nobody is elected until `koi promote` or `koi elect`' };
  }

  elect(): ElectorActionResult {
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
      waiting: this.waiting,
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
    return record.id === this.masterId || record.id === this.previous?.id || now <= record.lastNamedSentAt + hold;
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
      // "Heard" is any message from the runner's node, as for state updates: health reports are
      // unicast, 5 per master_dead_time, so 20 % loss drops 5 in a row about once a minute per
      // runner, while its heartbeats (20 per master_dead_time) still arrive. Runner and membership
      // share one process and loop, so a node heard is a runner alive; marking it Disconnected
      // would drop a healthy master (a false failover). Safety does not rest on this (the lease).
      const heard = Math.max(record.lastSeen, this.opts.membership.lastHeard(record.id) ?? -Infinity);
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
   * Only while this leader never had a master (no master, no dropped
   * `previous`) and is not in manual master mode: a master it dropped itself
   * still reports Master until it demotes, and must not be taken back.
   * Naming a runner that already is Master promotes nobody; its lease is
   * renewed only under `mayGrant` (as for a master taken from a view), so
   * no-two-masters does not depend on where the name came from. When two
   * runners claim Master (a transient: one is about to demote), the one
   * listed first by the election order (longest uptime, earliest last seen,
   * id) is kept; the other is not named and demotes.
   */
  private adoptReportedMaster(): void {
    if (this.masterId || this.previous || this.manualMaster) return;
    const claimants = [...this.records.values()].filter((r) => r.state === 'Master' && r.mode === 'Active' && !r.stopped);
    if (claimants.length === 0) return;
    const now = this.opts.clock.now();
    const [chosen] = electionCandidates(claimants, now, this.config.time.failure_promotion_timeout);
    if (!chosen) return;
    this.masterId = chosen.id;
    this.masterName = chosen.name;
    this.clusterHadMaster = true;
    const others = claimants.filter((r) => r.id !== chosen.id).map((r) => `${r.name} (${r.id})`);
    this.log.info({ master: chosen.id, others }, `continuing with master ${chosen.name} (${chosen.id}): it reports itself Master`
      + (others.length > 0 ? `; not naming ${others.join(', ')}, which also claim Master` : ''));
    this.opts.onMasterChange(this.masterId, this.masterName, 'reports itself Master');
  }

  private checkMaster(now: number, tableQuorate: boolean): void {
    if (!this.masterId) return;
    const record = this.guardRecord(this.masterId);
    let reason = '';
    if (!tableQuorate) reason = `quorum lost (${this.opts.membership.seenCount()} of ${this.config.cluster.quorum} nodes seen)`;
    else if (!record) {
      const heard = this.opts.membership.lastHeard(this.masterId) ?? this.leaderSince;
      if (now - Math.max(heard, this.leaderSince) > this.config.time.master_dead_time) reason = 'the master never reported to this leader';
    } else if (!isAtLeast(record.state, 'Live')) reason = `the master is ${record.state}`;
    else if (record.mode === 'Passive') reason = 'the master is Passive (stopping)';
    if (reason) this.dropMaster(reason);
  }

  /** A `koi promote` target that is electable replaces the current master. */
  private checkTarget(): void {
    if (!this.targetMasterId || !this.masterId || this.targetMasterId === this.masterId) return;
    const target = this.records.get(this.targetMasterId);
    if (target && isAtLeast(target.state, 'Slave') && target.mode === 'Active' && !target.stopped) {
      this.dropMaster(`koi promote ${target.name}`);
    }
  }

  private dropMaster(reason: string): void {
    const now = this.opts.clock.now();
    this.log.warn({ master: this.masterId, reason }, `dropping master ${this.masterName} (${this.masterId}): ${reason}`);
    this.previous = { id: this.masterId, name: this.masterName, droppedAt: now };
    this.granting = false;
    this.clearedMasterId = '';
    this.masterId = '';
    this.masterName = '';
    this.opts.onMasterChange('', '', reason);
  }

  private tryElect(now: number, leaseQuorate: boolean): void {
    const wait = this.electionBlocker(now, leaseQuorate);
    if (wait) return this.setWaiting(wait);
    const candidates = electionCandidates(this.records.values(), now, this.config.time.failure_promotion_timeout);
    if (candidates.length === 0) return this.setWaiting('no electable runner');
    const ordered = this.opts.hooks.onElect.call(candidates, {
      leaderId: this.opts.self.id,
      previousMasterId: this.previous?.id ?? '',
      targetMasterId: this.targetMasterId,
    }) as ElectionCandidate[] | undefined;
    const list = Array.isArray(ordered) ? ordered.filter((c) => this.records.has(c.id)) : candidates;
    if (list.length === 0) return this.setWaiting('onElect left no candidate');
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
    if (guard) return this.setWaiting(guard);
    this.masterId = chosen.id;
    this.masterName = chosen.name;
    this.clearedMasterId = chosen.id;
    this.clusterHadMaster = true;
    if (this.targetMasterId === chosen.id) this.targetMasterId = '';
    const previous = this.previous;
    this.previous = null;
    this.setWaiting('');
    this.log.info({ master: chosen.id, previous: previous?.id ?? '' }, `elected master ${chosen.name} (${chosen.id})`);
    this.opts.onMasterChange(chosen.id, chosen.name, previous && previous.id !== chosen.id ? `replaces ${previous.name}` : 'elected');
  }

  /** Why an election may not run now ('' when it may), SPEC §5. */
  private electionBlocker(now: number, leaseQuorate: boolean): string {
    if (!leaseQuorate) return `no quorum (${this.opts.membership.ackCount()} of ${this.config.cluster.quorum} nodes answer this leader)`;
    if (this.manualMaster) return 'manual master mode (koi demote): waiting for koi promote or koi elect';
    for (const r of this.records.values()) {
      if (r.state !== 'Disconnected' && r.promoted) return `runner ${r.name} still reports promoted services`;
    }
    if (now - this.leaderSince < this.config.time.elector_startup_tolerance) return 'elector startup tolerance';
    if (!this.clusterHadMaster && now - this.opts.startedAt < this.config.time.initial_promotion_delay && !this.allPeersReported()) {
      return 'waiting for every configured peer to report (initial promotion delay)';
    }
    return '';
  }

  /** Every configured peer is in the table and every runner among them has reported. */
  private allPeersReported(): boolean {
    const expected = countConfiguredPeers(this.config.cluster.transport);
    if (expected === null) return false;
    if (this.opts.membership.seenCount() < expected) return false;
    const runners = this.opts.membership.runnerIds();
    if (this.config.node.runner) runners.push(this.opts.self.id);
    return runners.every((id) => {
      const r = this.records.get(id);
      return r !== undefined && r.state !== 'Disconnected';
    });
  }

  /** The lease rule (and fencing) before a new master replaces the previous one; '' when clear. */
  private replacementGuard(now: number, chosenId: string): string {
    const t = this.config.time;
    const hold = t.master_lease + t.lease_margin;
    const window = ACK_WINDOW_TICKS * t.cluster_update_interval;
    const prev = this.previous;
    const otherLeaderRecently = now - this.opts.membership.lastOtherLeaderBeat() <= window + hold;
    if (!this.claimsMasterFreshly(chosenId) && (prev || otherLeaderRecently)) {
      // Leases granted by another leader end at most one ack window after this leader became quorate.
      const until = this.quorateSince + window + hold;
      if (now < until) return `waiting ${Math.ceil(until - now)} ms for leases a previous leader may have granted`;
    }
    if (!prev || prev.id === chosenId) return '';
    const record = this.guardRecord(prev.id);
    // Failed, Stopped and Passive runners cannot promote again whatever a late state update says.
    const selfDemoted = record !== undefined && record.lastSeen > record.lastNamedSentAt
      && (record.state === 'Failed' || record.state === 'Stopped' || record.mode === 'Passive');
    if (selfDemoted) return '';
    const lastNamed = record?.lastNamedSentAt ?? -Infinity;
    if (now < lastNamed + hold) return `waiting ${Math.ceil(lastNamed + hold - now)} ms for the lease of ${prev.name} to run out`;
    const heard = this.opts.membership.lastHeard(prev.id) ?? -Infinity;
    const silentFor = now - Math.max(heard, record?.lastSeen ?? -Infinity);
    if (hasTaps(this.opts.hooks.onFence) && silentFor > t.master_dead_time && !this.fenced.has(prev.id)) {
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

  /**
   * Whether this tick's updates renew the master's lease. A leader that just
   * (re)gained quorum renews at once only a master whose mastership it knows
   * to be current (an unbroken chain of its own renewals, or the runner says
   * it is Master, see claimsMasterFreshly); otherwise another leader may have
   * named another master meanwhile, so it waits until any such lease ran out.
   */
  private mayGrant(now: number, leaseQuorate: boolean): boolean {
    if (!leaseQuorate || !this.masterId) return false;
    const t = this.config.time;
    const window = ACK_WINDOW_TICKS * t.cluster_update_interval;
    const hold = t.master_lease + t.lease_margin;
    if (this.granting || this.clearedMasterId === this.masterId || this.claimsMasterFreshly(this.masterId)) return true;
    return now >= this.quorateSince + window + hold;
  }

  /**
   * The runner reported itself Master in a report received one ack window or
   * more after this leader became quorate. Its lease then came from a quorate
   * leader, and any other leader lost its quorum before it could replace it
   * (a replacement waits lease + margin after its last renewal), so renewing
   * it keeps one master (docs/architecture.md).
   */
  private claimsMasterFreshly(id: string): boolean {
    const record = id ? this.records.get(id) : undefined;
    if (!record || record.state !== 'Master' || this.quorateSince === -Infinity) return false;
    const window = ACK_WINDOW_TICKS * this.config.time.cluster_update_interval;
    return record.lastSeen >= this.quorateSince + window;
  }

  private sendStateUpdates(now: number, leaseQuorate: boolean): void {
    const grant = this.mayGrant(now, leaseQuorate);
    if (!grant && this.granting) this.log.debug('master lease renewals paused');
    this.granting = grant;
    const window = ACK_WINDOW_TICKS * this.config.time.cluster_update_interval;
    const update = this.stateUpdate(now, grant, leaseQuorate);
    for (const record of this.records.values()) {
      const self = record.id === this.opts.self.id;
      // Only runners heard (any message) within the ack window: a silent master's lease is not renewed.
      const heard = Math.max(record.lastSeen, this.opts.membership.lastHeard(record.id) ?? -Infinity);
      if (!self && now - heard > window) continue;
      const address = self ? '' : (this.opts.membership.addressOf(record.id) || record.address);
      if (!self && !address) continue;
      if (record.id === this.masterId && grant) record.lastNamedSentAt = now;
      this.opts.sendState(record.id, address, update);
    }
  }

  private stateUpdate(now: number, grant: boolean, leaseQuorate: boolean): StateUpdate {
    const masterRecord = this.masterId ? this.records.get(this.masterId) : undefined;
    return {
      kind: 'state',
      masterId: this.masterId,
      masterName: this.masterName,
      masterAddress: masterRecord?.address ?? '',
      leaderName: this.opts.self.name,
      leaderUptimeMs: Math.max(0, Math.round(now - this.opts.startedAt)),
      hasQuorum: grant || (leaseQuorate && !this.masterId),
      maintenance: this.maintenance,
    };
  }

  private setWaiting(reason: string): void {
    this.waiting = reason;
    if (reason && reason !== this.lastWaitLogged) this.log.debug({ reason }, `not electing: ${reason}`);
    this.lastWaitLogged = reason;
  }

  private recordFailure(record: RunnerRecord, at: number, reason: string): void {
    const entry: FailureEntry = {
      at, atWall: this.opts.clock.wallNow() - (this.opts.clock.now() - at), nodeId: record.id, nodeName: record.name, reason,
    };
    this.failures.unshift(entry);
    if (this.failures.length > MAX_FAILURES) this.failures.length = MAX_FAILURES;
    this.log.warn({ runner: record.id, reason }, `runner ${record.name} failed: ${reason}`);
  }
}

/** Whether a plugin tapped the hook (`isUsed()` also counts koi's own interceptors). */
export function hasTaps(hook: unknown): boolean {
  const taps = (hook as { taps?: unknown[] }).taps;
  return Array.isArray(taps) && taps.length > 0;
}
