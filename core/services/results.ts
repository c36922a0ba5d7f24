/**
 * Reading a service event's result (SPEC §6): whether it succeeded, what a
 * status code means for a service in a given state, and a human line for
 * logs and failure reasons. Pure functions.
 */
import type { ServiceEventName, ServiceEventResult, ServiceState } from '../../plugin-api';
import { ADOPT, VALID_STATUS, statusEffect, type StatusEffect } from './transitions';

/** One event as the manager saw it run. */
export interface EventRun {
  result: ServiceEventResult;
  ok: boolean;
  /** Not run: maintenance mode presumed it. */
  presumed: boolean;
}

export const STATUS_MEANING: Record<number, string> = { 0: 'ok', 90: 'master', 91: 'slave', 92: 'stopped', 93: 'live, not promotable yet' };

export function eventOk(result: ServiceEventResult): boolean {
  return result.code === 0 && !result.timedOut && !result.aborted && result.error === undefined;
}

export function statusOk(result: ServiceEventResult): boolean {
  return VALID_STATUS.has(result.code) && !result.timedOut && !result.aborted && result.error === undefined;
}

/** A human reading of an event's result, used in failure reasons. */
export function describe(event: ServiceEventName, result: ServiceEventResult, timeoutMs: number): string {
  if (result.timedOut) return `timed out after ${timeoutMs} ms`;
  if (result.aborted) return 'aborted';
  if (result.error !== undefined) return `failed (${result.error})`;
  if (event === 'status' && VALID_STATUS.has(result.code)) return `exited with ${result.code} (${STATUS_MEANING[result.code]})`;
  return `exited with code ${result.code}`;
}

/**
 * What a valid status code means for a service resting in `state`: a running
 * service follows statusEffect; a Stopped or Failed one (only checked after
 * maintenance) is taken as it says it is (ADOPT); one Failing is left to its stop.
 */
export function verifiedEffect(code: number, state: ServiceState): StatusEffect {
  if (state === 'Started' || state === 'Promoted') return statusEffect(code, state);
  const adopted = ADOPT[code];
  if (state === 'Failing' || adopted === undefined || adopted === state || (state === 'Failed' && adopted === 'Stopped')) return { kind: 'keep' };
  return { kind: 'set', state: adopted };
}
