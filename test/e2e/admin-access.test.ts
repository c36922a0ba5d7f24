/**
 * Who may do what (docs/security.md "Admin requests", "Local admin socket"),
 * on a real koinode: network admin read-only refuses `stop` and answers
 * `status`; an allow-list refuses another source; the unix socket answers
 * `status` and carries out `stop` whatever the network mode; a user who has
 * no permission on the socket cannot connect.
 */
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { E2ECluster, KOI } from './harness';

jest.setTimeout(120_000);

let c: E2ECluster;

function run(argv: string[], prefix: string[] = []): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    const [cmd, ...args] = [...prefix, process.execPath, KOI, ...argv];
    const child = spawn(cmd, args, { stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, NO_COLOR: '1' } });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    child.on('close', (code) => resolve({ code: code ?? -1, stdout, stderr }));
  });
}

beforeAll(async () => {
  // Read-only network admin, and only 127.0.0.2 may use it: the real client (from 127.0.0.1) is "another source".
  c = await E2ECluster.create({ nodes: 1, quorum: 0, statusInterval: '500ms', tag: 'koi-access', networkAdmin: 'read-only' });
  c.start();
  const sock = c.adminSocket('n1');
  const end = Date.now() + 20_000;
  while (!fs.existsSync(sock) && Date.now() < end) await new Promise((r) => setTimeout(r, 100));
  // The socket opens before the node leads (it answers `local` at once): wait for a leader before `status`.
  while (Date.now() < end && (await c.koi(['status'])).code !== 0) await new Promise((r) => setTimeout(r, 100));
});

afterAll(async () => {
  await c?.close();
});

test('read-only network admin answers status and refuses stop, naming why (exit 1)', async () => {
  const status = await c.koi(['status']);
  expect({ code: status.code, stderr: status.stderr }).toEqual({ code: 0, stderr: '' });
  const stop = await c.koi(['stop']);
  expect(stop.code).toBe(1);
  expect(stop.stderr).toContain('network admin is read-only');
  const local = await c.koi(['local'], { json: true });
  expect((local.json as { stopped: boolean }).stopped).toBe(false);
});

test('the local socket answers status and carries out stop (no -H/-p: the socket is the default)', async () => {
  const status = await run(['-f', c.confPath('n1'), '--json', 'local']);
  expect(status.code).toBe(0);
  expect(JSON.parse(status.stdout)).toMatchObject({ type: 'local', name: 'n1', stopped: false });
  const stop = await run(['-f', c.confPath('n1'), 'stop']);
  expect(stop.code).toBe(0);
  const after = await run(['-f', c.confPath('n1'), '--json', 'local']);
  expect(JSON.parse(after.stdout)).toMatchObject({ stopped: true });
  expect((await run(['-S', c.adminSocket('n1'), 'start'])).code).toBe(0);
});

test('the socket and its folder keep others out: mode 0600 socket in a 0750 folder', () => {
  const sock = fs.statSync(c.adminSocket('n1'));
  expect(sock.isSocket()).toBe(true);
  expect(sock.mode & 0o777).toBe(0o600);
  expect(fs.statSync(path.dirname(c.adminSocket('n1'))).mode & 0o777).toBe(0o750);
});

test('a user without permission on the socket cannot connect (nobody via setpriv)', async () => {
  // Let nobody reach the folders above the socket's own (which stays 0750 root:root), and read a password-less config.
  for (let dir = path.dirname(path.dirname(c.adminSocket('n1'))); dir !== path.dirname(dir) && dir.startsWith(path.dirname(c.nodeDir('n1'))); dir = path.dirname(dir)) {
    fs.chmodSync(dir, 0o755);
  }
  const conf = path.join(c.nodeDir('n1'), 'nobody.conf');
  fs.writeFileSync(conf, `node {\n  admin_socket "${c.adminSocket('n1')}"\n}\n`, { mode: 0o644 });
  const denied = await run(['-f', conf, 'stop'], ['setpriv', '--reuid=nobody', '--regid=nogroup', '--clear-groups']);
  expect(denied.code).toBe(1);
  expect(denied.stderr).toContain('permission denied');
  const forced = await run(['-S', c.adminSocket('n1'), 'status'], ['setpriv', '--reuid=nobody', '--regid=nogroup', '--clear-groups']);
  expect(forced.code).toBe(1);
  expect(forced.stderr).toContain('permission denied');
  expect((await c.koi(['local'], { json: true })).json).toMatchObject({ stopped: false });
});

test('an allow-list refuses another source with the reason (exit 1)', async () => {
  c.writeConf('n1', c.configText(c.spec('n1')).replace('network_admin read-only', 'network_admin read-only\n  admin_allow "127.0.0.2"'));
  expect((await run(['-S', c.adminSocket('n1'), 'reconfigure'])).code).toBe(0);
  const status = await c.koi(['status']);
  expect(status.code).toBe(1);
  expect(status.stderr).toContain('admin requests from 127.0.0.1 are not allowed here');
});
