/**
 * `npm run bench:curve` (root, for keepalived's namespaces): the trade-off
 * curve of issue 15 in one run — for every koi profile of
 * bench/lib/profiles.ts (3 real koinode processes on loopback, quorum 2):
 * failover in both cases (bench/failover.ts), idle CPU and RSS per node
 * (bench/footprint.ts) and the longest SIGSTOP of the master (and, for the
 * profiles named by --leader-stalls, of the leader) survived without a false
 * failover (bench/stall.ts); the same for keepalived at each advert_int in
 * network namespaces (bench/keepalived.ts). Prints the table, whether a koi
 * profile dominates each keepalived point, and the issue's targets; writes
 * the table into docs/performance.md ("## Trade-off curve") and the chart
 * into docs/trade-off-curve.svg.
 *
 *   node dist/bench/curve.js [--quick] [--runs 5] [--window 30] [--profiles default,medium,brisk,fast]
 *       [--warmup 20] [--keepalived 1,0.5,0.1] [--keepalived-window 60] [--leader-stalls fast|all|none|NAME,...] [--stall-start 25] [--stall-max 12800]
 *       [--stall-precision 0.15] [--stall-repeats 1] [--write|--no-write]
 *
 * --quick: 1 failover run per case, a 10 s idle window after 5 s of warm-up, stalls by doubling only: a few minutes, a smoke
 * run; it leaves the docs alone unless --write is given. A run with a subset of profiles or advert_ints never writes.
 */
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { REPO_ROOT } from '../scripts/lib/cluster';
import { netnsSupport } from '../scripts/lib/netns';
import { runFailover, type FailoverResult } from './failover';
import { runFootprint, type FootprintResult } from './footprint';
import { closeRunningLab, runKeepalived, type KeepalivedResult } from './keepalived';
import { curveTable, dominationLines, dominators, headroomLine, stallToleranceMs, toleranceText, worstFailoverMs, type CurveRow } from './lib/curve-model';
import { drawTradeOffSvg } from './lib/curve-svg';
import { keepalivedVersion } from './lib/keepalived-lab';
import { describeMachine, machineInfo } from './lib/machine';
import { cpuReadingText, cpuResolutionS, hasSchedstat } from './lib/proc';
import { CURVE_PROFILES, loadProfile, type Profile } from './lib/profiles';
import { targetTable, writeSection, type Target } from './lib/report';
import { FAILOVER_TARGETS_S, FAST_STALL_TARGET_MS, IDLE_CPU_TARGETS, RSS_TARGET_MB, overBy as over } from './lib/targets';
import type { StallSearchOptions } from './lib/stall-search';
import { runKoiStall, type KoiStallResult, type StallTarget } from './stall';

export const CURVE_SVG = path.join(REPO_ROOT, 'docs', 'trade-off-curve.svg');
const ADVERT_INTS = ['1', '0.5', '0.1'];

interface Options {
  quick: boolean;
  runs: number;
  windowS: number;
  /** keepalived's idle window: longer, since it uses ≈ 0.005–0.02 % of a core at advert_int 1 (about one clock tick a minute without schedstat). */
  keepalivedWindowS: number;
  /** koi nodes run this long after the cluster is steady before the idle window: Node's JIT tiering costs CPU for ≈ 20 s after start. */
  warmupS: number;
  profiles: string[];
  advertInts: string[];
  leaderStalls: string[];
  search: StallSearchOptions;
  write: boolean;
}

function parseArgs(argv: string[]): Options {
  const quick = argv.includes('--quick');
  const o: Options = {
    quick,
    runs: quick ? 1 : 5,
    windowS: quick ? 10 : 30,
    keepalivedWindowS: quick ? 10 : 60,
    warmupS: quick ? 5 : 20,
    profiles: CURVE_PROFILES.map((p) => p.name),
    advertInts: [...ADVERT_INTS],
    leaderStalls: ['fast'],
    search: { startMs: 25, maxMs: 12_800, precision: quick ? 1 : 0.15, repeats: 1 },
    write: !quick,
  };
  const num = (flag: string, value: string | undefined, min = 0): number => {
    const n = Number(value);
    if (value === undefined || value === '' || !Number.isFinite(n) || n <= min) throw new Error(`${flag}: '${value ?? ''}' is not a number above ${min}`);
    return n;
  };
  const list = (flag: string, value: string | undefined): string[] => {
    const items = (value ?? '').split(',').map((s) => s.trim()).filter(Boolean);
    if (!items.length) throw new Error(`${flag}: expected a comma-separated list, got '${value ?? ''}'`);
    return items;
  };
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i];
    switch (arg) {
      case '--quick': break;
      case '--runs': o.runs = Math.round(num(arg, argv[++i])); break;
      case '--window': o.windowS = num(arg, argv[++i]); break;
      case '--keepalived-window': o.keepalivedWindowS = num(arg, argv[++i]); break;
      case '--warmup': o.warmupS = num(arg, argv[++i], -1); break;
      case '--profiles': {
        o.profiles = list(arg, argv[++i]);
        const unknown = o.profiles.filter((p) => !CURVE_PROFILES.some((c) => c.name === p));
        if (unknown.length) throw new Error(`--profiles: no profile ${unknown.join(', ')} in bench/lib/profiles.ts (have ${CURVE_PROFILES.map((c) => c.name).join(', ')})`);
        break;
      }
      case '--keepalived': {
        const value = argv[++i];
        o.advertInts = value === 'none' ? [] : list(arg, value);
        for (const a of o.advertInts) num(`${arg} ${a}`, a);
        break;
      }
      case '--leader-stalls': {
        const value = argv[++i];
        o.leaderStalls = value === 'none' ? [] : value === 'all' ? CURVE_PROFILES.map((p) => p.name) : list(arg, value);
        break;
      }
      case '--stall-start': o.search.startMs = num(arg, argv[++i]); break;
      case '--stall-max': o.search.maxMs = num(arg, argv[++i]); break;
      case '--stall-precision': o.search.precision = num(arg, argv[++i]); break;
      case '--stall-repeats': o.search.repeats = Math.round(num(arg, argv[++i])); break;
      case '--write': o.write = true; break;
      case '--no-write': o.write = false; break;
      default: throw new Error(`unknown argument '${arg}' (see the head of bench/curve.ts)`);
    }
  }
  return o;
}

/** A part that threw (a cluster that never became steady, say) is left out of its row and named in the report. */
interface KoiPoint {
  profile: Profile;
  failover?: FailoverResult;
  footprint?: FootprintResult;
  stalls?: KoiStallResult[];
}

const failures: string[] = [];

async function part<T>(what: string, run: () => Promise<T>): Promise<T | undefined> {
  try {
    return await run();
  } catch (err) {
    const reason = err instanceof Error ? err.message.split('\n')[0] : String(err);
    failures.push(`${what}: ${reason}`);
    console.log(`  ${what} FAILED: ${reason}`);
    return undefined;
  }
}

const NO_STALL = { largestPassMs: null, smallestFailMs: null, trials: [] };

function koiRow(p: KoiPoint): CurveRow {
  const stall = (target: StallTarget) => p.stalls?.find((s) => s.target === target)?.search;
  const master = stall('master') ?? NO_STALL;
  const leader = stall('leader');
  return {
    family: 'koi',
    name: p.profile.name,
    failoverMs: { plain: p.failover?.summary.plain.median ?? NaN, leader: p.failover?.summary.leader.median ?? NaN },
    cpuPercent: p.footprint ? Math.max(...p.footprint.nodes.map((n) => n.cpuPercent)) : NaN,
    cpuResolution: p.footprint ? (100 * cpuResolutionS()) / p.footprint.windowS : NaN,
    rssMB: p.footprint ? Math.max(...p.footprint.nodes.map((n) => n.rssMB)) : NaN,
    stall: { master, ...(leader ? { leader } : {}) },
  };
}

function keepalivedRow(k: KeepalivedResult): CurveRow {
  return {
    family: 'keepalived',
    name: `advert_int ${k.advertInt}`,
    failoverMs: { plain: k.failover.median },
    cpuPercent: Math.max(...k.idle.instances.map((i) => i.cpuPercent)),
    cpuResolution: k.idle.cpuResolution,
    rssMB: Math.max(...k.idle.instances.map((i) => i.rssMB)),
    stall: { master: k.stall },
  };
}

function targets(rows: CurveRow[]): Target[] {
  const out: Target[] = [];
  const koi = (name: string) => rows.find((r) => r.family === 'koi' && r.name === name);
  const cpu = IDLE_CPU_TARGETS;
  const def = koi('default');
  if (def) {
    out.push({ what: 'default: idle CPU per node (busiest)', target: `≤ ${cpu.default.target} % (stretch ${cpu.default.stretch} %)`, measured: `${def.cpuPercent.toFixed(2)} %`, met: def.cpuPercent <= cpu.default.target, miss: over(def.cpuPercent, cpu.default.target, '%', 2) });
    out.push({ what: 'default: RSS per node (largest)', target: `≤ ${RSS_TARGET_MB} MB`, measured: `${def.rssMB.toFixed(1)} MB`, met: def.rssMB <= RSS_TARGET_MB, miss: over(def.rssMB, RSS_TARGET_MB, 'MB', 1) });
    for (const c of ['plain', 'leader'] as const) {
      const ms = def.failoverMs[c]!;
      out.push({ what: `default: failover median, ${c === 'plain' ? 'plain-runner master' : 'master is leader'}`, target: `≤ ${FAILOVER_TARGETS_S.default} s`, measured: `${(ms / 1000).toFixed(3)} s`, met: ms <= FAILOVER_TARGETS_S.default * 1000, miss: over(ms / 1000, FAILOVER_TARGETS_S.default, 's', 3) });
    }
  }
  const fast = koi('fast');
  if (fast) {
    for (const c of ['plain', 'leader'] as const) {
      const ms = fast.failoverMs[c]!;
      out.push({ what: `fast: failover median, ${c === 'plain' ? 'plain-runner master' : 'master is leader'}`, target: `≤ ${FAILOVER_TARGETS_S.fast} s`, measured: `${(ms / 1000).toFixed(3)} s`, met: ms <= FAILOVER_TARGETS_S.fast * 1000, miss: over(ms / 1000, FAILOVER_TARGETS_S.fast, 's', 3) });
    }
    out.push({ what: 'fast: idle CPU per node (busiest)', target: `≤ ${cpu.fast.target} %`, measured: `${fast.cpuPercent.toFixed(2)} %`, met: fast.cpuPercent <= cpu.fast.target, miss: over(fast.cpuPercent, cpu.fast.target, '%', 2) });
    for (const target of ['master', 'leader'] as const) {
      const t = fast.stall[target];
      out.push(t
        ? { what: `fast: ${target} stall survived without false failover or flap`, target: `≥ ${FAST_STALL_TARGET_MS} ms`, measured: toleranceText(t), met: (t.largestPassMs ?? 0) >= FAST_STALL_TARGET_MS, miss: `fails below ${FAST_STALL_TARGET_MS} ms` }
        : { what: `fast: ${target} stall survived`, target: `≥ ${FAST_STALL_TARGET_MS} ms`, measured: 'not measured', met: false, miss: `run with --leader-stalls fast` });
    }
  }
  for (const point of rows.filter((r) => r.family === 'keepalived')) {
    const by = dominators(point, rows);
    out.push({ what: `keepalived ${point.name} dominated by a koi profile`, target: 'yes', measured: by.length ? by.map((r) => r.name).join(', ') : 'none', met: by.length > 0, miss: 'not dominated' });
  }
  return out;
}

function section(o: Options, machine: string, koiPoints: KoiPoint[], keepalived: KeepalivedResult[], wallMs: number, loads: number[]): string {
  const rows = [...koiPoints.map(koiRow), ...keepalived.map(keepalivedRow)];
  const lines: string[] = ['## Trade-off curve', ''];
  lines.push(`Measured by \`npm run bench:curve${o.quick ? ' -- --quick' : ''}\` (bench/curve.ts) on ${machine}, keepalived ${keepalivedVersion()}.`,
    `The whole run took ${Math.round(wallMs / 1000)} s; 1-minute load average at the start ${loads[0].toFixed(1)}, at the end ${loads[1].toFixed(1)} (the machine is shared).`,
    o.quick ? '**A `--quick` smoke run: one failover run per case, a short idle window, stalls by doubling only — not figures to quote.**' : '', '',
    '- **koi**: 3 real `koinode` processes on loopback, quorum 2, one recording service. *Failover*: SIGKILL of the master →',
    `  the new master's promote script completed (its own timestamp), as \`npm run bench\` measures it; median of ${o.runs} run(s) per case;`,
    '  *plain*: the master is a runner another node leads; *leader*: the master is also the leader.',
    '- **keepalived**: 3 instances in network namespaces of their own (bench/lib/keepalived-lab.ts), state BACKUP, priority 100,',
    '  unicast peers, VRRP v3 for sub-second advert_int. *Failover*: SIGKILL of the master\'s keepalived (and its VRRP child) → another',
    `  instance's notify script records MASTER (its own timestamp); median of ${o.runs} run(s). It has no leader, so one case.`,
    `- *Idle CPU*: ${cpuReadingText()}, over an idle window (koi ${o.windowS} s, starting ${o.warmupS} s after the cluster was steady, past`,
    `  Node's JIT warm-up; keepalived ${o.keepalivedWindowS} s), % of one core, of the busiest`,
    hasSchedstat()
      ? '  node (keepalived: keepalived + its VRRP child).'
      : '  node (keepalived: keepalived + its VRRP child). One clock tick over the window is the resolution: a reading of no tick at all is\n  shown as "< (one tick) %" and drawn at one tick as an open marker.',
    '  *RSS*: VmRSS at the end of the window, the largest node (keepalived: both processes added).',
    '- *Stall survived*: the longest SIGSTOP → SIGCONT of the master\'s process (koi: the `koinode` of a master that is a plain runner;',
    '  keepalived: the master\'s VRRP child) — and for koi profiles named by `--leader-stalls`, of the leader while another node is',
    '  master — after which no service script recorded a promote or demote (keepalived: no notify script ran) and `koi status`',
    `  still names the same master. Durations double from ${o.search.startMs} ms up to ${o.search.maxMs} ms until one fails (halve below a failing start),`,
    `  then the gap is bisected until the shortest failure is within ${Math.round(o.search.precision * 100)} % of the longest pass; each duration is tried ${o.search.repeats === 1 ? 'once' : `${o.search.repeats} times`}.`,
    '  A stall starts at a random moment of the heartbeat/advert cycle,',
    '  so the edge is a little fuzzy; "fails at" is the shortest stall that caused a failover. A koi trial counts only when the',
    '  stalled node\'s own log measured the stall ("event loop stalled for N ms", within two heartbeats of the bench\'s timing);',
    '  otherwise it is repeated.', '',
    curveTable(rows), '',
    '![failover against idle CPU, koi profiles and keepalived advert_int](trade-off-curve.svg)', '',
    '### Dominance', '',
    'A koi profile dominates a keepalived point when its slower failover case is no slower and it survives no shorter stalls',
    '(the smaller of its master and leader figures); CPU may be higher, and by how much is given.', '',
    ...dominationLines(rows).map((l) => `- ${l}`),
    `- ${headroomLine(rows)} Why a koi profile's stays far below zero while keepalived's does not: "Why no koi profile dominates keepalived" above.`, '',
    '### Targets (issue 15)', '', targetTable(targets(rows)), '',
    '### Profiles and details', '');
  for (const p of koiPoints) {
    const t = Object.entries(p.profile.time).map(([k, v]) => `${k} ${v}`).join(', ');
    const { failover: f, footprint: fp, stalls } = p;
    lines.push(`- koi **${p.profile.name}** (${p.profile.source}${t ? `: ${t}` : ''}):`
      + (fp ? ` nodes ${fp.nodes.map((n) => `${n.name} (${n.role}) ${n.cpuPercent.toFixed(2)} % / ${n.rssMB.toFixed(1)} MB`).join(', ')};` : '')
      + (f ? ` failover runs ${f.samples.length}${f.timeouts ? `, ${f.timeouts} timed out` : ''}${f.spuriousPromotes ? `, ${f.spuriousPromotes} unexpected master/leader change(s) between runs` : ''};` : '')
      + (fp ? ` idle window ${fp.idleChanges.scripts} promote/demote scripts, ${fp.idleChanges.leaderChanges} leader changes (false failovers while idle);` : '')
      + (stalls ? ` stall trials ${stalls.map((s) => `${s.target} ${s.search.trials.length} (${s.search.trials.filter((x) => !x.ok).length} failed${s.disturbed ? `, ${s.disturbed} repeated: mastership moved on its own just before` : ''})`).join(', ')}.` : ''));
  }
  for (const k of keepalived) {
    lines.push(`- keepalived **advert_int ${k.advertInt}**: instances ${k.idle.instances.map((i) => `${i.name} (${i.role}) ${i.cpuPercent.toFixed(3)} % / ${i.rssMB.toFixed(1)} MB`).join(', ')};`
      + ` failover runs ${k.failoverMs.length}${k.timeouts ? `, ${k.timeouts} timed out` : ''}; ${k.idle.notifies} notify runs while idle; stall trials ${k.stall.trials.length}.`);
  }
  for (const failure of failures) lines.push(`- **Failed part** (left out of the table): ${failure}`);
  lines.push('', '### Reproduce', '', '```sh',
    'sudo npm run bench:curve                     # everything, ≈ 20 min; rewrites this section and docs/trade-off-curve.svg',
    'sudo npm run bench:curve -- --quick          # a few-minute smoke run, docs untouched',
    'sudo npm run bench:curve -- --runs 10 --stall-repeats 2 --profiles default,fast --keepalived 1 --no-write',
    '```', '',
    'The profiles are the table `CURVE_PROFILES` in bench/lib/profiles.ts (the fast one is examples/fast.conf); retune them there.', '');
  return lines.filter((l, i, all) => !(l === '' && all[i - 1] === '')).join('\n');
}

/**
 * Ctrl-C: the koinode processes share our process group and get the terminal's SIGINT; keepalived runs detached in
 * namespaces, so a running keepalived lab is closed (its processes by pid, its namespaces deleted) before exiting.
 */
function onInterrupt(): void {
  for (const signal of ['SIGINT', 'SIGTERM'] as const) {
    process.once(signal, () => {
      process.stderr.write(`bench:curve: ${signal}, closing the keepalived lab if one runs\n`);
      void closeRunningLab().finally(() => process.exit(130));
    });
  }
}

async function main(): Promise<void> {
  const o = parseArgs(process.argv.slice(2));
  if (o.advertInts.length) {
    const support = netnsSupport();
    if (!support.ok) throw new Error(`bench:curve needs network namespaces for keepalived: ${support.reason} (or --keepalived none)`);
    if (spawnSync('sh', ['-c', 'command -v keepalived']).status !== 0) throw new Error('bench:curve needs keepalived (Debian package keepalived), or --keepalived none');
  }
  const profiles = o.profiles.map((name) => loadProfile(CURVE_PROFILES.find((p) => p.name === name)!));
  const unknownLeader = o.leaderStalls.filter((n) => !CURVE_PROFILES.some((p) => p.name === n));
  if (unknownLeader.length) throw new Error(`--leader-stalls: no profile ${unknownLeader.join(', ')} in bench/lib/profiles.ts`);
  onInterrupt();
  const m = machineInfo();
  const machine = describeMachine(m);
  const loads = [os.loadavg()[0]];
  const started = Date.now();
  console.log(`bench:curve on ${machine}${o.quick ? ' (--quick)' : ''}`);
  const koiPoints: KoiPoint[] = [];
  for (const profile of profiles) {
    console.log(`\nkoi ${profile.name} (${profile.source}):`);
    const failover = await part(`koi ${profile.name} failover`, () => runFailover({ profile, runsPerCase: o.runs }));
    const footprint = await part(`koi ${profile.name} idle footprint`, () => runFootprint({ profile, windowS: o.windowS, statusRuns: 0, warmupMs: o.warmupS * 1000 }));
    const targets: StallTarget[] = o.leaderStalls.includes(profile.name) ? ['master', 'leader'] : ['master'];
    const stalls = await part(`koi ${profile.name} stalls`, () => runKoiStall({ profile, targets, search: o.search }));
    koiPoints.push({ profile, failover, footprint, stalls });
    const row = koiRow(koiPoints[koiPoints.length - 1]);
    console.log(`  => koi ${profile.name}: failover ${(row.failoverMs.plain / 1000).toFixed(3)} / ${((row.failoverMs.leader ?? NaN) / 1000).toFixed(3)} s, CPU ${row.cpuPercent.toFixed(2)} %, RSS ${row.rssMB.toFixed(1)} MB, stall ${stallToleranceMs(row)} ms`);
  }
  const keepalived: KeepalivedResult[] = [];
  for (const advertInt of o.advertInts) {
    console.log(`\nkeepalived advert_int ${advertInt}:`);
    const result = await part(`keepalived advert_int ${advertInt}`, () => runKeepalived({ advertInt, runs: o.runs, windowS: o.keepalivedWindowS, search: o.search }));
    if (!result) continue;
    keepalived.push(result);
    const row = keepalivedRow(keepalived[keepalived.length - 1]);
    console.log(`  => keepalived advert_int ${advertInt}: failover ${(worstFailoverMs(row) / 1000).toFixed(3)} s, CPU ${row.cpuPercent.toFixed(3)} %, RSS ${row.rssMB.toFixed(1)} MB, stall ${stallToleranceMs(row)} ms`);
  }
  loads.push(os.loadavg()[0]);
  const text = section(o, machine, koiPoints, keepalived, Date.now() - started, loads);
  console.log(`\n${text}`);
  const rows = [...koiPoints.map(koiRow), ...keepalived.map(keepalivedRow)];
  const svg = drawTradeOffSvg(rows, {
    title: 'koi timing profiles against keepalived: failover vs idle CPU',
    subtitle: `3 nodes each; ${m.nproc} CPUs (${m.cpu}), Node ${m.node}, ${m.date}${o.quick ? '; a --quick smoke run' : ''}`,
  });
  const complete = o.profiles.length === CURVE_PROFILES.length && ADVERT_INTS.every((a) => o.advertInts.includes(a));
  if (o.write && complete) {
    writeSection('Trade-off curve', text);
    fs.writeFileSync(CURVE_SVG, svg);
    console.log('written to docs/performance.md ("## Trade-off curve") and docs/trade-off-curve.svg');
  } else {
    const file = path.join(os.tmpdir(), 'koi-trade-off-curve.svg');
    fs.writeFileSync(file, svg);
    console.log(`(${o.write ? 'a partial run' : o.quick ? '--quick' : '--no-write'}: docs left untouched; the chart is in ${file})`);
  }
}

main().catch((err: unknown) => {
  console.error(`bench:curve failed: ${err instanceof Error ? err.stack ?? err.message : String(err)}`);
  process.exitCode = 1;
});
