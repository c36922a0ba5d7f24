/**
 * The pure parts of `npm run bench:curve` (bench/curve.ts): the profile
 * table read with the real koi.conf parser and accepted by koinode's own
 * start-up checks, the stall search, the domination check and the SVG chart.
 */
import * as path from 'node:path';
import { dominationLines, dominators, headroomLine, stallHeadroomMs, type CurveRow } from '../../../bench/lib/curve-model';
import { drawTradeOffSvg, layout } from '../../../bench/lib/curve-svg';
import { CURVE_PROFILES, loadProfile } from '../../../bench/lib/profiles';
import { searchStallTolerance } from '../../../bench/lib/stall-search';
import { profileConfig, tempDirEachSuite } from './profile-config';

describe('the profile table', () => {
  const dir = tempDirEachSuite('koi-curve-test-');

  it('names the defaults, the fast profile and two in between, each once', () => {
    const names = CURVE_PROFILES.map((p) => p.name);
    expect(new Set(names).size).toBe(names.length);
    expect(names).toEqual(expect.arrayContaining(['default', 'fast']));
    expect(names.length).toBeGreaterThanOrEqual(4);
  });

  it.each(CURVE_PROFILES.map((p) => [p.name, p] as const))('profile %s parses and passes koinode\'s configuration and timing checks', async (_name, spec) => {
    const profile = loadProfile(spec);
    for (const [key, text] of Object.entries(profile.time)) expect(profile.timeMs[key]).toBeGreaterThan(0), expect(text).not.toBe('');
    const { config, errors } = await profileConfig(dir(), profile);
    for (const [key, ms] of Object.entries(profile.timeMs)) expect((config.time as unknown as Record<string, number>)[key]).toBe(ms);
    expect(errors).toEqual([]);
  });

  it('the fast profile is examples/fast.conf', () => {
    const fast = loadProfile(CURVE_PROFILES.find((p) => p.name === 'fast')!);
    expect(fast.source).toBe(path.join('examples', 'fast.conf'));
    expect(fast.timeMs.cluster_update_interval).toBeGreaterThan(0);
  });

  it('refuses a bad value or an unknown key, naming the profile and the key', () => {
    expect(() => loadProfile({ name: 'broken', time: { master_lease: 'soon' } })).toThrow(/profile 'broken'.*time\.master_lease "soon" is not a duration/);
    expect(() => loadProfile({ name: 'typo', time: { master_leese: '1s' } })).toThrow(/profile 'typo'.*time\.master_leese is not a koi time key/);
  });
});

describe('the stall search', () => {
  const threshold = (limit: number) => async (ms: number) => ({ ok: ms < limit, actualMs: ms, what: '' });

  it('brackets the threshold within the precision', async () => {
    const r = await searchStallTolerance(threshold(130), { startMs: 25, maxMs: 12_800, precision: 0.1, repeats: 1 });
    expect(r.largestPassMs).toBeLessThan(130);
    expect(r.smallestFailMs).toBeGreaterThanOrEqual(130);
    expect(r.smallestFailMs! / r.largestPassMs!).toBeLessThanOrEqual(1.1);
    // Doubling 25, 50, 100, 200 (fails), then bisection.
    expect(r.trials.slice(0, 4).map((t) => t.ms)).toEqual([25, 50, 100, 200]);
  });

  it('halves below a failing start, and says when nothing failed', async () => {
    const low = await searchStallTolerance(threshold(15), { startMs: 25, maxMs: 400, precision: 0.5, repeats: 1 });
    expect(low.largestPassMs).toBe(12);
    expect(low.smallestFailMs).toBeLessThanOrEqual(18);
    const never = await searchStallTolerance(threshold(Infinity), { startMs: 25, maxMs: 400, precision: 0.1, repeats: 1 });
    expect(never).toMatchObject({ largestPassMs: 400, smallestFailMs: null });
  });

  it('a duration passes only when every repeat passes', async () => {
    let calls = 0;
    // Fails every second call at 100 ms.
    const flaky = async (ms: number) => ({ ok: ms < 100 || (calls++ % 2 === 0 && ms < 200), actualMs: ms, what: '' });
    const r = await searchStallTolerance(flaky, { startMs: 25, maxMs: 800, precision: 1, repeats: 2 });
    expect(r.smallestFailMs).toBe(100);
  });
});

const ms = (s: number) => s * 1000;
const tol = (pass: number | null, fail: number | null) => ({ largestPassMs: pass, smallestFailMs: fail });

function row(family: CurveRow['family'], name: string, failoverS: [number, number?], cpu: number, stallMs: number, leaderStallMs?: number): CurveRow {
  return {
    family,
    name,
    failoverMs: { plain: ms(failoverS[0]), ...(failoverS[1] !== undefined ? { leader: ms(failoverS[1]) } : {}) },
    cpuPercent: cpu,
    cpuResolution: 0.033,
    rssMB: family === 'koi' ? 60 : 13,
    stall: { master: tol(stallMs, stallMs * 1.1), ...(leaderStallMs !== undefined ? { leader: tol(leaderStallMs, leaderStallMs * 1.1) } : {}) },
  };
}

describe('domination', () => {
  const koiDefault = row('koi', 'default', [1.6, 2.2], 0.4, 1200);
  const koiFast = row('koi', 'fast', [0.15, 0.22], 1.8, 120, 110);
  const ka1 = row('keepalived', 'advert_int 1', [3.6], 0, 2600);
  const ka01 = row('keepalived', 'advert_int 0.1', [0.36], 0.1, 260);
  const kaFastOnly = row('keepalived', 'advert_int 0.05', [0.2], 0.2, 100);

  it('needs a failover no slower (worst case) and a stall tolerance no worse (worst node)', () => {
    const rows = [koiDefault, koiFast, ka1, ka01, kaFastOnly];
    // default: 2.2 s ≤ 3.6 s but 1200 ms < 2600 ms of stall: not dominating.
    expect(dominators(ka1, rows)).toEqual([]);
    // 0.36 s: default too slow, fast's stall (min of master 120 and leader 110) too short.
    expect(dominators(ka01, rows)).toEqual([]);
    // 0.2 s: fast's slower case 0.22 s is slower than 0.2 s, although its plain case is faster.
    expect(dominators(kaFastOnly, rows)).toEqual([]);
    const sturdier = row('koi', 'sturdy', [0.15, 0.2], 1.8, 300, 260);
    expect(dominators(ka01, [...rows, sturdier]).map((r) => r.name)).toEqual(['sturdy']);
    expect(dominators(kaFastOnly, [...rows, sturdier]).map((r) => r.name)).toEqual(['sturdy']);
    // Every measured node must survive the stall: the leader's 200 ms is short of 260 ms although the master's 300 ms is not.
    expect(dominators(ka01, [row('koi', 'lopsided', [0.15, 0.2], 1.8, 300, 200)])).toEqual([]);
    // Never a keepalived row, and never one without a failover figure.
    expect(dominators(kaFastOnly, [ka01, { ...sturdier, failoverMs: { plain: NaN, leader: NaN } }])).toEqual([]);
  });

  it('says by how much more CPU the cheapest dominating profile costs', () => {
    const cheap = row('koi', 'cheap', [2, 2.5], 0.5, 3000);
    const dear = row('koi', 'dear', [1, 1.5], 2, 3000);
    const lines = dominationLines([cheap, dear, ka1, ka01]);
    expect(lines).toHaveLength(2);
    // ka1 read below one tick (0 %): the ratio is a lower bound.
    expect(lines[0]).toMatch(/advert_int 1 .*dominated by cheap, dear; the cheapest, cheap, uses \+0\.50 points of a core \(≥ 15×\)/);
    expect(lines[1]).toMatch(/advert_int 0\.1 .*\*\*not dominated\*\* — no koi profile fails over as fast; the nearest, dear, uses \+1\.9 points of a core \(≈ 20×\)/);
  });
});

describe('stall headroom', () => {
  it('is the stall survived minus the slower failover, and a dominator needs at least the point\'s', () => {
    const ka = row('keepalived', 'advert_int 1', [3.4], 0, 3489);
    const koi = row('koi', 'default', [1.6, 1.9], 2.5, 734);
    expect(stallHeadroomMs(ka)).toBeCloseTo(89, 6);
    expect(stallHeadroomMs(koi)).toBeCloseTo(-1166, 6);
    // Dominance implies the headroom inequality (stall ≥ and failover ≤ give stall − failover ≥).
    const sturdy = row('koi', 'sturdy', [3, 3.3], 1, 3500);
    expect(dominators(ka, [sturdy])).toEqual([sturdy]);
    expect(stallHeadroomMs(sturdy)).toBeGreaterThanOrEqual(stallHeadroomMs(ka));
    // Unknown when no stall passed; a lower bound when none failed; no "−0".
    expect(stallHeadroomMs({ ...koi, stall: { master: tol(null, 20) } })).toBeNaN();
    expect(headroomLine([{ ...koi, stall: { master: tol(null, 20) } }, { ...ka, stall: { master: tol(3399.6, null) } }]))
      .toBe('Stall survived minus the slower failover (a profile can dominate a point only with at least the point\'s figure): koi default n/a, keepalived advert_int 1 ≥ 0 ms.');
    expect(headroomLine([koi, ka])).toBe('Stall survived minus the slower failover (a profile can dominate a point only with at least the point\'s figure): koi default −1166 ms, keepalived advert_int 1 +89 ms.');
  });
});

describe('the SVG chart', () => {
  const rows = [
    row('koi', 'default', [1.6, 2.2], 0.4, 1200),
    row('koi', 'fast', [0.15, 0.22], 4, 20, 17),
    row('keepalived', 'advert_int 1', [3.6], 0, 2600),
    row('keepalived', 'advert_int <0.1>', [0.36], 0.04, 260),
  ];
  const svg = drawTradeOffSvg(rows, { title: 'curve & test' });
  const attrs = (cls: string, attr: string) => [...svg.matchAll(new RegExp(`<[a-z]+ class="${cls}"[^>]*?\\b${attr}="([-\\d.]+)"`, 'g'))].map((m) => Number(m[1]));

  it('is one SVG document with labelled axes, one marker and one label per row, text escaped', () => {
    expect(svg.startsWith('<svg xmlns="http://www.w3.org/2000/svg"')).toBe(true);
    expect(svg.trim().endsWith('</svg>')).toBe(true);
    expect(svg).toContain('idle CPU per node, % of one core (log scale)');
    expect(svg).toContain('failover median, s (log scale; slower case)');
    expect(svg.match(/class="point koi"/g)).toHaveLength(2);
    expect(svg.match(/class="point keepalived"/g)).toHaveLength(2);
    for (const label of ['koi default', 'koi fast', 'keepalived advert_int 1', 'keepalived advert_int &lt;0.1&gt;', 'curve &amp; test']) expect(svg).toContain(label);
    expect(svg).not.toContain('<0.1>');
    expect(svg).toContain('stall 17 ms');
  });

  it('puts more CPU to the right and slower failover higher, on log scales', () => {
    const kx = attrs('point koi', 'cx');
    const ky = attrs('point koi', 'cy');
    expect(kx[1]).toBeGreaterThan(kx[0]);
    expect(ky[1]).toBeGreaterThan(ky[0]);
    const { x, y } = layout(rows, 820, 520);
    expect(x.at(1) - x.at(0.1)).toBeCloseTo(x.at(10) - x.at(1), 6);
    expect(y.at(0.1) - y.at(1)).toBeCloseTo(y.at(1) - y.at(10), 6);
    // The koi points sit where the layout puts their CPU and slower failover case.
    expect(kx[0]).toBeCloseTo(x.at(0.4), 0);
    expect(ky[0]).toBeCloseTo(y.at(2.2), 0);
  });

  it('draws a CPU below one tick at the tick, as an open marker', () => {
    const { x } = layout(rows, 820, 520);
    const kaX = attrs('point keepalived', 'x');
    expect(kaX[0] + 6).toBeCloseTo(x.at(0.033), 0);
    expect(svg).toMatch(/class="point keepalived"[^>]*fill="white"/);
    expect(svg).toContain('CPU ≤ resolution');
  });
});
