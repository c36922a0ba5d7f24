/**
 * A captured admin datagram never acts twice or anywhere else (docs/wire.md
 * "Admin requests"), on real koinode processes on 127.0.0.1: the real `koi`
 * client talks to node n1 through a UDP relay that records every datagram
 * it sends (what a packet capture on the path sees); the test then replays
 * those datagrams, byte for byte, to n2, to n1 again after a restart, and
 * to the node a forwarded request reached (hops 0 copy of a hops 1 request).
 * The effect is read back with `koi local --json` (`stopped`).
 */
import { spawn } from 'node:child_process';
import { createSocket, type RemoteInfo, type Socket } from 'node:dgram';
import { E2ECluster, KOI } from './harness';

jest.setTimeout(120_000);

let c: E2ECluster;

/** A UDP relay in front of one node that records what the client sends. */
interface Relay {
  port: number;
  captured: Buffer[];
  /** Send every captured datagram, as captured, to `port` on 127.0.0.1. */
  replayTo(port: number): Promise<void>;
  close(): void;
}

async function relay(nodePort: number): Promise<Relay> {
  const socket: Socket = createSocket('udp4');
  await new Promise<void>((resolve) => socket.bind(0, '127.0.0.1', () => resolve()));
  const captured: Buffer[] = [];
  let client: RemoteInfo | null = null;
  socket.on('message', (data, rinfo) => {
    if (rinfo.port === nodePort) {
      if (client) socket.send(data, client.port, client.address);
      return;
    }
    if (rinfo.port !== nodePort && captured.length < 1000 && !knownNodePorts.has(rinfo.port)) {
      client = rinfo;
      captured.push(Buffer.from(data));
      socket.send(data, nodePort, '127.0.0.1');
    }
  });
  return {
    port: socket.address().port,
    captured,
    replayTo: async (port) => {
      for (const datagram of captured) await new Promise<void>((resolve) => socket.send(datagram, port, '127.0.0.1', () => resolve()));
    },
    close: () => socket.close(),
  };
}
const knownNodePorts = new Set<number>();

/** The real client through the relay (network path forced by -H/-p). */
function koiVia(port: number, args: string[], node = 'n1'): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [KOI, '-f', c.confPath(node), '-H', '127.0.0.1', '-p', String(port), ...args], {
      stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, NO_COLOR: '1' },
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    child.on('close', (code) => resolve({ code: code ?? -1, stdout, stderr }));
  });
}

async function stopped(name: string): Promise<boolean> {
  const answer = await c.koi(['local'], { node: name, json: true });
  const doc = answer.json as { type?: string; stopped?: boolean } | undefined;
  if (answer.code !== 0 || doc?.type !== 'local') throw new Error(`koi local on ${name}: exit ${answer.code} ${answer.stderr}`);
  return doc.stopped === true;
}

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

async function until(what: string, check: () => Promise<boolean>, timeoutMs = 20_000): Promise<void> {
  const end = Date.now() + timeoutMs;
  while (Date.now() < end) {
    if (await check()) return;
    await sleep(200);
  }
  throw new Error(`timed out waiting for ${what}\n${c.tails()}`);
}

beforeAll(async () => {
  c = await E2ECluster.create({ nodes: 2, quorum: 0, statusInterval: '500ms', tag: 'koi-replay' });
  for (const n of c.nodes) knownNodePorts.add(Number(/port (\d+)/.exec(c.configText(n))![1]));
  c.start();
  await c.waitForMaster((v) => v.nodes.length === 2);
});

afterAll(async () => {
  await c?.close();
});

const portOf = (name: string): number => Number(/port (\d+)/.exec(c.configText(c.spec(name)))![1]);

test('a captured `koi stop` replayed to another node does nothing there', async () => {
  const r = await relay(portOf('n1'));
  try {
    const run = await koiVia(r.port, ['stop']);
    expect(run.code).toBe(0);
    await until('n1 stopped', () => stopped('n1'));
    expect(r.captured.length).toBeGreaterThan(0);
    await r.replayTo(portOf('n2'));
    await sleep(1500);
    expect(await stopped('n2')).toBe(false);
  } finally {
    r.close();
  }
  expect((await c.koi(['start', 'n1'], { node: 'n2' })).code).toBe(0);
  await until('n1 started', async () => !(await stopped('n1')));
});

test('a captured `koi stop` replayed to the same node after a restart does nothing', async () => {
  const r = await relay(portOf('n2'));
  try {
    expect((await koiVia(r.port, ['stop'], 'n2')).code).toBe(0);
    await until('n2 stopped', () => stopped('n2'));
    await c.stop('n2');
    c.start('n2');
    await until('n2 back, not stopped', async () => !(await stopped('n2').catch(() => true)));
    await r.replayTo(portOf('n2'));
    await sleep(1500);
    expect(await stopped('n2')).toBe(false);
  } finally {
    r.close();
  }
});

test('the client\'s hops-0 copy of a forwarded `stop NODE`, replayed to that node, does nothing', async () => {
  const r = await relay(portOf('n1'));
  try {
    // n1 forwards to n2 (hops 1); the capture holds the client's copy (hops 0, for n1).
    expect((await koiVia(r.port, ['stop', 'n2'])).code).toBe(0);
    await until('n2 stopped', () => stopped('n2'));
    expect((await c.koi(['start'], { node: 'n2' })).code).toBe(0);
    await until('n2 started', async () => !(await stopped('n2')));
    await r.replayTo(portOf('n2'));
    await sleep(1500);
    expect(await stopped('n2')).toBe(false);
  } finally {
    r.close();
  }
});
