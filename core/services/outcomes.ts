/**
 * What a finished event does to its service's record (SPEC §6): the next
 * resting state (transitions.ts OUTCOME, status effects), the flags the
 * state machine keeps (may be running, may be promoted, blocked,
 * unverified), and failures reported. Functions of the record and the
 * manager's hooks (OutcomeHost); the manager drives on afterwards.
 */
import type { KoiConfig, ServiceState } from '../../plugin-api';
import { STATUS_MEANING, describe, verifiedEffect, type EventRun } from './results';
import { PROMOTED_STATES, type ServiceRecord } from './service-record';
import { OUTCOME, TIMEOUT_KEY, type Outcome, type TransitionEvent } from './transitions';

/** What applying an outcome uses of the manager. */
export interface OutcomeHost {
  config(): KoiConfig;
  maintenance(): boolean;
  setState(record: ServiceRecord, to: ServiceState, reason: string): void;
  /** Report a failure to the runner (the manager skips it under the Fail target). */
  fail(record: ServiceRecord, reason: string, output?: string[]): void;
  /** Something the runner hears about changed. */
  markDirty(): void;
}

/** What a finished start/stop/promote/demote/failed event does to its service (the manager drives on afterwards). */
export function applyTransitionOutcome(host: OutcomeHost, record: ServiceRecord, event: TransitionEvent, run: EventRun): void {
  let outcome: Outcome = run.ok ? 'ok' : run.result.aborted ? 'aborted' : 'failed';
  let what = `${event} ${outcome === 'failed' ? describe(event, run.result, host.config().service[TIMEOUT_KEY[event]]) : outcome}`;
  if (outcome === 'failed' && host.maintenance()) {
    // It began before maintenance went on (presumed events cannot fail). Maintenance presumes
    // success for every event: this one is no node failure either. The state is unverified, and
    // the status check when maintenance ends finds out what it really left (docs/services.md).
    record.log.warn(`${what} after maintenance mode went on: not counted as a failure; checked by status when maintenance ends`);
    outcome = 'ok';
    what = `${event} presumed successful (${what} in maintenance mode)`;
    record.unverified = true;
  }
  if (outcome === 'ok' && !record.unverified && (event === 'demote' || event === 'stop')) record.maybePromoted = false;
  const inFailSequence = record.state === 'Failing';
  if (inFailSequence) {
    if (event === 'failed') {
      if (outcome === 'failed') record.log.error(`failed event did not succeed: ${what}`);
      if (!record.mayBeRunning) finishFailSequence(host, record, `${what}; nothing to stop`);
      // else: rests Failing until the priority order lets its stop run (launchDue).
    } else {
      // The stop of the Fail sequence: the service rests Failed whatever the stop did.
      if (outcome === 'failed') record.log.error(`stop after failure did not succeed: ${what}`);
      record.mayBeRunning = outcome !== 'ok';
      finishFailSequence(host, record, what);
    }
  } else {
    const next = OUTCOME[event][outcome];
    if (outcome === 'failed') {
      // A failed stop, start, promote or demote may leave the service half up.
      record.mayBeRunning = true;
      record.blocked = true;
      record.failHandled = false;
      host.setState(record, next, what);
      host.fail(record, `${record.name}: ${what}`, run.result.output);
    } else {
      if (next === 'Stopped') {
        record.mayBeRunning = false;
        record.lastStatus = null;
      } else {
        record.mayBeRunning = true;
      }
      if (event === 'start' && outcome === 'ok') {
        record.lastStatus = null;
        record.statusWanted = true;
      }
      host.setState(record, next, what);
    }
  }
}

/** What a finished status check does to its service; `state` is the one it was launched in, `verify` the check after maintenance. */
export function applyStatusOutcome(host: OutcomeHost, record: ServiceRecord, state: ServiceState, run: EventRun, verify: boolean): void {
  const { result } = run;
  if (result.aborted || (!run.presumed && host.maintenance())) {
    // Aborted, or a real answer that arrived after maintenance went on: nothing is acted upon in maintenance.
    if (!result.aborted) record.unverified = true;
    return;
  }
  if (verify) {
    record.verifyWanted = false;
    record.log.info({ code: result.code }, `status after maintenance: ${describe('status', result, host.config().service.status_timeout)} (${record.state})`);
  }
  if (!run.presumed) record.unverified = false;
  const effect = run.ok ? verifiedEffect(result.code, state) : { kind: 'error' as const };
  // Promotability may change with the code: the listener hears of it.
  if (run.ok && record.lastStatus !== result.code) host.markDirty();
  if (run.ok) record.lastStatus = result.code;
  switch (effect.kind) {
    case 'keep':
      break;
    case 'set':
      host.setState(record, effect.state, `status exited with ${result.code} (${STATUS_MEANING[result.code] ?? '?'})`);
      if (effect.state === 'Stopped') {
        record.mayBeRunning = false;
        record.lastStatus = null;
      }
      break;
    case 'error': {
      const what = `status ${describe('status', result, host.config().service.status_timeout)}`;
      record.lastStatus = result.code;
      record.mayBeRunning = true;
      record.blocked = true;
      record.failHandled = false;
      host.setState(record, 'Failed', what);
      host.fail(record, `${record.name}: ${what}`, result.output);
      break;
    }
    default: {
      const unreachable: never = effect;
      return unreachable;
    }
  }
  if (run.ok && !run.presumed) {
    if (record.state === 'Started' || record.state === 'Promoted') record.mayBeRunning = true;
    record.maybePromoted = result.code === 90 || PROMOTED_STATES.has(record.state);
  }
}

/** The Fail sequence is over for this service: it rests Failed. */
export function finishFailSequence(host: OutcomeHost, record: ServiceRecord, reason: string): void {
  record.failHandled = true;
  record.lastStatus = null;
  host.setState(record, 'Failed', reason);
}
