/**
 * The leader's side of the master lease (docs/safety.md R2–R5), as pure
 * functions over plain numbers so that each rule can be tested alone.
 *
 * Terms (all on the leader's monotonic clock):
 * - *quorate since*: start of the leader's current unbroken period with a
 *   lease quorum of acknowledgements (R1 makes two such periods of two
 *   leaders disjoint);
 * - *hold*: `master_lease + lease_margin`, the longest any node advertised
 *   (a lease granted by another leader is on that leader's terms);
 * - *hold until* of a runner: when the last lease this leader granted it,
 *   plus the margin, is over for sure (`grant` records it).
 */

/** A lease grant this leader sends now: what the runner is told and how long the leader must assume it runs. */
export interface Grant {
  /** Lease length carried in the state update (the runner holds at most this long after receipt). */
  leaseMs: number;
  /** Leader-clock time until which the granted lease may still be running (lease + margin from now). */
  holdUntil: number;
}

/** R3: a grant carries its own length; the leader remembers its own bound for the replacement wait. */
export function grant(now: number, leaseMs: number, marginMs: number): Grant {
  return { leaseMs, holdUntil: now + leaseMs + marginMs };
}

/**
 * R2 (the unconditional wait): until when a lease granted by *another*
 * leader may still run. Another leader grants only while its own lease
 * quorum holds, and that quorum shares a node with this one; each node of
 * this quorum said from when on no other leader could count it (the end of
 * R1's switch gap after the last other leader it answered: `quorumFreeAt`),
 * so another leader's last grant came before the latest of those instants —
 * never after this quorum began — and lasted at most the longest hold any
 * node advertised. Counting from the quorum's freedom instead of its start
 * overlaps the wait with the election (≈ 0.2 s at the defaults).
 * -Infinity (no wait) only when the rule is disabled.
 */
export function otherLeadersLeasesUntil(quorateSince: number, quorumFreeAt: number, maxHoldMs: number, ruleOn: boolean): number {
  if (!ruleOn) return -Infinity;
  // Both bounds hold (the quorum's start by R1 alone); the earlier one counts.
  return Math.min(quorateSince, quorumFreeAt) + maxHoldMs;
}

export interface GrantDecision {
  /** The leader has its lease quorum now (R4: renewals need it). */
  leaseQuorate: boolean;
  /** A master is named. */
  hasMaster: boolean;
  /** The previous elector tick granted this same master (the chain of renewals is unbroken). */
  chainUnbroken: boolean;
  /** This leader elected the master itself after the wait (its lease is this leader's own). */
  electedHere: boolean;
  /** The master reported itself Master after this leader became quorate (see `claimsFreshly`). */
  claimsFreshly: boolean;
  now: number;
  /** `otherLeadersLeasesUntil(...)`. */
  othersUntil: number;
}

/**
 * R5: whether this tick's state update renews the named master's lease. A
 * master inherited from a view (not elected here, no unbroken chain) is
 * renewed at once only when it says it is Master in a report sent while
 * this leader was already quorate: it then holds the only lease (induction
 * on R1–R4) and renewing it keeps one master. Otherwise the leader waits
 * until every lease another leader may have granted ran out.
 */
export function mayGrant(d: GrantDecision): boolean {
  if (!d.leaseQuorate || !d.hasMaster) return false;
  if (d.chainUnbroken || d.electedHere || d.claimsFreshly) return true;
  return d.now >= d.othersUntil;
}

/**
 * A report of `Master` received at `reportAt` was sent after this leader
 * became quorate when it arrived at least one message delay later (the ack
 * window bounds the delay this argument allows). Health reports carry no
 * echo; a heartbeat's claim is proven fresh sooner by `claimAnswersQuorum`.
 */
export function claimsFreshly(reportedMaster: boolean, reportAt: number, quorateSince: number, ackWindowMs: number): boolean {
  return reportedMaster && quorateSince > -Infinity && reportAt >= quorateSince + ackWindowMs;
}

/**
 * A `Master` claim in a heartbeat that answers this leader's heartbeat sent at `answeringSentAt` (its own
 * clock, R1's dating) was made after that heartbeat left: when it left once the leader was quorate, the
 * claim is fresh by causality, with no bound on the delay — an interval after the quorum begins instead of
 * the ack window (protocol 4's quick renewal of an inherited master: the lease must outlast a leader change).
 */
export function claimAnswersQuorum(answeringSentAt: number, quorateSince: number): boolean {
  return quorateSince > -Infinity && answeringSentAt >= quorateSince;
}

export interface ReplacementInput {
  now: number;
  /** `otherLeadersLeasesUntil(...)`. */
  othersUntil: number;
  /** The chosen runner already holds a lease (claimsFreshly): naming it promotes nobody new. */
  chosenClaimsFreshly: boolean;
  /** The previous master, when it is not the chosen runner. */
  previous: null | {
    name: string;
    /** Hold-until of this leader's last grant to it (-Infinity when never granted here). */
    holdUntil: number;
    /** It reported Failed, Stopped or Passive after that grant: it cannot be promoted by a late update. */
    selfDemoted: boolean;
  };
}

/**
 * R2 + R3: why a new master may not be elected yet ('' when it may). The
 * wait for other leaders' leases applies to every election (also a leader
 * that never knew a master: it cannot know what it never heard); the wait
 * for this leader's own last grant applies to the previous master.
 */
export function replacementWait(r: ReplacementInput): string {
  if (!r.chosenClaimsFreshly && r.now < r.othersUntil) {
    return `waiting ${Math.ceil(r.othersUntil - r.now)} ms for leases a previous leader may have granted`;
  }
  const prev = r.previous;
  if (!prev || prev.selfDemoted) return '';
  if (r.now < prev.holdUntil) return `waiting ${Math.ceil(prev.holdUntil - r.now)} ms for the lease of ${prev.name} to run out`;
  return '';
}

/** When replacementWait stops holding the election by itself (-Infinity when it does not hold it). */
export function replacementWaitEnds(r: Omit<ReplacementInput, 'now'>): number {
  const others = r.chosenClaimsFreshly ? -Infinity : r.othersUntil;
  const own = r.previous && !r.previous.selfDemoted ? r.previous.holdUntil : -Infinity;
  return Math.max(others, own);
}
