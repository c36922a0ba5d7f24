/**
 * The time bounds the no-two-masters argument (docs/safety.md) is written in, derived from the configuration
 * in this one place: the ack window W, the message delay δ and the unnoticed stall S it assumes, R1's switch
 * gap and R3's smallest lease margin built from them, and the clock-rate bound ρ. Every rule and every test
 * bound reads them from here, so that a change of what they are (issue 15's protocol 4: δ and S as bounds of
 * their own instead of multiples of the heartbeat, docs/performance.md "Idle CPU") is a change of this file
 * and of the mechanisms it names, not a hunt through the code for `3 * interval`.
 *
 * Today every bound is a multiple of the heartbeat interval I (`cluster_update_interval`): the cluster timer
 * fires every I, so I is also what the stall guard can tell apart from a stall.
 */

/** Clock-rate error the safety argument allows (docs/safety.md "What is assumed"): 1 % of any span. */
export const CLOCK_RATE_BOUND = 0.01;

/** A follower's answer counts toward the leader's lease quorum for this many heartbeat intervals (R1). */
export const ACK_WINDOW_TICKS = 3;

/** W: how long after a leader sent a heartbeat an answer to it counts toward the leader's lease quorum (R1). */
export function ackWindowMs(intervalMs: number): number {
  return ACK_WINDOW_TICKS * intervalMs;
}

/** The heartbeat interval of a leader that advertises the ack window `windowMs` (heartbeats carry W, not I). */
export function intervalOfAckWindowMs(windowMs: number): number {
  return windowMs / ACK_WINDOW_TICKS;
}

/** δ: the message delay assumed between nodes that count as connected (R1's switch gap, R3's margin). */
export function delayBoundMs(intervalMs: number): number {
  return intervalMs;
}

/**
 * S: the longest event-loop gap, or frozen clock (a VM pause), a node does not notice — R6's stall threshold.
 * Two heartbeat intervals: the cluster timer fires every interval, so one late timer is not a stall. Longer
 * gaps are stalls (R6); shorter ones are covered by the margins below.
 */
export function stallBoundMs(intervalMs: number): number {
  return 2 * intervalMs;
}

/**
 * F: frozen time (a VM pause freezes the monotonic clock) a node may not notice. The wall clock shows every
 * pause, however short (core/node/frozen-time.ts keeps them all); one hidden by a wall clock stepped back is
 * left to the peers' clocks, which tell it only above the stall guard's threshold (R6). Today the same as S.
 */
export function freezeBoundMs(intervalMs: number): number {
  return stallBoundMs(intervalMs);
}

/**
 * R1's switch gap: after answering a leader whose ack window is `windowMs`, a node answers another only this
 * much later — the window, + δ for the delay and the clock-rate error, + S for a VM pause of that leader too
 * short for its stall guard (its frozen clock dates the answer late). `intervalMs` is the longer of the two
 * nodes' heartbeat intervals. (The other leader's interval is read from the ack window its heartbeats carry:
 * once δ and S are bounds of their own, heartbeats must carry them too, or the gap must use local ones.)
 */
export function switchGapMs(windowMs: number, intervalMs: number): number {
  return windowMs + delayBoundMs(intervalMs) + stallBoundMs(intervalMs);
}

/**
 * R3: the smallest lease_margin that is safe for these timings. A runner's lease ends where the leader's
 * grant put it on the runner's own clock (core/node/peer-clocks.ts), so neither the grant's delay nor a stall
 * before it was read counts; what does: frozen time F of the runner's clock it did not notice since the
 * heartbeat that bound came from, one unnoticed stall S delaying the expiry check, and clock rates: the lease
 * runs on the granting leader's clock (as slow as 1 − ρ) while another leader counts lease + margin on its own
 * (as fast as 1 + ρ) before it elects a replacement (R2) — 2ρ of the lease. (Protocol 3 dated the lease by
 * the grant's receipt: δ + S more. It also took only ρ of lease + margin for the rates, short of the 2ρ two
 * clocks within ρ of real time can drift apart by: 12 ms at the defaults.)
 */
export function minimumLeaseMargin(t: { readonly cluster_update_interval: number; readonly master_lease: number }): number {
  const fixed = freezeBoundMs(t.cluster_update_interval) + stallBoundMs(t.cluster_update_interval);
  // margin / (1 + ρ) ≥ lease / (1 − ρ) − lease / (1 + ρ) + F + S  ⇐  margin ≥ (F + S + 2ρ·lease) / (1 − ρ)
  return Math.ceil((fixed + 2 * CLOCK_RATE_BOUND * t.master_lease) / (1 - CLOCK_RATE_BOUND));
}
