/** Temp folders with plugin packages written on the fly. */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { RealClock } from '../../../core/clock';
import { defaultConfig } from '../../../core/config/defaults';
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

/** A complete configuration for plugin-host tests: the built-in defaults, no admin socket, no journal. */
export function minimalConfig(sources: string[] = []): KoiConfig {
  const config = defaultConfig();
  return {
    ...config,
    node: { ...config.node, name: 'n1', runner: true, admin_socket: 'off', network_admin: 'full', journal: 'off' },
    cluster: { ...config.cluster, id: 1, password: 'pw-long-enough', quorum: 1 },
    service: { ...config.service, folder: '/nonexistent', workingdir: '/' },
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
