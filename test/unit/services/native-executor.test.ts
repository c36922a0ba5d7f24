/**
 * Native (JS module) services, CommonJS: events through the manager, status
 * codes, timeout through the AbortSignal, thrown errors, reload on change,
 * bad module shapes, a stop aborting a native start.
 */
import { existsSync, readFileSync, utimesSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { cleanup, harness, serviceDir, stateOf, tempDir, testConfig, waitFor, type Harness } from './helpers';

let folder: string;
let work: string;
let log: string;
let h: Harness | undefined;

beforeEach(() => {
  folder = tempDir();
  work = tempDir('koi-work-');
  log = join(work, 'native.log');
});

afterEach(async () => {
  await h?.manager.close();
  h = undefined;
  cleanup(folder);
  cleanup(work);
});

function lines(): string[] {
  return existsSync(log) ? readFileSync(log, 'utf8').trim().split('\n').filter(Boolean) : [];
}

/** Write `service.js` for `name`; `body` is the object literal's members. */
function nativeService(name: string, body: string, exportStyle: 'cjs' | 'default' = 'cjs'): string {
  const dir = serviceDir(folder, name);
  const file = join(dir, 'service.js');
  const prelude = `const fs = require('fs');\nconst note = (s) => fs.appendFileSync(${JSON.stringify(log)}, s + '\\n');\n`;
  const target = exportStyle === 'cjs' ? 'module.exports' : 'exports.default';
  writeFileSync(file, `${prelude}${target} = {\n${body}\n};\n`);
  return file;
}

const RECORDING = ['start', 'stop', 'promote', 'demote', 'failed']
  .map((e) => `  async ${e}(ctx) { note('${e} ' + ctx.env.KOI_SERVICE + ' ' + ctx.env.KOI_IS_PROMOTED); },`).join('\n');

async function settle(target: 'Start' | 'Promote' | 'Demote' | 'Stop' | 'Fail'): Promise<void> {
  h!.manager.setTarget(target);
  await waitFor(() => h!.manager.settled(), `settled at ${target}`);
}

test('a native service runs every event with the script environment; status returns the code', async () => {
  nativeService('native-app', `${RECORDING}\n  async status() { note('status'); return 91; },`);
  h = harness(testConfig(folder, {}, 60_000));
  h.manager.start();
  await settle('Start');
  await waitFor(() => h!.manager.promotable(), 'promotable (status 91)');
  h.manager.setContext({ state: 'Master', promoted: true, masterName: 'node-a' });
  await settle('Promote');
  await settle('Demote');
  await settle('Stop');
  await settle('Fail');
  expect(lines()).toEqual([
    'start native-app 0', 'status', 'promote native-app 1', 'demote native-app 1', 'stop native-app 1', 'failed native-app 1',
  ]);
  expect(h.manager.summary()).toEqual([{ name: 'native-app', state: 'Failed' }]);
  expect(h.reports.find((r) => r.event === 'status')!.result.code).toBe(91);
});

test('a default export works; status 93 is not promotable; an unknown code fails the service', async () => {
  const file = nativeService('replica', `  async status() { return Number(require('fs').readFileSync(${JSON.stringify(join(work, 'code'))}, 'utf8')); },`, 'default');
  writeFileSync(join(work, 'code'), '93');
  h = harness(testConfig(folder, {}, 80));
  h.manager.start();
  await settle('Start');
  await waitFor(() => h!.reports.filter((r) => r.event === 'status').length >= 2, 'two status checks');
  expect(h.manager.promotable()).toBe(false);
  writeFileSync(join(work, 'code'), '7');
  await waitFor(() => h!.failures.length > 0, 'the failure');
  expect(h.failures).toEqual([{ service: 'replica', reason: 'replica: status exited with code 7' }]);
  expect(file).toMatch(/service\.js$/);
});

test('a timeout aborts the signal the function gets and fails the event', async () => {
  nativeService('slow', `  async start(ctx) {
    await new Promise((resolve) => ctx.signal.addEventListener('abort', () => { note('aborted: ' + ctx.signal.reason.message); resolve(); }));
  },`);
  h = harness(testConfig(folder, { start_timeout: 200, kill_grace: 500 }, 60_000));
  h.manager.start();
  h.manager.setTarget('Start');
  await waitFor(() => h!.failures.length > 0, 'the timeout failure');
  expect(h.failures).toEqual([{ service: 'slow', reason: 'slow: start timed out after 200 ms' }]);
  expect(lines()).toEqual(['aborted: start timed out after 200 ms']);
  const report = h.reports.find((r) => r.event === 'start')!;
  expect(report.result.timedOut).toBe(true);
  expect(report.result.durationMs).toBeLessThan(500); // it returned on abort, before the grace ran out
});

test('a function that ignores the abort is given up after the grace period', async () => {
  nativeService('deaf', '  start() { return new Promise(() => {}); },');
  h = harness(testConfig(folder, { start_timeout: 100, kill_grace: 150 }, 60_000));
  h.manager.start();
  h.manager.setTarget('Start');
  await waitFor(() => h!.failures.length > 0, 'the timeout failure');
  const report = h.reports.find((r) => r.event === 'start')!;
  expect(report.result.timedOut).toBe(true);
  expect(report.result.durationMs).toBeGreaterThanOrEqual(240);
  expect(h.logger.find('error', 'did not return within 150 ms of being aborted')).toHaveLength(1);
});

test('a thrown error is a failure naming the error', async () => {
  nativeService('thrower', "  async promote() { throw new Error('boom'); },");
  h = harness(testConfig(folder, {}, 60_000));
  h.manager.start();
  await settle('Start');
  h.manager.setTarget('Promote');
  await waitFor(() => h!.failures.length > 0, 'the failure');
  expect(h.failures).toEqual([{ service: 'thrower', reason: 'thrower: promote failed (threw: boom)' }]);
  expect(stateOf(h.manager, 'thrower')).toBe('Failed');
});

test('a Stop aborts a running native start', async () => {
  nativeService('long', `  async start(ctx) {
    await new Promise((resolve) => ctx.signal.addEventListener('abort', resolve));
    note('start saw abort');
  },
  async stop() { note('stop'); },`);
  h = harness(testConfig(folder, { start_timeout: 20_000 }, 60_000));
  h.manager.start();
  h.manager.setTarget('Start');
  await waitFor(() => stateOf(h!.manager, 'long') === 'Starting', 'starting');
  await settle('Stop');
  expect(lines()).toEqual(['start saw abort', 'stop']);
  expect(h.reports.find((r) => r.event === 'start')!.result.aborted).toBe(true);
  expect(h.failures).toEqual([]);
});

test('a changed module is reloaded; a module of the wrong shape fails its events with the reason', async () => {
  const file = nativeService('changing', '  async status() { return 93; },');
  h = harness(testConfig(folder, {}, 80));
  h.manager.start();
  await settle('Start');
  await waitFor(() => h!.reports.some((r) => r.event === 'status' && r.result.code === 93), 'status 93');
  writeFileSync(file, 'module.exports = { async status() { return 91; } };\n');
  const later = new Date(Date.now() + 5000);
  utimesSync(file, later, later);
  await waitFor(() => h!.manager.promotable(), 'promotable after the reload');
  expect(h.logger.find('info', `reloaded native service module ${file}`)).toHaveLength(1);

  writeFileSync(file, "module.exports = { start: 'not a function' };\n");
  const latest = new Date(Date.now() + 10_000);
  utimesSync(file, latest, latest);
  await waitFor(() => h!.logger.find('error', 'cannot load native service').length > 0, 'the load error');
  await settle('Stop');
  await waitFor(() => h!.failures.length > 0, 'the stop failure');
  expect(h.failures[0]!.reason).toContain('export "start" must be a function, found string');
});

test('a directory with service.js is a native service, not a null shell service', async () => {
  nativeService('mod', RECORDING);
  h = harness(testConfig(folder, {}, 60_000));
  h.manager.start();
  await settle('Start');
  expect(lines()).toEqual(['start mod 0']);
});
