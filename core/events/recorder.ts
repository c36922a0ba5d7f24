/**
 * The one place where what happens on a node becomes cluster events: taps
 * the node's hooks (leader, master, state, service, membership, reload,
 * failover halt, start; fences through an interceptor, so fencing
 * still counts as "no plugin" when none is loaded), stamps each event with
 * wall time, the node and a sequence number, keeps the recent ones in
 * memory, appends them to the journal, and calls `hooks.onEvent` — in the
 * same tick as the change. Admin commands are not a hook result: the admin
 * server reports them through `adminAnswered`; the node reports its stop
 * (`stopping`) before its services stop, which onShutdown follows.
 */
import type { AdminCommandCall, ClusterEvent, Clock, FenceRequest, FenceResult, KoiHooks, Logger } from '../../plugin-api';
import { diffConfig } from '../config/diff';
import {
  adminEvent, configEvent, failoverHaltEvent, failureEvent, fenceEvent, leaderEvent, masterEvent, membershipEvent, nodeEvent,
  serviceEvent, stateEvent, type EventDraft,
} from './describe';
import type { EventJournal } from './journal';

/** Events kept in memory (answers `koi events` without reading the disk). */
export const EVENT_MEMORY = 1000;
const TAP = 'koi-events';
/** How long a journal read is kept for the next page of the same `koi events --since`. */
const DISK_COPY_MS = 15_000;

export interface EventQuery {
  /** Only events after this sequence number. */
  after?: number;
  /** Only events at or after this wall time (ms since the epoch). */
  since?: number;
  /** Only the newest this many of those that match. */
  tail?: number;
  /** At most this many (the oldest that match, after `tail`). */
  limit?: number;
}

export interface EventRecorderOptions {
  hooks: KoiHooks;
  clock: Clock;
  logger: Logger;
  self: { id: string; name: string };
  /** Where events are also written; null: memory only. */
  journal?: EventJournal | null;
  /** The runner's last failure (reason and script output), read when it turns Failed. */
  lastFailure?: () => { reason: string; output: string[] } | null;
  /** Events kept in memory (default EVENT_MEMORY). */
  memory?: number;
}

export interface EventRecorder {
  /** Record an event that is not a hook result (admin commands). */
  record(draft: EventDraft): ClusterEvent;
  /** The node begins to stop (before its services stop: onShutdown comes after them). */
  stopping(reason: string): void;
  /** The admin server answered a command. */
  adminAnswered(call: AdminCommandCall, exitCode: number, forwarded: boolean): void;
  /** Matching events, oldest first, from memory and (when memory does not reach back far enough) the journal. */
  query(q: EventQuery): Promise<ClusterEvent[]>;
  /** The last sequence number given out. */
  lastSeq(): number;
  /** Flush and close the journal; later events stay in memory only. */
  close(): Promise<void>;
}

export function createEventRecorder(options: EventRecorderOptions): EventRecorder {
  const { hooks, clock, self } = options;
  const journal = options.journal ?? null;
  const capacity = Math.max(1, options.memory ?? EVENT_MEMORY);
  const recent: ClusterEvent[] = [];
  let seq = journal?.lastSeqAtOpen ?? 0;
  const names = new Map<string, string>([[self.id, self.name]]);
  let journalOpen = journal !== null;

  const record = (draft: EventDraft): ClusterEvent => {
    const event: ClusterEvent = {
      time: clock.wallNow(), seq: ++seq, node: self.name, nodeId: self.id, kind: draft.kind, message: draft.message, data: draft.data,
    };
    recent.push(event);
    if (recent.length > capacity) recent.shift();
    if (journalOpen) journal?.append(event);
    hooks.onEvent.call(event);
    return event;
  };
  const emit = (draft: EventDraft | null): void => {
    if (draft) record(draft);
  };

  hooks.onStart.tap(TAP, () => emit(nodeEvent('started', '')));
  hooks.onMembershipChange.tap(TAP, (change) => {
    if (change.name) names.set(change.nodeId, change.name);
    emit(membershipEvent(change));
  });
  hooks.onLeaderChange.tap(TAP, (change) => {
    if (change.leaderName) names.set(change.leaderId, change.leaderName);
    emit(leaderEvent(change, names.get(change.previousLeaderId) ?? ''));
  });
  hooks.onMasterChange.tap(TAP, (change) => {
    if (change.masterName) names.set(change.masterId, change.masterName);
    emit(masterEvent(change, names.get(change.previousMasterId) ?? ''));
  });
  hooks.onStateChange.tap(TAP, (change) => {
    emit(stateEvent(change));
    if (change.to === 'Failed') {
      const failure = options.lastFailure?.();
      emit(failureEvent(failure?.reason || change.reason, failure?.output ?? []));
    }
  });
  hooks.onServiceEvent.tap(TAP, (report) => emit(serviceEvent(report)));
  hooks.onConfigReload.tap(TAP, (reload) => emit(configEvent(reload, diffConfig(reload.previous, reload.config).changed)));
  hooks.onFailoverHalt.tap(TAP, (change) => emit(failoverHaltEvent(change)));
  // An interceptor, not a tap: a tap would make the elector believe a fencing plugin is loaded.
  let pendingFence: FenceRequest | null = null;
  hooks.onFence.intercept({
    call: (request: FenceRequest) => {
      pendingFence = request;
      emit(fenceEvent(request));
    },
    result: (result: FenceResult | undefined) => {
      if (pendingFence) emit(fenceEvent(pendingFence, result ?? null));
      pendingFence = null;
    },
    done: () => {
      // No tap answered.
      if (pendingFence) emit(fenceEvent(pendingFence, null));
      pendingFence = null;
    },
  });

  /**
   * The journal as read for the last query that needed it: `koi events --since 1d` reads one page per
   * request, and one read serves them all. Events older than memory never change (rotation only drops
   * some), so the copy stays right; it is let go a while after its last use.
   */
  let diskCopy: { events: Promise<ClusterEvent[]>; upTo: number; timer: ReturnType<Clock['setTimeout']> } | null = null;
  /** Journal events up to `before` (exclusive); a copy that ends earlier (memory dropped newer ones since) is read again. */
  const older = (before: number): Promise<ClusterEvent[]> => {
    if (diskCopy) clock.clear(diskCopy.timer);
    const fresh = diskCopy !== null && diskCopy.upTo >= before - 1;
    const events = fresh ? diskCopy!.events : journal!.readAll();
    diskCopy = { events, upTo: fresh ? diskCopy!.upTo : seq, timer: clock.setTimeout(() => { diskCopy = null; }, DISK_COPY_MS) };
    return events;
  };

  return {
    record,
    stopping(reason) {
      record(nodeEvent('stopping', reason));
    },
    adminAnswered(call, exitCode, forwarded) {
      record(adminEvent(call, exitCode, forwarded));
    },
    async query(q) {
      const after = q.after ?? 0;
      const since = q.since ?? -Infinity;
      const match = (e: ClusterEvent): boolean => e.seq > after && e.time >= since;
      let events = recent.filter(match);
      // Memory holds the newest events; older ones may be in the journal (an earlier process, or more than memory holds).
      const oldest = recent[0];
      const enough = q.tail !== undefined && events.length >= q.tail;
      const memoryReaches = oldest === undefined ? seq <= after : oldest.seq <= after + 1 || oldest.time < since;
      if (journal !== null && !enough && !memoryReaches) {
        const before = oldest?.seq ?? Infinity;
        const onDisk = (await older(before)).filter((e) => e.seq < before && match(e));
        events = [...onDisk, ...events];
      }
      if (q.tail !== undefined) events = events.slice(Math.max(0, events.length - q.tail));
      return q.limit !== undefined ? events.slice(0, q.limit) : events;
    },
    lastSeq: () => seq,
    async close() {
      if (diskCopy) clock.clear(diskCopy.timer);
      diskCopy = null;
      if (!journalOpen) return;
      journalOpen = false;
      await journal?.close();
    },
  };
}
