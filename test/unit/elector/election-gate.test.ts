/**
 * core/elector/election-gate.ts `unreportedRunner` and the `awaiting-report`
 * wait: a runner heard again has master_dead_time to report before an
 * election goes on without its report (R7 needs it).
 */
import { defaultConfig } from '../../../core/config/defaults';

const DEFAULT_CONFIG = defaultConfig();
import { electionBlocker, unreportedRunner, type ElectionGateInput } from '../../../core/elector/election-gate';
import type { RunnerRecord } from '../../../core/elector/records';

const record = (id: string, lastSeen: number, state: RunnerRecord['state'] = 'Slave'): RunnerRecord => ({ id, name: id, lastSeen, state } as RunnerRecord);

describe('unreportedRunner', () => {
  const heard = [{ id: 'a', name: 'a', since: 1_000 }, { id: 'b', name: 'b', since: 5_000 }];
  test('a runner heard since 5000 that reported at 6000 has reported; one whose last report predates its return has not', () => {
    const records = new Map([['a', record('a', 900)], ['b', record('b', 6_000)]]);
    expect(unreportedRunner({ heardRunners: () => heard }, (id) => records.get(id))).toEqual({ id: 'a', name: 'a', since: 1_000 });
  });
  test('no record, or Disconnected, is unreported; the latest to return is named', () => {
    const records = new Map([['a', record('a', 9_000, 'Disconnected')]]);
    expect(unreportedRunner({ heardRunners: () => heard }, (id) => records.get(id))).toEqual({ id: 'b', name: 'b', since: 5_000 });
    // The runner about to be promoted is not waited for (its own report is not what R7 needs).
    expect(unreportedRunner({ heardRunners: () => heard }, (id) => records.get(id), 'b')).toEqual({ id: 'a', name: 'a', since: 1_000 });
  });
  test('everyone reported: null', () => {
    const records = new Map([['a', record('a', 1_000)], ['b', record('b', 5_000)]]);
    expect(unreportedRunner({ heardRunners: () => heard }, (id) => records.get(id))).toBeNull();
  });
});

describe('electionBlocker: awaiting-report', () => {
  const base = (over: Partial<ElectionGateInput>): ElectionGateInput => ({
    now: 10_000, config: DEFAULT_CONFIG, leaseQuorate: true, ackCount: () => 2, manualMaster: false, promotedGuard: true,
    records: [], leaderSince: 0, startedAt: 0, clusterHadMaster: true, everSawMaster: () => true, allPeersReported: () => true,
    unreportedRunner: () => null, ...over,
  });
  const dead = DEFAULT_CONFIG.time.master_dead_time;
  test('waits until master_dead_time after the runner came back, then elects without its report', () => {
    const since = 10_000 - dead + 1;
    expect(electionBlocker(base({ unreportedRunner: () => ({ name: 'n2', since }) }))).toMatchObject({ code: 'awaiting-report', until: since + dead });
    expect(electionBlocker(base({ unreportedRunner: () => ({ name: 'n2', since: since - 1 }) }))).toBeNull();
  });
  test('nothing to wait for: no wait', () => {
    expect(electionBlocker(base({}))).toBeNull();
  });
});
