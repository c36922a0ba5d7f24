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
 * by how late a timer ran, not only by the gap between two entries (core/node/stall-guard.ts). F (R3) and F₁
 * (R1) include how long the peers take to witness a pause the wall clock hid, which grows with the heartbeat
 * (protocol 6: ≈ 3·I and 4·I up to 50 ms). So a slower heartbeat stretches the margins less than in
 * proportion.
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
 * How long a peer witness's baseline is young (StallGuard.peerBeat): 4 heartbeats from the first one it heard
 * of that peer's clock. Young, it follows the peer's offset up, and takes only a rise above S + δ for frozen
 * time: its first heartbeat may have been read up to S late. A pause the wall clock hid within it is not
 * witnessed by that peer (docs/safety.md "Known gaps").
 */
export function witnessYouthMs(intervalMs: number): number {
  return 4 * intervalMs;
}

/**
 * How long a promote's wait for its witnesses (core/node/fresh-read.ts) lasts before it starts over: a peer
 * heard steadily for 4 heartbeats, a follower's refresh of its peers (every 3rd heartbeat) and a heartbeat
 * to spare. Liveness only: starting over never lets a promote through sooner.
 */
export function freshReadRetryMs(intervalMs: number): number {
  return witnessYouthMs(intervalMs) + 4 * intervalMs;
}

/** What the peers' witness of a pause the wall clock hid judges by (StallGuard.peerBeat), at heartbeat interval I. */
export function witnessBounds(intervalMs: number): { thresholdMs: number; rateBound: number; youthMs: number; delayMs: number } {
  return { thresholdMs: witnessThresholdMs(intervalMs), rateBound: CLOCK_RATE_BOUND, youthMs: witnessYouthMs(intervalMs), delayMs: delayBoundMs(intervalMs) };
}

/**
 * How a pause the wall clock hid (stepped back during it) is told: by the peers' clocks (StallGuard.peerBeat),
 * whose baseline, grown (witnessYouthMs), rises no faster than the clock-rate bound. Only a
 * rise above the witness threshold S is frozen time, and a peer's heartbeats may be G = I + S apart (its own
 * timer may run S late unnoticed), so:
 * - a hidden pause up to S + δ is never told (the heartbeat that shows it was up to δ less delayed);
 * - one up to S + G = I + 2·S may be told only by the first heartbeat sent after it, up to G + δ after the
 *   resume (the ones that waited in the buffer were sent before the resume, the last up to G before it), and
 *   the later the longer it was: at resume + I + 2·S + δ − P at the latest for a pause P;
 * - a longer one is told at the resume.
 * The rate bound over the 2·G + δ the witness spans hides 2ρ of that more (`witnessRateMs`). (Until protocol
 * 6 the baseline rose by all the time elapsed since the last heartbeat: a second review of protocol 5 found a
 * pause of ≈ S + I unseen; a third review, the peer's late timer left out; a fourth, a grown baseline lifted
 * by two heartbeats read half an interval apart absorbing a pause read in pieces.)
 */
function witnessRateMs(intervalMs: number): number {
  return Math.ceil(2 * CLOCK_RATE_BOUND * (2 * (intervalMs + stallBoundMs(intervalMs)) + delayBoundMs(intervalMs)));
}

/**
 * F (R3): frozen time a runner acts on unnoticed (a VM pause freezes the monotonic clock; the wall clock shows
 * every pause, however short, unless stepped back during it — see witnessRateMs). It overshoots its lease by
 * at most S + δ when never told, min(P, I + 2·S + δ − P) ≤ (I + 2·S + δ) / 2 when told late: 3·I + 2 % of 7·I
 * up to a 50 ms heartbeat (157 ms at the defaults), 238 ms at 200 ms.
 */
export function freezeBoundMs(intervalMs: number): number {
  const s = stallBoundMs(intervalMs);
  const d = delayBoundMs(intervalMs);
  return Math.max(s + d, Math.ceil((intervalMs + 2 * s + d) / 2)) + witnessRateMs(intervalMs);
}

/**
 * F₁ (R1): frozen time a leader may date answers on before it notices — all of a pause told late, up to
 * I + 2·S, of which R1's switch gap already has δ: I + 2·S − δ, 4·I + 2 % of 7·I up to a 50 ms heartbeat
 * (207 ms at the defaults), 363 ms at 200 ms. Larger than F: a leader that counts an answer too long is
 * wrong for all of its lag, a runner only until it is told.
 */
export function leaderFreezeBoundMs(intervalMs: number): number {
  return intervalMs + 2 * stallBoundMs(intervalMs) - delayBoundMs(intervalMs) + witnessRateMs(intervalMs);
}

/**
 * R1's switch gap: after answering a leader whose ack window is `windowMs`, a node answers another only this
 * much later — the window, + δ for the delay and the clock-rate error, + F₁ for a VM pause of that leader it
 * did not notice in time (its frozen clock dates the answer late). `intervalMs` is the longer of the two
 * nodes' heartbeat intervals (the other leader's is read from the ack window its heartbeats carry); the caps on
 * δ and F are constants of the release, the same on every node of one wire protocol version.
 */
export function switchGapMs(windowMs: number, intervalMs: number): number {
  return windowMs + delayBoundMs(intervalMs) + leaderFreezeBoundMs(intervalMs);
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
