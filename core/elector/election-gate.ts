/**
 * Whether an election may run now (SPEC §5): quorum, manual master mode,
 * promoted services still reported (R7), the new leader's start-up
 * tolerance and, with quorum off, the initial promotion delay. Pure
 * functions of what the elector passes in.
 */
import type { KoiConfig } from '../../plugin-api';
import type { NoMasterWait } from './no-master';
import type { RunnerRecord } from './records';
import type { ElectorMembership } from './types';

export interface ElectionGateInput {
  now: number;
  config: KoiConfig;
  leaseQuorate: boolean;
  /** Nodes acknowledging this leader (membership). */
  ackCount(): number;
  manualMaster: boolean;
  /** The promoted-services guard (R7) is on. */
  promotedGuard: boolean;
  records: Iterable<RunnerRecord>;
  leaderSince: number;
  startedAt: number;
  /** This leader or the cluster had a master at some point. */
  clusterHadMaster: boolean;
  everSawMaster(): boolean;
  /** See `allPeersReported`. */
  allPeersReported(): boolean;
  /** A runner heard again that has not reported since (see `unreportedRunner`), or null. */
  unreportedRunner(): { name: string; since: number } | null;
  /** The runner about to be promoted, when it is named already (an election in effect): its own report is not waited for. */
  exceptId?: string;
}

/**
 * R7's two gates before any runner is promoted — by an election, or by the first grant to a named master that
 * is not Master (an election in effect, Elector.promotionWait, which passes `exceptId`): a runner other than
 * `exceptId` still reports promoted services; or one was heard again (a partition healed, its machine came
 * back) and has not reported yet — it may still be demoting what it held, and its record may say Disconnected.
 * The wait for other leaders' leases (R2) does not cover the latter: it counts from when the quorum was free,
 * often long before the heal. Null when neither holds.
 */
function promotedServicesWait(
  now: number,
  config: KoiConfig,
  records: Iterable<RunnerRecord>,
  unreportedRunner: () => { name: string; since: number } | null,
  exceptId = '',
): NoMasterWait | null {
  for (const r of records) {
    if (r.id !== exceptId && r.state !== 'Disconnected' && r.promoted) return { code: 'promoted-services', message: `runner ${r.name} still reports promoted services` };
  }
  const unreported = unreportedRunner();
  if (unreported) {
    const until = unreported.since + config.time.master_dead_time;
    if (now < until) return { code: 'awaiting-report', message: `runner ${unreported.name} is heard again but has not reported yet (it may still be demoting)`, until };
  }
  return null;
}

/** Why an election may not run now (null when it may), SPEC §5. */
export function electionBlocker(g: ElectionGateInput): NoMasterWait | null {
  const { now, config } = g;
  if (!g.leaseQuorate) {
    return { code: 'no-quorum', message: `no quorum: ${g.ackCount()} of ${config.cluster.quorum} needed nodes answer this leader` };
  }
  if (g.manualMaster) return { code: 'manual-master', message: 'manual master mode (koi demote): waiting for koi promote or koi elect' };
  if (g.promotedGuard) {
    const held = promotedServicesWait(now, config, g.records, g.unreportedRunner, g.exceptId);
    if (held) return held;
  }
  if (now - g.leaderSince < config.time.elector_startup_tolerance) {
    const until = g.leaderSince + config.time.elector_startup_tolerance;
    return { code: 'startup-delay', message: `new leader: letting runners report (elector_startup_tolerance, ${Math.ceil((until - now) / 1000)} s left)`, until };
  }
  // With quorum on, the lease rules make a first election safe without hearing every peer
  // (docs/safety.md "initial_promotion_delay"); without quorum nothing else stops a node that boots
  // cut off from its peers from promoting at once, so the original's delay stays.
  if (config.cluster.quorum <= 0 && !g.clusterHadMaster && !g.everSawMaster()
    && now - g.startedAt < config.time.initial_promotion_delay && !g.allPeersReported()) {
    const until = g.startedAt + config.time.initial_promotion_delay;
    return {
      code: 'startup-delay', until,
      message: `waiting for every configured peer to report (initial_promotion_delay, quorum off; ${Math.ceil((until - now) / 1000)} s left)`,
    };
  }
  return null;
}

/**
 * A runner node heard lately (Membership.heardRunners: two peer refreshes and an ack window) whose runner has not reported to this leader
 * since the node (re)joined the table or this leader began to lead (`notBefore`), whichever is later; the
 * latest when several. From the leader's start, not only the rejoin: a new leader knows nothing of what a
 * runner it never heard a report from is doing, however long the node has been in its table.
 */
export function unreportedRunner(
  membership: Pick<ElectorMembership, 'heardRunners'>,
  record: (id: string) => RunnerRecord | undefined,
  exceptId = '',
  notBefore = -Infinity,
): { id: string; name: string; since: number } | null {
  let found: { id: string; name: string; since: number } | null = null;
  for (const r of membership.heardRunners()) {
    if (r.id === exceptId) continue;
    const since = Math.max(r.since, notBefore);
    const rec = record(r.id);
    const reported = rec !== undefined && rec.state !== 'Disconnected' && rec.lastSeen >= since;
    if (!reported && (!found || since > found.since)) found = { id: r.id, name: r.name, since };
  }
  return found;
}

/**
 * Every configured peer was heard (nodes, not addresses: redundant links count once) and every runner
 * among them reported; `selfRunnerId` is this node's id when it runs a runner, '' when not.
 */
export function allPeersReported(
  membership: Pick<ElectorMembership, 'allConfiguredPeersHeard' | 'runnerIds'>,
  selfRunnerId: string,
  record: (id: string) => RunnerRecord | undefined,
): boolean {
  if (!membership.allConfiguredPeersHeard()) return false;
  const runners = membership.runnerIds();
  if (selfRunnerId) runners.push(selfRunnerId);
  return runners.every((id) => {
    const r = record(id);
    return r !== undefined && r.state !== 'Disconnected';
  });
}
