/**
 * What each hook payload becomes as a cluster event: its kind, the one line
 * `koi events` prints, and the kind-specific fields (docs/observability.md
 * "Events and the journal" lists them). Pure functions: the recorder
 * (recorder.ts) adds time, sequence number and node.
 */
import type {
  AdminCommandCall, ClusterEventKind, ConfigReload, FailoverHaltChange, FenceRequest, FenceResult, LeaderChange,
  MasterChange, MembershipChange, ServiceEventReport, StateChange,
} from '../../plugin-api';
import { NodeFlag } from '../../plugin-api';

/** An event before the recorder stamps it. */
export interface EventDraft {
  kind: ClusterEventKind;
  message: string;
  data: Record<string, unknown>;
}

/** Lines of script output an event carries (the service event's tail is already bounded). */
export const EVENT_OUTPUT_LINES = 8;

const name = (n: string, id: string): string => n || id || 'none';

export function leaderEvent(change: LeaderChange, previousName: string): EventDraft {
  const data = {
    leader: change.leaderName, leaderId: change.leaderId, previous: previousName, previousId: change.previousLeaderId, self: change.self,
  };
  const was = change.previousLeaderId ? ` (was ${name(previousName, change.previousLeaderId)})` : '';
  if (!change.leaderId) return { kind: 'leader', message: `no leader${was}`, data };
  const who = change.self ? 'this node leads the cluster' : `leader is ${name(change.leaderName, change.leaderId)}`;
  return { kind: 'leader', message: `${who}${was}`, data };
}

/**
 * A master change. On the leader it is its own decision (an election, or a
 * master dropped), kind `election`; every other node saw it in the
 * leader's view, kind `master`.
 */
export function masterEvent(change: MasterChange, previousName: string): EventDraft {
  const kind: ClusterEventKind = change.decidedHere ? 'election' : 'master';
  const data = {
    master: change.masterName, masterId: change.masterId, previous: previousName, previousId: change.previousMasterId,
    ...(change.reason ? { reason: change.reason } : {}),
  };
  const was = change.previousMasterId ? ` (was ${name(previousName, change.previousMasterId)})` : '';
  const why = change.reason && change.reason !== 'elected' ? `: ${change.reason}` : '';
  if (!change.masterId) return { kind, message: `no master${was}${why}`, data };
  const verb = change.decidedHere ? 'master elected' : 'master is';
  return { kind, message: `${verb} ${name(change.masterName, change.masterId)}${was}${why}`, data };
}

export function stateEvent(change: StateChange): EventDraft {
  return {
    kind: 'state',
    message: `runner state ${change.from} -> ${change.to}: ${change.reason}`,
    data: { from: change.from, to: change.to, reason: change.reason },
  };
}

/** The runner went Failed: the reason and the failing script's last lines. */
export function failureEvent(reason: string, output: readonly string[]): EventDraft {
  const tail = output.slice(-EVENT_OUTPUT_LINES);
  return { kind: 'failure', message: `runner failed: ${reason}`, data: { reason, ...(tail.length > 0 ? { output: tail } : {}) } };
}

/**
 * A service event, or null for one not worth an event: a `status` check
 * that found what it expected runs every status_interval and would drown
 * everything else (a failing one is kept).
 */
export function serviceEvent(report: ServiceEventReport): EventDraft | null {
  if (report.event === 'status' && report.ok) return null;
  const r = report.result;
  const outcome = report.presumed ? 'presumed ok (maintenance)'
    : report.ok ? 'ok'
      : r.timedOut ? 'timed out'
        : r.aborted ? 'aborted'
          : r.error !== undefined ? `failed: ${r.error}`
            : 'failed';
  const detail = report.presumed ? '' : ` (exit ${r.code}, ${Math.round(r.durationMs)} ms)`;
  const output = !report.ok && r.output && r.output.length > 0 ? r.output.slice(-EVENT_OUTPUT_LINES) : undefined;
  return {
    kind: 'service',
    message: `service ${report.service} ${report.event} ${outcome}${detail}`,
    data: {
      service: report.service, event: report.event, ok: report.ok, presumed: report.presumed, code: r.code,
      durationMs: Math.round(r.durationMs), timedOut: r.timedOut, aborted: r.aborted,
      ...(r.error !== undefined ? { error: r.error } : {}), ...(output ? { output } : {}),
    },
  };
}

export function membershipEvent(change: MembershipChange): EventDraft {
  const roles = [(change.flags & NodeFlag.Elector) !== 0 ? 'elector' : '', (change.flags & NodeFlag.Runner) !== 0 ? 'runner' : '']
    .filter(Boolean);
  return {
    kind: 'membership',
    message: `node ${name(change.name, change.nodeId)} ${change.change}${change.change === 'joined' && roles.length ? ` (${roles.join(', ')})` : ''}`,
    data: { change: change.change, name: change.name, nodeId: change.nodeId, flags: change.flags },
  };
}

export function configEvent(reload: Pick<ConfigReload, 'restart'>, changed: readonly string[]): EventDraft {
  const what = changed.length > 0 ? changed.join(', ') : 'no key changed';
  return {
    kind: 'config',
    message: `configuration reloaded${reload.restart ? ', restarting the node in-process' : ' live'}: ${what}`,
    data: { restart: reload.restart, changed: [...changed] },
  };
}

/** An admin command this node answered (`forwarded`: it passed the request on to another node). */
export function adminEvent(call: AdminCommandCall, exitCode: number, forwarded: boolean): EventDraft {
  const line = [call.command, ...call.args].join(' ');
  return {
    kind: 'admin',
    message: `admin '${line}' from ${call.from}: exit ${exitCode}${forwarded ? ' (forwarded)' : ''}`,
    data: { command: call.command, args: [...call.args], from: call.from, exitCode, forwarded },
  };
}

export function failoverHaltEvent(change: FailoverHaltChange): EventDraft {
  return {
    kind: 'failover-halt',
    message: change.halted ? `failover halted: ${change.message}` : `failover resumed${change.service ? ` (${change.service})` : ''}`,
    data: { halted: change.halted, service: change.service, runners: [...change.runners], message: change.message },
  };
}

/** A fence request, then (`result` given, or null when no plugin answered) its outcome. */
export function fenceEvent(request: FenceRequest, result?: FenceResult | null): EventDraft {
  const data: Record<string, unknown> = { node: request.name, nodeId: request.nodeId, silentForMs: request.silentForMs, addresses: [...request.addresses] };
  if (result === undefined) return { kind: 'fence', message: `fencing ${name(request.name, request.nodeId)}, silent for ${request.silentForMs} ms`, data };
  const ok = result?.ok === true;
  const detail = result?.detail ?? 'no fencing plugin answered';
  return { kind: 'fence', message: `fencing ${name(request.name, request.nodeId)} ${ok ? 'done' : 'failed'}: ${detail}`, data: { ...data, ok, detail } };
}

export function nodeEvent(what: 'started' | 'stopping', detail: string): EventDraft {
  return { kind: 'node', message: `node ${what}${detail ? `: ${detail}` : ''}`, data: { what, ...(detail ? { detail } : {}) } };
}
