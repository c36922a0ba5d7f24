/**
 * `npm run chaos -- --schedules N --seed S [--workers K]`: runs N random
 * fault schedules of the cluster simulator (test/cluster) and prints how
 * many schedules, faults and simulated hours it covered and the invariant
 * violations found. `--replay SEED` runs one schedule and prints its log.
 * A failure prints the seed and the schedule so it replays exactly.
 *
 * The simulator is TypeScript under test/; this script loads it through a
 * small transpile-only require hook so the build output stays free of tests.
 */
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { Worker, isMainThread, parentPort, workerData } from 'node:worker_threads';
import * as ts from 'typescript';

interface ScheduleResultLike {
  schedule: { seed: number };
  violations: Array<{ at: number; invariant: string; detail: string }>;
  simulatedMs: number;
  faults: number;
  steps: number;
  trace: string[];
}
interface SchedulesModule {
  generateSchedule(seed: number): unknown;
  runSchedule(schedule: unknown): Promise<ScheduleResultLike>;
  describeFailure(result: ScheduleResultLike): string;
}
interface Totals {
  schedules: number;
  faults: number;
  simulatedMs: number;
  steps: number;
  violations: number;
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

function loadSchedules(): SchedulesModule {
  registerTypeScript();
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  return require(resolve(ROOT, 'test', 'cluster', 'schedules.ts')) as SchedulesModule;
}

async function runRange(seeds: number[], onDone?: (r: ScheduleResultLike) => void): Promise<Totals> {
  const schedules = loadSchedules();
  const totals: Totals = { schedules: 0, faults: 0, simulatedMs: 0, steps: 0, violations: 0, failures: [] };
  for (const seed of seeds) {
    const result = await schedules.runSchedule(schedules.generateSchedule(seed));
    totals.schedules++;
    totals.faults += result.faults;
    totals.simulatedMs += result.simulatedMs;
    totals.steps += result.steps;
    totals.violations += result.violations.length;
    if (result.violations.length > 0) totals.failures.push(schedules.describeFailure(result));
    onDone?.(result);
  }
  return totals;
}

function parseArgs(argv: string[]): { schedules: number; seed: number; workers: number; replay: number | null } {
  const get = (name: string): string | undefined => {
    const at = argv.indexOf(name);
    return at >= 0 ? argv[at + 1] : undefined;
  };
  const num = (name: string, fallback: number): number => {
    const raw = get(name);
    if (raw === undefined) return fallback;
    const value = Number(raw);
    if (!Number.isInteger(value) || value < 0) {
      process.stderr.write(`chaos: ${name} needs a non-negative integer, got '${raw}'\n`);
      process.exit(2);
    }
    return value;
  };
  return {
    schedules: num('--schedules', 1000),
    seed: num('--seed', 1),
    workers: Math.max(1, num('--workers', 2)),
    replay: get('--replay') !== undefined ? num('--replay', 0) : null,
  };
}

async function main(): Promise<void> {
  const args = parseArgs(process.argv.slice(2));
  if (args.replay !== null) {
    const schedules = loadSchedules();
    const result = await schedules.runSchedule(schedules.generateSchedule(args.replay));
    process.stdout.write(`${JSON.stringify(result.schedule)}\n${result.trace.join('\n')}\n`);
    process.stdout.write(result.violations.length ? `${schedules.describeFailure(result)}\n` : `seed ${args.replay}: 0 violations\n`);
    process.exit(result.violations.length ? 1 : 0);
  }
  const started = Date.now();
  const seeds = Array.from({ length: args.schedules }, (_, i) => args.seed + i);
  const parts = Array.from({ length: args.workers }, (_, w) => seeds.filter((_, i) => i % args.workers === w));
  let done = 0;
  const results = await Promise.all(parts.map((part) => new Promise<Totals>((resolveTotals, reject) => {
    const worker = new Worker(__filename, { workerData: { seeds: part } });
    worker.on('message', (message: { progress?: number; totals?: Totals }) => {
      if (message.progress) {
        done += message.progress;
        if (done % 500 === 0) process.stderr.write(`chaos: ${done}/${args.schedules} schedules (${Math.round((Date.now() - started) / 1000)} s)\n`);
      }
      if (message.totals) resolveTotals(message.totals);
    });
    worker.on('error', reject);
  })));
  const total: Totals = { schedules: 0, faults: 0, simulatedMs: 0, steps: 0, violations: 0, failures: [] };
  for (const r of results) {
    total.schedules += r.schedules;
    total.faults += r.faults;
    total.simulatedMs += r.simulatedMs;
    total.steps += r.steps;
    total.violations += r.violations;
    total.failures.push(...r.failures);
  }
  for (const failure of total.failures.slice(0, 5)) process.stdout.write(`${failure}\n\n`);
  process.stdout.write([
    `schedules: ${total.schedules} (seeds ${args.seed}..${args.seed + args.schedules - 1})`,
    `faults injected: ${total.faults}`,
    `simulated time: ${(total.simulatedMs / 3_600_000).toFixed(2)} hours`,
    `simulator steps: ${total.steps}`,
    `failed schedules: ${total.failures.length}`,
    `invariant violations: ${total.violations}`,
    `wall time: ${((Date.now() - started) / 1000).toFixed(1)} s on ${args.workers} worker(s)`,
  ].join('\n') + '\n');
  process.exit(total.violations > 0 ? 1 : 0);
}

if (isMainThread) {
  main().catch((err: unknown) => {
    process.stderr.write(`chaos: ${err instanceof Error ? err.stack ?? err.message : String(err)}\n`);
    process.exit(1);
  });
} else {
  const { seeds } = workerData as { seeds: number[] };
  runRange(seeds, () => parentPort?.postMessage({ progress: 1 })).then((totals) => parentPort?.postMessage({ totals }));
}
