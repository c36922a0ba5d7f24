/**
 * The runner state machine (SPEC §4) as an explicit table: which state may
 * follow which. Every change goes through `assertTransition`, is logged as
 * `Transition[Old -> New]: reason` and fires `onStateChange`.
 *
 *   Disconnected ──leader heard──▶ Live ──services promotable──▶ Slave ──named master──▶ Master
 *        ▲                          ▲ ◀──not promotable────────── │ ◀──────not named / lease── │
 *        │                          │                              │                            │
 *   any ──service failure──▶ Failed ──recover (auto or koi recover)──▶ Live / Disconnected
 *   any ──koi stop──▶ Stopped ──koi start──▶ Live / Disconnected
 */
import type { RunnerState, TargetAction } from '../../plugin-api';
import { ErrorCode, KoiError } from '../../plugin-api/errors';

export const RUNNER_TRANSITIONS: Readonly<Record<RunnerState, readonly RunnerState[]>> = {
  Failed: ['Disconnected', 'Live', 'Stopped'],
  Disconnected: ['Live', 'Stopped', 'Failed'],
  Stopped: ['Disconnected', 'Live', 'Failed'],
  Live: ['Slave', 'Failed', 'Stopped'],
  Slave: ['Master', 'Live', 'Failed', 'Stopped'],
  Master: ['Slave', 'Failed', 'Stopped'],
};

export class IllegalTransitionError extends KoiError {
  constructor(readonly from: RunnerState, readonly to: RunnerState, reason: string) {
    super(ErrorCode.ILLEGAL_TRANSITION, `illegal runner transition ${from} -> ${to} (${reason})`);
  }
}

export function isLegalTransition(from: RunnerState, to: RunnerState): boolean {
  return RUNNER_TRANSITIONS[from].includes(to);
}

export function assertTransition(from: RunnerState, to: RunnerState, reason: string): void {
  if (!isLegalTransition(from, to)) throw new IllegalTransitionError(from, to, reason);
}

/** The service target of each runner state (`promotedLeft`: services still promoted, so demote first). */
export function targetFor(state: RunnerState, promotedLeft: boolean): TargetAction {
  switch (state) {
    case 'Failed':
      return 'Fail';
    case 'Disconnected':
    case 'Stopped':
      return 'Stop';
    case 'Live':
    case 'Slave':
      return promotedLeft ? 'Demote' : 'Start';
    case 'Master':
      return 'Promote';
    default: {
      const unreachable: never = state;
      throw new Error(`unknown runner state ${String(unreachable)}`);
    }
  }
}
