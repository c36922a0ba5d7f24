/**
 * KoiNode behind core/admin's AdminBackend: turns the node's status snapshot
 * into the admin JSON schema (`koi local`, `koi status`) and forwards actions.
 */
import path from 'node:path';
import type { AdminRequest, AdminResponse, Clock, KoiConfig, Logger } from '../../plugin-api';
import { LocalSocketError, listenLocalAdmin, type LocalAdminListener } from '../admin/local-socket';
import { parseAllowList, type AdminPolicy, type AllowList } from '../admin/policy';
import type { AdminServer } from '../admin/server';
import type { ActionOutcome, AdminBackend, ReconfigureOutcome } from '../admin/backend';
import type { ClusterNodeStatus, ClusterStatus, FailureRecord, LocalStatus, NodeFlagName, NodeRef } from '../admin/schema';
import { flagNames } from '../membership/node-table';
import type { ActionResult, NodeStatus } from './status';

export interface AdminNode {
  getStatus(): NodeStatus;
  isLeader(): boolean;
  leaderAddress(): string;
  resolveNode(nameOrId: string): { id: string; name: string; address: string } | null;
  promote(nameOrId: string): ActionResult;
  demote(): ActionResult;
  elect(): ActionResult;
  setMaintenance(on: boolean): ActionResult;
  stopRunner(): ActionResult;
  startRunner(): ActionResult;
  recover(): ActionResult;
  reconfigure(): Promise<ReconfigureOutcome>;
}

export function adminBackend(
  node: AdminNode, clusterId: number, version: string, clock: Clock,
  sendRequest: (address: string, request: AdminRequest, options?: { challenge: boolean }) => Promise<AdminResponse>,
): AdminBackend {
  const outcome = (r: ActionResult): ActionOutcome => (r.ok ? { ok: true, message: r.message } : { ok: false, reason: r.reason });
  const quorum = (s: NodeStatus): LocalStatus['quorum'] => ({ configured: s.quorum.configured, seen: s.quorum.seen, has: s.quorum.has });
  return {
    localStatus: () => localStatus(node.getStatus(), version),
    clusterStatus: () => {
      const s = node.getStatus();
      if (!s.elector) return null;
      return clusterStatus(s, clusterId, clock, quorum(s));
    },
    isLeader: () => node.isLeader(),
    leaderAddress: () => node.leaderAddress() || null,
    nodeAddress: (nameOrId) => {
      const found = node.resolveNode(nameOrId);
      return found && found.address ? found.address : null;
    },
    knownNodeNames: () => {
      const s = node.getStatus();
      return [s.name, ...s.nodes.map((n) => n.name)];
    },
    resolveNode: (nameOrId) => {
      const found = node.resolveNode(nameOrId);
      return found ? { id: found.id, name: found.name } : null;
    },
    promote: (id) => outcome(node.promote(id)),
    demote: () => outcome(node.demote()),
    elect: () => outcome(node.elect()),
    setMaintenance: (on) => outcome(node.setMaintenance(on)),
    stopRunner: () => outcome(node.stopRunner()),
    startRunner: () => outcome(node.startRunner()),
    recover: () => outcome(node.recover()),
    reconfigure: () => node.reconfigure(),
    failures: () => (node.getStatus().elector?.failures ?? []).map((f): FailureRecord => ({
      atMs: f.atMs, agoMs: f.agoMs, node: f.node, reason: f.reason,
    })),
    sendRequest,
    // A cluster node, heard at that very address: its forwarded requests are a peer's.
    isPeer: (senderId, from) => node.getStatus().nodes.some((n) => n.id === senderId && n.addresses.includes(from)),
  };
}

function localStatus(s: NodeStatus, version: string): LocalStatus {
  const r = s.runner;
  return {
    id: s.id, name: s.name, version,
    roles: s.roles,
    flags: flagNames(s.flags) as NodeFlagName[],
    state: s.state,
    mode: r ? r.mode : null,
    electionMode: s.electionMode,
    target: r ? r.target : null,
    stopped: r ? r.stopped : false,
    leader: s.leader,
    master: s.master,
    maintenance: s.maintenance,
    quorum: { configured: s.quorum.configured, seen: s.quorum.seen, has: s.quorum.has },
    uptimeMs: s.uptimeMs,
    addresses: s.addresses,
    services: r ? r.services : [],
    failCount: r ? r.failCount : 0,
    lastFailure: r && r.lastFailureAgoMs >= 0 ? { agoMs: r.lastFailureAgoMs, reason: r.lastFailureReason } : null,
  };
}

/** The first local address that says where the node is (not a wildcard), or null. */
function ownAddress(addresses: string[]): string | null {
  return addresses.find((a) => !/^(0\.0\.0\.0|\[::\]):\d+$/.test(a)) ?? null;
}

function clusterStatus(s: NodeStatus, clusterId: number, clock: Clock, quorum: LocalStatus['quorum']): ClusterStatus {
  const e = s.elector!;
  const records = new Map(e.runners.map((r) => [r.id, r]));
  const self: ClusterNodeStatus = {
    id: s.id, name: s.name, roles: s.roles, flags: flagNames(s.flags) as NodeFlagName[],
    // The leader never hears itself: show the address it is bound to (as docs/client.md does).
    state: records.get(s.id)?.state ?? s.state, mode: s.runner?.mode ?? null, address: ownAddress(s.addresses), lastSeenAgoMs: 0,
    uptimeMs: s.uptimeMs, services: s.runner?.services ?? [], servicesStale: false, failCount: s.runner?.failCount ?? 0,
    lastFailure: s.runner && s.runner.lastFailureAgoMs >= 0 ? { agoMs: s.runner.lastFailureAgoMs, reason: s.runner.lastFailureReason } : null,
  };
  const others = s.nodes.map((n): ClusterNodeStatus => {
    const r = records.get(n.id);
    const roles = { elector: (n.flags & 1) !== 0, runner: (n.flags & 2) !== 0 };
    return {
      id: n.id, name: n.name, roles, flags: flagNames(n.flags) as NodeFlagName[],
      state: r ? r.state : roles.elector ? 'Elector' : 'Other',
      mode: r ? r.mode : null,
      address: n.addresses[0] ?? null,
      lastSeenAgoMs: n.lastSeenAgoMs,
      uptimeMs: r ? r.uptimeMs : n.uptimeMs,
      services: r ? r.services : [],
      servicesStale: r ? r.state === 'Disconnected' : false,
      failCount: r ? r.failCount : 0,
      lastFailure: r && r.lastFailureAgoMs >= 0 ? { agoMs: r.lastFailureAgoMs, reason: r.lastFailureReason } : null,
    };
  });
  // Runners the leader still remembers but no longer hears (Disconnected).
  const listed = new Set([s.id, ...s.nodes.map((n) => n.id)]);
  const gone = e.runners.filter((r) => !listed.has(r.id)).map((r): ClusterNodeStatus => ({
    id: r.id, name: r.name, roles: { elector: false, runner: true }, flags: ['Runner'], state: r.state, mode: r.mode,
    address: r.address || null, lastSeenAgoMs: r.lastSeenAgoMs, uptimeMs: r.uptimeMs, services: r.services,
    servicesStale: r.state === 'Disconnected', failCount: r.failCount, lastFailure: r.lastFailureAgoMs >= 0 ? { agoMs: r.lastFailureAgoMs, reason: r.lastFailureReason } : null,
  }));
  void clock;
  const ref = (x: { id: string; name: string } | null): NodeRef | null => (x ? { id: x.id, name: x.name } : null);
  return {
    clusterId,
    leader: { id: s.id, name: s.name },
    master: ref(e.master),
    targetMaster: ref(e.targetMaster),
    manualMaster: e.manualMaster,
    maintenance: e.maintenance,
    quorum,
    nodes: [self, ...others, ...gone],
  };
}

/**
 * The admin policy from `node.network_admin` / `node.admin_allow`, read per
 * request so a reload applies at once. A list that does not parse refuses
 * every network request (fail closed) with the reason.
 */
export function adminPolicy(nodeConfig: () => KoiConfig['node']): () => AdminPolicy {
  let parsedFrom: string | null = null;
  let allow: AllowList | null = null;
  let problem = '';
  return () => {
    const node = nodeConfig();
    if (parsedFrom !== node.admin_allow) {
      parsedFrom = node.admin_allow;
      try {
        allow = parseAllowList(node.admin_allow);
        problem = '';
      } catch (err) {
        allow = null;
        problem = (err as Error).message;
      }
    }
    if (allow === null) return { networkAdmin: 'off', allow: { entries: [`(invalid: ${problem})`], allows: () => false } };
    return { networkAdmin: node.network_admin, allow };
  };
}

/**
 * Open the local admin socket (`node.admin_socket`) unless it is `off`. A
 * socket that cannot be opened is logged and the node runs on without it.
 */
export async function startLocalAdmin(nodeConfig: KoiConfig['node'], server: AdminServer, logger: Logger): Promise<LocalAdminListener | null> {
  const where = nodeConfig.admin_socket;
  if (where === 'off') return null;
  try {
    if (!path.isAbsolute(where)) throw new LocalSocketError('ADMIN_SOCKET_PATH', `node.admin_socket '${where}' is not an absolute path (or off)`);
    return await listenLocalAdmin({ path: where, group: nodeConfig.admin_group, server, logger });
  } catch (err) {
    const why = err instanceof Error ? err.message : String(err);
    logger.error({ err: why, path: where }, `no local admin socket: ${why}`);
    return null;
  }
}
