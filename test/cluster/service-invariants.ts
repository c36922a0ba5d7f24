/**
 * The nemesis' invariants, judged from what the services did (the
 * SimExecutor's promoted intervals, promote-script start … demote/stop-script
 * end, in shared virtual time), never from a flag the daemon sets:
 *
 * - **No overlap.** Two nodes' promoted intervals of one service never
 *   overlap. Every node counts, paused, VM-paused and crashed ones included.
 *   An overlap is classified when the second promote starts:
 *   - fencing configured: always a violation (`two-promoted`);
 *   - the old holder was frozen (SIGSTOP or VM pause): `frozen` — allowed,
 *     but its services must be undone within `frozenBoundMs` of its resume
 *     (its demote begins at its first event: the scripts of each promoted
 *     service, demote after a promote it may have been frozen in), else
 *     `frozen-overlap-too-long`;
 *   - the old holder's daemon had crashed with services left promoted:
 *     `crash` — allowed (nothing can undo them but fencing or the restart),
 *     but after its restart they must be undone within `crashBoundMs`,
 *     else `crash-leftover`;
 *   - quorum off (or not a strict majority): `split` (documented
 *     behaviour without quorum, no bound);
 *   - anything else: `two-promoted`.
 *   Allowed overlaps are reported with their length, not as violations.
 * - **Liveness.** See livenessBoundMs.
 * - **No flapping.** A node whose services are all promoted, linked both
 *   ways to a leader that is linked both ways to a quorum, running, without
 *   clock faults, for `flapWindowMs` without an operator or service fault in
 *   the cluster meanwhile, never begins to demote while no other node holds
 *   promoted services.
 */
import type { KoiConfig } from '../../plugin-api';
import { ELECTION_LIMIT_TICKS, electionMs } from '../../core/config/timing-defaults';
import { ackWindowMs, freshReadRetryMs, switchGapMs } from '../../core/config/safety-bounds';
import type { Violation, ViolationKind } from './invariants';
import type { PromotedInterval, SimDurations } from './sim-executor';

export type NodeLife = 'new' | 'running' | 'paused' | 'frozen' | 'dead' | 'stopped' | 'off';

export interface ProbeNode {
  name: string;
  life: NodeLife;
  elector: boolean;
  /** A runner that could be master now: running, runner started, not Failed, no service failing. */
  healthyRunner: boolean;
  isLeader: boolean;
  /** Services whose promoted interval is open. */
  open: string[];
  /** Every service promoted (the scripts finished). */
  allPromoted: boolean;
  /** A rate, skew or step fault was ever applied to its clock. */
  clockFault: boolean;
  /** One of its services is made to fail now (its own failure demotes it: no flap). */
  serviceFault: boolean;
  /** It follows cluster maintenance: no script runs there, demotes are only presumed (operator's responsibility). */
  maintenance?: boolean;
}

export interface ClusterProbe {
  now: number;
  nodes: ProbeNode[];
  connected(a: string, b: string): boolean;
  /** Random loss or an operator/service fault makes liveness and flapping unjudgeable right now. */
  disturbed: boolean;
  /** Last operator or service action (maintenance, manual promote/demote, failing service, runner stop...). */
  lastAdminAction: number;
  /** A `koi promote` target the leader switches to once it is electable ('' when none): that switch is the operator's. */
  pendingPromote?: string;
  /** Last change of the links or of a node's life (the liveness bound runs afresh from it). */
  lastCut?: number;
  /**
   * A one-way cut is in force: a node may follow a leader that cannot hear it (the higher id wins), so
   * a master linked both ways to its own leader may still lose that leader's quorum — no flap judged.
   */
  oneWayCuts?: boolean;
}

export type OverlapCategory = 'frozen' | 'crash' | 'split' | 'demoting' | 'maintenance' | 'violation';

export interface Overlap {
  service: string;
  /** The node that held the service / the node that promoted it meanwhile. */
  holder: string;
  promoter: string;
  category: OverlapCategory;
  start: number;
  end: number | null;
  /** The holder's life when the second promote began. */
  holderLife: NodeLife;
}

export interface ServiceBounds {
  quorum: number;
  /** Quorum is a strict majority of the configured nodes. */
  majority: boolean;
  fencing: boolean;
  frozenBoundMs: number;
  /** Extra time for a frozen holder's first demote when a promote script of it was still running at the resume. */
  frozenDemoteStartMs: number;
  /** Quorum off: a resumed holder demotes when the leader's next state update names another (elector tick + 2 heartbeats). */
  quorumOffFirstDemoteMs: number;
  /** The longest cluster_update_interval of any node, with drift: the longest a node waits for its next timer. */
  clusterTickMs?: number;
  /**
   * A VM pause the wall clock hid: neither of the node's clocks shows it, and it demotes when a peer's first
   * heartbeat sent after it tells it (docs/safety.md R6) or, cut off, when its lease runs out on its own clock,
   * which goes on where it stood: at most master_lease, its expiry timer up to S late, and a tick.
   */
  hiddenPauseTellMs?: number;
  /**
   * Quorum off: a koinode that (re)started and never saw a master waits initial_promotion_delay for
   * every peer (docs/safety.md "initial_promotion_delay"); 0 with quorum on.
   */
  quorumOffStartDelayMs?: number;
  crashBoundMs: number;
  /** A node's whole demote chain (every service, in order) from its first demote start. */
  demoteChainBoundMs: number;
  livenessBoundMs: number;
  flapWindowMs: number;
  /** Liveness and flapping are checked (random schedules; scenario tests drive admin commands themselves). */
  checkLiveness: boolean;
}

/**
 * Liveness bound B: once a set of running nodes, none paused anywhere in the
 * cluster, is linked pairwise both ways, holds a majority of the electors
 * and a quorum of nodes and a healthy runner, and no operator action or
 * service fault happened, some node has every service promoted within
 *
 *   B = ( leader_dead_time + candidacy           election: the leader's silence, then the candidacy (2·I + S)
 *       + W + δ + F₁                               R1: a follower answers a new leader only after this gap (switchGapMs)
 *       + master_dead_time                         an old master outside the set is dropped as Disconnected
 *       + W + master_lease + lease_margin          the leader waits out leases another leader granted (W = ack window)
 *       + elector_startup_tolerance                a new leader lets runners report first
 *       + elector_tick + runner_tick               the next election tick, after the chosen runner's report
 *       + services × (promote + demote + other)    a demote still running in the set, then the promote scripts
 *       + services × freshReadRetryMs              each promote's wait for its witnesses (fresh-read.ts; one retry)
 *       ) × (1 + drift) + 500 ms                   clock rate bound, scheduling slack
 *
 * with each timing the largest any node uses (live reloads). The lead can
 * change this one function. A cluster that never had a master is exempt
 * (cold start is bounded by initial_promotion_delay, checked by the settle).
 */
export function livenessBoundMs(t: KoiConfig['time'], d: SimDurations, services: number, drift: number): number {
  const W = ackWindowMs(t.cluster_update_interval);
  const election = electionMs(t);
  const leaseWait = W + t.master_lease + t.lease_margin;
  const switchGap = switchGapMs(W, t.cluster_update_interval); // R1 (membership.ts switchGapEnd)
  const ticks = t.elector_tick_interval + t.runner_tick_interval;
  const scripts = services * (d.promoteMs + d.demoteMs + d.otherMs);
  const witnesses = services * freshReadRetryMs(t.cluster_update_interval);
  return Math.ceil((election + switchGap + t.master_dead_time + leaseWait + t.elector_startup_tolerance + ticks + scripts + witnesses) * (1 + drift) + 500);
}

/**
 * After a frozen holder resumes, its first demote script begins at its first
 * event (the resume instant: timers that fell due and buffered datagrams run
 * then): within FIRST_EVENT_MS, or `services × promote + 1 ms` when a promote
 * script was still running at the resume;
 * and its promoted intervals end within `services × (promote + demote) + 100 ms`.
 */
/** The first event after a resume happens at the resume instant; a few ms of slack for promise chains. */
export const FIRST_EVENT_MS = 5;

/** A holder frozen in a promote or demote chain finishes the script it was in (and the chain ahead of a demote) first. */
export function frozenDemoteStartMs(d: SimDurations, services: number, drift: number): number {
  return Math.ceil((services * Math.max(d.promoteMs, d.demoteMs) + d.otherMs) * (1 + drift) + 1);
}

export function frozenBoundMs(d: SimDurations, services: number, drift: number): number {
  // A status check (other) may run between two demotes of the chain.
  return Math.ceil(services * (d.promoteMs + d.demoteMs + d.otherMs) * (1 + drift) + 100);
}

/** After a crashed holder restarts: it finds what it left promoted (status) and demotes/stops it before taking part. */
export function crashBoundMs(d: SimDurations, services: number, drift: number, intervalMs: number): number {
  // A restarted runner first listens ELECTION_LIMIT_TICKS heartbeats for a leader's view (maintenance mode: node.ts
  // start) — 200 ms at the defaults, which the 1000 ms of slack this bound had held; 1.6 s at a 400 ms heartbeat.
  const listen = ELECTION_LIMIT_TICKS * intervalMs;
  return Math.ceil((listen + services * (2 * d.otherMs + d.demoteMs) + 800) * (1 + drift));
}

/** A node's demote chain: each service's demote in turn (a running status check may delay each by one), plus slack. */
export function demoteChainBoundMs(d: SimDurations, services: number, drift: number): number {
  return Math.ceil((services * (d.otherMs + d.demoteMs) + 500) * (1 + drift));
}

export class ServiceInvariants {
  readonly violations: Violation[] = [];
  readonly overlaps: Overlap[] = [];
  /** Time each node last came back (resume, thaw, restart), for the overlap bounds. */
  private readonly returnedAt = new Map<string, { at: number; how: 'resume' | 'restart'; promoting: boolean; vm?: boolean; hidden?: boolean }>();
  /** First demote/stop script start of each node since it last came back. */
  private readonly firstDemote = new Map<string, number>();
  /** Nodes following maintenance now, and when each last left it. */
  private readonly inMaintenance = new Set<string>();
  private readonly maintenanceEnded = new Map<string, number>();
  /** When each node stood still (SIGSTOP, VM pause): a demote chain it was in takes that much longer. */
  private readonly pauses = new Map<string, Array<{ from: number; to: number | null }>>();
  private livenessSince: number | null = null;
  private livenessReported = false;
  private readonly healthySince = new Map<string, number>();
  private everPromoted = false;
  private readonly late = new Set<Overlap>();
  /** Services each restarted node's previous incarnation left promoted, until their interval ends. */
  private readonly leftovers = new Map<string, Set<string>>();
  /** Last restart of each node: a crash overlap is bounded from it, whatever pause came later. */
  private readonly restartedAt = new Map<string, number>();
  /** Start of each node's latest promote script, and of its first demote script after it. */
  private readonly lastPromoteBegan = new Map<string, number>();
  private readonly lastDemoteBegan = new Map<string, number>();

  constructor(private readonly bounds: ServiceBounds, private readonly add: (v: Violation) => void) {}

  /**
   * `promoting`: a promote or demote script of the node was still running when it came back (its
   * demotes follow that script, in order). `leftovers`: on a
   * restart, the services a previous incarnation left promoted (overlaps with them stay `crash` until
   * the new incarnation's start-up sweep ends them, within crashBoundMs).
   */
  /** `node` began a demote chain after its last promote (it goes on with it after a resume). */
  demoteChainUnderway(node: string): boolean {
    return (this.lastDemoteBegan.get(node) ?? -Infinity) > (this.lastPromoteBegan.get(node) ?? -Infinity);
  }

  /** The node was paused or VM-paused at `at` (its scripts and its daemon stand still until `returned`). */
  stopped(node: string, at: number): void {
    const list = this.pauses.get(node) ?? [];
    list.push({ from: at, to: null });
    this.pauses.set(node, list);
  }

  /** How long `node` stood still (paused, frozen) between `since` and `now`. */
  private stoodStill(node: string, since: number, now: number): number {
    let total = 0;
    for (const p of this.pauses.get(node) ?? []) total += Math.max(0, Math.min(p.to ?? now, now) - Math.max(p.from, since));
    return total;
  }

  returned(node: string, at: number, how: 'resume' | 'restart', promoting = false, leftovers: string[] = [], vm = false, hidden = false): void {
    const open = this.pauses.get(node)?.find((p) => p.to === null);
    if (open) open.to = at;
    this.returnedAt.set(node, { at, how, promoting, vm, hidden });
    this.firstDemote.delete(node);
    // Frozen in the middle of a demote chain: it goes on with it at its first event.
    if (how === 'resume' && this.demoteChainUnderway(node)) this.firstDemote.set(node, at);
    if (how === 'restart') {
      this.leftovers.set(node, new Set(leftovers));
      this.restartedAt.set(node, at);
    }
  }

  promoteStart(probe: ClusterProbe, promoter: string, service: string, at: number): void {
    const chainBegan = this.promoteChainBegan(promoter, at);
    this.lastPromoteBegan.set(promoter, at);
    for (const holder of probe.nodes) {
      if (holder.name === promoter || !holder.open.includes(service)) continue;
      const category = this.leftovers.get(holder.name)?.has(service) ? 'crash' : this.classify(probe, holder, promoter, chainBegan, at);
      const overlap: Overlap = { service, holder: holder.name, promoter, category, start: at, end: null, holderLife: holder.life };
      this.overlaps.push(overlap);
      if (category === 'violation') {
        this.violation(at, 'two-promoted', `${promoter} began to promote ${service} while ${holder.name} (${holder.life}) had it promoted${this.bounds.fencing ? ' (fencing configured)' : ''}`);
      }
    }
  }

  promotedEnd(node: string, service: string, interval: PromotedInterval): void {
    if (!this.everPromoted && interval.end > interval.start) this.everPromoted = true;
    this.leftovers.get(node)?.delete(service);
    for (const o of this.overlaps) {
      if (o.end === null && o.service === service && (o.holder === node || o.promoter === node)) o.end = interval.end;
    }
  }

  demoteStart(probe: ClusterProbe, node: string, service: string, at: number): void {
    if (!this.firstDemote.has(node)) this.firstDemote.set(node, at);
    const chain = this.lastDemoteBegan.get(node) ?? -Infinity;
    // A chain whose demotes were only presumed in maintenance starts again with the first real demote after it.
    if (chain <= (this.lastPromoteBegan.get(node) ?? -Infinity) || chain < (this.maintenanceEnded.get(node) ?? -Infinity)) this.lastDemoteBegan.set(node, at);
    if (!this.bounds.checkLiveness || !this.bounds.majority) return;
    const since = this.healthySince.get(node);
    if (since === undefined || at - since < this.bounds.flapWindowMs || at - probe.lastAdminAction < this.bounds.flapWindowMs) return;
    if (probe.nodes.some((n) => (n.name !== node && n.open.length > 0) || (n.name === node && n.serviceFault))) return;
    if (probe.pendingPromote && probe.pendingPromote !== node) return;
    this.violation(at, 'flap', `${node} began to demote ${service}, healthy (linked both ways to a quorate leader, no fault) for ${Math.round(at - since)} ms`);
  }

  /** After every step. */
  check(probe: ClusterProbe): void {
    for (const n of probe.nodes) {
      if (n.maintenance) this.inMaintenance.add(n.name);
      else if (this.inMaintenance.delete(n.name)) this.maintenanceEnded.set(n.name, probe.now);
    }
    if (probe.nodes.some((n) => n.allPromoted)) this.everPromoted = true;
    this.checkOverlapBounds(probe);
    if (!this.bounds.checkLiveness) return;
    this.checkLiveness(probe);
    this.trackHealth(probe);
  }

  /** When the promoter's current promote chain began: its previous promote when that one is at most a chain's length ago. */
  private promoteChainBegan(promoter: string, at: number): number {
    const previous = this.lastPromoteBegan.get(promoter);
    return previous !== undefined && at - previous <= this.bounds.frozenDemoteStartMs ? previous : at;
  }

  /**
   * A holder that resumed from a freeze moments ago, into a promote chain the promoter began while it was frozen:
   * the overlap is the freeze's (bounded from the resume like any frozen one), not a new one — the holder has not
   * had its first event yet, and the leader granted the promotion while it was silent (seed 9460663: the second
   * service's promote began 8 ms after the resume).
   */
  private resumedInto(holder: ProbeNode, chainBegan: number, at: number): boolean {
    if (holder.life !== 'running') return false;
    const back = this.returnedAt.get(holder.name);
    if (!back || back.how !== 'resume' || chainBegan >= back.at) return false;
    const first = back.vm ? FIRST_EVENT_MS + (this.bounds.clusterTickMs ?? 0) : FIRST_EVENT_MS;
    return at - back.at <= first + this.bounds.frozenDemoteStartMs;
  }

  private classify(probe: ClusterProbe, holder: ProbeNode, promoter: string, chainBegan: number, at: number): OverlapCategory {
    // Without a majority quorum nothing rules two masters out (SPEC §3), not even after a pause or with
    // fencing (a side that never knew the other's master has nothing to fence): a partition, a pause, or
    // the moment either ends may overlap; the holder demotes when it hears the leader name another runner.
    if (!this.bounds.majority) return 'split';
    // SPEC §6: in maintenance no script runs and every event is presumed: a holder cut off in maintenance
    // keeps what it had promoted whatever its lease says (maintenance switched off on the other side).
    if (holder.maintenance) return 'maintenance';
    if (this.bounds.fencing) return 'violation';
    if (holder.life === 'paused' || holder.life === 'frozen') return 'frozen';
    if (this.resumedInto(holder, chainBegan, at)) return 'frozen';
    // SPEC §3 / docs/safety.md: the old master *began* to demote before the new one began to promote,
    // and its demote chain is still running (a cut-off master cannot be seen finishing it; the leader
    // waits for the end only when it hears the master, R7). Bounded: checkOverlapBounds.
    const demoting = this.lastDemoteBegan.get(holder.name);
    if (holder.life === 'running' && demoting !== undefined && demoting > (this.lastPromoteBegan.get(holder.name) ?? -Infinity)) return 'demoting';
    if (holder.life === 'dead' || holder.life === 'stopped') return 'crash';
    // Without a majority quorum nothing rules two masters out (SPEC §3): a partition, or the moment it
    // heals and the higher leader's choice reaches the other side's master, may overlap.
    if (!this.bounds.majority) return 'split';
    return 'violation';
  }

  private checkOverlapBounds(probe: ClusterProbe): void {
    for (const o of this.overlaps) {
      if (o.end === null && o.category === 'demoting' && !this.late.has(o)) {
        // The holder crashed in its demote chain: its restart's start-up sweep finishes the job (crash bound).
        const holderLife = probe.nodes.find((n) => n.name === o.holder)?.life;
        if (holderLife === 'dead' || holderLife === 'stopped' || holderLife === 'off') continue;
        const restart = this.restartedAt.get(o.holder);
        if (restart !== undefined && restart > o.start) {
          if (probe.now - this.sweptFrom(o.holder, restart) > this.bounds.crashBoundMs) {
            this.late.add(o);
            this.violation(probe.now, 'crash-leftover', `${o.holder} still has ${o.service} promoted ${Math.round(probe.now - restart)} ms after its restart (bound ${this.bounds.crashBoundMs} ms; it crashed while demoting); ${o.promoter} promoted it at ${Math.round(o.start)}`);
          }
          continue;
        }
        const began = this.lastDemoteBegan.get(o.holder) ?? o.start;
        // The holder became master again before its chain reached this service (a leader named it anew):
        // the roles swap, and SPEC §3 asks that the promoter had begun to demote before that.
        const again = this.lastPromoteBegan.get(o.holder) ?? -Infinity;
        if (again > began) {
          this.judgeSwap(o, again, probe);
          continue;
        }
        if (probe.now - began - this.stoodStill(o.holder, began, probe.now) > this.bounds.demoteChainBoundMs) {
          this.late.add(o);
          this.violation(probe.now, 'two-promoted', `${o.holder} still has ${o.service} promoted ${Math.round(probe.now - began)} ms after it began to demote (bound ${this.bounds.demoteChainBoundMs} ms); ${o.promoter} promoted it at ${Math.round(o.start)}`);
        }
        continue;
      }
      if (o.end !== null || this.late.has(o) || (o.category !== 'frozen' && o.category !== 'crash')) continue;
      // The holder came back into maintenance (a view it missed while stopped, or cut off from the
      // operator's "off"): its demote is only presumed from then on, the operator's responsibility.
      if (probe.nodes.some((n) => n.name === o.holder && n.maintenance)) {
        o.category = 'maintenance';
        continue;
      }
      let back = this.returnedAt.get(o.holder);
      // A frozen holder that crashed after its resume (in its demote chain) is a crash from then on.
      const lifeNow = probe.nodes.find((n) => n.name === o.holder)?.life;
      if (o.category === 'frozen' && (lifeNow === 'dead' || lifeNow === 'stopped' || lifeNow === 'off')) continue;
      if (o.category === 'frozen' && back?.how === 'restart' && back.at > o.start) {
        o.category = 'crash';
        continue;
      }
      // A frozen holder back and named master again (it kept the service through a demote chain cut short)
      // while the promoter, frozen or cut off in turn, lost its lease: the roles swap, as for a demoting holder
      // (seed 9651087: the resumed holder kept the service past its frozen bound as the rightful master while
      // the promoter's own demote chain ran).
      const again = this.lastPromoteBegan.get(o.holder) ?? -Infinity;
      if (o.category === 'frozen' && back?.how === 'resume' && back.at > o.start && again > back.at) {
        this.judgeSwap(o, again, probe);
        continue;
      }
      if (o.category === 'crash') {
        // Bounded from the holder's restart: the one after the overlap began when it was dead then,
        // else the one whose start-up sweep is still undoing the leftover.
        const restart = this.restartedAt.get(o.holder);
        const deadThen = o.holderLife !== 'running';
        if (restart === undefined || (deadThen && restart < o.start)) continue;
        back = { at: this.sweptFrom(o.holder, restart), how: 'restart', promoting: false };
      } else if (!back || back.at < o.start) continue;
      if (back.how === 'resume') {
        // The first thing a frozen holder does on resume is to demote (after a promote script it was frozen in).
        const began = this.firstDemote.get(o.holder);
        // Without quorum there is no lease: it demotes when it hears the leader name another runner.
        // After a VM pause with nothing in its socket buffer (cut off), the first event is its next timer:
        // timers on the frozen monotonic clock run out their remaining time (at most one cluster tick).
        const first = (!this.bounds.majority ? this.bounds.quorumOffFirstDemoteMs
          : back.vm ? FIRST_EVENT_MS + (this.bounds.clusterTickMs ?? 0) : FIRST_EVENT_MS) + this.hiddenTell(back);
        const allowed = first + (back.promoting ? this.bounds.frozenDemoteStartMs : 0);
        const limit = back.at + allowed;
        if ((began !== undefined && began > limit) || (began === undefined && probe.now > limit)) {
          this.late.add(o);
          this.violation(probe.now, 'frozen-overlap-too-long', `${o.holder} did not begin to demote at its first event after its resume at ${Math.round(back.at)} (${began === undefined ? 'not yet' : `began at ${Math.round(began)}`}, bound ${allowed} ms) while ${o.promoter} had promoted ${o.service} at ${Math.round(o.start)}`);
          continue;
        }
      }
      const bound = back.how === 'resume' ? this.bounds.frozenBoundMs + this.hiddenTell(back) : this.bounds.crashBoundMs;
      if (probe.now - back.at - this.stoodStill(o.holder, back.at, probe.now) <= bound) continue;
      this.late.add(o);
      const kind: ViolationKind = back.how === 'resume' ? 'frozen-overlap-too-long' : 'crash-leftover';
      this.violation(probe.now, kind, `${o.holder} still has ${o.service} promoted ${Math.round(probe.now - back.at)} ms after its ${back.how} (bound ${bound} ms); ${o.promoter} promoted it at ${o.start}`);
    }
  }

  /**
   * The holder of an overlap began to promote again at `again` (a leader named it anew): from then on the
   * promoter is the one to give the service up. SPEC §3 asks that it had begun to demote before that, and its
   * chain is bounded like any demote chain. A promoter that crashed (or was stopped) holding the service cannot
   * demote it: from the holder's new mastership on, the overlap is the promoter's crash leftover, bounded from
   * its restart like any other (seed 9320858 of the medium profile: the holder kept the service, its demote
   * chain cut short).
   */
  private judgeSwap(o: Overlap, again: number, probe: ClusterProbe): void {
    const promoterLife = probe.nodes.find((n) => n.name === o.promoter)?.life;
    if (promoterLife === 'dead' || promoterLife === 'stopped' || promoterLife === 'off') {
      o.end = again;
      this.overlaps.push({ service: o.service, holder: o.promoter, promoter: o.holder, category: 'crash', start: again, end: null, holderLife: promoterLife });
      return;
    }
    const promoterDemote = this.lastDemoteBegan.get(o.promoter) ?? -Infinity;
    if (!(promoterDemote > (this.lastPromoteBegan.get(o.promoter) ?? -Infinity) && promoterDemote <= again)) {
      this.late.add(o);
      this.violation(probe.now, 'two-promoted', `${o.holder} began to promote again at ${Math.round(again)} while ${o.promoter} had ${o.service} promoted and had not begun to demote`);
    } else if (probe.now - promoterDemote - this.stoodStill(o.promoter, promoterDemote, probe.now) > this.bounds.demoteChainBoundMs) {
      this.late.add(o);
      this.violation(probe.now, 'two-promoted', `${o.promoter} still has ${o.service} promoted ${Math.round(probe.now - promoterDemote)} ms after it began to demote (bound ${this.bounds.demoteChainBoundMs} ms); ${o.holder} is master again since ${Math.round(again)}`);
    }
  }

  /** What a resume from a hidden VM pause may take before the pause is told (ServiceBounds.hiddenPauseTellMs). */
  private hiddenTell(back: { hidden?: boolean }): number {
    return back.hidden ? this.bounds.hiddenPauseTellMs ?? 0 : 0;
  }

  /**
   * When a restarted node's start-up sweep could begin: at the restart, or — if it followed maintenance after
   * it — when it left maintenance: a node that starts in maintenance runs no script, the sweep included, and
   * checks every service when maintenance ends (docs/services.md; docs/safety.md "The other cases of issue 10").
   */
  private sweptFrom(node: string, restart: number): number {
    const ended = this.maintenanceEnded.get(node);
    return ended !== undefined && ended > restart ? ended : restart;
  }

  /** Some set of running nodes, linked pairwise both ways, with a quorum, a majority of electors and a healthy runner. */
  private quorateSet(probe: ClusterProbe): boolean {
    const running = probe.nodes.filter((n) => n.life === 'running');
    const electors = probe.nodes.filter((n) => n.elector).length;
    const need = Math.max(this.bounds.quorum, 1);
    for (let mask = 1; mask < 1 << running.length; mask++) {
      const set = running.filter((_, i) => mask & (1 << i));
      if (set.length < need || set.filter((n) => n.elector).length * 2 <= electors || !set.some((n) => n.healthyRunner)) continue;
      if (set.every((a) => set.every((b) => probe.connected(a.name, b.name)))) return true;
    }
    return false;
  }

  private checkLiveness(probe: ClusterProbe): void {
    const paused = probe.nodes.some((n) => n.life === 'paused' || n.life === 'frozen');
    // An episode starts when the condition begins to hold with nothing promoted; a promoted master ends it.
    const promoted = probe.nodes.some((n) => n.allPromoted);
    const holds = this.everPromoted && !promoted && !paused && !probe.disturbed && this.quorateSet(probe);
    if (!holds) {
      this.livenessSince = null;
      this.livenessReported = false;
      return;
    }
    const restarted = Math.max(-Infinity, ...this.restartedAt.values());
    const startDelay = (this.bounds.quorumOffStartDelayMs ?? 0) > 0 ? restarted + (this.bounds.quorumOffStartDelayMs ?? 0) : -Infinity;
    const since = Math.max(this.livenessSince ?? probe.now, probe.lastAdminAction, probe.lastCut ?? -Infinity, startDelay);
    this.livenessSince = this.livenessSince ?? probe.now;
    if (this.livenessReported || probe.now - since < this.bounds.livenessBoundMs) return;
    this.livenessReported = true;
    const state = probe.nodes.map((n) => `${n.name}:${n.life}${n.isLeader ? '/leader' : ''}${n.open.length ? '/promoted' : ''}`).join(' ');
    this.violation(probe.now, 'liveness', `a quorate set with a healthy runner was linked both ways for ${Math.round(probe.now - since)} ms (bound ${this.bounds.livenessBoundMs} ms) and no node has its services promoted: ${state}`);
  }

  private trackHealth(probe: ClusterProbe): void {
    const quietSince = probe.lastAdminAction;
    for (const m of probe.nodes) {
      const healthy = m.life === 'running' && m.allPromoted && !m.clockFault && !m.serviceFault && !probe.disturbed && !probe.oneWayCuts
        && probe.nodes.some((l) => l.isLeader && l.life === 'running' && probe.connected(m.name, l.name)
          && probe.nodes.filter((k) => k.life === 'running' && probe.connected(l.name, k.name)).length >= Math.max(this.bounds.quorum, 1));
      if (!healthy) {
        this.healthySince.delete(m.name);
        continue;
      }
      this.healthySince.set(m.name, Math.max(this.healthySince.get(m.name) ?? probe.now, quietSince));
    }
  }

  private violation(at: number, invariant: ViolationKind, detail: string): void {
    this.add({ at, invariant, detail });
  }
}
