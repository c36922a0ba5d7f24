/**
 * `npm run chaos -- --schedules N --seed S [--workers K] [--profile NAME]`: runs N random
 * nemesis schedules of the cluster simulator (test/cluster/schedules.ts)
 * and prints what they covered (faults applied by kind, simulated hours),
 * the invariant violations by kind with the seeds that found them and the
 * rate per 1000 schedules, and the allowed overlaps by category with their
 * lengths. `--profile` runs every node at a timing profile of
 * bench/lib/profiles.ts (default, medium, brisk, fast: examples/fast.conf)
 * or at the `time` section of a koi.conf file (`--profile slow.conf`), the
 * schedules' time-valued draws scaled to it (schedules.ts ScheduleTiming). `--replay SEED` runs one schedule and prints its log. A failure
 * prints the seed and the schedule so it replays exactly.
 *
 * The simulator is TypeScript under test/; this script loads it through a
 * small transpile-only require hook so the build output stays free of tests.
 */
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { Worker, isMainThread, parentPort, workerData } from 'node:worker_threads';
import * as ts from 'typescript';
import { parseFlags } from './lib/args';
import { loadProfile, profileSpec, readTimeSection } from '../bench/lib/profiles';
import { defaultConfig } from '../core/config/defaults';
import { checkClusterConfig } from '../core/node/cluster-check';

export interface ScheduleResultLike {
  schedule: { seed: number; actions: Array<{ at: number; op: string; on?: boolean; faults?: { drop: number } }> };
  violations: Array<{ at: number; invariant: string; detail: string }>;
  overlaps: Array<{ category: string; lengthMs: number; service: string; holder: string; promoter: string; holderLife: string }>;
  applied: Record<string, number>;
  simulatedMs: number;
  faults: number;
  steps: number;
  trace: string[];
}
/** schedules.ts ScheduleTiming. */
export interface TimingLike {
  profile: string;
  time: Record<string, number>;
}
export interface SchedulesModule {
  generateSchedule(seed: number, timing?: TimingLike): unknown;
  runSchedule(schedule: unknown, options?: { disabledSafetyRules?: readonly string[]; traceLines?: number }): Promise<ScheduleResultLike>;
  describeFailure(result: ScheduleResultLike): string;
}
interface Totals {
  schedules: number;
  faults: number;
  simulatedMs: number;
  steps: number;
  failed: number;
  /** invariant → { schedules that broke it, first seeds, the last fault applied before its first violation: count } */
  byInvariant: Record<string, { schedules: number; seeds: number[]; after: Record<string, number> }>;
  /** overlap category → { count, total and max length } */
  overlaps: Record<string, { count: number; totalMs: number; maxMs: number; seed: number }>;
  applied: Record<string, number>;
  failures: string[];
}

const ROOT = resolve(__dirname, '..', '..');

function registerTypeScript(): void {
  const extensions = require.extensions as Record<string, (module: NodeModule, filename: string) => void>;
  if (extensions['.ts']) return;
  extensions['.ts'] = (module, filename) => {
    const output = ts.transpileModule(readFileSync(filename, 'utf8'), {
      fileName: filename,
      compilerOptions: { module: ts.ModuleKind.CommonJS, target: ts.ScriptTarget.ES2022, esModuleInterop: true, sourceMap: false },
    });
    (module as unknown as { _compile(code: string, file: string): void })._compile(output.outputText, filename);
  };
}

export function loadSchedules(): SchedulesModule {
  registerTypeScript();
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  return require(resolve(ROOT, 'test', 'cluster', 'schedules.ts')) as SchedulesModule;
}

function emptyTotals(): Totals {
  return { schedules: 0, faults: 0, simulatedMs: 0, steps: 0, failed: 0, byInvariant: {}, overlaps: {}, applied: {}, failures: [] };
}

function add(totals: Totals, result: ScheduleResultLike, schedules: SchedulesModule): void {
  totals.schedules++;
  totals.faults += result.faults;
  totals.simulatedMs += result.simulatedMs;
  totals.steps += result.steps;
  for (const [kind, n] of Object.entries(result.applied)) totals.applied[kind] = (totals.applied[kind] ?? 0) + n;
  for (const kind of new Set(result.violations.map((v) => v.invariant))) {
    const entry = totals.byInvariant[kind] ?? (totals.byInvariant[kind] = { schedules: 0, seeds: [], after: {} });
    entry.schedules++;
    if (entry.seeds.length < 8) entry.seeds.push(result.schedule.seed);
    const first = result.violations.find((v) => v.invariant === kind)!;
    const trigger = lastFaultBefore(result, first.at);
    entry.after[trigger] = (entry.after[trigger] ?? 0) + 1;
  }
  for (const o of result.overlaps) {
    const key = `${o.category} (holder ${o.holderLife})`;
    const entry = totals.overlaps[key] ?? (totals.overlaps[key] = { count: 0, totalMs: 0, maxMs: 0, seed: result.schedule.seed });
    entry.count++;
    entry.totalMs += o.lengthMs;
    if (o.lengthMs > entry.maxMs) {
      entry.maxMs = o.lengthMs;
      entry.seed = result.schedule.seed;
    }
  }
  if (result.violations.length > 0) {
    totals.failed++;
    if (totals.failures.length < 5) totals.failures.push(schedules.describeFailure(result));
  }
}

const UNDOING = new Set(['heal', 'restart', 'resume', 'fixService', 'startRunner', 'elect', 'recover']);

/** The last fault the schedule applied at or before `at` ('settle' when the violation came after the final heal). */
function lastFaultBefore(result: ScheduleResultLike, at: number): string {
  const actions = result.schedule.actions;
  const lastAt = actions.length ? actions[actions.length - 1].at : 0;
  let found = 'start';
  for (const a of actions) {
    if (a.at > at) break;
    if (UNDOING.has(a.op) || (a.op === 'links' && a.faults?.drop === 0) || (a.op === 'maintenance' && !a.on)) continue;
    found = a.op;
  }
  return at > lastAt + 1 && found === 'start' ? 'settle' : found;
}

function merge(into: Totals, part: Totals): void {
  into.schedules += part.schedules;
  into.faults += part.faults;
  into.simulatedMs += part.simulatedMs;
  into.steps += part.steps;
  into.failed += part.failed;
  for (const [kind, n] of Object.entries(part.applied)) into.applied[kind] = (into.applied[kind] ?? 0) + n;
  for (const [kind, e] of Object.entries(part.byInvariant)) {
    const entry = into.byInvariant[kind] ?? (into.byInvariant[kind] = { schedules: 0, seeds: [], after: {} });
    entry.schedules += e.schedules;
    entry.seeds = [...entry.seeds, ...e.seeds].sort((a, b) => a - b).slice(0, 8);
    for (const [op, n] of Object.entries(e.after)) entry.after[op] = (entry.after[op] ?? 0) + n;
  }
  for (const [key, e] of Object.entries(part.overlaps)) {
    const entry = into.overlaps[key] ?? (into.overlaps[key] = { count: 0, totalMs: 0, maxMs: 0, seed: e.seed });
    entry.count += e.count;
    entry.totalMs += e.totalMs;
    if (e.maxMs >= entry.maxMs) {
      entry.maxMs = e.maxMs;
      entry.seed = e.seed;
    }
  }
  into.failures.push(...part.failures);
}

async function runRange(seeds: number[], timing: TimingLike, onDone?: () => void): Promise<Totals> {
  const schedules = loadSchedules();
  const totals = emptyTotals();
  for (const seed of seeds) {
    try {
      add(totals, await schedules.runSchedule(schedules.generateSchedule(seed, timing)), schedules);
    } catch (err) {
      // A schedule that throws (a simulator or core error) is a failure of its own, with its seed.
      totals.schedules++;
      totals.failed++;
      const entry = (totals.byInvariant['exception'] ??= { schedules: 0, seeds: [], after: {} });
      entry.schedules++;
      if (entry.seeds.length < 10) entry.seeds.push(seed);
      totals.failures.push(`seed ${seed}: ${err instanceof Error ? err.message : String(err)}`);
    }
    onDone?.();
  }
  return totals;
}

/** `--profile NAME` (bench/lib/profiles.ts) or `--profile FILE.conf` (its `time` section, read with koi's own parser). */
function readTiming(value: string): TimingLike {
  const file = value.endsWith('.conf') ? resolve(value) : null;
  const time = file ? readTimeSection(readFileSync(file, 'utf8'), (line) => `${file}:${line}`).timeMs : loadProfile(profileSpec(value)).timeMs;
  // Timings koinode would refuse to start with are no test of it.
  const config = defaultConfig();
  const refused = checkClusterConfig({ ...config, time: { ...config.time, ...time } }).errors;
  if (refused.length > 0) throw new Error(`chaos: --profile ${value}: koinode refuses these timings: ${refused.join('; ')}`);
  return { profile: file ?? value, time };
}

/**
 * `--profile NAME|FILE.conf` (not a flag kind of parseFlags: a name or a path), taken out of `argv`: the timing
 * and the other arguments. Throws naming `script` when the value is missing or names no profile or file.
 */
export function takeProfileFlag(script: string, argv: string[]): { timing: TimingLike; rest: string[] } {
  const at = argv.indexOf('--profile');
  if (at < 0) return { timing: readTiming('default'), rest: argv };
  const value = argv[at + 1];
  if (value === undefined || value.startsWith('--')) throw new Error(`${script}: --profile needs a profile name of bench/lib/profiles.ts or a koi.conf file`);
  return { timing: readTiming(value), rest: [...argv.slice(0, at), ...argv.slice(at + 2)] };
}

function parseArgs(argv: string[]): { schedules: number; seed: number; workers: number; replay: number | null; timing: TimingLike } {
  let flags;
  let timing: TimingLike;
  try {
    let rest: string[];
    ({ timing, rest } = takeProfileFlag('chaos', argv));
    flags = parseFlags('chaos', rest, { '--schedules': 'count', '--seed': 'seed', '--workers': 'count', '--replay': 'seed' });
  } catch (err) {
    process.stderr.write(`${(err as Error).message}\n`);
    process.exit(2);
  }
  return { schedules: flags['--schedules'] ?? 1000, seed: flags['--seed'] ?? 1, workers: flags['--workers'] ?? 2, replay: flags['--replay'] ?? null, timing };
}

function report(total: Totals, firstSeed: number, wallMs: number, workers: number, timing: TimingLike): string {
  const per1000 = (n: number): string => (total.schedules ? ((1000 * n) / total.schedules).toFixed(1) : '0');
  const overrides = Object.entries(timing.time).map(([k, v]) => `${k} ${v} ms`).join(', ');
  const lines = [
    `schedules: ${total.schedules} (seeds ${firstSeed}..${firstSeed + total.schedules - 1})`,
    `timing profile: ${timing.profile}${overrides ? ` (${overrides})` : ' (the built-in defaults)'}`,
    `faults injected: ${total.faults}`,
    `  applied by kind: ${Object.entries(total.applied).sort().map(([k, n]) => `${k} ${n}`).join(', ')}`,
    `simulated time: ${(total.simulatedMs / 3_600_000).toFixed(2)} hours`,
    `simulator steps: ${total.steps}`,
    `failed schedules: ${total.failed} (${per1000(total.failed)} per 1000)`,
    'violations by invariant (schedules, per 1000, first seeds):',
    ...Object.entries(total.byInvariant).sort().map(([k, e]) => `  ${k}: ${e.schedules} (${per1000(e.schedules)} per 1000) seeds ${e.seeds.join(' ')}\n`
      + `    last fault before the first violation: ${Object.entries(e.after).sort((a, b) => b[1] - a[1]).map(([op, n]) => `${op} ${n}`).join(', ')}`),
    'allowed overlaps by category (count, mean / max length, seed of the longest):',
    ...Object.entries(total.overlaps).sort().map(([k, e]) => `  ${k}: ${e.count}, mean ${Math.round(e.totalMs / e.count)} ms, max ${Math.round(e.maxMs)} ms (seed ${e.seed})`),
    `wall time: ${(wallMs / 1000).toFixed(1)} s on ${workers} worker(s)`,
  ];
  return `${lines.join('\n')}\n`;
}

async function main(): Promise<void> {
  const args = parseArgs(process.argv.slice(2));
  if (args.replay !== null) {
    const schedules = loadSchedules();
    const result = await schedules.runSchedule(schedules.generateSchedule(args.replay, args.timing), { traceLines: 100_000 });
    process.stdout.write(`${JSON.stringify(result.schedule)}\n${result.trace.join('\n')}\n`);
    process.stdout.write(`overlaps (allowed categories): ${JSON.stringify(result.overlaps)}\napplied: ${JSON.stringify(result.applied)}\n`);
    process.stdout.write(result.violations.length ? `${schedules.describeFailure(result)}\n` : `seed ${args.replay}: 0 violations\n`);
    process.exit(result.violations.length ? 1 : 0);
  }
  const started = Date.now();
  const seeds = Array.from({ length: args.schedules }, (_, i) => args.seed + i);
  const parts = Array.from({ length: args.workers }, (_, w) => seeds.filter((_, i) => i % args.workers === w));
  let done = 0;
  const results = await Promise.all(parts.map((part) => new Promise<Totals>((resolveTotals, reject) => {
    const worker = new Worker(__filename, { workerData: { role: 'chaos', seeds: part, timing: args.timing } });
    worker.on('message', (message: { progress?: number; totals?: Totals }) => {
      if (message.progress) {
        done += message.progress;
        if (done % 100 === 0) process.stderr.write(`chaos: ${done}/${args.schedules} schedules (${Math.round((Date.now() - started) / 1000)} s)\n`);
      }
      if (message.totals) resolveTotals(message.totals);
    });
    worker.on('error', reject);
    // A worker that ends without its totals (an exit or a crash in a schedule) must not end the run silently.
    worker.on('exit', (code) => reject(new Error(`a chaos worker exited (code ${code}) before reporting; its seeds: ${part[0]}…`)));
  })));
  const total = emptyTotals();
  for (const r of results) merge(total, r);
  for (const failure of total.failures.slice(0, 3)) process.stdout.write(`${failure}\n\n`);
  process.stdout.write(report(total, args.seed, Date.now() - started, args.workers, args.timing));
  process.exit(total.failed > 0 ? 1 : 0);
}

if (isMainThread) {
  if (require.main === module) {
    main().catch((err: unknown) => {
      process.stderr.write(`chaos: ${err instanceof Error ? err.stack ?? err.message : String(err)}\n`);
      process.exit(1);
    });
  }
} else if ((workerData as { role?: string } | null)?.role === 'chaos') {
  const { seeds, timing } = workerData as { seeds: number[]; timing: TimingLike };
  runRange(seeds, timing, () => parentPort?.postMessage({ progress: 1 })).then((totals) => parentPort?.postMessage({ totals }));
}
