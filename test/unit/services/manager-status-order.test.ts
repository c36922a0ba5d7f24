/**
 * Status codes and their corrective transitions, priority ordering checked
 * with timestamps, per-event timeouts and a stop aborting a long start —
 * all with real shell scripts.
 */
import { renameSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { ServiceEventName, TargetAction } from '../../../plugin-api';
import { harness, readLines, serviceDir, sleep, stateOf, testConfig, useServiceFixture, waitFor } from './helpers';

const fx = useServiceFixture();

describe('status exit codes', () => {
  let codeFile: string;
  let log: string;

  beforeEach(() => {
    log = join(fx.work, 'events.log');
    const dir = serviceDir(fx.folder, 'svc', {
      start: `echo start >> ${log}`,
      promote: `echo promote >> ${log}`,
      demote: `echo demote >> ${log}`,
      stop: `echo stop >> ${log}`,
      status: 'exit $(cat code)',
    });
    codeFile = join(dir, 'code');
    writeFileSync(codeFile, '0');
    fx.h = harness(testConfig(fx.folder, {}, 80));
    fx.h.manager.start();
  });

  // Written aside and renamed: a status run reading the file mid-write must see the old code or the new, never a torn one.
  const setCode = (code: number): void => {
    writeFileSync(`${codeFile}.new`, String(code));
    renameSync(`${codeFile}.new`, codeFile);
  };
  const statusCount = (): number => fx.h!.reports.filter((r) => r.event === 'status').length;
  const nextStatus = async (): Promise<void> => {
    const seen = statusCount();
    await waitFor(() => statusCount() > seen + 1, 'two more status rounds');
  };

  test('0 and 91 are promotable, 93 (live, syncing) is not', async () => {
    await fx.settle('Start');
    await waitFor(() => fx.h!.manager.promotable(), 'promotable with 0');
    setCode(93);
    await nextStatus();
    expect(fx.h!.manager.promotable()).toBe(false);
    expect(stateOf(fx.h!.manager, 'svc')).toBe('Started');
    setCode(91);
    await nextStatus();
    expect(fx.h!.manager.promotable()).toBe(true);
    expect(readLines(log)).toEqual(['start']);
  });

  test('92 while the target is Start starts the service again', async () => {
    await fx.settle('Start');
    setCode(92);
    await waitFor(() => readLines(log).length >= 2, 'a second start');
    setCode(0);
    await waitFor(() => fx.h!.manager.settled(), 'settled again');
    expect(readLines(log).slice(0, 2)).toEqual(['start', 'start']);
    expect(fx.h!.logger.find('info', 'Transition[Started -> Stopped]: status exited with 92 (stopped)').length).toBeGreaterThan(0);
    expect(fx.h!.failures).toEqual([]);
  });

  test('90 while the target is Start demotes; 91 while the target is Promote promotes again; 90 there is fine', async () => {
    await fx.settle('Start');
    setCode(90);
    await waitFor(() => readLines(log).includes('demote'), 'the corrective demote');
    setCode(91);
    await fx.settle('Promote');
    await nextStatus(); // 91 while promoted: promote again
    await waitFor(() => readLines(log).filter((e) => e === 'promote').length >= 2, 'a second promote');
    setCode(90);
    await nextStatus();
    const promotes = readLines(log).filter((e) => e === 'promote').length;
    await nextStatus();
    expect(readLines(log).filter((e) => e === 'promote').length).toBe(promotes);
    expect(stateOf(fx.h!.manager, 'svc')).toBe('Promoted');
    expect(fx.h!.failures).toEqual([]);
  });

  test.each([1, 42])('%i is an error: the service fails and the failure is reported', async (code) => {
    await fx.settle('Start');
    setCode(code);
    await waitFor(() => fx.h!.failures.length > 0, 'a failure');
    expect(fx.h!.failures).toEqual([{ service: 'svc', reason: `svc: status exited with code ${code}` }]);
    expect(stateOf(fx.h!.manager, 'svc')).toBe('Failed');
    expect(fx.h!.manager.promotable()).toBe(false);
  });
});

describe('ordering by priority', () => {
  test('start and promote ascending, demote and stop descending, unprioritised services independent', async () => {
    const log = join(fx.work, 'order.log');
    const body = `echo "B $KOI_EVENT $KOI_SERVICE $(date +%s%N)" >> ${log}; sleep 0.15; echo "E $KOI_EVENT $KOI_SERVICE $(date +%s%N)" >> ${log}`;
    const scripts = { start: body, stop: body, promote: body, demote: body };
    for (const name of ['30-c', '10-a', '20-b', 'free']) serviceDir(fx.folder, name, scripts);
    fx.h = harness(testConfig(fx.folder, {}, 60_000));
    fx.h.manager.start();
    for (const target of ['Start', 'Promote', 'Demote', 'Stop'] as const) await fx.settle(target);

    const marks = readLines(log).map((line) => {
      const [edge, event, service, ns] = line.split(' ');
      return { edge: edge!, event: event!, service: service!, t: Number(BigInt(ns!) / 1000n) };
    });
    const at = (edge: string, event: string, service: string): number => {
      const mark = marks.find((m) => m.edge === edge && m.event === event && m.service === service);
      if (!mark) throw new Error(`no ${edge} ${event} ${service} in ${JSON.stringify(marks)}`);
      return mark.t;
    };
    const inOrder = (event: string, services: string[]): void => {
      for (let i = 1; i < services.length; i += 1) {
        expect(at('E', event, services[i - 1]!)).toBeLessThanOrEqual(at('B', event, services[i]!));
      }
    };
    inOrder('start', ['10-a', '20-b', '30-c']);
    inOrder('promote', ['10-a', '20-b', '30-c']);
    inOrder('demote', ['30-c', '20-b', '10-a']);
    inOrder('stop', ['30-c', '20-b', '10-a']);
    // The unprioritised service waits for nobody: it started before the first prioritised one finished.
    expect(at('B', 'start', 'free')).toBeLessThan(at('E', 'start', '10-a'));
    expect(at('B', 'stop', 'free')).toBeLessThan(at('E', 'stop', '30-c'));
  });

  test('a service waits while a lower-priority one is not started', async () => {
    const gate = join(fx.work, 'gate');
    serviceDir(fx.folder, '10-slow', { start: `while [ ! -f ${gate} ]; do sleep 0.05; done` });
    serviceDir(fx.folder, '20-next', {});
    fx.h = harness(testConfig(fx.folder, {}, 60_000));
    fx.h.manager.start();
    fx.h.manager.setTarget('Start');
    await waitFor(() => stateOf(fx.h!.manager, '10-slow') === 'Starting', '10-slow starting');
    await sleep(200);
    expect(stateOf(fx.h.manager, '20-next')).toBe('Stopped');
    expect(fx.h.manager.settled()).toBe(false);
    writeFileSync(gate, '');
    await waitFor(() => fx.h!.manager.settled(), 'both started');
    expect(stateOf(fx.h.manager, '20-next')).toBe('Started');
  });
});

describe('timeouts', () => {
  const paths: Record<ServiceEventName, TargetAction[]> = {
    start: ['Start'],
    status: ['Start'],
    promote: ['Start', 'Promote'],
    demote: ['Start', 'Promote', 'Demote'],
    stop: ['Start', 'Stop'],
    failed: ['Start', 'Fail'],
  };

  test.each(Object.keys(paths) as ServiceEventName[])('a hanging %s is killed after its timeout and counts as failed', async (event) => {
    serviceDir(fx.folder, 'hang', { [event]: 'sleep 30' });
    fx.h = harness(testConfig(fx.folder, { [`${event}_timeout`]: 300, kill_grace: 100 }, 60_000));
    fx.h.manager.start();
    const targets = paths[event];
    for (const target of targets.slice(0, -1)) await fx.settle(target);
    fx.h.manager.setTarget(targets[targets.length - 1]!);
    await waitFor(() => fx.h!.reports.some((r) => r.event === event), `the ${event} report`);
    const report = fx.h.reports.find((r) => r.event === event)!;
    expect(report.ok).toBe(false);
    expect(report.result.timedOut).toBe(true);
    expect(report.result.durationMs).toBeLessThan(3000);
    if (event === 'failed') {
      // Failing already: logged, not reported again; the stop still runs and the service rests Failed.
      await waitFor(() => fx.h!.manager.settled(), 'the Fail sequence done');
      expect(fx.h.reports.map((r) => r.event)).toEqual(['start', 'status', 'failed', 'stop']);
      expect(fx.h.failures).toEqual([]);
      expect(fx.h.logger.find('error', 'failed event did not succeed: failed timed out after 300 ms')).toHaveLength(1);
    } else {
      await waitFor(() => fx.h!.failures.length > 0, 'the failure');
      expect(fx.h.failures).toEqual([{ service: 'hang', reason: `hang: ${event} timed out after 300 ms` }]);
      expect(stateOf(fx.h.manager, 'hang')).toBe('Failed');
    }
  });
});

describe('a stop request aborts running events', () => {
  test('a long start is aborted by Stop and the service is stopped at once', async () => {
    const log = join(fx.work, 'abort.log');
    serviceDir(fx.folder, 'long', { start: 'sleep 30', stop: `echo stop >> ${log}` });
    fx.h = harness(testConfig(fx.folder, { start_timeout: 20_000, kill_grace: 100 }, 60_000));
    fx.h.manager.start();
    fx.h.manager.setTarget('Start');
    await waitFor(() => stateOf(fx.h!.manager, 'long') === 'Starting', 'starting');
    await sleep(100);
    await fx.settle('Stop', 3000);
    const start = fx.h.reports.find((r) => r.event === 'start')!;
    expect(start.result.aborted).toBe(true);
    expect(start.result.durationMs).toBeLessThan(3000);
    expect(readLines(log)).toEqual(['stop']); // an aborted start may have half-started: stop runs
    expect(stateOf(fx.h.manager, 'long')).toBe('Stopped');
    expect(fx.h.failures).toEqual([]);
  });

  test('a long promote is aborted by Stop: demote then stop', async () => {
    const log = join(fx.work, 'abort.log');
    serviceDir(fx.folder, 'long', { promote: 'sleep 30', demote: `echo demote >> ${log}`, stop: `echo stop >> ${log}` });
    fx.h = harness(testConfig(fx.folder, { promote_timeout: 20_000, kill_grace: 100 }, 60_000));
    fx.h.manager.start();
    await fx.settle('Start');
    fx.h.manager.setTarget('Promote');
    await waitFor(() => stateOf(fx.h!.manager, 'long') === 'Promoting', 'promoting');
    await fx.settle('Stop', 3000);
    expect(fx.h.reports.find((r) => r.event === 'promote')!.result.aborted).toBe(true);
    expect(readLines(log)).toEqual(['demote', 'stop']);
    expect(fx.h.failures).toEqual([]);
  });

  test('a hanging status is aborted by Stop', async () => {
    serviceDir(fx.folder, 'slowstatus', { status: 'sleep 30' });
    fx.h = harness(testConfig(fx.folder, { status_timeout: 20_000, kill_grace: 100 }, 60_000));
    fx.h.manager.start();
    await fx.settle('Start');
    await waitFor(() => fx.h!.logger.records.length > 0 && stateOf(fx.h!.manager, 'slowstatus') === 'Started', 'started');
    await sleep(100);
    await fx.settle('Stop', 3000);
    await waitFor(() => fx.h!.reports.some((r) => r.event === 'status'), 'the status report');
    expect(fx.h.reports.find((r) => r.event === 'status')!.result.aborted).toBe(true);
    expect(fx.h.failures).toEqual([]);
  });
});
