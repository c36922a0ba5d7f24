/**
 * `npm run fuzz:live -- --count N [--seed S] [--batch B]`: fuzz a RUNNING
 * koinode over loopback (127.0.0.1 only).
 *
 * 1. Starts one koinode (temp config, quorum off) whose transport also lists
 *    a port this script listens on, so the node's real heartbeats arrive
 *    here; runs the real `koi status` and `koi local` through a small
 *    loopback proxy to capture a real client request and the node's answer.
 * 2. Sends N datagrams at the node: random bytes, mutations of the captured
 *    ones (bit flips, truncation, extension, splices, overwrites, header
 *    edits) and exact replays. Every B datagrams a real `local` request
 *    sealed with the cluster key is sent and its answer awaited: loopback
 *    keeps order, so the answer proves the node has read everything before
 *    it (flow control: the socket buffer never overflows — the kernel's
 *    drop counter for the node's socket is checked) and is healthy.
 * 3. A mirror decoder with the node's id and key sees the same datagrams in
 *    the same order and predicts each reject reason. The node warns at most
 *    once per source per 10 s and counts the rest as suppressed; after the
 *    run one more bad datagram past that interval flushes the count, so the
 *    node's warnings must account for exactly the mirror's non-quiet rejects
 *    (duplicates and own datagrams are never warned).
 * 4. Afterwards `koi status` must answer and the node's state — leader,
 *    master, runner state, services, known nodes — must be what it was.
 *
 * 5. Admin replay driver (skip with --no-replay): a captured real
 *    `koi maintenance on` is replayed byte for byte to another node and to
 *    the same node after a restart; maintenance must stay off.
 *
 * Prints counts and the time; exits 1 on any failure.
 */
import { spawn } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import * as dgram from 'node:dgram';
import * as fs from 'node:fs';
import { RealClock } from '../core/clock';
import { createWireCodec } from '../core/wire/codec';
import { DEFAULT_KDF_ITERATIONS, deriveClusterKey } from '../core/wire/key';
import type { RejectReason, WireCodec } from '../core/wire/types';
import { createNodeCipher } from '../plugins/crypto-node';
import { parseFlags, xorshift32, bytesFrom } from './lib/args';
import { KOI, Cluster, findFreePorts, sleep } from './lib/cluster';

const HOST = '127.0.0.1';
const PASSWORD = 'fuzz-live secret';
const NO_REPLAY = process.argv.includes('--no-replay');
const CLUSTER_ID = 31;
const QUIET: ReadonlySet<string> = new Set(['duplicate', 'own-message']);
/** The node's reject-warning interval per source (core/wire/reject-logger.ts). */
const WARN_INTERVAL_MS = 10_000;

interface Args {
  count: number;
  seed: number;
  batch: number;
}

function parseArgs(argv: string[]): Args {
  const flags = parseFlags('fuzz-live', argv.filter((a) => a !== '--no-replay'), { '--count': 'count', '--seed': 'seed', '--batch': 'count' });
  return { count: flags['--count'] ?? 100_000, seed: flags['--seed'] ?? Date.now() >>> 0, batch: flags['--batch'] ?? 50 };
}

function bindUdp(port = 0): Promise<dgram.Socket> {
  return new Promise((resolve, reject) => {
    const socket = dgram.createSocket('udp4');
    socket.once('error', reject);
    socket.bind(port, HOST, () => {
      socket.off('error', reject);
      resolve(socket);
    });
  });
}

function send(socket: dgram.Socket, data: Uint8Array, port: number): Promise<void> {
  return new Promise((resolve, reject) => socket.send(data, port, HOST, (err) => (err ? reject(err) : resolve())));
}

/** The real client, pointed at `port` on loopback. */
function koi(confPath: string, port: number, args: string[]): Promise<{ code: number; json?: Record<string, unknown>; out: string }> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [KOI, '-f', confPath, '-H', HOST, '-p', String(port), '--json', '--timeout', '3000', ...args],
      { stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    let err = '';
    child.stdout.on('data', (c: Buffer) => (out += c.toString()));
    child.stderr.on('data', (c: Buffer) => (err += c.toString()));
    child.on('exit', (code) => {
      let json: Record<string, unknown> | undefined;
      try {
        json = JSON.parse(out) as Record<string, unknown>;
      } catch {
        json = undefined;
      }
      resolve({ code: code ?? -1, json, out: out + err });
    });
  });
}

/** The parts of the node's state that fuzzing must not change. */
function stateOf(local: Record<string, unknown> | undefined, status: Record<string, unknown> | undefined): string {
  const ref = (v: unknown) => (v && typeof v === 'object' ? (v as { name?: string }).name ?? null : null);
  const nodes = (status?.nodes as { name: string; state: string; services: unknown }[] | undefined) ?? [];
  return JSON.stringify({
    leader: ref(local?.leader), master: ref(local?.master), state: local?.state, mode: local?.mode,
    services: local?.services, failCount: local?.failCount, maintenance: local?.maintenance,
    clusterLeader: ref(status?.leader), clusterMaster: ref(status?.master),
    nodes: nodes.map((n) => ({ name: n.name, state: n.state, services: n.services })),
  });
}

/** Kernel drop counter of the UDP socket bound to 127.0.0.1:port (/proc/net/udp), or null. */
function kernelDrops(port: number): number | null {
  try {
    const want = `0100007F:${port.toString(16).toUpperCase().padStart(4, '0')}`;
    const line = fs.readFileSync('/proc/net/udp', 'utf8').split('\n').find((l) => l.trim().split(/\s+/)[1] === want);
    return line ? Number(line.trim().split(/\s+/).at(-1)) : null;
  } catch {
    return null;
  }
}

async function main(): Promise<number> {
  const args = parseArgs(process.argv.slice(2));
  const next = xorshift32(args.seed);
  const below = (n: number): number => next() % Math.max(1, n);
  const failures: string[] = [];

  const [nodePort, sniffPort, proxyPort] = await findFreePorts(3);
  const cluster = new Cluster({
    tag: 'koi-fuzz-live',
    quorum: 0,
    password: PASSWORD,
    clusterId: CLUSTER_ID,
    nodes: [{ name: 'fz1', address: HOST, port: nodePort }],
    extraTransport: [`${HOST}:${sniffPort}`],
    time: { initial_promotion_delay: '1s' },
    // Warnings only: every admin request (the flow-control requests too) is logged at info.
    loglevel: 'warn',
  });
  const sockets: dgram.Socket[] = [];
  try {
    // The node sends its heartbeats to every transport entry: listen on one.
    const sniffed: Uint8Array[] = [];
    const sniff = await bindUdp(sniffPort);
    sockets.push(sniff);
    sniff.on('message', (data) => {
      if (sniffed.length < 16) sniffed.push(new Uint8Array(data));
    });
    cluster.start();

    const key = deriveClusterKey(PASSWORD, CLUSTER_ID, DEFAULT_KDF_ITERATIONS);
    const cipher = createNodeCipher(key);
    const clock = new RealClock();
    const probe = createWireCodec({ cipher, clusterId: CLUSTER_ID, senderId: randomUUID(), clock });
    const confPath = cluster.confPath('fz1');

    const settled = await cluster.waitFor('the node to be master with its services promoted', async () => {
      const view = await cluster.local('fz1');
      return view && view.state === 'Master' && view.services.every((s) => s.state === 'Promoted') ? view : undefined;
    }, 30_000, 300);
    await cluster.waitFor('heartbeats from the node', () => sniffed.length >= 8, 10_000, 50);
    const heartbeat = probe.decode(sniffed[0], `${HOST}:${nodePort}`);
    if (!heartbeat.ok) throw new Error(`a sniffed heartbeat did not decode: ${heartbeat.reason} ${heartbeat.detail}`);
    const nodeId = heartbeat.envelope.senderId;
    const before = stateOf((await koi(confPath, nodePort, ['local'])).json, (await koi(confPath, nodePort, ['status'])).json);

    // The real client through a loopback proxy: capture its requests and the node's answers.
    const captured: { data: Uint8Array; toNode: boolean }[] = [];
    const proxy = await bindUdp(proxyPort);
    sockets.push(proxy);
    let clientAddress: { address: string; port: number } | null = null;
    proxy.on('message', (data, rinfo) => {
      const fromNode = rinfo.port === nodePort;
      captured.push({ data: new Uint8Array(data), toNode: !fromNode });
      if (fromNode) {
        if (clientAddress) proxy.send(data, clientAddress.port, clientAddress.address);
      } else {
        clientAddress = { address: rinfo.address, port: rinfo.port };
        proxy.send(data, nodePort, HOST);
      }
    });
    for (const command of ['status', 'local']) {
      const answer = await koi(confPath, proxyPort, [command]);
      if (answer.code !== 0) throw new Error(`koi ${command} through the capturing proxy failed: ${answer.out}`);
    }
    proxy.removeAllListeners('message');

    // The mirror: the node's id and key; it has seen the client's requests the node saw.
    const mirror = createWireCodec({ cipher, clusterId: CLUSTER_ID, senderId: nodeId, clock });
    for (const c of captured) if (c.toNode) mirror.decode(c.data, `${HOST}:${proxyPort}`);
    const pool: Uint8Array[] = [...sniffed, ...captured.map((c) => c.data)];

    const fuzz = await bindUdp();
    sockets.push(fuzz);
    const fuzzFrom = `${HOST}:${fuzz.address().port}`;
    const client = createWireCodec({ cipher, clusterId: CLUSTER_ID, senderId: randomUUID(), clock });
    let waiting: { id: string; resolve: () => void } | null = null;
    fuzz.on('message', (data) => {
      const r = client.decode(new Uint8Array(data), `${HOST}:${nodePort}`);
      if (r.ok && r.envelope.message.kind === 'response' && waiting && r.envelope.message.requestId === waiting.id) {
        const w = waiting;
        waiting = null;
        w.resolve();
      }
    });
    let barriers = 0;
    /** A real request; its answer means every earlier datagram was read. */
    const barrier = async (): Promise<void> => {
      const id = randomUUID();
      const datagram = client.encode({ kind: 'request', requestId: id, command: 'local', args: [], hops: 0 });
      mirror.decode(datagram, fuzzFrom);
      if (pool.length < 64) pool.push(datagram);
      else pool[16 + below(48)] = datagram;
      const answered = new Promise<void>((resolve) => {
        waiting = { id, resolve };
      });
      await send(fuzz, datagram, nodePort);
      const timeout = new Promise<'timeout'>((resolve) => setTimeout(() => resolve('timeout'), 5000).unref());
      if ((await Promise.race([answered, timeout])) === 'timeout') {
        throw new Error(`the node stopped answering after ${barriers} batches (no answer to a real request within 5 s)\n${cluster.tails(20)}`);
      }
      barriers++;
    };

    const randomBytes = (n: number): Uint8Array => bytesFrom(next, n);
    const mutate = (src: Uint8Array): Uint8Array => {
      let d = Uint8Array.from(src);
      const steps = 1 + below(3);
      for (let s = 0; s < steps && d.length > 0; s++) {
        switch (below(6)) {
          case 0: { const bit = below(d.length * 8); d[bit >> 3] ^= 1 << (bit & 7); break; }
          case 1: d = d.slice(0, below(d.length)); break;
          case 2: { const e = new Uint8Array(d.length + 1 + below(64)); e.set(d); e.set(randomBytes(e.length - d.length), d.length); d = e; break; }
          case 3: {
            const o = pool[below(pool.length)];
            const cut = 1 + below(Math.max(1, Math.min(d.length, o.length) - 1));
            d = Uint8Array.from([...d.subarray(0, cut), ...o.subarray(cut)]);
            break;
          }
          case 4: { const at = below(d.length); d.set(randomBytes(Math.min(1 + below(8), d.length - at)), at); break; }
          default: d[below(Math.min(9, d.length))] = next() & 0xff; // a header byte
        }
      }
      return d;
    };

    const logLinesBefore = cluster.log('fz1').length;
    const dropsBefore = kernelDrops(nodePort);
    const kinds = { random: 0, mutated: 0, replayed: 0 };
    const started = process.hrtime.bigint();
    let lastReport = Date.now();
    for (let i = 0; i < args.count; i++) {
      const mode = below(10);
      let datagram: Uint8Array;
      if (mode < 2) {
        datagram = randomBytes(below(1600));
        kinds.random++;
      } else if (mode < 4) {
        datagram = pool[below(pool.length)];
        kinds.replayed++;
      } else {
        datagram = mutate(pool[below(pool.length)]);
        kinds.mutated++;
      }
      const predicted = mirror.decode(datagram, fuzzFrom);
      if (predicted.ok) failures.push(`datagram ${i} (${mode < 2 ? 'random' : mode < 4 ? 'replay' : 'mutated'}) would be ACCEPTED by the node's decoder`);
      await send(fuzz, datagram, nodePort);
      if (i % args.batch === args.batch - 1) await barrier();
      if (Date.now() - lastReport > 10_000) {
        lastReport = Date.now();
        process.stdout.write(`  ${i + 1} datagrams sent, ${barriers} batches answered\n`);
      }
    }
    await barrier();
    const seconds = Number(process.hrtime.bigint() - started) / 1e9;

    // Flush the node's suppressed-warning count for our source: one more bad datagram after the interval.
    await sleep(WARN_INTERVAL_MS + 500);
    const flush = Uint8Array.of(1, 2, 3);
    mirror.decode(flush, fuzzFrom);
    await send(fuzz, flush, nodePort);
    await barrier();
    await sleep(200);

    const predicted = mirror.rejected();
    const warnedExpected = Object.entries(predicted).filter(([reason]) => !QUIET.has(reason)).reduce((n, [, c]) => n + c, 0);
    const nodeLines = cluster.log('fz1').slice(logLinesBefore);
    // The reject log is keyed by address: every bad datagram here came from HOST (the fuzz socket).
    const dropWarnings = nodeLines.filter((l) => l.includes(`dropped datagram from ${HOST}:`));
    const reportedByNode = dropWarnings.reduce((n, l) => n + 1
      + Number(/; (\d+) more from [^ ]+ dropped/.exec(l)?.[1] ?? 0)
      + Number(/; (\d+) more dropped from \d+ address/.exec(l)?.[1] ?? 0), 0);
    const otherWarnings = nodeLines.filter((l) => /WARN|ERROR|FATAL/.test(l) && !l.includes('dropped datagram from'));
    const dropsAfter = kernelDrops(nodePort);
    const kernel = dropsBefore !== null && dropsAfter !== null ? dropsAfter - dropsBefore : null;

    const after = stateOf((await koi(confPath, nodePort, ['local'])).json, (await koi(confPath, nodePort, ['status'])).json);
    const status = await koi(confPath, nodePort, ['status']);
    if (status.code !== 0) failures.push(`koi status failed after fuzzing (exit ${status.code}): ${status.out}`);
    if (after !== before) failures.push(`the node's state changed:\n  before ${before}\n  after  ${after}`);
    if (!cluster.running('fz1')) failures.push('the node exited');
    const maxWarnings = Math.ceil((seconds * 1000 + WARN_INTERVAL_MS + 1000) / WARN_INTERVAL_MS) + 1;
    if (dropWarnings.length > maxWarnings) failures.push(`${dropWarnings.length} drop warnings for one source in ${seconds.toFixed(0)} s (at most ${maxWarnings} expected)`);
    if (reportedByNode !== warnedExpected - (kernel ?? 0)) {
      failures.push(`the node accounted for ${reportedByNode} dropped datagrams from ${fuzzFrom}; the mirror decoder predicts ${warnedExpected} (kernel drops ${kernel ?? 'unknown'})`);
    }
    if (otherWarnings.length > 0) failures.push(`unexpected warnings from the node:\n${otherWarnings.slice(0, 10).join('\n')}`);

    const reasons = Object.entries(predicted).filter(([, n]) => n > 0).sort((a, b) => b[1] - a[1]);
    process.stdout.write([
      `fuzz-live: ${args.count} datagrams at koinode ${HOST}:${nodePort} (seed ${args.seed}) in ${seconds.toFixed(1)} s `
        + `(${Math.round(args.count / seconds)}/s), ${barriers} real requests answered in between`,
      `  sent: ${kinds.random} random, ${kinds.mutated} mutated, ${kinds.replayed} replays of ${sniffed.length} sniffed heartbeats, `
        + `${captured.length} captured client datagrams and the real requests`,
      `  predicted rejects (mirror decoder): ${reasons.map(([r, n]) => `${r} ${n}`).join(', ')}`,
      `  node: ${dropWarnings.length} drop warnings for ${fuzzFrom}, accounting for ${reportedByNode} datagrams (mirror: ${warnedExpected} `
        + `warnable); ${nodeLines.length} log lines in all; kernel socket drops ${kernel ?? 'unknown'}`,
      `  state ${after === before ? 'unchanged' : 'CHANGED'}: ${after}`,
      `  koi status: exit ${status.code}; node master since before the run: ${settled.state}`,
      failures.length === 0 ? 'fuzz-live: OK' : `fuzz-live: FAIL\n${failures.map((f) => `  - ${f}`).join('\n')}`,
      '',
    ].join('\n'));
    return failures.length === 0 ? 0 : 1;
  } finally {
    for (const s of sockets) s.close();
    await cluster.close();
  }
}

/**
 * Admin replay driver (issue 11, finding 1): capture a real `koi maintenance
 * on` sent to node r1 (through a loopback proxy), undo it, then send the
 * captured datagram, byte for byte, (a) to node r2 and (b) to r1 after r1
 * restarted. A replay must not act: maintenance must stay off. Returns the
 * failures (each a hole found).
 */
async function replayDriver(): Promise<string[]> {
  const failures: string[] = [];
  const [p1, p2, proxyPort] = await findFreePorts(3);
  const cluster = new Cluster({
    tag: 'koi-fuzz-replay', quorum: 0, password: PASSWORD, clusterId: CLUSTER_ID,
    nodes: [{ name: 'r1', address: HOST, port: p1 }, { name: 'r2', address: HOST, port: p2 }],
    time: { initial_promotion_delay: '1s' },
  });
  const sockets: dgram.Socket[] = [];
  try {
    cluster.start();
    await cluster.waitForMaster(undefined, 30_000);
    const maintenance = async (node: string): Promise<boolean | undefined> => {
      const r = await koi(cluster.confPath(node), cluster.ports.get(node)!, ['local']);
      return r.json?.maintenance as boolean | undefined;
    };
    const proxy = await bindUdp(proxyPort);
    sockets.push(proxy);
    const requests: Uint8Array[] = [];
    let client: { address: string; port: number } | null = null;
    proxy.on('message', (data, rinfo) => {
      if (rinfo.port === p1) {
        if (client) proxy.send(data, client.port, client.address);
      } else {
        requests.push(new Uint8Array(data));
        client = { address: rinfo.address, port: rinfo.port };
        proxy.send(data, p1, HOST);
      }
    });
    const on = await koi(cluster.confPath('r1'), proxyPort, ['maintenance', 'on']);
    const capturedAt = Date.now();
    if (on.code !== 0 || requests.length === 0) throw new Error(`replay driver: koi maintenance on through the proxy failed: ${on.out}`);
    await cluster.waitFor('maintenance on', async () => (await maintenance('r1')) === true, 10_000);
    const off = await koi(cluster.confPath('r1'), p1, ['maintenance', 'off']);
    if (off.code !== 0) throw new Error(`replay driver: koi maintenance off failed: ${off.out}`);
    await cluster.waitFor('maintenance off everywhere', async () => (await maintenance('r1')) === false && (await maintenance('r2')) === false, 10_000);
    const attacker = await bindUdp();
    sockets.push(attacker);
    const replayTo = async (node: string, port: number, what: string): Promise<void> => {
      for (const d of requests) await send(attacker, d, port);
      await sleep(1500);
      const states = [await maintenance('r1'), await maintenance('r2')];
      process.stdout.write(`  replay of a captured "koi maintenance on" ${what}: maintenance r1=${states[0]} r2=${states[1]}\n`);
      if (states.some((m) => m !== false)) {
        failures.push(`HOLE: a captured "koi maintenance on" replayed ${what} switched maintenance on (r1=${states[0]}, r2=${states[1]})`);
        await koi(cluster.confPath('r1'), p1, ['maintenance', 'off']);
        await cluster.waitFor('maintenance off again', async () => (await maintenance('r1')) === false && (await maintenance('r2')) === false, 10_000);
      }
    };
    // Restart first: a captured request stays fresh for the codec's 30 s window only.
    await cluster.stop('r1', 'SIGTERM');
    cluster.start('r1');
    await cluster.waitFor('r1 answering again', async () => (await maintenance('r1')) !== undefined, 30_000);
    await replayTo('r1', p1, `to r1 after it restarted (${((Date.now() - capturedAt) / 1000).toFixed(1)} s after capture)`);
    await replayTo('r2', p2, `to the other node r2 (${((Date.now() - capturedAt) / 1000).toFixed(1)} s after capture)`);
  } finally {
    for (const s of sockets) s.close();
    await cluster.close();
  }
  return failures;
}

async function mainWithReplay(): Promise<number> {
  const code = await main();
  if (NO_REPLAY) return code;
  process.stdout.write('fuzz-live: admin replay driver\n');
  const holes = await replayDriver();
  process.stdout.write(holes.length === 0 ? 'fuzz-live replay: OK (no captured request acted twice)\n' : `fuzz-live replay: FAIL\n${holes.map((h) => `  - ${h}`).join('\n')}\n`);
  return holes.length === 0 ? code : 1;
}

mainWithReplay().then((code) => {
  process.exitCode = code;
}, (err: unknown) => {
  process.stderr.write(`fuzz-live failed: ${err instanceof Error ? err.stack ?? err.message : String(err)}\n`);
  process.exitCode = 1;
});
