/**
 * The state updates the leader sends its runners (SPEC §5): what one says
 * (master, quorum, maintenance, and the lease it grants, if any) and where
 * it may go: only to a runner heard within the ack window, so a master that
 * went silent stops getting its lease renewed at once. Pure functions.
 */
import type { LeaseEnd, StateUpdate } from '../../plugin-api';
import type { RunnerRecord } from './records';
import type { ElectorMembership } from './types';

/** Where an update to `record` goes: its address when heard (any message) within `windowMs`; null when not heard or no address. */
export function recipientAddress(
  record: RunnerRecord, now: number, windowMs: number, membership: Pick<ElectorMembership, 'lastHeard' | 'addressOf'>,
): string | null {
  const heard = Math.max(record.lastSeen, membership.lastHeard(record.id) ?? -Infinity);
  if (now - heard > windowMs) return null;
  return membership.addressOf(record.id) || record.address || null;
}

export interface StateUpdateInput {
  now: number;
  startedAt: number;
  leaderName: string;
  masterId: string;
  masterName: string;
  /** The master's record, when this leader has one. */
  masterRecord: RunnerRecord | undefined;
  maintenance: boolean;
  leaseQuorate: boolean;
  /** The lease the update grants the named master; null when it grants none. */
  lease: LeaseGrant | null;
}

/** A lease granted (R3): its length on the leader's terms and its end on the runner's clock. */
export interface LeaseGrant {
  leaseMs: number;
  leaseEnd: LeaseEnd;
}

export function stateUpdate(u: StateUpdateInput): StateUpdate {
  return {
    kind: 'state',
    masterId: u.masterId,
    masterName: u.masterName,
    masterAddress: u.masterRecord?.address ?? '',
    leaderName: u.leaderName,
    leaderUptimeMs: Math.max(0, Math.round(u.now - u.startedAt)),
    hasQuorum: u.lease !== null || (u.leaseQuorate && !u.masterId),
    maintenance: u.maintenance,
    leaseMs: u.lease?.leaseMs ?? 0,
    ...(u.lease ? { leaseEnd: u.lease.leaseEnd } : {}),
  };
}
