/**
 * The leader's record of one runner (SPEC §5), built from its health
 * reports, and the list of recent failures (`koi failures`, the last 10).
 */
import type { HealthReport, RunnerMode, RunnerState, ServiceStatusInfo, TargetAction } from '../../plugin-api';
import { runnerStateRank } from '../../plugin-api';

export interface RunnerRecord {
  id: string;
  name: string;
  /** Most recently used address ('' for the leader's own runner). */
  address: string;
  uptimeMs: number;
  /** As reported, or Disconnected when not heard for master_dead_time. */
  state: RunnerState;
  mode: RunnerMode;
  target: TargetAction;
  services: ServiceStatusInfo[];
  promoted: boolean;
  stopped: boolean;
  failCount: number;
  /** Leader-clock time of the last failure, -Infinity when none. */
  lastFailureAt: number;
  lastFailureReason: string;
  /** The last lines the failing script wrote (bounded by the runner). */
  lastFailureOutput: string[];
  /** Leader-clock time of the last report. */
  lastSeen: number;
  firstSeen: number;
  /** When the leader marked it Disconnected (-Infinity while connected). */
  disconnectedSince: number;
  /** Last time a state update granting it the master lease was sent to it (-Infinity when never). */
  lastNamedSentAt: number;
  /** Until when the last lease this leader granted it may run, margin included (lease-rules.ts `grant`). */
  holdUntil: number;
  /** `leaderUptimeMs` of the newest state update of this leader it applied (its last report said; 0 when none). */
  appliedUpdateMs: number;
  /** Leader-clock time of the last heartbeat carrying NodeFlag.Master (-Infinity when none). */
  lastMasterClaimAt: number;
  /**
   * Leader-clock send time of the newest heartbeat of this leader that a NodeFlag.Master heartbeat answered
   * (-Infinity when none): the claim was made after it (R5, lease-rules.ts `claimAnswersQuorum`).
   */
  lastMasterClaimAnswering: number;
  /**
   * Leader-clock time of the last heartbeat or report of it that did not say Master (-Infinity when none): it
   * withdraws every claim before it, and one answering a heartbeat sent earlier, or received less than an ack
   * window later, may be older than it (R5; a review found a lapsed master's claim kept fresh for ever).
   */
  claimWithdrawnAt: number;
}

export interface FailureEntry {
  /** Leader wall-clock time of the failure. */
  atWall: number;
  /** Leader monotonic time of the failure. */
  at: number;
  nodeId: string;
  nodeName: string;
  reason: string;
  /** The last lines the failing script wrote. */
  output: string[];
}

/** How many failures `koi failures` keeps. */
export const MAX_FAILURES = 10;

export function isAtLeast(state: RunnerState, floor: RunnerState): boolean {
  return runnerStateRank(state) >= runnerStateRank(floor);
}

/** Apply a health report; returns a failure to record when the report reveals a new one. */
export function applyReport(
  record: RunnerRecord | undefined, id: string, report: HealthReport, address: string, now: number,
): { record: RunnerRecord; newFailure: { at: number; reason: string } | null } {
  const failureAt = report.lastFailureAgoMs >= 0 ? now - report.lastFailureAgoMs : -Infinity;
  const next: RunnerRecord = record ?? {
    id, name: report.name, address, uptimeMs: 0, state: 'Disconnected', mode: 'Active', target: 'Stop', services: [],
    promoted: false, stopped: false, failCount: 0, lastFailureAt: -Infinity, lastFailureReason: '', lastFailureOutput: [],
    lastSeen: now, firstSeen: now, disconnectedSince: -Infinity, lastNamedSentAt: -Infinity, holdUntil: -Infinity, appliedUpdateMs: 0, lastMasterClaimAt: -Infinity, lastMasterClaimAnswering: -Infinity, claimWithdrawnAt: -Infinity,
  };
  // A failure is new when its time differs from the known one by more than report jitter.
  const isNew = failureAt > -Infinity && (next.lastFailureAt === -Infinity || failureAt > next.lastFailureAt + 1000);
  next.name = report.name;
  if (address) next.address = address;
  next.uptimeMs = report.uptimeMs;
  next.state = report.state;
  next.mode = report.mode;
  next.target = report.target;
  next.services = report.services;
  next.promoted = report.promoted;
  next.stopped = report.stopped;
  next.failCount = report.failCount;
  if (failureAt > -Infinity) {
    if (isNew) next.lastFailureAt = failureAt;
    next.lastFailureReason = report.lastFailureReason;
    next.lastFailureOutput = report.lastFailureOutput ?? [];
  } else {
    next.lastFailureAt = -Infinity;
    next.lastFailureReason = '';
    next.lastFailureOutput = [];
  }
  next.appliedUpdateMs = report.appliedUpdateMs ?? 0;
  next.lastSeen = now;
  next.disconnectedSince = -Infinity;
  return { record: next, newFailure: isNew ? { at: failureAt, reason: report.lastFailureReason } : null };
}
