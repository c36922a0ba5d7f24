/**
 * Long-run fuzzing of the wire decoder: `npm run fuzz -- --count N [--seed S] [--cipher node|forge]`.
 * Feeds random datagrams and mutations of real sealed ones (bit flips,
 * truncation, extension, splices, overwrites, header edits, exact replays)
 * to one codec, prints counts per reject reason, and exits non-zero on any
 * uncaught error or on any mutated datagram that decoded.
 */
import { randomUUID } from 'node:crypto';
import { VirtualClock } from '../core/clock';
import { createWireCodec } from '../core/wire/codec';
import { randomKey } from '../core/wire/keyfile';
import type { KoiMessage } from '../plugin-api';
import { createForgeCipher } from '../plugins/crypto-forge';
import { createNodeCipher } from '../plugins/crypto-node';
import { parseFlags, xorshift32, bytesFrom } from './lib/args';

function parseArgs(argv: string[]): { count: number; seed: number; cipher: 'node' | 'forge' } {
  const flags = parseFlags('fuzz-wire', argv, { '--count': 'count', '--seed': 'seed', '--cipher': ['node', 'forge'] as const });
  return { count: flags['--count'] ?? 100_000, seed: flags['--seed'] ?? Date.now() >>> 0, cipher: flags['--cipher'] ?? 'node' };
}

function main(): number {
  const args = parseArgs(process.argv.slice(2));
  const next = xorshift32(args.seed);
  const below = (n: number): number => next() % Math.max(1, n);
  const key = randomKey(); // a key file's key: the KDF is not under test here
  const cipher = args.cipher === 'forge' ? createForgeCipher(key) : createNodeCipher(key);
  const clock = new VirtualClock();
  const sender = createWireCodec({ cipher, clusterId: 7, senderId: randomUUID(), clock });
  const receiver = createWireCodec({ cipher, clusterId: 7, senderId: randomUUID(), clock });

  const view = {
    leaderId: randomUUID(), masterId: randomUUID(), masterName: 'node-02', maintenance: false, manualMaster: false,
    nodes: Array.from({ length: 12 }, (_, i) => ({
      id: randomUUID(), name: `node-${i + 1}`, flags: 3, addresses: [`10.0.0.${i + 1}:42012`, `[fd00::${i + 1}]:42012`], lastSeenAgoMs: 100 * i,
    })),
  };
  const messages: KoiMessage[] = [
    { kind: 'heartbeat', name: 'node-01', flags: 7, seenAddress: '10.0.0.2:42012', uptimeMs: 12345, holdMs: 1500, ackWindowMs: 150, view },
    { kind: 'heartbeat', name: 'node-03', flags: 2, seenAddress: '', uptimeMs: 1, holdMs: 1500, ackWindowMs: 150 },
    { kind: 'health', name: 'node-03', state: 'Slave', mode: 'Active', uptimeMs: 5, target: 'Start', services: [{ name: '10-vip', state: 'Started' }], promoted: false, failCount: 1, lastFailureAgoMs: 300, lastFailureReason: 'x', stopped: false },
    { kind: 'state', masterId: view.masterId, masterName: 'node-02', masterAddress: '[fd00::2]:42012', leaderName: 'node-01', leaderUptimeMs: 9, hasQuorum: true, maintenance: false, leaseMs: 1200 },
    { kind: 'request', requestId: 'r1', command: 'status', args: ['a'], hops: 0 },
    { kind: 'response', requestId: 'r1', exitCode: 0, text: 'ok '.repeat(200), json: '{}' },
  ];
  // Authentic datagrams, each accepted once by the receiver first.
  const pool = messages.map((m) => sender.encode(m));
  for (const d of pool) {
    const r = receiver.decode(d, 'origin');
    if (!r.ok) throw new Error(`fuzz-wire: an authentic datagram was refused: ${r.reason} ${r.detail}`);
  }
  let authentic = receiver.accepted();
  // Fresh authentic datagrams join the pool as the run goes on, so older
  // ones slide behind the replay window and, later, out of the age limit.
  const freshen = (): void => {
    const d = sender.encode(messages[below(messages.length)]);
    const r = receiver.decode(d, 'origin');
    if (!r.ok) throw new Error(`fuzz-wire: an authentic datagram was refused: ${r.reason} ${r.detail}`);
    authentic++;
    if (pool.length >= messages.length + 32) pool.splice(messages.length + below(32), 1);
    pool.push(d);
  };

  const randomBytes = (n: number): Uint8Array => bytesFrom(next, n);
  const mutate = (src: Uint8Array): Uint8Array => {
    let d = Uint8Array.from(src);
    const steps = 1 + below(3);
    for (let s = 0; s < steps; s++) {
      switch (below(7)) {
        case 0: { const bit = below(d.length * 8); d[bit >> 3] ^= 1 << (bit & 7); break; }
        case 1: d = d.slice(0, below(d.length)); break;
        case 2: { const e = new Uint8Array(d.length + 1 + below(64)); e.set(d); e.set(randomBytes(e.length - d.length), d.length); d = e; break; }
        case 3: { const o = pool[below(pool.length)]; const cut = 1 + below(Math.min(d.length, o.length) - 1); const e = Uint8Array.from([...d.subarray(0, cut), ...o.subarray(cut)]); d = e; break; }
        case 4: { const at = below(d.length); d.set(randomBytes(Math.min(1 + below(8), d.length - at)), at); break; }
        case 5: { d[below(9)] = next() & 0xff; break; } // header byte
        default: break; // exact replay of the (possibly already mutated) datagram
      }
      if (d.length === 0) break;
    }
    return d;
  };

  let uncaught = 0;
  let forged = 0;
  const started = process.hrtime.bigint();
  for (let i = 0; i < args.count; i++) {
    const mode = below(10);
    const datagram = mode < 2 ? randomBytes(below(1600)) : mode < 3 ? pool[below(pool.length)] : mutate(pool[below(pool.length)]);
    try {
      const r = receiver.decode(datagram, `fuzz:${mode}`);
      if (r.ok) forged++;
    } catch (err) {
      uncaught++;
      if (uncaught <= 5) console.error(`uncaught error on datagram ${Buffer.from(datagram).toString('hex')}:`, err);
    }
    if (i % 1000 === 999) {
      clock.advance(40); // 1M datagrams span 40 s of virtual time: the first ones age out
      freshen();
    }
  }
  const seconds = Number(process.hrtime.bigint() - started) / 1e9;
  const rejected = receiver.rejected();
  console.log(`fuzz-wire: ${args.count} datagrams, cipher ${cipher.name}, seed ${args.seed}, ${seconds.toFixed(1)} s (${Math.round(args.count / seconds)}/s)`);
  for (const [reason, n] of Object.entries(rejected)) console.log(`  ${reason.padEnd(14)} ${n}`);
  console.log(`  accepted       ${receiver.accepted() - authentic} (must be 0)`);
  console.log(`  uncaught       ${uncaught} (must be 0)`);
  if (forged > 0 || receiver.accepted() !== authentic) console.error('fuzz-wire: FAIL, a mutated or replayed datagram was accepted');
  return uncaught === 0 && forged === 0 ? 0 : 1;
}

try {
  process.exitCode = main();
} catch (err) {
  console.error((err as Error).message);
  process.exitCode = 2;
}
