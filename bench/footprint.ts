/**
 * Footprint benchmark: a steady 3-node cluster (quorum 2) with default
 * timings and the default cipher; CPU time (cpuSeconds, bench/lib/proc.ts)
 * of each koinode over an idle window, VmRSS and VmHWM at
 * its end; then the wall time of `koi status` (a fresh client process each
 * run, as a user runs it).
 */
import { Cluster } from '../scripts/lib/cluster';
import { cpuSeconds, memory } from './lib/proc';
import { epochMs, roleOf, sleep, waitSteady } from './lib/status';
import { summarize, type Summary } from './lib/stats';
import type { Profile } from './lib/profiles';

export interface NodeFootprint {
  name: string;
  role: string;
  cpuPercent: number;
  rssMB: number;
  hwmMB: number;
}

export interface FootprintResult {
  profile: Profile['name'];
  windowS: number;
  nodes: NodeFootprint[];
  status: Summary;
  statusFailures: number;
  /** Promote/demote scripts and leader changes during the idle window: false failovers. */
  idleChanges: { scripts: number; leaderChanges: number; stalls: number };
}

export interface FootprintOptions {
  profile: Profile;
  windowS: number;
  statusRuns: number;
  /** Wait after the cluster is steady before the window (default 2 s); Node's JIT tiering costs ≈ 1 % of a core for ≈ 20 s after start. */
  warmupMs?: number;
  log?: (line: string) => void;
}

export async function runFootprint(options: FootprintOptions): Promise<FootprintResult> {
  const log = options.log ?? ((line: string) => console.log(line));
  const cluster = await Cluster.create({ nodes: 3, quorum: 2, time: options.profile.time, statusInterval: '10s' });
  try {
    cluster.start();
    const doc = await waitSteady(cluster, 'footprint: steady cluster');
    await sleep(options.warmupMs ?? 2000);
    const names = cluster.nodes.map((n) => n.name);
    const eventsBefore = cluster.events().length;
    const logMarks = new Map(names.map((n) => [n, cluster.log(n).length]));
    const before = new Map(names.map((n) => [n, cpuSeconds(cluster.pid(n))]));
    const t0 = epochMs();
    log(`  footprint: idle window of ${options.windowS} s (${options.profile.name} timings)...`);
    await sleep(options.windowS * 1000);
    const elapsedS = (epochMs() - t0) / 1000;
    const nodes = names.map((name): NodeFootprint => {
      const pid = cluster.pid(name);
      const mem = memory(pid);
      return {
        name,
        role: roleOf(doc, name),
        cpuPercent: ((cpuSeconds(pid) - before.get(name)!) / elapsedS) * 100,
        rssMB: (mem.rssKiB * 1024) / 1e6,
        hwmMB: (mem.hwmKiB * 1024) / 1e6,
      };
    });
    const idleChanges = {
      scripts: cluster.events().slice(eventsBefore).filter((e) => e.phase === 'begin' && (e.event === 'promote' || e.event === 'demote')).length,
      // Log tails are trimmed past 2000 lines; an idle node logs a handful.
      leaderChanges: names.reduce((sum, n) => sum + cluster.log(n).slice(logMarks.get(n)).filter((l) => l.includes('leader is now') || l.includes('] no leader')).length, 0),
      // The stall guard's warnings: this node's event loop was not scheduled for longer than lease_margin.
      stalls: names.reduce((sum, n) => sum + cluster.log(n).slice(logMarks.get(n)).filter((l) => l.includes('event loop stalled')).length, 0),
    };
    log(`  idle window: ${idleChanges.scripts} promote/demote scripts, ${idleChanges.leaderChanges} leader changes, ${idleChanges.stalls} event-loop stalls`);
    for (const n of nodes) log(`  ${n.name} (${n.role}): CPU ${n.cpuPercent.toFixed(2)} % of a core, RSS ${n.rssMB.toFixed(1)} MB, peak ${n.hwmMB.toFixed(1)} MB`);
    const times: number[] = [];
    let statusFailures = 0;
    for (let i = 0; i < options.statusRuns; i++) {
      const via = names[i % names.length];
      const start = epochMs();
      const answer = await cluster.koi(['status'], { node: via });
      const ms = epochMs() - start;
      if (answer.code === 0) times.push(ms);
      else statusFailures++;
    }
    const status = summarize(times);
    if (options.statusRuns > 0) log(`  koi status: median ${status.median.toFixed(0)} ms, p90 ${status.p90.toFixed(0)} ms, max ${status.max.toFixed(0)} ms over ${status.n} runs${statusFailures ? `, ${statusFailures} failed` : ''}`);
    return { profile: options.profile.name, windowS: elapsedS, nodes, status, statusFailures, idleChanges };
  } finally {
    await cluster.close();
  }
}
