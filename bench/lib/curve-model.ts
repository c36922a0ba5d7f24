/**
 * The trade-off curve as data: one row per koi profile or keepalived
 * advert_int, the table of docs/performance.md, and whether a koi profile
 * dominates each keepalived point (no slower failover, no worse stall
 * tolerance; CPU may be higher, and by how much is said).
 */
export interface Tolerance {
  /** Largest stall that passed; null when even the shortest tried failed. */
  largestPassMs: number | null;
  /** Smallest stall that failed; null when none failed (the tolerance is at least largestPassMs). */
  smallestFailMs: number | null;
}

export interface CurveRow {
  family: 'koi' | 'keepalived';
  /** Profile name, or `advert_int 1` for keepalived. */
  name: string;
  /** Failover medians, ms: the master is a plain runner / also the leader (koi); keepalived has one case (`plain`). */
  failoverMs: { plain: number; leader?: number };
  /** Idle CPU of the busiest node (keepalived: instance = keepalived + its VRRP child), % of one core. */
  cpuPercent: number;
  /** The CPU reading's step over the idle window, % of a core (bench/lib/proc.ts cpuResolutionS: one clock tick without schedstat): a CPU below it reads as 0. */
  cpuResolution: number;
  /** RSS of the largest node (keepalived: both processes), MB. */
  rssMB: number;
  /** Stall tolerance of the master; for koi also of the leader when measured. */
  stall: { master: Tolerance; leader?: Tolerance };
}

/** The slower of the failover cases (NaN when none was measured). */
export function worstFailoverMs(row: CurveRow): number {
  const cases = [row.failoverMs.plain, row.failoverMs.leader].filter((v): v is number => v !== undefined);
  return cases.some((v) => !Number.isFinite(v)) || cases.length === 0 ? NaN : Math.max(...cases);
}

/** The stall searches a row has: the master's, and the leader's when measured. */
function tolerancesOf(row: CurveRow): Tolerance[] {
  return [row.stall.master, row.stall.leader].filter((t): t is Tolerance => t !== undefined);
}

/** The stall every measured node survives: the smallest of the largest passes (0 when one failed at the shortest). */
export function stallToleranceMs(row: CurveRow): number {
  const tolerances = tolerancesOf(row);
  return Math.min(...tolerances.map((t) => t.largestPassMs ?? 0));
}

/** The stall figure of stallToleranceMs as text: "120 ms", "< 6 ms" (even the shortest failed), "≥ 12800 ms" (none failed). */
export function stallToleranceText(row: CurveRow): string {
  const tolerances = tolerancesOf(row);
  const worst = [...tolerances].sort((a, b) => (a.largestPassMs ?? 0) - (b.largestPassMs ?? 0))[0];
  if (worst.largestPassMs === null) return worst.smallestFailMs === null ? 'n/a' : `< ${worst.smallestFailMs} ms`;
  return `${worst.smallestFailMs === null ? '≥ ' : ''}${worst.largestPassMs} ms`;
}

/** The CPU as plotted and compared: a reading below the resolution counts as the resolution (an upper bound). */
export function cpuUpperBound(row: CurveRow): { value: number; bound: boolean } {
  return row.cpuPercent > 0 ? { value: row.cpuPercent, bound: false } : { value: row.cpuResolution, bound: true };
}

/** koi rows that dominate `point`: failover no slower (worst case against worst case) and stall tolerance no worse. */
export function dominators(point: CurveRow, rows: readonly CurveRow[]): CurveRow[] {
  const failover = worstFailoverMs(point);
  const stall = stallToleranceMs(point);
  return rows.filter((r) => r.family === 'koi'
    && Number.isFinite(worstFailoverMs(r)) && Number.isFinite(failover)
    && worstFailoverMs(r) <= failover
    && stallToleranceMs(r) >= stall);
}

function pct(v: number): string {
  return v >= 1 ? v.toFixed(1) : v >= 0.1 ? v.toFixed(2) : v.toFixed(3);
}

function cpuText(row: CurveRow): string {
  if (!Number.isFinite(row.cpuPercent)) return 'n/a';
  const cpu = cpuUpperBound(row);
  return `${cpu.bound ? '< ' : ''}${pct(cpu.value)} %`;
}

/** How much more CPU `koi` uses than `other`: "+1.9 points (≈ 24×)", or "(≥ 24×)" when `other` read below the resolution. */
export function cpuExcess(koi: CurveRow, other: CurveRow): string {
  const k = koi.cpuPercent;
  const o = cpuUpperBound(other);
  const diff = k - (o.bound ? 0 : o.value);
  const sign = diff >= 0 ? '+' : '−';
  const ratio = k / o.value;
  return `${sign}${pct(Math.abs(diff))} points of a core (${o.bound ? '≥ ' : '≈ '}${ratio >= 10 ? ratio.toFixed(0) : ratio.toFixed(1)}×)`;
}

function seconds(ms: number | undefined): string {
  return ms === undefined ? '—' : Number.isFinite(ms) ? (ms / 1000).toFixed(3) : 'n/a';
}

export function toleranceText(t: Tolerance | undefined): string {
  if (!t) return '—';
  if (t.largestPassMs === null && t.smallestFailMs === null) return 'n/a';
  if (t.largestPassMs === null) return `< ${t.smallestFailMs} ms`;
  if (t.smallestFailMs === null) return `≥ ${t.largestPassMs} ms`;
  return `${t.largestPassMs} ms (fails at ${t.smallestFailMs})`;
}

/**
 * Stall survived minus the slower failover (ms; NaN when either is missing). A profile dominates a point
 * only when its stall tolerance is no shorter and its failover no slower, so only when its headroom is at
 * least the point's. A design that never runs two masters keeps it below −lease_margin: the replacement
 * of a master that fell silent promotes only after that master's lease provably ended, so a stall that
 * lasts into that gap ends its role (docs/performance.md "Why no koi profile dominates keepalived").
 */
export function stallHeadroomMs(row: CurveRow): number {
  const tolerances = tolerancesOf(row);
  // No stall passed (or none was tried): the tolerance is unknown, not 0.
  if (tolerances.length === 0 || tolerances.some((t) => t.largestPassMs === null)) return NaN;
  return stallToleranceMs(row) - worstFailoverMs(row);
}

/** The headroom of every row, as one sentence for the Dominance section ("≥" when no stall failed). */
export function headroomLine(rows: readonly CurveRow[]): string {
  const text = (r: CurveRow) => {
    const h = Math.round(stallHeadroomMs(r));
    const atLeast = tolerancesOf(r).some((t) => t.smallestFailMs === null) ? '≥ ' : '';
    return `${r.family === 'koi' ? 'koi ' : 'keepalived '}${r.name} ${Number.isFinite(h) ? `${atLeast}${h > 0 ? '+' : h < 0 ? '−' : ''}${Math.abs(h)} ms` : 'n/a'}`;
  };
  return `Stall survived minus the slower failover (a profile can dominate a point only with at least the point's figure): ${rows.map(text).join(', ')}.`;
}

/** One line per keepalived point: which koi profiles dominate it, and the CPU the cheapest of them costs on top. */
export function dominationLines(rows: readonly CurveRow[]): string[] {
  return rows.filter((r) => r.family === 'keepalived').map((point) => {
    const head = `keepalived ${point.name} (failover ${seconds(worstFailoverMs(point))} s, stall tolerance ${toleranceText(point.stall.master)}, CPU ${cpuText(point)})`;
    const by = dominators(point, rows);
    if (by.length === 0) {
      const koi = rows.filter((r) => r.family === 'koi' && Number.isFinite(worstFailoverMs(r)));
      const faster = koi.filter((r) => worstFailoverMs(r) <= worstFailoverMs(point));
      const why = faster.length === 0
        ? 'no koi profile fails over as fast'
        : `the profiles that fail over as fast (${faster.map((r) => `${r.name} ${stallToleranceText(r)}`).join(', ')}) survive shorter stalls than its ${stallToleranceText(point)}`;
      // The nearest koi point all the same: of those as fast, the sturdiest; else the fastest.
      const nearest = faster.length
        ? [...faster].sort((a, b) => stallToleranceMs(b) - stallToleranceMs(a))[0]
        : [...koi].sort((a, b) => worstFailoverMs(a) - worstFailoverMs(b))[0];
      const cpu = nearest && Number.isFinite(nearest.cpuPercent) ? `; the nearest, ${nearest.name}, uses ${cpuExcess(nearest, point)} more CPU per node` : '';
      return `${head}: **not dominated** — ${why}${cpu}.`;
    }
    const cheapest = [...by].sort((a, b) => a.cpuPercent - b.cpuPercent)[0];
    return `${head}: dominated by ${by.map((r) => r.name).join(', ')}; the cheapest, ${cheapest.name}, uses ${cpuExcess(cheapest, point)} more CPU per node.`;
  });
}

/** The markdown table of the curve. */
export function curveTable(rows: readonly CurveRow[]): string {
  return [
    '| setup | failover, plain-runner master s | failover, master is leader s | idle CPU % of a core (busiest node) | RSS MB (largest node) | master stall survived | leader stall survived |',
    '| --- | ---: | ---: | ---: | ---: | ---: | ---: |',
    ...rows.map((r) => `| ${r.family === 'koi' ? `koi ${r.name}` : `keepalived ${r.name}`} | ${seconds(r.failoverMs.plain)} | ${r.family === 'keepalived' ? '(one case)' : seconds(r.failoverMs.leader)} | ${cpuText(r)} | ${Number.isFinite(r.rssMB) ? r.rssMB.toFixed(1) : 'n/a'} | ${toleranceText(r.stall.master)} | ${toleranceText(r.stall.leader)} |`),
  ].join('\n');
}
