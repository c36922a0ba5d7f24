/**
 * The pure parts of `npm run bench:heartbeat` (bench/heartbeat.ts): the
 * slowed-down defaults are accepted by koinode's own start-up checks and keep
 * every heartbeat-counted key's ratio, and the fit recovers a known curve.
 */
import { TIME_DEFAULTS } from '../../../core/config/timing-defaults';
import { cpuAt, fitInverse, HEARTBEAT_SCALED_KEYS, intervalFor, measuredBoundary, perBeatFor, slowDown } from '../../../bench/lib/heartbeat-model';
import { effectiveTimeMs, fastProfile, loadProfile } from '../../../bench/lib/profiles';
import { profileConfig, tempDirEachSuite } from './profile-config';

describe('profiles slowed down to another heartbeat', () => {
  const dir = tempDirEachSuite('koi-heartbeat-test-');

  it('at a profile\'s own interval are its own values', () => {
    const same = loadProfile({ name: 'defaults', time: slowDown(TIME_DEFAULTS, TIME_DEFAULTS.cluster_update_interval) });
    for (const key of HEARTBEAT_SCALED_KEYS) expect(same.timeMs[key]).toBe(TIME_DEFAULTS[key]);
  });

  const base = { default: () => TIME_DEFAULTS, fast: () => effectiveTimeMs(fastProfile()) };
  const cases = [
    ...[100, 150, 200, 300, 400, 1000].map((interval) => ['default', interval] as const),
    ...[8, 12, 16, 24, 32, 50, 64, 128].map((interval) => ['fast', interval] as const),
  ];

  it.each(cases)('the %s profile at %i ms keeps every heartbeat-counted ratio and passes koinode\'s checks', async (name, interval) => {
    const from = base[name]();
    const profile = loadProfile({ name: `${name} at ${interval} ms`, time: slowDown(from, interval) });
    const factor = interval / from.cluster_update_interval;
    expect(profile.timeMs.cluster_update_interval).toBe(interval);
    for (const key of HEARTBEAT_SCALED_KEYS) expect(profile.timeMs[key]).toBe(Math.round(from[key] * factor));
    const { config, errors } = await profileConfig(dir(), profile);
    expect(config.time.cluster_update_interval).toBe(interval);
    expect(errors).toEqual([]);
  });
});

describe('the fit of CPU against the interval', () => {
  const curve = (floorPct: number, perBeatMs: number) => (intervalMs: number) => floorPct + (100 * perBeatMs) / intervalMs;

  it('recovers the floor and the cost per round of an exact curve', () => {
    const at = curve(0.14, 1.33);
    const fit = fitInverse([50, 100, 200, 300, 400].map((intervalMs) => ({ intervalMs, cpuPct: at(intervalMs) })));
    expect(fit.floorPct).toBeCloseTo(0.14, 9);
    expect(fit.perBeatMs).toBeCloseTo(1.33, 9);
    expect(fit.r2).toBeCloseTo(1, 9);
    expect(cpuAt(fit, 50)).toBeCloseTo(at(50), 9);
  });

  it('fits noisy runs by least squares', () => {
    const at = curve(0.2, 1.0);
    // A fixed pseudo-random ±15 % on 40 runs: the fit lands near the curve, not on it.
    let seed = 7;
    const noise = () => ((seed = (seed * 48271) % 2147483647) / 2147483647 - 0.5) * 0.3;
    const points = [50, 100, 200, 300, 400].flatMap((intervalMs) => Array.from({ length: 8 }, () => ({ intervalMs, cpuPct: at(intervalMs) * (1 + noise()) })));
    const fit = fitInverse(points);
    expect(Math.abs(fit.floorPct - 0.2)).toBeLessThan(0.1);
    expect(Math.abs(fit.perBeatMs - 1.0)).toBeLessThan(0.15);
    expect(fit.r2).toBeGreaterThan(0.8);
    expect(fit.r2).toBeLessThan(1);
  });

  it('says where the runs themselves met a target and where one missed it', () => {
    const points = [
      { intervalMs: 64, cpuPct: 2.3 }, { intervalMs: 64, cpuPct: 2.5 },
      { intervalMs: 128, cpuPct: 1.3 }, { intervalMs: 128, cpuPct: 1.4 },
      { intervalMs: 32, cpuPct: 4.7 },
    ];
    expect(measuredBoundary(points, 2)).toEqual({ metFrom: 128, missedUpTo: 64 });
    expect(measuredBoundary(points, 5)).toEqual({ metFrom: 32, missedUpTo: null });
    expect(measuredBoundary(points, 1)).toEqual({ metFrom: null, missedUpTo: 128 });
    // One run over the target at a slow interval: nothing faster counts as met.
    expect(measuredBoundary([...points, { intervalMs: 128, cpuPct: 2.1 }], 2)).toEqual({ metFrom: null, missedUpTo: 128 });
  });

  it('answers which interval, or which cost per round, meets a target', () => {
    const fit = { floorPct: 0.1, perBeatMs: 1.2, r2: 1 };
    expect(intervalFor(fit, 0.5)).toBeCloseTo(300, 9);
    expect(cpuAt(fit, intervalFor(fit, 0.5))).toBeCloseTo(0.5, 9);
    expect(intervalFor(fit, 0.1)).toBe(Infinity);
    expect(perBeatFor(fit, 0.5, 50)).toBeCloseTo(0.2, 9);
    expect(cpuAt({ ...fit, perBeatMs: perBeatFor(fit, 0.5, 50) }, 50)).toBeCloseTo(0.5, 9);
  });

  it('refuses a single interval', () => {
    expect(() => fitInverse([{ intervalMs: 50, cpuPct: 2 }, { intervalMs: 50, cpuPct: 2.1 }])).toThrow(/two or more different heartbeat intervals/);
  });
});
