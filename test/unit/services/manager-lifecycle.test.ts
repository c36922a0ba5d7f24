/**
 * The service manager with real shell scripts: every event, the environment,
 * working directories, null and single-script services, missing scripts,
 * crashes, maintenance mode, disabled services, folder changes, ignored names.
 */
import { existsSync, mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { harness, readLines, script, serviceDir, stateOf, testConfig, useServiceFixture, waitFor } from './helpers';

const fx = useServiceFixture();

/** A script body that appends one line about the event to `log`. */
function record(log: string): string {
  return `echo "$KOI_EVENT|$KOI_SERVICE|$KOI_IS_PROMOTED|$KOI_STATE|$KOI_NODE_NAME|$KOI_NODE_ID|$KOI_MASTER|$(pwd)|$1" >> ${log}`;
}

function events(log: string): string[] {
  return readLines(log).map((l) => l.split('|')[0]!);
}

test('every event runs its script with the environment and working directory of SPEC §6', async () => {
  const log = join(fx.work, 'events.log');
  const all = Object.fromEntries(['start', 'stop', 'status', 'promote', 'demote', 'failed'].map((e) => [e, record(log)]));
  const dir = serviceDir(fx.folder, '10-app', all);
  fx.h = harness(testConfig(fx.folder, {}, 60_000));
  fx.h.manager.setContext({ state: 'Live', promoted: false, masterName: 'node-b' });
  fx.h.manager.start();
  await fx.settle('Start');
  await waitFor(() => fx.h!.manager.promotable(), 'the status check after start');
  expect(events(log)).toEqual(['start', 'status']);

  fx.h.manager.setContext({ state: 'Master', promoted: true, masterName: 'node-a' });
  await fx.settle('Promote');
  expect(fx.h.manager.anyPromoted()).toBe(true);
  await fx.settle('Demote');
  await fx.settle('Stop');
  expect(fx.h.manager.anyPromoted()).toBe(false);
  await fx.settle('Start');
  await waitFor(() => fx.h!.manager.promotable(), 'the status check after the second start');
  await fx.settle('Fail');

  expect(events(log)).toEqual(['start', 'status', 'promote', 'demote', 'stop', 'start', 'status', 'failed', 'stop']);
  const [event, service, promoted, state, nodeName, nodeId, master, cwd, arg] = readLines(log)[0]!.split('|');
  expect({ event, service, promoted, state, nodeName, nodeId, master, cwd, arg })
    .toEqual({ event: 'start', service: '10-app', promoted: '0', state: 'Live', nodeName: 'node-a', nodeId: 'id-a', master: 'node-b', cwd: dir, arg: '' });
  const promote = readLines(log)[2]!.split('|');
  expect(promote.slice(0, 7)).toEqual(['promote', '10-app', '1', 'Master', 'node-a', 'id-a', 'node-a']);
  expect(stateOf(fx.h.manager, '10-app')).toBe('Failed');
  expect(fx.h.failures).toEqual([]); // the Fail target was the runner's decision, not a new failure

  // Every event fired onServiceEvent with its result and duration.
  const reported = fx.h.reports.filter((r) => r.service === '10-app').map((r) => r.event);
  expect(reported).toEqual(['start', 'status', 'promote', 'demote', 'stop', 'start', 'status', 'failed', 'stop']);
  for (const r of fx.h.reports) {
    expect(r.ok).toBe(true);
    expect(r.presumed).toBe(false);
    expect(r.result.durationMs).toBeGreaterThan(0);
  }
});

test('a single-script service gets the event as $1 and runs in service.workingdir', async () => {
  const log = join(fx.work, 'single.log');
  script(join(fx.folder, 'solo'), record(log));
  fx.h = harness(testConfig(fx.folder, { workingdir: fx.work }, 60_000));
  fx.h.manager.start();
  await fx.settle('Start');
  await waitFor(() => fx.h!.manager.promotable(), 'the status check after start');
  await fx.settle('Promote');
  await fx.settle('Stop');
  const seen = readLines(log).map((l) => l.split('|'));
  expect(seen.map((f) => f[8])).toEqual(['start', 'status', 'promote', 'demote', 'stop']);
  expect(seen.map((f) => f[0])).toEqual(['start', 'status', 'promote', 'demote', 'stop']);
  expect(new Set(seen.map((f) => f[7]))).toEqual(new Set([fx.work]));
});

test('missing scripts are instant successes and an empty directory is a valid null service', async () => {
  mkdirSync(join(fx.folder, 'null'));
  const log = join(fx.work, 'partial.log');
  serviceDir(fx.folder, 'partial', { status: `${record(log)}\nexit 91` });
  fx.h = harness(testConfig(fx.folder, {}, 60_000));
  fx.h.manager.start();
  await fx.settle('Start');
  await waitFor(() => fx.h!.manager.promotable(), 'promotable after the first status');
  await fx.settle('Promote');
  expect(fx.h.manager.summary()).toEqual([{ name: 'null', state: 'Promoted' }, { name: 'partial', state: 'Promoted' }]);
  await fx.settle('Stop');
  expect(events(log)).toEqual(['status']);
  const nullEvents = fx.h.reports.filter((r) => r.service === 'null');
  expect(nullEvents.map((r) => r.event)).toEqual(['start', 'status', 'promote', 'demote', 'stop']);
  expect(nullEvents.every((r) => r.ok && r.result.durationMs === 0)).toBe(true);
});

test('a crashing start fails the service and reports the failure; Fail runs failed then stop; Start retries', async () => {
  const log = join(fx.work, 'crash.log');
  const flag = join(fx.work, 'crash');
  writeFileSync(flag, '');
  serviceDir(fx.folder, 'crashy', {
    start: `${record(log)}\n[ -f ${flag} ] && kill -SEGV $$\nexit 0`,
    stop: record(log),
    failed: record(log),
  });
  fx.h = harness(testConfig(fx.folder, {}, 60_000));
  fx.h.manager.start();
  fx.h.manager.setTarget('Start');
  await waitFor(() => fx.h!.failures.length > 0, 'the failure report');
  expect(fx.h.failures[0]!.service).toBe('crashy');
  expect(fx.h.failures[0]!.reason).toMatch(/start exited with code -1/);
  expect(stateOf(fx.h.manager, 'crashy')).toBe('Failed');
  expect(fx.h.manager.settled()).toBe(false);
  expect(fx.h.manager.promotable()).toBe(false);

  await fx.settle('Fail');
  expect(events(log)).toEqual(['start', 'failed', 'stop']);
  rmSync(flag);
  await fx.settle('Start');
  expect(stateOf(fx.h.manager, 'crashy')).toBe('Started');
  expect(events(log)).toEqual(['start', 'failed', 'stop', 'start']);
});

test('a failing script (exit 3) fails the service once; it is not retried until the target changes', async () => {
  const log = join(fx.work, 'fail.log');
  serviceDir(fx.folder, 'bad', { start: `${record(log)}\nexit 3` });
  fx.h = harness(testConfig(fx.folder, {}, 100));
  fx.h.manager.start();
  fx.h.manager.setTarget('Start');
  await waitFor(() => fx.h!.failures.length > 0, 'the failure report');
  await new Promise((r) => setTimeout(r, 400)); // a few status rounds
  expect(events(log)).toEqual(['start']);
  expect(fx.h.failures).toHaveLength(1);
  expect(fx.h.failures[0]!.reason).toBe('bad: start exited with code 3');
});

test('maintenance mode runs no script and presumes every event successful', async () => {
  const marker = join(fx.work, 'ran');
  const all = Object.fromEntries(['start', 'stop', 'status', 'promote', 'demote', 'failed'].map((e) => [e, `touch ${marker}`]));
  serviceDir(fx.folder, 'guarded', all);
  fx.h = harness(testConfig(fx.folder, {}, 100));
  fx.h.manager.setMaintenance(true);
  fx.h.manager.start();
  await fx.settle('Start');
  await fx.settle('Promote');
  await new Promise((r) => setTimeout(r, 250)); // status rounds run presumed too
  await fx.settle('Stop');
  await fx.settle('Fail');
  expect(existsSync(marker)).toBe(false);
  const seen = new Set(fx.h.reports.map((r) => r.event));
  expect(seen).toEqual(new Set(['start', 'status', 'promote', 'demote', 'stop', 'failed']));
  expect(fx.h.reports.every((r) => r.presumed && r.ok)).toBe(true);
  expect(fx.h.logger.find('warn', 'maintenance mode on')).toHaveLength(1);
});

test('a disabled service is stopped, never started again, shown disabled, and is no failure of the node', async () => {
  const log = join(fx.work, 'dis.log');
  const dir = serviceDir(fx.folder, 'victim', { start: record(log), stop: record(log) });
  serviceDir(fx.folder, 'other', { start: record(log) });
  fx.h = harness(testConfig(fx.folder, {}, 100));
  fx.h.manager.start();
  await fx.settle('Start');
  writeFileSync(join(dir, 'disabled'), '');
  await waitFor(() => fx.h!.logger.find('warn', 'victim is disabled').length > 0, 'the disabled warning');
  await waitFor(() => fx.h!.manager.settled() && stateOf(fx.h!.manager, 'victim') === 'Stopped', 'settled with the disabled service stopped');
  expect(fx.h.failures).toEqual([]);
  expect(fx.h.manager.summary()).toContainEqual({ name: 'victim', state: 'Stopped', disabled: true });
  expect(fx.h.manager.promotable()).toBe(true);

  // The runner fails and recovers for another reason: the disabled service stays down, still no failure from it.
  await fx.settle('Fail');
  await fx.settle('Start');
  await new Promise((r) => setTimeout(r, 250));
  expect(stateOf(fx.h.manager, 'victim')).toBe('Stopped');
  expect(fx.h.failures).toEqual([]);
  const pairs = readLines(log).map((l) => l.split('|').slice(0, 2).join(' '));
  expect(pairs.filter((p) => p === 'start victim')).toHaveLength(1);
  expect(pairs.filter((p) => p === 'stop victim')).toHaveLength(1);
  expect(pairs.filter((p) => p === 'start other')).toHaveLength(2); // before and after the Fail target

  // Enabled again: started with the next round.
  rmSync(join(dir, 'disabled'));
  await waitFor(() => stateOf(fx.h!.manager, 'victim') === 'Started', 'victim started again');
  expect(fx.h.manager.summary()).toContainEqual({ name: 'victim', state: 'Started' });
});

test('services added and removed while running join and leave', async () => {
  const log = join(fx.work, 'dyn.log');
  serviceDir(fx.folder, 'first', { start: record(log) });
  fx.h = harness(testConfig(fx.folder, {}, 100));
  fx.h.manager.start();
  await fx.settle('Start');
  serviceDir(fx.folder, 'second', { start: record(log) });
  await waitFor(() => stateOf(fx.h!.manager, 'second') === 'Started', 'the added service started');
  rmSync(join(fx.folder, 'first'), { recursive: true });
  await waitFor(() => stateOf(fx.h!.manager, 'first') === undefined, 'the removed service dropped');
  expect(fx.h.manager.summary()).toEqual([{ name: 'second', state: 'Started' }]);
  expect(fx.h.logger.find('warn', 'removed from the folder while Started')).toHaveLength(1);
  expect(fx.h.logger.find('info', 'service second added')).toHaveLength(1);

  // A changed script is noticed and logged.
  script(join(fx.folder, 'second', 'start'), `${record(log)}\necho changed`);
  await waitFor(() => fx.h!.logger.find('info', 'service second changed').length > 0, 'the change log');
});

test('ignored names are warned about once each, however many rescans', async () => {
  for (const name of ['app.rpmsave', 'backup~', '#draft#']) mkdirSync(join(fx.folder, name));
  mkdirSync(join(fx.folder, 'real'));
  fx.h = harness(testConfig(fx.folder, {}, 50));
  fx.h.manager.start();
  await fx.settle('Start');
  await new Promise((r) => setTimeout(r, 300));
  expect(fx.h.manager.summary()).toEqual([{ name: 'real', state: 'Started' }]);
  const warnings = fx.h.logger.find('warn', 'ignoring');
  expect(warnings.map((w) => w.msg).sort()).toEqual([
    `ignoring ${join(fx.folder, '#draft#')}: name is of the form #name#`,
    `ignoring ${join(fx.folder, 'app.rpmsave')}: name contains "."`,
    `ignoring ${join(fx.folder, 'backup~')}: name ends in "~"`,
  ]);
});
