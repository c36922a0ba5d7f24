/**
 * `npm run chaos:teeth [-- --cap N --seed S --workers K --rules a,b --profile P]`: proves
 * the nemesis has teeth. For each rule of SAFETY_RULES (core/safety-rules.ts)
 * it runs the random schedules of `npm run chaos` (seeds S, S+1, …) with
 * that one rule disabled in every node, and stops at the first violation —
 * at most N schedules per rule (default 2000).
 *
 * A violation counts for the rule ("caught") only when the same seed has no
 * violation with every rule on: otherwise the schedule found a bug of the
 * core itself, and the search goes on (it is listed as "baseline also
 * fails"). Until the core passes `npm run chaos`, most rules are reported
 * with such baseline failures; a rule the core does not honour yet can
 * never be caught. Prints, per rule, after how many schedules it was
 * caught, the seed to replay (`npm run chaos -- --replay SEED` shows the
 * run with every rule on; the teeth run's own violation is printed here)
 * and the invariants broken. Exit status 0 only when every rule was caught.
 * `--profile` as for `npm run chaos` (a timing profile or a koi.conf file).
 */
import { Worker, isMainThread, parentPort, workerData } from 'node:worker_threads';
import { SAFETY_RULES } from '../core/safety-rules';
import { loadSchedules, takeProfileFlag, type TimingLike } from './chaos';
import { parseFlags } from './lib/args';

interface RuleOutcome {
  rule: string;
  /** Schedules run with the rule off until it was caught (or the cap). */
  schedules: number;
  caught: boolean;
  seed: number | null;
  invariants: string[];
  detail: string;
  /** Seeds that failed with the rule off but also with every rule on (core bugs, not the rule). */
  baselineFailures: number[];
  wallMs: number;
}

interface Args {
  cap: number;
  seed: number;
  workers: number;
  rules: string[];
  timing: TimingLike;
}

function parseArgs(argv: string[]): Args {
  let timing: TimingLike;
  let args: string[];
  try {
    ({ timing, rest: args } = takeProfileFlag('chaos:teeth', argv));
  } catch (err) {
    fail((err as Error).message.replace(/^chaos:teeth: /, ''));
  }
  // --rules takes a comma list (not a flag kind of parseFlags): taken out first.
  const at = args.indexOf('--rules');
  const rules = at >= 0 ? (args[at + 1] ?? '').split(',').filter(Boolean) : [...SAFETY_RULES];
  const rest = at >= 0 ? [...args.slice(0, at), ...args.slice(at + 2)] : args;
  const unknown = rules.filter((r) => !(SAFETY_RULES as readonly string[]).includes(r));
  if (unknown.length > 0 || rules.length === 0) fail(`--rules: unknown rule(s) ${unknown.join(', ') || '(none given)'}; known: ${SAFETY_RULES.join(', ')}`);
  let flags;
  try {
    flags = parseFlags('chaos:teeth', rest, { '--cap': 'count', '--seed': 'seed', '--workers': 'count' });
  } catch (err) {
    fail((err as Error).message.replace(/^chaos:teeth: /, ''));
  }
  return { cap: flags['--cap'] ?? 2000, seed: flags['--seed'] ?? 1, workers: flags['--workers'] ?? 2, rules, timing };
}

function fail(message: string): never {
  process.stderr.write(`chaos:teeth: ${message}\n`);
  process.exit(2);
}

/** Worker: search one rule. */
async function searchRule(rule: string, firstSeed: number, cap: number, timing: TimingLike, progress: (n: number) => void): Promise<RuleOutcome> {
  const schedules = loadSchedules();
  const started = Date.now();
  const baselineFailures: number[] = [];
  for (let i = 0; i < cap; i++) {
    const seed = firstSeed + i;
    const schedule = schedules.generateSchedule(seed, timing);
    const result = await schedules.runSchedule(schedule, { disabledSafetyRules: [rule], traceLines: 50 });
    if (i % 50 === 49) progress(i + 1);
    if (result.violations.length === 0) continue;
    const baseline = await schedules.runSchedule(schedule, { traceLines: 10 });
    if (baseline.violations.length > 0) {
      baselineFailures.push(seed);
      continue;
    }
    return {
      rule, schedules: i + 1, caught: true, seed, baselineFailures, wallMs: Date.now() - started,
      invariants: [...new Set(result.violations.map((v) => v.invariant))],
      detail: result.violations.slice(0, 2).map((v) => `t=${Math.round(v.at)} ${v.invariant}: ${v.detail}`).join('\n      '),
    };
  }
  return { rule, schedules: cap, caught: false, seed: null, invariants: [], detail: '', baselineFailures, wallMs: Date.now() - started };
}

async function main(): Promise<void> {
  const args = parseArgs(process.argv.slice(2));
  const started = Date.now();
  const queue = [...args.rules];
  const outcomes: RuleOutcome[] = [];
  const runWorker = async (): Promise<void> => {
    for (let rule = queue.shift(); rule !== undefined; rule = queue.shift()) {
      const current = rule;
      outcomes.push(await new Promise<RuleOutcome>((resolveOutcome, reject) => {
        const worker = new Worker(__filename, { workerData: { role: 'teeth', rule: current, seed: args.seed, cap: args.cap, timing: args.timing } });
        worker.on('message', (message: { progress?: number; outcome?: RuleOutcome }) => {
          if (message.progress) process.stderr.write(`chaos:teeth: ${current}: ${message.progress} schedules (${Math.round((Date.now() - started) / 1000)} s)\n`);
          if (message.outcome) {
            const o = message.outcome;
            process.stderr.write(`chaos:teeth: ${current}: ${o.caught ? `caught after ${o.schedules} schedule(s), seed ${o.seed}` : `NOT caught in ${o.schedules} schedules`}\n`);
            resolveOutcome(o);
          }
        });
        worker.on('error', reject);
      }));
    }
  };
  await Promise.all(Array.from({ length: Math.min(args.workers, args.rules.length) }, runWorker));
  outcomes.sort((a, b) => args.rules.indexOf(a.rule) - args.rules.indexOf(b.rule));
  const lines = [`chaos:teeth: one safety rule off at a time, seeds ${args.seed}.., at most ${args.cap} schedules per rule, timing profile ${args.timing.profile}`];
  for (const o of outcomes) {
    const base = o.baselineFailures.length
      ? ` (${o.baselineFailures.length} earlier violating seed(s) also fail with every rule on: ${o.baselineFailures.slice(0, 6).join(' ')}${o.baselineFailures.length > 6 ? ' …' : ''})`
      : '';
    lines.push(o.caught
      ? `  ${o.rule}: caught after ${o.schedules} schedule(s), seed ${o.seed} [${o.invariants.join(', ')}]${base}\n      ${o.detail}`
      : `  ${o.rule}: NOT caught in ${o.schedules} schedules${base}`);
  }
  const caught = outcomes.filter((o) => o.caught).length;
  lines.push(`caught ${caught} of ${outcomes.length} rules; wall time ${((Date.now() - started) / 1000).toFixed(1)} s on ${args.workers} worker(s)`);
  process.stdout.write(`${lines.join('\n')}\n`);
  process.exit(caught === outcomes.length ? 0 : 1);
}

if (isMainThread) {
  main().catch((err: unknown) => {
    process.stderr.write(`chaos:teeth: ${err instanceof Error ? err.stack ?? err.message : String(err)}\n`);
    process.exit(1);
  });
} else if ((workerData as { role?: string } | null)?.role === 'teeth') {
  const { rule, seed, cap, timing } = workerData as { rule: string; seed: number; cap: number; timing: TimingLike };
  searchRule(rule, seed, cap, timing, (n) => parentPort?.postMessage({ progress: n }))
    .then((outcome) => parentPort?.postMessage({ outcome }));
}
