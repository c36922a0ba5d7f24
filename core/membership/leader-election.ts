/**
 * Bully leader election (SPEC §2) as a small state machine over cluster
 * ticks. servant → candidate when no leader was heard for `standTicks` ticks
 * (leader_dead_time, counted in ticks: standingTicks in timing-defaults.ts);
 * candidate → leader after surviving `candidateTicks` ticks; a candidate or leader
 * that hears a Leader-flagged heartbeat from a higher id steps down. Ids are
 * unique UUIDs compared as strings, so there are no ties. Non-electors stay
 * servants forever.
 */
import type { ElectionMode, Logger } from '../../plugin-api';

/** Legal mode changes; anything else is a bug. */
const MODE_TRANSITIONS: Readonly<Record<ElectionMode, readonly ElectionMode[]>> = {
  servant: ['candidate'],
  candidate: ['servant', 'leader'],
  leader: ['servant'],
};

export interface BullyElectionOptions {
  selfId: string;
  elector: boolean;
  /** Ticks without a leader before standing (changed by a live reload: setStandTicks). */
  standTicks: number;
  /** Ticks a candidate waits before leading. */
  candidateTicks: number;
  logger: Logger;
  onModeChange(from: ElectionMode, to: ElectionMode, reason: string): void;
}

export class BullyElection {
  private current: ElectionMode = 'servant';
  private ticksWithoutLeader = 0;
  private candidateTicks = 0;
  private standTicks: number;

  constructor(private readonly opts: BullyElectionOptions) {
    this.standTicks = opts.standTicks;
  }

  /** A live reload changed leader_dead_time or the heartbeat interval. */
  setStandTicks(ticks: number): void {
    this.standTicks = ticks;
  }

  get mode(): ElectionMode {
    return this.current;
  }

  /** One cluster tick. */
  tick(): void {
    if (!this.opts.elector) return;
    switch (this.current) {
      case 'servant':
        this.ticksWithoutLeader++;
        if (this.ticksWithoutLeader >= this.standTicks) {
          this.candidateTicks = 0;
          this.change('candidate', `no leader heard for ${this.ticksWithoutLeader} ticks`);
        }
        break;
      case 'candidate':
        this.candidateTicks++;
        if (this.candidateTicks >= this.opts.candidateTicks) this.change('leader', `no higher id heard for ${this.candidateTicks} ticks as candidate`);
        break;
      case 'leader':
        break;
      default: {
        const unreachable: never = this.current;
        throw new Error(`unknown election mode ${String(unreachable)}`);
      }
    }
  }

  /**
   * A heartbeat carrying the Leader flag from `id`; `isLeader` when it also
   * carries a cluster view (a leader, not a candidate).
   */
  heardClaim(id: string, isLeader: boolean): void {
    const higher = id > this.opts.selfId;
    switch (this.current) {
      case 'servant':
        // A leader of any id keeps a servant quiet (stability); so does a higher candidate.
        if (isLeader || higher) this.ticksWithoutLeader = 0;
        break;
      case 'candidate':
      case 'leader':
        if (higher) {
          this.ticksWithoutLeader = 0;
          this.change('servant', `heard ${isLeader ? 'leader' : 'candidate'} ${id} with a higher id`);
        }
        break;
      default: {
        const unreachable: never = this.current;
        throw new Error(`unknown election mode ${String(unreachable)}`);
      }
    }
  }

  /** The followed leader announced it is leaving: stand at the next tick instead of waiting `standTicks` ticks. */
  leaderLeft(): void {
    if (this.current === 'servant') this.ticksWithoutLeader = Math.max(this.ticksWithoutLeader, this.standTicks - 1);
  }

  /** Leave leader/candidate mode for a reason of the node's own (stall, shutdown). */
  stepDown(reason: string): void {
    if (this.current === 'servant') return;
    this.ticksWithoutLeader = 0;
    this.change('servant', reason);
  }

  private change(to: ElectionMode, reason: string): void {
    const from = this.current;
    if (!MODE_TRANSITIONS[from].includes(to)) throw new Error(`illegal election transition ${from} -> ${to}`);
    this.current = to;
    this.opts.logger.info({ from, to, reason }, `Transition[${from} -> ${to}]: ${reason}`);
    this.opts.onModeChange(from, to, reason);
  }
}
