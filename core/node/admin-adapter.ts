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
import type { ClusterNodeStatus, ClusterStatus, FailureInfo, FailureRecord, LocalStatus, NodeFlagName, NodeRef } from '../admin/schema';
import { flagNames } from '../membership/node-table';
import type { ActionResult, NodeStatus } from './status';
import type { EventRecorder } from '../events/recorder';
import { errorMessage } from '../../plugin-api/errors';

/** Characters of script output `koi failures` carries in all (the newest failures first). */
const FAILURES_OUTPUT_CHARS = 700;

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
  readonly events: Pick<EventRecorder, 'query' | 'lastSeq'>;
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
    events: (query) => node.events.query(query),
    newestEventSeq: () => node.events.lastSeq(),
    failures: () => {
      // The answer is one datagram: the newest failures carry their output while the budget lasts.
      let budget = FAILURES_OUTPUT_CHARS;
      return (node.getStatus().elector?.failures ?? []).map((f): FailureRecord => {
        const size = f.output.reduce((n, line) => n + line.length, 0);
        const withOutput = f.output.length > 0 && size <= budget;
        if (withOutput) budget -= size;
        return { atMs: f.atMs, agoMs: f.agoMs, node: f.node, reason: f.reason, ...(withOutput ? { output: f.output } : {}) };
      });
    },
    sendRequest,
    // A cluster node, heard at that very address: its forwarded requests are a peer's.
    isPeer: (senderId, from) => node.getStatus().nodes.some((n) => n.id === senderId && n.addresses.includes(from)),
  };
}

function localStatus(s: NodeStatus, version: string): LocalStatus {
  const r = s.runner;
  const own = (s.configured ?? []).filter((c) => c.own).map((c) => c.address);
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
    ...(own.length > 0 ? { clusterAddresses: own } : {}),
    services: r ? r.services : [],
    failCount: r ? r.failCount : 0,
    lastFailure: r && r.lastFailureAgoMs >= 0 ? failureInfo(r.lastFailureAgoMs, r.lastFailureReason, r.lastFailureOutput) : null,
  };
}

function failureInfo(agoMs: number, reason: string, output: string[]): FailureInfo {
  return output.length > 0 ? { agoMs, reason, output } : { agoMs, reason };
}

const WILDCARD = /^(0\.0\.0\.0|\[::\]):\d+$/;

/**
 * Where the node is: a bound address that is not a wildcard, else its own
 * entry of cluster.transport (a node bound to 0.0.0.0 is reached there), or null.
 */
function ownAddress(addresses: string[], configured: NodeStatus['configured']): string | null {
  return addresses.find((a) => !WILDCARD.test(a)) ?? configured?.find((c) => c.own)?.address ?? null;
}

/**
 * The leader's view for `koi status` / `koi tree`. Every node it knows of
 * has a row, whatever happened since: the nodes it hears, the runners it
 * keeps records of (Disconnected ones with their last services), nodes that
 * left its table (Offline, with where they were heard and for how long they
 * have been silent), and the entries of cluster.transport nobody was ever
 * heard from (`unheard`).
 */
function clusterStatus(s: NodeStatus, clusterId: number, clock: Clock, quorum: LocalStatus['quorum']): ClusterStatus {
  const e = s.elector!;
  const records = new Map(e.runners.map((r) => [r.id, r]));
  const lastFailure = (r: { lastFailureAgoMs: number; lastFailureReason: string; lastFailureOutput: string[] } | null | undefined): FailureInfo | null => (
    r && r.lastFailureAgoMs >= 0 ? failureInfo(r.lastFailureAgoMs, r.lastFailureReason, r.lastFailureOutput) : null);
  const self: ClusterNodeStatus = {
    id: s.id, name: s.name, roles: s.roles, flags: flagNames(s.flags) as NodeFlagName[],
    state: records.get(s.id)?.state ?? s.state, mode: s.runner?.mode ?? null, address: ownAddress(s.addresses, s.configured), lastSeenAgoMs: 0,
    uptimeMs: s.uptimeMs, services: s.runner?.services ?? [], servicesStale: false, failCount: s.runner?.failCount ?? 0,
    lastFailure: lastFailure(s.runner),
  };
  const others = s.nodes.map((n): ClusterNodeStatus => {
    const r = records.get(n.id);
    const roles = { elector: (n.flags & 1) !== 0, runner: (n.flags & 2) !== 0 };
    const stale = r ? r.state === 'Disconnected' : false;
    return {
      id: n.id, name: n.name, roles, flags: flagNames(n.flags) as NodeFlagName[],
      state: r ? r.state : roles.elector ? 'Elector' : 'Other',
      mode: r ? r.mode : null,
      address: n.addresses[0] ?? null,
      lastSeenAgoMs: n.lastSeenAgoMs,
      uptimeMs: r ? r.uptimeMs : n.uptimeMs,
      services: r ? r.services : [],
      servicesStale: stale,
      ...(stale ? { addressesTried: n.addresses } : {}),
      failCount: r ? r.failCount : 0,
      lastFailure: lastFailure(r),
    };
  });
  // Runners the leader still remembers but no longer hears (Disconnected).
  const listed = new Set([s.id, ...s.nodes.map((n) => n.id)]);
  const departedById = new Map(s.departed.map((d) => [d.id, d]));
  const gone = e.runners.filter((r) => !listed.has(r.id)).map((r): ClusterNodeStatus => {
    const d = departedById.get(r.id);
    const tried = [...new Set([...(r.address ? [r.address] : []), ...(d?.addresses ?? [])])];
    return {
      id: r.id, name: r.name, roles: d ? { elector: (d.flags & 1) !== 0, runner: true } : { elector: false, runner: true },
      flags: d ? flagNames(d.flags & ~4) as NodeFlagName[] : ['Runner'], state: r.state, mode: r.mode,
      address: r.address || tried[0] || null, lastSeenAgoMs: r.lastSeenAgoMs, uptimeMs: r.uptimeMs, services: r.services,
      servicesStale: r.state === 'Disconnected', ...(r.state === 'Disconnected' ? { addressesTried: tried } : {}),
      failCount: r.failCount, lastFailure: lastFailure(r),
    };
  });
  for (const g of gone) listed.add(g.id);
  // Nodes that left the table and have no runner record: Offline, unless the machine is back under a new id.
  const liveNames = new Set([s.name, ...s.nodes.map((n) => n.name)]);
  const offline = s.departed.filter((d) => !listed.has(d.id) && !liveNames.has(d.name)).map((d): ClusterNodeStatus => ({
    id: d.id, name: d.name, roles: { elector: (d.flags & 1) !== 0, runner: (d.flags & 2) !== 0 },
    // What it was, not what it claims now: a leader flag of a silent node is history.
    flags: flagNames(d.flags & ~4) as NodeFlagName[], state: 'Offline', mode: null,
    address: d.addresses[0] ?? null, addressesTried: d.addresses, lastSeenAgoMs: d.lastSeenAgoMs, uptimeMs: null,
    services: [], servicesStale: false, failCount: 0, lastFailure: null,
  }));
  const nodes = [self, ...others, ...gone, ...offline];
  const heardAt = new Set(nodes.flatMap((n) => [...(n.address ? [n.address] : []), ...(n.addressesTried ?? [])]));
  for (const d of s.departed) d.addresses.forEach((a) => heardAt.add(a));
  for (const n of s.nodes) n.addresses.forEach((a) => heardAt.add(a));
  const unheard = (s.configured ?? []).filter((c) => !c.own && !heardAt.has(c.address)).map((c) => c.address);
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
    nodes,
    noMaster: e.master ? null : {
      code: e.waiting?.code ?? 'electing',
      message: e.waiting?.message ?? 'nothing holds the election: the next elector tick elects',
      ...(e.waiting?.remainingMs !== undefined ? { remainingMs: e.waiting.remainingMs } : {}),
      runners: e.blockers.map((b) => ({ node: { id: b.id, name: b.name }, reason: b.reason })),
    },
    ...(e.master && e.waiting ? {
      masterPending: { code: e.waiting.code, message: e.waiting.message, ...(e.waiting.remainingMs !== undefined ? { remainingMs: e.waiting.remainingMs } : {}) },
    } : {}),
    unheard,
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
    const why = errorMessage(err);
    logger.error({ err: why, path: where }, `no local admin socket: ${why}`);
    return null;
  }
}
