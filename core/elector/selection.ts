/**
 * Master candidates (SPEC §5): runners at Slave or higher, Active, not
 * stopped, not failed within the failure promotion timeout (that rule is
 * dropped when it would leave nobody). Order: a runner that already says it
 * is Master first, then the longest uptime, then the earliest last-seen,
 * then the id (so the order is total and runs are reproducible).
 */
import type { ElectionCandidate } from '../../plugin-api';
import { isAtLeast, type RunnerRecord } from './records';

export function electionCandidates(records: Iterable<RunnerRecord>, now: number, failurePromotionTimeoutMs: number): ElectionCandidate[] {
  const eligible = [...records].filter((r) => isAtLeast(r.state, 'Slave') && r.mode === 'Active' && !r.stopped);
  const recentlyFailed = (r: RunnerRecord): boolean => r.lastFailureAt > -Infinity && now - r.lastFailureAt < failurePromotionTimeoutMs;
  const healthy = eligible.filter((r) => !recentlyFailed(r));
  const chosen = healthy.length > 0 ? healthy : eligible;
  return chosen
    .map((r): ElectionCandidate => ({
      id: r.id,
      name: r.name,
      state: r.state,
      mode: r.mode,
      uptimeMs: r.uptimeMs + Math.max(0, now - r.lastSeen),
      lastSeenAgoMs: Math.max(0, now - r.lastSeen),
      lastFailureAgoMs: r.lastFailureAt > -Infinity ? Math.max(0, now - r.lastFailureAt) : -1,
      claimsMaster: r.state === 'Master',
      addresses: r.address ? [r.address] : [],
    }))
    .sort((a, b) => {
      if (a.claimsMaster !== b.claimsMaster) return a.claimsMaster ? -1 : 1;
      if (a.uptimeMs !== b.uptimeMs) return b.uptimeMs - a.uptimeMs;
      if (a.lastSeenAgoMs !== b.lastSeenAgoMs) return b.lastSeenAgoMs - a.lastSeenAgoMs;
      return a.id < b.id ? -1 : a.id > b.id ? 1 : 0;
    });
}
