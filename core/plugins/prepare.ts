/**
 * Everything about a plugin that can be checked without applying it: found,
 * loaded, a plugin object, its declared koi range met, its options (its own
 * schema and the host's, like `hook_timeout`) valid. The plugin host runs it
 * before `apply`; `koinode --check` and a reload run it to refuse a bad
 * configuration before anything changes.
 */
import { HOST_OPTIONS } from '../../plugin-api/host-options';
import type { KoiPlugin, PluginEntry, PluginOptions } from '../../plugin-api';
import { koiVersion } from '../node/version';
import { PluginError } from './errors';
import { importPluginModule, pluginFromExports } from './load';
import { originPrefix, validatePluginOptions } from './options';
import { resolvePlugin } from './resolve';
import type { ResolvedPlugin } from './resolve';
import { satisfies, validRange } from './version-range';

export interface PreparedPlugin {
  entry: PluginEntry;
  plugin: KoiPlugin;
  resolved: ResolvedPlugin;
  /** The plugin's own options, validated, defaults filled. */
  options: PluginOptions;
  /** The host's options for this plugin (HOST_OPTIONS). */
  host: { hook_timeout: number };
}

export interface PrepareOptions {
  builtinDir: string;
  daemonRoot: string;
  /** The running koi's version (default: from package.json). */
  koiVersion?: string;
}

export async function preparePlugin(entry: PluginEntry, opts: PrepareOptions): Promise<PreparedPlugin> {
  const resolved = resolvePlugin(entry.name, { baseDir: entry.baseDir, builtinDir: opts.builtinDir, daemonRoot: opts.daemonRoot });
  const plugin = pluginFromExports(entry.name, await importPluginModule(resolved), resolved.file);
  checkKoiRange(entry, plugin, opts.koiVersion ?? koiVersion());
  const hostKeys = Object.keys(HOST_OPTIONS);
  const own: PluginOptions = {};
  const forHost: PluginOptions = {};
  for (const [key, value] of Object.entries(entry.options ?? {})) (hostKeys.includes(key) ? forHost : own)[key] = value;
  const mine = validatePluginOptions({ ...entry, options: own }, plugin.options, plugin.checkOptions?.bind(plugin));
  const host = validatePluginOptions({ ...entry, options: forHost }, HOST_OPTIONS);
  const problems = [...mine.problems, ...host.problems].sort((a, b) => lineOf(a) - lineOf(b));
  if (problems.length) {
    throw new PluginError(entry.name, 'bad-options', `bad options (${problems.length} problem${problems.length > 1 ? 's' : ''})`, problems);
  }
  return { entry, plugin, resolved, options: mine.options, host: host.options as PreparedPlugin['host'] };
}

function lineOf(problem: string): number {
  const m = /^[^\n]*?:(\d+): /.exec(problem);
  return m ? Number(m[1]) : 0;
}

function checkKoiRange(entry: PluginEntry, plugin: KoiPlugin, version: string): void {
  if (plugin.koi === undefined) return;
  const where = originPrefix(entry.origin);
  if (typeof plugin.koi !== 'string' || !validRange(plugin.koi)) {
    throw new PluginError(entry.name, 'incompatible', `declares koi ${JSON.stringify(plugin.koi)}, which is not a version range (write e.g. "^0.1.0")`, where ? [`${where}plugins.${entry.name}`] : []);
  }
  if (version === 'unknown' || satisfies(version, plugin.koi)) return;
  throw new PluginError(entry.name, 'incompatible',
    `needs koi ${plugin.koi}, but this is koi ${version}; install a version of the plugin made for koi ${version}`,
    where ? [`${where}plugins.${entry.name}`] : []);
}
