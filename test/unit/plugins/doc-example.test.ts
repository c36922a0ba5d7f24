/**
 * docs/plugins.md's first example, followed literally (issue 17 item 6): the
 * blocks marked `<!-- doc-test: FILE -->` are written to a package folder,
 * compiled with their own tsconfig against koi-ha's published types, put
 * next to a koi.conf holding the doc's `plugins` block, and loaded by short
 * name; `hello` must answer.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import ts from 'typescript';
import { loadConfig } from '../../../core/config';
import { makeHost, minimalConfig, tempDir } from './fixtures';

const REPO = path.resolve(__dirname, '../../..');

function docBlocks(): Map<string, string> {
  const text = fs.readFileSync(path.join(REPO, 'docs', 'plugins.md'), 'utf8');
  const blocks = new Map<string, string>();
  for (const m of text.matchAll(/<!-- doc-test: (.+?) -->\n```[a-z]*\n([\s\S]*?)```/g)) blocks.set(m[1], m[2]);
  return blocks;
}

test('the first example of docs/plugins.md compiles with its tsconfig and loads next to koi.conf by its short name', async () => {
  const blocks = docBlocks();
  expect([...blocks.keys()]).toEqual(['src/index.ts', 'tsconfig.json', 'package.json', 'koi.conf plugins']);
  const dir = tempDir('doc-example');
  const pkg = path.join(dir, 'node_modules', 'koi-plugin-hello');
  for (const file of ['src/index.ts', 'tsconfig.json', 'package.json']) {
    fs.mkdirSync(path.dirname(path.join(pkg, file)), { recursive: true });
    fs.writeFileSync(path.join(pkg, file), blocks.get(file)!);
  }
  // The author's devDependency koi-ha: this repository, as built (its package.json exports dist/).
  fs.mkdirSync(path.join(pkg, 'node_modules'));
  fs.symlinkSync(REPO, path.join(pkg, 'node_modules', 'koi-ha'), 'dir');
  const parsed = ts.getParsedCommandLineOfConfigFile(path.join(pkg, 'tsconfig.json'), {}, { ...ts.sys, onUnRecoverableConfigFileDiagnostic: (d) => { throw new Error(String(d.messageText)); } })!;
  const program = ts.createProgram(parsed.fileNames, parsed.options);
  const emitted = program.emit();
  const problems = [...ts.getPreEmitDiagnostics(program), ...emitted.diagnostics].map((d) => ts.flattenDiagnosticMessageText(d.messageText, '\n'));
  expect(problems).toEqual([]);
  // Installed next to koi.conf: no koi-ha there (an optional peer), so the plugin must not need it at run time.
  fs.rmSync(path.join(pkg, 'node_modules'), { recursive: true });

  const conf = path.join(dir, 'koi.conf');
  fs.writeFileSync(conf, `cluster {\n  password "a-long-enough-password"\n}\n${blocks.get('koi.conf plugins')}`);
  const { config } = await loadConfig({ files: [conf], cwd: dir });
  const { host, hooks } = makeHost({ config: minimalConfig([conf]) });
  await host.load(config.plugins[0]);
  expect(await hooks.onAdminCommand.promise({ command: 'hello', args: [], from: '' })).toEqual({ exitCode: 0, text: 'Good morning from n1' });
  expect(host.commands.map((c) => c.name)).toEqual(['hello']);
  await host.closeAll();
  fs.rmSync(dir, { recursive: true, force: true });
});
