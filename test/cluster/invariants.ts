/**
 * Invariants on the daemons' own state, checked after every simulated step
 * (SPEC §3, DESIGN.md):
 * - only legal runner transitions;
 * - a master cut off from a quorum demotes within its bound (cut off: no node
 *   linked to it both ways, itself included, is linked both ways to a quorum);
 * - at most one leader per connected component once converged.
 * "Never two masters", liveness and no-flapping are judged from what the
 * services did, in service-invariants.ts.
 */
import type { StateChange } from '../../plugin-api';
import { isLegalTransition } from '../../core/runner/transitions';

export type ViolationKind =
  | 'legal-transition' | 'isolated-master' | 'two-leaders'
  /** Two nodes' promoted intervals of one service overlap (not an allowed category). */
  | 'two-promoted'
  /** An allowed overlap behind a frozen (paused / VM-paused) old master outlived its bound after the resume. */
  | 'frozen-overlap-too-long'
  /** Services a crashed node left promoted were not demoted within the bound after its restart. */
  | 'crash-leftover'
  /** A majority of electors and a healthy runner were linked both ways long enough, and nothing was promoted. */
  | 'liveness'
  /** A healthy master (linked both ways to a quorate leader, no fault on it) began to demote. */
  | 'flap';

export interface Violation {
  at: number;
  invariant: ViolationKind;
  detail: string;
}

export interface InvariantView {
  now: number;
  quorum: number;
  /** Quorum is a strict majority of the configured nodes: no-two-masters is promised. */
  majority: boolean;
  /** Bound for a cut-off master to demote, ms. */
  isolationBoundMs: number;
  /** How long a leader keeps counting acknowledgements after its links to them were cut (its ack window + delay), ms. */
  ackWindowMs?: number;
  /** Leader uniqueness is only promised once the topology has been quiet this long. */
  quiet: boolean;
  nodes: Array<{
    name: string;
    running: boolean;
    isMaster: boolean;
    isLeader: boolean;
    /** Running nodes it can reach (itself included), for components and isolation. */
    reach: string[];
  }>;
}

export class InvariantChecker {
  readonly violations: Violation[] = [];
  private readonly isolatedSince = new Map<string, number>();
  /** When each node last reached each other node (itself included). */
  private readonly reachedAt = new Map<string, Map<string, number>>();
  checks = 0;

  transition(node: string, at: number, change: StateChange): void {
    if (!isLegalTransition(change.from, change.to)) {
      this.add({ at, invariant: 'legal-transition', detail: `${node}: ${change.from} -> ${change.to} (${change.reason})` });
    }
  }

  check(view: InvariantView): void {
    this.checks++;
    const running = view.nodes.filter((n) => n.running);
    // A paused or frozen master cannot act: its isolation counts from its resume (the frozen-overlap
    // invariants bound what it does then).
    for (const n of view.nodes) if (!n.running) this.isolatedSince.delete(n.name);
    if (view.quorum > 0) {
      for (const n of running) {
        const reached = this.reachedAt.get(n.name) ?? new Map<string, number>();
        this.reachedAt.set(n.name, reached);
        for (const m of n.reach) reached.set(m, view.now);
      }
      // A leader cut from its quorum still counts the acknowledgements it had for its ack window, and may
      // renew a master it reaches meanwhile (docs/safety.md R1/R4) — also with answers from nodes of the
      // partition before and of the one after a change within that window (neither side a quorum alone): it
      // counts as reaching a quorum while the nodes it reached within the window are one.
      const window = view.ackWindowMs ?? 0;
      const stillQuorate = (via: string) => {
        let recent = 0;
        for (const at of this.reachedAt.get(via)?.values() ?? []) if (view.now - at <= window) recent++;
        return recent >= view.quorum;
      };
      for (const n of running) {
        // A lease can only come from a leader linked both ways to the master (or the master itself)
        // that is itself linked both ways to a quorum. Without one-way cuts that is `reach ≥ quorum`;
        // with them, a master whose direct reach is short may still be renewed through such a leader.
        const renewable = n.reach.some(stillQuorate);
        const cutOff = n.isMaster && !renewable;
        if (!cutOff) {
          this.isolatedSince.delete(n.name);
          continue;
        }
        const since = this.isolatedSince.get(n.name) ?? view.now;
        this.isolatedSince.set(n.name, since);
        if (view.now - since > view.isolationBoundMs) {
          this.add({ at: view.now, invariant: 'isolated-master', detail: `${n.name} is master ${view.now - since} ms after losing quorum (reaches ${n.reach.length} of ${view.quorum}, none of them reaches a quorum; bound ${view.isolationBoundMs} ms)` });
          this.isolatedSince.set(n.name, view.now);
        }
      }
    }
    if (view.quiet) {
      const seen = new Set<string>();
      for (const n of running) {
        if (seen.has(n.name)) continue;
        const component = running.filter((m) => n.reach.includes(m.name));
        for (const m of component) seen.add(m.name);
        const leaders = component.filter((m) => m.isLeader);
        if (leaders.length > 1) {
          this.add({ at: view.now, invariant: 'two-leaders', detail: `leaders in one component: ${leaders.map((l) => l.name).join(', ')}` });
        }
      }
    }
  }

  add(v: Violation): void {
    // Keep the first few of each kind: a broken invariant usually stays broken for many steps.
    if (this.violations.filter((x) => x.invariant === v.invariant).length < 3) this.violations.push(v);
  }
}
