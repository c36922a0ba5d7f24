/**
 * The operator actions a node answers (`koi promote`, `demote`, `elect`,
 * `maintenance`, `stop`, `start`, `recover`): checks where each may run
 * (leader or runner), resolves node names, and hands the action to the
 * elector or the runner. Functions of the node's parts; no state.
 */
import type { Elector } from '../elector/elector';
import type { Membership } from '../membership/membership';
import type { Runner } from '../runner/runner';
import type { ActionResult } from './status';

/** What the actions read of the node. */
export interface ActionParts {
  id: string;
  name: string;
  membership: Membership;
  elector: Elector | null;
  runner: Runner | null;
}

export interface ResolvedNode {
  id: string;
  name: string;
  address: string;
}

/** A node by exact id, else by name (this node included); null when unknown. */
export function resolveNode(p: ActionParts, nameOrId: string): ResolvedNode | null {
  if (nameOrId === p.id || nameOrId === p.name) return { id: p.id, name: p.name, address: '' };
  const entries = p.membership.table.all();
  const byId = entries.find((e) => e.id === nameOrId) ?? entries.find((e) => e.name === nameOrId);
  if (byId) return { id: byId.id, name: byId.name, address: byId.addresses[0] ?? '' };
  const runner = p.elector?.snapshot().runners.find((r) => r.id === nameOrId || r.name === nameOrId);
  return runner ? { id: runner.id, name: runner.name, address: runner.address } : null;
}

export function notLeader(membership: Membership, command: string): ActionResult {
  const leader = membership.currentLeaderId();
  const name = leader ? (membership.table.get(leader)?.name ?? leader) : '';
  return { ok: false, reason: `${command} must run on the leader${name ? ` (${name})` : '; no leader is known'}` };
}

/** Leader: make a runner (name or id) the target master. */
export function promote(p: ActionParts, nameOrId: string): ActionResult {
  if (!p.elector) return notLeader(p.membership, 'promote');
  const node = resolveNode(p, nameOrId);
  if (!node) return { ok: false, reason: `unknown node '${nameOrId}'` };
  return p.elector.promote(node.id);
}

/** Leader: drop the master and enter manual master mode. */
export function demote(p: ActionParts): ActionResult {
  return p.elector ? p.elector.demote() : notLeader(p.membership, 'demote');
}

/** Leader: leave manual master mode. */
export function elect(p: ActionParts): ActionResult {
  return p.elector ? p.elector.elect() : notLeader(p.membership, 'elect');
}

/** Leader: cluster-wide maintenance mode, spread in heartbeats. */
export function setMaintenance(p: ActionParts, on: boolean): ActionResult {
  return p.elector ? leaderSetsMaintenance(p.elector, p.runner, on) : notLeader(p.membership, 'maintenance');
}

/**
 * The elector spreads maintenance to other nodes in heartbeats and state
 * updates; this node's own runner (and service manager) takes it at once,
 * before the admin answer goes out: a SIGTERM right after `koi maintenance
 * on` must run no stop script here either.
 */
export function leaderSetsMaintenance(elector: Elector, runner: Runner | null, on: boolean): ActionResult {
  const result = elector.setMaintenance(on);
  if (result.ok) runner?.setMaintenance(on);
  return result;
}

/** This runner: demote, stop services, Stopped (`koi stop`). */
export function stopRunner(p: ActionParts): ActionResult {
  if (!p.runner) return { ok: false, reason: `${p.name} is not a runner` };
  p.runner.stop();
  return { ok: true, message: `${p.name}: stopping services` };
}

/** This runner: undo `koi stop`. */
export function startRunner(p: ActionParts): ActionResult {
  if (!p.runner) return { ok: false, reason: `${p.name} is not a runner` };
  p.runner.startAgain();
  return { ok: true, message: `${p.name}: starting services` };
}

/** This runner: clear the failure and the fail count now. */
export function recover(p: ActionParts): ActionResult {
  if (!p.runner) return { ok: false, reason: `${p.name} is not a runner` };
  p.runner.recover();
  return { ok: true, message: `${p.name}: failure cleared` };
}
