/**
 * The leader's table of runners (SPEC §5): a record per runner from its
 * health reports, runners gone silent marked Disconnected and later
 * forgotten, old incarnations of restarted runners retired, and the list of
 * recent failures (`koi failures`). The elector reads it; this is the only
 * place the records live.
 */
import type { Clock, HealthReport, Logger } from '../../plugin-api';
import { FORGET_RUNNER_MS } from '../config/timing-defaults';
import { MAX_FAILURES, applyReport, type FailureEntry, type RunnerRecord } from './records';

export class RunnerTable {
  private readonly records = new Map<string, RunnerRecord>();
  /**
   * Records of runners that restarted under a new id (SPEC §1), out of the
   * status and the election, kept only while the no-two-masters rules may
   * still read them: the master, the previous master (its last renewal,
   * address and silence), or a runner named master within the replacement
   * wait (`guardMayNeed`, answered by the elector). See retireOldIncarnations.
   */
  private readonly retired = new Map<string, RunnerRecord>();
  private readonly failures: FailureEntry[] = [];

  constructor(
    private readonly log: Logger,
    private readonly clock: Clock,
    private readonly guardMayNeed: (record: RunnerRecord, now: number) => boolean,
  ) {}

  get(id: string): RunnerRecord | undefined {
    return this.records.get(id);
  }

  has(id: string): boolean {
    return this.records.has(id);
  }

  values(): IterableIterator<RunnerRecord> {
    return this.records.values();
  }

  /** The record of runner `id`, also of a retired incarnation: for the master checks and the replacement guard only. */
  guardRecord(id: string): RunnerRecord | undefined {
    return this.records.get(id) ?? this.retired.get(id);
  }

  /** A health report from runner `id` (the leader's own runner included, address ''); returns its record. */
  report(id: string, report: HealthReport, address: string, now: number): RunnerRecord {
    const before = this.records.get(id);
    const previousState = before?.state; // applyReport updates the record in place
    const { record, newFailure } = applyReport(before, id, report, address, now);
    if (!before) this.log.info({ runner: id, name: report.name }, `runner ${report.name} (${id}) reports ${report.state}`);
    else if (previousState !== record.state) this.log.info({ runner: id, from: previousState, to: record.state }, `runner ${report.name}: ${previousState} -> ${record.state}`);
    // Every report: the old incarnation may go Disconnected only after the new one first reported.
    this.retireOldIncarnations(id, report.name, now);
    this.records.set(id, record);
    if (newFailure) this.recordFailure(record, newFailure.at, newFailure.reason);
    return record;
  }

  /**
   * Runners not heard for `deadTimeMs` go Disconnected; Disconnected ones are forgotten after
   * FORGET_RUNNER_MS, retired ones once the rules no longer need them. `lastAcked` is membership's.
   */
  markSilent(now: number, selfId: string, deadTimeMs: number, lastAcked: (id: string) => number | undefined): void {
    for (const record of [...this.retired.values()]) {
      if (!this.guardMayNeed(record, now) || now - record.disconnectedSince > FORGET_RUNNER_MS) this.retired.delete(record.id);
    }
    for (const record of [...this.records.values()]) {
      if (record.id === selfId) continue;
      // "Heard" is a report, or an acknowledgement of this leader's heartbeats: health reports are
      // unicast, 5 per master_dead_time, so 20 % loss drops 5 in a row about once a minute per
      // runner, while its answers to heartbeats (20 per master_dead_time) still arrive; marking it
      // Disconnected would drop a healthy master (a false failover). Heartbeats alone are not
      // enough: a node that cannot hear this leader (deaf, cut one way) still sends them, but follows
      // another leader or none and never reports here — a master like that must be dropped, or the
      // cluster stays masterless. Safety does not rest on this (the lease).
      const heard = Math.max(record.lastSeen, lastAcked(record.id) ?? -Infinity);
      if (record.state !== 'Disconnected' && now - heard > deadTimeMs) {
        this.log.warn({ runner: record.id }, `runner ${record.name} not heard for ${Math.round(now - heard)} ms: Disconnected`);
        record.state = 'Disconnected';
        record.promoted = false;
        record.disconnectedSince = now;
      }
      if (record.state === 'Disconnected' && now - record.disconnectedSince > FORGET_RUNNER_MS) {
        this.log.info({ runner: record.id }, `forgetting runner ${record.name}: Disconnected for ${FORGET_RUNNER_MS / 60_000} min`);
        this.records.delete(record.id);
      }
    }
  }

  failureList(): FailureEntry[] {
    return [...this.failures];
  }

  /**
   * A runner reporting under a new id with the name of a runner that went
   * Disconnected (silent for master_dead_time) is that machine restarted
   * (SPEC §1: a fresh id per start): forget the old record now instead of
   * showing the machine twice for 30 minutes. A name still heard is left
   * alone (two live nodes sharing a name is a configuration error, not a
   * restart). What the replacement guard reads of the old incarnation (last
   * renewal, last seen, state, address) moves to `retired`.
   */
  private retireOldIncarnations(id: string, name: string, now: number): void {
    for (const old of [...this.records.values()]) {
      if (old.id === id || old.name !== name || old.state !== 'Disconnected') continue;
      this.records.delete(old.id);
      this.log.info({ runner: old.id, replacement: id }, `runner ${name} restarted as ${id}; forgetting ${old.id}`);
      if (this.guardMayNeed(old, now)) this.retired.set(old.id, old);
    }
  }

  private recordFailure(record: RunnerRecord, at: number, reason: string): void {
    const entry: FailureEntry = {
      at, atWall: this.clock.wallNow() - (this.clock.now() - at), nodeId: record.id, nodeName: record.name, reason,
      output: [...record.lastFailureOutput],
    };
    this.failures.unshift(entry);
    if (this.failures.length > MAX_FAILURES) this.failures.length = MAX_FAILURES;
    this.log.warn(`runner ${record.name} failed: ${reason}${entry.output.length ? `; last output: ${entry.output.join(' | ')}` : ''}`);
  }
}
