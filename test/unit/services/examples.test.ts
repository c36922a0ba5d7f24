/**
 * The shipped example services (examples/services) run through the manager
 * with the real executors, and the native TypeScript example's committed
 * service.js matches its service.ts.
 */
import { existsSync, readFileSync, statSync } from 'node:fs';
import { join, resolve } from 'node:path';
import ts from 'typescript';
import { cleanup, harness, tempDir, testConfig, waitFor, type Harness } from './helpers';

const EXAMPLES = resolve(__dirname, '../../../examples/services');
const NATIVE = join(EXAMPLES, '30-app-native');

let run: string;
let h: Harness | undefined;
const saved = { run: process.env.KOI_RUN_DIR, sync: process.env.KOI_REPLICA_SYNC_SECONDS };

beforeEach(() => {
  run = tempDir('koi-run-');
  process.env.KOI_RUN_DIR = run;
  process.env.KOI_REPLICA_SYNC_SECONDS = '2'; // whole seconds: at least one full second of 93
});

afterEach(async () => {
  await h?.manager.close();
  h = undefined;
  cleanup(run);
  for (const [key, value] of [['KOI_RUN_DIR', saved.run], ['KOI_REPLICA_SYNC_SECONDS', saved.sync]] as const) {
    if (value === undefined) delete process.env[key];
    else process.env[key] = value;
  }
});

async function settle(target: 'Start' | 'Promote' | 'Demote' | 'Stop'): Promise<void> {
  h!.manager.setTarget(target);
  await waitFor(() => h!.manager.settled(), `settled at ${target}`);
}

test('the examples start, wait for the replica to sync, promote, demote and stop cleanly', async () => {
  // The examples read KOI_RUN_DIR / KOI_REPLICA_SYNC_SECONDS: scripts see the daemon's variables only when passed through.
  h = harness(testConfig(EXAMPLES, { env_passthrough: 'KOI_RUN_DIR KOI_REPLICA_SYNC_SECONDS' }, 150));
  h.manager.setContext({ state: 'Live', promoted: false, masterName: '' });
  h.manager.start();
  await settle('Start');
  expect(h.manager.summary().map((s) => s.name)).toEqual(['10-virtualip', '20-replica', '30-app-native', 'ping']);
  await waitFor(() => h!.reports.some((r) => r.service === '20-replica' && r.event === 'status' && r.result.code === 93), 'replica syncing (93)');
  expect(h.manager.promotable()).toBe(false);
  await waitFor(() => h!.manager.promotable(), 'replica synced', 6000);

  const vip = join(run, 'koi-virtualip-node-a');
  const app = join(run, 'koi-app-node-a.json');
  expect(JSON.parse(readFileSync(app, 'utf8')).role).toBe('slave');
  h.manager.setContext({ state: 'Master', promoted: true, masterName: 'node-a' });
  await settle('Promote');
  expect(readFileSync(vip, 'utf8').trim()).toBe('node-a');
  expect(existsSync(join(run, 'koi-replica-node-a.master'))).toBe(true);
  expect(JSON.parse(readFileSync(app, 'utf8')).role).toBe('master');
  const statusesBefore = h.reports.filter((r) => r.event === 'status').length;
  await waitFor(() => h!.reports.filter((r) => r.event === 'status').length >= statusesBefore + 8, 'two status rounds');
  const lastCode = (service: string): number => h!.reports.filter((r) => r.service === service && r.event === 'status').pop()!.result.code;
  expect(['10-virtualip', '20-replica', '30-app-native', 'ping'].map(lastCode)).toEqual([90, 90, 90, 0]);

  await settle('Demote');
  expect(existsSync(vip)).toBe(false);
  expect(JSON.parse(readFileSync(app, 'utf8')).role).toBe('slave');
  await settle('Stop');
  expect(existsSync(app)).toBe(false);
  expect(existsSync(join(run, 'koi-replica-node-a.started'))).toBe(false);
  expect(h.failures).toEqual([]);
  // Script output reached the log, tagged.
  expect(h.logger.find('info', 'virtual IP taken over')[0]).toMatchObject({ service: '10-virtualip', event: 'promote' });
});

test('example scripts are executable and POSIX sh', () => {
  for (const dir of ['ping', '10-virtualip', '20-replica']) {
    for (const event of ['start', 'stop', 'status', 'promote', 'demote', 'failed']) {
      const file = join(EXAMPLES, dir, event);
      if (!existsSync(file)) continue;
      expect(statSync(file).mode & 0o111).toBe(0o111);
      expect(readFileSync(file, 'utf8').startsWith('#!/bin/sh\n')).toBe(true);
    }
  }
});

test('the native example: service.js is service.ts compiled, and service.ts type-checks against the plugin API', () => {
  const source = readFileSync(join(NATIVE, 'service.ts'), 'utf8');
  const options: ts.CompilerOptions = {
    target: ts.ScriptTarget.ES2022, module: ts.ModuleKind.Node16, moduleResolution: ts.ModuleResolutionKind.Node16, strict: true,
  };
  const compiled = ts.transpileModule(source, { compilerOptions: options, fileName: 'service.ts' }).outputText;
  expect(readFileSync(join(NATIVE, 'service.js'), 'utf8')).toBe(compiled); // else: npx tsc -p examples/services/30-app-native

  const program = ts.createProgram([join(NATIVE, 'service.ts')], {
    ...options, noEmit: true, skipLibCheck: true, types: ['node'],
    paths: { 'koi-ha/plugin-api': [resolve(__dirname, '../../../plugin-api/index.ts')] },
  });
  const diagnostics = ts.getPreEmitDiagnostics(program).map((d) => ts.flattenDiagnosticMessageText(d.messageText, '\n'));
  expect(diagnostics).toEqual([]);
});
