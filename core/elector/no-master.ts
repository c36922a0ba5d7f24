/**
 * Why the leader has no master (docs/client.md "When there is no master"):
 * what holds the election, and for each runner why it is not a candidate.
 * Pure functions of the leader's records and clock, shown by `koi status`
 * (text and --json) and logged; also the failover-storm rule: when every
 * runner failed the same service recently, cycling the role through them
 * achieves nothing, so the leader stops electing and waits for an operator.
 */
import { isAtLeast, type RunnerRecord } from './records';

/** Machine-readable reasons (`noMaster.code` in --json). */
export type NoMasterCode =
  | 'startup-delay' | 'no-quorum' | 'manual-master' | 'maintenance' | 'promoted-services' | 'awaiting-report' | 'lease-wait'
  | 'fencing' | 'fence-grace' | 'no-electable-runner' | 'failover-halted' | 'on-elect-empty' | 'electing';

export interface NoMasterWait {
  code: NoMasterCode;
  /** One line for humans. */
  message: string;
  /** Leader-clock time the wait ends, when it ends by itself. */
  until?: number;
}

export interface RunnerBlocker {
  id: string;
  name: string;
  reason: string;
}

const seconds = (ms: number): string => `${Math.max(0, Math.ceil(ms / 1000))} s`;

/**
 * Why runner `r` is not a candidate now ('' when it is one). The failure
 * rule is the strict one; electionCandidates drops it when nobody else is
 * left, and says so through `failedButElectable`.
 */
export function runnerBlocker(r: RunnerRecord, now: number, failurePromotionTimeoutMs: number): string {
  if (r.state === 'Disconnected') return `Disconnected: not heard for ${seconds(now - r.lastSeen)}`;
  if (r.state === 'Failed') return `Failed${r.lastFailureReason ? ` (${r.lastFailureReason})` : ''}`;
  if (r.stopped) return 'stopped by hand (koi stop; koi start undoes it)';
  if (r.mode !== 'Active') return `${r.mode} (shutting down)`;
  if (!isAtLeast(r.state, 'Slave')) {
    const waitingFor = r.services.filter((s) => !s.disabled && s.state !== 'Started' && s.state !== 'Promoted').map((s) => `${s.name}:${s.state}`);
    return `${r.state}: services not promotable yet${waitingFor.length ? ` (${waitingFor.join(' ')})` : ''}`;
  }
  if (r.lastFailureAt > -Infinity && now - r.lastFailureAt < failurePromotionTimeoutMs) {
    return `failed ${seconds(now - r.lastFailureAt)} ago; electable again in ${seconds(r.lastFailureAt + failurePromotionTimeoutMs - now)} (failure_promotion_timeout)`;
  }
  return '';
}

/** Every runner that is not a candidate, with why (the leader's order: by name). */
export function runnerBlockers(records: Iterable<RunnerRecord>, now: number, failurePromotionTimeoutMs: number): RunnerBlocker[] {
  return [...records]
    .map((r) => ({ id: r.id, name: r.name, reason: runnerBlocker(r, now, failurePromotionTimeoutMs) }))
    .filter((b) => b.reason !== '')
    .sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
}

/** The service a failure reason names (`service NAME failed: ...`), '' when none. */
export function failedService(reason: string): string {
  const m = /^service (\S+) failed:/.exec(reason);
  return m ? m[1] : '';
}

export interface FailoverHalt {
  service: string;
  /** Names of the runners that failed it. */
  runners: string[];
}

/**
 * The failover-storm rule: with two or more runners in reach, every one of
 * them failed the same service within `windowMs` (the leader's record of
 * each runner's last failure). Then another election would hand the role
 * to a runner that just failed it: the leader stops electing until an
 * operator acts (`koi recover`, `koi promote`, `koi elect`).
 */
export function failoverHalt(records: Iterable<RunnerRecord>, since: number): FailoverHalt | null {
  const reachable = [...records].filter((r) => r.state !== 'Disconnected' && !r.stopped);
  if (reachable.length < 2) return null;
  let service = '';
  for (const r of reachable) {
    if (r.lastFailureAt === -Infinity || r.lastFailureAt < since) return null;
    const failed = failedService(r.lastFailureReason);
    if (!failed || (service && failed !== service)) return null;
    service = failed;
  }
  return { service, runners: reachable.map((r) => r.name).sort() };
}
