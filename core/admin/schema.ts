/**
 * The JSON schema of admin answers (`koi --json`), version 1. Every answer is
 * one document `{ schema: 1, type: ..., ... }`; docs/client.md documents it.
 * Fields are only ever added within a schema version, never renamed or
 * removed. Times are relative (`...AgoMs`, `uptimeMs`) because nodes' clocks
 * differ; the only wall-clock field is `FailureRecord.atMs` (leader's clock).
 */
import type { ClusterEvent, DisplayState, ElectionMode, RunnerMode, ServiceState, TargetAction } from '../../plugin-api';

export const ADMIN_SCHEMA_VERSION = 1 as const;

/** Names of the NodeFlag bits, as shown in status output. */
export type NodeFlagName = 'Elector' | 'Runner' | 'Leader' | 'Failed';

export interface NodeRef {
  id: string;
  name: string;
}

export interface NodeRoles {
  elector: boolean;
  runner: boolean;
}

export interface ServiceInfo {
  name: string;
  state: ServiceState;
  /** Disabled by a `disabled` file (kept stopped on purpose); absent when enabled. */
  disabled?: boolean;
}

export interface FailureInfo {
  /** Milliseconds since the failure. */
  agoMs: number;
  reason: string;
  /** The last lines the failing script wrote (bounded); absent when none. */
  output?: string[];
}

export interface QuorumInfo {
  /** `cluster.quorum`; 0 means quorum is off. */
  configured: number;
  /** Nodes seen, this node included. */
  seen: number;
  /** Always true when quorum is off. */
  has: boolean;
}

/** What a node says about itself (`koi local`, `koi status NODE`). */
export interface LocalStatus {
  id: string;
  name: string;
  /** koi version of the node. */
  version: string;
  roles: NodeRoles;
  flags: NodeFlagName[];
  state: DisplayState;
  /** null for a node that is not a runner. */
  mode: RunnerMode | null;
  /** Leader-election mode; null for a node that is not an elector. */
  electionMode: ElectionMode | null;
  /** What the runner drives its services towards; null for a non-runner. */
  target: TargetAction | null;
  /** Stopped by hand (`koi stop`). */
  stopped: boolean;
  /** The leader as this node knows it. */
  leader: NodeRef | null;
  /** The master as this node knows it. */
  master: NodeRef | null;
  maintenance: boolean;
  quorum: QuorumInfo;
  uptimeMs: number;
  /** Local transport addresses (as bound: may be a wildcard such as 0.0.0.0:42012). */
  addresses: string[];
  /** This node's own entries of cluster.transport: where peers reach it (absent when the transport cannot tell). */
  clusterAddresses?: string[];
  services: ServiceInfo[];
  failCount: number;
  lastFailure: FailureInfo | null;
}

/** One node in the leader's view. */
export interface ClusterNodeStatus {
  id: string;
  name: string;
  roles: NodeRoles;
  flags: NodeFlagName[];
  state: DisplayState;
  mode: RunnerMode | null;
  /** Transport address the leader last heard the node at; null when unknown. */
  address: string | null;
  /** 0 for the leader itself. */
  lastSeenAgoMs: number;
  /** null when the node does not report it (non-runners). */
  uptimeMs: number | null;
  services: ServiceInfo[];
  /**
   * The node is not heard (Disconnected): `services` are the states it last
   * reported, not what runs now. Absent in answers of older nodes.
   */
  servicesStale?: boolean;
  /** Disconnected or Offline: every address it was heard at (the leader's and peers' packets go there). */
  addressesTried?: string[];
  failCount: number;
  lastFailure: FailureInfo | null;
}

/** Why there is no master (`ClusterStatus.noMaster`). */
export interface NoMasterInfo {
  /**
   * `startup-delay`, `no-quorum`, `manual-master`, `maintenance`, `promoted-services`, `awaiting-report`, `lease-wait`, `fencing`, `fence-grace`,
   * `no-electable-runner`, `failover-halted`, `on-elect-empty`, `electing` (nothing holds it: the next tick elects).
   */
  code: string;
  message: string;
  /** ms until the wait ends by itself (start-up delay, lease wait); absent otherwise. */
  remainingMs?: number;
  /** Every runner that is not a master candidate now, with why. */
  runners: Array<{ node: NodeRef; reason: string }>;
}

/** The leader's view of the cluster (`koi status`, `koi tree`). */
export interface ClusterStatus {
  clusterId: number;
  leader: NodeRef;
  master: NodeRef | null;
  /** Chosen by `koi promote`, not yet elected. */
  targetMaster: NodeRef | null;
  /** Manual master mode (`koi demote`): nobody is elected until promote/elect. */
  manualMaster: boolean;
  maintenance: boolean;
  quorum: QuorumInfo;
  nodes: ClusterNodeStatus[];
  /** Why there is no master; null when there is one. Absent from older nodes. */
  noMaster?: NoMasterInfo | null;
  /**
   * The master is named but not promoted yet, and why (a master taken from an earlier leader's view that never
   * became Master: its first lease waits for every gate of an election, docs/safety.md R7). Absent otherwise.
   */
  masterPending?: { code: string; message: string; remainingMs?: number };
  /** Entries of cluster.transport no node was ever heard from (a configured peer that never came up). */
  unheard?: string[];
}

/** One entry of the leader's failure list (the last 10). */
export interface FailureRecord {
  /** Wall-clock time of the failure, ms since the epoch, by the leader's clock. */
  atMs: number;
  agoMs: number;
  node: NodeRef;
  reason: string;
  /** The last lines the failing script wrote (bounded); absent when none. */
  output?: string[];
}

/** Documents, as sent in `AdminResponse.json`. */
export type LocalStatusDocument = { schema: 1; type: 'local' } & LocalStatus;
export type ClusterStatusDocument = { schema: 1; type: 'cluster' } & ClusterStatus;
export interface FailuresDocument {
  schema: 1;
  type: 'failures';
  failures: FailureRecord[];
}
/** An action that was accepted (promote, stop, maintenance, ...). */
export interface ResultDocument {
  schema: 1;
  type: 'result';
  command: string;
  /** The node that carried the action out. */
  node: NodeRef;
  message: string;
  /** Details such as the problems of a reload; may be empty. */
  details: string[];
}
/** A refused request or a usage error. */
export interface ErrorDocument {
  schema: 1;
  type: 'error';
  command: string;
  /** 1 refused, 2 usage error, 3 no answer (written by the client itself). */
  exitCode: number;
  error: string;
  /** Present when a node name was not recognised. */
  knownNodes?: string[];
  /** Present on usage errors. */
  usage?: string;
}
/** The answer of a command added by a plugin (`onAdminCommand`). */
export interface PluginDocument {
  schema: 1;
  type: 'plugin';
  command: string;
  exitCode: number;
  text: string;
  /** The plugin's own JSON (its `AdminResult.json`), null when none. */
  data: unknown;
}

/** A page of one node's events (`koi events`), oldest first. */
export interface EventsDocument {
  schema: 1;
  type: 'events';
  /** The node whose events these are. */
  node: NodeRef;
  events: ClusterEvent[];
  /** Sequence number of the last event in the page (the `after` of the query when the page is empty). */
  lastSeq: number;
  /** More events match: ask again with `after=lastSeq`. */
  more: boolean;
  /**
   * The newest sequence number the node has given out. Below an `after` the client asked with: the node
   * restarted without a journal (`node.journal off`) and counts from 1 again. Absent from older nodes.
   */
  newestSeq?: number;
}

/** One command a node answers (`koi commands`, what `koi --help` lists). */
export interface CommandInfo {
  name: string;
  /** Argument synopsis ('' = none). */
  usage: string;
  summary: string;
  readOnly: boolean;
  /** Where it runs: built-ins `self`/`leader`/`node`/`status`; plugin commands `here`/`leader`/`every`. */
  runs: string;
  /** The plugin that declared it; absent for built-ins. */
  plugin?: string;
}
/** Every command the answering node knows, built-in and plugin-declared. */
export interface CommandsDocument {
  schema: 1;
  type: 'commands';
  commands: CommandInfo[];
}

export type AdminDocument =
  | CommandsDocument
  | LocalStatusDocument
  | ClusterStatusDocument
  | FailuresDocument
  | ResultDocument
  | ErrorDocument
  | PluginDocument
  | EventsDocument;

const DOCUMENT_TYPES: ReadonlySet<string> = new Set(['local', 'cluster', 'failures', 'result', 'error', 'plugin', 'commands', 'events']);

/** Parse `AdminResponse.json`; null when empty, not JSON, or of another schema version. */
export function parseAdminDocument(json: string): AdminDocument | null {
  if (!json) return null;
  let value: unknown;
  try {
    value = JSON.parse(json);
  } catch {
    return null; // not ours to judge: the caller falls back to the text answer
  }
  if (typeof value !== 'object' || value === null) return null;
  const doc = value as { schema?: unknown; type?: unknown };
  if (doc.schema !== ADMIN_SCHEMA_VERSION || typeof doc.type !== 'string' || !DOCUMENT_TYPES.has(doc.type)) return null;
  return value as AdminDocument;
}
