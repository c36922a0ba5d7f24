/**
 * Where an idle node's CPU goes: `npm run bench:entry [-- --nodes 3 --profile default --warmup 20 --window 30]`.
 * A steady cluster of real koinodes, each with bench/lib/entry-meter.ts preloaded, left idle; for every node
 * (by role) the CPU time of its entry points (a datagram received, a cluster tick) and of the pieces under
 * them (the codec, the cipher, the membership, the elector), per call and as % of a core, beside the
 * process's total. Printed only (docs/performance.md "Idle CPU" quotes a run).
 */
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Cluster } from '../scripts/lib/cluster';
import { optionArg, positiveArg } from './lib/args';
import { entryRows, type MeterReading } from './lib/entry-meter';
import { describeMachine } from './lib/machine';
import { loadProfile, profileSpec } from './lib/profiles';
import { epochMs, roleOf, sleep, waitSteady } from './lib/status';

function reading(dir: string, pid: number): MeterReading {
  const file = join(dir, `${pid}.json`);
  if (!existsSync(file)) throw new Error(`bench:entry: no meter reading from koinode ${pid} (${file}): was bench/lib/entry-meter.js preloaded?`);
  return JSON.parse(readFileSync(file, 'utf8')) as MeterReading;
}

async function main(): Promise<void> {
  const args = process.argv.slice(2);
  const nodes = positiveArg('bench:entry', args, '--nodes', 3);
  const warmupS = positiveArg('bench:entry', args, '--warmup', 20, 'seconds');
  const windowS = positiveArg('bench:entry', args, '--window', 30, 'seconds');
  const name = optionArg(args, '--profile', 'default');
  const profile = loadProfile(profileSpec(name));
  const dir = mkdtempSync(join(tmpdir(), 'koi-entry-'));
  console.log(`bench:entry on ${describeMachine()}; ${nodes} nodes, ${profile.name} timings, window ${windowS} s after ${warmupS} s`);
  const cluster = await Cluster.create({
    nodes, quorum: Math.floor(nodes / 2) + 1, time: profile.time, statusInterval: '10s',
    nodeArgs: ['--require', join(__dirname, 'lib', 'entry-meter.js')], env: { KOI_ENTRY_METER_DIR: dir },
  });
  try {
    cluster.start();
    const doc = await waitSteady(cluster, 'bench:entry: steady cluster');
    await sleep(warmupS * 1000);
    const names = cluster.nodes.map((n) => n.name);
    // Readings are written every second: wait for fresh ones at both ends.
    await sleep(1100);
    const before = new Map(names.map((n) => [n, reading(dir, cluster.pid(n))]));
    const t0 = epochMs();
    await sleep(windowS * 1000);
    await sleep(1100);
    const seconds = (epochMs() - t0) / 1000;
    for (const n of names) {
      const after = reading(dir, cluster.pid(n));
      const start = before.get(n)!;
      const role = roleOf(doc, n);
      const total = (after.totalCpuUs - start.totalCpuUs) / 1e4 / seconds;
      console.log(`\n${n} (${role}): ${total.toFixed(2)} % of a core in all`);
      console.log('| entry | calls/s | µs a call | % of a core |');
      console.log('| --- | ---: | ---: | ---: |');
      for (const r of entryRows(start, after, seconds)) console.log(`| ${r.entry} | ${r.perSecond.toFixed(1)} | ${r.usPerCall.toFixed(0)} | ${r.percent.toFixed(2)} |`);
    }
  } finally {
    await cluster.close();
    rmSync(dir, { recursive: true, force: true });
  }
}

main().catch((err: unknown) => {
  console.error(err instanceof Error ? err.message : String(err));
  process.exit(1);
});
