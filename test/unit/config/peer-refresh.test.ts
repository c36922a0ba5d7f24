/**
 * How often a follower's heartbeat goes to every peer instead of its leader only (peerRefreshSpacingMs):
 * 5 times per node_timeout, but never rarer than every 3rd heartbeat whatever node_timeout says (a node
 * reloaded to a long node_timeout must not drop out of its peers' tables), and never more than one per
 * heartbeat (a short node_timeout: every heartbeat, as a broadcast).
 */
import { PEER_REFRESH_MAX_HEARTBEATS, TIME_DEFAULTS, peerRefreshSpacingMs } from '../../../core/config/timing-defaults';

/** The spacing as whole heartbeats (it is a quarter interval short of them, for timer jitter). */
function heartbeats(nodeTimeout: number, interval: number): number {
  const spacing = peerRefreshSpacingMs({ node_timeout: nodeTimeout, cluster_update_interval: interval });
  return (spacing + interval / 4) / interval;
}

describe('peerRefreshSpacingMs', () => {
  test('every 3rd heartbeat at the defaults, a quarter interval early', () => {
    expect(peerRefreshSpacingMs(TIME_DEFAULTS)).toBe(3 * 50 - 12.5);
  });

  test('never rarer than every 3rd heartbeat, however long node_timeout is', () => {
    for (const nodeTimeout of [1_000, 5_000, 60_000, 3_600_000]) expect(heartbeats(nodeTimeout, 50)).toBe(PEER_REFRESH_MAX_HEARTBEATS);
    expect(PEER_REFRESH_MAX_HEARTBEATS).toBe(3);
  });

  test('at least 5 refreshes per node_timeout below that: fewer heartbeats between them, down to every one', () => {
    expect(heartbeats(500, 50)).toBe(2); // 500 / 5 = 100 ms: 2 heartbeats
    expect(heartbeats(400, 50)).toBe(1);
    expect(heartbeats(150, 50)).toBe(1);
    expect(heartbeats(200, 8)).toBe(3); // the fast profile
    for (let nodeTimeout = 150; nodeTimeout <= 3_000; nodeTimeout += 10) {
      const n = heartbeats(nodeTimeout, 50);
      expect(Number.isInteger(n) && n >= 1 && n <= PEER_REFRESH_MAX_HEARTBEATS).toBe(true);
      if (n > 1) expect(nodeTimeout / (n * 50)).toBeGreaterThanOrEqual(5);
    }
  });
});

describe('peerRefreshSpacingMs: a heartbeat longer than its peers expect', () => {
  test('a node reloaded to a 400 ms heartbeat and an 8 s node_timeout refreshes every heartbeat (peers at 1 s keep it)', () => {
    expect(heartbeats(8_000, 400)).toBe(1);
    expect(peerRefreshSpacingMs({ node_timeout: 8_000, cluster_update_interval: 400 })).toBeLessThan(TIME_DEFAULTS.node_timeout / 2);
  });
});
