/**
 * Loads a native service module: CommonJS through require (the cache entry
 * is dropped first, so a changed file is read again), ES modules through
 * dynamic import() with a version query (Node cannot unload an ES module;
 * each change loads a new copy).
 */
import NodeModule from 'node:module';
import { pathToFileURL } from 'node:url';
import { SERVICE_EVENTS, type NativeService, ErrorCode, KoiError } from '../../plugin-api';

/**
 * Node's own CommonJS loader and cache (`require.cache` is `Module._cache`).
 * Used directly rather than through a `require` so that a test runner's or
 * bundler's module registry (Jest replaces `createRequire`) cannot stand in
 * for it: a reload must clear the cache Node really loads from.
 */
const loader = NodeModule as unknown as {
  _cache: Record<string, unknown>;
  _load(request: string, parent: unknown, isMain: boolean): unknown;
};

export class NativeServiceLoadError extends KoiError {
  constructor(readonly file: string, message: string) {
    super(ErrorCode.NATIVE_SERVICE_LOAD, `${file}: ${message}`);
  }
}

/** Load `file` and check its shape; `version` distinguishes reloads of an ES module. */
export async function loadNativeService(file: string, version: string): Promise<NativeService> {
  let loaded: unknown;
  if (file.endsWith('.mjs')) {
    loaded = await importModule(file, version);
  } else {
    try {
      delete loader._cache[file];
      loaded = loader._load(file, null, false);
    } catch (err) {
      // Node 20 refuses to require() an ES module (`"type": "module"` packages): import it instead.
      if ((err as NodeJS.ErrnoException).code !== 'ERR_REQUIRE_ESM') throw new NativeServiceLoadError(file, messageOf(err));
      loaded = await importModule(file, version);
    }
  }
  return checkShape(file, pickExport(loaded));
}

async function importModule(file: string, version: string): Promise<unknown> {
  try {
    return await import(`${pathToFileURL(file).href}?v=${encodeURIComponent(version)}`);
  } catch (err) {
    throw new NativeServiceLoadError(file, messageOf(err));
  }
}

/** `export default {...}` (or `exports.default`), else the module object itself (`module.exports = {...}`). */
function pickExport(loaded: unknown): unknown {
  if (isObject(loaded) && 'default' in loaded && isObject(loaded.default)) return loaded.default;
  return loaded;
}

function checkShape(file: string, value: unknown): NativeService {
  if (!isObject(value)) {
    throw new NativeServiceLoadError(file, `expected an object with async start/stop/status/promote/demote/failed functions as the default export or module.exports, found ${typeof value}`);
  }
  for (const event of SERVICE_EVENTS) {
    const fn = value[event];
    if (fn !== undefined && typeof fn !== 'function') {
      throw new NativeServiceLoadError(file, `export "${event}" must be a function, found ${typeof fn}`);
    }
  }
  return value as NativeService;
}

function isObject(value: unknown): value is Record<string, unknown> {
  return (typeof value === 'object' || typeof value === 'function') && value !== null;
}

function messageOf(err: unknown): string {
  if (typeof err === 'object' && err !== null && typeof (err as { message?: unknown }).message === 'string') {
    return (err as { message: string }).message;
  }
  return String(err);
}
