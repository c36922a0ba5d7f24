/**
 * The shell executor on its own and through the manager: no orphan and no
 * zombie after a timeout (checked in the process table), SIGKILL after the
 * grace period, line-by-line output, permission warnings and strict
 * refusal, spawn failures.
 */
import { spawn } from 'node:child_process';
import { chmodSync, chownSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { ServiceEventRequest, ServiceExecutor } from '../../../plugin-api';
import { createShellExecutor, groupMembers, type GroupMember } from '../../../plugins/exec-shell';
import { createTestLogger, type CapturingLogger } from '../../helpers/logger';
import { SCRIPT_PATH } from '../../../core/security/script-env';
import { cleanup, harness, script, serviceDir, sleep, stateOf, tempDir, testConfig, waitFor, type Harness } from './helpers';

let folder: string;
let h: Harness | undefined;
let capture: CapturingLogger;
let executor: ServiceExecutor;
let strict = false;

beforeEach(() => {
  folder = tempDir();
  capture = createTestLogger();
  strict = false;
  executor = createShellExecutor({ strictPermissions: () => strict, logger: capture.logger });
});

afterEach(async () => {
  await h?.manager.close();
  h = undefined;
  cleanup(folder);
});

function request(path: string, overrides: Partial<ServiceEventRequest> = {}): ServiceEventRequest {
  return {
    service: { name: 'svc', priority: null, path, executor: 'shell', events: ['start'], enabled: true, fingerprint: '' },
    event: 'start',
    env: { KOI_EVENT: 'start' },
    cwd: folder,
    timeoutMs: 5000,
    killGraceMs: 200,
    signal: new AbortController().signal,
    log: capture.logger.child({ service: 'svc', event: 'start' }),
    ...overrides,
  };
}

/** The pgid a script announced with `echo "pgid $$"`. */
function announcedPgid(): number {
  const line = capture.records.find((r) => r.msg.startsWith('pgid '));
  if (!line) throw new Error('the script did not announce its pgid');
  return Number(line.msg.split(' ')[1]);
}

let initReaps: boolean | undefined;
/**
 * Whether PID 1 reaps orphans here. In some containers it does not, so a
 * killed orphan stays a zombie of PID 1 forever — init's business, not
 * koi's. Measured once with a throwaway orphan.
 */
async function initReapsOrphans(): Promise<boolean> {
  if (initReaps !== undefined) return initReaps;
  const probe = spawn('/bin/sh', ['-c', 'sleep 0.05 & exit 0'], { detached: true, stdio: 'ignore' });
  const pgid = probe.pid!;
  await new Promise((resolve) => probe.on('exit', resolve));
  await sleep(400);
  initReaps = !(groupMembers(pgid) ?? []).some((m) => m.ppid === 1 && m.state === 'Z');
  return initReaps;
}

/** Members of the group that koi left behind: any live process, or a zombie that is not init's to reap. */
async function leftovers(pgid: number): Promise<GroupMember[]> {
  const members = groupMembers(pgid);
  if (members === null) throw new Error('/proc is needed for the process-table check');
  const reaps = await initReapsOrphans();
  return members.filter((m) => m.state !== 'Z' || m.ppid === process.pid || reaps);
}

describe('timeouts leave no process behind', () => {
  test('a hanging script with a sleeping grandchild: the whole group is gone after the timeout', async () => {
    const path = join(folder, 'hang');
    script(path, 'echo "pgid $$"\nsleep 1000 &\necho "grandchild $!"\nsleep 1000');
    const running = executor.run(request(path, { timeoutMs: 400 }));
    await waitFor(() => capture.records.some((r) => r.msg.startsWith('grandchild ')), 'the grandchild forked');
    const pgid = announcedPgid();
    const grandchild = Number(capture.records.find((r) => r.msg.startsWith('grandchild '))!.msg.split(' ')[1]);
    // Before the timeout the group has live members: the script and both sleeps.
    const before = (await leftovers(pgid)).map((m) => m.pid);
    expect(before).toEqual(expect.arrayContaining([pgid, grandchild]));
    const result = await running;
    expect(result.timedOut).toBe(true);
    expect(await leftovers(pgid)).toEqual([]);
  });

  test('members ignoring SIGTERM are killed with SIGKILL after the grace period', async () => {
    const path = join(folder, 'stubborn');
    script(path, "trap '' TERM\necho \"pgid $$\"\nsleep 1000 &\nsleep 1000");
    const result = await executor.run(request(path, { timeoutMs: 200, killGraceMs: 300 }));
    expect(result.timedOut).toBe(true);
    expect(result.durationMs).toBeGreaterThanOrEqual(490);
    expect(await leftovers(announcedPgid())).toEqual([]);
    expect(capture.find('warn', 'still alive after 300 ms: SIGKILL')).toHaveLength(1);
  });

  test('a grandchild that survives SIGTERM after the script exited is killed too', async () => {
    const path = join(folder, 'leaver');
    script(path, "echo \"pgid $$\"\n(trap '' TERM; sleep 1000) &\ntrap 'exit 1' TERM\nsleep 1000");
    const result = await executor.run(request(path, { timeoutMs: 200, killGraceMs: 200 }));
    expect(result.timedOut).toBe(true);
    expect(await leftovers(announcedPgid())).toEqual([]);
  });

  test('an abort kills the group and reports aborted', async () => {
    const path = join(folder, 'abortme');
    script(path, 'echo "pgid $$"\nsleep 1000 &\nsleep 1000');
    const controller = new AbortController();
    const running = executor.run(request(path, { signal: controller.signal }));
    await waitFor(() => capture.records.some((r) => r.msg.startsWith('pgid ')), 'the script running');
    controller.abort();
    const result = await running;
    expect(result).toMatchObject({ aborted: true, timedOut: false });
    expect(await leftovers(announcedPgid())).toEqual([]);
  });
});

test('output reaches the log line by line while the script runs, tagged with service and event', async () => {
  serviceDir(folder, 'talker', { start: 'echo one\nsleep 0.6\necho two >&2' });
  h = harness(testConfig(folder, {}, 60_000));
  h.manager.start();
  h.manager.setTarget('Start');
  await waitFor(() => h!.logger.find('info', 'one').length > 0, 'the first line');
  expect(stateOf(h.manager, 'talker')).toBe('Starting');
  expect(h.reports.filter((r) => r.event === 'start')).toEqual([]);
  expect(h.logger.find('warn', 'two')).toEqual([]);
  await waitFor(() => h!.manager.settled(), 'started');
  const [one] = h.logger.find('info', 'one');
  const [two] = h.logger.find('warn', 'two');
  expect(one).toMatchObject({ component: 'services', service: 'talker', event: 'start', stream: 'stdout' });
  expect(two).toMatchObject({ component: 'services', service: 'talker', event: 'start', stream: 'stderr' });
});

const asRootOuter = typeof process.getuid === 'function' && process.getuid() === 0;

describe('permissions', () => {
  (asRootOuter ? test : test.skip)('a script writable by a non-root group is warned about once, and runs when strict_permissions is false', async () => {
    const dir = serviceDir(folder, 'loose', { start: 'exit 0' });
    chmodSync(join(dir, 'start'), 0o775);
    chownSync(join(dir, 'start'), 0, 4242);
    const entry = { name: 'loose', path: dir, isDirectory: true };
    await executor.probe(entry, capture.logger);
    await executor.probe(entry, capture.logger);
    const result = await executor.run(request(dir));
    expect(result.code).toBe(0);
    const warnings = capture.find('warn', 'insecure service script');
    expect(warnings).toHaveLength(1);
    expect(warnings[0]!.msg).toContain(`${join(dir, 'start')}: writable by group (gid 4242) (mode 0775)`);
  });

  test('strict_permissions refuses a world-writable script: the event fails with the reason', async () => {
    serviceDir(folder, 'open', { start: 'exit 0' });
    chmodSync(join(folder, 'open', 'start'), 0o777);
    h = harness(testConfig(folder, { strict_permissions: true }, 60_000));
    h.manager.start();
    h.manager.setTarget('Start');
    await waitFor(() => h!.failures.length > 0, 'the refusal');
    expect(h.failures[0]!.reason).toContain('refused to run');
    expect(h.failures[0]!.reason).toContain(`${join(folder, 'open', 'start')}: writable by others (mode 0777)`);
    expect(stateOf(h.manager, 'open')).toBe('Failed');
  });

  const asRoot = typeof process.getuid === 'function' && process.getuid() === 0;
  (asRoot ? test : test.skip)('a script owned by another user is warned about (needs root to chown)', async () => {
    const path = join(folder, 'foreign');
    script(path, 'exit 0');
    chownSync(path, 4242, 4242);
    await executor.probe({ name: 'foreign', path, isDirectory: false }, capture.logger);
    expect(capture.find('warn', "owned by uid 4242, not root or the daemon's uid 0")).toHaveLength(1);
    strict = true;
    const result = await executor.run(request(path));
    expect(result.error).toContain('refused to run');
  });
});

test('a script that cannot be spawned fails with the reason', async () => {
  const path = join(folder, 'badshebang');
  writeFileSync(path, '#!/nonexistent/interpreter\n');
  chmodSync(path, 0o755);
  const result = await executor.run(request(path));
  expect(result.code).toBe(-1);
  expect(result.error).toMatch(/ENOENT/);
});

test('a non-executable file is not a service; a non-executable script is ignored with a warning', async () => {
  const plain = join(folder, 'notes');
  writeFileSync(plain, 'text');
  expect(await executor.probe({ name: 'notes', path: plain, isDirectory: false }, capture.logger)).toBeNull();
  const dir = serviceDir(folder, 'half', { start: 'exit 0', stop: 'exit 0' });
  chmodSync(join(dir, 'stop'), 0o644);
  const def = await executor.probe({ name: 'half', path: dir, isDirectory: true }, capture.logger);
  expect(def?.events).toEqual(['start']);
  expect(capture.find('warn', 'is not executable')).toHaveLength(2);
});

describe('ownership and mode up to the services folder (refused by default)', () => {
  const marker = (): string => join(folder, 'ran');
  const strictExecutor = (strictPermissions = true): ServiceExecutor =>
    createShellExecutor({ strictPermissions: () => strictPermissions, servicesFolder: () => folder, logger: capture.logger });

  test('a world-writable service directory: its script is refused, naming the directory; nothing runs', async () => {
    const dir = serviceDir(folder, 'opendir', { start: `touch ${marker()}` });
    chmodSync(dir, 0o777);
    const result = await strictExecutor().run(request(dir));
    expect(result.code).toBe(-1);
    expect(result.error).toContain(`refused to run ${join(dir, 'start')}: unsafe ownership or mode: ${dir}: writable by others (mode 0777)`);
    expect(require('node:fs').existsSync(marker())).toBe(false);
  });

  test('a world-writable services folder: every script is refused, naming the folder', async () => {
    const path = join(folder, 'single');
    script(path, `touch ${marker()}`);
    chmodSync(folder, 0o777);
    const result = await strictExecutor().run(request(path));
    expect(result.error).toContain(`${folder}: writable by others (mode 0777)`);
    expect(require('node:fs').existsSync(marker())).toBe(false);
  });

  test('service.strict_permissions false: the same script runs, with one warning naming the directory', async () => {
    const dir = serviceDir(folder, 'opendir', { start: `touch ${marker()}` });
    chmodSync(dir, 0o777);
    const lenient = strictExecutor(false);
    await lenient.probe({ name: 'opendir', path: dir, isDirectory: true }, capture.logger);
    const result = await lenient.run(request(dir));
    expect(result.code).toBe(0);
    expect(require('node:fs').existsSync(marker())).toBe(true);
    const warnings = capture.find('warn', 'insecure service script');
    expect(warnings).toHaveLength(1);
    expect(warnings[0]!.msg).toContain(`${dir}: writable by others (mode 0777)`);
  });

  (asRootOuter ? test : test.skip)('a service directory owned by another user is refused (needs root to chown)', async () => {
    const dir = serviceDir(folder, 'foreign', { start: 'exit 0' });
    chownSync(dir, 65534, 65534);
    const result = await strictExecutor().run(request(dir));
    expect(result.error).toContain(`${dir}: owned by uid 65534, not root or the daemon's uid 0`);
  });

  test('a safe folder under world-writable /tmp passes: the check stops at the services folder', async () => {
    const path = join(folder, 'fine');
    script(path, 'exit 0');
    const result = await strictExecutor().run(request(path));
    expect(result.code).toBe(0);
  });
});

describe('environment', () => {
  const saved = { secret: process.env.KOI_TEST_DAEMON_SECRET, proxy: process.env.KOI_TEST_PROXY };
  beforeEach(() => {
    process.env.KOI_TEST_DAEMON_SECRET = 'daemon-only';
    process.env.KOI_TEST_PROXY = 'http://proxy.invalid';
  });
  afterEach(() => {
    for (const [key, value] of [['KOI_TEST_DAEMON_SECRET', saved.secret], ['KOI_TEST_PROXY', saved.proxy]] as const) {
      if (value === undefined) delete process.env[key];
      else process.env[key] = value;
    }
  });

  async function scriptEnv(passthrough: string[]): Promise<Map<string, string>> {
    const path = join(folder, 'printenv');
    script(path, 'env');
    const ex = createShellExecutor({ strictPermissions: () => true, envPassthrough: () => passthrough, logger: capture.logger });
    const result = await ex.run(request(path, { env: { KOI_EVENT: 'start', KOI_SERVICE: 'printenv', KOI_IS_PROMOTED: '0' } }));
    expect(result.code).toBe(0);
    return new Map(capture.records.filter((r) => r.stream === 'stdout').map((r) => {
      const i = r.msg.indexOf('=');
      return [r.msg.slice(0, i), r.msg.slice(i + 1)] as [string, string];
    }));
  }

  test('a script gets the fixed PATH, HOME and the KOI_* variables, not the daemon\'s other variables', async () => {
    const env = await scriptEnv([]);
    expect(env.get('PATH')).toBe(SCRIPT_PATH);
    expect(env.get('KOI_SERVICE')).toBe('printenv');
    expect(env.get('KOI_IS_PROMOTED')).toBe('0');
    expect(env.has('HOME')).toBe(true);
    expect(env.has('KOI_TEST_DAEMON_SECRET')).toBe(false);
    expect(env.has('KOI_TEST_PROXY')).toBe(false);
    expect(env.has('NODE_OPTIONS')).toBe(false);
    const allowed = new Set(['PATH', 'HOME', 'LANG', 'LC_ALL', 'PWD', 'SHLVL', '_', 'KOI_EVENT', 'KOI_SERVICE', 'KOI_IS_PROMOTED', 'KOI_DAEMON_PID', 'KOI_DAEMON_STARTED', 'KOI_SERVICE_PATH', 'KOI_SCRIPT']);
    expect([...env.keys()].filter((k) => !allowed.has(k))).toEqual([]);
  });

  test('service.env_passthrough passes the listed variables, and only those', async () => {
    const env = await scriptEnv(['KOI_TEST_PROXY']);
    expect(env.get('KOI_TEST_PROXY')).toBe('http://proxy.invalid');
    expect(env.has('KOI_TEST_DAEMON_SECRET')).toBe(false);
  });
});
