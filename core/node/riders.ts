/**
 * Riders (protocol 3, docs/wire.md "Riders"): messages that go with a
 * heartbeat instead of in datagrams of their own. The heartbeat goes to
 * every peer anyway, every cluster_update_interval, and a datagram costs
 * about as much CPU to send or receive as koi's handling of it
 * (docs/performance.md "Idle CPU floor"), so:
 * - the leader's elector tick runs inside a cluster tick, right before its
 *   heartbeat, and that heartbeat carries the tick's state updates (lease
 *   renewals included), each for one runner;
 * - a runner's tick runs inside a cluster tick too, right before its
 *   heartbeat, and its periodic health report rides on that heartbeat (or,
 *   when the heartbeat went less than an interval ago as an answer to the
 *   leader, on the next one), built when that heartbeat is sent.
 * A rider is built in the same synchronous turn as the heartbeat it rides
 * on, so it says what a datagram of its own sent at that instant would say:
 * a grant is recorded when it leaves (R3), a report is never older than the
 * one before it. What cannot ride goes on its own as before: an update for
 * a runner the broadcast does not reach, anything made outside a cluster
 * tick (a report on a transition, the tick the leader runs on a report),
 * and riders that would make the heartbeat too large for one datagram.
 */
import type { HealthReport, HeartBeat, StateUpdate } from '../../plugin-api';

/** A state update waiting for the heartbeat of this cluster tick. */
export interface PendingUpdate {
  runnerId: string;
  address: string;
  update: StateUpdate;
}

/** What a heartbeat can carry and where the rest goes. */
export interface RiderTargets {
  /** The peer `address` receives this node's broadcasts (a configured destination). */
  reachedByBroadcast(address: string): boolean;
  /** The leader this node follows and where it was heard ('' for none or self). */
  leader(): { id: string; address: string };
  /** A health report built now (and recorded as the latest reported), or null when there is no runner. */
  freshReport(leaderId: string): HealthReport | null;
}

export class HeartbeatRiders {
  /** State updates made during the current cluster tick (null outside one: they go at once). */
  private pending: PendingUpdate[] | null = null;
  /** A periodic health report is owed: the next heartbeat carries one. */
  private healthDue = false;

  constructor(private readonly targets: RiderTargets) {}

  /**
   * Run one cluster tick with state updates held for its heartbeat;
   * returns those no heartbeat took (to be sent on their own).
   */
  collect(tick: () => void): PendingUpdate[] {
    this.pending = [];
    let left: PendingUpdate[];
    try {
      tick();
    } finally {
      // Left over: no heartbeat went this tick (one went less than an interval ago), or it had no room.
      left = this.pending ?? [];
      this.pending = null;
    }
    return left;
  }

  /** The elector made a state update: true when it waits for this tick's heartbeat. */
  hold(update: PendingUpdate): boolean {
    if (this.pending === null || !this.targets.reachedByBroadcast(update.address)) return false;
    this.pending.push(update);
    return true;
  }

  /** State updates wait for this tick's heartbeat (it must then go to every peer). */
  holdsUpdates(): boolean {
    return (this.pending?.length ?? 0) > 0;
  }

  /** The runner's periodic report: true when it will ride on the next heartbeat instead of going now. */
  deferReport(): boolean {
    const leader = this.targets.leader();
    if (!leader.id || !leader.address || !this.targets.reachedByBroadcast(leader.address)) return false;
    this.healthDue = true;
    return true;
  }

  /** Drop the state updates held for this tick's heartbeat (how many): their elector stopped leading, or decided before a stall. */
  discardHeld(): number {
    const n = this.pending?.length ?? 0;
    if (this.pending) this.pending = [];
    return n;
  }

  /** A report went on its own (a transition): the periodic one is not owed any more. */
  reportSent(): void {
    this.healthDue = false;
  }

  /** The heartbeat about to be broadcast, with what rides on it (taken: each rider goes once). */
  board(beat: HeartBeat): { beat: HeartBeat; updates: PendingUpdate[] } {
    const updates = this.pending ?? [];
    if (this.pending) this.pending = [];
    const riding: HeartBeat = { ...beat };
    if (updates.length > 0) riding.stateUpdates = updates.map((u) => ({ runnerId: u.runnerId, update: u.update }));
    if (this.healthDue) {
      const leader = this.targets.leader();
      const report = leader.id && leader.address ? this.targets.freshReport(leader.id) : null;
      if (report) riding.health = { leaderId: leader.id, report };
      this.healthDue = false;
    }
    return { beat: riding, updates };
  }
}

/**
 * When a periodic tick that rides on cluster ticks runs (the leader's
 * elector tick, a runner's tick), counted in cluster ticks: on the first
 * cluster tick nearest its due time, so the average interval stays
 * `interval` and what the tick sends rides on that cluster tick's heartbeat
 * — and the event loop wakes once for both (docs/performance.md "Wake-ups,
 * not only datagrams"). Intervals shorter than a cluster tick keep a timer
 * of their own (then updates go on their own).
 */
export class TickSchedule {
  private due = -Infinity;

  /** A tick of this interval runs inside cluster ticks of that one. */
  static ridesClusterTick(intervalMs: number, clusterIntervalMs: number): boolean {
    return intervalMs >= clusterIntervalMs;
  }

  /** (Re)started: the first tick one interval from now (as a timer started now would), or at the next cluster tick. */
  restart(now: number, intervalMs: number, atNextClusterTick = false): void {
    this.due = atNextClusterTick ? now : now + intervalMs;
  }

  /** Called every cluster tick: whether the tick runs now. */
  tickNow(now: number, intervalMs: number, clusterIntervalMs: number): boolean {
    if (now < this.due - clusterIntervalMs / 2) return false;
    this.due += intervalMs;
    // After a stall, do not tick to catch up: one tick now, the next an interval later.
    if (this.due < now) this.due = now + intervalMs;
    return true;
  }
}
