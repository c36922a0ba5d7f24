/**
 * Default values of the `time` section, in milliseconds. Kept apart from the
 * rest of the schema because they are tuned together: the failover and
 * no-two-masters guarantees depend on their relations (docs/architecture.md,
 * "Timings"; checked at start by `checkClusterConfig` in core/node/cluster-check.ts).
 *
 * With these values (proved in virtual time by test/cluster/timings.test.ts):
 * - a dead master is replaced in ≈ 1.8 s (≈ 2.6 s when it was also the leader);
 * - a 3-node cluster started together has a master in ≈ 1.5 s.
 */
export const TIME_DEFAULTS = {
  /** Service status checks (SPEC §6). */
  status_interval: 10_000,
  /** Heartbeats on every link; 4 of them without a leader start an election. */
  cluster_update_interval: 50,
  /** Upper bound between two state updates to a runner (they normally go every elector tick). */
  state_update_interval: 1_000,
  /** Elector logic and state updates (lease renewals): 6 renewals per lease. */
  elector_tick_interval: 200,
  /** Health reports to the leader. */
  runner_tick_interval: 200,
  elector_lost_time: 3_000,
  /** Without quorum, the only way a cut-off master steps down (original default). */
  elector_gone_time: 8 * 60_000,
  quorum_demote_time: 10_000,
  /** 5 health reports missed: the runner is Disconnected and dropped as master. */
  master_dead_time: 1_000,
  elector_startup_tolerance: 500,
  /** Upper bound only: a fresh cluster elects as soon as every configured peer reported. */
  initial_promotion_delay: 60_000,
  auto_recover_time: 10_000,
  /** The growing recovery wait stops growing here. */
  auto_recover_max_time: 10 * 60_000,
  failcount_reset: 30 * 60_000,
  failure_promotion_timeout: 60_000,
  /** 20 heartbeats missed: the node leaves the table (and stops counting for quorum). */
  node_timeout: 1_000,
  /** A master demotes when no quorate leader renewed it for this long. */
  master_lease: 1_200,
  /** Covers two unnoticed 100 ms stalls, message delay and clock-rate error on top of the lease (minimum 265 ms here; docs/safety.md). */
  lease_margin: 300,
} as const;

export type TimeKey = keyof typeof TIME_DEFAULTS;

/** Ticks without a leader before an elector stands, and ticks a candidate waits before leading (SPEC §2, original 4). */
export const ELECTION_LIMIT_TICKS = 4;

/** A follower's answer counts toward the leader's lease quorum for this many heartbeat intervals. */
export const ACK_WINDOW_TICKS = 3;

/** Runners gone Disconnected this long are forgotten by the leader (SPEC §5). */
export const FORGET_RUNNER_MS = 30 * 60_000;
