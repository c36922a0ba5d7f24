/**
 * The service manager with real shell scripts: every event, the environment,
 * working directories, null and single-script services, missing scripts,
 * crashes, maintenance mode, disabled services, folder changes, ignored names.
 */
import { existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { cleanup, harness, script, serviceDir, stateOf, tempDir, testConfig, waitFor, type Harness } from './helpers';

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

/** A script body that appends one line about the event to `log`. */
function record(log: string): string {
  return `echo "$KOI_EVENT|$KOI_SERVICE|$KOI_IS_PROMOTED|$KOI_STATE|$KOI_NODE_NAME|$KOI_NODE_ID|$KOI_MASTER|$(pwd)|$1" >> ${log}`;
}

function lines(log: string): string[] {
  return existsSync(log) ? readFileSync(log, 'utf8').trim().split('\n').filter(Boolean) : [];
}

function events(log: string): string[] {
  return lines(log).map((l) => l.split('|')[0]!);
}

async function settle(target: 'Start' | 'Promote' | 'Demote' | 'Stop' | 'Fail'): Promise<void> {
  h!.manager.setTarget(target);
  await waitFor(() => h!.manager.settled(), `services settled at ${target}`);
}

test('every event runs its script with the environment and working directory of SPEC §6', async () => {
  const log = join(work, 'events.log');
  const all = Object.fromEntries(['start', 'stop', 'status', 'promote', 'demote', 'failed'].map((e) => [e, record(log)]));
  const dir = serviceDir(folder, '10-app', all);
  h = harness(testConfig(folder, {}, 60_000));
  h.manager.setContext({ state: 'Live', promoted: false, masterName: 'node-b' });
  h.manager.start();
  await settle('Start');
  await waitFor(() => h!.manager.promotable(), 'the status check after start');
  expect(events(log)).toEqual(['start', 'status']);

  h.manager.setContext({ state: 'Master', promoted: true, masterName: 'node-a' });
  await settle('Promote');
  expect(h.manager.anyPromoted()).toBe(true);
  await settle('Demote');
  await settle('Stop');
  expect(h.manager.anyPromoted()).toBe(false);
  await settle('Start');
  await waitFor(() => h!.manager.promotable(), 'the status check after the second start');
  await settle('Fail');

  expect(events(log)).toEqual(['start', 'status', 'promote', 'demote', 'stop', 'start', 'status', 'failed', 'stop']);
  const [event, service, promoted, state, nodeName, nodeId, master, cwd, arg] = lines(log)[0]!.split('|');
  expect({ event, service, promoted, state, nodeName, nodeId, master, cwd, arg })
    .toEqual({ event: 'start', service: '10-app', promoted: '0', state: 'Live', nodeName: 'node-a', nodeId: 'id-a', master: 'node-b', cwd: dir, arg: '' });
  const promote = lines(log)[2]!.split('|');
  expect(promote.slice(0, 7)).toEqual(['promote', '10-app', '1', 'Master', 'node-a', 'id-a', 'node-a']);
  expect(stateOf(h.manager, '10-app')).toBe('Failed');
  expect(h.failures).toEqual([]); // the Fail target was the runner's decision, not a new failure

  // Every event fired onServiceEvent with its result and duration.
  const reported = h.reports.filter((r) => r.service === '10-app').map((r) => r.event);
  expect(reported).toEqual(['start', 'status', 'promote', 'demote', 'stop', 'start', 'status', 'failed', 'stop']);
  for (const r of h.reports) {
    expect(r.ok).toBe(true);
    expect(r.presumed).toBe(false);
    expect(r.result.durationMs).toBeGreaterThan(0);
  }
});

test('a single-script service gets the event as $1 and runs in service.workingdir', async () => {
  const log = join(work, 'single.log');
  script(join(folder, 'solo'), record(log));
  h = harness(testConfig(folder, { workingdir: work }, 60_000));
  h.manager.start();
  await settle('Start');
  await waitFor(() => h!.manager.promotable(), 'the status check after start');
  await settle('Promote');
  await settle('Stop');
  const seen = lines(log).map((l) => l.split('|'));
  expect(seen.map((f) => f[8])).toEqual(['start', 'status', 'promote', 'demote', 'stop']);
  expect(seen.map((f) => f[0])).toEqual(['start', 'status', 'promote', 'demote', 'stop']);
  expect(new Set(seen.map((f) => f[7]))).toEqual(new Set([work]));
});

test('missing scripts are instant successes and an empty directory is a valid null service', async () => {
  mkdirSync(join(folder, 'null'));
  const log = join(work, 'partial.log');
  serviceDir(folder, 'partial', { status: `${record(log)}\nexit 91` });
  h = harness(testConfig(folder, {}, 60_000));
  h.manager.start();
  await settle('Start');
  await waitFor(() => h!.manager.promotable(), 'promotable after the first status');
  await settle('Promote');
  expect(h.manager.summary()).toEqual([{ name: 'null', state: 'Promoted' }, { name: 'partial', state: 'Promoted' }]);
  await settle('Stop');
  expect(events(log)).toEqual(['status']);
  const nullEvents = h.reports.filter((r) => r.service === 'null');
  expect(nullEvents.map((r) => r.event)).toEqual(['start', 'status', 'promote', 'demote', 'stop']);
  expect(nullEvents.every((r) => r.ok && r.result.durationMs === 0)).toBe(true);
});

test('a crashing start fails the service and reports the failure; Fail runs failed then stop; Start retries', async () => {
  const log = join(work, 'crash.log');
  const flag = join(work, 'crash');
  writeFileSync(flag, '');
  serviceDir(folder, 'crashy', {
    start: `${record(log)}\n[ -f ${flag} ] && kill -SEGV $$\nexit 0`,
    stop: record(log),
    failed: record(log),
  });
  h = harness(testConfig(folder, {}, 60_000));
  h.manager.start();
  h.manager.setTarget('Start');
  await waitFor(() => h!.failures.length > 0, 'the failure report');
  expect(h.failures[0]!.service).toBe('crashy');
  expect(h.failures[0]!.reason).toMatch(/start exited with code -1/);
  expect(stateOf(h.manager, 'crashy')).toBe('Failed');
  expect(h.manager.settled()).toBe(false);
  expect(h.manager.promotable()).toBe(false);

  await settle('Fail');
  expect(events(log)).toEqual(['start', 'failed', 'stop']);
  rmSync(flag);
  await settle('Start');
  expect(stateOf(h.manager, 'crashy')).toBe('Started');
  expect(events(log)).toEqual(['start', 'failed', 'stop', 'start']);
});

test('a failing script (exit 3) fails the service once; it is not retried until the target changes', async () => {
  const log = join(work, 'fail.log');
  serviceDir(folder, 'bad', { start: `${record(log)}\nexit 3` });
  h = harness(testConfig(folder, {}, 100));
  h.manager.start();
  h.manager.setTarget('Start');
  await waitFor(() => h!.failures.length > 0, 'the failure report');
  await new Promise((r) => setTimeout(r, 400)); // a few status rounds
  expect(events(log)).toEqual(['start']);
  expect(h.failures).toHaveLength(1);
  expect(h.failures[0]!.reason).toBe('bad: start exited with code 3');
});

test('maintenance mode runs no script and presumes every event successful', async () => {
  const marker = join(work, 'ran');
  const all = Object.fromEntries(['start', 'stop', 'status', 'promote', 'demote', 'failed'].map((e) => [e, `touch ${marker}`]));
  serviceDir(folder, 'guarded', all);
  h = harness(testConfig(folder, {}, 100));
  h.manager.setMaintenance(true);
  h.manager.start();
  await settle('Start');
  await settle('Promote');
  await new Promise((r) => setTimeout(r, 250)); // status rounds run presumed too
  await settle('Stop');
  await settle('Fail');
  expect(existsSync(marker)).toBe(false);
  const seen = new Set(h.reports.map((r) => r.event));
  expect(seen).toEqual(new Set(['start', 'status', 'promote', 'demote', 'stop', 'failed']));
  expect(h.reports.every((r) => r.presumed && r.ok)).toBe(true);
  expect(h.logger.find('warn', 'maintenance mode on')).toHaveLength(1);
});

test('a disabled service is stopped, never started again, and reported as a failure once', async () => {
  const log = join(work, 'dis.log');
  const dir = serviceDir(folder, 'victim', { start: record(log), stop: record(log) });
  serviceDir(folder, 'other', { start: record(log) });
  h = harness(testConfig(folder, {}, 100));
  h.manager.start();
  await settle('Start');
  writeFileSync(join(dir, 'disabled'), '');
  await waitFor(() => h!.failures.length > 0, 'the disabled failure');
  await waitFor(() => h!.manager.settled(), 'settled with the disabled service stopped');
  expect(stateOf(h.manager, 'victim')).toBe('Stopped');
  expect(h.failures).toEqual([{ service: 'victim', reason: expect.stringContaining('disabled') }]);

  // The runner fails and recovers: the disabled service stays down, no new failure.
  await settle('Fail');
  await settle('Start');
  await new Promise((r) => setTimeout(r, 250));
  expect(stateOf(h.manager, 'victim')).toBe('Stopped');
  expect(h.failures).toHaveLength(1);
  const pairs = lines(log).map((l) => l.split('|').slice(0, 2).join(' '));
  expect(pairs.filter((p) => p === 'start victim')).toHaveLength(1);
  expect(pairs.filter((p) => p === 'stop victim')).toHaveLength(1);
  expect(pairs.filter((p) => p === 'start other')).toHaveLength(2); // before and after the Fail target

  // Enabled again: started with the next round.
  rmSync(join(dir, 'disabled'));
  await waitFor(() => stateOf(h!.manager, 'victim') === 'Started', 'victim started again');
});

test('services added and removed while running join and leave', async () => {
  const log = join(work, 'dyn.log');
  serviceDir(folder, 'first', { start: record(log) });
  h = harness(testConfig(folder, {}, 100));
  h.manager.start();
  await settle('Start');
  serviceDir(folder, 'second', { start: record(log) });
  await waitFor(() => stateOf(h!.manager, 'second') === 'Started', 'the added service started');
  rmSync(join(folder, 'first'), { recursive: true });
  await waitFor(() => stateOf(h!.manager, 'first') === undefined, 'the removed service dropped');
  expect(h.manager.summary()).toEqual([{ name: 'second', state: 'Started' }]);
  expect(h.logger.find('warn', 'removed from the folder while Started')).toHaveLength(1);
  expect(h.logger.find('info', 'service second added')).toHaveLength(1);

  // A changed script is noticed and logged.
  script(join(folder, 'second', 'start'), `${record(log)}\necho changed`);
  await waitFor(() => h!.logger.find('info', 'service second changed').length > 0, 'the change log');
});

test('ignored names are warned about once each, however many rescans', async () => {
  for (const name of ['app.rpmsave', 'backup~', '#draft#']) mkdirSync(join(folder, name));
  mkdirSync(join(folder, 'real'));
  h = harness(testConfig(folder, {}, 50));
  h.manager.start();
  await settle('Start');
  await new Promise((r) => setTimeout(r, 300));
  expect(h.manager.summary()).toEqual([{ name: 'real', state: 'Started' }]);
  const warnings = h.logger.find('warn', 'ignoring');
  expect(warnings.map((w) => w.msg).sort()).toEqual([
    `ignoring ${join(folder, '#draft#')}: name is of the form #name#`,
    `ignoring ${join(folder, 'app.rpmsave')}: name contains "."`,
    `ignoring ${join(folder, 'backup~')}: name ends in "~"`,
  ]);
});
