/**
 * Validates a plugin's options against the schema it exports, with errors
 * worded like config errors: `file:line: plugins.<name>.<option>: what is wrong`.
 * koi.conf values may arrive as strings; they are coerced to the declared type.
 */
import type { OptionProblem, OptionSpec, OptionsSchema, PluginEntry, PluginOptions } from '../../plugin-api';

export interface OptionsResult {
  options: PluginOptions;
  problems: string[];
}

const DURATION = /^(\d+(?:\.\d+)?)\s*(ms|s|m|h)?$/;
const DURATION_UNIT: Record<string, number> = { ms: 1, s: 1000, m: 60_000, h: 3_600_000 };
const TRUE_WORDS = new Set(['true', 'yes', 'on', '1']);
const FALSE_WORDS = new Set(['false', 'no', 'off', '0']);

export function validatePluginOptions(
  entry: PluginEntry, schema: OptionsSchema | undefined, check?: (options: PluginOptions) => OptionProblem[],
): OptionsResult {
  const problems: string[] = [];
  const options: PluginOptions = {};
  const given = entry.options ?? {};
  const where = (key?: string): string => {
    const origin = (key !== undefined ? entry.optionOrigins?.[key] : undefined) ?? entry.origin;
    const prefix = origin ? `${origin.file}:${origin.line}: ` : '';
    return `${prefix}plugins.${entry.name}${key !== undefined ? `.${key}` : ''}`;
  };

  if (!schema) {
    for (const key of Object.keys(given)) problems.push(`${where(key)}: unknown option (the plugin declares no options)`);
    return { options: { ...given }, problems };
  }
  for (const key of Object.keys(given)) {
    if (!Object.prototype.hasOwnProperty.call(schema, key)) {
      problems.push(`${where(key)}: unknown option (known: ${Object.keys(schema).join(', ') || 'none'})`);
    }
  }
  for (const [key, spec] of Object.entries(schema)) {
    const raw = given[key];
    if (raw === undefined) {
      if (spec.required) problems.push(`${where(key)}: required option missing (${spec.description})`);
      else if (spec.default !== undefined) {
        // Defaults are written like koi.conf values ('5s'): coerce them the same way.
        const coerced = coerceOption(Array.isArray(spec.default) ? [...spec.default] : spec.default, spec);
        if (coerced.ok) options[key] = coerced.value;
        else problems.push(`${where(key)}: the plugin's own default is invalid: ${coerced.problem}`);
      }
      continue;
    }
    const coerced = coerceOption(raw, spec);
    if (!coerced.ok) problems.push(`${where(key)}: ${coerced.problem}`);
    else options[key] = coerced.value;
  }
  // The plugin's own checks see only options that passed the schema.
  if (problems.length === 0 && check) {
    let found: OptionProblem[];
    try {
      found = check(options);
    } catch (err) {
      found = [{ problem: `checkOptions threw: ${err instanceof Error ? err.message : String(err)}` }];
    }
    for (const p of found) problems.push(`${where(p.option !== undefined && Object.prototype.hasOwnProperty.call(schema, p.option) ? p.option : undefined)}: ${p.problem}`);
  }
  return { options, problems };
}

type Coerced = { ok: true; value: unknown } | { ok: false; problem: string };

export function coerceOption(raw: unknown, spec: OptionSpec): Coerced {
  const shown = typeof raw === 'string' ? JSON.stringify(raw) : String(raw);
  switch (spec.type) {
    case 'string': {
      if (typeof raw !== 'string' && typeof raw !== 'number' && typeof raw !== 'boolean') return bad(`expected a string, got ${typeName(raw)}`);
      const value = String(raw);
      if (spec.enum && !spec.enum.includes(value)) return bad(`${shown} is not one of ${spec.enum.join(', ')}`);
      return { ok: true, value };
    }
    case 'number':
    case 'integer': {
      const value = typeof raw === 'number' ? raw : typeof raw === 'string' && raw.trim() !== '' ? Number(raw) : NaN;
      if (!Number.isFinite(value)) return bad(`expected ${spec.type === 'integer' ? 'an integer' : 'a number'}, got ${shown}`);
      if (spec.type === 'integer' && !Number.isInteger(value)) return bad(`expected an integer, got ${shown}`);
      return inRange(value, spec, shown);
    }
    case 'duration': {
      let value: number;
      if (typeof raw === 'number') value = raw;
      else if (typeof raw === 'string' && DURATION.test(raw.trim())) {
        const [, amount, unit] = DURATION.exec(raw.trim()) as RegExpExecArray;
        value = Number(amount) * DURATION_UNIT[unit ?? 'ms'];
      } else return bad(`expected a duration (number of ms, or with ms/s/m/h), got ${shown}`);
      if (!Number.isFinite(value) || value < 0) return bad(`expected a non-negative duration, got ${shown}`);
      return inRange(Math.round(value), spec, shown);
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

function inRange(value: number, spec: OptionSpec, shown: string): Coerced {
  if (spec.min !== undefined && value < spec.min) return bad(`${shown} is below the minimum ${spec.min}`);
  if (spec.max !== undefined && value > spec.max) return bad(`${shown} is above the maximum ${spec.max}`);
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
