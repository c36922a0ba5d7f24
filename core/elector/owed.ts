/**
 * Masters a leader owes a safe replacement (docs/safety.md R3, R8): the one
 * it dropped or inherited, and those its followers remember. Pure functions
 * that say when such a master needs nothing more (it confirmed its demote,
 * a successor of its machine reports, it was this very machine).
 */
import type { ClusterView } from '../../plugin-api';
import type { RunnerRecord } from './records';

export interface PreviousMaster {
  id: string;
  name: string;
  droppedAt: number;
  /**
   * Dropped because this leader lost sight of it (quorum lost, not heard),
   * not for anything it did or an operator asked: when it reports itself
   * Master again (another leader kept it), this leader continues with it.
   */
  lostSight: boolean;
  /**
   * Learned from another leader's view or a follower's memory, not dropped here: "not reported since"
   * means nothing for it until it had master_dead_time to report (a healthy runner reports every tick).
   */
  learned?: boolean;
  /** A learned master is forgotten then: an hour after anyone last saw it named (KNOWN_MASTER_MEMORY_MS). */
  forgetAt?: number;
}

/** This node's id and name. */
export interface Self {
  id: string;
  name: string;
}

/**
 * A master named like this node but with another id was this machine's earlier koinode: it is gone
 * (this one runs), and this one's start-up sweep undid what it left promoted. Nothing to wait out,
 * and fencing it would shoot this very machine.
 */
export function isOwnPastIncarnation(self: Self, id: string, name: string): boolean {
  return id !== self.id && name !== '' && name === self.name;
}

/** The dropped master a view still owes a safe replacement (R8), learned at `at`; null when none. */
export function owedFromView(self: Self, view: ClusterView, at: number): PreviousMaster | null {
  const id = view.previousMasterId;
  const name = view.previousMasterName ?? '';
  if (!id || id === view.masterId || isOwnPastIncarnation(self, id, name)) return null;
  return { id, name, droppedAt: at, lostSight: true, learned: true };
}

/**
 * R3's shortcut (a planned `koi promote`): the previous master reported, after applying a state update
 * this leader sent after dropping it, that it is neither Master nor holds promoted services. That update
 * ended its lease (runner.ts handleState), and the older namings it could still receive are refused by
 * sequence number, so no lease of this leader's is left to wait out (R2 still covers other leaders').
 * `now` and `startedAt` are this process's clock readings (update stamps count from `startedAt`).
 */
export function confirmedDemote(record: RunnerRecord, prev: PreviousMaster, now: number, startedAt: number): boolean {
  const dropStamp = Math.round(prev.droppedAt - startedAt) + 1;
  // A stamp above this process's uptime came from before an in-process restart (same id): not ours.
  const ours = record.appliedUpdateMs <= Math.round(now - startedAt);
  return ours && record.appliedUpdateMs >= dropStamp && record.lastSeen > prev.droppedAt && !record.promoted
    && record.state !== 'Master' && record.state !== 'Disconnected';
}

/**
 * A later koinode of `prev`'s machine (same name, another id) reports: `prev`'s process is gone and the
 * successor's start-up sweep undid what it left promoted (before it sent anything).
 */
export function succeeded(prev: PreviousMaster, records: Iterable<RunnerRecord>): boolean {
  if (!prev.name) return false;
  for (const r of records) {
    if (r.id !== prev.id && r.name === prev.name && r.state !== 'Disconnected') return true;
  }
  return false;
}
