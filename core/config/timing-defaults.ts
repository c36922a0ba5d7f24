/**
 * Default values of the `time` section, in milliseconds. Kept apart from the
 * rest of the schema because they are tuned together: the failover and
 * no-two-masters guarantees depend on their relations (docs/architecture.md,
 * "Timings"). core/elector checks the relations at start.
 */
export const TIME_DEFAULTS = {
  status_interval: 10_000,
  cluster_update_interval: 200,
  state_update_interval: 1_000,
  elector_tick_interval: 250,
  runner_tick_interval: 250,
  elector_lost_time: 3_000,
  elector_gone_time: 8 * 60_000,
  quorum_demote_time: 10_000,
  master_dead_time: 2_000,
  elector_startup_tolerance: 500,
  initial_promotion_delay: 60_000,
  auto_recover_time: 10_000,
  failcount_reset: 30 * 60_000,
  failure_promotion_timeout: 60_000,
  node_timeout: 1_000,
  master_lease: 1_500,
  lease_margin: 500,
} as const;

export type TimeKey = keyof typeof TIME_DEFAULTS;
