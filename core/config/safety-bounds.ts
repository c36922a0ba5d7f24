/**
 * The time bounds the no-two-masters argument (docs/safety.md) is written in, derived from the configuration
 * in this one place: the ack window W, the message delay δ and the unnoticed stall S and frozen time F it
 * assumes, R1's switch gap and R3's smallest lease margin built from them, and the clock-rate bound ρ. Every
 * rule and every test bound reads them from here, so that a change of what they are is a change of this file
 * and of the mechanisms it names, not a hunt through the code for `3 * interval`.
 *
 * The ack window is a multiple of the heartbeat interval I (`cluster_update_interval`). δ and S are I and
 * 2·I up to a heartbeat of 50 ms (the defaults and every faster profile). Above it (protocol 5, issue 15)
 * they are bounds of their own, 50 and 100 ms whatever the heartbeat — the stall guard then measures a stall
 * by how late a timer ran, not only by the gap between two entries (core/node/stall-guard.ts). F is ≈ 3·I up
 * to 50 ms, I + 50 ms above 100 ms (protocol 6, `freezeBoundMs`): it includes how long the peers take to
 * witness a pause the wall clock hid, which grows with the heartbeat. So a slower heartbeat stretches the
 * margins less than in proportion.
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
 * The most δ and S are ever taken to be (protocol 5, docs/safety.md "What is assumed"): a heartbeat slower than
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
 * The idle gap between two entries of a node beyond which it stalled whatever its timers say: the cluster
 * timer enters every interval, so a loop quiet for longer than I + S had that timer more than S late — and
 * never longer than 2·I (the bound up to a 50 ms heartbeat, where it equals S). Above it a timer's lateness
 * tells S itself (KoiNode's GuardedTimers); this gap catches the stall at the first entry after it, which may
 * be a datagram read before the late timers run.
 */
export function entryGapBoundMs(intervalMs: number): number {
  return Math.min(2 * intervalMs, intervalMs + stallBoundMs(intervalMs));
}

/**
 * The frozen time (wall clock only, or a peer's clock ahead of ours) the stall guard reacts to: the same as
 * S. Every rise of `wall − monotonic` is kept whatever its size (core/node/frozen-time.ts); this is what a
 * peer's witness of a pause the wall clock hid must exceed (delay variation stays below it).
 */
export function witnessThresholdMs(intervalMs: number): number {
  return stallBoundMs(intervalMs);
}

/**
 * F: frozen time (a VM pause freezes the monotonic clock) a node may not notice in time. The wall clock shows
 * every pause, however short; one hidden by a wall clock stepped back is left to the peers' clocks
 * (StallGuard.peerBeat), whose baseline rises no faster than the clock-rate bound. Only a rise above the
 * witness threshold S is frozen time, and the first heartbeat sent after the pause shows all of it but its own
 * delay, so:
 * - a hidden pause up to S + δ is never told;
 * - one up to S + I may be told only by that heartbeat, up to I + δ after the resume (the ones that waited in the
 *   buffer were sent before the resume, the last up to I before it), and above S + I it is told at the resume;
 * - the clock-rate bound over the 2·I + δ between the last heartbeat read before the pause and that one hides
 *   2ρ of it more.
 * A leader dates answers on its clock for as long as it has not noticed (R1's switch gap adds δ to F), and a
 * runner acts on the lost time for the larger of S + δ and I + δ (R3's margin), hence F = max(S + δ, I + δ,
 * S + I − δ) + 2ρ(2·I + δ): 3·I (+ 3 %) up to a 50 ms heartbeat, 250 ms (+ 9) at 200 ms. (Until protocol 6 the
 * baseline rose by all the time elapsed since the last heartbeat, and F was max(S, I + δ): a second review of
 * protocol 5 found a pause of ≈ S + I unseen.)
 */
export function freezeBoundMs(intervalMs: number): number {
  const s = stallBoundMs(intervalMs);
  const d = delayBoundMs(intervalMs);
  return Math.max(s + d, intervalMs + d, s + intervalMs - d) + Math.ceil(2 * CLOCK_RATE_BOUND * (2 * intervalMs + d));
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
