/**
 * The recorder turns hook calls into cluster events: kind, line, fields,
 * time and sequence, in the same tick, delivered to onEvent taps.
 */
import { VirtualClock } from '../../../core/clock';
import { createHooks } from '../../../core/hooks';
import { createEventRecorder } from '../../../core/events';
import type { ClusterEvent, KoiConfig, ServiceEventReport } from '../../../plugin-api';
import { defaultConfig } from '../../../core/config';
import { createTestLogger } from '../../helpers/logger';

function setup(lastFailure?: () => { reason: string; output: string[] } | null) {
  const log = createTestLogger();
  const hooks = createHooks(log.logger);
  const clock = new VirtualClock({ epoch: Date.UTC(2026, 10, 26, 17, 0, 0) });
  const recorder = createEventRecorder({ hooks, clock, logger: log.logger, self: { id: 'id-a', name: 'a' }, lastFailure });
  const seen: ClusterEvent[] = [];
  hooks.onEvent.tap('test', (e) => { seen.push(e); });
  return { hooks, clock, recorder, seen, log };
}

const report = (over: Partial<ServiceEventReport> & { code?: number; output?: string[] }): ServiceEventReport => ({
  service: 'db', event: 'promote', ok: true, presumed: false,
  result: { code: over.code ?? 0, timedOut: false, aborted: false, durationMs: 123.4, ...(over.output ? { output: over.output } : {}) },
  ...over,
});

describe('event recorder', () => {
  it('stamps every event with wall time, node and a rising sequence number, within the hook call', () => {
    const { hooks, clock, seen } = setup();
    clock.advance(1500);
    hooks.onLeaderChange.call({ leaderId: 'id-b', leaderName: 'b', previousLeaderId: '', self: false });
    expect(seen).toHaveLength(1); // synchronous: no timer, no await between the change and the event
    hooks.onMembershipChange.call({ change: 'joined', nodeId: 'id-c', name: 'c', flags: 3 });
    expect(seen.map((e) => [e.seq, e.node, e.nodeId, e.kind])).toEqual([[1, 'a', 'id-a', 'leader'], [2, 'a', 'id-a', 'membership']]);
    expect(seen[0].time).toBe(Date.UTC(2026, 10, 26, 17, 0, 1, 500));
    expect(seen[0].message).toBe('leader is b');
    expect(seen[1].message).toBe('node c joined (elector, runner)');
  });

  it('names the previous leader and master by the names it saw', () => {
    const { hooks, seen } = setup();
    hooks.onLeaderChange.call({ leaderId: 'id-b', leaderName: 'b', previousLeaderId: '', self: false });
    hooks.onLeaderChange.call({ leaderId: 'id-a', leaderName: 'a', previousLeaderId: 'id-b', self: true });
    hooks.onMasterChange.call({ masterId: 'id-c', masterName: 'c', previousMasterId: '' });
    hooks.onMasterChange.call({ masterId: '', masterName: '', previousMasterId: 'id-c', reason: 'not heard for 3000 ms', decidedHere: true });
    hooks.onMasterChange.call({ masterId: 'id-b', masterName: 'b', previousMasterId: '', reason: 'replaces c', decidedHere: true });
    expect(seen.map((e) => `${e.kind}: ${e.message}`)).toEqual([
      'leader: leader is b',
      'leader: this node leads the cluster (was b)',
      'master: master is c',
      'election: no master (was c): not heard for 3000 ms',
      'election: master elected b: replaces c',
    ]);
    expect(seen[3].data).toEqual({ master: '', masterId: '', previous: 'c', previousId: 'id-c', reason: 'not heard for 3000 ms' });
  });

  it('records state transitions, and a failure with the failing script\'s output', () => {
    const { hooks, seen } = setup(() => ({ reason: 'service db failed: status exit 1', output: ['ERROR: disk full', 'bye'] }));
    hooks.onStateChange.call({ from: 'Slave', to: 'Failed', reason: 'service db failed: status exit 1' });
    expect(seen.map((e) => e.kind)).toEqual(['state', 'failure']);
    expect(seen[0].message).toBe('runner state Slave -> Failed: service db failed: status exit 1');
    expect(seen[1].data).toEqual({ reason: 'service db failed: status exit 1', output: ['ERROR: disk full', 'bye'] });
  });

  it('records service events with result, exit code, duration and the output of a failure; successful status checks are left out', async () => {
    const { hooks, seen } = setup();
    await hooks.onServiceEvent.promise(report({}));
    await hooks.onServiceEvent.promise(report({ event: 'status', ok: true }));
    await hooks.onServiceEvent.promise(report({ event: 'start', ok: false, code: 3, output: ['l1', 'l2'] }));
    await hooks.onServiceEvent.promise(report({ event: 'status', ok: false, code: 1 }));
    expect(seen.map((e) => e.message)).toEqual([
      'service db promote ok (exit 0, 123 ms)',
      'service db start failed (exit 3, 123 ms)',
      'service db status failed (exit 1, 123 ms)',
    ]);
    expect(seen[1].data).toMatchObject({ service: 'db', event: 'start', ok: false, code: 3, durationMs: 123, output: ['l1', 'l2'] });
    expect(seen[0].data.output).toBeUndefined();
  });

  it('records reloads with the changed keys, failover halts, admin commands and node start/stop', async () => {
    const { hooks, recorder, seen } = setup();
    const previous = defaultConfig() as KoiConfig;
    const config = { ...previous, time: { ...previous.time, status_interval: 9000 } };
    await hooks.onConfigReload.promise({ config, previous, restart: false });
    hooks.onFailoverHalt.call({ halted: true, service: 'db', runners: ['a', 'b'], message: 'every runner failed db' });
    recorder.adminAnswered({ command: 'promote', args: ['b'], from: '127.0.0.1:5000' }, 0, false);
    await hooks.onStart.promise({ nodeId: 'id-a', name: 'a', config });
    recorder.stopping('SIGTERM');
    expect(seen.map((e) => `${e.kind}: ${e.message}`)).toEqual([
      'config: configuration reloaded live: time.status_interval',
      'failover-halt: failover halted: every runner failed db',
      'admin: admin \'promote b\' from 127.0.0.1:5000: exit 0',
      'node: node started',
      'node: node stopping: SIGTERM',
    ]);
    expect(seen[2].data).toEqual({ command: 'promote', args: ['b'], from: '127.0.0.1:5000', exitCode: 0, forwarded: false });
  });

  it('records fencing through an interceptor: the elector still sees no fencing plugin when none is loaded', async () => {
    const { hooks, seen } = setup();
    expect(hooks.onFence.taps.length).toBe(0);
    await hooks.onFence.promise({ nodeId: 'id-b', name: 'b', addresses: ['10.0.0.2:42012'], silentForMs: 4000 });
    hooks.onFence.tapPromise('fencer', async () => ({ ok: true, detail: 'powered off' }));
    await hooks.onFence.promise({ nodeId: 'id-b', name: 'b', addresses: [], silentForMs: 4100 });
    expect(seen.map((e) => e.message)).toEqual([
      'fencing b, silent for 4000 ms',
      'fencing b failed: no fencing plugin answered',
      'fencing b, silent for 4100 ms',
      'fencing b done: powered off',
    ]);
  });

  it('answers queries from memory: after a sequence number, since a time, the newest N, at most N', async () => {
    const { hooks, clock, recorder } = setup();
    for (let i = 0; i < 5; i++) {
      clock.advance(1000);
      hooks.onMembershipChange.call({ change: 'joined', nodeId: `id-${i}`, name: `n${i}`, flags: 1 });
    }
    const seqs = async (q: Parameters<typeof recorder.query>[0]) => (await recorder.query(q)).map((e) => e.seq);
    expect(await seqs({})).toEqual([1, 2, 3, 4, 5]);
    expect(await seqs({ after: 3 })).toEqual([4, 5]);
    expect(await seqs({ since: clock.wallNow() - 2000 })).toEqual([3, 4, 5]);
    expect(await seqs({ tail: 2 })).toEqual([4, 5]);
    expect(await seqs({ limit: 2 })).toEqual([1, 2]);
    expect(recorder.lastSeq()).toBe(5);
  });

  it('a throwing onEvent tap is isolated: the others still get the event', () => {
    const { hooks, seen, log } = setup();
    hooks.onEvent.tap('bad-alerter', () => { throw new Error('smtp down'); });
    const later: ClusterEvent[] = [];
    hooks.onEvent.tap('good-alerter', (e) => { later.push(e); });
    hooks.onStateChange.call({ from: 'Live', to: 'Slave', reason: 'master elected' });
    expect(seen).toHaveLength(1);
    expect(later).toHaveLength(1);
    expect(log.find('error', 'plugin bad-alerter failed in onEvent: smtp down')).toHaveLength(1);
  });
});
