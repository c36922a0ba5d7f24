/**
 * Every hook of the daemon, declared in one place (like webpack's Compiler).
 * The core creates one `KoiHooks` object per node (core/hooks.ts); plugins
 * tap it by name: `koi.hooks.onPromote.tapPromise('my-plugin', async (c) => ...)`.
 * A tap that throws is logged with its name and isolated: it never takes the
 * daemon down and never stops the other taps.
 */
import type { AsyncSeriesBailHook, AsyncSeriesHook, SyncHook, SyncWaterfallHook } from 'tapable';
import type { KoiConfig } from './config';
import type { InboundMessage } from './messages';
import type { ServiceEventResult } from './providers';
import type { RunnerMode, RunnerState, ServiceEventName } from './status';

export interface StartInfo {
  nodeId: string;
  name: string;
  config: Readonly<KoiConfig>;
}

export interface ShutdownInfo {
  reason: string;
}

/** A runner the leader may elect, as passed through `onElect`. */
export interface ElectionCandidate {
  id: string;
  name: string;
  state: RunnerState;
  mode: RunnerMode;
  uptimeMs: number;
  lastSeenAgoMs: number;
  /** -1 when it never failed. */
  lastFailureAgoMs: number;
  /** The runner says it is already master. */
  claimsMaster: boolean;
  addresses: string[];
}

export interface ElectionContext {
  leaderId: string;
  /** The master before this election ('' when none). */
  previousMasterId: string;
  /** Target chosen by `koi promote` ('' when none). */
  targetMasterId: string;
}

export interface RoleChange {
  nodeId: string;
  name: string;
  reason: string;
}

export interface ServiceEventReport {
  service: string;
  event: ServiceEventName;
  result: ServiceEventResult;
  /** The event counts as successful. */
  ok: boolean;
  /** Not run but presumed successful (maintenance mode). */
  presumed: boolean;
}

export interface StateChange {
  from: RunnerState;
  to: RunnerState;
  reason: string;
}

export interface LeaderChange {
  /** '' when there is no leader. */
  leaderId: string;
  leaderName: string;
  previousLeaderId: string;
  /** This node is the new leader. */
  self: boolean;
}

export interface MasterChange {
  masterId: string;
  masterName: string;
  previousMasterId: string;
  /** Why it changed, when this node knows (the leader's elector says: `elected`, `replaces b`, why a master was dropped). */
  reason?: string;
  /** This node, the leader, made the change (an election or a dropped master); false or absent: seen in the leader's view. */
  decidedHere?: boolean;
}

export interface MembershipChange {
  change: 'joined' | 'left';
  nodeId: string;
  name: string;
  /** NodeFlag bits. */
  flags: number;
}

export interface ConfigReload {
  config: Readonly<KoiConfig>;
  previous: Readonly<KoiConfig>;
  /** The change needs an in-process restart (port, transport, roles, ...). */
  restart: boolean;
}

/** An admin request addressed to this node (SPEC §9). */
export interface AdminCommandCall {
  command: string;
  args: string[];
  /** Transport address of the client or forwarding node. */
  from: string;
}

/** A command's answer. */
export interface AdminResult {
  /** 0 success, 1 refused, 2 usage error. */
  exitCode: number;
  text: string;
  /** Machine-readable answer for `koi --json`. */
  json?: unknown;
}

/** Ask a fencing plugin to power off or isolate a silent master (SPEC §5). */
export interface FenceRequest {
  nodeId: string;
  name: string;
  addresses: string[];
  silentForMs: number;
}

export interface FenceResult {
  ok: boolean;
  detail: string;
}

/**
 * The leader stopped electing because every runner failed the same service
 * recently (a failover storm), or resumed (`halted: false`) after an
 * operator acted or the failures aged out.
 */
export interface FailoverHaltChange {
  halted: boolean;
  service: string;
  /** Names of the runners that failed it. */
  runners: string[];
  message: string;
}

/** Kinds of cluster event (docs/observability.md lists what each carries). */
export type ClusterEventKind =
  | 'election'
  | 'leader'
  | 'master'
  | 'state'
  | 'service'
  | 'failure'
  | 'membership'
  | 'config'
  | 'admin'
  | 'failover-halt'
  | 'fence'
  | 'node';

/**
 * One cluster event as this node saw it: what `onEvent` delivers, what the
 * journal keeps, what `koi events` and the http plugin's /events stream show.
 */
export interface ClusterEvent {
  /** Wall-clock time in ms since the epoch (this node's clock). */
  time: number;
  /** Per-node sequence number, rising by one per event since the journal began. */
  seq: number;
  /** Name and id of the node that saw it. */
  node: string;
  nodeId: string;
  kind: ClusterEventKind;
  /** One human line, as `koi events` prints it. */
  message: string;
  /** Kind-specific fields (service, from, to, reason, command, ...). */
  data: Record<string, unknown>;
}

export interface KoiHooks {
  /** The node has started (plugins loaded, transport bound). */
  onStart: AsyncSeriesHook<[StartInfo]>;
  /** The node is shutting down; runs before plugins close. */
  onShutdown: AsyncSeriesHook<[ShutdownInfo]>;
  /** Every authenticated, decoded inbound message; return true to consume it. */
  onMessage: AsyncSeriesBailHook<[InboundMessage], boolean | undefined>;
  /** The leader's ordered candidate list; taps may filter or reorder it. */
  onElect: SyncWaterfallHook<[ElectionCandidate[], ElectionContext]>;
  /** This runner becomes master; runs before its services are promoted. */
  onPromote: AsyncSeriesHook<[RoleChange]>;
  /** This runner stops being master; runs while its services demote (the demote never waits for it: docs/safety.md R6). */
  onDemote: AsyncSeriesHook<[RoleChange]>;
  /** Every service event and its result. */
  onServiceEvent: AsyncSeriesHook<[ServiceEventReport]>;
  /** Every runner state transition. */
  onStateChange: SyncHook<[StateChange]>;
  /** The cluster's leader changed (as this node sees it). */
  onLeaderChange: SyncHook<[LeaderChange]>;
  /** The cluster's master changed (as this node sees it). */
  onMasterChange: SyncHook<[MasterChange]>;
  /** A node joined or left this node's table. */
  onMembershipChange: SyncHook<[MembershipChange]>;
  /** A new configuration was accepted. */
  onConfigReload: AsyncSeriesHook<[ConfigReload]>;
  /** An admin command; the first tap that returns a result answers it. */
  onAdminCommand: AsyncSeriesBailHook<[AdminCommandCall], AdminResult | undefined>;
  /** Fence a silent master before a replacement is promoted; the first result counts. */
  onFence: AsyncSeriesBailHook<[FenceRequest], FenceResult | undefined>;
  /** The leader halted failover (every runner failed the same service recently) or resumed it. */
  onFailoverHalt: SyncHook<[FailoverHaltChange]>;
  /** Every cluster event this node records (elections, master changes, states, service events, failures, reloads, admin commands): the subscription alerters use. */
  onEvent: SyncHook<[ClusterEvent]>;
}
