/**
 * The random fault schedule test, split in parts of 100 seeds so jest runs
 * them in parallel (one file per part: random-1.test.ts, random-2.test.ts).
 * Seeds start at KOI_SIM_SEED (default 1); a failure prints the seed and the
 * schedule: replay it with `npm run chaos -- --replay SEED`.
 */
import { describeFailure, generateSchedule, runSchedule } from './schedules';

const SEEDS_PER_PART = 100;

/** Registers the test of part `part` (1-based): seeds KOI_SIM_SEED + (part - 1) * 100 onwards. */
export function randomSchedulesPart(part: number): void {
  const base = Number(process.env.KOI_SIM_SEED ?? 1) + (part - 1) * SEEDS_PER_PART;

  test(`${SEEDS_PER_PART} random fault schedules keep every invariant and settle`, async () => {
    const failures: string[] = [];
    let faults = 0;
    for (let seed = base; seed < base + SEEDS_PER_PART; seed++) {
      const result = await runSchedule(generateSchedule(seed));
      faults += result.faults;
      if (result.violations.length > 0) failures.push(describeFailure(result));
    }
    expect(faults).toBeGreaterThan(300);
    if (failures.length > 0) throw new Error(`${failures.length} schedule(s) failed:\n${failures.slice(0, 2).join('\n\n')}`);
  }, 170_000);
}
