/**
 * Loads a resolved plugin file and finds the plugin in what it exports:
 * a default export, `module.exports = plugin`, a named `plugin` export, or a
 * factory function (called once, without arguments) returning a plugin.
 * CommonJS loads with require; an ES module (ERR_REQUIRE_ESM on Node 20)
 * with a real dynamic import().
 */
import { pathToFileURL } from 'node:url';
import type { KoiPlugin } from '../../plugin-api';
import { PluginError } from './errors';
import type { ResolvedPlugin } from './resolve';
import { errorMessage } from '../../plugin-api/errors';

export async function importPluginModule(resolved: ResolvedPlugin): Promise<unknown> {
  if (!resolved.esm) {
    try {
      return require(resolved.file) as unknown;
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'ERR_REQUIRE_ESM') {
        throw new PluginError(resolved.name, 'bad-export', `cannot be loaded from ${resolved.file}: ${errorMessage(err)}`, [], { cause: err });
      }
    }
  }
  try {
    // module: node16 keeps this a real import() in the CommonJS output.
    return (await import(pathToFileURL(resolved.file).href)) as unknown;
  } catch (err) {
    throw new PluginError(resolved.name, 'bad-export', `cannot be imported from ${resolved.file}: ${errorMessage(err)}`, [], { cause: err });
  }
}

/** The plugin object in a module's exports, or a PluginError('bad-export') saying what was found. */
export function pluginFromExports(name: string, exported: unknown, file: string): KoiPlugin {
  const found = findPlugin(exported, 0);
  if (typeof found === 'string') {
    throw new PluginError(name, 'bad-export', `${file} does not export a koi plugin: ${found}`);
  }
  return found;
}

function findPlugin(value: unknown, depth: number): KoiPlugin | string {
  if (depth > 3) return 'exports nest too deep';
  if (isPluginObject(value)) return checkShape(value);
  if (typeof value === 'function') {
    let made: unknown;
    try {
      made = (value as () => unknown)();
    } catch (err) {
      return `its factory function threw: ${errorMessage(err)}`;
    }
    if (made && typeof (made as { then?: unknown }).then === 'function') return 'its factory function returned a promise (return the plugin itself)';
    return isPluginObject(made) ? checkShape(made) : `its factory function returned ${describe(made)}, not a plugin`;
  }
  if (value && typeof value === 'object') {
    const record = value as Record<string, unknown>;
    for (const key of ['default', 'plugin']) {
      if (record[key] !== undefined) return findPlugin(record[key], depth + 1);
    }
  }
  return `found ${describe(value)}; expected { name, apply(koi, options) } as the default export, module.exports, a \`plugin\` export, or a factory returning one`;
}

function isPluginObject(value: unknown): value is Record<string, unknown> {
  return !!value && typeof value === 'object' && typeof (value as { apply?: unknown }).apply === 'function';
}

function checkShape(value: Record<string, unknown>): KoiPlugin | string {
  if (typeof value.name !== 'string' || value.name.trim() === '') return 'the plugin object has no `name` string';
  if (value.options !== undefined && (typeof value.options !== 'object' || value.options === null || Array.isArray(value.options))) {
    return '`options` must be an object of option specs';
  }
  return value as unknown as KoiPlugin;
}

function describe(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'an array';
  if (typeof value === 'object') {
    const keys = Object.keys(value as object);
    return keys.length ? `an object with keys ${keys.slice(0, 6).join(', ')}` : 'an empty object';
  }
  return typeof value;
}

