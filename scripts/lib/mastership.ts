/**
 * The no-two-masters check over the recording service's timestamps
 * (SPEC §3): no promote may BEGIN while another node's promoted service has
 * not yet BEGUN to demote. A node's mastership ends at the begin of its
 * demote (or stop/failed script), or when it was killed (SIGKILL stands for
 * a machine crash: its services die with it).
 *
 * Frozen processes are the documented exception: a SIGSTOPped process
 * cannot demote itself (that is what fencing is for), so a mastership that
 * overlapped a stall does not count against a promote elsewhere; it is
 * reported separately as `excused`.
 */
import type { ServiceEvent } from './cluster';

export interface Mark {
  /** Seconds since the epoch. */
  time: number;
  node: string;
}

export interface StallMark {
  node: string;
  /** SIGSTOP sent, seconds since the epoch. */
  from: number;
  /** SIGCONT sent (Infinity while still stopped). */
  to: number;
}

export interface Handover {
  /** Node whose promote began. */
  node: string;
  /** Promote begin, seconds since the epoch. */
  at: number;
  /** Previous master (another node) whose mastership ended last before `at`, if any. */
  previous?: string;
  /** How it ended: 'demote' | 'stop' | 'failed' | 'killed'. */
  previousEnd?: string;
  /** Seconds from that end to this promote begin (positive = safe). */
  marginS?: number;
}

export interface Violation {
  /** The promote that began too early. */
  node: string;
  at: number;
  /** The other node still promoted at that moment, since `since`. */
  other: string;
  since: number;
  excused: boolean;
}

export interface MastershipReport {
  handovers: Handover[];
  violations: Violation[];
  /** Overlaps caused by a frozen (SIGSTOPped) master: allowed by SPEC §3, listed for the record. */
  excused: Violation[];
}

const ENDS = new Set(['demote', 'stop', 'failed']);

export function checkMastership(events: ServiceEvent[], kills: Mark[] = [], stalls: StallMark[] = []): MastershipReport {
  type Item = { time: number; node: string; kind: string };
  const items: Item[] = [
    ...events.filter((e) => e.phase === 'begin').map((e) => ({ time: e.time, node: e.node, kind: e.event })),
    ...kills.map((k) => ({ time: k.time, node: k.node, kind: 'killed' })),
  ].sort((a, b) => a.time - b.time);
  const promotedSince = new Map<string, number>();
  const lastEnd = new Map<string, { time: number; kind: string }>();
  const report: MastershipReport = { handovers: [], violations: [], excused: [] };
  for (const item of items) {
    if (item.kind === 'promote') {
      for (const [other, since] of promotedSince) {
        if (other === item.node) continue;
        const excused = stalls.some((s) => s.node === other && s.from <= item.time && s.to >= since);
        (excused ? report.excused : report.violations).push({ node: item.node, at: item.time, other, since, excused });
      }
      let previous: Handover = { node: item.node, at: item.time };
      for (const [other, end] of lastEnd) {
        if (other === item.node) continue;
        if (previous.marginS === undefined || item.time - end.time < previous.marginS) {
          previous = { node: item.node, at: item.time, previous: other, previousEnd: end.kind, marginS: item.time - end.time };
        }
      }
      report.handovers.push(previous);
      promotedSince.set(item.node, item.time);
    } else if (ENDS.has(item.kind) || item.kind === 'killed') {
      if (promotedSince.has(item.node)) {
        promotedSince.delete(item.node);
        lastEnd.set(item.node, { time: item.time, kind: item.kind === 'killed' ? 'killed' : item.kind });
      }
    }
  }
  return report;
}

/** One line per violation, for messages. */
export function describeViolations(list: Violation[]): string {
  return list.map((v) => `promote on ${v.node} began at ${v.at.toFixed(3)} while ${v.other} was promoted since ${v.since.toFixed(3)}`
    + ' and had not begun to demote').join('\n');
}

/**
 * Nodes whose promoted services have not begun to demote, by the events
 * (and kills) up to `until` (default: all of them). A `start` also ends a
 * node's mastership: its services were restarted (a SIGKILLed node leaves
 * no demote behind).
 */
export function promotedNodes(events: ServiceEvent[], kills: Mark[] = [], until = Infinity): string[] {
  const items = [
    ...events.filter((e) => e.phase === 'begin' && e.time <= until).map((e) => ({ time: e.time, node: e.node, kind: e.event })),
    ...kills.filter((k) => k.time <= until).map((k) => ({ time: k.time, node: k.node, kind: 'killed' })),
  ].sort((a, b) => a.time - b.time);
  const promoted = new Set<string>();
  for (const item of items) {
    if (item.kind === 'promote') promoted.add(item.node);
    // A service that starts again was restarted (after a kill, say): it is not promoted.
    else if (ENDS.has(item.kind) || item.kind === 'killed' || item.kind === 'start') promoted.delete(item.node);
  }
  return [...promoted].sort();
}

/**
 * A node's promoted interval, from its service's own timestamps: from the
 * promote script's begin to the end of the demote (or stop/failed) script
 * that follows, or to the SIGKILL of the node (a crash), or to a `start`
 * begin (the services were restarted). `to` is Infinity while promoted.
 */
export interface PromotedInterval {
  node: string;
  from: number;
  to: number;
  /** 'demote' | 'stop' | 'failed' | 'killed' | 'start' | 'open'. */
  end: string;
}

export function promotedIntervals(events: ServiceEvent[], kills: Mark[] = []): PromotedInterval[] {
  type Item = { time: number; node: string; kind: string; phase: string };
  const items: Item[] = [
    ...events.map((e) => ({ time: e.time, node: e.node, kind: e.event, phase: e.phase })),
    ...kills.map((k) => ({ time: k.time, node: k.node, kind: 'killed', phase: 'begin' })),
  ].sort((a, b) => a.time - b.time);
  const open = new Map<string, number>();
  const intervals: PromotedInterval[] = [];
  const close = (node: string, time: number, end: string) => {
    const from = open.get(node);
    if (from === undefined) return;
    open.delete(node);
    intervals.push({ node, from, to: time, end });
  };
  for (const item of items) {
    if (item.kind === 'promote' && item.phase === 'begin') {
      if (!open.has(item.node)) open.set(item.node, item.time);
    } else if (ENDS.has(item.kind) && item.phase === 'end') close(item.node, item.time, item.kind);
    else if (item.kind === 'killed') close(item.node, item.time, 'killed');
    else if (item.kind === 'start' && item.phase === 'begin') close(item.node, item.time, 'start');
  }
  for (const [node, from] of open) intervals.push({ node, from, to: Infinity, end: 'open' });
  return intervals.sort((a, b) => a.from - b.from);
}

export interface Overlap {
  /** The node promoted first, and the one that promoted while it still was. */
  older: PromotedInterval;
  newer: PromotedInterval;
  /** Seconds since the epoch. */
  from: number;
  to: number;
  lengthS: number;
  /**
   * The older node was SIGSTOPped when the newer one promoted (allowed
   * without fencing: it cannot demote itself) and, once resumed, ended its
   * mastership within the resume grace.
   */
  excused: boolean;
  /** Seconds of the overlap during which the older node was NOT stopped (after SIGCONT, say). */
  runningS: number;
}

export interface OverlapReport {
  intervals: PromotedInterval[];
  violations: Overlap[];
  excused: Overlap[];
}

/**
 * How long a resumed master may stay promoted while running: "on resume it
 * demotes before doing anything else" (SPEC §3) — 70–270 ms to the demote's
 * begin measured on a loaded machine, plus the script.
 */
export const RESUME_GRACE_S = 1;

/** Seconds of [from, to] covered by `node`'s stalls (their union). */
function stoppedWithin(stalls: StallMark[], node: string, from: number, to: number): number {
  const spans = stalls.filter((s) => s.node === node && s.to > from && s.from < to)
    .map((s) => [Math.max(s.from, from), Math.min(s.to, to)] as const).sort((a, b) => a[0] - b[0]);
  let total = 0;
  let reach = from;
  for (const [a, b] of spans) {
    const start = Math.max(a, reach);
    if (b > start) total += b - start;
    reach = Math.max(reach, b);
  }
  return total;
}

/**
 * Two nodes' promoted intervals (promote begin … demote end) must not
 * overlap. The only exception: the older node was SIGSTOPped when the other
 * promoted, and was running no longer than `resumeGraceS` of the overlap
 * (the demote it owes on resume). Excused overlaps are listed apart.
 */
export function checkOverlaps(events: ServiceEvent[], kills: Mark[] = [], stalls: StallMark[] = [], resumeGraceS = RESUME_GRACE_S, nowS = Date.now() / 1000): OverlapReport {
  const intervals = promotedIntervals(events, kills);
  const report: OverlapReport = { intervals, violations: [], excused: [] };
  for (let i = 0; i < intervals.length; i++) {
    for (let j = i + 1; j < intervals.length; j++) {
      const older = intervals[i];
      const newer = intervals[j];
      if (newer.node === older.node || newer.from >= older.to) continue;
      const to = Math.min(older.to, newer.to);
      const lengthS = to - newer.from;
      // The older master was SIGSTOPped when the newer promote began, or resumed just before it (its lease
      // ran out while stopped; it demotes at its first event after SIGCONT): then it may run at most
      // resumeGraceS from its SIGCONT (or from the promote) until its demote ends.
      const stall = stalls.find((s) => s.node === older.node && s.from <= newer.from && s.to >= newer.from - resumeGraceS);
      // An overlap still open is judged up to now: a holder still SIGSTOPped is not yet running in it.
      const end = Number.isFinite(to) ? to : Math.max(nowS, newer.from);
      const runningS = (end - newer.from) - stoppedWithin(stalls, older.node, newer.from, end);
      const sinceResumeS = stall ? end - Math.max(stall.to, newer.from) - stoppedWithin(stalls, older.node, Math.max(stall.to, newer.from), end) : Infinity;
      const excused = stall !== undefined && sinceResumeS <= resumeGraceS;
      const overlap: Overlap = { older, newer, from: newer.from, to, lengthS, excused, runningS };
      (excused ? report.excused : report.violations).push(overlap);
    }
  }
  return report;
}

const clock = (t: number) => (Number.isFinite(t) ? new Date(t * 1000).toISOString().slice(11, 23) : 'now');

/** One line per overlap, with wall-clock times (UTC) and the length. */
export function describeOverlaps(list: Overlap[]): string {
  return list.map((o) => `${o.newer.node} promoted at ${clock(o.newer.from)} while ${o.older.node} was promoted `
    + `(since ${clock(o.older.from)}, until ${clock(o.older.to)} by ${o.older.end}): overlap ${(o.lengthS * 1000).toFixed(0)} ms`
    + `; ${o.older.node} running (not SIGSTOPped) for ${(o.runningS * 1000).toFixed(0)} ms of it`).join('\n');
}
