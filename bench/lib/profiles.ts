/**
 * Timing profiles the benchmarks run with: the built-in defaults, and the
 * `time` section of examples/fast.conf (read with the real koi.conf parser,
 * so the benchmark always measures what the file ships).
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { parseKoiConf } from '../../core/config/koi-conf-parser';
import { REPO_ROOT } from '../../scripts/lib/cluster';

export interface Profile {
  name: 'default' | 'fast';
  /** `time` keys as written in koi.conf. */
  time: Record<string, string>;
  /** Parsed values in ms, for the benchmark's own waits. */
  timeMs: Record<string, number>;
}

export const FAST_CONF = path.join(REPO_ROOT, 'examples', 'fast.conf');

export function defaultProfile(): Profile {
  return { name: 'default', time: {}, timeMs: {} };
}

export function fastProfile(file = FAST_CONF): Profile {
  const parsed = parseKoiConf(fs.readFileSync(file, 'utf8'), file);
  if (parsed.problems.length > 0) throw new Error(`${file}: ${parsed.problems.map((p) => `line ${p.line}: ${p.message}`).join('; ')}`);
  const section = parsed.root.entries.find((e) => e.kind === 'section' && e.name === 'time');
  if (!section || section.kind !== 'section') throw new Error(`${file}: no time section`);
  const time: Record<string, string> = {};
  const timeMs: Record<string, number> = {};
  for (const entry of section.entries) {
    if (entry.kind !== 'value') continue;
    time[entry.key] = entry.text;
    if (entry.scalar.type === 'duration' || entry.scalar.type === 'number') timeMs[entry.key] = entry.scalar.value;
  }
  return { name: 'fast', time, timeMs };
}
