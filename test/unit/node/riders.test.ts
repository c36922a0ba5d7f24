/**
 * core/node/riders.ts: what rides on a heartbeat, and when the leader's
 * elector ticks inside cluster ticks. (test/cluster/riders.test.ts counts
 * the datagrams a whole simulated cluster saves.)
 */
import { TickSchedule, HeartbeatRiders, type RiderTargets } from '../../../core/node/riders';
import type { HealthReport, HeartBeat, StateUpdate } from '../../../plugin-api';

const LEADER = '11111111-1111-4111-8111-111111111111';
const RUNNER = '22222222-2222-4222-8222-222222222222';

const beat: HeartBeat = { kind: 'heartbeat', name: 'n1', flags: 0, seenAddress: '', uptimeMs: 5, holdMs: 1500, ackWindowMs: 150 };
const update = (leaseMs: number): StateUpdate => ({
  kind: 'state', masterId: RUNNER, masterName: 'n2', masterAddress: '', leaderName: 'n1', leaderUptimeMs: 5, hasQuorum: true, maintenance: false, leaseMs,
});
const report = (uptimeMs: number): HealthReport => ({
  kind: 'health', name: 'n2', state: 'Slave', mode: 'Active', uptimeMs, target: 'Start', services: [], promoted: false,
  failCount: 0, lastFailureAgoMs: -1, lastFailureReason: '', stopped: false,
});

function riders(over: Partial<RiderTargets> = {}): { r: HeartbeatRiders; built: number[] } {
  const built: number[] = [];
  let uptime = 0;
  const r = new HeartbeatRiders({
    reachedByBroadcast: (address) => address === '10.0.0.2:42012' || address === '10.0.0.1:42012',
    leader: () => ({ id: LEADER, address: '10.0.0.1:42012' }),
    freshReport: () => {
      uptime += 100;
      built.push(uptime);
      return report(uptime);
    },
    ...over,
  });
  return { r, built };
}

describe('HeartbeatRiders', () => {
  test('state updates wait for the heartbeat only inside a cluster tick, and only for a runner the broadcast reaches', () => {
    const { r } = riders();
    expect(r.hold({ runnerId: RUNNER, address: '10.0.0.2:42012', update: update(1200) })).toBe(false); // outside a tick: goes at once
    let boarded: HeartBeat | undefined;
    const left = r.collect(() => {
      expect(r.hold({ runnerId: RUNNER, address: '10.0.0.2:42012', update: update(1200) })).toBe(true);
      expect(r.hold({ runnerId: RUNNER, address: '192.0.2.9:42012', update: update(0) })).toBe(false); // not a destination
      boarded = r.board(beat).beat;
    });
    expect(left).toEqual([]);
    expect(boarded?.stateUpdates).toEqual([{ runnerId: RUNNER, update: update(1200) }]);
  });

  test('each rider goes once: a second heartbeat in the same tick carries none, and what no heartbeat took is returned', () => {
    const { r } = riders();
    const left = r.collect(() => {
      r.hold({ runnerId: RUNNER, address: '10.0.0.2:42012', update: update(1200) });
      expect(r.board(beat).updates).toHaveLength(1);
      expect(r.board(beat).beat.stateUpdates).toBeUndefined();
      r.hold({ runnerId: RUNNER, address: '10.0.0.2:42012', update: update(600) });
    });
    expect(left.map((u) => u.update.leaseMs)).toEqual([600]);
  });

  test('a periodic report rides on the next heartbeat, built when that heartbeat leaves (never the older one)', () => {
    const { r, built } = riders();
    expect(r.deferReport()).toBe(true);
    expect(built).toEqual([]); // nothing built when deferred
    const first = r.board(beat);
    expect(built).toEqual([100]);
    expect(first.beat.health).toEqual({ leaderId: LEADER, report: report(100) });
    expect(r.board(beat).beat.health).toBeUndefined(); // once
    r.deferReport();
    r.reportSent(); // a transition's report went on its own meanwhile
    expect(r.board(beat).beat.health).toBeUndefined();
  });

  test('no leader, or one the broadcast does not reach: the report goes on its own', () => {
    expect(riders({ leader: () => ({ id: '', address: '' }) }).r.deferReport()).toBe(false);
    expect(riders({ leader: () => ({ id: LEADER, address: '192.0.2.9:42012' }) }).r.deferReport()).toBe(false);
  });
});

describe('TickSchedule', () => {
  const ticks = (interval: number, cluster: number, span: number): number[] => {
    const s = new TickSchedule();
    s.restart(0, interval);
    const at: number[] = [];
    for (let now = cluster; now <= span; now += cluster) if (s.tickNow(now, interval, cluster)) at.push(now);
    return at;
  };

  test('defaults (200 ms on 50 ms cluster ticks): every 4th cluster tick', () => {
    expect(ticks(200, 50, 1000)).toEqual([200, 400, 600, 800, 1000]);
  });

  test('an interval that is not a multiple keeps its average rate (15 ms on 10 ms ticks: 2 per 30 ms)', () => {
    const at = ticks(15, 10, 30_000);
    expect(at.length).toBeGreaterThanOrEqual(1999);
    expect(at.length).toBeLessThanOrEqual(2001);
    for (let i = 1; i < at.length; i++) expect(at[i] - at[i - 1]).toBeLessThanOrEqual(20);
  });

  test('after a stall it ticks once, not once per missed interval', () => {
    const s = new TickSchedule();
    s.restart(0, 200);
    expect(s.tickNow(200, 200, 50)).toBe(true);
    expect(s.tickNow(5000, 200, 50)).toBe(true);
    expect(s.tickNow(5050, 200, 50)).toBe(false);
    expect(s.tickNow(5150, 200, 50)).toBe(false);
    expect(s.tickNow(5200, 200, 50)).toBe(true);
  });

  test('intervals shorter than a cluster tick keep a timer of their own', () => {
    expect(TickSchedule.ridesClusterTick(200, 50)).toBe(true);
    expect(TickSchedule.ridesClusterTick(5, 10)).toBe(false);
  });
});
