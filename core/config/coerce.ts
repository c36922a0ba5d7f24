/**
 * Turn one written value into the type its key needs. koi.conf gives text;
 * JSON/YAML/JS give typed values, and text is accepted there too, read the
 * same way as in koi.conf.
 */
import { parseDuration, formatDuration } from './durations';
import { readBooleanWord } from './koi-conf-parser';
import { splitTransportList, parseTransportList, TransportAddressError } from './transport-address';
import type { KeyType } from './schema';

export type Coerced =
  | { ok: true; value: unknown; warning?: string }
  | { ok: false; message: string };

const fail = (message: string): Coerced => ({ ok: false, message });

/** What a value looks like, for messages. */
export function describeValue(value: unknown): string {
  if (typeof value === 'string') return `"${value}"`;
  if (Array.isArray(value)) return 'a list';
  if (value === null) return 'null';
  if (typeof value === 'object') return 'a section';
  return String(value);
}

/** Coerce `value` to `type`. Paths are returned as written (the loader resolves them). */
export function coerceValue(type: KeyType, value: unknown): Coerced {
  switch (type.kind) {
    case 'boolean': {
      if (typeof value === 'boolean') return { ok: true, value };
      const word = typeof value === 'string' ? readBooleanWord(value) : undefined;
      return word === undefined ? fail(`expected true/false (or yes/no, on/off), got ${describeValue(value)}`) : { ok: true, value: word };
    }
    case 'integer': {
      const number = readNumber(value);
      if (number === undefined || !Number.isInteger(number)) return fail(`expected a whole number, got ${describeValue(value)}`);
      if (number < type.min || number > type.max) return fail(`${number} is out of range ${type.min}..${type.max}`);
      return { ok: true, value: number };
    }
    case 'number': {
      const number = readNumber(value);
      if (number === undefined) return fail(`expected a number, got ${describeValue(value)}`);
      if (number >= type.min && number <= type.max) return { ok: true, value: number };
      if (!type.clamp) return fail(`${number} is out of range ${type.min}..${type.max}`);
      const clamped = Math.min(type.max, Math.max(type.min, number));
      return { ok: true, value: clamped, warning: `${number} is out of range ${type.min}..${type.max}; using ${clamped}` };
    }
    case 'duration': {
      if (typeof value !== 'string' && typeof value !== 'number') return fail(`expected a duration, got ${describeValue(value)}`);
      let ms: number;
      try {
        ms = parseDuration(value);
      } catch (error) {
        return fail((error as Error).message);
      }
      if (ms < type.min || ms > type.max) {
        return fail(`${formatDuration(ms)} is out of range ${formatDuration(type.min)}..${formatDuration(type.max)}`);
      }
      return { ok: true, value: ms };
    }
    case 'string': {
      if (typeof value !== 'string') return fail(`expected a string (quote it), got ${describeValue(value)}`);
      if (value.length < type.minLength) return fail(type.minLength === 1 ? 'must not be empty' : `must be at least ${type.minLength} characters`);
      if (value.length > type.maxLength) return fail(`is longer than ${type.maxLength} characters`);
      // eslint-disable-next-line no-control-regex
      if (/[\u0000-\u001f\u007f]/.test(value)) return fail('contains a control character');
      return { ok: true, value };
    }
    case 'path': {
      if (typeof value !== 'string') return fail(`expected a path, got ${describeValue(value)}`);
      if (value.trim() === '') return fail('must not be empty');
      if (value.includes('\0')) return fail('contains a NUL character');
      return { ok: true, value };
    }
    case 'enum': {
      const text = typeof value === 'string' ? value.toLowerCase() : undefined;
      if (text === undefined || !type.values.includes(text)) {
        return fail(`expected one of ${type.values.join('|')}, got ${describeValue(value)}`);
      }
      return { ok: true, value: text };
    }
    case 'transport': {
      const list = Array.isArray(value) && value.every((entry) => typeof entry === 'string') ? (value as string[])
        : typeof value === 'string' ? value : undefined;
      if (list === undefined) return fail(`expected a list of addresses (a string, or a list of strings), got ${describeValue(value)}`);
      // Syntax check now (any port: the real one is applied once all files are merged).
      try {
        parseTransportList(list, 1);
      } catch (error) {
        if (!(error instanceof TransportAddressError)) throw error;
        return fail(error.problems.map((p) => `bad address "${p.entry}": ${p.message}`).join('; '));
      }
      return { ok: true, value: splitTransportList(list) };
    }
    default: {
      const unreachable: never = type;
      throw new Error(`unhandled key type ${JSON.stringify(unreachable)}`);
    }
  }
}

function readNumber(value: unknown): number | undefined {
  if (typeof value === 'number') return Number.isFinite(value) ? value : undefined;
  if (typeof value === 'string' && /^[+-]?(\d+(\.\d+)?|\.\d+)$/.test(value.trim())) return Number(value.trim());
  return undefined;
}
