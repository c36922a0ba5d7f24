/**
 * The service state machine as explicit tables (SPEC §6).
 *
 * A service rests in one of the settled states (Stopped, Started, Promoted,
 * Failed) or in Failing between its `failed` and `stop` events; while an
 * event runs it is in that event's transitional state (Starting, Stopping,
 * Promoting, Demoting, Failing). `STEP` says which event moves a resting
 * service toward the target; `OUTCOME` says where an event's result leaves
 * it; `STATUS_EFFECT` says what a status exit code means.
 */
import type { ServiceEventName, ServiceState, TargetAction } from '../../plugin-api';

/** States a service rests in when no event runs. */
export type RestingState = 'Stopped' | 'Started' | 'Promoted' | 'Failed' | 'Failing';

/** Events that move a service between states (status is handled by STATUS_EFFECT). */
export type TransitionEvent = Exclude<ServiceEventName, 'status'>;

/**
 * The next event for a resting service under a target, or null when it is
 * there. `start*` from Failed only runs when the failure happened before the
 * target was last changed; `failed*` only when the failure was not handled
 * yet; `stop` from Failing only when the service may still be running (the
 * manager checks those conditions).
 */
export const STEP: Record<RestingState, Record<TargetAction, TransitionEvent | null>> = {
  Stopped: { Start: 'start', Demote: 'start', Promote: 'start', Stop: null, Fail: 'failed' },
  Started: { Start: null, Demote: null, Promote: 'promote', Stop: 'stop', Fail: 'failed' },
  // A promoted service is demoted before it is stopped, so a stop never leaves a role (an IP, ...) behind.
  Promoted: { Start: 'demote', Demote: 'demote', Promote: null, Stop: 'demote', Fail: 'failed' },
  Failed: { Start: 'start', Demote: 'start', Promote: 'start', Stop: null, Fail: 'failed' },
  Failing: { Start: null, Demote: null, Promote: null, Stop: null, Fail: 'stop' },
};

/** The state a service is in while an event runs. */
export const RUNNING_STATE: Record<TransitionEvent, ServiceState> = {
  start: 'Starting',
  stop: 'Stopping',
  promote: 'Promoting',
  demote: 'Demoting',
  failed: 'Failing',
};

export type Outcome = 'ok' | 'failed' | 'aborted';

/**
 * Where an event's outcome leaves the service. An aborted start or promote
 * may have half-done its work, so the service is treated as started /
 * promoted and the next step stops / demotes it. During the Fail target's
 * sequence (`failed` then `stop`) the manager overrides this: the service
 * stays Failing until its stop, then Failed.
 */
export const OUTCOME: Record<TransitionEvent, Record<Outcome, RestingState>> = {
  start: { ok: 'Started', failed: 'Failed', aborted: 'Started' },
  stop: { ok: 'Stopped', failed: 'Failed', aborted: 'Failed' },
  promote: { ok: 'Promoted', failed: 'Failed', aborted: 'Promoted' },
  demote: { ok: 'Started', failed: 'Failed', aborted: 'Promoted' },
  failed: { ok: 'Failing', failed: 'Failing', aborted: 'Failing' },
};

/** What the service state should be after a status exit code; null keeps it; 'error' fails it. */
export type StatusEffect = { kind: 'keep' } | { kind: 'set'; state: 'Started' | 'Promoted' | 'Stopped' } | { kind: 'error' };

/** Exit codes of `status` (SPEC §6): 0 OK, 90 master, 91 slave, 92 stopped, 93 live; anything else is an error. */
export function statusEffect(code: number, state: 'Started' | 'Promoted'): StatusEffect {
  switch (code) {
    case 0:
    case 93:
      return { kind: 'keep' };
    case 90:
      return state === 'Promoted' ? { kind: 'keep' } : { kind: 'set', state: 'Promoted' };
    case 91:
      return state === 'Started' ? { kind: 'keep' } : { kind: 'set', state: 'Started' };
    case 92:
      return { kind: 'set', state: 'Stopped' };
    default:
      return { kind: 'error' };
  }
}

/**
 * What a status check tells about a service koi believes Stopped or Failed:
 * found running at start-up (a crashed daemon left it) or after maintenance
 * (a stop was only presumed). The service is taken as it says it is, so the
 * table then drives it (a promoted service on a non-master is demoted, a
 * running one under the Stop target is stopped). 0 ("OK") is not listed: many
 * status scripts answer it whether or not the service runs, so it leaves the
 * state as it is (a Stopped service is started as usual; start is idempotent).
 */
export const ADOPT: Readonly<Partial<Record<number, 'Started' | 'Promoted' | 'Stopped'>>> = {
  90: 'Promoted',
  91: 'Started',
  92: 'Stopped',
  93: 'Started',
};

/** Status codes that keep a node promotable. */
export const PROMOTABLE_STATUS: ReadonlySet<number> = new Set([0, 90, 91]);

/** Status codes that are not errors. */
export const VALID_STATUS: ReadonlySet<number> = new Set([0, 90, 91, 92, 93]);

/** The resting state each target drives services to (`Failed` for Fail: after `failed` and `stop`). */
export const TARGET_STATE: Record<TargetAction, ServiceState> = {
  Start: 'Started',
  Demote: 'Started',
  Promote: 'Promoted',
  Stop: 'Stopped',
  Fail: 'Failed',
};

/** Whether a new target cancels a running event (SPEC §6: a stop aborts a running start, promote or status). */
export function abortsEvent(event: ServiceEventName, target: TargetAction): boolean {
  switch (event) {
    case 'start':
      return target === 'Stop' || target === 'Fail';
    case 'promote':
      return target !== 'Promote';
    case 'status':
      return true;
    case 'stop':
    case 'demote':
    case 'failed':
      return false;
    default: {
      const unreachable: never = event;
      return unreachable;
    }
  }
}

/** The config key of each event's timeout. */
export const TIMEOUT_KEY = {
  start: 'start_timeout',
  stop: 'stop_timeout',
  status: 'status_timeout',
  promote: 'promote_timeout',
  demote: 'demote_timeout',
  failed: 'failed_timeout',
} as const satisfies Record<ServiceEventName, string>;
