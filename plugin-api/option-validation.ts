/**
 * Validates a plugin's options against the schema it exports, with errors
 * worded like config errors: `file:line: plugins.<name>.<option>: what is wrong`,
 * sorted by line. koi.conf values may arrive as strings; they are coerced to
 * the declared type. Shared by the daemon's plugin host, `koi check` and
 * `createTestContext()`.
 */
import * as path from 'node:path';
import type { ConfigOrigin, PluginEntry, PluginOptions } from './config';
import { formatDuration, parseDuration } from './durations';
import type { OptionProblem, OptionSpec, OptionsSchema } from './plugin';
import { errorMessage } from './errors';

export interface OptionsResult {
  options: PluginOptions;
  /** `file:line: plugins.<name>.<option>: problem`, in line order. */
  problems: string[];
}

const TRUE_WORDS = new Set(['true', 'yes', 'on', '1']);
const FALSE_WORDS = new Set(['false', 'no', 'off', '0']);

/** `file:line: ` (or `file: ` when the source has no line numbers, as JSON has not), '' when unknown. */
export function originPrefix(origin: ConfigOrigin | undefined): string {
  if (!origin) return '';
  return origin.line > 0 ? `${origin.file}:${origin.line}: ` : `${origin.file}: `;
}

/** `check`: the plugin's `checkOptions`, run on the typed options once the schema passed. */
export function validatePluginOptions(
  entry: PluginEntry, schema: OptionsSchema | undefined, check?: (options: PluginOptions) => OptionProblem[],
): OptionsResult {
  const found: Array<{ line: number; order: number; text: string }> = [];
  const options: PluginOptions = {};
  const given = entry.options ?? {};
  const baseDir = entry.baseDir ?? process.cwd();
  const problem = (key: string | undefined, text: string): void => {
    const origin = (key !== undefined ? entry.optionOrigins?.[key] : undefined) ?? entry.origin;
    found.push({
      line: origin?.line ?? 0,
      order: found.length,
      text: `${originPrefix(origin)}plugins.${entry.name}${key !== undefined ? `.${key}` : ''}: ${text}`,
    });
  };

  if (!schema) {
    for (const key of Object.keys(given)) problem(key, 'unknown option (the plugin declares no options)');
    return { options: { ...given }, problems: sorted(found) };
  }
  for (const key of Object.keys(given)) {
    if (!Object.prototype.hasOwnProperty.call(schema, key)) problem(key, `unknown option (known: ${Object.keys(schema).join(', ') || 'none'})`);
  }
  for (const [key, spec] of Object.entries(schema)) {
    const raw = given[key];
    if (raw === undefined) {
      if (spec.required) problem(key, `required option missing (${spec.description})`);
      else if (spec.default !== undefined) {
        // Defaults are written like koi.conf values ('5s'): coerce them the same way.
        const coerced = coerceOption(Array.isArray(spec.default) ? [...spec.default] : spec.default, spec, baseDir);
        if (coerced.ok) options[key] = coerced.value;
        else problem(key, `the plugin's own default is invalid: ${coerced.problem}`);
      }
      continue;
    }
    const coerced = coerceOption(raw, spec, baseDir);
    if (!coerced.ok) problem(key, coerced.problem);
    else options[key] = coerced.value;
  }
  if (found.length === 0 && check) {
    let more: OptionProblem[];
    try {
      more = check(options);
    } catch (err) {
      more = [{ problem: `checkOptions threw: ${errorMessage(err)}` }];
    }
    for (const p of more) problem(p.option !== undefined && Object.prototype.hasOwnProperty.call(schema, p.option) ? p.option : undefined, p.problem);
  }
  return { options, problems: sorted(found) };
}

function sorted(found: Array<{ line: number; order: number; text: string }>): string[] {
  return found.sort((a, b) => a.line - b.line || a.order - b.order).map((f) => f.text);
}

type Coerced = { ok: true; value: unknown } | { ok: false; problem: string };

/** Convert one value to the spec's type; `baseDir` resolves relative `path` values. */
export function coerceOption(raw: unknown, spec: OptionSpec, baseDir: string = process.cwd()): Coerced {
  const shown = typeof raw === 'string' ? JSON.stringify(raw) : String(raw);
  switch (spec.type) {
    case 'string':
    case 'path': {
      if (typeof raw !== 'string' && typeof raw !== 'number' && typeof raw !== 'boolean') return bad(`expected a ${spec.type === 'path' ? 'path' : 'string'}, got ${typeName(raw)}`);
      const value = String(raw);
      if (spec.enum && !spec.enum.includes(value)) return bad(`${shown} is not one of ${spec.enum.join(', ')}`);
      if (spec.type === 'path') return value === '' ? bad('expected a path, got ""') : { ok: true, value: path.resolve(baseDir, value) };
      return { ok: true, value };
    }
    case 'number':
    case 'integer': {
      const value = typeof raw === 'number' ? raw : typeof raw === 'string' && raw.trim() !== '' ? Number(raw) : NaN;
      if (!Number.isFinite(value)) return bad(`expected ${spec.type === 'integer' ? 'an integer' : 'a number'}, got ${shown}`);
      if (spec.type === 'integer' && !Number.isInteger(value)) return bad(`expected an integer, got ${shown}`);
      return inRange(value, spec, shown, String);
    }
    case 'duration': {
      let value: number;
      try {
        if (typeof raw !== 'number' && typeof raw !== 'string') throw new Error('not text');
        value = parseDuration(raw);
      } catch {
        return bad(`expected a duration (a number of ms, or with ms/s/m/h: 250ms, 1.5s, 2m), got ${shown}`);
      }
      return inRange(value, spec, shown, formatDuration);
    }
    case 'boolean': {
      if (typeof raw === 'boolean') return { ok: true, value: raw };
      const word = String(raw).toLowerCase();
      if (TRUE_WORDS.has(word)) return { ok: true, value: true };
      if (FALSE_WORDS.has(word)) return { ok: true, value: false };
      return bad(`expected a boolean (true/false, yes/no, on/off), got ${shown}`);
    }
    case 'string[]': {
      let list: unknown[];
      if (Array.isArray(raw)) list = raw;
      else if (typeof raw === 'string') list = raw.split(/[\s,;]+/).filter((s) => s !== '');
      else return bad(`expected a list of strings, got ${typeName(raw)}`);
      const wrong = list.find((v) => typeof v !== 'string');
      if (wrong !== undefined) return bad(`expected a list of strings, found ${typeName(wrong)}`);
      const strings = list as string[];
      const outside = spec.enum ? strings.filter((v) => !spec.enum?.includes(v)) : [];
      if (outside.length) return bad(`${outside.map((v) => JSON.stringify(v)).join(', ')} not one of ${spec.enum?.join(', ')}`);
      return { ok: true, value: strings };
    }
    default: {
      const never: never = spec.type;
      return bad(`the plugin declares an unknown option type ${String(never)}`);
    }
  }
}

/** A bound as ms: numbers as they are, duration texts parsed. */
function boundMs(bound: number | string): number {
  return typeof bound === 'number' ? bound : parseDuration(bound);
}

function inRange(value: number, spec: OptionSpec, shown: string, unit: (n: number) => string): Coerced {
  if (spec.min !== undefined && value < boundMs(spec.min)) return bad(`${shown} is below the minimum ${unit(boundMs(spec.min))}`);
  if (spec.max !== undefined && value > boundMs(spec.max)) return bad(`${shown} is above the maximum ${unit(boundMs(spec.max))}`);
  return { ok: true, value };
}

function bad(problem: string): Coerced {
  return { ok: false, problem };
}

function typeName(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'a list';
  return typeof value === 'object' ? 'a section' : typeof value;
}
