/**
 * Auto-recovery (SPEC §4): `service.auto_recover N` attempts, each after
 * `time.auto_recover_time × F^(count-1)` with F = auto_recover_wait_factor
 * clamped to 1..8, and the fail count reset after `time.failcount_reset` of
 * health. Measured from the service layer: the virtual times at which the
 * failing service's `start` runs again after each failure.
 */
import type { KoiConfig } from '../../../plugin-api';
import { DEFAULTS } from '../../../core/config/defaults';
import { runnerRig, type RunnerRig } from './harness';

let rig: RunnerRig | undefined;
afterEach(async () => {
  await rig?.close();
  rig = undefined;
});

const RECOVER_MS = 10_000;

/** A runner whose one service `20-app` fails its status (exit 1) while `failing` holds. */
function failingRig(service: Partial<KoiConfig['service']>, time: Partial<KoiConfig['time']> = {}): RunnerRig {
  const r = runnerRig((config) => {
    Object.assign(config.service, service);
    Object.assign(config.time, { auto_recover_time: RECOVER_MS, ...time });
  }, (executor) => {
    executor.add('20-app', { failEvents: new Set(['status']) });
  });
  r.runner.start();
  r.runner.leaderKnown(true);
  return r;
}

/** When each failure was seen (the failing status ended) and when `start` ran after it. */
function failuresAndRestarts(r: RunnerRig): { failedAt: number[]; startAt: number[] } {
  const failedAt = r.executor.log.filter((e) => e.event === 'status' && e.phase === 'end' && e.code === 1).map((e) => e.at);
  return { failedAt, startAt: r.executor.times('start', '20-app') };
}

/** The waits between each failure and the start that follows it. */
function waits(r: RunnerRig): number[] {
  const { failedAt, startAt } = failuresAndRestarts(r);
  return failedAt.map((at) => startAt.find((s) => s > at)).filter((s): s is number => s !== undefined)
    .map((s, i) => s - failedAt[i]);
}

test('limit: after N failures the runner stays Failed (no start) until koi recover', async () => {
  rig = failingRig({ auto_recover: 3, auto_recover_wait_factor: 1 });
  await rig.run(200_000);
  const { failedAt, startAt } = failuresAndRestarts(rig);
  expect(startAt).toHaveLength(4); // the first start and three recoveries
  expect(failedAt).toHaveLength(4);
  expect(waits(rig)).toEqual([RECOVER_MS, RECOVER_MS, RECOVER_MS]);
  rig.runner.recover();
  await rig.run(1000);
  expect(rig.executor.times('start', '20-app')).toHaveLength(5);
});

test('auto_recover 0: the first failure is final', async () => {
  rig = failingRig({ auto_recover: 0 });
  await rig.run(100_000);
  expect(rig.executor.times('start', '20-app')).toHaveLength(1);
});

test('back-off: waits of time × F^(count-1)', async () => {
  rig = failingRig({ auto_recover: 4, auto_recover_wait_factor: 2 });
  await rig.run(200_000);
  expect(waits(rig)).toEqual([RECOVER_MS, 2 * RECOVER_MS, 4 * RECOVER_MS, 8 * RECOVER_MS]);
});

test('the default back-off grows (factor 2) and stops growing at time.auto_recover_max_time; the log says the wait in words', async () => {
  // The defaults of core/config/defaults.ts and timing-defaults.ts, a cap of 50 s instead of 10 min to keep the run short.
  rig = failingRig({ auto_recover: 5, auto_recover_wait_factor: DEFAULTS.service.auto_recover_wait_factor }, { auto_recover_max_time: 50_000 });
  await rig.run(300_000);
  expect(waits(rig)).toEqual([RECOVER_MS, 2 * RECOVER_MS, 4 * RECOVER_MS, 50_000, 50_000]);
  expect(rig.logger.find('info', 'auto-recovery 4 of 5 in 50 s')).toHaveLength(1);
});

test('back-off factor above 8 is clamped to 8, with a warning', async () => {
  rig = failingRig({ auto_recover: 2, auto_recover_wait_factor: 20 });
  expect(rig.logger.find('warn', 'auto_recover_wait_factor 20 is outside 1..8')).toHaveLength(1);
  await rig.run(200_000);
  expect(waits(rig)).toEqual([RECOVER_MS, 8 * RECOVER_MS]);
});

test('back-off factor below 1 is clamped to 1, with a warning', async () => {
  rig = failingRig({ auto_recover: 2, auto_recover_wait_factor: 0.5 });
  expect(rig.logger.find('warn', 'auto_recover_wait_factor 0.5 is outside 1..8')).toHaveLength(1);
  await rig.run(100_000);
  expect(waits(rig)).toEqual([RECOVER_MS, RECOVER_MS]);
});

describe('fail-count reset', () => {
  const RESET_MS = 60_000;

  /** Fail once, be healthy for `healthyMs`, fail again: the wait after the second failure. */
  async function secondWait(healthyMs: number): Promise<number[]> {
    const r = failingRig({ auto_recover: 5, auto_recover_wait_factor: 2 }, { failcount_reset: RESET_MS, status_interval: 1000 });
    rig = r;
    const app = r.executor.services.get('20-app')!;
    await r.run(RECOVER_MS - 500); // first failure at once; the recovery start is due at RECOVER_MS
    app.failEvents.clear(); // healthy from the recovery on
    await r.run(500 + healthyMs);
    app.failEvents.add('status');
    await r.run(3 * RECOVER_MS);
    return waits(r);
  }

  test(`after failcount_reset of health the next failure waits time × F^0 again`, async () => {
    expect(await secondWait(RESET_MS + 5_000)).toEqual([RECOVER_MS, RECOVER_MS]);
  });

  test('before failcount_reset the count is kept: the next failure waits time × F', async () => {
    expect(await secondWait(RESET_MS - 20_000)).toEqual([RECOVER_MS, 2 * RECOVER_MS]);
  });
});
