/**
 * Finding and reading configuration files.
 *
 * Formats are picked the way cosmiconfig picks loaders (by extension, `noExt`
 * for `.koirc`), with koi's own loader registered for `.conf`. We use
 * cosmiconfig's loaders but NOT its `cosmiconfig()` explorer: creating an
 * explorer always runs its "meta config" search (`.config/config.js` and
 * friends in process.cwd(), loaded with loaders that execute JavaScript) —
 * see node_modules/cosmiconfig/dist/index.js, mergeOptionsBase() →
 * getUserDefinedOptionsFromMetaConfig(). A daemon started in an arbitrary
 * directory must never run code found there, so the search below is ours,
 * and JavaScript is loaded only from a file named with `-f`.
 */
import { promises as fs } from 'node:fs';
import path from 'node:path';
import { createRequire } from 'node:module';
import { pathToFileURL } from 'node:url';
import { runInThisContext } from 'node:vm';
import type { Loader, Loaders } from 'cosmiconfig';
import type { ConfigProblem } from './errors';
import { ConfigError } from './errors';
import { parseKoiConf, type ConfSection } from './koi-conf-parser';
import { errorMessage } from '../../plugin-api/errors';

/** A value read from a file, with its line (0 when the format has none). */
export interface RawLeaf {
  kind: 'leaf';
  value: unknown;
  line: number;
}

/** A section (koi.conf block, or a JSON/YAML object), children in written order. */
export interface RawSection {
  kind: 'section';
  line: number;
  children: Map<string, RawNode>;
}

export type RawNode = RawLeaf | RawSection;

/** One configuration file, read and parsed, not yet validated. */
export interface ConfigLayer {
  /** The file as the operator named it (shown in messages). */
  file: string;
  /** Absolute path. */
  absolutePath: string;
  /** Folder of the file: relative paths and plugin names resolve from here. */
  dir: string;
  root: RawSection;
}

/**
 * Where the search looks, in order. The daemon (`searchCwd` false) looks at
 * the system file only (SPEC §7): a koinode started in some directory must
 * not take its configuration — whose `plugins` section loads code — from
 * there. The `koi` client (`searchCwd` true) looks at `./koi.conf` first,
 * then the system file, then the data-only cosmiconfig sources in the
 * working directory; it reads the password and port and never loads plugins.
 * JavaScript is never searched.
 */
export function searchPlaces(cwd: string, systemConfigPath: string, searchCwd = false): string[] {
  if (!searchCwd) return [systemConfigPath];
  return [
    path.join(cwd, 'koi.conf'),
    systemConfigPath,
    ...['koi.config.json', 'koi.config.yaml', 'koi.config.yml', '.koirc', '.koirc.json', '.koirc.yaml', '.koirc.yml', 'package.json']
      .map((name) => path.join(cwd, name)),
  ];
}

/** A cosmiconfig loader for the koi.conf format: the file as a plain object, strings as written. Throws ConfigError on syntax errors. */
export const koiConfLoader: Loader = (filepath: string, content: string) => {
  const { root, problems } = parseKoiConf(content, filepath);
  if (problems.length > 0) throw new ConfigError(problems);
  return toPlain(confToRaw(root));
};

let freshImports = 0;

/**
 * JS configuration, evaluated fresh on every call so a reload sees an edited
 * file (require() and import() would both hand back a cached module):
 * CommonJS is compiled from the content just read, with a `require` rooted at
 * the file; ES modules go through import() with a cache-busting query.
 */
export const loadJsFresh: Loader = async (filepath: string, content: string) => {
  if (path.extname(filepath).toLowerCase() !== '.mjs') {
    try {
      return unwrapDefault(evaluateCommonJs(filepath, content));
    } catch (error) {
      // ESM syntax: fall through to import(). Anything else is the file's own error.
      const esmSyntax = (error as Error).name === 'SyntaxError' && /import statement|export|import\.meta|await/.test((error as Error).message);
      if (!esmSyntax) throw error;
    }
  }
  freshImports += 1;
  const module = (await import(`${pathToFileURL(filepath).href}?koi-load=${freshImports}`)) as { default?: unknown };
  return unwrapDefault(module.default ?? module);
};

function evaluateCommonJs(filepath: string, content: string): unknown {
  const body = content.startsWith('#!') ? `//${content}` : content;
  const wrapper = runInThisContext(`(function (exports, require, module, __filename, __dirname) {${body}\n})`, { filename: filepath }) as
    (exports: unknown, require: NodeJS.Require, module: { exports: unknown }, filename: string, dirname: string) => void;
  const module = { exports: {} as unknown };
  wrapper.call(module.exports, module.exports, createRequire(filepath), module, filepath, path.dirname(filepath));
  return module.exports;
}

function unwrapDefault(value: unknown): unknown {
  if (isPlainObject(value) && value.__esModule === true && 'default' in value) return value.default;
  return value;
}

/**
 * One of cosmiconfig's loaders, required on first use: cosmiconfig and its
 * YAML parser cost a daemon that reads only koi.conf about 4 MB of RSS.
 */
function cosmiconfigLoader(key: '.json' | '.yaml' | '.yml' | 'noExt'): Loader {
  return (filepath, content) => (require('cosmiconfig') as typeof import('cosmiconfig')).defaultLoaders[key](filepath, content);
}

/**
 * cosmiconfig's JSON/YAML loaders, koi.conf (`.conf`) and fresh JS loading
 * (cosmiconfig's own JS loader caches modules across reloads).
 * No TypeScript loader. JS loaders are only reached for files named with `-f`.
 */
export const KOI_CONFIG_LOADERS: Loaders = {
  '.json': cosmiconfigLoader('.json'),
  '.yaml': cosmiconfigLoader('.yaml'),
  '.yml': cosmiconfigLoader('.yml'),
  noExt: cosmiconfigLoader('noExt'),
  '.js': loadJsFresh,
  '.cjs': loadJsFresh,
  '.mjs': loadJsFresh,
  '.conf': koiConfLoader,
};

/** Formats by how the file is read. */
type Format = 'koi-conf' | 'data' | 'javascript' | 'typescript';

function formatOf(file: string): Format {
  const ext = path.extname(file).toLowerCase();
  if (ext === '.json' || ext === '.yaml' || ext === '.yml' || (ext === '' && path.basename(file).startsWith('.'))) return 'data';
  if (ext === '.js' || ext === '.cjs' || ext === '.mjs') return 'javascript';
  if (ext === '.ts' || ext === '.cts' || ext === '.mts') return 'typescript';
  // `.conf` and any other name (e.g. /etc/koi/cluster1.cfg) is the original format.
  return 'koi-conf';
}

export type ReadResult =
  /** `problems`: syntax problems of a koi.conf file whose well-formed rest is still validated. */
  | { status: 'ok'; layer: ConfigLayer; problems: ConfigProblem[] }
  | { status: 'absent' }
  | { status: 'invalid'; problems: ConfigProblem[] };

/**
 * Read one file. `explicit` (named with -f): a missing file is a problem and
 * JavaScript may run; found by the search: a missing file, or a
 * package.json without `koi`, is simply absent.
 */
export async function readConfigFile(absolutePath: string, displayName: string, explicit: boolean): Promise<ReadResult> {
  const problem = (message: string, line = 0): ReadResult => ({ status: 'invalid', problems: [{ file: displayName, line, key: '', message }] });
  let content: string;
  try {
    const stat = await fs.stat(absolutePath);
    if (!stat.isFile()) return explicit ? problem('is not a regular file') : { status: 'absent' };
    content = await fs.readFile(absolutePath, 'utf8');
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (!explicit && (code === 'ENOENT' || code === 'ENOTDIR')) return { status: 'absent' };
    if (code === 'ENOENT') return problem('configuration file not found');
    return problem(`cannot read configuration file: ${(error as Error).message}`);
  }

  const dir = path.dirname(absolutePath);
  const layerOf = (root: RawSection, problems: ConfigProblem[] = []): ReadResult => ({
    status: 'ok', layer: { file: displayName, absolutePath, dir, root }, problems,
  });
  const format = formatOf(absolutePath);
  switch (format) {
    case 'koi-conf': {
      // The parser recovers from syntax errors; the keys it could read are
      // validated too, so one run reports everything wrong with the file.
      const { root, problems } = parseKoiConf(content, displayName);
      return layerOf(confToRaw(root), problems);
    }
    case 'typescript':
      return problem('TypeScript configuration files are not supported; use koi.conf, JSON, YAML or a compiled .js/.cjs file');
    case 'javascript':
      if (!explicit) return { status: 'absent' }; // never reached by the search places; belt and braces
      return await loadData(absolutePath, displayName, content, layerOf, problem);
    case 'data':
      if (content.trim() === '') return layerOf(emptySection());
      return await loadData(absolutePath, displayName, content, layerOf, problem, explicit);
    default: {
      const unreachable: never = format;
      throw new Error(`unhandled format ${String(unreachable)}`);
    }
  }
}

async function loadData(
  absolutePath: string,
  displayName: string,
  content: string,
  layerOf: (root: RawSection) => ReadResult,
  problem: (message: string, line?: number) => ReadResult,
  explicit = true,
): Promise<ReadResult> {
  const ext = path.extname(absolutePath).toLowerCase();
  const loader = KOI_CONFIG_LOADERS[ext === '' ? 'noExt' : ext];
  if (loader === undefined) return problem(`no loader for "${ext}" files`);
  let data: unknown;
  try {
    data = await loader(absolutePath, content);
  } catch (error) {
    return problem(`cannot parse: ${firstLine(error)}`, errorLine(error));
  }
  if (path.basename(absolutePath) === 'package.json') {
    const koi = isPlainObject(data) ? data.koi : undefined;
    if (koi === undefined) return explicit ? problem('package.json has no "koi" property') : { status: 'absent' };
    data = koi;
  }
  if (data === undefined || data === null) return layerOf(emptySection());
  if (!isPlainObject(data)) return problem(`the top level must be an object of sections, got ${Array.isArray(data) ? 'a list' : typeof data}`);
  return layerOf(dataToRaw(data, 0));
}

function firstLine(error: unknown): string {
  const text = errorMessage(error);
  // cosmiconfig prefixes "JSON Error in <file>:" — the file is already named.
  return text.split('\n').filter((line) => line.trim() !== '' && !/^(JSON|YAML) Error in /.test(line))[0] ?? text;
}

/** Line of a JSON (parse-json) or YAML (js-yaml) parse error, 0 when unknown. */
function errorLine(error: unknown): number {
  const mark = (error as { mark?: { line?: number } }).mark;
  if (typeof mark?.line === 'number') return mark.line + 1;
  const match = /line (\d+)/.exec(errorMessage(error));
  return match ? Number(match[1]) : 0;
}

export function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function emptySection(): RawSection {
  return { kind: 'section', line: 0, children: new Map() };
}

/** koi.conf tree → raw tree (values stay strings). The parser already rejected duplicates. */
export function confToRaw(section: ConfSection): RawSection {
  const children = new Map<string, RawNode>();
  for (const entry of section.entries) {
    if (entry.kind === 'section') children.set(entry.name, confToRaw(entry));
    else children.set(entry.key, { kind: 'leaf', value: entry.text, line: entry.line });
  }
  return { kind: 'section', line: section.line, children };
}

/** JSON/YAML/JS object → raw tree: objects become sections, everything else a leaf. */
export function dataToRaw(data: Record<string, unknown>, line: number): RawSection {
  const children = new Map<string, RawNode>();
  for (const [key, value] of Object.entries(data)) {
    children.set(key, isPlainObject(value) ? dataToRaw(value, line) : { kind: 'leaf', value, line });
  }
  return { kind: 'section', line, children };
}

/** Raw tree → plain object (plugin options). */
export function toPlain(node: RawNode): unknown {
  if (node.kind === 'leaf') return node.value;
  const out: Record<string, unknown> = {};
  for (const [key, child] of node.children) out[key] = toPlain(child);
  return out;
}
