/**
 * Membership as the elector sees it (ElectorMembership): the few reads the
 * election and the lease rules need, answered from the node table.
 */
import { NodeFlag } from '../../plugin-api';
import type { ElectorMembership } from '../elector/types';
import type { Membership } from '../membership/membership';

export function electorMembership(membership: Membership, memory: { sawMaster: boolean }): ElectorMembership {
  return {
    seenCount: () => membership.seenCount(),
    ackCount: () => membership.ackCount(),
    lastView: () => membership.lastView(),
    viewNodes: () => membership.viewNodes(),
    lastHeard: (id) => membership.table.lastHeard(id),
    lastAcked: (id) => membership.table.get(id)?.lastAck,
    runnerIds: () => membership.table.all().filter((e) => (e.flags & NodeFlag.Runner) !== 0).map((e) => e.id),
    addressOf: (id) => membership.table.get(id)?.addresses[0] ?? '',
    maxHoldMs: () => membership.maxHoldMs(),
    quorumFreeAt: () => membership.quorumFreeAt(),
    heardRunners: () => membership.heardRunners(),
    allConfiguredPeersHeard: () => membership.allConfiguredPeersHeard(),
    everSawMaster: () => memory.sawMaster,
    rememberedMaster: () => membership.rememberedMaster(),
  };
}
