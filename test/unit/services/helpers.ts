/**
 * Shared fixtures of the service tests: a config with short timeouts, temp
 * service folders with real scripts, a manager wired to the real executors.
 */
import { chmodSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { KoiConfig, ServiceEntry, ServiceEventReport, ServiceExecutor, TargetAction } from '../../../plugin-api';
import { RealClock } from '../../../core/clock';
import { createHooks } from '../../../core/hooks';
import { createServiceManager, type ServiceManager } from '../../../core/services';
import { createShellExecutor } from '../../../plugins/exec-shell';
import { createNativeExecutor } from '../../../plugins/exec-native';
import { parsePassthrough } from '../../../core/security/script-env';
import { createTestLogger, type CapturingLogger } from '../../helpers/logger';

export function testConfig(folder: string, service: Partial<KoiConfig['service']> = {}, statusInterval = 200): KoiConfig {
  return {
    node: {
      name: 'node-a', elector: true, runner: true, port: 42012, maintenance: false, loglevel: 'info',
      force_restart: false, reuse_address: false, increment_port: false, admin_socket: 'off', admin_group: '', network_admin: 'full', admin_allow: '', journal: 'off', state_file: 'off',
    },
    cluster: { id: 13, password: 'pw-long-enough', transport: [], quorum: 1 },
    service: {
      folder, workingdir: tmpdir(),
      start_timeout: 3000, stop_timeout: 3000, status_timeout: 3000, promote_timeout: 3000, demote_timeout: 3000,
      failed_timeout: 3000, kill_grace: 200, auto_recover: 0, auto_recover_wait_factor: 1, strict_permissions: true, env_passthrough: '',
      ...service,
    },
    time: {
      status_interval: statusInterval, cluster_update_interval: 200, state_update_interval: 1000, elector_tick_interval: 250,
      runner_tick_interval: 250, elector_lost_time: 3000, elector_gone_time: 480000, quorum_demote_time: 10000,
      leader_dead_time: 800, master_dead_time: 2000, elector_startup_tolerance: 500, initial_promotion_delay: 60000, auto_recover_time: 10000, auto_recover_max_time: 600000,
      failcount_reset: 1800000, failure_promotion_timeout: 60000, node_timeout: 1000, master_lease: 1500, lease_margin: 500,
    },
    plugins: [],
    sources: [],
  };
}

/**
 * A temp folder removed by `cleanup()`. mkdtemp makes it 0700: a safe services
 * folder (the permission checks stop there; /tmp above it is world-writable).
 */
export function tempDir(prefix = 'koi-services-'): string {
  return mkdtempSync(join(tmpdir(), prefix));
}

export function cleanup(dir: string): void {
  rmSync(dir, { recursive: true, force: true });
}

/** Write an executable `#!/bin/sh` script. */
export function script(path: string, body: string, mode = 0o755): void {
  writeFileSync(path, `#!/bin/sh\n${body}\n`);
  chmodSync(path, mode);
}

/** A directory service with the given scripts (event name → body). */
export function serviceDir(folder: string, name: string, scripts: Record<string, string> = {}): string {
  const dir = join(folder, name);
  mkdirSync(dir, { recursive: true });
  for (const [event, body] of Object.entries(scripts)) script(join(dir, event), body);
  return dir;
}

export interface Harness {
  manager: ServiceManager;
  logger: CapturingLogger;
  reports: ServiceEventReport[];
  failures: Array<{ service: string; reason: string }>;
  changes: { count: number };
  config: KoiConfig;
}

export function harness(
  config: KoiConfig, executors?: ServiceExecutor[], listEntries?: () => Promise<ServiceEntry[]>,
): Harness {
  const logger = createTestLogger();
  const hooks = createHooks(logger.logger);
  const reports: ServiceEventReport[] = [];
  hooks.onServiceEvent.tap('test', (report) => {
    reports.push(report);
  });
  const failures: Array<{ service: string; reason: string }> = [];
  const changes = { count: 0 };
  const manager = createServiceManager({
    config,
    executors: executors ?? [
      createShellExecutor({
        strictPermissions: () => config.service.strict_permissions, logger: logger.logger,
        servicesFolder: () => config.service.folder, envPassthrough: () => parsePassthrough(config.service.env_passthrough),
      }),
      createNativeExecutor({
        strictPermissions: () => config.service.strict_permissions,
        servicesFolder: () => config.service.folder, envPassthrough: () => parsePassthrough(config.service.env_passthrough),
      }),
    ],
    hooks,
    clock: new RealClock(),
    logger: logger.logger,
    node: { id: 'id-a', name: 'node-a' },
    listener: {
      onChange: () => { changes.count += 1; },
      onFailure: (service, reason) => { failures.push({ service, reason }); },
    },
    listEntries,
  });
  return { manager, logger, reports, failures, changes, config };
}

/** Poll `predicate` until it holds (or fail with `what` after `timeoutMs`). */
export async function waitFor(predicate: () => boolean, what: string, timeoutMs = 5000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!predicate()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await sleep(10);
  }
}

export function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

/** The state of one service in the manager's summary. */
export function stateOf(manager: ServiceManager, name: string): string | undefined {
  return manager.summary().find((s) => s.name === name)?.state;
}

/** The non-empty lines of a log file the scripts append to (none while it does not exist). */
export function readLines(path: string): string[] {
  return existsSync(path) ? readFileSync(path, 'utf8').trim().split('\n').filter(Boolean) : [];
}

/**
 * Per-test temp folders and the harness under test: `folder` (the service
 * folder) and `work` (scratch for logs) are fresh for each test; `h`, once a
 * test sets it, is closed after the test, and both folders are removed.
 */
export interface ServiceFixture {
  folder: string;
  work: string;
  h: Harness | undefined;
  /** Set the target of `h` and wait until its services settle there. */
  settle(target: TargetAction, timeoutMs?: number): Promise<void>;
}

/** Registers the beforeEach/afterEach of a service test file; call it at the top level. */
export function useServiceFixture(): ServiceFixture {
  const fx: ServiceFixture = {
    folder: '',
    work: '',
    h: undefined,
    async settle(target, timeoutMs = 5000) {
      const h = fx.h;
      if (!h) throw new Error(`settle(${target}) before the test created its harness`);
      h.manager.setTarget(target);
      await waitFor(() => h.manager.settled(), `services settled at ${target}`, timeoutMs);
    },
  };
  beforeEach(() => {
    fx.folder = tempDir();
    fx.work = tempDir('koi-work-');
  });
  afterEach(async () => {
    await fx.h?.manager.close();
    fx.h = undefined;
    cleanup(fx.folder);
    cleanup(fx.work);
  });
  return fx;
}
