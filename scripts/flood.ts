/**
 * Forged-datagram flood against one real koinode on loopback:
 * `npm run flood [-- --seconds 60]` (default 60 s; test/e2e/flood.test.ts
 * runs 10 s). Full-size datagrams with a valid header (so every one reaches
 * authentication) and random sealed bytes, from 20 loopback addresses
 * (127.0.0.2..21) and a new source port every 50 datagrams, at a bounded rate
 * for a bounded time; only ever to 127.0.0.1. Reports what the node's operator
 * sees: WARN lines about dropped datagrams (count, bytes), RSS before/after,
 * and whether the node still answers `koi status`.
 */
import * as dgram from 'node:dgram';
import { randomBytes } from 'node:crypto';
import * as fs from 'node:fs';
import { Cluster, sleep } from './lib/cluster';
import { writeFrameHeader } from '../core/wire/frame';
import { PROTOCOL_VERSION } from '../plugin-api';

export interface FloodReport {
  seconds: number;
  sent: number;
  sourcePorts: number;
  sourceAddresses: number;
  warnLines: number;
  warnBytes: number;
  /** Datagrams the WARN lines say were dropped without their own line (suppressed + rate-limited). */
  summarised: number;
  rssBeforeMb: number;
  rssPeakMb: number;
  rssAfterMb: number;
  answersAfter: boolean;
}

const ADDRESSES = Array.from({ length: 20 }, (_, i) => `127.0.0.${i + 2}`);
const PER_PORT = 50;

function rssMb(pid: number): number {
  const m = /VmRSS:\s+(\d+) kB/.exec(fs.readFileSync(`/proc/${pid}/status`, 'utf8'));
  return m ? Number(m[1]) / 1024 : NaN;
}

export async function runFlood(opts: { seconds: number; perSecond?: number; log?: (line: string) => void }): Promise<FloodReport> {
  const perSecond = opts.perSecond ?? 10_000;
  const say = opts.log ?? (() => undefined);
  const cluster = await Cluster.create({ nodes: 1, tag: 'koi-flood', clusterId: 13 });
  let warnLines = 0;
  let warnBytes = 0;
  let summarised = 0;
  cluster.onLine((_node, line) => {
    if (!/dropped datagram/.test(line)) return;
    warnLines++;
    warnBytes += line.length + 1;
    for (const m of line.matchAll(/; (\d+) more (?:from|dropped)/g)) summarised += Number(m[1]);
  });
  try {
    cluster.start();
    await cluster.waitForMaster(undefined, 30_000);
    const pid = cluster.pid('n1');
    const port = cluster.ports.get('n1')!;
    await sleep(1000);
    const rssBeforeMb = rssMb(pid);
    say(`koinode pid ${pid} on 127.0.0.1:${port}, RSS ${rssBeforeMb.toFixed(1)} MB; flooding ${opts.seconds} s at ${perSecond}/s`);
    const header = writeFrameHeader({ version: PROTOCOL_VERSION, flags: 0, clusterId: 13, keyId: 0 });
    const pool = Array.from({ length: 64 }, () => Buffer.concat([header, randomBytes(1472 - header.length)]));
    let sent = 0;
    let sourcePorts = 0;
    let rssPeakMb = rssBeforeMb;
    const end = Date.now() + opts.seconds * 1000;
    const tickMs = 20;
    const perTick = Math.max(1, Math.round((perSecond * tickMs) / 1000));
    let socket: dgram.Socket | null = null;
    let onSocket = 0;
    const fresh = async (): Promise<dgram.Socket> => {
      socket?.close();
      const s = dgram.createSocket('udp4');
      s.on('error', () => undefined);
      await new Promise<void>((resolve) => s.bind(0, ADDRESSES[sourcePorts % ADDRESSES.length], resolve));
      sourcePorts++;
      onSocket = 0;
      return s;
    };
    let lastRss = Date.now();
    while (Date.now() < end) {
      const t0 = Date.now();
      for (let i = 0; i < perTick; i++) {
        if (!socket || onSocket >= PER_PORT) socket = await fresh();
        socket.send(pool[sent % pool.length], port, '127.0.0.1');
        onSocket++;
        sent++;
      }
      if (Date.now() - lastRss >= 1000) {
        rssPeakMb = Math.max(rssPeakMb, rssMb(pid));
        lastRss = Date.now();
      }
      await sleep(Math.max(0, tickMs - (Date.now() - t0)));
    }
    (socket as dgram.Socket | null)?.close();
    await sleep(1500);
    const rssAfterMb = rssMb(pid);
    rssPeakMb = Math.max(rssPeakMb, rssAfterMb);
    const answersAfter = (await cluster.status('n1', 3000)) !== undefined;
    return {
      seconds: opts.seconds, sent, sourcePorts, sourceAddresses: Math.min(sourcePorts, ADDRESSES.length),
      warnLines, warnBytes, summarised, rssBeforeMb, rssPeakMb, rssAfterMb, answersAfter,
    };
  } finally {
    await cluster.close();
  }
}

async function main(): Promise<void> {
  const i = process.argv.indexOf('--seconds');
  const seconds = i > 0 ? Number(process.argv[i + 1]) : 60;
  if (!(seconds > 0 && seconds <= 600)) throw new Error(`--seconds must be in (0, 600], got ${process.argv[i + 1]}`);
  const r = await runFlood({ seconds, log: (l) => console.log(l) });
  console.log(JSON.stringify(r, null, 2));
  console.log(`flood ${r.seconds} s: ${r.sent} forged datagrams from ${r.sourcePorts} source ports on ${r.sourceAddresses} addresses → ${r.warnLines} WARN lines (${r.warnBytes} bytes), RSS ${r.rssBeforeMb.toFixed(1)} → peak ${r.rssPeakMb.toFixed(1)} → ${r.rssAfterMb.toFixed(1)} MB, node answers afterwards: ${r.answersAfter}`);
}

if (require.main === module) {
  main().catch((err) => {
    console.error(err);
    process.exit(1);
  });
}
