/**
 * The elector's contracts: what it needs from membership and the node
 * (ElectorMembership, ElectorOptions) and what it answers with
 * (ElectorActionResult, ElectorSnapshot). Types only.
 */
import type { ClusterView, LeaseEnd, StateUpdate } from '../../plugin-api';
import type { ComponentContext } from '../node/component';
import type { FailureEntry, RunnerRecord } from './records';
import type { NoMasterWait, RunnerBlocker } from './no-master';

/** What the elector needs from membership. */
export interface ElectorMembership {
  seenCount(): number;
  ackCount(): number;
  lastView(): ClusterView | null;
  viewNodes(): ClusterView['nodes'];
  /** Last time `id` was heard (any message), undefined when never. */
  lastHeard(id: string): number | undefined;
  /** When this node sent the last heartbeat `id` acknowledged (it follows this leader), undefined when never. */
  lastAcked(id: string): number | undefined;
  /** Runner-flagged nodes currently in the table. */
  runnerIds(): string[];
  /** Address to reach `id` ('' when unknown). */
  addressOf(id: string): string;
  /** The longest master_lease + lease_margin advertised by any node heard in the last hour, this one included. */
  maxHoldMs(): number;
  /** R2: from when on no other leader can count an acknowledgement of any node of this leader's lease quorum. */
  quorumFreeAt(): number;
  /** Runner-flagged nodes heard within two peer refreshes and an ack window, with since when they have been in the table (rejoined). */
  heardRunners(): Array<{ id: string; name: string; since: number }>;
  /**
   * Every configured peer has been heard: each unicast address of
   * cluster.transport is this node's own or one some heard node was seen
   * from (a node with redundant links covers several addresses).
   */
  allConfiguredPeersHeard(): boolean;
  /** The master of the last view that named one, as this node remembers it (its own restarts included), null when none. */
  rememberedMaster(): { id: string; name: string; ageMs: number } | null;
  /** This node has seen the cluster with a master at some point (survives leadership changes). */
  everSawMaster(): boolean;
}

export interface ElectorOptions extends ComponentContext {
  membership: ElectorMembership;
  /** Send a state update to runner `id` at `address` ('' = this node's own runner). */
  sendState(id: string, address: string, update: StateUpdate): void;
  /** The master chosen by this leader changed. */
  onMasterChange(masterId: string, masterName: string, reason: string): void;
  /**
   * A wait that held this tick's election ends by itself at `at` (the lease wait, the start-up tolerance):
   * run an elector tick then (`Elector.pendingDecisionAt` says whether it is still owed), not at the next tick.
   */
  scheduleDecision(at: number): void;
  /**
   * R3: where a lease that ends when this node's clock reads `endsAt` ends on runner `id`'s clock (its uptime,
   * from its least-delayed heartbeat: core/node/peer-clocks.ts); null when none of its heartbeats was heard.
   */
  leaseEnd(id: string, endsAt: number): LeaseEnd | null;
}

export type ElectorActionResult = { ok: true; message: string } | { ok: false; reason: string };

export interface ElectorSnapshot {
  leaderSince: number;
  masterId: string;
  masterName: string;
  targetMasterId: string;
  manualMaster: boolean;
  maintenance: boolean;
  quorum: { configured: number; seen: number; acked: number; has: boolean };
  /**
   * Why no master is elected right now (null when an election just ran); with a master named, why its promotion
   * is held (an election in effect: Elector.promotionWait), null when it is not.
   */
  waiting: NoMasterWait | null;
  /** Runners that are not candidates now, with why. */
  blockers: RunnerBlocker[];
  runners: RunnerRecord[];
  failures: FailureEntry[];
}
