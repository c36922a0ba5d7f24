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
}

export interface FailureStatus {
  /** Leader wall-clock time of the failure (ms since the epoch). */
  atMs: number;
  agoMs: number;
  node: NodeRefStatus;
  reason: string;
}

export interface ElectorStatus {
  leaderForMs: number;
  master: NodeRefStatus | null;
  targetMaster: NodeRefStatus | null;
  manualMaster: boolean;
  maintenance: boolean;
  /** Why no master is being elected right now ('' when not waiting). */
  waiting: string;
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
  /** Present only on the leader. */
  elector: ElectorStatus | null;
}

export type ActionResult = { ok: true; message: string } | { ok: false; reason: string };
