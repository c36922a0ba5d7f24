/**
 * The random nemesis schedules in `npm test`, split in parts so jest runs
 * them in parallel (one file per part: random-1.test.ts, random-2.test.ts).
 * Seeds start at KOI_SIM_SEED (default 1); a failure prints the seed and the
 * schedule: replay it with `npm run chaos -- --replay SEED`. Long runs
 * belong to `npm run chaos`.
 *
 * KNOWN_FAILING: invariant kinds the nemesis still finds on today's core
 * (docs/safety.md "Known gaps"), reported with their seeds but asserted only
 * with KOI_NEMESIS_STRICT=1. Today none: every invariant is asserted.
 */
import { describeFailure, generateSchedule, runSchedule } from './schedules';

const SEEDS_PER_PART = Number(process.env.KOI_SIM_SCHEDULES ?? 25);
const STRICT = process.env.KOI_NEMESIS_STRICT === '1';
export const KNOWN_FAILING: readonly string[] = [];

/** Registers the test of part `part` (1-based): seeds KOI_SIM_SEED + (part - 1) × SEEDS_PER_PART onwards. */
export function randomSchedulesPart(part: number): void {
  const base = Number(process.env.KOI_SIM_SEED ?? 1) + (part - 1) * SEEDS_PER_PART;
  const scope = STRICT || KNOWN_FAILING.length === 0 ? 'every invariant' : `every invariant but ${KNOWN_FAILING.join(', ')} (known to fail on today's core; KOI_NEMESIS_STRICT=1 asserts them)`;

  test(`${SEEDS_PER_PART} random nemesis schedules keep ${scope} and settle`, async () => {
    const failures: string[] = [];
    const known = new Map<string, number[]>();
    let faults = 0;
    for (let seed = base; seed < base + SEEDS_PER_PART; seed++) {
      const result = await runSchedule(generateSchedule(seed), { traceLines: 200 });
      faults += result.faults;
      const asserted = STRICT ? result.violations : result.violations.filter((v) => !KNOWN_FAILING.includes(v.invariant));
      for (const v of result.violations) if (!asserted.includes(v)) known.set(v.invariant, [...(known.get(v.invariant) ?? []), seed]);
      if (asserted.length > 0) failures.push(describeFailure({ ...result, violations: asserted }));
    }
    if (known.size > 0) {
      process.stdout.write(`nemesis part ${part}: known-failing kinds seen (not asserted without KOI_NEMESIS_STRICT=1): ${[...known].map(([k, seeds]) => `${k} in seeds ${[...new Set(seeds)].join(' ')}`).join('; ')}\n`);
    }
    expect(faults).toBeGreaterThan(SEEDS_PER_PART * 4);
    if (failures.length > 0) throw new Error(`${failures.length} schedule(s) failed:\n${failures.slice(0, 2).join('\n\n')}`);
  }, 300_000);
}
