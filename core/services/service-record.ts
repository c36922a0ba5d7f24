/**
 * The manager's record of one service: what discovery found (entry,
 * definition, executor), its state, the event in flight, and the flags the
 * state machine keeps; plus the pure questions asked of records (at target?
 * in priority order?). The records themselves live in the manager's table.
 */
import type { Logger, ServiceDefinition, ServiceEntry, ServiceEventName, ServiceExecutor, ServiceState, TargetAction } from '../../plugin-api';
import { TARGET_STATE, type TransitionEvent } from './transitions';

export interface InFlight {
  event: ServiceEventName;
  controller: AbortController;
  done: Promise<void>;
}

export interface ServiceRecord {
  name: string;
  entry: ServiceEntry;
  definition: ServiceDefinition;
  executor: ServiceExecutor;
  state: ServiceState;
  /** Exit code of the last status check; null before the first one after a start. */
  lastStatus: number | null;
  /** The running start/stop/promote/demote/failed event. */
  transition: InFlight | null;
  /** The running status check (never at the same time as a transition). */
  status: InFlight | null;
  /** Failed since the target last changed: not retried until the target changes. */
  blocked: boolean;
  /** The Fail target's `failed` (and `stop`) sequence ran for this service. */
  failHandled: boolean;
  /** The service may hold resources (not cleanly stopped): the Fail sequence stops it. */
  mayBeRunning: boolean;
  /** The failure of being disabled was reported (once per disabling). */
  disabledReported: boolean;
  /** Check status as soon as possible (after a start: promotability is unknown). */
  statusWanted: boolean;
  /** When its last status check began (a round skips a service checked since the round began). */
  statusLaunchedAt: number;
  /**
   * A promote ran (real or presumed) or status said 90, and no real demote,
   * stop or status has shown the role released since: the service may hold
   * it whatever its state says.
   */
  maybePromoted: boolean;
  /** Its state was presumed (maintenance mode) and no real status has confirmed it since. */
  unverified: boolean;
  /** Maintenance ended: check status before any other event, in whatever state (see setMaintenance). */
  verifyWanted: boolean;
  removed: boolean;
  log: Logger;
}

export const RUNNING_STATES: ReadonlySet<ServiceState> = new Set(['Started', 'Promoted', 'Promoting', 'Demoting']);
export const PROMOTED_STATES: ReadonlySet<ServiceState> = new Set(['Promoting', 'Promoted', 'Demoting']);

/** Targets under which services are started or promoted. */
export function startsServices(target: TargetAction): boolean {
  return target === 'Start' || target === 'Promote' || target === 'Demote';
}

/** The target a service follows: a disabled service is stopped. */
export function targetOf(record: ServiceRecord, current: TargetAction): TargetAction {
  return record.definition.enabled ? current : 'Stop';
}

export function atTarget(record: ServiceRecord, current: TargetAction): boolean {
  const target = targetOf(record, current);
  switch (target) {
    case 'Stop':
      return record.state === 'Stopped' || record.state === 'Failed';
    case 'Fail':
      return record.state === 'Failed' && record.failHandled;
    case 'Start':
    case 'Demote':
    case 'Promote':
      return record.state === TARGET_STATE[target];
    default: {
      const unreachable: never = target;
      return unreachable;
    }
  }
}

/** Priority order (SPEC §6): start/promote ascending, stop/demote descending; no priority = independent. */
export function orderAllows(record: ServiceRecord, event: TransitionEvent, records: Iterable<ServiceRecord>, current: TargetAction): boolean {
  const priority = record.definition.priority;
  if (priority === null || event === 'failed') return true;
  for (const other of records) {
    const p = other.definition.priority;
    if (other === record || p === null || !participates(other, current)) continue;
    switch (event) {
      case 'start':
        if (p < priority && !RUNNING_STATES.has(other.state)) return false;
        break;
      case 'promote':
        if (p < priority && other.state !== 'Promoted') return false;
        break;
      // A higher service still to be checked after maintenance may turn out promoted or running.
      case 'stop':
        if (p > priority && (!isDown(other, current) || other.verifyWanted)) return false;
        break;
      case 'demote':
        if (p > priority && (PROMOTED_STATES.has(other.state) || other.verifyWanted)) return false;
        break;
      default: {
        const unreachable: never = event;
        return unreachable;
      }
    }
  }
  return true;
}

/** Disabled services that are already down do not hold others back. */
function participates(record: ServiceRecord, current: TargetAction): boolean {
  return record.definition.enabled || !isDown(record, current);
}

function isDown(record: ServiceRecord, current: TargetAction): boolean {
  if (record.transition) return false;
  if (record.state === 'Stopped') return true;
  return record.state === 'Failed' && (current !== 'Fail' || record.failHandled || !record.mayBeRunning);
}

/** Services by priority (unprioritised last), then name. */
export function byPriority(records: Iterable<ServiceRecord>): ServiceRecord[] {
  return [...records].sort((a, b) => {
    const pa = a.definition.priority ?? 100;
    const pb = b.definition.priority ?? 100;
    return pa - pb || (a.name < b.name ? -1 : a.name > b.name ? 1 : 0);
  });
}
