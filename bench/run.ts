/**
 * `npm run bench`: the real-process cluster benchmarks — failover (plain
 * runner master / master that also leads; default and examples/fast.conf
 * timings), cold start, footprint and `koi status` — printed, checked
 * against the targets (issue 7; reported, never asserted) and written to
 * docs/performance.md under "## Cluster benchmarks" with the machine.
 *
 *   node dist/bench/run.js [--only failover,coldstart,footprint] [--runs 10]
 *       [--coldstart-runs 5] [--window 60] [--status-runs 20] [--no-write]
 *
 * The document is written only when every part ran (no --only).
 */
import { spawnSync } from 'node:child_process';
import * as path from 'node:path';
import { runColdStart, type ColdStartResult } from './coldstart';
import { runFailover, type FailoverResult } from './failover';
import { runFootprint, type FootprintResult } from './footprint';
import { describeMachine } from './lib/machine';
import { cpuReadingText } from './lib/proc';
import { defaultProfile, fastProfile, type Profile } from './lib/profiles';
import { summaryRow, targetTable, writeSection, type Target } from './lib/report';
import { secs } from './lib/stats';
import { COLD_START_TARGET_S, FAILOVER_TARGETS_S, IDLE_CPU_TARGETS, KOI_STATUS_TARGET_MS, RSS_TARGET_MB, overBy as over } from './lib/targets';

type Part = 'failover' | 'coldstart' | 'footprint';
const PARTS: Part[] = ['failover', 'coldstart', 'footprint'];

interface Options {
  only: Part[];
  runs: number;
  coldStartRuns: number;
  windowS: number;
  statusRuns: number;
  write: boolean;
}

function parseArgs(argv: string[]): Options {
  const options: Options = { only: PARTS, runs: 10, coldStartRuns: 5, windowS: 60, statusRuns: 20, write: true };
  const num = (flag: string, value: string | undefined): number => {
    const n = Number(value);
    if (!value || !Number.isFinite(n) || n <= 0) throw new Error(`${flag}: '${value}' is not a positive number`);
    return n;
  };
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i];
    switch (arg) {
      case '--only': {
        const parts = (argv[++i] ?? '').split(',').filter(Boolean);
        const bad = parts.filter((p) => !PARTS.includes(p as Part));
        if (bad.length || !parts.length) throw new Error(`--only: expected some of ${PARTS.join(',')}, got '${argv[i]}'`);
        options.only = parts as Part[];
        break;
      }
      case '--runs': options.runs = num(arg, argv[++i]); break;
      case '--coldstart-runs': options.coldStartRuns = num(arg, argv[++i]); break;
      case '--window': options.windowS = num(arg, argv[++i]); break;
      case '--status-runs': options.statusRuns = num(arg, argv[++i]); break;
      case '--no-write': options.write = false; break;
      default: throw new Error(`unknown argument '${arg}'`);
    }
  }
  return options;
}

function secondsTarget(what: string, measuredMs: number, targetS: number): Target {
  const s = measuredMs / 1000;
  return { what, target: `≤ ${targetS} s`, measured: `${s.toFixed(3)} s`, met: s <= targetS, miss: over(s, targetS, 's', 3) };
}

async function main(): Promise<void> {
  const options = parseArgs(process.argv.slice(2));
  const started = Date.now();
  const machine = describeMachine();
  console.log(`koi cluster benchmarks on ${machine}`);
  const profiles: Profile[] = [defaultProfile(), fastProfile()];
  const failovers: FailoverResult[] = [];
  const footprints: FootprintResult[] = [];
  let coldStart: ColdStartResult | undefined;

  if (options.only.includes('failover')) {
    for (const profile of profiles) {
      console.log(`\nfailover, ${profile.name} timings, ${options.runs} runs per case:`);
      failovers.push(await runFailover({ profile, runsPerCase: options.runs }));
    }
  }
  if (options.only.includes('coldstart')) {
    console.log(`\ncold start, default timings, ${options.coldStartRuns} runs:`);
    coldStart = await runColdStart({ profile: profiles[0], runs: options.coldStartRuns });
  }
  if (options.only.includes('footprint')) {
    for (const profile of profiles) {
      console.log(`\nfootprint, ${profile.name} timings:`);
      footprints.push(await runFootprint({ profile, windowS: options.windowS, statusRuns: options.statusRuns }));
    }
  }

  const lines: string[] = ['## Cluster benchmarks', ''];
  lines.push(`Measured by \`npm run bench\` (bench/run.ts) on ${machine}; real \`koinode\` processes on loopback, 3 nodes,`,
    'quorum 2, the default cipher (crypto-node), one recording service whose scripts append `date +%s.%N` to a log.',
    `The whole run took ${Math.round((Date.now() - started) / 1000)} s.`, '');
  const targets: Target[] = [];

  if (failovers.length) {
    lines.push('### Failover', '',
      'SIGKILL of the master → the new master\'s promote script has **completed** (its own timestamp). *plain*: the master',
      'is a runner another node leads; *leader*: the master is also the leader. One cluster per profile is reused: the killed',
      'node is restarted (fresh id) and the cluster waits until steady; `koi promote` moves the master when the next case needs it.', '',
      '| profile / case | runs | median s | p90 s | max s | min s | script began, median s |',
      '| --- | ---: | ---: | ---: | ---: | ---: | ---: |');
    for (const f of failovers) {
      for (const c of ['plain', 'leader'] as const) {
        const begins = f.samples.filter((s) => s.case === c).map((s) => s.beginMs).sort((a, b) => a - b);
        const beginMedian = begins.length ? begins[Math.floor(begins.length / 2)] : NaN;
        lines.push(summaryRow(`${f.profile} / ${c}`, f.summary[c], ` ${secs(beginMedian)} |`));
        const limit = f.profile === 'fast' ? FAILOVER_TARGETS_S.fast : FAILOVER_TARGETS_S.default;
        targets.push(secondsTarget(`failover, ${f.profile} timings, ${c === 'plain' ? 'plain-runner master' : 'master is leader'} (median)`, f.summary[c].median, limit));
      }
    }
    lines.push('');
    for (const f of failovers) {
      lines.push(`- ${f.profile}: ${f.timeouts} run(s) without a new master within 30 s; ${f.spuriousPromotes} unexpected master/leader change(s) between runs; ${Math.round(f.wallMs / 1000)} s.`);
    }
    lines.push(`- fast = the \`time\` section of examples/fast.conf: ${Object.entries(profiles[1].time).map(([k, v]) => `${k} ${v}`).join(', ')}.`, '');
  }

  if (coldStart) {
    const s = coldStart.summary;
    lines.push('### Cold start', '',
      'Three `koinode` processes spawned together (fresh cluster and ports each run) → the first promote script completed;',
      'includes Node start-up, module loading and key derivation.', '',
      `Default timings, ${s.n} runs: median **${secs(s.median)} s**, max ${secs(s.max)} s, min ${secs(s.min)} s${coldStart.timeouts ? `; ${coldStart.timeouts} run(s) timed out` : ''}.`, '');
    targets.push({ ...secondsTarget('cold start, 3 nodes (max of the runs)', s.max, COLD_START_TARGET_S), what: 'cold start, 3 nodes (max of the runs)' });
  }

  if (footprints.length) {
    lines.push('### Footprint', '',
      `A steady 3-node cluster left idle for ${options.windowS} s (no \`koi\` requests); CPU = ${cpuReadingText()} over`,
      'the window, as % of one core; RSS = VmRSS at the end, peak = VmHWM. Then `koi status` (a fresh client process each run, wall time).', '',
      '| profile | node (role) | CPU % of a core | RSS MB | peak RSS MB |',
      '| --- | --- | ---: | ---: | ---: |');
    for (const f of footprints) {
      for (const n of f.nodes) lines.push(`| ${f.profile} | ${n.name} (${n.role}) | ${n.cpuPercent.toFixed(2)} | ${n.rssMB.toFixed(1)} | ${n.hwmMB.toFixed(1)} |`);
    }
    lines.push('');
    for (const f of footprints) {
      lines.push(`- ${f.profile}: \`koi status\` median **${f.status.median.toFixed(0)} ms**, p90 ${f.status.p90.toFixed(0)} ms, max ${f.status.max.toFixed(0)} ms (${f.status.n} runs${f.statusFailures ? `, ${f.statusFailures} failed` : ''});`
        + ` idle window: ${f.idleChanges.scripts} promote/demote scripts, ${f.idleChanges.leaderChanges} leader changes, ${f.idleChanges.stalls} event-loop stalls (stall guard).`);
    }
    lines.push('');
    const def = footprints.find((f) => f.profile === 'default') ?? footprints[0];
    const cpuMax = Math.max(...def.nodes.map((n) => n.cpuPercent));
    const rssMax = Math.max(...def.nodes.map((n) => n.rssMB));
    targets.push({ what: `idle CPU per node, ${def.profile} timings (worst node)`, target: `< ${IDLE_CPU_TARGETS.default.target} % of a core`, measured: `${cpuMax.toFixed(2)} %`, met: cpuMax < IDLE_CPU_TARGETS.default.target, miss: over(cpuMax, IDLE_CPU_TARGETS.default.target, '%', 2) });
    targets.push({ what: `RSS per node, ${def.profile} timings (worst node)`, target: `< ${RSS_TARGET_MB} MB`, measured: `${rssMax.toFixed(1)} MB`, met: rssMax < RSS_TARGET_MB, miss: over(rssMax, RSS_TARGET_MB, 'MB', 1) });
    targets.push({ what: '`koi status` wall time (median)', target: `< ${KOI_STATUS_TARGET_MS} ms`, measured: `${def.status.median.toFixed(0)} ms`, met: def.status.median < KOI_STATUS_TARGET_MS, miss: over(def.status.median, KOI_STATUS_TARGET_MS, 'ms', 0) });
    const fast = footprints.find((f) => f.profile === 'fast');
    if (fast) {
      const changes = fast.idleChanges.scripts + fast.idleChanges.leaderChanges;
      targets.push({ what: `fast profile: no false failover while idle (${options.windowS} s)`, target: '0 changes', measured: `${changes}`, met: changes === 0, miss: `${changes} changes` });
    }
  }

  lines.push('### Targets', '', targetTable(targets), '',
    '### Reproduce', '',
    '```sh',
    'npm run bench                       # everything, ≈ 6 min; rewrites this section',
    'npm run bench:failover              # one part only, printed, docs untouched',
    'npm run bench:coldstart',
    'npm run bench:footprint',
    'node dist/bench/run.js --runs 20 --window 120 --no-write   # more runs',
    '```', '');
  const section = lines.join('\n');
  console.log(`\n${section}`);
  const complete = PARTS.every((p) => options.only.includes(p));
  if (options.write && complete) {
    writeSection('Cluster benchmarks', section);
    console.log('written to docs/performance.md');
    // The codec figures (cipher cost per datagram) explain the CPU numbers: refresh them too.
    const codec = spawnSync(process.execPath, [path.join(__dirname, 'codec.js'), '--write'], { encoding: 'utf8' });
    process.stdout.write(`\n${codec.stdout ?? ''}${codec.stderr ?? ''}`);
  } else if (options.write) {
    console.log('(only some parts ran: docs/performance.md not written)');
  }
}

main().catch((err: unknown) => {
  console.error(err instanceof Error ? err.stack ?? err.message : String(err));
  process.exitCode = 1;
});
