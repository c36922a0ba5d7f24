/** Temp folders with plugin packages written on the fly. */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { RealClock } from '../../../core/clock';
import { createHooks } from '../../../core/hooks';
import { PluginHost } from '../../../core/plugins';
import type { PluginHostOptions } from '../../../core/plugins';
import type { KoiConfig } from '../../../plugin-api';
import { createTestLogger } from '../../helpers/logger';
import type { CapturingLogger } from '../../helpers/logger';

export function tempDir(prefix: string): string {
  return fs.mkdtempSync(path.join(os.tmpdir(), `koi-${prefix}-`));
}

export function writeFiles(root: string, files: Record<string, string>): void {
  for (const [rel, text] of Object.entries(files)) {
    const file = path.join(root, rel);
    fs.mkdirSync(path.dirname(file), { recursive: true });
    fs.writeFileSync(file, text);
  }
}

/** A CommonJS package `name` under root/node_modules whose index is `source`. */
export function writePackage(root: string, name: string, source: string, manifest: Record<string, unknown> = {}): string {
  const dir = path.join(root, 'node_modules', name);
  writeFiles(dir, {
    'package.json': JSON.stringify({ name, version: '1.0.0', main: 'index.js', ...manifest }),
    'index.js': source,
  });
  return dir;
}

export function minimalConfig(sources: string[] = []): KoiConfig {
  return {
    node: { name: 'n1', elector: true, runner: true, port: 42012, maintenance: false, loglevel: 'info', force_restart: false, reuse_address: false, increment_port: false, admin_socket: 'off', admin_group: '', network_admin: 'full', admin_allow: '', journal: 'off' },
    cluster: { id: 1, password: 'pw-long-enough', transport: [], quorum: 1 },
    service: {
      folder: '/nonexistent', workingdir: '/', start_timeout: 1000, stop_timeout: 1000, status_timeout: 1000, promote_timeout: 1000,
      demote_timeout: 1000, failed_timeout: 1000, kill_grace: 100, auto_recover: 0, auto_recover_wait_factor: 1, strict_permissions: true, env_passthrough: '',
    },
    time: {
      status_interval: 1, cluster_update_interval: 1, state_update_interval: 1, elector_tick_interval: 1, runner_tick_interval: 1,
      elector_lost_time: 1, elector_gone_time: 1, quorum_demote_time: 1, master_dead_time: 1, elector_startup_tolerance: 1,
      initial_promotion_delay: 1, auto_recover_time: 1, auto_recover_max_time: 1, failcount_reset: 1, failure_promotion_timeout: 1, node_timeout: 1,
      master_lease: 1, lease_margin: 1,
    },
    plugins: [],
    sources,
  };
}

export interface HostFixture {
  host: PluginHost;
  capture: CapturingLogger;
  hooks: ReturnType<typeof createHooks>;
}

export function makeHost(overrides: Partial<PluginHostOptions> = {}): HostFixture {
  const capture = createTestLogger();
  const hooks = createHooks(capture.logger);
  const host = new PluginHost({
    config: minimalConfig(),
    hooks,
    logger: capture.logger,
    clock: new RealClock(),
    node: { id: '00000000-0000-4000-8000-000000000001', name: 'n1' },
    defaults: false,
    ...overrides,
  });
  return { host, capture, hooks };
}
