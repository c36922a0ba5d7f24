/**
 * The import rules of docs/architecture.md "Import boundaries", read from the
 * source files themselves (every static `import`/`export … from`, dynamic
 * `import()` and `require()`):
 *
 * 1. Built-in plugins use the public plugin API only: nothing under plugins/
 *    imports core/ (webpack applies its own plugins exactly like a user's).
 * 2. plugin-api/ is self-contained: it imports neither core/ nor plugins/.
 * 3. Nothing outside plugins/ imports a plugin's internals: core/ loads
 *    built-ins by path through core/plugins/ (the same loader as a user's
 *    plugin) and bin/ only through core/.
 * 4. The cluster engine does no I/O of its own: the modules listed in
 *    ENGINE import no node: I/O module (fs, net, dgram, child_process, ...).
 *    I/O reaches them through providers (transport, executors, clock, logger).
 */
import { readdirSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';

const ROOT = path.resolve(__dirname, '../../..');

/** The engine: folders whose every module is engine, and single files. */
const ENGINE_DIRS = ['core/membership', 'core/elector', 'core/runner', 'core/services', 'core/node'];
const ENGINE_FILES = ['core/node.ts', 'core/safety-rules.ts', 'core/hooks.ts'];
/** Files inside ENGINE_DIRS that are I/O wiring, not engine (each with why). */
const ENGINE_EXCEPTIONS: Record<string, string> = {
  'core/services/folder.ts': 'scans the service folder (readdir/stat) for the manager',
  'core/node/version.ts': "reads koi's package.json once for the version string",
};
/** node: modules that reach outside the process (files, network, processes, the host). */
const IO_MODULES = [
  'fs', 'fs/promises', 'net', 'dgram', 'dns', 'dns/promises', 'child_process', 'http', 'https', 'http2', 'tls',
  'os', 'cluster', 'worker_threads', 'readline', 'inspector', 'repl', 'tty',
];

function sourceFiles(dir: string): string[] {
  const out: string[] = [];
  for (const entry of readdirSync(path.join(ROOT, dir))) {
    const rel = path.posix.join(dir, entry);
    if (statSync(path.join(ROOT, rel)).isDirectory()) {
      if (entry !== 'generated') out.push(...sourceFiles(rel));
    } else if (entry.endsWith('.ts')) out.push(rel);
  }
  return out;
}

/** Every module specifier a file names, with its line number. */
export function importsOf(text: string): Array<{ spec: string; line: number }> {
  const found: Array<{ spec: string; line: number }> = [];
  const pattern = /(?:\bfrom\s*|\bimport\s*\(\s*|\brequire\s*\(\s*|^\s*import\s+)['"]([^'"]+)['"]/gm;
  for (const match of text.matchAll(pattern)) {
    found.push({ spec: match[1], line: text.slice(0, match.index).split('\n').length });
  }
  return found;
}

/** Where a relative import lands, as a repository path (`core/wire/address`); bare specifiers as they are. */
function target(file: string, spec: string): string {
  return spec.startsWith('.') ? path.posix.normalize(path.posix.join(path.posix.dirname(file), spec)) : spec;
}

function violations(files: string[], forbidden: (target: string, spec: string) => boolean): string[] {
  const out: string[] = [];
  for (const file of files) {
    for (const { spec, line } of importsOf(readFileSync(path.join(ROOT, file), 'utf8'))) {
      if (forbidden(target(file, spec), spec)) out.push(`${file}:${line} imports '${spec}'`);
    }
  }
  return out;
}

const under = (dir: string) => (t: string) => t === dir || t.startsWith(`${dir}/`);
const isIo = (_t: string, spec: string) => IO_MODULES.includes(spec.replace(/^node:/, ''));

export const ENGINE_MODULES = [
  ...ENGINE_DIRS.flatMap(sourceFiles).filter((f) => !(f in ENGINE_EXCEPTIONS)),
  ...ENGINE_FILES,
].sort();

describe('import boundaries (docs/architecture.md)', () => {
  it('the rule reader sees static, type, dynamic and require imports', () => {
    const text = "import a from '../../core/x';\nimport type { B } from \"./b\";\nexport { c } from '../c';\nconst d = require('node:fs');\nvoid import('net');\nimport 'side-effect';";
    expect(importsOf(text).map((i) => `${i.line}:${i.spec}`)).toEqual(['1:../../core/x', '2:./b', '3:../c', '4:node:fs', '5:net', '6:side-effect']);
  });

  it('built-in plugins import nothing from core/ (they use plugin-api, like a third party)', () => {
    expect(violations(sourceFiles('plugins'), under('core'))).toEqual([]);
  });

  it('plugin-api imports neither core/ nor plugins/', () => {
    expect(violations(sourceFiles('plugin-api'), (t) => under('core')(t) || under('plugins')(t))).toEqual([]);
  });

  it('core/ and bin/ import no plugin module (built-ins are loaded by path through core/plugins/)', () => {
    expect(violations([...sourceFiles('core'), ...sourceFiles('bin')], under('plugins'))).toEqual([]);
  });

  it('the cluster engine imports no node: I/O module', () => {
    expect(ENGINE_MODULES.length).toBeGreaterThan(40);
    expect(violations(ENGINE_MODULES, isIo)).toEqual([]);
  });

  it('every engine exception still exists (a renamed file must not keep an exception alive)', () => {
    for (const file of Object.keys(ENGINE_EXCEPTIONS)) expect(statSync(path.join(ROOT, file)).isFile()).toBe(true);
  });
});

/** Files that may keep a plain `extends Error` class (each with why). */
const ERROR_CLASS_EXCEPTIONS: Record<string, string> = {};

describe('one error registry and one exit path (plugin-api/errors.ts)', () => {
  const everything = ['core', 'plugins', 'plugin-api', 'bin'].flatMap(sourceFiles);
  const grepAll = (pattern: RegExp, allowed: (file: string) => boolean) => everything.filter((f) => !allowed(f)).flatMap((file) =>
    readFileSync(path.join(ROOT, file), 'utf8').split('\n').flatMap((text, i) => (pattern.test(text) ? [`${file}:${i + 1}: ${text.trim()}`] : [])));

  it('every error class extends KoiError (a registry code), not Error', () => {
    expect(grepAll(/class \w+ extends Error\b/, (f) => f === 'plugin-api/errors.ts' || f in ERROR_CLASS_EXCEPTIONS)).toEqual([]);
  });

  it('registry codes are unique and in one style', () => {
    const { ErrorCode } = jest.requireActual<typeof import('../../../plugin-api/errors')>('../../../plugin-api/errors');
    const codes = Object.values(ErrorCode);
    expect(new Set(codes).size).toBe(codes.length);
    for (const code of codes) expect(code).toMatch(/^KOI_[A-Z_]+$/);
  });

  it('thrown values become text through errorMessage/errorDetail only', () => {
    expect(grepAll(/instanceof Error \? \(?\w+\.(message|stack)/, (f) => f === 'plugin-api/errors.ts')).toEqual([]);
  });

  it('the daemon exits only in core/daemon/run.ts (bin/ may exit before a daemon runs)', () => {
    expect(grepAll(/process\.exit\(/, (f) => f === 'core/daemon/run.ts' || f.startsWith('bin/'))).toEqual([]);
  });

  it('exit code 78 is one constant (ExitCode.CONFIG)', () => {
    expect(grepAll(/^\s*[^*/\s].*(=|:|\()\s*78\b/, (f) => f === 'plugin-api/status.ts')).toEqual([]);
  });
});
