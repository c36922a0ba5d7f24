/**
 * The messages koi nodes and clients exchange, as plain objects. The wire
 * codec (core/wire) maps them to and from koi.proto; taps on `onMessage`
 * see them after authentication and decoding.
 */
import type { RunnerMode, RunnerState, ServiceState, TargetAction } from './status';

/**
 * Protocol version carried in every envelope. 5: the same messages as 4, but the time bounds every node must
 * share (docs/safety.md "What is assumed": δ, S, F above a 50 ms heartbeat) and R5's quick renewal changed.
 * 6: a longer switch gap (R1: `leaderFreezeBoundMs`) and answers name the incarnation of the leader they
 * answer (`answersSinceSeq`).
 */
export const PROTOCOL_VERSION = 6;

/** A node as the leader describes it in its cluster view. */
export interface ClusterNodeInfo {
  id: string;
  name: string;
  /** NodeFlag bits. */
  flags: number;
  /** Addresses the node was heard from, most recently used first. */
  addresses: string[];
  /** Milliseconds since the leader last heard the node. */
  lastSeenAgoMs: number;
}

/** The leader's view of the cluster, spread in its heartbeats (SPEC §2). */
export interface ClusterView {
  /** Current leader (elector) id. */
  leaderId: string;
  /** Current master id, '' when none. */
  masterId: string;
  masterName: string;
  /** Cluster-wide maintenance flag (SPEC §6). */
  maintenance: boolean;
  /** Manual master mode: nobody is elected until `koi promote` / `koi elect`. */
  manualMaster: boolean;
  nodes: ClusterNodeInfo[];
  /** A master dropped whose replacement is not elected yet ('' when none): the next leader fences or waits it out too. */
  previousMasterId?: string;
  previousMasterName?: string;
}

/** Node ↔ node liveness and leader election. */
export interface HeartBeat {
  kind: 'heartbeat';
  name: string;
  /** NodeFlag bits. */
  flags: number;
  /** Unused since protocol 2 (always ''): answers are broadcasts naming their leader (`answersLeaderId`). */
  seenAddress: string;
  /** Milliseconds since the sender process started. */
  uptimeMs: number;
  /** The sequence number of the sender's first message since `uptimeMs` began (an in-process restart starts a new clock). */
  uptimeSinceSeq?: number;
  /** Present only in a leader's heartbeat. */
  view?: ClusterView;
  /** The sender's master_lease + lease_margin, ms (a new leader waits out the longest heard). */
  holdMs: number;
  /** How long the sender, when leading, counts one acknowledgement toward its lease quorum, ms. */
  ackWindowMs: number;
  /** In an answer to a leader's heartbeat: that heartbeat's `uptimeMs` (0 otherwise). */
  answersUptimeMs?: number;
  /** The leader whose heartbeat `answersUptimeMs` answers: only it counts the answer (R1). */
  answersLeaderId?: string;
  /** The answered heartbeat's `uptimeSinceSeq`: which incarnation of that leader, whose clock `answersUptimeMs` is on. */
  answersSinceSeq?: number;
  /**
   * In an answer: how long ago (sender's clock) no leader other than the one
   * answered could count an acknowledgement of the sender any more — the end
   * of R1's switch gap after the last other leader it answered, or after its
   * own start; negative when that is still ahead (docs/safety.md R2).
   */
  answersFreeAgoMs?: number;
  /**
   * Not leading: the master, or the dropped master still owed a safe
   * replacement, of the last view the sender followed or led with (kept
   * across leader changes until a view names a master).
   */
  knownMasterId?: string;
  knownMasterName?: string;
  /** The longest `holdMs` the sender heard directly from another node in the last hour (0 when none). */
  relayedHoldMs?: number;
  /**
   * Riders (protocol 3), messages that go with this heartbeat instead of in
   * datagrams of their own, built in the same turn: in a leader's
   * heartbeat, the state updates of its elector tick, each for one runner
   * (only that runner applies it).
   */
  stateUpdates?: Array<{ runnerId: string; update: StateUpdate }>;
  /** Rider: the sender's periodic health report, for the leader `leaderId` only. */
  health?: { leaderId: string; report: HealthReport };
}

/** One service as a runner reports it. */
export interface ServiceStatusInfo {
  name: string;
  state: ServiceState;
  /** Disabled by a `disabled` file: stopped on purpose, not a failure; absent when enabled. */
  disabled?: boolean;
}

/** Runner → leader, every runner tick (SPEC §5). */
export interface HealthReport {
  kind: 'health';
  name: string;
  state: RunnerState;
  mode: RunnerMode;
  uptimeMs: number;
  target: TargetAction;
  services: ServiceStatusInfo[];
  /** True while any service is promoted (or promoting). */
  promoted: boolean;
  failCount: number;
  /** Milliseconds since the last failure, -1 when none. */
  lastFailureAgoMs: number;
  lastFailureReason: string;
  /** The last lines the failing script wrote (bounded); absent from older runners. */
  lastFailureOutput?: string[];
  /** Set when the runner was stopped by hand (`koi stop`). */
  stopped: boolean;
  /** `leaderUptimeMs` of the newest state update applied from the leader this report goes to (0 when none). */
  appliedUpdateMs?: number;
}

/** Leader → runner, every elector tick (SPEC §5). */
export interface StateUpdate {
  kind: 'state';
  /** Master id, '' when none. */
  masterId: string;
  masterName: string;
  masterAddress: string;
  leaderName: string;
  /** Leader process uptime; going backwards reveals a restarted leader. */
  leaderUptimeMs: number;
  /** Whether the leader has quorum; a master's lease is renewed only by a quorate leader. */
  hasQuorum: boolean;
  maintenance: boolean;
  /** Length of the lease this update grants, ms, on the grantor's terms (0 when it grants none). */
  leaseMs: number;
  /**
   * With a grant (protocol 4): where the lease ends on the *runner's* clock, so that the runner holds it
   * without dating the update by its receipt (docs/safety.md R3). Absent: the runner takes no lease from it.
   */
  leaseEnd?: LeaseEnd;
}

/**
 * A lease's end in the named runner's uptime (the clock its heartbeats carry): the leader's grant time plus
 * the lease, moved onto the runner's clock by the runner's least-delayed heartbeat (core/membership/peer-clocks.ts).
 */
export interface LeaseEnd {
  /** The runner's uptime, ms, that it certainly reaches before the leader's clock reaches grant + lease. */
  uptimeMs: number;
  /** The runner's uptime in the heartbeat the bound comes from (time its own clock may have lost since counts against it). */
  observedUptimeMs: number;
  /** That heartbeat's sequence number: a bound from before an in-process restart (same id, new clock) is refused. */
  observedSeq: number;
}

/** Client → node (and node → node when forwarded). */
export interface AdminRequest {
  kind: 'request';
  /** Chosen by the client; echoed in the response. */
  requestId: string;
  command: string;
  args: string[];
  /** Times the request was forwarded; a node refuses to forward past a small limit. */
  hops: number;
  /**
   * Ask the receiver for a fresh nonce (the first half of a mutating
   * request); command and args are empty. See docs/wire.md "Admin requests".
   */
  challenge?: boolean;
  /** Id of the node the request is for; absent only in a challenge or a read-only request. */
  target?: string;
  /** The nonce the target issued (32 hex digits); required for mutating commands. */
  nonce?: string;
}

/** Node → client. */
export interface AdminResponse {
  kind: 'response';
  requestId: string;
  /** 0 success, 1 refused, 2 usage error. */
  exitCode: number;
  /** Human-readable answer. */
  text: string;
  /** Machine-readable answer (JSON text), '' when none. */
  json: string;
  /** In the answer to a challenge: a fresh nonce (32 hex digits), good for one request to this node. */
  nonce?: string;
  /** In the answer to a challenge: the answering node's id, the `target` of the request that follows. */
  nodeId?: string;
}

export type KoiMessage = HeartBeat | HealthReport | StateUpdate | AdminRequest | AdminResponse;
export type KoiMessageKind = KoiMessage['kind'];

/** What every datagram carries around its message (SPEC §10). */
export interface Envelope<M extends KoiMessage = KoiMessage> {
  version: number;
  clusterId: number;
  /** Sender's node id (UUID), or a client's random id. */
  senderId: string;
  /** Per-sender sequence number, strictly increasing. */
  seq: number;
  /** Sender's wall-clock send time, ms since the epoch. */
  sentAt: number;
  message: M;
}

/** An authenticated, decoded message and the transport address it came from. */
export interface InboundMessage<M extends KoiMessage = KoiMessage> {
  envelope: Envelope<M>;
  from: string;
}
