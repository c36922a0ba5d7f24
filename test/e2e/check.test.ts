/**
 * `koinode --check` and `koi check` (issue 12): every problem of every
 * source with its file:line — keys, plugin options (the plugin is loaded
 * to read its schema, never started), plugins not found — exit 78; a good
 * configuration exits 0 and binds nothing. The client still works when a
 * section it does not use (time { }) is wrong.
 */
import { spawnSync } from 'node:child_process';
import * as dgram from 'node:dgram';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { E2ECluster, KOI, KOINODE, findFreePorts } from './harness';

jest.setTimeout(60_000);

let dir: string;
beforeAll(() => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'koi-check-'));
});
afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

function run(bin: string, args: string[]): { code: number | null; stdout: string; stderr: string } {
  const r = spawnSync(process.execPath, [bin, ...args], { cwd: dir, encoding: 'utf8', env: { ...process.env, NO_COLOR: '1' } });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

function write(name: string, text: string): string {
  const file = path.join(dir, name);
  fs.writeFileSync(file, text, { mode: 0o600 });
  return file;
}

const GOOD = (port: number): string => `node {\n  port ${port}\n  admin_socket off\n}\ncluster {\n  password "a-long-enough-password"\n  transport "127.0.0.1:${port}"\n}\n`;

test('every problem with file:line, plugin options validated without starting: exit 78 from koinode --check and koi check', async () => {
  const [port] = await findFreePorts(1);
  const bad = write('bad.conf', `${GOOD(port)}time {\n  status_interval banana\n}\nplugins {\n  udp { bogus 1 }\n  no-such-plugin { }\n}\n`);
  for (const [bin, args, program] of [[KOINODE, ['--check', '-f', bad], 'koinode --check'], [KOI, ['-f', bad, 'check'], 'koi check']] as const) {
    const r = run(bin, [...args]);
    expect(r.code).toBe(78);
    expect(r.stderr).toContain(`error: ${bad}:10: time.status_interval: "banana" is not a duration`);
    expect(r.stderr).toContain(`error: ${bad}:13: plugins.udp.bogus: unknown option (known: interface, ttl`);
    expect(r.stderr).toMatch(/error: .*bad\.conf:14: plugin no-such-plugin: not found/);
    expect(r.stderr).toContain(`${program}: 3 problems in the configuration (${bad}): a node would not start`);
  }
});

test('a good configuration: exit 0, and nothing is bound (the port stays free)', async () => {
  const [port] = await findFreePorts(1);
  const good = write('good.conf', GOOD(port));
  const r = run(KOINODE, ['--check', '-f', good]);
  expect(r.code).toBe(0);
  expect(r.stdout).toContain(`koinode --check: configuration OK (${good}; plugins checked:`);
  const socket = dgram.createSocket('udp4');
  await new Promise<void>((resolve, reject) => {
    socket.once('error', reject);
    socket.bind(port, '127.0.0.1', () => resolve());
  });
  socket.close();
});

test('the client works with a node when a section it does not use (time) is wrong, and says so', async () => {
  const c = await E2ECluster.create({ nodes: 1, time: { initial_promotion_delay: '1s' } });
  try {
    c.start();
    await c.waitForMaster();
    const broken = c.configText(c.nodes[0]).replace(/time \{/, 'time {\n  status_interval banana');
    const file = write('client.conf', broken);
    const r = spawnSync(process.execPath, [KOI, '-f', file, '-H', '127.0.0.1', '-p', String(c.ports.get('n1')), 'status'], { encoding: 'utf8', env: { ...process.env, NO_COLOR: '1' } });
    expect(r.stderr).toMatch(/koi: warning: .*client\.conf:\d+: time\.status_interval: "banana" is not a duration.*\(koinode refuses this; the client does not use it\)/);
    expect(r.status).toBe(0);
    expect(r.stdout).toMatch(/^Cluster 13: leader n1, master n1/);
    // A key it needs stays an error.
    const noPassword = write('client2.conf', broken.replace(/password "[^"]*"/, 'password "short"'));
    const r2 = spawnSync(process.execPath, [KOI, '-f', noPassword, '-H', '127.0.0.1', '-p', String(c.ports.get('n1')), 'status'], { encoding: 'utf8' });
    expect(r2.status).toBe(2);
    expect(r2.stderr).toMatch(/cluster\.password/);
  } finally {
    await c.close();
  }
});

test('the client loads the configuration checker (and the logging stack it brings) only for koi check', () => {
  // Every other command would pay for it before sending anything (≈ 30 ms of module loading, issue 15's koi status).
  const cli = path.join(path.dirname(KOI), '..', 'core', 'admin', 'cli.js');
  const probe = `require(${JSON.stringify(cli)}); const loaded = Object.keys(require.cache);`
    + "console.log(JSON.stringify({ check: loaded.some((k) => k.endsWith('/core/daemon/check.js')), pino: loaded.some((k) => k.includes('/node_modules/pino/')) }));";
  const r = spawnSync(process.execPath, ['-e', probe], { encoding: 'utf8' });
  expect(r.status).toBe(0);
  expect(JSON.parse(r.stdout)).toEqual({ check: false, pino: false });
});
