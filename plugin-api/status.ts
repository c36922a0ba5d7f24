/**
 * Names and numbers shared by the daemon, its plugins and service authors:
 * status exit codes, runner and service states, node flags.
 */

/** Exit codes of a service's `status` event (SPEC §6). Any other code is an error. */
export const StatusCode = {
  /** Healthy; promotable. */
  OK: 0,
  /** Error: the service (and so the node) has failed. */
  ERROR: 1,
  /** Running as master (promoted). */
  MASTER: 90,
  /** Running as slave (started, not promoted). */
  SLAVE: 91,
  /** Not running. */
  STOPPED: 92,
  /** Running but not promotable yet (e.g. still syncing). */
  LIVE: 93,
} as const;
export type StatusCodeValue = (typeof StatusCode)[keyof typeof StatusCode];

/** Runner states, lowest to highest (SPEC §4). */
export const RUNNER_STATES = ['Failed', 'Disconnected', 'Stopped', 'Live', 'Slave', 'Master'] as const;
export type RunnerState = (typeof RUNNER_STATES)[number];
/**
 * States shown in status output: a runner's, `Elector` / `Other` for nodes
 * that are not runners, `Offline` for a node the leader no longer hears and
 * holds no runner record of (it left the node table).
 */
export type DisplayState = RunnerState | 'Elector' | 'Other' | 'Offline';
/** Rank of a runner state; higher is "more alive". */
export function runnerStateRank(state: RunnerState): number {
  return RUNNER_STATES.indexOf(state);
}

/** Active runners may become master; Passive ones (e.g. while stopping) may only be slave. */
export type RunnerMode = 'Active' | 'Passive';

/** Service states (SPEC §6). */
export const SERVICE_STATES = [
  'Failed', 'Failing', 'Stopped', 'Stopping', 'Starting', 'Started', 'Demoting', 'Promoting', 'Promoted',
] as const;
export type ServiceState = (typeof SERVICE_STATES)[number];

/** What the runner is driving its services towards. */
export const TARGET_ACTIONS = ['Fail', 'Stop', 'Start', 'Demote', 'Promote'] as const;
export type TargetAction = (typeof TARGET_ACTIONS)[number];

/** Service events, each a script (or a method of a native service). */
export const SERVICE_EVENTS = ['start', 'stop', 'status', 'promote', 'demote', 'failed'] as const;
export type ServiceEventName = (typeof SERVICE_EVENTS)[number];

/** Bits of a heartbeat's `flags` field. */
export const NodeFlag = {
  Elector: 1,
  Runner: 2,
  Leader: 4,
  Failed: 8,
  /** The sender's runner is Master (holds a lease): a leader regaining its quorum may renew it at once (docs/safety.md R5). */
  Master: 16,
} as const;

/** Leader-election modes of an elector (SPEC §2). */
export type ElectionMode = 'servant' | 'candidate' | 'leader';

/** Process exit codes of `koinode` and `koi`. */
export const ExitCode = {
  OK: 0,
  /** koinode: runtime failure. koi: the cluster refused the request. */
  FAILURE: 1,
  /** koi: usage error. */
  USAGE: 2,
  /** koi: no answer within the timeout. */
  NO_ANSWER: 3,
  /** koinode: bad configuration (EX_CONFIG). */
  CONFIG: 78,
} as const;
