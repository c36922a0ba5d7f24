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
