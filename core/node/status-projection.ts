/**
 * Builds a node's status snapshot (`KoiNode.getStatus()`, node/status.ts)
 * from its components: membership, runner, service manager and, on the
 * leader, the elector. Reads only; relative times from the node's clock.
 */
import type { KoiConfig, Transport } from '../../plugin-api';
import type { Elector } from '../elector/elector';
import type { Membership } from '../membership/membership';
import type { Runner } from '../runner/runner';
import type { ServiceManager } from '../services/types';
import type { NodeStatus } from './status';

export interface StatusSources {
  now: number;
  id: string;
  name: string;
  startedAt: number;
  config: KoiConfig;
  membership: Membership;
  transport: Transport;
  runner: Runner | null;
  services: ServiceManager | null;
  elector: Elector | null;
  /** The master as this node last saw it. */
  seenMaster: { id: string; name: string };
}

export function projectStatus(s: StatusSources): NodeStatus {
  const { now, config, membership } = s;
  const runnerSnap = s.runner?.snapshot();
  const leaderId = membership.currentLeaderId();
  const nameOf = (id: string): string => (id === s.id ? s.name : (membership.table.get(id)?.name ?? ''));
  const view = s.elector ? s.elector.view() : membership.lastView();
  const electorSnap = s.elector?.snapshot();
  const quorum = config.cluster.quorum;
  const seen = membership.seenCount();
  return {
    id: s.id,
    name: s.name,
    uptimeMs: Math.round(now - s.startedAt),
    roles: { elector: config.node.elector, runner: config.node.runner },
    flags: membership.flags(),
    state: runnerSnap ? runnerSnap.state : config.node.elector ? 'Elector' : 'Other',
    electionMode: config.node.elector ? membership.mode : null,
    leader: leaderId ? { id: leaderId, name: nameOf(leaderId) } : null,
    master: s.seenMaster.id ? { ...s.seenMaster } : null,
    maintenance: view?.maintenance ?? config.node.maintenance,
    manualMaster: view?.manualMaster ?? false,
    quorum: { configured: quorum, seen, acked: membership.ackCount(), has: quorum <= 0 || seen >= quorum },
    addresses: s.transport.localAddresses(),
    runner: runnerSnap && s.services ? {
      state: runnerSnap.state, mode: runnerSnap.mode, target: s.services.target, stopped: runnerSnap.stopped,
      failed: runnerSnap.failed, failCount: runnerSnap.failCount, lastFailureAgoMs: runnerSnap.lastFailureAgoMs,
      lastFailureReason: runnerSnap.lastFailureReason, lastFailureOutput: runnerSnap.lastFailureOutput, namedMaster: runnerSnap.namedMaster,
      leaseRemainingMs: runnerSnap.leaseRemainingMs, lastStateUpdateAgoMs: runnerSnap.lastStateUpdateAgoMs,
      services: s.services.summary(), promoted: s.services.anyPromoted(),
    } : null,
    nodes: membership.table.all().map((e) => ({
      id: e.id, name: e.name, flags: e.flags, addresses: [...e.addresses],
      lastSeenAgoMs: Math.round(now - e.lastSeen), uptimeMs: e.uptimeMs,
    })),
    departed: membership.departedNodes().map((e) => ({
      id: e.id, name: e.name, flags: e.flags, addresses: [...e.addresses],
      lastSeenAgoMs: Math.round(now - e.lastSeen), uptimeMs: e.uptimeMs,
    })),
    configured: s.transport.configuredAddresses?.() ?? null,
    elector: electorSnap ? {
      leaderForMs: Math.round(now - electorSnap.leaderSince),
      master: electorSnap.masterId ? { id: electorSnap.masterId, name: electorSnap.masterName } : null,
      targetMaster: electorSnap.targetMasterId ? { id: electorSnap.targetMasterId, name: nameOf(electorSnap.targetMasterId) || (electorSnap.runners.find((r) => r.id === electorSnap.targetMasterId)?.name ?? '') } : null,
      manualMaster: electorSnap.manualMaster,
      maintenance: electorSnap.maintenance,
      waiting: electorSnap.waiting ? {
        code: electorSnap.waiting.code, message: electorSnap.waiting.message,
        ...(electorSnap.waiting.until !== undefined ? { remainingMs: Math.max(0, Math.round(electorSnap.waiting.until - now)) } : {}),
      } : null,
      blockers: electorSnap.blockers,
      runners: electorSnap.runners.map((r) => ({
        id: r.id, name: r.name, address: r.address, state: r.state, mode: r.mode, target: r.target,
        uptimeMs: r.uptimeMs, lastSeenAgoMs: Math.round(now - r.lastSeen), services: r.services, promoted: r.promoted,
        stopped: r.stopped, failCount: r.failCount,
        lastFailureAgoMs: r.lastFailureAt > -Infinity ? Math.round(now - r.lastFailureAt) : -1,
        lastFailureReason: r.lastFailureReason, lastFailureOutput: r.lastFailureOutput,
      })),
      failures: electorSnap.failures.map((f) => ({
        atMs: Math.round(f.atWall), agoMs: Math.round(now - f.at), node: { id: f.nodeId, name: f.nodeName }, reason: f.reason, output: f.output,
      })),
    } : null,
  };
}
