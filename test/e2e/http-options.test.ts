/**
 * Bad options of the http plugin in a real koi.conf: `koinode --check` and
 * a starting koinode report each with file:line and the plugin, all at
 * once, and exit 78; a port already taken stops the start naming it.
 */
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as net from 'node:net';
import * as os from 'node:os';
import * as path from 'node:path';
import { KOINODE, findFreePorts } from './harness';

jest.setTimeout(60_000);

let dir: string;
beforeAll(() => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'koi-http-options-'));
});
afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

function koinode(args: string[]): { code: number | null; stderr: string } {
  const r = spawnSync(process.execPath, [KOINODE, ...args], { cwd: dir, encoding: 'utf8', env: { ...process.env, NO_COLOR: '1' }, timeout: 30_000 });
  return { code: r.status, stderr: r.stderr };
}

function conf(port: number, plugin: string): string {
  const file = path.join(dir, 'koi.conf');
  fs.writeFileSync(file, `node {\n  port ${port}\n  admin_socket off\n}\ncluster {\n  password "a-long-enough-password"\n  transport "127.0.0.1:${port}"\n}\nplugins {\n${plugin}\n}\n`, { mode: 0o600 });
  return file;
}

test('bad http options: every problem with file:line and the plugin, exit 78, from --check and at start', async () => {
  const [port] = await findFreePorts(1);
  const file = conf(port, '  http {\n    listen ::1:9464\n    tls_cert cert.pem\n    token "two words"\n  }');
  for (const args of [['--check', '-f', file], ['-f', file, '--name', 'n1']]) {
    const r = koinode(args);
    expect(r.code).toBe(78);
    expect(r.stderr).toContain(`${file}:11: plugins.http.listen: "::1:9464": an IPv6 address needs brackets`);
    expect(r.stderr).toContain(`${file}:12: plugins.http.tls_cert: HTTPS needs both tls_cert and tls_key; tls_key is missing`);
    expect(r.stderr).toContain(`${file}:12: plugins.http.tls_cert: cannot read ${path.join(dir, 'cert.pem')}: ENOENT`);
    expect(r.stderr).toContain(`${file}:13: plugins.http.token: the token must not contain white space`);
  }
});

test('a listen address already in use stops the start, naming the plugin and the address', async () => {
  const [port, httpPort] = await findFreePorts(2);
  const blocker = net.createServer();
  await new Promise<void>((resolve) => blocker.listen(httpPort, '127.0.0.1', resolve));
  try {
    const r = koinode(['-f', conf(port, `  http { listen 127.0.0.1:${httpPort} }`), '--name', 'n1']);
    expect(r.code).toBe(1);
    expect(r.stderr).toContain(`plugin http: threw in apply: plugins.http.listen 127.0.0.1:${httpPort}: cannot listen: listen EADDRINUSE`);
  } finally {
    blocker.close();
  }
});
