/**
 * The koi client against a real UDP socket on loopback, with the real codec
 * and cipher: a test "node" here decodes requests, answers them with an
 * admin server on a fake backend, and encodes the answers.
 */
import { randomUUID } from 'node:crypto';
import { createSocket, type Socket } from 'node:dgram';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { openUdpClientSocket } from '../../../bin/koi';
import { runKoiCli } from '../../../core/admin/cli';
import { createAdminEndpoint } from '../../../core/admin/endpoint';
import { RealClock } from '../../../core/clock';
import { splitHostPort } from '../../../core/wire/address';
import { createWireCodec } from '../../../core/wire/codec';
import { deriveClusterKey } from '../../../core/wire/key';
import type { WireCodec } from '../../../core/wire/types';
import { createNodeCipher } from '../../../plugins/crypto-node';
import { createTestLogger } from '../../helpers/logger';
import { type FakeBackend, threeNodes } from './fake-backend';

const KDF = 100_000;

interface TestNode {
  port: number;
  codec: WireCodec;
  received: number;
  close(): Promise<void>;
}

async function startTestNode(opts: {
  host: string; backend: FakeBackend; password?: string; clusterId?: number; dropRequests?: number; dropAnswers?: number; silent?: boolean; stripText?: boolean;
}): Promise<TestNode> {
  const socket: Socket = createSocket(opts.host.includes(':') ? 'udp6' : 'udp4');
  await new Promise<void>((resolve, reject) => {
    socket.once('error', reject);
    socket.bind(0, opts.host, () => resolve());
  });
  const clock = new RealClock();
  const codec = createWireCodec({
    cipher: createNodeCipher(deriveClusterKey(opts.password ?? 'test-secret-pw', opts.clusterId ?? 13, KDF)),
    clusterId: opts.clusterId ?? 13, senderId: randomUUID(), clock,
  });
  let answersToDrop = opts.dropAnswers ?? 0;
  const endpoint = createAdminEndpoint({
    server: opts.backend.server,
    logger: createTestLogger().logger,
    reply: (address, response) => {
      // Challenge answers pass: the answer lost is the command's own.
      if (answersToDrop > 0 && response.nonce === undefined) {
        answersToDrop--;
        return;
      }
      const target = splitHostPort(address);
      if (!target) throw new Error(`bad reply address ${address}`);
      socket.send(codec.encode(opts.stripText ? { ...response, text: '' } : response), target.port, target.host);
    },
  });
  const node: TestNode = {
    port: (socket.address()).port,
    codec,
    received: 0,
    close: () => new Promise((resolve) => socket.close(() => resolve())),
  };
  socket.on('message', (data, rinfo) => {
    node.received++;
    if (opts.silent || node.received <= (opts.dropRequests ?? 0)) return;
    const from = rinfo.family === 'IPv6' ? `[${rinfo.address}]:${rinfo.port}` : `${rinfo.address}:${rinfo.port}`;
    const result = codec.decode(new Uint8Array(data), from);
    if (result.ok) void endpoint({ envelope: result.envelope, from });
  });
  return node;
}

let tmp: string;
beforeAll(() => {
  tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'koi-client-test-'));
});
afterAll(() => {
  fs.rmSync(tmp, { recursive: true, force: true });
});

function writeConf(name: string, body: { port?: number; password?: string; clusterId?: number; transport?: string; kdf?: number | null }): string {
  const file = path.join(tmp, name);
  const plugins = body.kdf === null ? '' : `plugins {\n  crypto-node { kdf_iterations ${body.kdf ?? KDF} }\n}\n`;
  // admin_socket off: these tests are about the network path, whatever runs on this machine.
  fs.writeFileSync(file, `node {\n  port ${body.port ?? 42012}\n  admin_socket off\n}\ncluster {\n  id ${body.clusterId ?? 13}\n${body.password === '' ? '' : `  password "${body.password ?? 'test-secret-pw'}"\n`}${body.transport ? `  transport "${body.transport}"\n` : ''}}\n${plugins}`);
  return file;
}

interface Run {
  code: number;
  stdout: string;
  stderr: string;
}

async function koi(argv: string[], opts: { isTTY?: boolean; openSocket?: typeof openUdpClientSocket } = {}): Promise<Run> {
  let stdout = '';
  let stderr = '';
  const clock = new RealClock();
  const code = await runKoiCli({
    argv,
    stdout: { write: (s) => { stdout += s; }, isTTY: opts.isTTY },
    stderr: { write: (s) => { stderr += s; } },
    env: {},
    cwd: tmp,
    clock,
    version: '9.8.7',
    openSocket: opts.openSocket ?? openUdpClientSocket,
    systemConfigPath: path.join(tmp, 'no-such-dir', 'koi.conf'),
  });
  clock.clearAll();
  return { code, stdout, stderr };
}

async function ipv6Available(): Promise<boolean> {
  const s = createSocket('udp6');
  try {
    await new Promise<void>((resolve, reject) => {
      s.once('error', reject);
      s.bind(0, '::1', () => resolve());
    });
    return true;
  } catch {
    return false;
  } finally {
    try { s.close(); } catch { /* already closed after a failed bind */ }
  }
}

describe('koi client over real UDP (127.0.0.1)', () => {
  let cluster: ReturnType<typeof threeNodes>;
  let node: TestNode;
  let conf: string;
  beforeEach(async () => {
    cluster = threeNodes();
    node = await startTestNode({ host: '127.0.0.1', backend: cluster.a });
    conf = writeConf('node.conf', { port: node.port });
  });
  afterEach(async () => {
    await node.close();
  });

  it('status: round trip, port and password from the config file', async () => {
    const run = await koi(['-f', conf, 'status']);
    expect(run.stderr).toBe('');
    expect(run.code).toBe(0);
    expect(run.stdout).toContain('Cluster 13: leader alpha, master bravo');
    expect(run.stdout).toMatch(/^bravo\s+Master/m);
    expect(run.stdout).not.toContain('\u001b[');
  });

  it('--json prints the schema-1 document', async () => {
    const run = await koi(['-f', conf, '--json', 'status']);
    expect(run.code).toBe(0);
    const doc = JSON.parse(run.stdout) as { schema: number; type: string; nodes: Array<{ name: string }> };
    expect(doc.schema).toBe(1);
    expect(doc.type).toBe('cluster');
    expect(doc.nodes.map((n) => n.name)).toEqual(['alpha', 'bravo', 'charlie', 'echo']);
  });

  it('tree is coloured with -c and on a TTY, plain otherwise', async () => {
    const plain = await koi(['-f', conf, 'tree']);
    expect(plain.stdout).toContain('└── echo');
    expect(plain.stdout).not.toContain('\u001b[');
    const forced = await koi(['-f', conf, '-c', 'tree']);
    expect(forced.stdout).toContain('\u001b[');
    const tty = await koi(['-f', conf, 'tree'], { isTTY: true });
    expect(tty.stdout).toContain('\u001b[');
  });

  it('--help lists the commands the node\'s plugins declare, learned from the node (issue 17 item 5)', async () => {
    cluster.a.declared = [{ name: 'acc-report', usage: '[DAYS]', summary: 'accounting report', readOnly: true, runs: 'here', plugin: 'acc' }];
    const run = await koi(['-f', conf, '--help']);
    expect(run.code).toBe(0);
    expect(run.stdout).toContain("Commands of the node's plugins:");
    expect(run.stdout).toMatch(/^ {2}acc-report \[DAYS\] +accounting report \(plugin acc, read-only\)$/m);
    await node.close();
    const alone = await koi(['-f', conf, '--help']);
    expect(alone.code).toBe(0);
    expect(alone.stdout).toContain('(plugins may add more: no node answered to list them)');
    node = await startTestNode({ host: '127.0.0.1', backend: cluster.a });
  });

  it('a refusal exits 1 with the message on stderr (unknown node lists known names)', async () => {
    const run = await koi(['-f', conf, 'status', 'zulu']);
    expect(run.code).toBe(1);
    expect(run.stdout).toBe('');
    expect(run.stderr).toContain("unknown node 'zulu'");
    expect(run.stderr).toContain('known nodes: alpha, bravo, charlie, echo');
  });

  it('a request forwarded behind the node still gets one answer (status NODE)', async () => {
    const run = await koi(['-f', conf, '--json', 'status', 'charlie']);
    expect(run.code).toBe(0);
    expect(JSON.parse(run.stdout)).toMatchObject({ schema: 1, type: 'local', name: 'charlie' });
  });

  it('resends when a request is lost, within the timeout', async () => {
    await node.close();
    node = await startTestNode({ host: '127.0.0.1', backend: cluster.a, dropRequests: 1 });
    const run = await koi(['-f', writeConf('resend.conf', { port: node.port }), '-d', '--timeout', '900', 'local']);
    expect(run.code).toBe(0);
    expect(run.stdout).toContain('alpha');
    expect(run.stderr).toContain('try 2/3');
    expect(node.received).toBe(2);
  });

  it('a lost answer: the resent promote is answered from the cache, the action runs once', async () => {
    await node.close();
    node = await startTestNode({ host: '127.0.0.1', backend: cluster.a, dropAnswers: 1 });
    const run = await koi(['-f', writeConf('dup.conf', { port: node.port }), '--timeout', '900', 'promote', 'charlie']);
    expect(run.code).toBe(0);
    expect(run.stdout).toContain('charlie');
    expect(node.received).toBe(3); // challenge, promote, promote again
    expect(cluster.a.calls).toEqual([`promote ${cluster.c.spec.id}`]);
  });

  it('renders the text from the JSON when the node left the text out (answer too large for one datagram)', async () => {
    await node.close();
    node = await startTestNode({ host: '127.0.0.1', backend: cluster.a, stripText: true });
    cluster.a.hooks.onAdminCommand.tapPromise('example', async (call) => (call.command === 'hello' ? { exitCode: 0, text: 'hello there' } : undefined));
    const c = writeConf('strip.conf', { port: node.port });
    const status = await koi(['-f', c, 'status']);
    expect(status.code).toBe(0);
    expect(status.stdout).toContain('Cluster 13: leader alpha, master bravo');
    const refused = await koi(['-f', c, 'status', 'zulu']);
    expect(refused.stderr).toContain("unknown node 'zulu'");
    const plugin = await koi(['-f', c, 'hello']);
    expect(plugin.stdout).toBe('hello there\n');
  });

  it('a plugin command: text, and its JSON under --json', async () => {
    cluster.a.hooks.onAdminCommand.tapPromise('example', async (call) =>
      call.command === 'hello' ? { exitCode: 0, text: `hello ${call.args.join(' ')}`, json: { args: call.args } } : undefined);
    const run = await koi(['-f', conf, 'hello', 'there']);
    expect(run.code).toBe(0);
    expect(run.stdout).toBe('hello there\n');
    const json = await koi(['-f', conf, '--json', 'hello', 'there']);
    expect(JSON.parse(json.stdout)).toMatchObject({ schema: 1, type: 'plugin', command: 'hello', data: { args: ['there'] } });
    const unknown = await koi(['-f', conf, 'frobnicate']);
    expect(unknown.code).toBe(2);
    expect(unknown.stderr).toContain("unknown command 'frobnicate'");
  });
});

describe('koi client: no answer (exit 3)', () => {
  it('times out naming the address tried and the likely causes', async () => {
    const { a } = threeNodes();
    const node = await startTestNode({ host: '127.0.0.1', backend: a, silent: true });
    try {
      const run = await koi(['-f', writeConf('silent.conf', { port: node.port }), '--timeout', '300', 'status']);
      expect(run.code).toBe(3);
      expect(run.stdout).toBe('');
      expect(run.stderr).toContain(`no answer from 127.0.0.1:${node.port} within 300 ms (3 tries)`);
      expect(run.stderr).toContain('not running');
      expect(run.stderr).toContain('wrong password or cluster id');
      expect(run.stderr).toContain('wrong port');
      expect(run.stderr).toContain('firewall');
      expect(node.received).toBe(3);
    } finally {
      await node.close();
    }
  });

  it('with --json also prints an error document on stdout', async () => {
    const { a } = threeNodes();
    const node = await startTestNode({ host: '127.0.0.1', backend: a, silent: true });
    try {
      const run = await koi(['-f', writeConf('silent-json.conf', { port: node.port }), '--json', '--timeout', '200', 'tree']);
      expect(run.code).toBe(3);
      expect(JSON.parse(run.stdout)).toMatchObject({ schema: 1, type: 'error', exitCode: 3, command: 'tree' });
    } finally {
      await node.close();
    }
  });

  it('a wrong password: the node drops the request as unauthentic, the client gets no answer', async () => {
    const { a } = threeNodes();
    const node = await startTestNode({ host: '127.0.0.1', backend: a });
    try {
      const run = await koi(['-f', writeConf('wrong-pw.conf', { port: node.port, password: 'not-the-secret' }), '--timeout', '300', 'local']);
      expect(run.code).toBe(3);
      expect(node.codec.rejected()['auth-failed']).toBe(3);
      expect(a.calls).toEqual([]);
    } finally {
      await node.close();
    }
  });

  it('a wrong cluster id is dropped too', async () => {
    const { a } = threeNodes();
    const node = await startTestNode({ host: '127.0.0.1', backend: a });
    try {
      const run = await koi(['-f', writeConf('wrong-id.conf', { port: node.port, clusterId: 14 }), '--timeout', '200', 'local']);
      expect(run.code).toBe(3);
      expect(node.codec.rejected()['wrong-cluster']).toBeGreaterThan(0);
    } finally {
      await node.close();
    }
  });
});

describe('koi client over IPv6 (::1)', () => {
  it('talks to [::1] given with -H and -p, and defaults to ::1 for an IPv6-only config', async () => {
    if (!(await ipv6Available())) {
      console.warn('skipping: IPv6 loopback ::1 is not available here');
      return;
    }
    const { a } = threeNodes();
    const node = await startTestNode({ host: '::1', backend: a });
    try {
      const conf = writeConf('v4.conf', { port: 1 });
      const run = await koi(['-f', conf, '-H', '[::1]', '-p', String(node.port), 'local']);
      expect(run.stderr).toBe('');
      expect(run.code).toBe(0);
      expect(run.stdout).toContain('alpha');
      const v6conf = writeConf('v6.conf', { port: node.port, transport: `[::1]:${node.port}` });
      const dflt = await koi(['-f', v6conf, '--json', 'local']);
      expect(dflt.code).toBe(0);
      expect(JSON.parse(dflt.stdout)).toMatchObject({ type: 'local', name: 'alpha' });
    } finally {
      await node.close();
    }
  });
});

describe('koi client: usage (exit 2) and options, without the network', () => {
  const noNetwork = async (): Promise<never> => {
    throw new Error('the client must not open a socket for this');
  };

  it('no command: help on stderr, exit 2', async () => {
    const run = await koi([], { openSocket: noNetwork });
    expect(run.code).toBe(2);
    expect(run.stderr).toContain('Usage: koi [options] COMMAND [ARGS]');
    expect(run.stderr).toContain('no command given');
  });

  it('-h lists options and commands, exit 0; -v prints the version', async () => {
    const help = await koi(['-h'], { openSocket: noNetwork });
    expect(help.code).toBe(0);
    for (const word of ['--host', '--port', '--file', '--color', '--debug', '--json', '--timeout', 'promote NAME|UUID', 'maintenance on|off', 'Exit status']) {
      expect(help.stdout).toContain(word);
    }
    const version = await koi(['-v'], { openSocket: noNetwork });
    expect(version).toEqual({ code: 0, stdout: '9.8.7\n', stderr: '' });
  });

  it.each([
    [['promote'], 'promote needs NAME|UUID'],
    [['maintenance', 'sometimes'], "maintenance takes on or off, not 'sometimes'"],
    [['demote', 'x'], 'demote takes no arguments'],
    [['--timeout', 'soon', 'status'], "--timeout: 'soon'"],
    [['-p', '99999', 'status'], "-p/--port: '99999'"],
    [['--bogus', 'status'], "unknown option '--bogus'"],
  ])('%j → exit 2 (%s)', async (argv, message) => {
    const run = await koi(['-f', writeConf('usage.conf', {}), ...argv], { openSocket: noNetwork });
    expect(run.code).toBe(2);
    expect(run.stderr).toContain(message);
  });

  it('a config without a password, or a broken one, is exit 2 naming the file', async () => {
    const nopw = writeConf('nopw.conf', { password: '' });
    const run = await koi(['-f', nopw, 'status'], { openSocket: noNetwork });
    expect(run.code).toBe(2);
    expect(run.stderr).toContain('no cluster password');
    expect(run.stderr).toContain('nopw.conf');
    const broken = path.join(tmp, 'broken.conf');
    fs.writeFileSync(broken, 'cluster {\n  password "x"\n  quorum lots\n}\n');
    const bad = await koi(['-f', broken, 'status'], { openSocket: noNetwork });
    expect(bad.code).toBe(2);
    expect(bad.stderr).toMatch(/broken\.conf:3: cluster\.quorum/);
  });

  it('-f may be given more than once; later files override earlier ones', async () => {
    const { a } = threeNodes();
    const node = await startTestNode({ host: '127.0.0.1', backend: a });
    try {
      const base = writeConf('base.conf', { port: 1, password: 'wrong' });
      const override = path.join(tmp, 'override.conf');
      fs.writeFileSync(override, `node {\n  port ${node.port}\n}\ncluster {\n  password "test-secret-pw"\n}\n`);
      const run = await koi(['-f', base, '-f', override, '--timeout', '1000', 'local']);
      expect(run.stderr).toBe('');
      expect(run.code).toBe(0);
    } finally {
      await node.close();
    }
  });

  it('finds ./koi.conf when no -f is given', async () => {
    const { a } = threeNodes();
    const node = await startTestNode({ host: '127.0.0.1', backend: a });
    const local = path.join(tmp, 'koi.conf');
    try {
      fs.copyFileSync(writeConf('search.conf', { port: node.port }), local);
      const run = await koi(['-d', 'local']);
      expect(run.code).toBe(0);
      expect(run.stderr).toContain(`configuration from ${local}`);
    } finally {
      fs.rmSync(local, { force: true });
      await node.close();
    }
  });
});
