/**
 * The leader's side of the master lease (docs/safety.md R2–R5): whether it
 * holds its lease quorum and since when, whether its chain of renewals is
 * unbroken, whether this round may renew the master, and recording every
 * grant. The Elector decides *which* runner is master; this decides whether
 * that master's lease may be renewed now. The arithmetic itself is
 * lease-rules.ts (pure); this holds the two facts it needs over time.
 */
import type { KoiConfig, Logger } from '../../plugin-api';
import { ackWindowMs } from '../config/safety-bounds';
import type { SafetyRuleSet } from '../safety-rules';
import { claimAnswersQuorum, claimsFreshly, grant, mayGrant, otherLeadersLeasesUntil } from './lease-rules';
import type { RunnerRecord } from './records';
import type { ElectorMembership } from './types';

/** The master this round would renew, as the Elector sees it. */
export interface MasterToRenew {
  id: string;
  record: RunnerRecord | undefined;
  /** This leader elected it through the replacement guard (R5), or promoted it through every gate (Elector.promotionWait). */
  electedHere: boolean;
}

export class LeaseKeeper {
  /** When this leader's lease quorum began (-Infinity while it has none). */
  private quorateSince = -Infinity;
  /** R2: when that quorum began, from when on no other leader could count any of its nodes. */
  private quorumFreeAt = -Infinity;
  /** The previous round granted the master a lease (the chain of renewals is unbroken). */
  private chain = false;
  /** The lease quorum began at the last track() and no heartbeat has gone out since (takeQuorumBegan). */
  private quorumBegan = false;

  constructor(
    private readonly config: () => KoiConfig,
    private readonly membership: Pick<ElectorMembership, 'ackCount' | 'maxHoldMs' | 'quorumFreeAt'>,
    private readonly rules: SafetyRuleSet,
    private readonly log: Logger,
    /** This leader's own node: its runner's reports reach it without delay. */
    private readonly selfId = '',
  ) {}

  /** Lease quorum: acknowledgements from a quorum (R4); with that rule disabled (teeth run), the node table's count. */
  quorate(tableQuorate: boolean): boolean {
    const quorum = this.config().cluster.quorum;
    if (quorum <= 0) return true;
    if (!this.rules.on('renewal-ack-quorum')) return tableQuorate;
    return this.membership.ackCount() >= quorum;
  }

  /** Record this tick's lease quorum; false when it has none (then an earlier election here proves nothing: R5). */
  track(now: number, leaseQuorate: boolean): boolean {
    if (leaseQuorate && this.quorateSince === -Infinity) {
      this.quorateSince = now;
      this.quorumFreeAt = this.membership.quorumFreeAt();
      this.quorumBegan = true;
    }
    if (!leaseQuorate) this.quorateSince = -Infinity;
    return leaseQuorate;
  }

  /**
   * Whether the lease quorum began since the last call: a heartbeat sent now is one whose answers can prove a
   * Master claim fresh (R5's quick renewal) — without it the next one leaves up to an interval later.
   */
  takeQuorumBegan(): boolean {
    const began = this.quorumBegan;
    this.quorumBegan = false;
    return began;
  }

  /** The chain of renewals is unbroken (the last round granted). */
  get granting(): boolean {
    return this.chain;
  }

  /** The master was dropped: a later grant starts a new chain. */
  breakChain(): void {
    this.chain = false;
  }

  /** Until when a lease granted by another leader may still run (R2). */
  othersUntil(): number {
    const t = this.config().time;
    const hold = Math.max(t.master_lease + t.lease_margin, this.membership.maxHoldMs());
    return otherLeadersLeasesUntil(this.quorateSince, this.quorumFreeAt, hold, this.rules.on('unconditional-wait'));
  }

  /**
   * The runner said it is Master — in a health report, or in a heartbeat (NodeFlag.Master, every
   * interval: after a brief loss of the lease quorum the master is renewed within an interval or two
   * instead of waiting for its next report) — after this leader became quorate (lease-rules.ts `claimsFreshly`).
   */
  claimsFreshly(record: RunnerRecord | undefined): boolean {
    if (!record) return false;
    if (claimAnswersQuorum(record.lastMasterClaimAnswering, this.quorateSince)) return true;
    // This node's own runner reports without delay: a report of Master read once quorate was made then.
    if (record.id === this.selfId && record.state === 'Master' && claimAnswersQuorum(record.lastSeen, this.quorateSince)) return true;
    const window = ackWindowMs(this.config().time.cluster_update_interval);
    const claimAt = Math.max(record.state === 'Master' ? record.lastSeen : -Infinity, record.lastMasterClaimAt);
    // Received an ack window after the quorum began and after the last word that it is not Master: made after both.
    const since = this.quorateSince > -Infinity ? Math.max(this.quorateSince, record.claimWithdrawnAt) : -Infinity;
    return claimsFreshly(claimAt > -Infinity, claimAt, since, window);
  }

  /**
   * A grant to this named master would promote it: it does not hold a lease this leader knows of (not Master,
   * not elected here, no unbroken chain) — a master taken from a view that never became Master. Such a grant is
   * an election in effect, and the Elector puts it through every gate of an election first (R7, R8, R2/R3).
   */
  grantPromotes(master: MasterToRenew): boolean {
    return master.id !== '' && !this.chain && !master.electedHere && master.record?.state !== 'Master'
      // A Master claim made after the quorum began (its heartbeat, before its first report here): it holds the lease.
      && !this.claimsFreshly(master.record);
  }

  /** Whether this round's updates renew the master's lease (lease-rules.ts `mayGrant`, R5). */
  mayGrant(now: number, leaseQuorate: boolean, master: MasterToRenew): boolean {
    return mayGrant({
      leaseQuorate,
      hasMaster: master.id !== '',
      chainUnbroken: this.chain,
      electedHere: master.id !== '' && master.electedHere,
      claimsFreshly: this.claimsFreshly(master.record),
      now,
      othersUntil: this.othersUntil(),
    });
  }

  /**
   * An elector tick ended: the chain goes on when a grant actually went to the master this round, else it is
   * broken (logged once). Not when a grant was merely allowed: a master not heard within the ack window gets no
   * update, and the next round must decide afresh (an election in effect passes its gates again).
   */
  setRound(granted: boolean): void {
    if (!granted && this.chain) this.log.debug('master lease renewals paused');
    this.chain = granted;
  }

  /** Record a lease grant to the master now; returns the lease length the update carries (R3). */
  grantTo(record: RunnerRecord, now: number): number {
    const t = this.config().time;
    const g = grant(now, t.master_lease, t.lease_margin);
    record.lastNamedSentAt = now;
    record.holdUntil = Math.max(record.holdUntil, g.holdUntil);
    return g.leaseMs;
  }
}
