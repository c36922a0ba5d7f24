/**
 * The `time` section's defaults, the one source for them (as memberlist's
 * config.go): each value with what it does and what it trades. The schema's
 * descriptions, docs/configuration.md and the timing table of
 * docs/architecture.md are generated from this table (`npm run docs:gen`; a
 * unit test fails when a doc is stale). The values are tuned together: the
 * failover and no-two-masters guarantees depend on their relations
 * (docs/architecture.md "Timings"; checked at start by `checkClusterConfig`
 * in core/node/cluster-check.ts, proved in virtual time by
 * test/cluster/timings.test.ts). What failover they give is measured on real
 * processes in docs/performance.md "Failover", and only there.
 */
import { stallBoundMs } from './safety-bounds';

export interface TimingDefault {
  /** Milliseconds. */
  readonly ms: number;
  /** What the key does (the schema's description). */
  readonly does: string;
  /** Why this value: what a smaller or larger one costs. */
  readonly trades: string;
}

export const TIMING_DEFAULTS = {
  cluster_update_interval: {
    ms: 50,
    does: 'Heartbeat interval; a leader silent for leader_dead_time (at least 4 heartbeats) is replaced.',
    trades: 'A dead leader is replaced after leader_dead_time and 4 heartbeats as candidate (≈ 0.4 s). Tiny datagrams, fine for 2–32 nodes; the price is idle CPU (docs/performance.md "Footprint"): 100 ms cuts it by about a third and costs ≈ 0.75 s of leader failover.',
  },
  elector_tick_interval: {
    ms: 200,
    does: 'How often the leader elects and sends state updates to runners (on the nearest heartbeat, which carries them).',
    trades: 'The master\'s renewal is repeated on heartbeats besides (12 per lease), so a longer tick mostly delays elections; a shorter one costs CPU on the leader. Shorter than cluster_update_interval, the updates go in datagrams of their own.',
  },
  runner_tick_interval: {
    ms: 200,
    does: 'How often a runner sends its health report to the leader (riding on its next heartbeat).',
    trades: 'Reports also go at once on every transition; master_dead_time counts in these (5 missed reports).',
  },
  state_update_interval: {
    ms: 1_000,
    does: 'Upper bound between two state updates to a runner.',
    trades: 'Updates go every elector tick anyway; this only bounds the gap when ticks are slowed.',
  },
  leader_dead_time: {
    ms: 200,
    does: 'An elector that heard no leader this long stands for election (never sooner than 4 heartbeats: a shorter value is raised to that). Use the same value on every node.',
    trades: 'How long a stalled leader (GC, a busy host) may fall silent without being replaced, counted in time, not heartbeats: longer rides out longer stalls of the leader, and delays the replacement of a dead leader by as much (a new leader also waits 4 heartbeats as candidate).',
  },
  master_dead_time: {
    ms: 1_000,
    does: 'The leader marks a runner Disconnected after this much silence, and drops it as master.',
    trades: '5 missed reports: shorter fails a master over on a few lost datagrams, longer delays the failover of a dead one.',
  },
  node_timeout: {
    ms: 1_000,
    does: 'A node not heard from this long leaves the node table and the quorum count.',
    trades: '20 missed heartbeats: shorter makes a lossy link look like a dead node, longer keeps a dead node counted toward quorum.',
  },
  master_lease: {
    ms: 1_200,
    does: 'A master demotes itself when no quorate leader renewed it for this long.',
    trades: 'Long enough for a new leader to take over (≈ 0.5 s) and keep renewing the same master without a flap; short enough for the 2.2 s failover target (issue 15; the leader waits it out before promoting another node).',
  },
  lease_margin: {
    ms: 300,
    does: 'Extra silence beyond the lease before the leader promotes a replacement.',
    trades: 'Covers a 157 ms clock freeze (3 heartbeats and 7 ms) and a 100 ms event-loop stall a node may not notice, and 1 % clock-rate error (docs/safety.md R3; minimum 284 ms with these values); it adds directly to every failover.',
  },
  elector_startup_tolerance: {
    ms: 500,
    does: 'A new leader waits this long before electing a master.',
    trades: 'Lets runners report to a new leader first, so it does not elect from a partial view.',
  },
  initial_promotion_delay: {
    ms: 60_000,
    does: 'After the leader starts, wait at most this long before the first election (runners report in).',
    trades: 'An upper bound only: a fresh cluster elects as soon as every configured peer reported.',
  },
  elector_lost_time: {
    ms: 3_000,
    does: 'A master that has not heard a leader this long logs a warning.',
    trades: 'A warning only.',
  },
  elector_gone_time: {
    ms: 8 * 60_000,
    does: 'A master that has not heard a leader this long demotes itself.',
    trades: 'The original default; only matters with quorum off (then it is the only way a cut-off master steps down).',
  },
  quorum_demote_time: {
    ms: 10_000,
    does: 'A master without quorum this long demotes itself.',
    trades: 'The original default; with quorum on, the lease acts first.',
  },
  status_interval: {
    ms: 10_000,
    does: 'How often `status` runs on started services.',
    trades: 'Shorter finds a failed service sooner at the cost of a script run per service each time.',
  },
  auto_recover_time: {
    ms: 10_000,
    does: 'A failed runner forgets the failure after this long (the first time; then × wait factor per failure in a row).',
    trades: 'The original default: shorter retries a broken node sooner, and flaps more.',
  },
  auto_recover_max_time: {
    ms: 10 * 60_000,
    does: 'The growing recovery wait (auto_recover_time × factor^(failcount−1)) never exceeds this.',
    trades: 'Bounds how long a repeatedly failing node stays out.',
  },
  failcount_reset: {
    ms: 30 * 60_000,
    does: 'The fail count resets after this long without failure.',
    trades: 'The original default.',
  },
  failure_promotion_timeout: {
    ms: 60_000,
    does: 'A runner that failed is not electable for this long.',
    trades: 'The original default: keeps the master from bouncing back to a node that just failed.',
  },
} as const satisfies Record<string, TimingDefault>;

export type TimeKey = keyof typeof TIMING_DEFAULTS;

/** The defaults in milliseconds (what the loader fills in). */
export const TIME_DEFAULTS = Object.freeze(Object.fromEntries(
  Object.entries(TIMING_DEFAULTS).map(([key, row]) => [key, row.ms]),
) as { readonly [K in TimeKey]: number });

/**
 * The fewest heartbeats of silence before an elector stands: `leader_dead_time` below 4 heartbeats is raised to
 * this (one or two lost heartbeats must not start an election). Also how long a starting runner listens for a
 * leader's view (node.ts).
 */
export const ELECTION_LIMIT_TICKS = 4;

/** How long an elector waits without hearing a leader before it stands: leader_dead_time, at least 4 heartbeats. */
export function electionTimeoutMs(time: { readonly leader_dead_time: number; readonly cluster_update_interval: number }): number {
  return Math.max(time.leader_dead_time, ELECTION_LIMIT_TICKS * time.cluster_update_interval);
}

/**
 * How long a candidate campaigns before it leads (protocol 4: a time, not 4 heartbeats, issue 15): two
 * heartbeat intervals and an unnoticed stall S — 4 heartbeats up to a 50 ms heartbeat, as the original's 4
 * ticks; 0.5 s at a 200 ms one. Two intervals, because a node stands after `leader_dead_time` without a
 * leader's heartbeat, which lost heartbeats cause as well as a dead leader: a live leader's next heartbeat
 * must still make the candidate step down if one more is lost (the nemesis at a 200 ms heartbeat found
 * leader flaps under 20 % loss with a candidacy of I + δ + S; failure detection by probes, the next row of
 * protocol 4, would tell the two apart). It also covers a higher elector that stood up to an interval and a
 * delay later (it heard one more heartbeat of the dead leader, δ ≤ I) and announced at once; S a higher
 * elector whose timer or loop ran late unnoticed. Missed, a higher announcement after a lower one led costs a
 * second leader change (and R1's switch gap for every follower that answered the lower one), never two
 * leaders: one leader at a time rests on R1's exclusive answers, not on this. And standing (≥ 4 heartbeats)
 * + candidacy stays later than R1's switch gap W + δ + F, so followers are free by the new leader's first
 * heartbeat.
 */
export function candidacyMs(time: { readonly cluster_update_interval: number }): number {
  const interval = time.cluster_update_interval;
  return 2 * interval + stallBoundMs(interval);
}

/** The leader election's times for these timings (leader-election.ts). */
export function electionTimings(time: { readonly leader_dead_time: number; readonly cluster_update_interval: number }): { standMs: number; candidacyMs: number } {
  return { standMs: electionTimeoutMs(time), candidacyMs: candidacyMs(time) };
}

/** How long a leader election takes at most once its leader fell silent: standing, then the candidacy. */
export function electionMs(time: { readonly leader_dead_time: number; readonly cluster_update_interval: number }): number {
  return electionTimeoutMs(time) + candidacyMs(time);
}

/**
 * Between elector ticks the leader repeats the master's renewal at most this many times per master_lease
 * (and at most once per heartbeat): every 2nd heartbeat at the defaults (10 datagrams a second fewer to and
 * from the master, issue 15), every heartbeat in the fast profile. 12 renewals lost in a row end a lease:
 * test/cluster/packet-loss.test.ts (20 % loss) passes 36 of 36 seeds; at 4 per lease 3 of 6 fail.
 */
export const RENEWALS_PER_LEASE = 12;

/**
 * The least time between two renewals of the master's lease by heartbeat: a whole number of heartbeats (at least
 * one), rounded down so that a lease of 12 heartbeats or more gets RENEWALS_PER_LEASE or more (a shorter lease gets
 * one per heartbeat); every 2nd heartbeat at the defaults;
 * every heartbeat in the fast profile, whose 135 ms lease over 12 is 1.9 heartbeats — rounded up, that was every
 * 2nd, and a stalled master or leader lost a heartbeat of its stall tolerance). Less a quarter interval, so that
 * timer jitter does not skip a heartbeat.
 */
export function renewalSpacingMs(time: { readonly master_lease: number; readonly cluster_update_interval: number }): number {
  const interval = time.cluster_update_interval;
  const heartbeats = Math.max(1, Math.floor(time.master_lease / RENEWALS_PER_LEASE / interval));
  return heartbeats * interval - interval / 4;
}

/**
 * A follower's heartbeats go to its leader only (they are its acknowledgements, R1), except one in every few,
 * which goes to every peer: followers need each other only for their node tables (node_timeout, the quorum
 * count a master checks, the table a next leader starts from), not for any lease arithmetic. At least this
 * many full heartbeats per node_timeout ...
 */
export const PEER_REFRESHES_PER_NODE_TIMEOUT = 5;

/**
 * ... and at least one every this many heartbeats, whatever node_timeout says: a node whose node_timeout is
 * longer than its peers' (a rolling reload) must not send so rarely that they drop it, and under heavy loss a
 * refresh every 3rd heartbeat keeps a follower in the others' tables through 6 lost in a row at the defaults.
 */
export const PEER_REFRESH_MAX_HEARTBEATS = 3;

/**
 * The least time between two heartbeats a follower sends to every peer: a whole number of heartbeats, at least
 * one and at most PEER_REFRESH_MAX_HEARTBEATS, rounded down so that its own node_timeout — and the default one,
 * which peers not yet reloaded along with it may still use (a longer heartbeat reloaded first) — holds
 * PEER_REFRESHES_PER_NODE_TIMEOUT or more; every 3rd heartbeat at the defaults and in the fast profile. Less a
 * quarter interval, so that timer jitter does not skip a heartbeat.
 */
export function peerRefreshSpacingMs(time: { readonly node_timeout: number; readonly cluster_update_interval: number }): number {
  const interval = time.cluster_update_interval;
  const timeout = Math.min(time.node_timeout, TIMING_DEFAULTS.node_timeout.ms);
  const fit = Math.floor(timeout / PEER_REFRESHES_PER_NODE_TIMEOUT / interval);
  const heartbeats = Math.min(PEER_REFRESH_MAX_HEARTBEATS, Math.max(1, fit));
  return heartbeats * interval - interval / 4;
}

/**
 * How long a follower remembers the master of the last view that named one (heartbeat `knownMaster`, R8), and a
 * leader a master it learned that way: after that a master never fenced or heard stops holding elections.
 */
export const KNOWN_MASTER_MEMORY_MS = 60 * 60_000;

/** Runners gone Disconnected this long are forgotten by the leader (SPEC §5). */
export const FORGET_RUNNER_MS = 30 * 60_000;
