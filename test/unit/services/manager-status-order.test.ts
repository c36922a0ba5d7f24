/**
 * Status codes and their corrective transitions, priority ordering checked
 * with timestamps, per-event timeouts and a stop aborting a long start —
 * all with real shell scripts.
 */
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { ServiceEventName, TargetAction } from '../../../plugin-api';
import { cleanup, harness, serviceDir, sleep, stateOf, tempDir, testConfig, waitFor, type Harness } from './helpers';

let folder: string;
let work: string;
let h: Harness | undefined;

beforeEach(() => {
  folder = tempDir();
  work = tempDir('koi-work-');
});

afterEach(async () => {
  await h?.manager.close();
  h = undefined;
  cleanup(folder);
  cleanup(work);
});

function eventsIn(log: string): string[] {
  return existsSync(log) ? readFileSync(log, 'utf8').trim().split('\n').filter(Boolean) : [];
}

async function settle(target: TargetAction, timeoutMs = 5000): Promise<void> {
  h!.manager.setTarget(target);
  await waitFor(() => h!.manager.settled(), `settled at ${target}`, timeoutMs);
}

describe('status exit codes', () => {
  let codeFile: string;
  let log: string;

  beforeEach(() => {
    log = join(work, 'events.log');
    const dir = serviceDir(folder, 'svc', {
      start: `echo start >> ${log}`,
      promote: `echo promote >> ${log}`,
      demote: `echo demote >> ${log}`,
      stop: `echo stop >> ${log}`,
      status: 'exit $(cat code)',
    });
    codeFile = join(dir, 'code');
    writeFileSync(codeFile, '0');
    h = harness(testConfig(folder, {}, 80));
    h.manager.start();
  });

  const setCode = (code: number): void => writeFileSync(codeFile, String(code));
  const statusCount = (): number => h!.reports.filter((r) => r.event === 'status').length;
  const nextStatus = async (): Promise<void> => {
    const seen = statusCount();
    await waitFor(() => statusCount() > seen + 1, 'two more status rounds');
  };

  test('0 and 91 are promotable, 93 (live, syncing) is not', async () => {
    await settle('Start');
    await waitFor(() => h!.manager.promotable(), 'promotable with 0');
    setCode(93);
    await nextStatus();
    expect(h!.manager.promotable()).toBe(false);
    expect(stateOf(h!.manager, 'svc')).toBe('Started');
    setCode(91);
    await nextStatus();
    expect(h!.manager.promotable()).toBe(true);
    expect(eventsIn(log)).toEqual(['start']);
  });

  test('92 while the target is Start starts the service again', async () => {
    await settle('Start');
    setCode(92);
    await waitFor(() => eventsIn(log).length >= 2, 'a second start');
    setCode(0);
    await waitFor(() => h!.manager.settled(), 'settled again');
    expect(eventsIn(log).slice(0, 2)).toEqual(['start', 'start']);
    expect(h!.logger.find('info', 'Transition[Started -> Stopped]: status exited with 92 (stopped)').length).toBeGreaterThan(0);
    expect(h!.failures).toEqual([]);
  });

  test('90 while the target is Start demotes; 91 while the target is Promote promotes again; 90 there is fine', async () => {
    await settle('Start');
    setCode(90);
    await waitFor(() => eventsIn(log).includes('demote'), 'the corrective demote');
    setCode(91);
    await settle('Promote');
    await nextStatus(); // 91 while promoted: promote again
    await waitFor(() => eventsIn(log).filter((e) => e === 'promote').length >= 2, 'a second promote');
    setCode(90);
    await nextStatus();
    const promotes = eventsIn(log).filter((e) => e === 'promote').length;
    await nextStatus();
    expect(eventsIn(log).filter((e) => e === 'promote').length).toBe(promotes);
    expect(stateOf(h!.manager, 'svc')).toBe('Promoted');
    expect(h!.failures).toEqual([]);
  });

  test.each([1, 42])('%i is an error: the service fails and the failure is reported', async (code) => {
    await settle('Start');
    setCode(code);
    await waitFor(() => h!.failures.length > 0, 'a failure');
    expect(h!.failures).toEqual([{ service: 'svc', reason: `svc: status exited with code ${code}` }]);
    expect(stateOf(h!.manager, 'svc')).toBe('Failed');
    expect(h!.manager.promotable()).toBe(false);
  });
});

describe('ordering by priority', () => {
  test('start and promote ascending, demote and stop descending, unprioritised services independent', async () => {
    const log = join(work, 'order.log');
    const body = `echo "B $KOI_EVENT $KOI_SERVICE $(date +%s%N)" >> ${log}; sleep 0.15; echo "E $KOI_EVENT $KOI_SERVICE $(date +%s%N)" >> ${log}`;
    const scripts = { start: body, stop: body, promote: body, demote: body };
    for (const name of ['30-c', '10-a', '20-b', 'free']) serviceDir(folder, name, scripts);
    h = harness(testConfig(folder, {}, 60_000));
    h.manager.start();
    for (const target of ['Start', 'Promote', 'Demote', 'Stop'] as const) await settle(target);

    const marks = eventsIn(log).map((line) => {
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
    const gate = join(work, 'gate');
    serviceDir(folder, '10-slow', { start: `while [ ! -f ${gate} ]; do sleep 0.05; done` });
    serviceDir(folder, '20-next', {});
    h = harness(testConfig(folder, {}, 60_000));
    h.manager.start();
    h.manager.setTarget('Start');
    await waitFor(() => stateOf(h!.manager, '10-slow') === 'Starting', '10-slow starting');
    await sleep(200);
    expect(stateOf(h.manager, '20-next')).toBe('Stopped');
    expect(h.manager.settled()).toBe(false);
    writeFileSync(gate, '');
    await waitFor(() => h!.manager.settled(), 'both started');
    expect(stateOf(h.manager, '20-next')).toBe('Started');
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
    serviceDir(folder, 'hang', { [event]: 'sleep 30' });
    h = harness(testConfig(folder, { [`${event}_timeout`]: 300, kill_grace: 100 }, 60_000));
    h.manager.start();
    const targets = paths[event];
    for (const target of targets.slice(0, -1)) await settle(target);
    h.manager.setTarget(targets[targets.length - 1]!);
    await waitFor(() => h!.reports.some((r) => r.event === event), `the ${event} report`);
    const report = h.reports.find((r) => r.event === event)!;
    expect(report.ok).toBe(false);
    expect(report.result.timedOut).toBe(true);
    expect(report.result.durationMs).toBeLessThan(3000);
    if (event === 'failed') {
      // Failing already: logged, not reported again; the stop still runs and the service rests Failed.
      await waitFor(() => h!.manager.settled(), 'the Fail sequence done');
      expect(h.reports.map((r) => r.event)).toEqual(['start', 'status', 'failed', 'stop']);
      expect(h.failures).toEqual([]);
      expect(h.logger.find('error', 'failed event did not succeed: failed timed out after 300 ms')).toHaveLength(1);
    } else {
      await waitFor(() => h!.failures.length > 0, 'the failure');
      expect(h.failures).toEqual([{ service: 'hang', reason: `hang: ${event} timed out after 300 ms` }]);
      expect(stateOf(h.manager, 'hang')).toBe('Failed');
    }
  });
});

describe('a stop request aborts running events', () => {
  test('a long start is aborted by Stop and the service is stopped at once', async () => {
    const log = join(work, 'abort.log');
    serviceDir(folder, 'long', { start: 'sleep 30', stop: `echo stop >> ${log}` });
    h = harness(testConfig(folder, { start_timeout: 20_000, kill_grace: 100 }, 60_000));
    h.manager.start();
    h.manager.setTarget('Start');
    await waitFor(() => stateOf(h!.manager, 'long') === 'Starting', 'starting');
    await sleep(100);
    await settle('Stop', 3000);
    const start = h.reports.find((r) => r.event === 'start')!;
    expect(start.result.aborted).toBe(true);
    expect(start.result.durationMs).toBeLessThan(3000);
    expect(eventsIn(log)).toEqual(['stop']); // an aborted start may have half-started: stop runs
    expect(stateOf(h.manager, 'long')).toBe('Stopped');
    expect(h.failures).toEqual([]);
  });

  test('a long promote is aborted by Stop: demote then stop', async () => {
    const log = join(work, 'abort.log');
    serviceDir(folder, 'long', { promote: 'sleep 30', demote: `echo demote >> ${log}`, stop: `echo stop >> ${log}` });
    h = harness(testConfig(folder, { promote_timeout: 20_000, kill_grace: 100 }, 60_000));
    h.manager.start();
    await settle('Start');
    h.manager.setTarget('Promote');
    await waitFor(() => stateOf(h!.manager, 'long') === 'Promoting', 'promoting');
    await settle('Stop', 3000);
    expect(h.reports.find((r) => r.event === 'promote')!.result.aborted).toBe(true);
    expect(eventsIn(log)).toEqual(['demote', 'stop']);
    expect(h.failures).toEqual([]);
  });

  test('a hanging status is aborted by Stop', async () => {
    serviceDir(folder, 'slowstatus', { status: 'sleep 30' });
    h = harness(testConfig(folder, { status_timeout: 20_000, kill_grace: 100 }, 60_000));
    h.manager.start();
    await settle('Start');
    await waitFor(() => h!.logger.records.length > 0 && stateOf(h!.manager, 'slowstatus') === 'Started', 'started');
    await sleep(100);
    await settle('Stop', 3000);
    await waitFor(() => h!.reports.some((r) => r.event === 'status'), 'the status report');
    expect(h.reports.find((r) => r.event === 'status')!.result.aborted).toBe(true);
    expect(h.failures).toEqual([]);
  });
});
