/**
 * Turns a plugin name from the configuration into a file to load.
 *
 *   udp              → built-in plugins/udp (any folder with an index)
 *   foo              → koi-plugin-foo
 *   @scope/foo       → @scope/koi-plugin-foo
 *   koi-plugin-x, @scope/koi-plugin-x → as written
 *   ./x, ../x, /abs  → a path, relative to the config file's folder
 *
 * Packages resolve from the config file's folder first, then from the
 * daemon's own install.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { PluginError } from './errors';

export type PluginSource = 'builtin' | 'package' | 'path';

export interface ResolvedPlugin {
  /** Name as written in the configuration. */
  name: string;
  source: PluginSource;
  /** Package name for packages, the name otherwise. */
  request: string;
  /** Absolute file to load. */
  file: string;
  /** The file is ES module only (found through the package's `import` export). */
  esm: boolean;
}

export interface ResolveOptions {
  /** Folder of the config file that named the plugin. */
  baseDir?: string;
  /** Folder holding the built-ins (plugins/ in the source tree, dist/plugins when built). */
  builtinDir: string;
  /** The daemon's own install, the last place packages are looked for. */
  daemonRoot: string;
}

/** Folder of the built-in plugins next to this module (core/plugins → ../../plugins). */
export const BUILTIN_PLUGIN_DIR = path.resolve(__dirname, '..', '..', 'plugins');
/** The package root of the running daemon (holds package.json and node_modules). */
export const DAEMON_ROOT = findPackageRoot(__dirname);

const INDEX_FILES = ['index.js', 'index.ts', 'index.cjs', 'index.mjs'];
const PREFIX = 'koi-plugin-';

/** The package name a short name stands for, or null when it is a path. */
export function packageNameFor(name: string): string | null {
  if (isPath(name)) return null;
  if (name.startsWith('@')) {
    const slash = name.indexOf('/');
    if (slash < 0) return name; // malformed scope: let resolution fail naming it
    const scope = name.slice(0, slash);
    const rest = name.slice(slash + 1);
    return rest.startsWith(PREFIX) ? name : `${scope}/${PREFIX}${rest}`;
  }
  return name.startsWith(PREFIX) ? name : `${PREFIX}${name}`;
}

export function isPath(name: string): boolean {
  return name.startsWith('./') || name.startsWith('../') || name === '.' || name === '..' || path.isAbsolute(name);
}

/** The index file of a built-in, or null when there is no such built-in. */
export function builtinFile(name: string, builtinDir: string): string | null {
  if (!/^[a-z0-9][a-z0-9._-]*$/i.test(name)) return null;
  const dir = path.join(builtinDir, name);
  for (const index of INDEX_FILES) {
    const file = path.join(dir, index);
    if (fs.existsSync(file)) return file;
  }
  return null;
}

export function resolvePlugin(name: string, options: ResolveOptions): ResolvedPlugin {
  const looked: string[] = [];
  const baseDir = options.baseDir ?? process.cwd();

  if (isPath(name)) {
    const target = path.resolve(baseDir, name);
    try {
      return { name, source: 'path', request: name, file: require.resolve(target), esm: false };
    } catch {
      const file = resolveDirectoryEntry(target);
      if (file) return { name, source: 'path', request: name, file: file.file, esm: file.esm };
      looked.push(target);
      throw notFound(name, looked);
    }
  }

  const packageName = packageNameFor(name) as string;
  const shortName = !name.startsWith('@') && !name.includes('/') && !name.startsWith(PREFIX);
  if (shortName) {
    const builtin = builtinFile(name, options.builtinDir);
    if (builtin) return { name, source: 'builtin', request: name, file: builtin, esm: false };
    looked.push(`built-in ${path.join(options.builtinDir, name)}`);
  }

  for (const from of unique([baseDir, options.daemonRoot])) {
    const found = resolvePackage(packageName, from);
    if (found) return { name, source: 'package', request: packageName, file: found.file, esm: found.esm };
    looked.push(`${packageName} from ${from} (node_modules up to /)`);
  }
  throw notFound(name, looked);
}

function notFound(name: string, looked: string[]): PluginError {
  return new PluginError(name, 'not-found', `not found; looked in: ${looked.join('; ')}`, looked.map((l) => `looked in ${l}`));
}

function unique(list: string[]): string[] {
  return [...new Set(list.map((p) => path.resolve(p)))];
}

/**
 * require.resolve first; a package whose exports only offer `import` fails
 * there (ERR_PACKAGE_PATH_NOT_EXPORTED), so find its folder and read the
 * entry point from its package.json.
 */
function resolvePackage(packageName: string, from: string): { file: string; esm: boolean } | null {
  try {
    return { file: require.resolve(packageName, { paths: [from] }), esm: false };
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    if (code !== 'ERR_PACKAGE_PATH_NOT_EXPORTED' && code !== 'MODULE_NOT_FOUND') throw err;
  }
  for (let dir = path.resolve(from); ; dir = path.dirname(dir)) {
    const candidate = path.join(dir, 'node_modules', packageName);
    if (fs.existsSync(path.join(candidate, 'package.json'))) return resolveDirectoryEntry(candidate);
    if (path.dirname(dir) === dir) return null;
  }
}

/** Entry point of a package folder from its package.json (`exports` import/default, `module`, `main`). */
function resolveDirectoryEntry(dir: string): { file: string; esm: boolean } | null {
  const manifestFile = path.join(dir, 'package.json');
  if (!fs.existsSync(manifestFile)) return null;
  let manifest: { exports?: unknown; main?: string; module?: string; type?: string };
  try {
    manifest = JSON.parse(fs.readFileSync(manifestFile, 'utf8')) as typeof manifest;
  } catch {
    return null;
  }
  const entry = exportEntry(manifest.exports) ?? manifest.module ?? manifest.main ?? 'index.js';
  const file = path.resolve(dir, entry);
  if (!fs.existsSync(file)) return null;
  return { file, esm: manifest.type === 'module' || file.endsWith('.mjs') };
}

function exportEntry(exportsField: unknown): string | undefined {
  if (typeof exportsField === 'string') return exportsField;
  if (!exportsField || typeof exportsField !== 'object') return undefined;
  const record = exportsField as Record<string, unknown>;
  if ('.' in record) return exportEntry(record['.']);
  for (const condition of ['node', 'import', 'default', 'require']) {
    const found = exportEntry(record[condition]);
    if (found) return found;
  }
  return undefined;
}

function findPackageRoot(start: string): string {
  for (let dir = start; ; dir = path.dirname(dir)) {
    if (fs.existsSync(path.join(dir, 'package.json'))) return dir;
    if (path.dirname(dir) === dir) return start;
  }
}
