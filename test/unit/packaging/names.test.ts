/**
 * koi is `koi-ha` on npm (issue 16): the npm name `koi` is an unrelated
 * package, so no doc, example or manifest may tell anyone to depend on it
 * or import from it. Also ties the guide's install commands to what the
 * install tests (test/package) run.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';

const ROOT = path.resolve(__dirname, '..', '..', '..');
const manifest = JSON.parse(fs.readFileSync(path.join(ROOT, 'package.json'), 'utf8')) as {
  name: string; bin: Record<string, string>; files: string[]; scripts: Record<string, string>;
  dependencies: Record<string, string>; optionalDependencies?: Record<string, string>;
};

function filesUnder(dir: string, keep: (file: string) => boolean): string[] {
  return fs.readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const full = path.join(dir, entry.name);
    if (entry.isDirectory()) return entry.name === 'node_modules' ? [] : filesUnder(full, keep);
    return keep(full) ? [full] : [];
  });
}

const TEXT = /\.(md|json|js|ts|d\.ts|conf|service|sh)$/;
const documents = [path.join(ROOT, 'README.md'), ...filesUnder(path.join(ROOT, 'docs'), (f) => TEXT.test(f)), ...filesUnder(path.join(ROOT, 'examples'), (f) => TEXT.test(f))];

/** Ways a text can point at the npm package `koi` instead of `koi-ha`. */
const WRONG_NAME: Array<[RegExp, string]> = [
  [/['"(]koi\/plugin-api['")]/, 'imports from koi/plugin-api'],
  [/"koi"\s*:\s*"[\^~>=<*\d]/, 'declares a dependency on "koi"'],
  [/node_modules\/koi\//, 'points into node_modules/koi/'],
  [/npm (install|i)( -g)?( --[\w=-]+)* koi(@[\w.^~-]+)?(\s|$|`)/, 'installs the npm package koi'],
];

test('the package is koi-ha; the commands stay koi and koinode; the examples ship', () => {
  expect(manifest.name).toBe('koi-ha');
  expect(Object.keys(manifest.bin).sort()).toEqual(['koi', 'koinode']);
  expect(manifest.files).toEqual(expect.arrayContaining(['dist', 'docs', 'examples', 'README.md']));
  // The syslog addon must never break an install on a machine without a compiler.
  expect(manifest.dependencies['unix-dgram']).toBeUndefined();
  expect(manifest.optionalDependencies?.['unix-dgram']).toBeDefined();
  // Building is not an install script: an installed tarball has no tsc.
  expect(Object.keys(manifest.scripts).filter((s) => ['preinstall', 'install', 'postinstall', 'prepare'].includes(s))).toEqual([]);
});

test('no doc or example points at the npm package koi', () => {
  const found: string[] = [];
  for (const file of documents) {
    fs.readFileSync(file, 'utf8').split('\n').forEach((line, i) => {
      for (const [pattern, what] of WRONG_NAME) if (pattern.test(line)) found.push(`${path.relative(ROOT, file)}:${i + 1}: ${what}: ${line.trim()}`);
    });
  }
  expect(found).toEqual([]);
});

test('example plugins: an optional peer dependency on koi-ha with a version range', () => {
  const manifests = filesUnder(path.join(ROOT, 'examples'), (f) => path.basename(f) === 'package.json');
  expect(manifests.length).toBeGreaterThan(0);
  for (const file of manifests) {
    const pkg = JSON.parse(fs.readFileSync(file, 'utf8')) as { peerDependencies?: Record<string, string>; peerDependenciesMeta?: Record<string, { optional?: boolean }> };
    expect({ file: path.relative(ROOT, file), peer: pkg.peerDependencies, meta: pkg.peerDependenciesMeta })
      .toEqual({ file: path.relative(ROOT, file), peer: { 'koi-ha': expect.stringMatching(/^\^\d+\.\d+\.\d+$/) }, meta: { 'koi-ha': { optional: true } } });
  }
});

test("the guide's install commands are the ones test/package runs", () => {
  const guide = fs.readFileSync(path.join(ROOT, 'docs', 'guide.md'), 'utf8');
  const npmTest = fs.readFileSync(path.join(ROOT, 'test', 'package', 'npm-global.test.ts'), 'utf8');
  expect(guide).toContain('sudo npm install -g --prefix /usr/local --allow-scripts=unix-dgram koi-ha\n');
  expect(guide).toContain('sudo npm install -g --prefix /usr/local --allow-scripts=unix-dgram ./koi-ha-0.1.0.tgz\n');
  expect(npmTest).toContain("'--allow-scripts=unix-dgram'");
  expect(guide).toContain('npm run package:deb          # writes dist-deb/koi-ha_0.1.0_amd64.deb');
  expect(manifest.scripts['package:deb']).toBe('bash packaging/deb/build.sh');
  const unit = fs.readFileSync(path.join(ROOT, 'examples', 'systemd', 'koinode.service'), 'utf8');
  const execStart = /^ExecStart=(.*)$/m.exec(unit)?.[1];
  expect(guide).toContain(`\`ExecStart=${execStart}\``);
});
