/**
 * Bully leader election (SPEC §2) as a small state machine counted in time
 * (protocol 4's "candidacy: a time", issue 15): servant → candidate once no
 * leader was heard for `standMs` (leader_dead_time, at least 4 heartbeats:
 * electionTimeoutMs in timing-defaults.ts); candidate → leader after
 * `candidacyMs` without hearing a higher id (candidacyMs); a candidate or
 * leader that hears a Leader-flagged heartbeat from a higher id steps down.
 * Ids are unique UUIDs compared as strings, so there are no ties.
 * Non-electors stay servants forever.
 *
 * Time, not ticks, so that a slower heartbeat does not slow the election
 * down with it. A stall of this node is silence it did not hear only because
 * it did not read: the stall guard reports it (`ownStall`) and it counts as
 * one heartbeat interval, as a single tick counted it before. The caller
 * checks the election at every cluster tick and, when `deadline()` comes
 * before the next one, on a timer at the deadline.
 */
import type { ElectionMode, Logger } from '../../plugin-api';

/** Legal mode changes; anything else is a bug. */
const MODE_TRANSITIONS: Readonly<Record<ElectionMode, readonly ElectionMode[]>> = {
  servant: ['candidate'],
  candidate: ['servant', 'leader'],
  leader: ['servant'],
};

/** How long an elector stands and campaigns (changed by a live reload: setTimings). */
export interface ElectionTimings {
  /** Silence (no leader, no higher candidate) before standing. */
  standMs: number;
  /** Time as candidate, without hearing a higher id, before leading. */
  candidacyMs: number;
}

export interface BullyElectionOptions {
  selfId: string;
  elector: boolean;
  timings: ElectionTimings;
  /** Monotonic time when the election starts counting (the node's start). */
  now: number;
  logger: Logger;
  onModeChange(from: ElectionMode, to: ElectionMode, reason: string): void;
}

export class BullyElection {
  private current: ElectionMode = 'servant';
  /** Since when no leader (nor higher candidate) was heard, as counted: own stalls moved it later. */
  private silentSince: number;
  private candidateSince = -Infinity;
  private timings: ElectionTimings;

  constructor(private readonly opts: BullyElectionOptions) {
    this.timings = opts.timings;
    this.silentSince = opts.now;
  }

  /** A live reload changed leader_dead_time or the heartbeat interval. */
  setTimings(timings: ElectionTimings): void {
    this.timings = timings;
  }

  get mode(): ElectionMode {
    return this.current;
  }

  /** When the next change is due if nothing is heard (Infinity when none is: a leader, a non-elector). */
  deadline(): number {
    if (!this.opts.elector) return Infinity;
    switch (this.current) {
      case 'servant': return this.silentSince + this.timings.standMs;
      case 'candidate': return this.candidateSince + this.timings.candidacyMs;
      case 'leader': return Infinity;
      default: {
        const unreachable: never = this.current;
        throw new Error(`unknown election mode ${String(unreachable)}`);
      }
    }
  }

  /** Advance to `now` (a cluster tick, or the timer at the deadline). */
  check(now: number): void {
    if (!this.opts.elector || now < this.deadline()) return;
    switch (this.current) {
      case 'servant':
        this.candidateSince = now;
        this.change('candidate', `no leader heard for ${Math.round(now - this.silentSince)} ms`);
        break;
      case 'candidate':
        this.change('leader', `no higher id heard for ${Math.round(now - this.candidateSince)} ms as candidate`);
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
  heardClaim(id: string, isLeader: boolean, now: number): void {
    const higher = id > this.opts.selfId;
    switch (this.current) {
      case 'servant':
        // A leader of any id keeps a servant quiet (stability); so does a higher candidate.
        if (isLeader || higher) this.silentSince = Math.max(this.silentSince, now);
        break;
      case 'candidate':
      case 'leader':
        if (higher) {
          this.silentSince = now;
          this.change('servant', `heard ${isLeader ? 'leader' : 'candidate'} ${id} with a higher id`);
        }
        break;
      default: {
        const unreachable: never = this.current;
        throw new Error(`unknown election mode ${String(unreachable)}`);
      }
    }
  }

  /** The followed leader announced it is leaving: stand now instead of after `standMs` of silence. */
  leaderLeft(now: number): void {
    if (this.current === 'servant') this.silentSince = Math.min(this.silentSince, now - this.timings.standMs);
  }

  /**
   * This node did not run for `uncountedMs` (a stall the guard found, less the one interval it counts as):
   * whatever it did not hear then it did not read, so that time is not the leader's silence, nor time a
   * higher candidate had to be heard.
   */
  ownStall(uncountedMs: number, now: number): void {
    if (uncountedMs <= 0) return;
    this.silentSince = Math.min(now, this.silentSince + uncountedMs);
    if (this.current === 'candidate') this.candidateSince = Math.min(now, this.candidateSince + uncountedMs);
  }

  /** A servant counts silence from `now` at the earliest (the node began to listen; a leader was heard before it took part). */
  restartSilence(now: number): void {
    if (this.current === 'servant') this.silentSince = Math.max(this.silentSince, now);
  }

  /** Leave leader/candidate mode for a reason of the node's own (stall, shutdown). */
  stepDown(reason: string, now: number): void {
    if (this.current === 'servant') return;
    this.silentSince = now;
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
