/**
 * The trade-off chart as SVG text: idle CPU per node (x, log scale) against
 * failover time (y, log scale), one point per koi profile (the slower of the
 * two failover cases; a bar reaches to the other) and per keepalived
 * advert_int, each labelled with its name and the stall it survives. A CPU
 * that read below the reading's resolution (one clock tick without schedstat) is drawn there as an upper bound (≤).
 */
import { cpuUpperBound, stallToleranceText, worstFailoverMs, type CurveRow } from './curve-model';

export interface ChartOptions {
  title?: string;
  subtitle?: string;
  width?: number;
  height?: number;
}

const COLORS = { koi: '#1f63b4', keepalived: '#c0392b' } as const;
const MARGIN = { left: 78, right: 24, top: 58, bottom: 62 };

export function escapeXml(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');
}

/** A log scale from the decade at or below `min` to the one at or above `max`. */
export function logScale(min: number, max: number, from: number, to: number): { at: (v: number) => number; lo: number; hi: number } {
  if (!(min > 0) || !(max > 0)) throw new Error(`log scale needs positive values, got ${min}..${max}`);
  // A little room so no point sits on the frame.
  let lo = 10 ** Math.floor(Math.log10(min / 1.25));
  let hi = 10 ** Math.ceil(Math.log10(max * 1.25));
  if (hi <= lo) hi = lo * 10;
  // Snap tiny floating-point noise (0.30000000000000004).
  lo = Number(lo.toPrecision(6));
  hi = Number(hi.toPrecision(6));
  const span = Math.log10(hi) - Math.log10(lo);
  return { lo, hi, at: (v: number) => from + ((Math.log10(v) - Math.log10(lo)) / span) * (to - from) };
}

/** 1, 2, 5 times each power of ten in [lo, hi]. */
export function logTicks(lo: number, hi: number): number[] {
  const ticks: number[] = [];
  for (let decade = lo; decade <= hi * 1.0001; decade *= 10) {
    for (const m of [1, 2, 5]) {
      const v = Number((decade * m).toPrecision(6));
      if (v >= lo * 0.9999 && v <= hi * 1.0001) ticks.push(v);
    }
  }
  return ticks;
}

function num(v: number): string {
  return String(Number(v.toPrecision(6)));
}

function px(v: number): string {
  return v.toFixed(1);
}

export interface PlottedPoint {
  row: CurveRow;
  x: number;
  y: number;
}

/** Where each plottable row lands (rows without a failover figure or CPU are left out). */
export function layout(rows: readonly CurveRow[], width: number, height: number): { points: PlottedPoint[]; left: CurveRow[]; x: ReturnType<typeof logScale>; y: ReturnType<typeof logScale> } {
  const plottable = rows.filter((r) => Number.isFinite(worstFailoverMs(r)) && worstFailoverMs(r) > 0 && cpuUpperBound(r).value > 0);
  const left = rows.filter((r) => !plottable.includes(r));
  if (plottable.length === 0) throw new Error('nothing to plot: no row has both a failover time and an idle CPU');
  const cpus = plottable.map((r) => cpuUpperBound(r).value);
  const failovers = plottable.flatMap((r) => [r.failoverMs.plain, r.failoverMs.leader].filter((v): v is number => v !== undefined && v > 0).map((v) => v / 1000));
  const x = logScale(Math.min(...cpus), Math.max(...cpus), MARGIN.left, width - MARGIN.right);
  const y = logScale(Math.min(...failovers), Math.max(...failovers), height - MARGIN.bottom, MARGIN.top);
  return { points: plottable.map((row) => ({ row, x: x.at(cpuUpperBound(row).value), y: y.at(worstFailoverMs(row) / 1000) })), left, x, y };
}

export function drawTradeOffSvg(rows: readonly CurveRow[], options: ChartOptions = {}): string {
  const width = options.width ?? 820;
  const height = options.height ?? 520;
  const { points, left, x, y } = layout(rows, width, height);
  const out: string[] = [];
  out.push(`<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" viewBox="0 0 ${width} ${height}" font-family="sans-serif" font-size="12">`);
  out.push(`<rect width="${width}" height="${height}" fill="white"/>`);
  if (options.title) out.push(`<text x="${width / 2}" y="22" text-anchor="middle" font-size="16" font-weight="bold">${escapeXml(options.title)}</text>`);
  if (options.subtitle) out.push(`<text x="${width / 2}" y="40" text-anchor="middle" font-size="11" fill="#555">${escapeXml(options.subtitle)}</text>`);
  const plotLeft = MARGIN.left;
  const plotRight = width - MARGIN.right;
  const plotTop = MARGIN.top;
  const plotBottom = height - MARGIN.bottom;
  // Grid and ticks.
  out.push('<g class="grid" stroke="#e3e3e3" stroke-width="1">');
  for (const t of logTicks(x.lo, x.hi)) out.push(`<line x1="${px(x.at(t))}" y1="${plotTop}" x2="${px(x.at(t))}" y2="${plotBottom}"/>`);
  for (const t of logTicks(y.lo, y.hi)) out.push(`<line x1="${plotLeft}" y1="${px(y.at(t))}" x2="${plotRight}" y2="${px(y.at(t))}"/>`);
  out.push('</g>');
  out.push(`<rect x="${plotLeft}" y="${plotTop}" width="${plotRight - plotLeft}" height="${plotBottom - plotTop}" fill="none" stroke="#333"/>`);
  out.push('<g class="x-ticks" text-anchor="middle">');
  for (const t of logTicks(x.lo, x.hi)) out.push(`<text x="${px(x.at(t))}" y="${plotBottom + 16}">${num(t)}</text>`);
  out.push('</g>');
  out.push('<g class="y-ticks" text-anchor="end">');
  for (const t of logTicks(y.lo, y.hi)) out.push(`<text x="${plotLeft - 6}" y="${px(y.at(t) + 4)}">${num(t)}</text>`);
  out.push('</g>');
  out.push(`<text class="x-label" x="${(plotLeft + plotRight) / 2}" y="${height - 18}" text-anchor="middle" font-size="13">idle CPU per node, % of one core (log scale)</text>`);
  out.push(`<text class="y-label" transform="translate(18 ${(plotTop + plotBottom) / 2}) rotate(-90)" text-anchor="middle" font-size="13">failover median, s (log scale; slower case)</text>`);
  // One line through each family's points, in table order.
  for (const family of ['koi', 'keepalived'] as const) {
    const own = points.filter((p) => p.row.family === family);
    if (own.length > 1) {
      out.push(`<polyline class="curve-${family}" fill="none" stroke="${COLORS[family]}" stroke-width="1.5" stroke-opacity="0.5"${family === 'keepalived' ? ' stroke-dasharray="5 4"' : ''} points="${own.map((p) => `${px(p.x)},${px(p.y)}`).join(' ')}"/>`);
    }
  }
  for (const p of points) {
    const { row } = p;
    const color = COLORS[row.family];
    const bound = cpuUpperBound(row).bound;
    // The other failover case: a bar from the slower (the point) to the faster.
    const other = row.failoverMs.leader !== undefined ? Math.min(row.failoverMs.plain, row.failoverMs.leader) : undefined;
    if (other !== undefined && other > 0 && other < worstFailoverMs(row)) {
      const y2 = y.at(other / 1000);
      out.push(`<line class="case-bar" x1="${px(p.x)}" y1="${px(p.y)}" x2="${px(p.x)}" y2="${px(y2)}" stroke="${color}" stroke-width="2"/>`);
      out.push(`<line x1="${px(p.x - 5)}" y1="${px(y2)}" x2="${px(p.x + 5)}" y2="${px(y2)}" stroke="${color}" stroke-width="2"/>`);
    }
    const fill = bound ? 'white' : color;
    const marker = row.family === 'koi'
      ? `<circle class="point koi" cx="${px(p.x)}" cy="${px(p.y)}" r="6" fill="${fill}" stroke="${color}" stroke-width="2"/>`
      : `<rect class="point keepalived" x="${px(p.x - 6)}" y="${px(p.y - 6)}" width="12" height="12" fill="${fill}" stroke="${color}" stroke-width="2"/>`;
    out.push(marker);
    const name = `${row.family === 'koi' ? 'koi' : 'keepalived'} ${row.name}`;
    const stall = `stall ${stallToleranceText(row)}${bound ? ', CPU ≤ resolution' : ''}`;
    // Labels to the right, or to the left near the right edge.
    const rightSide = p.x < plotRight - 150;
    const lx = rightSide ? p.x + 10 : p.x - 10;
    const anchor = rightSide ? 'start' : 'end';
    out.push(`<text class="label" x="${px(lx)}" y="${px(p.y - 3)}" text-anchor="${anchor}" fill="${color}" font-weight="bold">${escapeXml(name)}</text>`);
    out.push(`<text class="label-note" x="${px(lx)}" y="${px(p.y + 11)}" text-anchor="${anchor}" fill="#444" font-size="11">${escapeXml(stall)}</text>`);
  }
  // Legend.
  const lx = plotRight - 290;
  const ly = plotTop + 10;
  out.push(`<g class="legend" font-size="11"><rect x="${lx}" y="${ly}" width="282" height="62" fill="white" fill-opacity="0.9" stroke="#bbb"/>`);
  out.push(`<circle cx="${lx + 14}" cy="${ly + 14}" r="5" fill="${COLORS.koi}"/><text x="${lx + 26}" y="${ly + 18}">koi profile (bar: the other failover case)</text>`);
  out.push(`<rect x="${lx + 9}" y="${ly + 27}" width="10" height="10" fill="${COLORS.keepalived}"/><text x="${lx + 26}" y="${ly + 36}">keepalived, by advert_int</text>`);
  out.push(`<text x="${lx + 8}" y="${ly + 54}" fill="#444">stall: longest SIGSTOP survived without failover</text></g>`);
  if (left.length) {
    out.push(`<text class="left-out" x="${plotLeft}" y="${height - 4}" font-size="10" fill="#a00">not plotted (no failover or CPU figure): ${escapeXml(left.map((r) => `${r.family} ${r.name}`).join(', '))}</text>`);
  }
  out.push('</svg>');
  return `${out.join('\n')}\n`;
}
