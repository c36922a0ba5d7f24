/**
 * What a node offers the admin layer. KoiNode implements it (an adapter in
 * core/node.ts); unit tests use a fake. Every query returns plain,
 * JSON-serialisable data (see schema.ts); actions may be sync or async.
 */
import type { AdminRequest, AdminResponse, ClusterEvent } from '../../plugin-api';
import type { EventQuery } from '../events/recorder';
import type { ClusterStatus, FailureRecord, LocalStatus, NodeRef } from './schema';

export type {
  ClusterNodeStatus, ClusterStatus, FailureInfo, FailureRecord, LocalStatus, NodeFlagName, NodeRef, NodeRoles,
  QuorumInfo, ServiceInfo,
} from './schema';

/** The outcome of an action: accepted (with a line for the operator) or refused (with the reason). */
export type ActionOutcome = { ok: true; message?: string } | { ok: false; reason: string };

export interface ReconfigureOutcome {
  ok: boolean;
  /** Why the new configuration was refused, or warnings about an accepted one (file:line: ...). */
  problems?: string[];
  /** The change needs an in-process restart, which has begun. */
  restart?: boolean;
}

type MaybePromise<T> = T | Promise<T>;

export interface AdminBackend {
  /** This node's own status (`koi local`). */
  localStatus(): LocalStatus;
  /** The leader's view of the cluster; non-null only on the leader. */
  clusterStatus(): ClusterStatus | null;
  isLeader(): boolean;
  /** Transport address of the leader (as `Transport.sendTo` accepts it), null when no leader is known. */
  leaderAddress(): string | null;
  /** Transport address of a node given by name or id; null when unknown. */
  nodeAddress(nameOrId: string): string | null;
  /** Names of every node this node knows (for "unknown node" errors). */
  knownNodeNames(): string[];
  /** A node by exact id, else by name; null when unknown. */
  resolveNode(nameOrId: string): NodeRef | null;

  /** Leader only: make runner `id` the target master (SPEC §5). */
  promote(id: string): MaybePromise<ActionOutcome>;
  /** Leader only: drop the master and enter manual master mode. */
  demote(): MaybePromise<ActionOutcome>;
  /** Leader only: leave manual master mode and elect normally. */
  elect(): MaybePromise<ActionOutcome>;
  /** Leader only: cluster-wide maintenance mode. */
  setMaintenance(on: boolean): MaybePromise<ActionOutcome>;
  /** This runner: demote, stop services, state Stopped (`koi stop`). */
  stopRunner(): MaybePromise<ActionOutcome>;
  /** This runner: undo `koi stop`. */
  startRunner(): MaybePromise<ActionOutcome>;
  /** This runner: clear the failure and the fail count now. */
  recover(): MaybePromise<ActionOutcome>;
  /** Reload the configuration files (like SIGHUP). */
  reconfigure(): Promise<ReconfigureOutcome>;
  /** Leader only: the most recent failures, newest first. */
  failures(): FailureRecord[];
  /** This node's events (memory and journal), oldest first; absent: the node keeps none. */
  events?(query: EventQuery): Promise<ClusterEvent[]>;
  /** The newest event sequence number given out here. */
  newestEventSeq?(): number;

  /**
   * Send a request to another node and resolve with its answer (forwarding);
   * rejects when no answer comes in time. Optional: `createAdminLayer`
   * (core/admin/index.ts) supplies it from core/admin/forwarder.ts.
   */
  sendRequest?(address: string, request: AdminRequest, options?: { challenge: boolean }): Promise<AdminResponse>;

  /**
   * True when `senderId` is a cluster node this node knows, heard at `from`:
   * its forwarded requests pass (the entry node applied its own policy).
   * Without it no request counts as a peer's.
   */
  isPeer?(senderId: string, from: string): boolean;
}
