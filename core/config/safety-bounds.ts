/**
 * The time bounds the no-two-masters argument (docs/safety.md) is written in, derived from the configuration
 * in this one place: the ack window W, the message delay δ and the unnoticed stall S and frozen time F it
 * assumes, R1's switch gap and R3's smallest lease margin built from them, and the clock-rate bound ρ. Every
 * rule and every test bound reads them from here, so that a change of what they are is a change of this file
 * and of the mechanisms it names, not a hunt through the code for `3 * interval`.
 *
 * The ack window is a multiple of the heartbeat interval I (`cluster_update_interval`). δ, S and F are I and
 * 2·I up to a heartbeat of 50 ms (the defaults and every faster profile, unchanged), and bounds of their own
 * above it (protocol 4, issue 15): 50 ms of delay, 100 ms of loop stall or frozen clock, whatever the
 * heartbeat — the stall guard then measures a stall by how late a timer ran, not only by the gap between two
 * entries (core/node/stall-guard.ts), so a slower heartbeat no longer stretches the margins with it.
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

/**
 * The most δ and S are ever taken to be (protocol 4, docs/safety.md "What is assumed"): a heartbeat slower than
 * 50 ms does not make the network slower nor the event loop blockier. At 50 ms and below the bounds are I and
 * 2·I as before, so the defaults and every faster profile keep their relations.
 */
export const DELAY_BOUND_MAX_MS = 50;
export const STALL_BOUND_MAX_MS = 100;

/** δ: the message delay assumed between nodes that count as connected (R1's switch gap, the candidacy). */
export function delayBoundMs(intervalMs: number): number {
  return Math.min(intervalMs, DELAY_BOUND_MAX_MS);
}

/**
 * S: the longest event-loop stall a node does not notice — R6's stall threshold for a timer that ran late and
 * for the work of one entry. Two heartbeat intervals up to 100 ms, 100 ms above. Longer stalls are stalls
 * (R6); shorter ones are covered by the margins below.
 */
export function stallBoundMs(intervalMs: number): number {
  return Math.min(2 * intervalMs, STALL_BOUND_MAX_MS);
}

/**
 * The gap between two entries of a node beyond which it stalled whatever its timers say: two heartbeat
 * intervals, since the cluster timer enters every interval (an idle loop waits that long at most). Equal to S
 * up to a 50 ms heartbeat; above, S is told by a timer's lateness (KoiNode.guardTimer) and this gap only
 * catches what no timer saw.
 */
export function entryGapBoundMs(intervalMs: number): number {
  return 2 * intervalMs;
}

/**
 * F: frozen time (a VM pause freezes the monotonic clock) a node may not notice. The wall clock shows every
 * pause, however short (core/node/frozen-time.ts keeps them all); one hidden by a wall clock stepped back is
 * left to the peers' clocks, which tell it only above the stall guard's threshold (R6). The same as S.
 */
export function freezeBoundMs(intervalMs: number): number {
  return stallBoundMs(intervalMs);
}

/**
 * R1's switch gap: after answering a leader whose ack window is `windowMs`, a node answers another only this
 * much later — the window, + δ for the delay and the clock-rate error, + F for a VM pause of that leader too
 * short for its stall guard (its frozen clock dates the answer late). `intervalMs` is the longer of the two
 * nodes' heartbeat intervals (the other leader's is read from the ack window its heartbeats carry); the caps on
 * δ and F are constants of the release, the same on every node of one wire protocol version.
 */
export function switchGapMs(windowMs: number, intervalMs: number): number {
  return windowMs + delayBoundMs(intervalMs) + freezeBoundMs(intervalMs);
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
