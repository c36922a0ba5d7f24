/**
 * Random fault schedules, part 2 of 2 (100 each, run in parallel by jest).
 * Seeds start at KOI_SIM_SEED (default 1); a failure prints the seed and the
 * schedule: replay it with `npm run chaos -- --replay SEED`.
 */
import { describeFailure, generateSchedule, runSchedule } from './schedules';

const base = Number(process.env.KOI_SIM_SEED ?? 1) + (2 - 1) * 100;

test('100 random fault schedules keep every invariant and settle', async () => {
  const failures: string[] = [];
  let faults = 0;
  for (let seed = base; seed < base + 100; seed++) {
    const result = await runSchedule(generateSchedule(seed));
    faults += result.faults;
    if (result.violations.length > 0) failures.push(describeFailure(result));
  }
  expect(faults).toBeGreaterThan(300);
  if (failures.length > 0) throw new Error(`${failures.length} schedule(s) failed:\n${failures.slice(0, 2).join('\n\n')}`);
}, 170_000);
