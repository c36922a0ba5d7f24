/**
 * Idle CPU floor: `npm run bench:floor [-- --profile fast --window 30 --warmup 25 --write]`.
 *
 * How much of an idle koi node's CPU is koi, and how much is Node sending
 * and receiving the same datagrams. Three setups, one after the other:
 *
 * 1. koi: 3 real `koinode` processes on loopback (quorum 2, default timings or
 *    `--profile`'s, a profile of bench/lib/profiles.ts),
 *    idle for the window after a warm-up past Node's JIT tiering. Per node:
 *    CPU, the main thread's share and its wake-ups, and the datagrams the node sent and
 *    received per second (the kernel's UDP counters of /proc/net/snmp over
 *    the window, divided among the three nodes: run it on an otherwise quiet
 *    machine, the counters are the whole network namespace's).
 * 2. bare Node: 3 plain `node` processes, each an unencrypted UDP socket on
 *    loopback sending 300-byte datagrams to the two others on one timer, at
 *    the rate koi sent in (1). Nothing else: the least any Node program pays
 *    for that traffic.
 * 3. bare Node, an empty timer: 3 `node` processes whose only work is a timer
 *    that does nothing, at the profile's heartbeat interval: what a Node
 *    process pays per wake-up before any datagram or code of its own.
 *
 * CPU is the scheduler's run time of every thread (schedstat, bench/lib/proc.ts),
 * wake-ups the main thread's voluntary context switches.
 *
 * The difference is koi's own work per datagram (decode, authenticate,
 * handle, encode, seal), reported per datagram handled. docs/performance.md
 * "Idle CPU floor" explains what it means for issue 15's targets.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import * as fs from 'node:fs';
import { Cluster } from '../scripts/lib/cluster';
import { describeMachine } from './lib/machine';
import { effectiveTimeMs, loadProfile, profileSpec, type Profile } from './lib/profiles';
import { cpuReadingText, cpuSeconds, cpuTimes, hasSchedstat, threadRuntimeSeconds, voluntarySwitches } from './lib/proc';
import { writeSection } from './lib/report';
import { optionArg, positiveArg } from './lib/args';
import { summarize } from './lib/stats';
import { IDLE_CPU_TARGETS, budgetUsPerS } from './lib/targets';
import { epochMs, roleOf, sleep, waitSteady } from './lib/status';

interface Cpu {
  /** All threads (cpuSeconds: to the nanosecond where the kernel has schedstat). */
  total: number;
  /** utime and stime, in clock ticks: only their split is read from them. */
  user: number;
  system: number;
  /** The main (JavaScript) thread. */
  main: number;
  /** Times the main thread woke up (voluntarySwitches). */
  wakeups: number;
}

/** CPU seconds of a process and of its main thread (its thread id is the pid), and the main thread's wake-ups. */
function cpu(pid: number): Cpu {
  const all = cpuTimes(pid);
  const mainTicks = cpuTimes(pid, pid);
  const main = hasSchedstat() ? threadRuntimeSeconds(pid, pid) : mainTicks.user + mainTicks.system;
  return { total: cpuSeconds(pid), ...all, main, wakeups: voluntarySwitches(pid, pid) };
}

/** The kernel's UDP datagram counters (the whole network namespace). */
function udpCounters(): { out: number; in: number } {
  const lines = fs.readFileSync('/proc/net/snmp', 'utf8').split('\n').filter((l) => l.startsWith('Udp:'));
  const names = lines[0].split(/\s+/);
  const values = lines[1].split(/\s+/).map(Number);
  const get = (name: string): number => values[names.indexOf(name)];
  return { out: get('OutDatagrams'), in: get('InDatagrams') };
}

/** The precise total divided between user and system time as the (coarse) tick counts divide it. */
function split(userTicks: number, systemTicks: number, totalPct: number): { userPct: number; systemPct: number } {
  const ticks = userTicks + systemTicks;
  const userShare = ticks > 0 ? userTicks / ticks : 1;
  return { userPct: totalPct * userShare, systemPct: totalPct * (1 - userShare) };
}

interface Row {
  setup: string;
  role: string;
  outPerS: number;
  inPerS: number;
  cpuPct: number;
  userPct: number;
  systemPct: number;
  mainPct: number;
  /** Main-thread wake-ups a second. */
  wakeupsPerS: number;
}

async function measure(pids: Map<string, number>, windowS: number): Promise<{ rows: Omit<Row, 'setup' | 'role'>[]; names: string[] }> {
  const names = [...pids.keys()];
  const before = names.map((n) => cpu(pids.get(n)!));
  const udp0 = udpCounters();
  const t0 = epochMs();
  await sleep(windowS * 1000);
  const after = names.map((n) => cpu(pids.get(n)!));
  const udp1 = udpCounters();
  const s = (epochMs() - t0) / 1000;
  const pct = (x: number): number => (x / s) * 100;
  const outPerS = (udp1.out - udp0.out) / s / names.length;
  const inPerS = (udp1.in - udp0.in) / s / names.length;
  return {
    names,
    rows: names.map((_, i) => ({
      outPerS, inPerS,
      // user + system is the total in ticks; the split is scaled to the precise total.
      ...split(after[i].user - before[i].user, after[i].system - before[i].system, pct(after[i].total - before[i].total)),
      cpuPct: pct(after[i].total - before[i].total),
      mainPct: pct(after[i].main - before[i].main),
      wakeupsPerS: (after[i].wakeups - before[i].wakeups) / s,
    })),
  };
}

async function measureKoi(profile: Profile, windowS: number, warmupS: number): Promise<Row[]> {
  const cluster = await Cluster.create({ nodes: 3, quorum: 2, time: profile.time, statusInterval: '10s', tag: 'koi-bench-floor' });
  try {
    cluster.start();
    const doc = await waitSteady(cluster, 'floor: steady cluster');
    console.log(`  koi: steady; warm-up ${warmupS} s, then an idle window of ${windowS} s...`);
    await sleep(warmupS * 1000);
    const pids = new Map(cluster.nodes.map((n) => [n.name, cluster.pid(n.name)]));
    const { rows, names } = await measure(pids, windowS);
    return rows.map((r, i) => {
      return { setup: `koi ${profile.name}`, role: `${names[i]} (${roleOf(doc, names[i])})`, ...r };
    });
  } finally {
    await cluster.close();
  }
}

/** One bare peer: bind, send `size` bytes to every other port every 1000/rate ms, drop what arrives. */
const BARE_PEER = `
const dgram = require('node:dgram');
const [port, rate, size, ...peers] = process.argv.slice(1).map(Number);
const socket = dgram.createSocket('udp4');
const payload = Buffer.alloc(size, 7);
socket.on('message', () => {});
socket.bind(port, '127.0.0.1', () => {
  setInterval(() => { for (const p of peers) socket.send(payload, p, '127.0.0.1', () => {}); }, 1000 / rate);
  process.send?.('ready');
});
process.on('SIGTERM', () => process.exit(0));
`;

async function measureBare(ratePerPeer: number, windowS: number, warmupS: number): Promise<Row[]> {
  const base = 43000 + Math.floor(Math.random() * 2000);
  const ports = [base, base + 1, base + 2];
  const children: ChildProcess[] = [];
  try {
    for (const port of ports) {
      const child = spawn(process.execPath, ['-e', BARE_PEER, String(port), String(ratePerPeer), '300', ...ports.filter((p) => p !== port).map(String)], { stdio: ['ignore', 'ignore', 'inherit', 'ipc'] });
      children.push(child);
      await new Promise<void>((resolve, reject) => {
        child.once('message', () => resolve());
        child.once('exit', (code) => reject(new Error(`bare peer on port ${port} exited with code ${code}`)));
      });
    }
    console.log(`  bare Node: ${ratePerPeer.toFixed(1)} datagrams/s to each of 2 peers; warm-up ${warmupS} s, then ${windowS} s...`);
    await sleep(warmupS * 1000);
    const pids = new Map(children.map((c, i) => [`p${i + 1}`, c.pid!]));
    const { rows, names } = await measure(pids, windowS);
    return rows.map((r, i) => ({ setup: 'bare Node', role: names[i], ...r }));
  } finally {
    for (const c of children) if (c.exitCode === null) c.kill('SIGTERM');
  }
}

/** One idle peer: a timer that does nothing, at the heartbeat rate. What each wake-up of a Node process costs. */
const IDLE_TIMER = `
setInterval(() => {}, Number(process.argv[1]));
process.send?.('ready');
process.on('SIGTERM', () => process.exit(0));
`;

async function measureTimerOnly(intervalMs: number, windowS: number, warmupS: number): Promise<Row[]> {
  const children: ChildProcess[] = [];
  try {
    for (let i = 0; i < 3; i++) {
      const child = spawn(process.execPath, ['-e', IDLE_TIMER, String(intervalMs)], { stdio: ['ignore', 'ignore', 'inherit', 'ipc'] });
      children.push(child);
      await new Promise<void>((resolve, reject) => {
        child.once('message', () => resolve());
        child.once('exit', (code) => reject(new Error(`idle timer process exited with code ${code}`)));
      });
    }
    console.log(`  bare Node, an empty ${intervalMs} ms timer only: warm-up ${warmupS} s, then ${windowS} s...`);
    await sleep(warmupS * 1000);
    const pids = new Map(children.map((c, i) => [`t${i + 1}`, c.pid!]));
    const { rows, names } = await measure(pids, windowS);
    return rows.map((r, i) => ({ setup: `bare Node, empty ${intervalMs} ms timer`, role: names[i], ...r }));
  } finally {
    for (const c of children) if (c.exitCode === null) c.kill('SIGTERM');
  }
}

const f1 = (x: number): string => x.toFixed(1);
const f2 = (x: number): string => x.toFixed(2);

function table(rows: Row[]): string {
  return [
    '| setup | process | datagrams out/s | in/s | CPU % of a core | user | system | main thread | wake-ups/s | CPU µs per datagram | CPU µs per wake-up |',
    '| --- | --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |',
    ...rows.map((r) => `| ${r.setup} | ${r.role} | ${f1(r.outPerS)} | ${f1(r.inPerS)} | ${f2(r.cpuPct)} % | ${f2(r.userPct)} | ${f2(r.systemPct)} | ${f2(r.mainPct)} | `
      + `${f1(r.wakeupsPerS)} | ${r.outPerS + r.inPerS >= 1 ? f1((r.cpuPct * 1e4) / (r.outPerS + r.inPerS)) : '—'} | ${r.wakeupsPerS > 0 ? f1((r.cpuPct * 1e4) / r.wakeupsPerS) : '—'} |`),
  ].join('\n');
}

async function main(): Promise<void> {
  const args = process.argv.slice(2);
  const profile = loadProfile(profileSpec(optionArg(args, '--profile', 'default')));
  const windowS = positiveArg('bench:floor', args, '--window', 30, 'seconds');
  const warmupS = positiveArg('bench:floor', args, '--warmup', 25, 'seconds');
  const machine = describeMachine();
  const load = fs.readFileSync('/proc/loadavg', 'utf8').split(' ').slice(0, 3).join(' ');
  console.log(`bench:floor on ${machine}; load ${load}; ${profile.name} timings (${profile.source})`);
  const koi = await measureKoi(profile, windowS, warmupS);
  // koi sends each datagram to one destination; a bare peer sends one per peer per tick.
  const ratePerPeer = koi[0].outPerS / 2;
  const bare = await measureBare(ratePerPeer, windowS, Math.min(warmupS, 5));
  const intervalMs = effectiveTimeMs(profile).cluster_update_interval;
  const timer = await measureTimerOnly(intervalMs, windowS, Math.min(warmupS, 5));
  const busiest = (rows: Row[]): Row => rows.reduce((a, b) => (b.cpuPct > a.cpuPct ? b : a));
  const k = busiest(koi);
  const b = busiest(bare);
  const mean = (rows: Row[]): number => summarize(rows.map((r) => r.cpuPct)).mean;
  const perDatagram = (rows: Row[]): number => (mean(rows) * 1e4) / (rows[0].outPerS + rows[0].inPerS);
  const wakeups = (rows: Row[]): number => summarize(rows.map((r) => r.wakeupsPerS)).mean;
  // No wake-ups at all would be a broken reading (every setup has a timer): NaN, printed as such.
  const perWakeup = (rows: Row[]): number => (wakeups(rows) > 0 ? (mean(rows) * 1e4) / wakeups(rows) : Number.NaN);
  const target = profile.name === 'fast' ? IDLE_CPU_TARGETS.fast.target : IDLE_CPU_TARGETS.default.target;
  const budget = budgetUsPerS(target);
  const summary = [
    `- koi ${profile.name}: ${f2(mean(koi))} % of a core per node on average, ${f2(k.cpuPct)} % the busiest (${k.role}); `
      + `${f1(koi[0].outPerS)} datagrams sent and ${f1(koi[0].inPerS)} received per node per second.`,
    `- bare Node, the same datagram rate and no koi: ${f2(mean(bare))} % per process (${f2(b.cpuPct)} % the busiest).`,
    `- Per datagram handled (sent or received): koi ${f1(perDatagram(koi))} µs of CPU, bare Node ${f1(perDatagram(bare))} µs; `
      + `koi's own work is ${f1(perDatagram(koi) - perDatagram(bare))} µs (${f1(mean(koi) / mean(bare))}× the bare cost).`,
    `- At these costs, ${target} % of a core allows ${f1(budget / perDatagram(koi))} datagrams per second per node with koi's code `
      + `and ${f1(budget / perDatagram(bare))} with none at all (today: ${f1(koi[0].outPerS + koi[0].inPerS)}).`,
    `- Wake-ups of the main thread: koi ${f1(wakeups(koi))} a second per node at ${f1(perWakeup(koi))} µs each, bare Node with the datagrams `
      + `${f1(wakeups(bare))} at ${f1(perWakeup(bare))} µs; an empty ${intervalMs} ms timer alone costs bare Node ${f1(perWakeup(timer))} µs a wake-up `
      + `(${f2(mean(timer))} % of a core), so ${target} % of a core is ${f1(budget / perWakeup(timer))} wake-ups a second of a Node process that does nothing else.`,
  ];
  const title = profile.name === 'default' ? 'Idle CPU floor' : `Idle CPU floor (${profile.name} profile)`;
  const report = [
    `## ${title}`,
    '',
    `Measured by \`npm run bench:floor${profile.name === 'default' ? '' : ` -- --profile ${profile.name}`}\` (bench/floor.ts) on ${machine}; 1-minute load average ${load.split(' ')[0]} at the start; `
      + `${profile.name} timings (${profile.source}).`,
    `Window ${windowS} s after a warm-up of ${warmupS} s (koi) and ${Math.min(warmupS, 5)} s (bare Node); datagram rates from the kernel's`,
    `UDP counters of the whole machine, divided among the three processes; CPU = ${cpuReadingText()}${hasSchedstat() ? ', user and system split as the clock ticks split them' : ''};`,
    'wake-ups are the main thread\'s voluntary context switches (one per wait in epoll).',
    '',
    table([...koi, ...bare, ...timer]),
    '',
    ...summary,
  ].join('\n');
  console.log(`\n${report}\n`);
  if (args.includes('--write')) {
    writeSection(title, report);
    console.log(`written to docs/performance.md ("## ${title}")`);
  }
}

main().catch((err: unknown) => {
  console.error(`bench:floor failed: ${err instanceof Error ? err.stack ?? err.message : String(err)}`);
  process.exitCode = 1;
});
