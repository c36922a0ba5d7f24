/**
 * Check plugin entries without applying any (koinode --check, koi check, and
 * a reload before it changes anything): each is found, loaded, compatible,
 * its dependencies listed before it, its options valid. Problems read like
 * config errors: `file:line: plugin x: ...`, in the order written.
 */
import type { PluginEntry } from '../../plugin-api';
import { PluginError } from './errors';
import { originPrefix } from './options';
import { preparePlugin } from './prepare';
import type { PrepareOptions } from './prepare';
import { BUILTIN_PLUGIN_DIR, DAEMON_ROOT } from './resolve';

export interface PreflightReport {
  problems: string[];
  /** Entries that passed. */
  checked: string[];
}

export async function checkPluginEntries(entries: PluginEntry[], opts: Partial<PrepareOptions> = {}): Promise<PreflightReport> {
  const problems: string[] = [];
  const checked: string[] = [];
  const before = new Set<string>();
  for (const entry of entries) {
    try {
      const prepared = await preparePlugin(entry, { builtinDir: opts.builtinDir ?? BUILTIN_PLUGIN_DIR, daemonRoot: opts.daemonRoot ?? DAEMON_ROOT, koiVersion: opts.koiVersion });
      const missing = (prepared.plugin.dependencies ?? []).filter((d) => !before.has(d));
      before.add(entry.name).add(prepared.plugin.name);
      if (missing.length) {
        problems.push(`${originPrefix(entry.origin)}plugin ${entry.name}: needs ${missing.join(', ')} listed above it in the plugins section (its dependencies)`);
        continue;
      }
      checked.push(entry.name);
    } catch (err) {
      if (!(err instanceof PluginError)) throw err;
      before.add(entry.name);
      // Option problems already say file:line and the option: one line each, like config errors.
      if (err.reason === 'bad-options') {
        problems.push(...err.details);
        continue;
      }
      const where = originPrefix(entry.origin);
      problems.push(`${where}${err.reason === 'not-found' || err.details.length === 0 ? err.message : err.format().replace(/\n {2}/g, '\n    ')}`);
    }
  }
  return { problems, checked };
}
