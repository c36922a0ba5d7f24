/**
 * Native (JS module) services, CommonJS: events through the manager, status
 * codes, timeout through the AbortSignal, thrown errors, reload on change,
 * bad module shapes, a stop aborting a native start.
 */
import { chmodSync, chownSync, existsSync, readFileSync, utimesSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { createNativeExecutor } from '../../../plugins/exec-native';
import { SCRIPT_PATH } from '../../../core/security/script-env';
import { createTestLogger } from '../../helpers/logger';
import { harness, readLines, serviceDir, stateOf, testConfig, useServiceFixture, waitFor } from './helpers';

let log: string;

const fx = useServiceFixture();

beforeEach(() => {
  log = join(fx.work, 'native.log');
});

function lines(): string[] {
  return readLines(log);
}

/** Write `service.js` for `name`; `body` is the object literal's members. */
function nativeService(name: string, body: string, exportStyle: 'cjs' | 'default' = 'cjs'): string {
  const dir = serviceDir(fx.folder, name);
  const file = join(dir, 'service.js');
  const prelude = `const fs = require('fs');\nconst note = (s) => fs.appendFileSync(${JSON.stringify(log)}, s + '\\n');\n`;
  const target = exportStyle === 'cjs' ? 'module.exports' : 'exports.default';
  writeFileSync(file, `${prelude}${target} = {\n${body}\n};\n`);
  return file;
}

const RECORDING = ['start', 'stop', 'promote', 'demote', 'failed']
  .map((e) => `  async ${e}(ctx) { note('${e} ' + ctx.env.KOI_SERVICE + ' ' + ctx.env.KOI_IS_PROMOTED); },`).join('\n');

test('a native service runs every event with the script environment; status returns the code', async () => {
  nativeService('native-app', `${RECORDING}\n  async status() { note('status'); return 91; },`);
  fx.h = harness(testConfig(fx.folder, {}, 60_000));
  fx.h.manager.start();
  await fx.settle('Start');
  await waitFor(() => fx.h!.manager.promotable(), 'promotable (status 91)');
  fx.h.manager.setContext({ state: 'Master', promoted: true, masterName: 'node-a' });
  await fx.settle('Promote');
  await fx.settle('Demote');
  await fx.settle('Stop');
  await fx.settle('Fail');
  expect(lines()).toEqual([
    'start native-app 0', 'status', 'promote native-app 1', 'demote native-app 1', 'stop native-app 1', 'failed native-app 1',
  ]);
  expect(fx.h.manager.summary()).toEqual([{ name: 'native-app', state: 'Failed' }]);
  expect(fx.h.reports.find((r) => r.event === 'status')!.result.code).toBe(91);
});

test('a default export works; status 93 is not promotable; an unknown code fails the service', async () => {
  const file = nativeService('replica', `  async status() { return Number(require('fs').readFileSync(${JSON.stringify(join(fx.work, 'code'))}, 'utf8')); },`, 'default');
  writeFileSync(join(fx.work, 'code'), '93');
  fx.h = harness(testConfig(fx.folder, {}, 80));
  fx.h.manager.start();
  await fx.settle('Start');
  await waitFor(() => fx.h!.reports.filter((r) => r.event === 'status').length >= 2, 'two status checks');
  expect(fx.h.manager.promotable()).toBe(false);
  writeFileSync(join(fx.work, 'code'), '7');
  await waitFor(() => fx.h!.failures.length > 0, 'the failure');
  expect(fx.h.failures).toEqual([{ service: 'replica', reason: 'replica: status exited with code 7' }]);
  expect(file).toMatch(/service\.js$/);
});

test('a timeout aborts the signal the function gets and fails the event', async () => {
  nativeService('slow', `  async start(ctx) {
    await new Promise((resolve) => ctx.signal.addEventListener('abort', () => { note('aborted: ' + ctx.signal.reason.message); resolve(); }));
  },`);
  fx.h = harness(testConfig(fx.folder, { start_timeout: 200, kill_grace: 500 }, 60_000));
  fx.h.manager.start();
  fx.h.manager.setTarget('Start');
  await waitFor(() => fx.h!.failures.length > 0, 'the timeout failure');
  expect(fx.h.failures).toEqual([{ service: 'slow', reason: 'slow: start timed out after 200 ms' }]);
  expect(lines()).toEqual(['aborted: start timed out after 200 ms']);
  const report = fx.h.reports.find((r) => r.event === 'start')!;
  expect(report.result.timedOut).toBe(true);
  expect(report.result.durationMs).toBeLessThan(500); // it returned on abort, before the grace ran out
});

test('a function that ignores the abort is given up after the grace period', async () => {
  nativeService('deaf', '  start() { return new Promise(() => {}); },');
  fx.h = harness(testConfig(fx.folder, { start_timeout: 100, kill_grace: 150 }, 60_000));
  fx.h.manager.start();
  fx.h.manager.setTarget('Start');
  await waitFor(() => fx.h!.failures.length > 0, 'the timeout failure');
  const report = fx.h.reports.find((r) => r.event === 'start')!;
  expect(report.result.timedOut).toBe(true);
  expect(report.result.durationMs).toBeGreaterThanOrEqual(240);
  expect(fx.h.logger.find('error', 'did not return within 150 ms of being aborted')).toHaveLength(1);
});

test('a thrown error is a failure naming the error', async () => {
  nativeService('thrower', "  async promote() { throw new Error('boom'); },");
  fx.h = harness(testConfig(fx.folder, {}, 60_000));
  fx.h.manager.start();
  await fx.settle('Start');
  fx.h.manager.setTarget('Promote');
  await waitFor(() => fx.h!.failures.length > 0, 'the failure');
  expect(fx.h.failures).toEqual([{ service: 'thrower', reason: 'thrower: promote failed (threw: boom)' }]);
  expect(stateOf(fx.h.manager, 'thrower')).toBe('Failed');
});

test('a Stop aborts a running native start', async () => {
  nativeService('long', `  async start(ctx) {
    await new Promise((resolve) => ctx.signal.addEventListener('abort', resolve));
    note('start saw abort');
  },
  async stop() { note('stop'); },`);
  fx.h = harness(testConfig(fx.folder, { start_timeout: 20_000 }, 60_000));
  fx.h.manager.start();
  fx.h.manager.setTarget('Start');
  await waitFor(() => stateOf(fx.h!.manager, 'long') === 'Starting', 'starting');
  await fx.settle('Stop');
  expect(lines()).toEqual(['start saw abort', 'stop']);
  expect(fx.h.reports.find((r) => r.event === 'start')!.result.aborted).toBe(true);
  expect(fx.h.failures).toEqual([]);
});

test('a changed module is reloaded; a module of the wrong shape fails its events with the reason', async () => {
  const file = nativeService('changing', '  async status() { return 93; },');
  fx.h = harness(testConfig(fx.folder, {}, 80));
  fx.h.manager.start();
  await fx.settle('Start');
  await waitFor(() => fx.h!.reports.some((r) => r.event === 'status' && r.result.code === 93), 'status 93');
  writeFileSync(file, 'module.exports = { async status() { return 91; } };\n');
  const later = new Date(Date.now() + 5000);
  utimesSync(file, later, later);
  await waitFor(() => fx.h!.manager.promotable(), 'promotable after the reload');
  expect(fx.h.logger.find('info', `reloaded native service module ${file}`)).toHaveLength(1);

  writeFileSync(file, "module.exports = { start: 'not a function' };\n");
  const latest = new Date(Date.now() + 10_000);
  utimesSync(file, latest, latest);
  await waitFor(() => fx.h!.logger.find('error', 'cannot load native service').length > 0, 'the load error');
  await fx.settle('Stop');
  await waitFor(() => fx.h!.failures.length > 0, 'the stop failure');
  expect(fx.h.failures[0]!.reason).toContain('export "start" must be a function, found string');
});

test('a directory with service.js is a native service, not a null shell service', async () => {
  nativeService('mod', RECORDING);
  fx.h = harness(testConfig(fx.folder, {}, 60_000));
  fx.h.manager.start();
  await fx.settle('Start');
  expect(lines()).toEqual(['start mod 0']);
});

describe('ownership and mode: checked before the module is loaded', () => {
  const asRoot = typeof process.getuid === 'function' && process.getuid() === 0;
  /** A module whose mere loading writes a marker (the attack: code run inside the daemon). */
  function evilModule(name: string): { dir: string; file: string; marker: string } {
    const dir = serviceDir(fx.folder, name);
    const file = join(dir, 'service.js');
    const marker = join(fx.work, `${name}-loaded`);
    writeFileSync(file, `require('fs').writeFileSync(${JSON.stringify(marker)}, 'x');\nmodule.exports = { async start() {} };\n`);
    return { dir, file, marker };
  }
  const entry = (dir: string, name: string) => ({ name, path: dir, isDirectory: true });

  (asRoot ? test : test.skip)('a world-writable module owned by nobody is not loaded (default strict): every event fails naming the file', async () => {
    const { dir, file, marker } = evilModule('nobody-app');
    chmodSync(file, 0o666);
    chownSync(file, 65534, 65534);
    const logger = createTestLogger();
    const executor = createNativeExecutor({ servicesFolder: () => fx.folder });
    const definition = await executor.probe(entry(dir, 'nobody-app'), logger.logger);
    expect(existsSync(marker)).toBe(false);
    expect(definition).not.toBeNull();
    const errors = logger.find('error', `refused to load native service ${file}`);
    expect(errors).toHaveLength(1);
    expect(errors[0]!.msg).toContain(`${file}: writable by group (gid 65534) and others (mode 0666); ${file}: owned by uid 65534, not root or the daemon's uid 0`);
    const result = await executor.run({
      service: definition!, event: 'start', env: {}, cwd: dir, timeoutMs: 1000, killGraceMs: 100,
      signal: new AbortController().signal, log: logger.logger,
    });
    expect(result.code).toBe(-1);
    expect(result.error).toContain(`refused to load native service ${file}`);
    expect(existsSync(marker)).toBe(false);
  });

  test('its directory or the services folder world-writable: refused too, naming the directory', async () => {
    const { dir, marker } = evilModule('open-dir');
    chmodSync(dir, 0o777);
    const logger = createTestLogger();
    await createNativeExecutor({ servicesFolder: () => fx.folder }).probe(entry(dir, 'open-dir'), logger.logger);
    expect(existsSync(marker)).toBe(false);
    expect(logger.find('error', `${dir}: writable by others (mode 0777)`)).toHaveLength(1);

    chmodSync(dir, 0o755);
    chmodSync(fx.folder, 0o777);
    const again = createTestLogger();
    await createNativeExecutor({ servicesFolder: () => fx.folder }).probe(entry(dir, 'open-dir'), again.logger);
    expect(existsSync(marker)).toBe(false);
    expect(again.find('error', `${fx.folder}: writable by others (mode 0777)`)).toHaveLength(1);
    chmodSync(fx.folder, 0o700);
  });

  test('service.strict_permissions false: loaded, with one warning', async () => {
    const { dir, file, marker } = evilModule('lenient');
    chmodSync(file, 0o666);
    const logger = createTestLogger();
    const executor = createNativeExecutor({ strictPermissions: () => false, servicesFolder: () => fx.folder });
    await executor.probe(entry(dir, 'lenient'), logger.logger);
    await executor.probe(entry(dir, 'lenient'), logger.logger);
    expect(existsSync(marker)).toBe(true);
    expect(logger.find('warn', `insecure native service module ${file}: ${file}: writable by others (mode 0666)`)).toHaveLength(1);
  });

  test('a native service gets the minimal environment plus KOI_*, not the daemon\'s variables', async () => {
    process.env.KOI_TEST_NATIVE_SECRET = 'daemon-only';
    try {
      nativeService('envy', `  async start(ctx) { note(JSON.stringify(ctx.env)); },`);
      fx.h = harness(testConfig(fx.folder, {}, 60_000));
      fx.h.manager.start();
      await fx.settle('Start');
      const env = JSON.parse(lines()[0]!) as Record<string, string>;
      expect(env.KOI_SERVICE).toBe('envy');
      expect(env.PATH).toBe(SCRIPT_PATH);
      expect(env.KOI_TEST_NATIVE_SECRET).toBeUndefined();
    } finally {
      delete process.env.KOI_TEST_NATIVE_SECRET;
    }
  });
});
