/**
 * What the runner relies on, with a scripted in-memory executor and a
 * virtual clock: settled(), promotable(), anyPromoted(), retry rules,
 * status-round timing, executor order, folder errors, the tables.
 */
import type {
  ServiceDefinition, ServiceEntry, ServiceEventName, ServiceEventRequest, ServiceEventResult, ServiceExecutor,
} from '../../../plugin-api';
import { SERVICE_STATES, TARGET_ACTIONS } from '../../../plugin-api';
import { VirtualClock } from '../../../core/clock';
import { createHooks } from '../../../core/hooks';
import { STEP, createServiceManager, ignoreReason, parseServiceName, statusEffect, type ServiceManager } from '../../../core/services';
import { createTestLogger } from '../../helpers/logger';
import { testConfig } from './helpers';

type Answer = number | 'hang';

/** An executor whose answers the test sets per service and event; 'hang' waits for the abort. */
class ScriptedExecutor implements ServiceExecutor {
  readonly calls: Array<{ service: string; event: ServiceEventName }> = [];
  answers = new Map<string, Answer>();
  constructor(readonly kind: string, private readonly accepts: (entry: ServiceEntry) => boolean = () => true) {}

  async probe(entry: ServiceEntry): Promise<ServiceDefinition | null> {
    if (!this.accepts(entry)) return null;
    return {
      name: entry.name, priority: null, path: entry.path, executor: this.kind,
      events: ['start', 'stop', 'status', 'promote', 'demote', 'failed'], enabled: true, fingerprint: 'f',
    };
  }

  run(request: ServiceEventRequest): Promise<ServiceEventResult> {
    this.calls.push({ service: request.service.name, event: request.event });
    const answer = this.answers.get(`${request.service.name}:${request.event}`) ?? 0;
    if (answer !== 'hang') return Promise.resolve({ code: answer, timedOut: false, aborted: false, durationMs: 1 });
    return new Promise((resolve) => {
      request.signal.addEventListener('abort', () => resolve({ code: -1, timedOut: false, aborted: true, durationMs: 1 }));
    });
  }
}

const flush = async (): Promise<void> => {
  for (let i = 0; i < 20; i += 1) await Promise.resolve();
  await new Promise((resolve) => setImmediate(resolve));
};

function build(names: string[], executors: ServiceExecutor[], listEntries?: () => Promise<ServiceEntry[]>) {
  const clock = new VirtualClock();
  const capture = createTestLogger();
  const failures: string[] = [];
  let changes = 0;
  const config = testConfig('/nonexistent', {}, 1000);
  const manager: ServiceManager = createServiceManager({
    config, executors, clock, hooks: createHooks(capture.logger), logger: capture.logger,
    node: { id: 'id', name: 'n' },
    listener: { onChange: () => { changes += 1; }, onFailure: (s, r) => { failures.push(`${s}: ${r}`); } },
    listEntries: listEntries ?? (async () => names.map((name) => ({ name, path: `/svc/${name}`, isDirectory: true }))),
  });
  return { manager, clock, capture, failures, changes: () => changes };
}

test('settled() is false before the first scan and while anything is short of the target', async () => {
  const exec = new ScriptedExecutor('fake');
  const { manager } = build(['10-a', '20-b'], [exec]);
  expect(manager.settled()).toBe(false);
  manager.start();
  await flush();
  expect(manager.settled()).toBe(true); // target Stop, everything Stopped
  exec.answers.set('10-a:start', 'hang');
  manager.setTarget('Start');
  await flush();
  expect(manager.summary()).toEqual([{ name: '10-a', state: 'Starting' }, { name: '20-b', state: 'Stopped' }]);
  expect(manager.settled()).toBe(false);
  manager.setTarget('Stop');
  await flush();
  // The aborted start may have half-started: a stop ran, then everything rests Stopped.
  expect(exec.calls.map((c) => `${c.service}:${c.event}`)).toEqual(['10-a:start', '10-a:stop']);
  expect(manager.settled()).toBe(true);
  await manager.close();
});

test('promotable() needs every enabled service running with a last status of 0, 90 or 91', async () => {
  const exec = new ScriptedExecutor('fake');
  exec.answers.set('b:status', 'hang');
  const { manager, clock } = build(['a', 'b'], [exec]);
  manager.start();
  manager.setTarget('Start');
  await flush();
  expect(manager.settled()).toBe(true); // a status in flight does not unsettle
  expect(manager.promotable()).toBe(false); // b's first status has not answered
  exec.answers.set('b:status', 93);
  manager.setTarget('Demote'); // aborts the hanging status; Demote keeps services Started
  await flush();
  clock.advance(1000);
  await flush();
  expect(manager.promotable()).toBe(false); // 93: live, syncing
  exec.answers.set('b:status', 90);
  clock.advance(1000);
  await flush();
  // 90 under Demote: b is master where it should not be, so it is demoted; 90 itself is promotable.
  expect(exec.calls.filter((c) => c.event === 'demote').map((c) => c.service)).toEqual(['b']);
  exec.answers.set('b:status', 91);
  clock.advance(1000);
  await flush();
  expect(manager.promotable()).toBe(true);
  await manager.close();
});

test('anyPromoted() covers Promoting, Promoted and Demoting', async () => {
  const exec = new ScriptedExecutor('fake');
  const { manager } = build(['a'], [exec]);
  manager.start();
  manager.setTarget('Start');
  await flush();
  exec.answers.set('a:promote', 'hang');
  manager.setTarget('Promote');
  await flush();
  expect(manager.summary()[0]!.state).toBe('Promoting');
  expect(manager.anyPromoted()).toBe(true);
  exec.answers.set('a:demote', 'hang');
  manager.setTarget('Demote'); // aborts the promote; the half-promoted service is demoted
  await flush();
  expect(manager.summary()[0]!.state).toBe('Demoting');
  expect(manager.anyPromoted()).toBe(true);
  await manager.close();
});

test('status rounds run every status_interval on the clock, in parallel', async () => {
  const exec = new ScriptedExecutor('fake');
  const { manager, clock } = build(['a', 'b', 'c'], [exec]);
  manager.start();
  manager.setTarget('Start');
  await flush();
  const statuses = (): number => exec.calls.filter((c) => c.event === 'status').length;
  expect(statuses()).toBe(3); // the check right after start
  clock.advance(999);
  await flush();
  expect(statuses()).toBe(3);
  clock.advance(1);
  await flush();
  expect(statuses()).toBe(6);
  const live = manager;
  live.applyConfig(testConfig('/nonexistent', {}, 5000));
  clock.advance(4999);
  await flush();
  expect(statuses()).toBe(6);
  clock.advance(1);
  await flush();
  expect(statuses()).toBe(9);
  await manager.close();
});

test('a failed service is retried only after the target changes (Fail, then Start again)', async () => {
  const exec = new ScriptedExecutor('fake');
  exec.answers.set('a:start', 3);
  const { manager, clock, failures } = build(['a'], [exec]);
  manager.start();
  manager.setTarget('Start');
  await flush();
  expect(failures).toEqual(['a: a: start exited with code 3']);
  manager.setTarget('Start'); // same target: no retry storm
  clock.advance(5000);
  await flush();
  expect(exec.calls.filter((c) => c.event === 'start')).toHaveLength(1);
  manager.setTarget('Fail');
  await flush();
  expect(manager.settled()).toBe(true);
  expect(exec.calls.map((c) => c.event)).toEqual(['start', 'failed', 'stop']);
  exec.answers.set('a:start', 0);
  manager.setTarget('Start');
  await flush();
  expect(manager.summary()).toEqual([{ name: 'a', state: 'Started' }]);
  await manager.close();
});

test('entries go to non-shell executors first, whatever the registration order', async () => {
  const shell = new ScriptedExecutor('shell');
  const native = new ScriptedExecutor('native', (e) => e.name === 'mod');
  const { manager } = build(['mod', 'plain'], [shell, native]);
  manager.start();
  manager.setTarget('Start');
  await flush();
  expect(native.calls.map((c) => c.service)).toContain('mod');
  expect(shell.calls.map((c) => c.service)).not.toContain('mod');
  expect(shell.calls.map((c) => c.service)).toContain('plain');
  await manager.close();
});

test('a folder listing error keeps the known services and is logged once', async () => {
  let fail = false;
  const exec = new ScriptedExecutor('fake');
  const { manager, clock, capture } = build([], [exec], async () => {
    if (fail) throw new Error('EIO');
    return [{ name: 'a', path: '/svc/a', isDirectory: true }];
  });
  manager.start();
  manager.setTarget('Start');
  await flush();
  fail = true;
  for (let i = 0; i < 3; i += 1) {
    clock.advance(1000);
    await flush();
  }
  expect(manager.summary()).toEqual([{ name: 'a', state: 'Started' }]);
  expect(capture.find('error', 'service folder scan failed: EIO')).toHaveLength(1);
  await manager.close();
});

describe('tables', () => {
  test('every resting state has a step for every target, and a service at its target state has none', () => {
    for (const state of Object.keys(STEP) as Array<keyof typeof STEP>) {
      expect(SERVICE_STATES).toContain(state);
      for (const target of TARGET_ACTIONS) expect(STEP[state]).toHaveProperty(target);
    }
    expect(STEP.Started.Start).toBeNull();
    expect(STEP.Promoted.Promote).toBeNull();
    expect(STEP.Stopped.Stop).toBeNull();
  });

  test('status codes', () => {
    expect(statusEffect(0, 'Started')).toEqual({ kind: 'keep' });
    expect(statusEffect(93, 'Promoted')).toEqual({ kind: 'keep' });
    expect(statusEffect(90, 'Started')).toEqual({ kind: 'set', state: 'Promoted' });
    expect(statusEffect(91, 'Promoted')).toEqual({ kind: 'set', state: 'Started' });
    expect(statusEffect(92, 'Promoted')).toEqual({ kind: 'set', state: 'Stopped' });
    for (const code of [1, 2, 89, 94, 255, -1]) expect(statusEffect(code, 'Started')).toEqual({ kind: 'error' });
  });

  test('names and priorities', () => {
    expect(parseServiceName('10-virtualip')).toEqual({ name: '10-virtualip', priority: 10 });
    expect(parseServiceName('5-x')).toEqual({ name: '5-x', priority: 5 });
    expect(parseServiceName('ping')).toEqual({ name: 'ping', priority: null });
    expect(parseServiceName('123-x')).toEqual({ name: '123-x', priority: null });
    expect(ignoreReason('a.sh')).not.toBeNull();
    expect(ignoreReason('a~')).not.toBeNull();
    expect(ignoreReason('#a#')).not.toBeNull();
    expect(ignoreReason('#a')).toContain('not a valid service name'); // not #name#, but "#" is outside the name characters
    expect(ignoreReason('-rf')).toContain('starts with "-"');
    expect(ignoreReason('evil\u001b[31m')).toContain('not a valid service name');
    expect(ignoreReason('x'.repeat(65))).toContain('65 characters long');
    expect(ignoreReason('99-server')).toBeNull();
  });
});

test('a probe that throws keeps the known service as it was; an entry that disappears is dropped', async () => {
  const exec = new ScriptedExecutor('fake');
  let throwing = false;
  const probe = exec.probe.bind(exec);
  exec.probe = async (entry) => {
    if (throwing) throw new Error('ENOENT while the script was replaced');
    return probe(entry);
  };
  let names = ['a', 'b'];
  const { manager, clock, capture } = build([], [exec], async () => names.map((name) => ({ name, path: `/svc/${name}`, isDirectory: true })));
  manager.start();
  manager.setTarget('Start');
  await flush();
  throwing = true;
  clock.advance(1000);
  await flush();
  expect(manager.summary()).toEqual([{ name: 'a', state: 'Started' }, { name: 'b', state: 'Started' }]);
  expect(capture.find('error', 'failed to probe /svc/a: ENOENT')).toHaveLength(1);
  throwing = false;
  names = ['a'];
  clock.advance(1000);
  await flush();
  expect(manager.summary()).toEqual([{ name: 'a', state: 'Started' }]);
  await manager.close();
});

test('a service answering 93 (syncing) is checked again after a second, not a whole status_interval, until it answers otherwise', async () => {
  const exec = new ScriptedExecutor('fake');
  const clock = new VirtualClock();
  const capture = createTestLogger();
  const manager = createServiceManager({
    config: testConfig('/nonexistent', {}, 10_000), executors: [exec], clock, hooks: createHooks(capture.logger), logger: capture.logger,
    node: { id: 'id', name: 'n' }, listener: { onChange: () => undefined, onFailure: () => undefined },
    listEntries: async () => [{ name: 'a', path: '/svc/a', isDirectory: true }, { name: 'b', path: '/svc/b', isDirectory: true }],
  });
  const statusCalls = (service: string) => exec.calls.filter((c) => c.service === service && c.event === 'status').length;
  exec.answers.set('a:status', 93);
  manager.start();
  manager.setTarget('Start');
  await flush();
  expect(statusCalls('a')).toBe(1); // the check right after start
  expect(manager.promotable()).toBe(false);
  clock.advance(999);
  await flush();
  expect(statusCalls('a')).toBe(1);
  clock.advance(1);
  await flush();
  expect(statusCalls('a')).toBe(2); // 1 s later, not 10 s
  expect(statusCalls('b')).toBe(1); // a promotable service waits for the round
  exec.answers.set('a:status', 91);
  clock.advance(1000);
  await flush();
  expect(statusCalls('a')).toBe(3);
  expect(manager.promotable()).toBe(true);
  clock.advance(5000);
  await flush();
  expect(statusCalls('a')).toBe(3); // answered 91: back to the 10 s rounds
  await manager.close();
});
