/**
 * Membership (SPEC §2): heartbeats on every link, the node table, bully
 * leader election, and the leader's cluster view spread in its heartbeats.
 * Non-leaders answer their leader's heartbeat with a unicast heartbeat; the
 * leader counts those answers (and health reports) as acknowledgements for
 * its lease quorum (SPEC §3, docs/architecture.md "No two masters").
 */
import type {
  ClusterNodeInfo, ClusterView, ElectionMode, HeartBeat, KoiConfig, Logger,
} from '../../plugin-api';
import { NodeFlag } from '../../plugin-api';
import { ACK_WINDOW_TICKS, ELECTION_LIMIT_TICKS } from '../config/timing-defaults';
import type { ComponentContext } from '../node/component';
import { BullyElection } from './leader-election';
import { NodeTable, type NodeEntry } from './node-table';

export interface MembershipOptions extends ComponentContext {
  broadcast(message: HeartBeat): void;
  sendTo(address: string, message: HeartBeat): void;
  /** Flags beyond Elector/Runner/Leader (e.g. Failed). */
  extraFlags(): number;
  /** The view to carry while this node leads. */
  leaderView(): ClusterView;
  /** This node began or stopped leading. */
  onLeadershipChange(leading: boolean, reason: string): void;
  /** A non-leader received its leader's view. */
  onViewAdopted(view: ClusterView, leaderId: string): void;
  /** This node leads and heard another leader's view (after a partition heals). */
  onForeignView(view: ClusterView, leaderId: string): void;
}

export class Membership {
  readonly table = new NodeTable();
  private readonly election: BullyElection;
  private readonly log: Logger;
  private config: KoiConfig;
  private leaderId = '';
  private view: ClusterView | null = null;
  private leaving = false;
  /** Last time another node was heard leading (kept after it steps down: its leases may still run). */
  private otherLeaderAt = -Infinity;

  constructor(private readonly opts: MembershipOptions) {
    this.config = opts.config;
    this.log = opts.logger.child({ component: 'membership' });
    this.election = new BullyElection({
      selfId: opts.self.id,
      elector: opts.config.node.elector,
      limit: ELECTION_LIMIT_TICKS,
      logger: this.log,
      onModeChange: (from, to, reason) => {
        if (to === 'leader') opts.onLeadershipChange(true, reason);
        if (from === 'leader') opts.onLeadershipChange(false, reason);
        this.refreshLeader();
        if (to !== 'servant') this.sendHeartbeats();
      },
    });
  }

  get mode(): ElectionMode {
    return this.election.mode;
  }

  isLeader(): boolean {
    return this.election.mode === 'leader';
  }

  /** The leader as this node sees it ('' when none). */
  currentLeaderId(): string {
    return this.leaderId;
  }

  /** The last view this node led with or adopted (a new leader continues from it). */
  lastView(): ClusterView | null {
    return this.view;
  }

  /** Where to reach the leader: its most recently used address ('' for self or unknown). */
  leaderAddress(): string {
    if (!this.leaderId || this.leaderId === this.opts.self.id) return '';
    return this.table.get(this.leaderId)?.addresses[0] ?? '';
  }

  applyConfig(config: KoiConfig): void {
    this.config = config;
  }

  flags(): number {
    let flags = this.opts.extraFlags();
    if (this.config.node.elector) flags |= NodeFlag.Elector;
    if (this.config.node.runner) flags |= NodeFlag.Runner;
    if (this.election.mode !== 'servant' && !this.leaving) flags |= NodeFlag.Leader;
    return flags;
  }

  /** One cluster tick: drop silent nodes, advance the election, send heartbeats. */
  tick(): void {
    const now = this.opts.clock.now();
    for (const gone of this.table.prune(now, this.config.time.node_timeout)) {
      this.log.info({ node: gone.id, name: gone.name }, `node ${gone.name} (${gone.id}) left: not heard for ${now - gone.lastSeen} ms`);
      this.opts.hooks.onMembershipChange.call({ change: 'left', nodeId: gone.id, name: gone.name, flags: gone.flags });
    }
    this.table.forgetOlderThan(now, 60 * 60_000);
    this.election.tick();
    this.refreshLeader();
    this.sendHeartbeats();
  }

  /** A heartbeat arrived from `senderId` at `from`. */
  handleHeartbeat(senderId: string, beat: HeartBeat, from: string): void {
    const now = this.opts.clock.now();
    const { entry, joined } = this.table.touch(senderId, from, now, { name: beat.name, flags: beat.flags, uptimeMs: beat.uptimeMs });
    if (joined) {
      this.log.info({ node: senderId, name: beat.name, from }, `node ${beat.name} (${senderId}) joined from ${from}`);
      this.opts.hooks.onMembershipChange.call({ change: 'joined', nodeId: senderId, name: beat.name, flags: beat.flags });
    }
    // A unicast answer (seenAddress set) means the sender follows this node as leader.
    if (beat.seenAddress && this.isLeader()) entry.lastAck = now;
    const claims = (beat.flags & NodeFlag.Leader) !== 0;
    if (claims) {
      const isLeader = beat.view !== undefined;
      if (isLeader) {
        entry.lastLeaderBeat = now;
        this.otherLeaderAt = now;
      } else entry.lastCandidateBeat = now;
      this.election.heardClaim(senderId, isLeader);
    } else if (entry.lastLeaderBeat > -Infinity) {
      entry.lastLeaderBeat = -Infinity;
      if (senderId === this.leaderId) this.election.leaderLeft();
    }
    this.refreshLeader();
    if (beat.view && this.isLeader()) this.opts.onForeignView(beat.view, senderId);
    if (beat.view && senderId === this.leaderId && !this.isLeader()) {
      this.view = beat.view;
      this.opts.onViewAdopted(beat.view, senderId);
      if (!beat.seenAddress) this.opts.sendTo(from, this.heartbeat(from, false));
    }
  }

  /** The sender follows this node as leader (it sent a health report here). */
  noteAck(senderId: string, from: string): void {
    const now = this.opts.clock.now();
    const entry = this.table.get(senderId) ?? this.table.touch(senderId, from, now).entry;
    entry.lastSeen = now;
    if (this.isLeader()) entry.lastAck = now;
  }

  /** Last time another node was heard leading (-Infinity when never). */
  lastOtherLeaderAt(): number {
    return this.otherLeaderAt;
  }

  /** Nodes heard within the node timeout, this node included (SPEC §3 "sees at least N nodes"). */
  seenCount(): number {
    const now = this.opts.clock.now();
    let count = 1;
    for (const entry of this.table.all()) if (now - entry.lastSeen <= this.config.time.node_timeout) count++;
    return count;
  }

  /** Nodes that answered this leader within the ack window, this node included. */
  ackCount(): number {
    const now = this.opts.clock.now();
    const window = ACK_WINDOW_TICKS * this.config.time.cluster_update_interval;
    let count = 1;
    for (const entry of this.table.all()) if (now - entry.lastAck <= window) count++;
    return count;
  }

  /** Entries for the leader's view. */
  viewNodes(): ClusterNodeInfo[] {
    const now = this.opts.clock.now();
    return [
      { id: this.opts.self.id, name: this.opts.self.name, flags: this.flags(), addresses: [], lastSeenAgoMs: 0 },
      ...this.table.all().map((e: NodeEntry) => ({
        id: e.id, name: e.name, flags: e.flags, addresses: [...e.addresses], lastSeenAgoMs: Math.max(0, Math.round(now - e.lastSeen)),
      })),
    ];
  }

  /** Lose leadership/candidacy for a reason of our own (a stall was detected). */
  stepDown(reason: string): void {
    this.election.stepDown(reason);
    this.refreshLeader();
  }

  /** Send a last heartbeat without the Leader flag so followers elect at once. */
  leave(): void {
    this.leaving = true;
    this.sendHeartbeats();
  }

  /** Record the view this node leads with (so it survives a step-down as "last known"). */
  rememberOwnView(view: ClusterView): void {
    this.view = view;
  }

  private sendHeartbeats(): void {
    this.opts.broadcast(this.heartbeat('', this.isLeader() && !this.leaving));
  }

  private heartbeat(seenAddress: string, withView: boolean): HeartBeat {
    const beat: HeartBeat = {
      kind: 'heartbeat',
      name: this.opts.self.name,
      flags: this.flags(),
      seenAddress,
      uptimeMs: Math.max(0, Math.round(this.opts.clock.now() - this.opts.startedAt)),
    };
    if (withView) beat.view = this.opts.leaderView();
    return beat;
  }

  /** Recompute the leader as seen: self when leading, else the highest-id leader heard recently. */
  private refreshLeader(): void {
    let leader = '';
    if (this.isLeader()) leader = this.opts.self.id;
    else {
      const now = this.opts.clock.now();
      const fresh = ELECTION_LIMIT_TICKS * this.config.time.cluster_update_interval;
      for (const entry of this.table.all()) {
        if (now - entry.lastLeaderBeat <= fresh && entry.id > leader) leader = entry.id;
      }
    }
    if (leader === this.leaderId) return;
    const previous = this.leaderId;
    this.leaderId = leader;
    const name = leader === this.opts.self.id ? this.opts.self.name : (this.table.get(leader)?.name ?? '');
    this.log.info({ leader, previous }, leader ? `leader is now ${name} (${leader})` : 'no leader');
    this.opts.hooks.onLeaderChange.call({ leaderId: leader, leaderName: name, previousLeaderId: previous, self: leader === this.opts.self.id });
  }
}
