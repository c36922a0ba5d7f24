/**
 * Idle CPU against the heartbeat interval:
 * `npm run bench:heartbeat [-- --base default|fast --intervals 50,100,200,300,400 --window 30 --warmup 20 --rounds 1 --write]`.
 *
 * For each interval, 3 real `koinode` processes (quorum 2) run the base
 * profile (the defaults, or examples/fast.conf) slowed down to it
 * (bench/lib/heartbeat-model.ts: every heartbeat-counted key keeps its ratio,
 * so the failover is as many times slower) and idle for the window after a
 * warm-up; CPU from cpuSeconds (bench/lib/proc.ts, via bench/footprint.ts).
 * The fit `CPU = floor + per-round cost / interval` says which interval a
 * CPU target needs with today's code, and what a heartbeat round must cost to
 * meet it at a given interval. docs/performance.md "Idle CPU against the
 * heartbeat interval" (and "... (fast profile)") is this bench's output
 * (`--write`).
 */
import * as fs from 'node:fs';
import { runFootprint, type NodeFootprint } from './footprint';
import { cpuAt, fitInverse, intervalFor, measuredBoundary, perBeatFor, slowDown, type CpuPoint, type InverseFit } from './lib/heartbeat-model';
import { peerRefreshSpacingMs } from '../core/config/timing-defaults';
import { describeMachine } from './lib/machine';
import { cpuReadingText } from './lib/proc';
import { effectiveTimeMs, loadProfile, profileSpec, type Profile } from './lib/profiles';
import { optionArg, positiveArg } from './lib/args';
import { writeSection } from './lib/report';
import { summarize } from './lib/stats';
import { IDLE_CPU_TARGETS } from './lib/targets';

const BENCH = 'bench:heartbeat';
/** The profiles a sweep can start from, with issue 15's idle-CPU targets for each (% of a core per node) and the intervals swept by default. */
const BASES: Record<string, { targets: Array<{ label: string; pct: number }>; intervals: string; title: string }> = {
  default: {
    targets: [{ label: 'target', pct: IDLE_CPU_TARGETS.default.target }, { label: 'stretch', pct: IDLE_CPU_TARGETS.default.stretch }],
    intervals: '50,100,200,300,400', title: 'Idle CPU against the heartbeat interval',
  },
  fast: { targets: [{ label: 'target', pct: IDLE_CPU_TARGETS.fast.target }], intervals: '8,16,32,64,128', title: 'Idle CPU against the heartbeat interval (fast profile)' },
};

interface Run {
  intervalMs: number;
  round: number;
  nodes: NodeFootprint[];
  /** The profile's timings, ms. */
  time: Record<string, number> & { node_timeout: number; cluster_update_interval: number };
  /** Promote/demote scripts, leader changes and stalls in the window: a run with any is not idle. */
  disturbances: number;
}

function intervalsArg(args: readonly string[], fallback: string): number[] {
  const text = optionArg(args, '--intervals', fallback);
  const values = text.split(',').map((s) => Number(s.trim()));
  if (values.length < 2 || new Set(values).size !== values.length || values.some((v) => !Number.isInteger(v) || v < 5)) {
    throw new Error(`${BENCH}: --intervals needs two or more different heartbeat intervals, whole ms of 5 or more, comma-separated, got '${text}'`);
  }
  return values;
}

const f2 = (x: number): string => x.toFixed(2);
const mean = (xs: readonly number[]): number => summarize(xs).mean;
const ms = (x: number): string => `${Math.round(x)} ms`;

/** A fit this far from the runs says little: the rows are the answer. */
const POOR_FIT_R2 = 0.98;

function measuredLine(points: readonly CpuPoint[], pct: number): string {
  const { metFrom, missedUpTo } = measuredBoundary(points, pct);
  const met = metFrom === null ? 'no interval swept had every run within it' : `every run within it from ${metFrom} ms`;
  const missed = missedUpTo === null ? 'none above it' : `a run above it at ${missedUpTo} ms`;
  return `measured: ${met}, ${missed}`;
}

function fitLines(what: string, points: readonly CpuPoint[], base: Profile, targets: typeof BASES[string]['targets'], slowest: number): string[] {
  const fit = fitInverse(points);
  const d = effectiveTimeMs(base).cluster_update_interval;
  const poor = fit.r2 < POOR_FIT_R2 ? ` **A poor fit (r² below ${POOR_FIT_R2}): the cost of a round is not the same across these intervals; go by the measured lines and the rows.**` : '';
  return [
    `- **${what}:** CPU ≈ ${f2(fit.floorPct)} % + ${f2(fit.perBeatMs)} ms per heartbeat round ÷ interval (r² ${fit.r2.toFixed(3)}); `
      + `at the ${base.name} profile's ${d} ms that is ${f2(cpuAt(fit, d))} %.${poor}`,
    ...targets.map((t) => `  - ${t.pct} % (${t.label}), ${measuredLine(points, t.pct)}. Fitted: ` + (t.pct > fit.floorPct
      ? `an interval of ${ms(intervalFor(fit, t.pct))} with today's cost per round, `
        + `or a round of ${f2(perBeatFor(fit, t.pct, d))} ms at ${d} ms and of ${f2(perBeatFor(fit, t.pct, slowest))} ms at ${slowest} ms.`
      : `the fitted floor alone is above it (a part of the cost that does not fall with the heartbeat here, or a curve that is not 1/interval).`)),
  ];
}

async function main(): Promise<void> {
  const args = process.argv.slice(2);
  const baseName = optionArg(args, '--base', 'default');
  const setup = BASES[baseName];
  if (!setup) throw new Error(`${BENCH}: --base is one of ${Object.keys(BASES).join(', ')}, got '${baseName}'`);
  const base = loadProfile(profileSpec(baseName));
  const baseTime = effectiveTimeMs(base);
  const intervals = intervalsArg(args, setup.intervals);
  const windowS = positiveArg(BENCH, args, '--window', 30, 'seconds');
  const warmupS = positiveArg(BENCH, args, '--warmup', 20, 'seconds');
  const rounds = positiveArg(BENCH, args, '--rounds', 1);
  if (!Number.isInteger(rounds)) throw new Error(`${BENCH}: --rounds needs a whole number, got '${rounds}'`);
  const machine = describeMachine();
  const load = fs.readFileSync('/proc/loadavg', 'utf8').split(' ').slice(0, 3).join(' ');
  console.log(`${BENCH} on ${machine}; load ${load}; the ${base.name} profile at ${intervals.join(', ')} ms, ${rounds} round(s)`);
  const runs: Run[] = [];
  for (let round = 1; round <= rounds; round++) {
    // Alternate the order so a drift of the machine's load does not read as a slope.
    const order = round % 2 === 1 ? intervals : [...intervals].reverse();
    for (const intervalMs of order) {
      // The base itself at its own interval (its file or the built-in defaults), else its slowed-down copy.
      const profile = intervalMs === baseTime.cluster_update_interval ? base : loadProfile({ name: `${intervalMs} ms`, time: slowDown(baseTime, intervalMs) });
      console.log(`- heartbeat ${intervalMs} ms (round ${round})`);
      const result = await runFootprint({ profile, windowS, statusRuns: 0, warmupMs: warmupS * 1000 });
      const { scripts, leaderChanges, stalls } = result.idleChanges;
      runs.push({ intervalMs, round, nodes: result.nodes, time: effectiveTimeMs(profile), disturbances: scripts + leaderChanges + stalls });
    }
  }
  const idle = runs.filter((r) => r.disturbances === 0);
  if (idle.length < runs.length) console.log(`  ${runs.length - idle.length} run(s) left out of the fit: a failover, leader change or stall in the window`);
  const meanPoints: CpuPoint[] = idle.map((r) => ({ intervalMs: r.intervalMs, cpuPct: mean(r.nodes.map((n) => n.cpuPercent)) }));
  const busiestPoints: CpuPoint[] = idle.map((r) => ({ intervalMs: r.intervalMs, cpuPct: Math.max(...r.nodes.map((n) => n.cpuPercent)) }));
  const table = [
    `| heartbeat | failover vs ${base.name} (estimate) | follower heartbeat to every peer | round | CPU % of a core per node (role) | mean | busiest | RSS MB | idle? |`,
    '| ---: | ---: | ---: | ---: | --- | ---: | ---: | ---: | --- |',
    ...runs.map((r) => {
      const cpus = r.nodes.map((n) => n.cpuPercent);
      const refresh = Math.round(peerRefreshSpacingMs(r.time) / r.intervalMs);
      return `| ${r.intervalMs} ms | × ${(r.intervalMs / baseTime.cluster_update_interval).toFixed(1)} | every ${refresh === 1 ? '' : `${refresh}${refresh === 2 ? 'nd' : refresh === 3 ? 'rd' : 'th'} `}heartbeat | ${r.round} | `
        + `${r.nodes.map((n) => `${f2(n.cpuPercent)} (${n.role})`).join(', ')} | ${f2(mean(cpus))} | ${f2(Math.max(...cpus))} | `
        + `${Math.min(...r.nodes.map((n) => n.rssMB)).toFixed(1)}–${Math.max(...r.nodes.map((n) => n.rssMB)).toFixed(1)} | `
        + `${r.disturbances === 0 ? 'yes' : `no (${r.disturbances} changes; not fitted)`} |`;
    }),
  ].join('\n');
  const report = [
    `## ${setup.title}`,
    '',
    `Measured by \`npm run ${BENCH}\` (bench/heartbeat.ts) on ${machine}; 1-minute load average ${load.split(' ')[0]} at the start.`,
    `Each row: 3 koinodes (quorum 2) running the ${base.name} profile (${base.source}) at that heartbeat (every key counted in heartbeats`,
    `keeps its ratio, bench/lib/heartbeat-model.ts, so the failover estimate is as many times slower), idle for ${windowS} s after`,
    `${warmupS} s of warm-up; CPU is ${cpuReadingText()} of each process. Not scaled: a follower's heartbeat to every peer`,
    '(`peerRefreshSpacingMs`, bounded by the default `node_timeout`), so a round carries more datagrams at slower heartbeats',
    '(the column), and the fit reads that as a higher floor and a cheaper round.',
    '',
    table,
    '',
    ...fitLines('Mean node', meanPoints, base, setup.targets, Math.max(...intervals)),
    ...fitLines('Busiest node', busiestPoints, base, setup.targets, Math.max(...intervals)),
  ].join('\n');
  console.log(`\n${report}\n`);
  if (args.includes('--write')) {
    writeSection(setup.title, report);
    console.log(`written to docs/performance.md ("## ${setup.title}")`);
  }
}

main().catch((err: unknown) => {
  console.error(`${BENCH} failed: ${err instanceof Error ? err.stack ?? err.message : String(err)}`);
  process.exitCode = 1;
});
