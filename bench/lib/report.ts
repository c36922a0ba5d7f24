/** Renders benchmark results as markdown and writes them into docs/performance.md. */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { REPO_ROOT } from '../../scripts/lib/cluster';
import { secs, type Summary } from './stats';

export const PERFORMANCE_MD = path.join(REPO_ROOT, 'docs', 'performance.md');

export interface Target {
  what: string;
  target: string;
  measured: string;
  met: boolean;
  /** How far off when missed, e.g. "+0.05 s (20 %)". */
  miss?: string;
}

export function summaryRow(label: string, s: Summary, extra = ''): string {
  return `| ${label} | ${s.n} | ${secs(s.median)} | ${secs(s.p90)} | ${secs(s.max)} | ${secs(s.min)} |${extra}`;
}

export function targetTable(targets: Target[]): string {
  return [
    '| figure | target | measured | met? |',
    '| --- | --- | --- | --- |',
    ...targets.map((t) => `| ${t.what} | ${t.target} | ${t.measured} | ${t.met ? 'yes' : `**no** (${t.miss ?? 'missed'})`} |`),
  ].join('\n');
}

/**
 * Replace the `## <title>` section of docs/performance.md (up to the next
 * `## ` heading) with `section`, or append it; other sections (e.g. "## Codec",
 * written by `npm run bench:codec`) are kept.
 */
export function writeSection(title: string, section: string, file = PERFORMANCE_MD): void {
  let doc = fs.existsSync(file) ? fs.readFileSync(file, 'utf8') : '# Performance\n';
  const heading = `## ${title}`;
  const start = doc.indexOf(`\n${heading}\n`);
  const body = `${section.trimEnd()}\n`;
  if (start < 0) {
    doc = `${doc.trimEnd()}\n\n${body}`;
  } else {
    const next = doc.indexOf('\n## ', start + 1 + heading.length);
    doc = doc.slice(0, start + 1) + body + (next < 0 ? '' : `\n${doc.slice(next + 1)}`);
  }
  fs.writeFileSync(file, doc);
}
