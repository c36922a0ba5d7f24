/**
 * The status snapshot of a node (`KoiNode.getStatus()`): plain,
 * JSON-serialisable data; relative times because nodes' clocks differ.
 * core/admin turns it into `koi local` / `koi status` answers.
 */
import type { DisplayState, ElectionMode, RunnerMode, RunnerState, ServiceStatusInfo, TargetAction } from '../../plugin-api';
import type { RunnerCoreStatus } from '../runner/runner';

export interface NodeRefStatus {
  id: string;
  name: string;
}

export interface RunnerStatus extends RunnerCoreStatus {
  target: TargetAction;
  services: ServiceStatusInfo[];
  promoted: boolean;
}

export interface KnownNodeStatus {
  id: string;
  name: string;
  /** NodeFlag bits of its last heartbeat. */
  flags: number;
  addresses: string[];
  lastSeenAgoMs: number;
  uptimeMs: number;
}

export interface RunnerRecordStatus {
  id: string;
  name: string;
  address: string;
  state: RunnerState;
  mode: RunnerMode;
  target: TargetAction;
  uptimeMs: number;
  lastSeenAgoMs: number;
  services: ServiceStatusInfo[];
  promoted: boolean;
  stopped: boolean;
  failCount: number;
  lastFailureAgoMs: number;
  lastFailureReason: string;
  lastFailureOutput: string[];
}

export interface FailureStatus {
  /** Leader wall-clock time of the failure (ms since the epoch). */
  atMs: number;
  agoMs: number;
  node: NodeRefStatus;
  reason: string;
  /** The last lines the failing script wrote. */
  output: string[];
}

/** Why the leader has no master (core/elector/no-master.ts). */
export interface WaitStatus {
  code: string;
  message: string;
  /** ms until the wait ends by itself; absent when it does not. */
  remainingMs?: number;
}

export interface ElectorStatus {
  leaderForMs: number;
  master: NodeRefStatus | null;
  targetMaster: NodeRefStatus | null;
  manualMaster: boolean;
  maintenance: boolean;
  /** Why no master is being elected right now, or why the named master is not promoted yet (null when neither). */
  waiting: WaitStatus | null;
  /** Runners that are not master candidates now, with why. */
  blockers: Array<{ id: string; name: string; reason: string }>;
  runners: RunnerRecordStatus[];
  failures: FailureStatus[];
}

export interface NodeStatus {
  id: string;
  name: string;
  uptimeMs: number;
  roles: { elector: boolean; runner: boolean };
  /** NodeFlag bits this node sends. */
  flags: number;
  /** Runner state, `Elector` for a pure elector, `Other` for neither. */
  state: DisplayState;
  /** null for a non-elector. */
  electionMode: ElectionMode | null;
  leader: NodeRefStatus | null;
  master: NodeRefStatus | null;
  maintenance: boolean;
  manualMaster: boolean;
  quorum: { configured: number; seen: number; acked: number; has: boolean };
  addresses: string[];
  /** null for a non-runner. */
  runner: RunnerStatus | null;
  nodes: KnownNodeStatus[];
  /** Nodes that left this node's table (not heard for node_timeout), newest first. */
  departed: KnownNodeStatus[];
  /** The unicast entries of cluster.transport as resolved by the transport (own: this node's); null when it cannot tell. */
  configured: Array<{ address: string; own: boolean }> | null;
  /** Present only on the leader. */
  elector: ElectorStatus | null;
}

export type ActionResult = { ok: true; message: string } | { ok: false; reason: string };
