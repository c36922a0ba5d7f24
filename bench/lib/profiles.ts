/**
 * Timing profiles the benchmarks run with. CURVE_PROFILES is the one table
 * of them (`npm run bench:curve` measures each; `npm run bench` the default
 * and the fast one): a name and the `time` keys it overrides, written as in
 * koi.conf, or the koi.conf file whose `time` section it is (the fast
 * profile is whatever examples/fast.conf ships). Every profile is read back
 * with the real koi.conf parser, so a value koi would refuse fails here too.
 * Retune the profiles here and nowhere else.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { parseKoiConf } from '../../core/config/koi-conf-parser';
import { TIME_DEFAULTS } from '../../core/config/timing-defaults';
import { REPO_ROOT } from '../../scripts/lib/cluster';

export interface Profile {
  name: string;
  /** `time` keys as written in koi.conf (overrides of the built-in defaults). */
  time: Record<string, string>;
  /** Parsed values in ms, for the benchmark's own waits. */
  timeMs: Record<string, number>;
  /** Where the values come from, for the report: "built-in defaults", "examples/fast.conf" or "bench/lib/profiles.ts". */
  source: string;
}

export interface ProfileSpec {
  name: string;
  /** `time` overrides as written in koi.conf ... */
  time?: Record<string, string>;
  /** ... or the koi.conf file (relative to the repository) whose `time` section is the profile. */
  file?: string;
}

export const FAST_CONF = path.join(REPO_ROOT, 'examples', 'fast.conf');

/**
 * The trade-off curve's profiles, slowest to fastest. The two in between
 * split the way from the defaults to the fast profile: heartbeat interval,
 * lease chain and failure detection shrink together and keep the relations
 * checked at start (core/node/cluster-check.ts; test/unit/bench/curve.test.ts
 * runs that check on every row).
 */
export const CURVE_PROFILES: readonly ProfileSpec[] = [
  // Slower than the defaults: a heartbeat where protocol 5's bounds of their own matter (δ 50, S 100, F 238 ms
  // instead of I, 2·I, 3·I + 2 %: a 378 ms lease margin floor, not 1 050), a quarter of the defaults' datagrams. The lease
  // outlasts a leader change (standing, candidacy, a round of answers and an elector tick ≈ 1.5–1.7 s since the
  // quick renewal of an inherited master, R5; ≈ 2.2 s with the Master claim's ack window before it).
  {
    name: 'slow',
    time: {
      cluster_update_interval: '200ms',
      leader_dead_time: '800ms',
      master_dead_time: '1200ms',
      node_timeout: '2s',
      master_lease: '1800ms',
      lease_margin: '400ms',
    },
  },
  { name: 'default', time: {} },
  {
    name: 'medium',
    time: {
      cluster_update_interval: '25ms',
      elector_tick_interval: '100ms',
      runner_tick_interval: '100ms',
      state_update_interval: '500ms',
      master_dead_time: '500ms',
      node_timeout: '500ms',
      master_lease: '600ms',
      lease_margin: '150ms',
      elector_startup_tolerance: '250ms',
      elector_lost_time: '1500ms',
    },
  },
  {
    name: 'brisk',
    time: {
      cluster_update_interval: '15ms',
      elector_tick_interval: '40ms',
      runner_tick_interval: '40ms',
      state_update_interval: '40ms',
      master_dead_time: '200ms',
      node_timeout: '400ms',
      master_lease: '150ms',
      lease_margin: '85ms',
      elector_startup_tolerance: '150ms',
      elector_lost_time: '1s',
    },
  },
  { name: 'fast', file: 'examples/fast.conf' },
];

/** The `time { }` section of a profile's overrides, as koi.conf text. */
export function timeSectionText(time: Record<string, string>): string {
  return `time {\n${Object.entries(time).map(([key, value]) => `  ${key} ${value}`).join('\n')}\n}\n`;
}

/**
 * The `time` section of koi.conf text, read with the real parser. `where(line)` names the place of a problem
 * (file:line for a file; the profile for a row of the table, whose text is generated).
 */
export function readTimeSection(text: string, where: (line: number) => string): Pick<Profile, 'time' | 'timeMs'> {
  const parsed = parseKoiConf(text, where(0));
  if (parsed.problems.length > 0) throw new Error(parsed.problems.map((p) => `${where(p.line)}: ${p.message}`).join('; '));
  const section = parsed.root.entries.find((e) => e.kind === 'section' && e.name === 'time');
  if (!section || section.kind !== 'section') throw new Error(`${where(0)}: no time section`);
  const time: Record<string, string> = {};
  const timeMs: Record<string, number> = {};
  for (const entry of section.entries) {
    if (entry.kind !== 'value') throw new Error(`${where(entry.line)}: time.${entry.name} is a section, expected a duration`);
    if (!(entry.key in TIME_DEFAULTS)) throw new Error(`${where(entry.line)}: time.${entry.key} is not a koi time key`);
    if (entry.scalar.type !== 'duration' && entry.scalar.type !== 'number') {
      throw new Error(`${where(entry.line)}: time.${entry.key} "${entry.text}" is not a duration`);
    }
    time[entry.key] = entry.text;
    timeMs[entry.key] = entry.scalar.value;
  }
  return { time, timeMs };
}

/** A row of the table made into a profile (the file read, the overrides parsed). */
export function loadProfile(spec: ProfileSpec): Profile {
  if (spec.file !== undefined) {
    const file = path.resolve(REPO_ROOT, spec.file);
    return { name: spec.name, ...readTimeSection(fs.readFileSync(file, 'utf8'), (line) => `${file}:${line}`), source: path.relative(REPO_ROOT, file) };
  }
  const time = spec.time ?? {};
  if (Object.keys(time).length === 0) return { name: spec.name, time: {}, timeMs: {}, source: 'built-in defaults' };
  const where = (): string => `bench/lib/profiles.ts, profile '${spec.name}'`;
  return { name: spec.name, ...readTimeSection(timeSectionText(time), where), source: 'bench/lib/profiles.ts' };
}

export function profileSpec(name: string): ProfileSpec {
  const spec = CURVE_PROFILES.find((p) => p.name === name);
  if (!spec) throw new Error(`no profile '${name}' in bench/lib/profiles.ts (have: ${CURVE_PROFILES.map((p) => p.name).join(', ')})`);
  return spec;
}

/** Every time key's value in ms for this profile: its overrides on top of the built-in defaults. */
export function effectiveTimeMs(profile: Profile): Record<string, number> & typeof TIME_DEFAULTS {
  return { ...TIME_DEFAULTS, ...profile.timeMs };
}

export function defaultProfile(): Profile {
  return loadProfile(profileSpec('default'));
}

export function fastProfile(): Profile {
  return loadProfile(profileSpec('fast'));
}
