/**
 * The elector (SPEC §5), run by the leader only: the orchestration of which
 * master the cluster has — taking one from a view or a report, dropping it,
 * electing a new one, granting its lease in state updates — plus manual
 * master mode, maintenance and the admin actions. Each rule it applies has
 * its own module: the runner records (runner-table.ts), when an election may
 * run (election-gate.ts), the lease arithmetic (lease-rules.ts, docs/safety.md
 * R2–R5) and the leader's lease state (lease-keeper.ts), owed replacements (owed.ts), fencing (fencing.ts), the failover
 * halt (failover-halt.ts), the updates' content (state-updates.ts):
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
import type { ClusterView, ElectionCandidate, HealthReport, KoiConfig, Logger, StateUpdate } from '../../plugin-api';
import { renewalSpacingMs } from '../config/timing-defaults';
import { ackWindowMs } from '../config/safety-bounds';
import { isAtLeast, type FailureEntry, type RunnerRecord } from './records';
import { electionCandidates } from './selection';
import { replacementWait, replacementWaitEnds } from './lease-rules';
import { LeaseKeeper } from './lease-keeper';
import { runnerBlockers, type NoMasterWait } from './no-master';
import { confirmedDemote, isOwnPastIncarnation, owedFromView, succeeded, type PreviousMaster } from './owed';
import { Fencer, hasTaps, type FenceWait } from './fencing';
import { RunnerTable } from './runner-table';
import { FailoverHaltWatch } from './failover-halt';
import { allPeersReported, electionBlocker, unreportedRunner } from './election-gate';
import { recipientAddress, stateUpdate, type LeaseGrant } from './state-updates';
import type { ElectorActionResult, ElectorOptions, ElectorSnapshot } from './types';
import type { MasterToRenew } from './lease-keeper';
import type { ElectionGateInput } from './election-gate';
import { KNOWN_MASTER_MEMORY_MS } from '../config/timing-defaults';

export type { ElectorActionResult, ElectorMembership, ElectorOptions, ElectorSnapshot } from './types';
export { hasTaps } from './fencing';

export class Elector {
  private readonly log: Logger;
  private config: KoiConfig;
  /** The runners' records (runner-table.ts): the one place they live. */
  private readonly runners: RunnerTable;
  private masterId = '';
  private masterName = '';
  /** When this leader last took a master (elected, adopted from a view or a report). */
  private masterSince = -Infinity;
  /** The master was taken from the last view and has not yet reported itself Master here (adoptReportedMaster). */
  private masterFromView = false;
  private previous: PreviousMaster | null = null;
  /** A tick is running (handleHealth must not start another inside it). */
  private ticking = false;
  /** The last tick named a master but had no lease quorum to renew it with (quorumAwaited). */
  private renewalAwaitsQuorum = false;
  /** Further masters followers remember while `previous` is still owed (R8): fenced before any election. */
  private readonly remembered = new Map<string, PreviousMaster>();
  private targetMasterId = '';
  private manualMaster = false;
  private maintenance: boolean;
  private readonly leaderSince: number;
  private clusterHadMaster = false;
  private readonly fencer: Fencer;
  private waiting: NoMasterWait | null = null;
  /** Why the named master's first grant (an election in effect) is held this round; null when it is not (promotionWait). */
  private promotionHold: NoMasterWait | null = null;
  /** When the wait that held this tick's election ends by itself (pendingDecisionAt, scheduleDecision); cleared by every tick. */
  private electAgainAt: number | undefined;
  private readonly halt: FailoverHaltWatch;
  private lastWaitLogged = '';
  private warnedTarget = '';
  /** The master this leader elected through the replacement guard ('' when none). */
  private clearedMasterId = '';
  /** Lease quorum, renewal chain and grants (R2–R5). */
  private readonly lease: LeaseKeeper;

  constructor(private readonly opts: ElectorOptions) {
    this.config = opts.config;
    this.log = opts.logger.child({ component: 'elector' });
    this.runners = new RunnerTable(this.log, opts.clock, (record, now) => this.guardMayNeed(record, now));
    this.fencer = new Fencer(this.log, opts.hooks, opts.rules, opts.self.id);
    this.halt = new FailoverHaltWatch(this.log, opts.hooks);
    this.lease = new LeaseKeeper(() => this.config, opts.membership, opts.rules, this.log, opts.self.id);
    this.leaderSince = opts.clock.now();
    const view = opts.membership.lastView();
    this.maintenance = view ? view.maintenance : opts.config.node.maintenance;
    if (view) {
      this.manualMaster = view.manualMaster;
      // R8: a replacement the previous leader still owed (waiting out or fencing a silent master) is owed here too.
      this.previous = owedFromView(this.opts.self, view, this.leaderSince);
      if (view.masterId) {
        this.masterId = view.masterId;
        this.masterSince = this.opts.clock.now();
        this.masterName = view.masterName;
        this.clusterHadMaster = true;
        this.masterFromView = true;
        this.log.info({ master: view.masterId }, `continuing with master ${view.masterName} (${view.masterId}) from the last view`);
      }
    }
    // R8 from this node's own memory (membership knownMaster, kept across restarts by node.state_file): nobody else
    // may remember that master. Also when the view names one: a stale view's, not promoted yet, does not settle it
    // (absorbKnownMaster ignores it when the named master holds the role or is the same).
    const remembered = opts.membership.rememberedMaster();
    if (remembered) this.absorbKnownMaster(remembered.id, remembered.name, opts.self.id, remembered.ageMs);
  }

  applyConfig(config: KoiConfig): void {
    this.config = config;
  }

  /** Elections wait for an operator: manual master mode, maintenance, or a failover halt (no-master.ts). */
  get operatorHold(): boolean {
    return this.manualMaster || this.maintenance || (this.halt.active && !this.masterId);
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
    if (!this.previous && !this.masterId) this.previous = owedFromView(this.opts.self, view, this.opts.clock.now());
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
   * rules wait it out and fencing covers it, like a master it dropped. So it
   * does while the master it names holds no lease yet (a view's master that
   * is not Master): that master's first grant is an election in effect, and
   * the remembered one is fenced before it (promotionWait).
   */
  absorbKnownMaster(id: string, name: string, fromId: string, ageMs = 0): void {
    if (id === '' || id === this.opts.self.id || id === this.masterId || this.previous?.id === id || this.remembered.has(id)
      || isOwnPastIncarnation(this.opts.self, id, name)) return;
    if (this.masterId && !this.lease.grantPromotes(this.masterToRenew())) return;
    if (!this.opts.rules.on('known-master')) return;
    const now = this.opts.clock.now();
    const owed = { id, name, droppedAt: now, lostSight: true, learned: true, forgetAt: now - ageMs + KNOWN_MASTER_MEMORY_MS };
    // The previous master keeps its place (R3's wait for it stands); a remembered one beside it is owed fencing.
    // Only `previous` travels in the view (`previousMasterId`) to the next leader.
    if (!this.previous) this.previous = owed;
    else this.remembered.set(id, owed);
    const waiter = this.masterId ? `the promotion of ${this.masterName}` : 'a new master';
    const who = fromId === this.opts.self.id ? 'this node' : `node ${this.runners.get(fromId)?.name ?? fromId}`;
    this.log.warn({ master: id, from: fromId }, `${who} remembers master ${name} (${id}): ${waiter} waits for its lease to be out${hasTaps(this.opts.hooks.onFence) ? ' and for fencing when it stays silent' : ''}`);
  }

  /** A health report from runner `id` (the leader's own runner included, address ''). */
  handleHealth(id: string, report: HealthReport, address: string): void {
    const wasPromoted = this.runners.get(id)?.promoted ?? false; // report() updates the record in place
    const record = this.runners.report(id, report, address, this.opts.clock.now());
    if (report.state === 'Master' || report.promoted) this.clusterHadMaster = true;
    if (report.state !== 'Master') this.withdrawClaims(record, this.opts.clock.now());
    // The master (or the one just dropped) reports its demote ended (a graceful stop, `koi promote`): decide now,
    // not at the next tick. The tick applies every rule (R2, R3's shortcut, R7) as it would a moment later.
    // (Not from inside a tick: the leader's own runner reports synchronously while the tick sends it its update.)
    const heldByIt = (this.masterId ? this.promotionHold : this.waiting)?.code === 'promoted-services';
    if (wasPromoted && !record.promoted && (id === this.masterId || id === this.previous?.id || heldByIt) && !this.ticking) this.tick();
  }

  /**
   * The last tick could not renew the named master for want of the lease quorum (after a stall of this leader,
   * all its answers are older than the ack window): tick again at every cluster tick until it is back, not an
   * elector interval later, so that the renewal is not later than the quorum's return (liveness only: a tick
   * applies every rule; protocol 6, the fast profile's 100 ms stall of a leader that is master).
   */
  quorumAwaited(): boolean {
    return this.renewalAwaitsQuorum;
  }

  /** The lease quorum began since last asked: send a heartbeat now (LeaseKeeper.takeQuorumBegan). */
  heartbeatWanted(): boolean {
    return this.lease.takeQuorumBegan();
  }

  /** One elector tick: health of runners and master, election, state updates. */
  tick(): void {
    this.ticking = true;
    try {
      this.tickOnce();
    } finally {
      this.ticking = false;
    }
  }

  private tickOnce(): void {
    const now = this.opts.clock.now();
    this.electAgainAt = undefined;
    this.forgetOldDebts(now);
    this.runners.markSilent(now, this.opts.self.id, this.config.time.master_dead_time, (id) => this.opts.membership.lastAcked(id));
    this.adoptReportedMaster();
    const quorum = this.config.cluster.quorum;
    const tableQuorate = quorum <= 0 || this.opts.membership.seenCount() >= quorum;
    const leaseQuorate = this.lease.track(now, this.lease.quorate(tableQuorate));
    this.renewalAwaitsQuorum = !leaseQuorate && this.masterId !== '';
    // Without quorum this leader's earlier election proves nothing about the future: re-check on regain.
    if (!leaseQuorate) this.clearedMasterId = '';

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
   * random loss does about once in 3 minutes (a false failover). Renewing
   * RENEWALS_PER_LEASE times a lease (at most once per heartbeat) needs 12
   * lost in a row. Safety is unchanged: only a
   * grant the tick just made is continued, under the same quorum and
   * mayGrant check, and each one is recorded (grantTo), so the replacement
   * guard still waits lease + margin after the last renewal actually sent.
   */
  renewMaster(): void {
    if (!this.lease.granting || !this.masterId) return;
    const now = this.opts.clock.now();
    const quorum = this.config.cluster.quorum;
    if (quorum <= 0) return;
    const tableQuorate = this.opts.membership.seenCount() >= quorum;
    if (!this.lease.quorate(tableQuorate) || !this.mayGrant(now, true)) return;
    const record = this.runners.get(this.masterId);
    if (!record || record.id === this.opts.self.id || !isAtLeast(record.state, 'Live') || record.mode !== 'Active') return;
    const spacing = renewalSpacingMs(this.config.time);
    if (now - record.lastNamedSentAt < spacing) return;
    const address = recipientAddress(record, now, ackWindowMs(this.config.time.cluster_update_interval), this.opts.membership);
    if (address === null) return;
    const lease = this.grantLease(record, now);
    if (lease) this.opts.sendState(record.id, address, this.stateUpdate(now, lease, true));
  }

  /**
   * A lease grant to the master `record` now (R3), with where it ends on the runner's clock; null, and no grant
   * recorded, when this node never heard that clock (no heartbeat of the runner yet: its next one gives it).
   */
  private grantLease(record: RunnerRecord, now: number): LeaseGrant | null {
    const leaseEnd = this.opts.leaseEnd(record.id, now + this.config.time.master_lease);
    if (!leaseEnd) {
      this.log.debug({ runner: record.id }, `no lease for ${record.name} yet: none of its heartbeats heard, so its clock is unknown`);
      return null;
    }
    return { leaseMs: this.lease.grantTo(record, now), leaseEnd };
  }

  // ---- admin actions (leader only) -------------------------------------------

  promote(id: string): ElectorActionResult {
    const record = this.runners.get(id);
    if (!record) return { ok: false, reason: `no runner with id ${id} is known to the leader` };
    this.targetMasterId = id;
    this.halt.lift(this.opts.clock.now());
    const wasManual = this.manualMaster;
    this.manualMaster = false;
    this.warnedTarget = '';
    this.log.info({ target: id }, `target master set to ${record.name} (${id})${wasManual ? '; manual master mode off' : ''}`);
    if (id === this.masterId) {
      this.targetMasterId = '';
      this.masterFromView = false; // the operator confirmed it: checkViewMaster must not swap it
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
    this.halt.lift(this.opts.clock.now());
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
    return this.runners.failureList();
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
      waiting: this.masterId ? this.promotionHold : this.maintenance ? { code: 'maintenance', message: 'cluster maintenance mode: nobody is elected (koi maintenance off)' } : this.waiting,
      blockers: runnerBlockers(this.runners.values(), this.opts.clock.now(), this.config.time.failure_promotion_timeout),
      runners: [...this.runners.values()].map((r) => ({ ...r, services: [...r.services] })),
      failures: this.failureList(),
    };
  }

  // ---- internals ---------------------------------------------------------------

  /** The no-two-masters rules may still read this record (see `retired`). */
  private guardMayNeed(record: RunnerRecord, now: number): boolean {
    const hold = this.config.time.master_lease + this.config.time.lease_margin;
    return record.id === this.masterId || record.id === this.previous?.id || now <= Math.max(record.holdUntil, record.lastNamedSentAt + hold);
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
    if (this.masterFromView) this.checkViewMaster();
    if (this.masterId || this.manualMaster || (this.previous && !this.previous.lostSight)) return;
    const claimants = [...this.runners.values()].filter(claimsMaster);
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

  /**
   * The last view can be stale: a node that stalled reads the heartbeats
   * queued meanwhile and may lead again with a view that still names a
   * master (itself, say) whose lease ran out during the stall while another
   * leader replaced it. When the master taken from the view reports that it
   * is not Master, this leader granted it nothing, and another runner
   * reports itself Master, that runner is the cluster's master: keep it
   * (adoptReportedMaster) instead of demoting it to re-promote a node that
   * no longer holds the role. A report of promoted services without the
   * Master state is a demote under way (its lease ran out), not a
   * confirmation: the demote scripts often outlast the new leader's first
   * ticks. Naming a runner that already is Master promotes nobody; the
   * dropped one holds no lease (not Master, never renewed here) and any
   * later election still waits for its demote (R7 reads every record's
   * promoted services). The lease chain restarts, as for every other
   * adoption of a reported master (R5). This only spares the cluster a
   * needless failback.
   */
  private checkViewMaster(): void {
    if (!this.masterId || (this.previous && !this.previous.lostSight)) return;
    const record = this.runners.get(this.masterId);
    if (!record) return; // not reported yet
    if (record.state === 'Master' || record.lastNamedSentAt > -Infinity || this.manualMaster) {
      this.masterFromView = false; // confirmed, or this leader renewed it: it is this leader's master now
      return;
    }
    const other = [...this.runners.values()].some((r) => r.id !== this.masterId && claimsMaster(r));
    if (!other) return;
    this.log.info({ master: this.masterId }, `not continuing with master ${this.masterName} (${this.masterId}) from the last view: it reports ${record.state}${record.promoted ? ' (demoting)' : ''}, another runner reports itself Master`);
    this.masterFromView = false;
    this.lease.breakChain();
    this.masterId = '';
    this.masterName = '';
  }

  private checkMaster(now: number, tableQuorate: boolean): void {
    if (!this.masterId) return;
    const record = this.runners.guardRecord(this.masterId);
    let reason = '';
    let lostSight = true;
    if (!tableQuorate) reason = `quorum lost (${this.opts.membership.seenCount()} of ${this.config.cluster.quorum} nodes seen)`;
    else if (!record) {
      // Heard or not (a deaf master still sends heartbeats but follows no one here): no report within
      // master_dead_time of this leader taking it, and it is not this leader's master. Sooner when nothing at
      // all came from it for master_dead_time (usually a master that died with the leader before it): hearing
      // it proves nothing (see above), but silence does, and dropping a master is always safe — its
      // replacement still waits out its lease (R2, R3).
      const silentFor = now - (this.opts.membership.lastHeard(this.masterId) ?? Infinity);
      if (now - Math.max(this.masterSince, this.leaderSince) > this.config.time.master_dead_time) reason = 'the master never reported to this leader';
      else if (silentFor > this.config.time.master_dead_time) reason = `the master never reported to this leader and was not heard for ${Math.round(silentFor)} ms`;
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
    } else if (this.lease.grantPromotes(this.masterToRenew()) && !this.electable(record.id, now)) {
      // Its first grant would promote it (an election in effect), and an election would not choose it: Live
      // (services not ready: it would go Master later, inside the renewal chain, past every gate), stopped, or
      // failed within failure_promotion_timeout. Drop it and elect as usual.
      reason = `the master is not Master and not electable now (${record.state}${record.stopped ? ', stopped' : ''}${record.lastFailureAt > -Infinity ? `, failed ${Math.round((now - record.lastFailureAt) / 1000)} s ago` : ''})`;
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
    const target = this.runners.get(this.targetMasterId);
    if (target && this.electable(target.id, now)) this.dropMaster(`koi promote ${target.name}`);
  }

  /** Runner `id` is among the election candidates right now (selection.ts; the failure timeout applies strictly). */
  private electable(id: string, now: number): boolean {
    const record = this.runners.get(id);
    if (!record) return false;
    const recentlyFailed = record.lastFailureAt > -Infinity && now - record.lastFailureAt < this.config.time.failure_promotion_timeout;
    return !recentlyFailed && electionCandidates([record], now, this.config.time.failure_promotion_timeout).length === 1;
  }

  private dropMaster(reason: string, lostSight = false): void {
    const now = this.opts.clock.now();
    this.log.warn({ master: this.masterId, reason }, `dropping master ${this.masterName} (${this.masterId}): ${reason}`);
    // A master owed beside the named one (learned while it was not promoted yet) stays owed.
    if (this.previous && this.previous.id !== this.masterId) this.remembered.set(this.previous.id, this.previous);
    this.previous = { id: this.masterId, name: this.masterName, droppedAt: now, lostSight };
    this.lease.breakChain();
    this.clearedMasterId = '';
    this.masterFromView = false;
    this.masterId = '';
    this.masterName = '';
    this.opts.onMasterChange('', '', reason);
  }

  /**
   * What election-gate.ts reads; `exceptId` is a named master about to be promoted (an election in effect), whose
   * awaiting-report gate counts from this leader's start too (a runner in the table since before it may never have
   * reported here; an election has the start-up tolerance and R2's longer wait instead).
   */
  private gateInput(now: number, leaseQuorate: boolean, exceptId = ''): ElectionGateInput {
    return {
      now, config: this.config, leaseQuorate, ackCount: () => this.opts.membership.ackCount(),
      manualMaster: this.manualMaster, promotedGuard: this.opts.rules.on('promoted-services-guard'),
      records: this.runners.values(), leaderSince: this.leaderSince, startedAt: this.opts.startedAt,
      clusterHadMaster: this.clusterHadMaster, everSawMaster: () => this.opts.membership.everSawMaster(),
      allPeersReported: () => allPeersReported(this.opts.membership, this.config.node.runner ? this.opts.self.id : '', (id) => this.runners.get(id)),
      unreportedRunner: () => unreportedRunner(this.opts.membership, (id) => this.runners.get(id), exceptId, exceptId ? this.leaderSince : -Infinity),
      exceptId,
    };
  }

  private tryElect(now: number, leaseQuorate: boolean): void {
    const wait = electionBlocker(this.gateInput(now, leaseQuorate));
    if (wait) return this.setWaiting(wait);
    const halt = this.halt.check(now, this.runners.values(), this.config.time.failcount_reset);
    if (halt) return this.setWaiting(halt);
    const candidates = electionCandidates(this.runners.values(), now, this.config.time.failure_promotion_timeout);
    if (candidates.length === 0) return this.setWaiting({ code: 'no-electable-runner', message: 'no electable runner' });
    const ordered = this.opts.hooks.onElect.call(candidates, {
      leaderId: this.opts.self.id,
      previousMasterId: this.previous?.id ?? '',
      targetMasterId: this.targetMasterId,
    }) as ElectionCandidate[] | undefined;
    const list = Array.isArray(ordered) ? ordered.filter((c) => this.runners.has(c.id)) : candidates;
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
    const guard = this.replacementWaitFor(now, chosen.id);
    if (guard) return this.setWaiting(guard);
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

  /** replacementGuard as a wait (`fencing` or `lease-wait`), null when clear. */
  private replacementWaitFor(now: number, chosenId: string): NoMasterWait | null {
    const guard = this.replacementGuard(now, chosenId);
    if (!guard.message) return null;
    return { code: guard.code ?? 'lease-wait', message: guard.message, until: guard.until };
  }

  /**
   * The lease rules (lease-rules.ts) and fencing before `chosenId` becomes master: '' when clear; `until` when the
   * lease wait ends by itself (the node then runs an elector tick at that instant: `scheduleDecision`).
   */
  private replacementGuard(now: number, chosenId: string): { message: string; until?: number; code?: FenceWait['code'] } {
    const t = this.config.time;
    const prev = this.previous && this.previous.id !== chosenId ? this.previous : null;
    const record = prev ? this.runners.guardRecord(prev.id) : undefined;
    const input = {
      othersUntil: this.lease.othersUntil(),
      chosenClaimsFreshly: this.lease.claimsFreshly(this.runners.get(chosenId)),
      previous: prev ? {
        name: prev.name,
        holdUntil: record?.holdUntil ?? -Infinity,
        // Failed, Stopped and Passive runners cannot promote again whatever a late state update says;
        // nor can one that confirmed its demote after applying an update of this leader that dropped it.
        selfDemoted: record !== undefined && ((record.lastSeen > record.lastNamedSentAt
          && (record.state === 'Failed' || record.state === 'Stopped' || record.mode === 'Passive'))
          || confirmedDemote(record, prev!, this.opts.clock.now(), this.opts.startedAt)),
      } : null,
    };
    const wait = replacementWait({ now, ...input });
    if (wait) return { message: wait, until: replacementWaitEnds(input) };
    // Every master this leader owes a replacement: the one it dropped (or inherited) and those its followers remember.
    for (const owed of [...(prev ? [prev] : []), ...this.remembered.values()]) {
      if (owed.id === chosenId) continue;
      const fence = this.fencer.guard({
        now, prev: owed, deadTime: t.master_dead_time, record: this.runners.guardRecord(owed.id),
        lastHeard: this.opts.membership.lastHeard(owed.id) ?? -Infinity,
        addressOf: (id) => this.opts.membership.addressOf(id), succeeded: () => succeeded(owed, this.runners.values()),
      });
      if (fence) return fence;
    }
    return { message: '' };
  }

  /**
   * When a wait that held the last election ends by itself (the lease wait, the start-up tolerance); undefined
   * when none is owed (every tick clears it). The node elects then, on its timer for the wait's end
   * (`scheduleDecision`), instead of at the next elector tick (half an elector tick later on average) or the
   * next heartbeat (half a heartbeat). An extra tick decides by the same rules as any other.
   */
  pendingDecisionAt(): number | undefined {
    return this.electAgainAt;
  }

  /**
   * The named master holds no lease this leader knows of (LeaseKeeper.grantPromotes: taken from a view, never
   * Master, not elected here, no renewal chain), so its first grant promotes it: an election in effect. It passes
   * every gate an election does before that grant — R7 (another runner still reports promoted services, or was
   * heard since this leader began or since it came back and has not reported: it may be demoting what it held
   * while cut off or stopped, and a Disconnected record says nothing of that — medium-profile seed 9350779), the
   * start-up tolerance, R2/R3's lease waits and R8's fencing of every master this leader owes a replacement of
   * (replacementGuard) — except manual master mode, which holds elections, not a master already named. Null when
   * it may be granted (or the grant promotes nobody).
   */
  private promotionWait(now: number, leaseQuorate: boolean, master: MasterToRenew): NoMasterWait | null {
    if (!this.lease.grantPromotes(master)) return null;
    // No election runs in maintenance, and nothing may be fenced then either.
    if (this.maintenance) return { code: 'maintenance', message: 'cluster maintenance mode: the named master is not promoted (koi maintenance off)' };
    const gate = electionBlocker({ ...this.gateInput(now, leaseQuorate, master.id), manualMaster: false });
    return gate ?? this.halt.check(now, this.runners.values(), this.config.time.failcount_reset) ?? this.replacementWaitFor(now, master.id);
  }

  /**
   * Masters learned from followers (R8) are owed for as long as followers remember them (KNOWN_MASTER_MEMORY_MS):
   * one that can never be fenced (a machine gone for good) must not hold elections forever.
   */
  private forgetOldDebts(now: number): void {
    const stale = (owed: PreviousMaster): boolean => owed.learned === true && now > (owed.forgetAt ?? owed.droppedAt + KNOWN_MASTER_MEMORY_MS);
    for (const owed of [...(this.previous ? [this.previous] : []), ...this.remembered.values()]) {
      if (!stale(owed)) continue;
      this.log.warn({ master: owed.id }, `forgetting master ${owed.name} (${owed.id}): no node has seen it named for ${Math.round(KNOWN_MASTER_MEMORY_MS / 60_000)} min, and it was not fenced`);
      if (this.previous === owed) this.previous = null;
      this.remembered.delete(owed.id);
    }
  }

  /** The named master as LeaseKeeper reads it. */
  private masterToRenew(): MasterToRenew {
    return {
      id: this.masterId,
      record: this.masterId ? this.runners.get(this.masterId) : undefined,
      electedHere: this.masterId !== '' && this.clearedMasterId === this.masterId,
    };
  }

  /** Whether this round renews the master's lease (LeaseKeeper.mayGrant: R5); an election in effect is held first (promotionWait). */
  private mayGrant(now: number, leaseQuorate: boolean): boolean {
    const master = this.masterToRenew();
    return this.promotionWait(now, leaseQuorate, master) === null && this.lease.mayGrant(now, leaseQuorate, master);
  }

  /** This leader sent runner `id` a lease grant (it may hold the master role). */
  grantedHere(id: string): boolean {
    return (this.runners.get(id)?.lastNamedSentAt ?? -Infinity) > -Infinity;
  }

  /**
   * A heartbeat from runner `id`: whether it says it is Master (NodeFlag.Master), and `answeringSentAt`, when
   * this leader sent the heartbeat it answers, if it answers one (the claim was made after that: R5). One that
   * does not say Master withdraws the claims before it.
   */
  noteMasterClaim(id: string, master: boolean, answeringSentAt?: number): void {
    const record = this.runners.get(id);
    if (!record || id === this.opts.self.id) return;
    const now = this.opts.clock.now();
    if (!master) {
      this.withdrawClaims(record, now);
      return;
    }
    record.lastMasterClaimAt = now;
    if (answeringSentAt !== undefined && answeringSentAt >= record.claimWithdrawnAt) {
      record.lastMasterClaimAnswering = Math.max(record.lastMasterClaimAnswering, answeringSentAt);
    }
  }

  /** Runner `record` said it is not Master at `now`: no claim before counts (lease-keeper.ts `claimsFreshly`). */
  private withdrawClaims(record: RunnerRecord, now: number): void {
    record.claimWithdrawnAt = now;
    record.lastMasterClaimAt = -Infinity;
    record.lastMasterClaimAnswering = -Infinity;
  }

  private sendStateUpdates(now: number, leaseQuorate: boolean): void {
    const master = this.masterToRenew();
    const promotes = this.lease.grantPromotes(master);
    const held = promotes ? this.promotionWait(now, leaseQuorate, master) : null;
    this.promotionHold = held;
    if (promotes) this.setWaiting(held);
    const granting = held === null && this.lease.mayGrant(now, leaseQuorate, master);
    let granted = false;
    const window = ackWindowMs(this.config.time.cluster_update_interval);
    for (const record of this.runners.values()) {
      const self = record.id === this.opts.self.id;
      // A stale record (Disconnected, heard again but not yet reported): its runner may be a master
      // another leader kept; wait for its report (adoptReportedMaster) instead of naming nobody to it.
      if (!self && record.state === 'Disconnected') continue;
      // Only runners heard (any message) within the ack window: a silent master's lease is not renewed.
      const address = self ? '' : recipientAddress(record, now, window, this.opts.membership);
      if (address === null) continue;
      const lease = record.id === this.masterId && granting ? this.grantLease(record, now) : null;
      if (lease) granted = true;
      this.opts.sendState(record.id, address, this.stateUpdate(now, lease, leaseQuorate));
    }
    // A promoting grant counts only once sent (else the next round passes the gates again); a renewal the rules
    // allowed but that found no address keeps the chain, as the next round's rules would allow it again.
    this.lease.setRound(granted || (granting && !promotes));
    if (granted && promotes) this.promotedInEffect();
  }

  /** An election in effect granted its first lease: the named master is this leader's own election now (as tryElect). */
  private promotedInEffect(): void {
    this.clearedMasterId = this.masterId;
    this.masterFromView = false;
    const previous = this.previous;
    this.previous = null;
    this.remembered.clear();
    this.log.info({ master: this.masterId, previous: previous?.id ?? '' }, `promoting master ${this.masterName} (${this.masterId}), named but not Master: every gate of an election passed`);
  }

  private stateUpdate(now: number, lease: LeaseGrant | null, leaseQuorate: boolean): StateUpdate {
    return stateUpdate({
      now, startedAt: this.opts.startedAt, leaderName: this.opts.self.name, masterId: this.masterId, masterName: this.masterName,
      masterRecord: this.masterId ? this.runners.get(this.masterId) : undefined,
      maintenance: this.maintenance, leaseQuorate, lease,
    });
  }

  /** Logged when its kind changes, not for every second of a countdown. */
  private setWaiting(wait: NoMasterWait | null): void {
    this.waiting = wait;
    const now = this.opts.clock.now();
    if (this.ticking && wait?.until !== undefined && wait.until > now) {
      this.electAgainAt = wait.until;
      this.opts.scheduleDecision(wait.until);
    }
    const key = wait ? `${wait.code}:${wait.code === 'startup-delay' || wait.code === 'lease-wait' ? '' : wait.message}` : '';
    if (wait && key !== this.lastWaitLogged) this.log.debug(`not electing: ${wait.message}`);
    this.lastWaitLogged = key;
  }
}

/** A runner whose last report says it is the master: Master, Active (not stopping), not stopped. */
function claimsMaster(r: RunnerRecord): boolean {
  return r.state === 'Master' && r.mode === 'Active' && !r.stopped;
}
