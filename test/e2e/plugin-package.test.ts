/**
 * A third-party plugin as its users get it (issue 17): examples/koi-plugin-example
 * is built from its TypeScript with its own tsconfig against koi-ha's
 * published types, packed with `npm pack`, installed with `npm install` next
 * to each node's koi.conf, and loaded by its short name by three real
 * koinode processes. Its declared commands show in `koi --help`, pass
 * read-only network admin and run where declared; a reload with a bad
 * option of it is refused (exit 1, file:line) and changes nothing.
 */
import { spawnSync, spawn } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { checkCommandsAnswer } from './client-schema';
import { E2ECluster, KOI, REPO_ROOT, type ClusterView } from './harness';

jest.setTimeout(120_000);

const EXAMPLE = path.join(REPO_ROOT, 'examples', 'koi-plugin-example');
let work: string;
let tarball: string;
let c: E2ECluster;

function run(cmd: string, args: string[], cwd: string): string {
  const r = spawnSync(cmd, args, { cwd, encoding: 'utf8', env: { ...process.env, npm_config_update_notifier: 'false' } });
  if (r.status !== 0) throw new Error(`${cmd} ${args.join(' ')} in ${cwd} failed (${r.status}):\n${r.stdout}\n${r.stderr}`);
  return r.stdout;
}

/** `koi` over the node's local admin socket (what an operator on the node uses). */
function koiLocal(node: string, args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [KOI, '-f', c.confPath(node), '-S', c.adminSocket(node), ...args], { env: { ...process.env, NO_COLOR: '1' } });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    child.on('close', (code) => resolve({ code: code ?? -1, stdout, stderr }));
  });
}

beforeAll(async () => {
  // The author's side: build with the package's own tsconfig (koi-ha as a dev dependency), then npm pack.
  work = fs.mkdtempSync(path.join(os.tmpdir(), 'koi-pack-'));
  const pkg = path.join(work, 'koi-plugin-example');
  fs.cpSync(EXAMPLE, pkg, { recursive: true, filter: (src) => !/[/\\](dist|node_modules)$/.test(src) && !src.endsWith('tsconfig.in-repo.json') });
  fs.mkdirSync(path.join(pkg, 'node_modules', '@types'), { recursive: true });
  fs.symlinkSync(REPO_ROOT, path.join(pkg, 'node_modules', 'koi-ha'), 'dir');
  fs.symlinkSync(path.join(REPO_ROOT, 'node_modules', '@types', 'node'), path.join(pkg, 'node_modules', '@types', 'node'), 'dir');
  run(process.execPath, [path.join(REPO_ROOT, 'node_modules', 'typescript', 'bin', 'tsc'), '-p', 'tsconfig.json'], pkg);
  const packed = run('npm', ['pack', '--ignore-scripts', '--json', '--pack-destination', work], pkg);
  tarball = path.join(work, (JSON.parse(packed) as Array<{ filename: string }>)[0].filename);

  c = await E2ECluster.create({ nodes: 3, quorum: 2, statusInterval: '500ms', networkAdmin: 'read-only', tag: 'koi-plugin-pkg', plugins: ['example { greeting "Good morning" }'] });
  // The user's side: npm install next to each koi.conf.
  for (const node of c.nodes) run('npm', ['install', '--offline', '--no-audit', '--no-fund', '--ignore-scripts', tarball], c.nodeDir(node.name));
  c.start();
});

afterAll(async () => {
  await c?.close();
  if (work) fs.rmSync(work, { recursive: true, force: true });
});

async function settled(): Promise<ClusterView & { master: { id: string; name: string } }> {
  return c.waitForMaster((v) => v.nodes.filter((n) => n.state === 'Slave' || n.state === 'Master').length === 3
    && v.nodes.every((n) => n.services.every((s) => s.state === (n.state === 'Master' ? 'Promoted' : 'Started'))), 40_000);
}

test('the packed plugin, installed next to koi.conf, loads by its short name and answers its commands', async () => {
  await settled();
  for (const node of c.nodes) {
    expect(fs.realpathSync(path.join(c.nodeDir(node.name), 'node_modules', 'koi-plugin-example', 'dist', 'index.js'))).not.toContain(REPO_ROOT);
  }
  // Read-only plugin commands pass `network_admin read-only`.
  const hello = await c.koi(['hello'], { node: 'n2' });
  expect(hello).toMatchObject({ code: 0, stdout: 'Good morning from n2\n' });
  const roles = await c.koi(['roles'], { node: 'n1' });
  expect(roles).toMatchObject({ code: 0, stderr: '' });
  expect(roles.stdout.split('\n').filter(Boolean).map((l) => l.replace(/: .*/, ''))).toEqual(['n1', 'n2', 'n3']);
  expect(roles.stdout).toMatch(/^n\d: Master$/m);
  // `koi --help` lists them, learned from the node.
  const help = await c.koi(['--help'], { node: 'n3' });
  expect(help.code).toBe(0);
  expect(help.stdout).toMatch(/^ {2}hello +a greeting from the node asked \(plugin example, read-only\)$/m);
  expect(help.stdout).toMatch(/^ {2}roles +the role each node plays, asked of every node \(plugin example, read-only\)$/m);
  // `koi --json commands`: the documented schema, the plugin's commands with their plugin.
  const list = await c.koi(['commands'], { node: 'n2', json: true });
  expect(list.code).toBe(0);
  expect(checkCommandsAnswer(list.json)).toEqual([]);
  expect((list.json as { commands: Array<{ name: string; plugin?: string }> }).commands.filter((x) => x.plugin).map((x) => `${x.name}/${x.plugin}`))
    .toEqual(['hello/example', 'roles/example']);
  // An unknown command lists them too (asked on the node: over read-only network admin an undeclared command counts as changing).
  const unknown = await koiLocal('n1', ['frobnicate']);
  expect(unknown.code).toBe(2);
  expect(unknown.stderr).toMatch(/unknown command 'frobnicate'; commands: .*, hello, roles/);
});

test('koi reconfigure with a bad option of the plugin is refused (exit 1, file:line), and the node keeps running unchanged', async () => {
  const before = await settled();
  const node = before.master.name;
  const since = Date.now() / 1000;
  const conf = c.confPath(node);
  const good = fs.readFileSync(conf, 'utf8');
  const bad = good.replace('example { greeting "Good morning" }', 'example {\n    greeting "Good evening"\n    greting "typo"\n  }');
  expect(bad).not.toBe(good);
  c.writeConf(node, bad);
  const line = bad.split('\n').findIndex((l) => l.includes('greting')) + 1;
  const answer = await koiLocal(node, ['reconfigure']);
  expect(answer.code).toBe(1);
  expect(answer.stderr).toContain(`configuration not reloaded on ${node}`);
  expect(answer.stderr).toContain(`${conf}:${line}: plugins.example.greting: unknown option (known: greeting, verbose, banner_file)`);
  // Nothing changed: same master and leader, no demote, the old greeting still answers.
  await new Promise((r) => setTimeout(r, 1500));
  const after = await settled();
  expect(after.master.name).toBe(node);
  expect(after.leader.name).toBe(before.leader.name);
  expect(c.events().filter((e) => e.time > since && e.event === 'demote')).toEqual([]);
  expect((await c.koi(['hello'], { node })).stdout).toBe(`Good morning from ${node}\n`);
  expect(c.log(node).some((l) => l.includes('FATAL'))).toBe(false);
  c.writeConf(node, good);
});
