/**
 * Membership (SPEC §2): heartbeats on every link, the node table, bully
 * leader election, and the leader's cluster view spread in its heartbeats.
 * Non-leaders answer their leader's heartbeat with their own regular
 * heartbeat, sent at once and naming the leader and the heartbeat answered
 * (so a follower sends one datagram per peer per interval, not an extra
 * unicast answer); the leader counts those answers as acknowledgements for
 * its lease quorum (SPEC §3). Two rules of docs/safety.md live here:
 * - R1 exclusive acknowledgements: a node answers one leader at a time, and
 *   after answering one it answers another only once the first can no
 *   longer count it (its ack window plus one of its heartbeat intervals for
 *   the message delay). Health reports are not acknowledgements. So two
 *   leaders never hold a lease quorum at the same instant.
 * - L1 deaf leaders: a leader whose view does not list this node as heard
 *   cannot hear it, so it is not followed (a node that can send but not
 *   receive would otherwise keep the cluster leaderless-in-effect forever).
 */
import type {
  ClusterNodeInfo, ClusterView, ElectionMode, HeartBeat, KoiConfig, Logger,
} from '../../plugin-api';
import { NodeFlag } from '../../plugin-api';
import { KNOWN_MASTER_MEMORY_MS, electionTimeoutMs, electionTimings, peerRefreshSpacingMs } from '../config/timing-defaults';
import { CLOCK_RATE_BOUND, ackWindowMs, intervalOfAckWindowMs, switchGapMs } from '../config/safety-bounds';
import { countConfiguredPeers } from '../elector/peers';
import { withoutZone } from '../../plugin-api/address';
import type { ComponentContext } from '../node/component';
import { BullyElection } from './leader-election';
import { NodeTable, type NodeEntry } from './node-table';
import { KNOWN_MASTER_REFRESH_MS, type MachineMemory } from '../node/machine-memory';

export interface MembershipOptions extends ComponentContext {
  /**
   * Send this node's heartbeat: to every peer, or with `leaderOnly` to the leader this node follows (the
   * sender falls back to every peer when it cannot reach the leader alone, or riders need the broadcast).
   */
  broadcast(message: HeartBeat, leaderOnly: boolean): void;
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
  /** This node leads and heard a runner's heartbeat: whether it says its runner is Master (NodeFlag.Master, R5). */
  onMasterClaim?(senderId: string, master: boolean, answeringSentAt?: number): void;
  /** This node leads and a follower remembers a master from the views it followed before (R8). */
  onKnownMaster(masterId: string, masterName: string, fromId: string): void;
  /** The transport's resolved unicast entries of cluster.transport (null when the transport cannot tell). */
  configuredAddresses(): Array<{ address: string; own: boolean }> | null;
  /**
   * The election's next deadline comes before the next cluster tick: call `checkElection` at `at` (one timer;
   * a later call replaces it). Without it the election is checked at cluster ticks only.
   */
  scheduleElection?(at: number): void;
  /** A heartbeat from another node (another id) carrying this node's name. */
  onNameClash?(senderId: string, from: string, senderUptimeMs: number): void;
  /** What this machine remembers across restarts (`node.state_file`): knownMaster survives the process. */
  machineMemory?: MachineMemory | null;
  /** This node leads and its elector granted `masterId` a lease (so the master of its own view holds, or may hold, the role). */
  grantedHere?(masterId: string): boolean;
}

/** How long, and how many, nodes that left the table are remembered for `koi status` (shown OFFLINE). */
const DEPARTED_MEMORY_MS = 24 * 60 * 60_000;
const DEPARTED_MAX = 64;

/** How long the longest advertised hold is remembered: a lease is never longer than this. */
const HOLD_MEMORY_MS = 60 * 60_000;
/** Heartbeats whose exact send time is kept (answers arrive within the ack window, 3 of them). */
const SENT_BEATS_KEPT = 8;

export class Membership {
  readonly table = new NodeTable();
  private readonly election: BullyElection;
  private readonly log: Logger;
  private config: KoiConfig;
  private leaderId = '';
  private view: ClusterView | null = null;
  /**
   * R8: the master (or dropped master still owed a safe replacement) of the
   * last view that named one. A view naming neither keeps it: a new leader
   * that never knew the master must still learn of it (heartbeat knownMaster).
   */
  private knownMaster = { id: '', name: '', at: -Infinity, from: '' };
  /** What was last written to the machine memory (id, and when on this clock). */
  private savedKnownMaster = { id: '', at: -Infinity };
  private leaving = false;
  /** The last leader this node acknowledged: when, and how long that leader counts one acknowledgement. */
  private lastAckSent = { leaderId: '', at: -Infinity, windowMs: 0, tickMs: 0 };
  /**
   * R2: from when on no leader other than the one this node answers now can count an acknowledgement of
   * it: the end of R1's switch gap after the last other leader it answered, the end of its own leadership
   * (it counted itself), and at first the end of that gap after its own start (an earlier run of this
   * machine's koinode may have answered anyone until then).
   */
  private priorFreeAt: number;
  /** The leader heartbeat this node answered last (each is answered once). */
  private lastAnswered = { leaderId: '', uptimeMs: 0, sinceSeq: 0 };
  /** The heartbeats this node sent lately, oldest first: the uptime each carried and when exactly it left. */
  private readonly sentBeats: Array<{ uptimeMs: number; at: number }> = [];
  /** When this node last sent a heartbeat (its answers double as its regular heartbeats). */
  private lastBroadcastAt = -Infinity;
  /** When this node last sent a heartbeat to every peer (a follower sends most to its leader only). */
  private lastFullBroadcastAt = -Infinity;
  /** Holds (master_lease + lease_margin) advertised by other nodes, with when they were heard. */
  private readonly holds = new Map<string, { holdMs: number; at: number }>();
  /** Holds other nodes heard directly and relayed (relayedHoldMs), with when they were heard; never relayed again. */
  private readonly relayedHolds = new Map<string, { holdMs: number; at: number }>();
  /** Leaders not followed because their view does not list this node: since when, and whether that was logged. */
  private readonly deafLeaders = new Map<string, { at: number; warned: boolean }>();
  /** Nodes that left the table (silent, or said they leave), newest last: `koi status` keeps showing them. */
  private readonly departed = new Map<string, NodeEntry>();

  constructor(private readonly opts: MembershipOptions) {
    this.config = opts.config;
    this.log = opts.logger.child({ component: 'membership' });
    const interval = opts.config.time.cluster_update_interval;
    this.priorFreeAt = opts.startedAt + switchGapMs(ackWindowMs(interval), interval);
    this.recallKnownMaster();
    this.election = new BullyElection({
      selfId: opts.self.id,
      elector: opts.config.node.elector,
      timings: electionTimings(opts.config.time),
      now: opts.clock.now(),
      logger: this.log,
      onModeChange: (from, to, reason) => {
        // R2: while it led, this node granted leases on its own quorum; a leader it answers next must wait
        // them out like any other leader's (answering at once is allowed: it no longer leads).
        if (from === 'leader') this.priorFreeAt = Math.max(this.priorFreeAt, opts.clock.now());
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
    this.election.setTimings(electionTimings(config.time));
    this.armElection(this.opts.clock.now());
  }

  flags(): number {
    let flags = this.opts.extraFlags();
    if (this.config.node.elector) flags |= NodeFlag.Elector;
    if (this.config.node.runner) flags |= NodeFlag.Runner;
    if (this.election.mode !== 'servant' && !this.leaving) flags |= NodeFlag.Leader;
    return flags;
  }

  /**
   * One cluster tick: drop silent nodes, advance the election, send heartbeats (`heartbeatNow`: even if one
   * went out less than an interval ago).
   */
  tick(heartbeatNow = false): void {
    const now = this.opts.clock.now();
    for (const gone of this.table.prune(now, this.config.time.node_timeout)) {
      this.log.info({ node: gone.id, name: gone.name }, `node ${gone.name} (${gone.id}) left: not heard for ${Math.round(now - gone.lastSeen)} ms`);
      this.opts.hooks.onMembershipChange.call({ change: 'left', nodeId: gone.id, name: gone.name, flags: gone.flags });
      this.rememberDeparted(gone, now);
    }
    this.table.forgetOlderThan(now, 60 * 60_000);
    this.advanceElection(now);
    // An answer to the leader went out less than an interval ago: it was this tick's heartbeat.
    if (heartbeatNow || now - this.lastBroadcastAt >= this.config.time.cluster_update_interval) this.sendHeartbeats();
  }

  /** A heartbeat arrived from `senderId` at `from`. */
  handleHeartbeat(senderId: string, beat: HeartBeat, from: string): void {
    const now = this.opts.clock.now();
    if (beat.name === this.opts.self.name && senderId !== this.opts.self.id) this.opts.onNameClash?.(senderId, from, beat.uptimeMs);
    const { entry, joined } = this.table.touch(senderId, from, now, { name: beat.name, flags: beat.flags, uptimeMs: beat.uptimeMs });
    if (joined) {
      this.departed.delete(senderId);
      this.log.info({ node: senderId, name: beat.name, from }, `node ${beat.name} (${senderId}) joined from ${from}`);
      this.opts.hooks.onMembershipChange.call({ change: 'joined', nodeId: senderId, name: beat.name, flags: beat.flags });
    }
    if (beat.holdMs > 0) this.holds.set(senderId, { holdMs: beat.holdMs, at: now });
    if ((beat.relayedHoldMs ?? 0) > 0) this.relayedHolds.set(senderId, { holdMs: beat.relayedHoldMs ?? 0, at: now });
    // An answer naming this node means the sender follows it as leader. R1: it counts from when this
    // node sent the heartbeat it answers, not from its arrival, so an answer that waited (network, a
    // stall of this node) is never counted beyond what the follower promised.
    if (this.answersOurs(beat)) {
      const sentAt = this.opts.startedAt + beat.answersUptimeMs!;
      if (sentAt <= now) {
        // R2: dated on our clock, late rather than early (delay and a stall here only make it later; the
        // sender's clock may run fast by the rate bound). Only from the newest answer: an older one that
        // arrives late may predate a switch of the sender's (and so name an earlier freedom).
        if (sentAt >= entry.lastAck) {
          const ago = beat.answersFreeAgoMs ?? 0;
          entry.freeAt = now - ago * (ago >= 0 ? 1 - CLOCK_RATE_BOUND : 1 + CLOCK_RATE_BOUND);
        }
        entry.lastAck = Math.max(entry.lastAck, sentAt);
      }
    }
    const claims = (beat.flags & NodeFlag.Leader) !== 0 && !this.deafTo(senderId, beat);
    const fromFollowedLeader = senderId === this.leaderId;
    if (claims) {
      const isLeader = beat.view !== undefined;
      if (isLeader) {
        entry.lastLeaderBeat = now;
        entry.leaderViewHeard = beat.view!.nodes.filter((n) => n.id === senderId || n.lastSeenAgoMs <= this.config.time.node_timeout).length;
      } else entry.lastCandidateBeat = now;
      this.election.heardClaim(senderId, isLeader, now);
    } else if (entry.lastLeaderBeat > -Infinity) {
      entry.lastLeaderBeat = -Infinity;
      if (senderId === this.leaderId) {
        this.election.leaderLeft(now);
        this.armElection(now);
      }
    }
    this.refreshLeader();
    if (claims && beat.view && this.isLeader()) this.opts.onForeignView(beat.view, senderId);
    if (this.isLeader() && (beat.flags & NodeFlag.Runner) !== 0) this.opts.onMasterClaim?.(senderId, (beat.flags & NodeFlag.Master) !== 0, this.answeredSentAt(beat, now));
    if (!beat.view && beat.knownMasterId && this.isLeader()) this.opts.onKnownMaster(beat.knownMasterId, beat.knownMasterName ?? '', senderId);
    if (!claims && beat.view) this.leaderLeft(senderId, beat.view, fromFollowedLeader);
    if (claims && beat.view && senderId === this.leaderId && !this.isLeader()) {
      this.adopt(beat.view);
      this.opts.onViewAdopted(beat.view, senderId);
      // Not a copy of the heartbeat just answered (a duplicate, a second link). Not "newer": a leader that
      // restarted in-process keeps its id and starts its uptime again.
      const fresh = this.lastAnswered.leaderId !== senderId || beat.uptimeMs !== this.lastAnswered.uptimeMs
        || (beat.uptimeSinceSeq ?? 0) !== this.lastAnswered.sinceSeq;
      if (fresh && this.mayAcknowledge(senderId, now)) {
        // Switching leaders: the one left can count us until its switch gap ends (R2 waits from there).
        const last = this.lastAckSent;
        if (last.leaderId !== '' && last.leaderId !== senderId) this.priorFreeAt = Math.max(this.priorFreeAt, this.switchGapEnd(last));
        // R1's switch gap counts from this answer.
        this.lastAckSent = { leaderId: senderId, at: now, windowMs: beat.ackWindowMs, tickMs: intervalOfAckWindowMs(beat.ackWindowMs) };
        this.lastAnswered = { leaderId: senderId, uptimeMs: beat.uptimeMs, sinceSeq: beat.uptimeSinceSeq ?? 0 };
        // At once, as the unicast answer of protocol 1 went: the new leader's quorum must not wait for our tick.
        // Floor: a shorter "ago" dates our freedom later, never earlier.
        this.sendHeartbeats({
          answersLeaderId: senderId, answersUptimeMs: beat.uptimeMs, answersSinceSeq: beat.uptimeSinceSeq ?? 0,
          answersFreeAgoMs: Math.floor(now - this.priorFreeAt),
        });
      }
    }
  }

  /**
   * `beat` answers a heartbeat of this leader's, of this incarnation: an in-process restart keeps the id but
   * starts a new clock, and a late answer to the old one would be dated on the new (protocol 6; a review found
   * it dated after a new quorum began).
   */
  private answersOurs(beat: HeartBeat): boolean {
    return beat.answersLeaderId === this.opts.self.id && this.isLeader() && beat.answersUptimeMs !== undefined
      && beat.answersSinceSeq === this.opts.firstSeq;
  }

  /**
   * When this leader sent the heartbeat `beat` answers, on its own clock; undefined when it answers none of ours.
   * Exactly, for the heartbeats sent lately (the earliest of those that carried the same uptime): the uptime
   * is floored to the millisecond, and R5 compares it with when the quorum began — the heartbeat sent the
   * moment it began would otherwise date before it. R1's dating keeps the floor.
   */
  private answeredSentAt(beat: HeartBeat, now: number): number | undefined {
    if (!this.answersOurs(beat)) return undefined;
    const uptime = beat.answersUptimeMs!;
    const exact = this.sentBeats.find((b) => b.uptimeMs === uptime);
    const sentAt = exact ? exact.at : this.opts.startedAt + uptime;
    return sentAt <= now ? sentAt : undefined;
  }

  /**
   * L1: a leader's view that does not list this node as heard within the
   * node timeout comes from a leader that cannot hear it (deaf, or a
   * one-way cut): following it would give that leader no acknowledgements
   * and keep everyone from standing. Candidates carry no view and are
   * taken at their word (for the time of their candidacy).
   */
  private deafTo(senderId: string, beat: HeartBeat): boolean {
    if (!beat.view) return false;
    const now = this.opts.clock.now();
    const me = beat.view.nodes.find((n) => n.id === this.opts.self.id);
    const deaf = !me || me.lastSeenAgoMs > this.config.time.node_timeout;
    const since = this.deafLeaders.get(senderId);
    if (!deaf) {
      if (since?.warned) this.log.info({ leader: senderId, name: beat.name }, `leader ${beat.name} (${senderId}) hears this node again`);
      if (since) this.deafLeaders.delete(senderId);
      return false;
    }
    // It may only not have heard this node's leader-only heartbeats (a leader back from a partition): the
    // next one goes to every peer, so that it can.
    this.lastFullBroadcastAt = -Infinity;
    // A leader that has not heard a node that just started is not deaf yet: warn after node_timeout.
    if (!since) this.deafLeaders.set(senderId, { at: now, warned: false });
    else if (!since.warned && now - since.at > this.config.time.node_timeout) {
      since.warned = true;
      this.log.warn({ leader: senderId, name: beat.name }, `not following leader ${beat.name} (${senderId}): its view has not listed this node for ${Math.round(now - since.at)} ms (it cannot hear this node)`);
    }
    return true;
  }

  /**
   * R1: acknowledge `leaderId` only when no other leader can still count an
   * acknowledgement of ours: its ack window plus three of its heartbeat
   * intervals after our last one to it.
   */
  private mayAcknowledge(leaderId: string, now: number): boolean {
    if (!this.opts.rules.on('exclusive-acks')) return true;
    const last = this.lastAckSent;
    if (last.leaderId === leaderId || last.leaderId === '') return true;
    return now >= this.switchGapEnd(last);
  }

  /**
   * R1's switch gap after answering `last` (safety-bounds.ts `switchGapMs`): its ack window, + δ for clock
   * rate and delay, + F for a VM pause of that leader too short for its stall guard (its frozen clock dates
   * our answer late). Free on the failover path: a new leader exists only after the election (standing and
   * the candidacy, longer than the gap), and we answered the old one last when we last heard it.
   */
  private switchGapEnd(last: { at: number; windowMs: number; tickMs: number }): number {
    return last.at + switchGapMs(last.windowMs, Math.max(last.tickMs, this.config.time.cluster_update_interval));
  }

  /**
   * R2: from when on no other leader can count an acknowledgement of any node this leader counts now
   * (itself included): the latest of their reported switch-gap ends. Every other leader's quorum shared
   * a node with this one, so every lease another leader granted was granted before this instant.
   */
  quorumFreeAt(): number {
    const last = this.lastAckSent;
    let free = Math.max(this.priorFreeAt, last.leaderId !== '' && last.leaderId !== this.opts.self.id ? this.switchGapEnd(last) : -Infinity);
    for (const entry of this.acknowledging()) free = Math.max(free, entry.freeAt);
    return free;
  }

  /** Nodes whose last answer to this leader still counts (within the ack window: R1). */
  private acknowledging(): NodeEntry[] {
    const now = this.opts.clock.now();
    const window = ackWindowMs(this.config.time.cluster_update_interval);
    return this.table.all().filter((entry) => now - entry.lastAck <= window);
  }

  /** An authenticated copy of a datagram from a known node arrived at `from` (a redundant link): remember the address. */
  heardAt(senderId: string, from: string): void {
    const entry = this.table.get(senderId);
    if (!entry) return;
    entry.lastSeen = this.opts.clock.now();
    // Known, but not most recently used: unicast answers keep going where the first copy came from.
    if (!entry.addresses.includes(from) && entry.addresses.length < 4) entry.addresses.push(from);
  }

  /**
   * The sender sent this leader a health report: it is alive. Not an
   * acknowledgement (R1): a runner keeps reporting to a leader it no longer
   * hears, so a report says nothing about whom it answers now.
   */
  noteReport(senderId: string, from: string, name: string): void {
    const now = this.opts.clock.now();
    // A report may come before the sender's first heartbeat after it left the table: the entry it makes
    // takes the report's name (a view with an empty name is malformed to every peer).
    const entry = this.table.get(senderId) ?? this.table.touch(senderId, from, now).entry;
    if (entry.name === '') entry.name = name;
    entry.lastSeen = now;
    if (this.isLeader() && !this.opts.rules.on('exclusive-acks')) {
      entry.lastAck = now;
      entry.freeAt = now;
    }
  }

  /** Nodes that left the table within the last day (newest first), for status output only. */
  departedNodes(): NodeEntry[] {
    return [...this.departed.values()].reverse();
  }

  private rememberDeparted(entry: NodeEntry, now: number): void {
    this.departed.delete(entry.id);
    this.departed.set(entry.id, entry);
    for (const [id, e] of this.departed) {
      if (this.departed.size > DEPARTED_MAX || now - e.lastSeen > DEPARTED_MEMORY_MS) this.departed.delete(id);
    }
  }

  /** The longest master_lease + lease_margin advertised in the last hour, this node's own included (R2). */
  maxHoldMs(): number {
    return Math.max(this.config.time.master_lease + this.config.time.lease_margin, this.longestHeard(this.holds), this.longestHeard(this.relayedHolds));
  }

  private longestHeard(holds: Map<string, { holdMs: number; at: number }>): number {
    const now = this.opts.clock.now();
    let max = 0;
    for (const [id, h] of holds) {
      if (now - h.at > HOLD_MEMORY_MS) holds.delete(id);
      else max = Math.max(max, h.holdMs);
    }
    return max;
  }

  /** Nodes that cluster.transport names, as far as heard (this one, and every heard node seen at a configured address). */
  configuredNodeCount(): number {
    const configured = this.opts.configuredAddresses();
    if (configured === null) return countConfiguredPeers(this.config.cluster.transport) ?? this.seenCount();
    const listed = new Set(configured.map((c) => c.address));
    return 1 + this.table.all().filter((e) => e.addresses.some((a) => listed.has(withoutZone(a)))).length;
  }

  /**
   * Every configured peer has been heard: each unicast entry of
   * cluster.transport is this node's own or an address some node in the
   * table was heard from. Counts nodes, not addresses: a node with two links
   * covers two entries. Without the transport's help, one node per host.
   */
  allConfiguredPeersHeard(): boolean {
    const configured = this.opts.configuredAddresses();
    if (configured === null) {
      const expected = countConfiguredPeers(this.config.cluster.transport);
      return expected !== null && this.seenCount() >= expected;
    }
    // Configured entries come without IPv6 zones; link-local peers are heard from `[fe80::…%eth1]:port`.
    const heard = new Set(this.table.all().flatMap((e) => e.addresses.map(withoutZone)));
    return configured.length > 0 && configured.every((c) => c.own || heard.has(c.address));
  }

  /**
   * Runner-flagged nodes heard within two peer refreshes and an ack window, with since when each has been in the
   * table. Not the ack window alone: a runner that follows another leader sends this node a heartbeat only every
   * peerRefreshSpacingMs, and R7's awaiting-report gate must not flicker open between two of them (nor after one
   * lost); not node_timeout, which would count a dead node as heard for a second.
   */
  heardRunners(): Array<{ id: string; name: string; since: number }> {
    const now = this.opts.clock.now();
    const time = this.config.time;
    const window = 2 * peerRefreshSpacingMs(time) + ackWindowMs(time.cluster_update_interval);
    return this.table.all()
      .filter((e) => (e.flags & NodeFlag.Runner) !== 0 && now - e.lastSeen <= window)
      .map((e) => ({ id: e.id, name: e.name, since: e.firstSeen }));
  }

  /** Nodes heard within the node timeout, this node included (SPEC §3 "sees at least N nodes"). */
  seenCount(): number {
    const now = this.opts.clock.now();
    let count = 1;
    for (const entry of this.table.all()) if (now - entry.lastSeen <= this.config.time.node_timeout) count++;
    return count;
  }

  /** Nodes that answered this leader within the ack window, this node included once its own last answer to another leader expired (R1). */
  ackCount(): number {
    return (this.mayAcknowledge(this.opts.self.id, this.opts.clock.now()) ? 1 : 0) + this.acknowledging().length;
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
    this.election.stepDown(reason, this.opts.clock.now());
    this.refreshLeader();
  }

  /**
   * This node stalled for `gapMs` (the stall guard): it heard nothing then only because it did not read, so
   * the election counts the stall as one heartbeat interval, not as the leader's silence.
   */
  ownStall(gapMs: number): void {
    this.election.ownStall(gapMs - this.config.time.cluster_update_interval, this.opts.clock.now());
  }

  /**
   * Before this node takes part, the election counts silence from `at` at the earliest: when it began to listen,
   * or when its join listener last heard a leader.
   */
  countSilenceFrom(at: number): void {
    this.election.restartSilence(at);
  }

  /** The election's deadline passed (the timer scheduleElection set): stand, or lead. */
  checkElection(): void {
    this.advanceElection(this.opts.clock.now());
  }

  /** Stand or lead if a deadline passed, follow whom that makes the leader, and arm the next deadline. */
  private advanceElection(now: number): void {
    this.election.check(now);
    this.refreshLeader();
    this.armElection(now);
  }

  /** A timer at the election's deadline when it comes before the next cluster tick (none while a leader is heard). */
  private armElection(now: number): void {
    const at = this.election.deadline();
    if (at < now + this.config.time.cluster_update_interval) this.opts.scheduleElection?.(at);
  }

  /**
   * R8: a leader's last heartbeat (it stops) carries its final view without the Leader flag. A leader
   * that stops right after naming a master (a stopping master's last report elects its successor) sent
   * that naming in no other view: followers remember its master as the one a next leader must wait out
   * or fence, and a next leader hears it as a known master.
   */
  private leaderLeft(senderId: string, view: ClusterView, followed: boolean): void {
    const masterId = view.masterId || view.previousMasterId || '';
    if (!masterId) return;
    const masterName = view.masterId ? view.masterName : (view.previousMasterName ?? '');
    if (this.isLeader()) this.opts.onKnownMaster(masterId, masterName, senderId);
    else if (followed) this.adopt(view);
  }

  /** Send a last heartbeat without the Leader flag (followers elect at once), with the final view when leading. */
  leave(): void {
    this.leaving = true;
    this.sendHeartbeats();
  }

  /** Record the view this node leads with (so it survives a step-down as "last known"). */
  rememberOwnView(view: ClusterView): void {
    this.adopt(view);
  }

  private adopt(view: ClusterView): void {
    this.view = view;
    // A view naming a master supersedes what this node knew; one that only owes a replacement keeps a
    // master this node knew and that leader may not (it is the one to tell it about).
    const now = this.opts.clock.now();
    if (view.masterId) {
      if (!this.supersedesKnownMaster(view)) return;
      this.knownMaster = { id: view.masterId, name: view.masterName, at: now, from: view.leaderId };
    } else if (view.previousMasterId && !this.knownMaster.id) {
      this.knownMaster = { id: view.previousMasterId, name: view.previousMasterName ?? '', at: now, from: view.leaderId };
    } else return;
    this.persistKnownMaster(now);
  }

  /**
   * A view's master replaces the remembered one when it holds the role (its entry in the view carries
   * NodeFlag.Master), is the same, or is named by the leader that named the remembered one (it dropped or
   * replaced that one itself: a stopping leader's successor, seed 9603874). Not otherwise: a leader that
   * resumed from a pause, or never knew, may name a master from a stale view while the one this node saw
   * hold the role later lies crashed with its services promoted — this node is how the leader learns of it
   * (seed 9921950).
   */
  private supersedesKnownMaster(view: ClusterView): boolean {
    const known = this.knownMaster;
    if (!this.rememberedMaster() || known.id === view.masterId || known.from === view.leaderId) return true;
    // The flag as the leader heard it lately (an entry from before a pause of that leader may carry an old one).
    const fresh = ackWindowMs(this.config.time.cluster_update_interval);
    return view.nodes.some((n) => n.id === view.masterId && (n.flags & NodeFlag.Master) !== 0 && n.lastSeenAgoMs <= fresh);
  }

  /**
   * The master of a view this node leads with is remembered too (it survives a restart of this node), and as soon
   * as this leader granted it a lease: it may hold the role before any view shows its flag.
   */
  private rememberLedView(view: ClusterView): void {
    if (!view.masterId || !(this.supersedesKnownMaster(view) || this.opts.grantedHere?.(view.masterId))) return;
    const now = this.opts.clock.now();
    this.knownMaster = { id: view.masterId, name: view.masterName, at: now, from: view.leaderId };
    this.persistKnownMaster(now);
  }

  /** The master remembered from the views this node followed or led with (R8), with how long ago it was last seen named; null when none or forgotten. */
  rememberedMaster(): { id: string; name: string; ageMs: number } | null {
    const m = this.knownMaster;
    const age = this.opts.clock.now() - m.at;
    return m.id && age <= KNOWN_MASTER_MEMORY_MS ? { id: m.id, name: m.name, ageMs: age } : null;
  }

  /** At start: the master this machine saw before this process, aged by the wall clock. */
  private recallKnownMaster(): void {
    const m = this.opts.machineMemory?.loadKnownMaster();
    if (!m) return;
    // This machine's own earlier process: its start-up sweep undoes what it left (never fenced, whatever its name).
    if (m.writerId !== '' && m.id === m.writerId) return;
    // A clock stepped back counts as no time; a date more than the memory's span ahead is not believed.
    const ahead = m.wallAt - this.opts.clock.wallNow();
    if (ahead > KNOWN_MASTER_MEMORY_MS) return;
    const age = Math.max(0, -ahead);
    if (age > KNOWN_MASTER_MEMORY_MS) return;
    const now = this.opts.clock.now();
    this.knownMaster = { id: m.id, name: m.name, at: now - age, from: m.from };
    this.savedKnownMaster = { id: m.id, at: now - age };
    this.log.info({ master: m.id }, `remembering master ${m.name} (${m.id}), last seen named ${Math.round(age / 1000)} s ago before this start (node.state_file)`);
  }

  /** Write knownMaster to the machine memory when it changed, or its time is KNOWN_MASTER_REFRESH_MS old. */
  private persistKnownMaster(now: number): void {
    const memory = this.opts.machineMemory;
    const m = this.knownMaster;
    if (!memory || (m.id === this.savedKnownMaster.id && m.at - this.savedKnownMaster.at < KNOWN_MASTER_REFRESH_MS)) return;
    this.savedKnownMaster = { id: m.id, at: m.at };
    memory.saveKnownMaster({ id: m.id, name: m.name, wallAt: this.opts.clock.wallNow() - (now - m.at), from: m.from, writerId: this.opts.self.id });
  }

  /** Broadcast this node's heartbeat; `answer` makes it the acknowledgement of one leader heartbeat. */
  private sendHeartbeats(answer: Pick<HeartBeat, 'answersLeaderId' | 'answersUptimeMs' | 'answersSinceSeq' | 'answersFreeAgoMs'> = {}): void {
    const now = this.opts.clock.now();
    const leaderOnly = this.leaderOnly(now);
    this.lastBroadcastAt = now;
    if (!leaderOnly) this.lastFullBroadcastAt = now;
    const beat = this.heartbeat('', this.isLeader());
    if (this.sentBeats.at(-1)?.uptimeMs !== beat.uptimeMs) {
      this.sentBeats.push({ uptimeMs: beat.uptimeMs, at: now });
      if (this.sentBeats.length > SENT_BEATS_KEPT) this.sentBeats.shift();
    }
    this.opts.broadcast({ ...beat, ...answer }, leaderOnly);
  }

  /**
   * Issue 15: a follower's heartbeat goes to its leader only — the leader counts it (R1), the other
   * followers need it only for their node tables — but one every peerRefreshSpacingMs goes to every peer.
   * Leaders and candidates always broadcast (the election is theirs), and so does a node that follows no
   * leader (none, or a deaf one: L1) or is leaving.
   */
  private leaderOnly(now: number): boolean {
    if (this.election.mode !== 'servant' || this.leaving) return false;
    if (this.leaderId === '' || this.leaderId === this.opts.self.id) return false;
    return now - this.lastFullBroadcastAt < peerRefreshSpacingMs(this.config.time);
  }

  private heartbeat(seenAddress: string, withView: boolean): HeartBeat {
    const beat: HeartBeat = {
      kind: 'heartbeat',
      name: this.opts.self.name,
      flags: this.flags(),
      seenAddress,
      // Floor: a leader dates the answers to this heartbeat from startedAt + uptimeMs, never later than it sent it.
      uptimeMs: Math.max(0, Math.floor(this.opts.clock.now() - this.opts.startedAt)),
      uptimeSinceSeq: this.opts.firstSeq,
      holdMs: this.config.time.master_lease + this.config.time.lease_margin,
      relayedHoldMs: this.longestHeard(this.holds), // only holds heard directly are relayed (one hop)
      ackWindowMs: ackWindowMs(this.config.time.cluster_update_interval),
    };
    if (withView) {
      beat.view = this.opts.leaderView();
      this.rememberLedView(beat.view);
    }
    // Forgotten after an hour without a view naming it (a node deaf for days must not hold elections up forever).
    else if (this.knownMaster.id && this.opts.clock.now() - this.knownMaster.at <= KNOWN_MASTER_MEMORY_MS) {
      beat.knownMasterId = this.knownMaster.id;
      beat.knownMasterName = this.knownMaster.name;
    }
    return beat;
  }

  /** Recompute the leader as seen: self when leading, else the highest-id leader heard recently. */
  /**
   * The leader to follow: the highest id among leaders heard lately (L1 already left out those that cannot hear
   * this node) — **L2**: preferring those whose last view lists a quorum of heard nodes. A leader that hears
   * fewer can never gather a quorum's answers, and following it leaves a third node's quorum short as well: a
   * one-way cut n2 → n1 and a pair cut n1–n3 left n1 leading n4 and n2 leading n3, each one short, with no
   * master until the heal (nemesis seeds 9330959, 9390267). Liveness only: R1 governs every switch.
   */
  private refreshLeader(): void {
    let leader = '';
    if (this.isLeader()) leader = this.opts.self.id;
    else {
      const now = this.opts.clock.now();
      const fresh = electionTimeoutMs(this.config.time);
      const quorum = this.config.cluster.quorum;
      let leaderQuorate = false;
      for (const entry of this.table.all()) {
        if (now - entry.lastLeaderBeat > fresh) continue;
        const quorate = quorum <= 0 || entry.leaderViewHeard >= quorum;
        if ((quorate && !leaderQuorate) || (quorate === leaderQuorate && entry.id > leader)) {
          leader = entry.id;
          leaderQuorate = quorate;
        }
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
