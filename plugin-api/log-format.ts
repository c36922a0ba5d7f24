/**
 * The human-readable line of a log record, shared by the console, file and
 * syslog sinks:  `HH:MM:SS.mmm LEVEL [component/service:event] message key=value…`
 */
import type { LogLevel, LogRecord } from './logger';
import { escapeControl } from './names';

export interface FormatOptions {
  /** ANSI colour by level. */
  color: boolean;
  /** Lead with the local time `HH:MM:SS.mmm` (default true). */
  time?: boolean;
  /** Show the level name (default true). */
  level?: boolean;
}

const RESET = '\x1b[0m';
const DIM = '\x1b[2m';
export const LEVEL_COLORS: Record<LogLevel, string> = {
  trace: '\x1b[90m',
  debug: '\x1b[36m',
  info: '\x1b[32m',
  warn: '\x1b[33m',
  error: '\x1b[31m',
  fatal: '\x1b[1;35m',
};

/** Fields shown in the tag or elsewhere, not as key=value. */
const SHOWN = new Set(['level', 'time', 'msg', 'component', 'plugin', 'service', 'event']);

export function formatRecord(record: LogRecord, options: FormatOptions): string {
  const parts: string[] = [];
  if (options.time !== false) parts.push(clockTime(record.time));
  if (options.level !== false) {
    const level = record.level.toUpperCase().padEnd(5);
    parts.push(options.color ? `${LEVEL_COLORS[record.level]}${level}${RESET}` : level);
  }
  // Control characters from names, script output or remote nodes are escaped: a line cannot recolour the terminal or forge a line.
  const tag = escapeControl(tagOf(record));
  if (tag) parts.push(options.color ? `${DIM}[${tag}]${RESET}` : `[${tag}]`);
  let message = escapeControl(record.msg ?? '', { keepLines: true });
  if (options.color && (record.level === 'error' || record.level === 'fatal')) message = `${LEVEL_COLORS[record.level]}${message}${RESET}`;
  if (message !== '') parts.push(message);
  // One place for each fact: a field whose value the message already says is not repeated after it.
  const said = record.msg ?? '';
  const extras = Object.keys(record)
    .filter((key) => !SHOWN.has(key) && record[key] !== undefined && !repeats(said, record[key]))
    .map((key) => escapeControl(`${key}=${formatValue(record[key])}`));
  if (extras.length) parts.push(options.color ? `${DIM}${extras.join(' ')}${RESET}` : extras.join(' '));
  return parts.join(' ');
}

/** `component/service:event`, or the plugin name when no component is bound. */
export function tagOf(record: LogRecord): string {
  let tag = typeof record.component === 'string' ? record.component : typeof record.plugin === 'string' ? record.plugin : '';
  if (typeof record.service === 'string') tag = tag ? `${tag}/${record.service}` : record.service;
  if (typeof record.event === 'string') tag = `${tag}:${record.event}`;
  return tag;
}

export function clockTime(epochMs: number): string {
  const d = new Date(epochMs);
  const pad = (n: number, w = 2): string => String(n).padStart(w, '0');
  return `${pad(d.getHours())}:${pad(d.getMinutes())}:${pad(d.getSeconds())}.${pad(d.getMilliseconds(), 3)}`;
}

/** The message already carries this value (a string or number of two characters or more). */
function repeats(message: string, value: unknown): boolean {
  if (typeof value === 'number') value = String(roundNumber(value));
  return typeof value === 'string' && value.length >= 2 && message.includes(value);
}

/** Measured numbers (durations) keep no false precision: 3084.0796230000005 → 3084, 1.23456 → 1.23. */
function roundNumber(value: number): number {
  if (Number.isInteger(value) || !Number.isFinite(value)) return value;
  return Math.abs(value) >= 10 ? Math.round(value) : Math.round(value * 100) / 100;
}

/** A duration for a log line: `850 ms`, `2.5 s`, `40 s`, `10 min`, `2 min 30 s`. */
export function formatSeconds(ms: number): string {
  if (ms < 1000) return `${Math.round(ms)} ms`;
  if (ms < 10_000) return `${Math.round(ms / 100) / 10} s`;
  const s = Math.round(ms / 1000);
  if (s < 120) return `${s} s`;
  const rest = s % 60;
  return `${Math.floor(s / 60)} min${rest ? ` ${rest} s` : ''}`;
}

function formatValue(value: unknown): string {
  if (typeof value === 'string') return /^[^\s"=]+$/.test(value) ? value : JSON.stringify(value);
  if (typeof value === 'number') return String(roundNumber(value));
  if (typeof value === 'boolean' || value === null) return String(value);
  if (isSerializedError(value)) return JSON.stringify(value.message);
  try {
    return JSON.stringify(value) ?? String(value);
  } catch {
    return String(value);
  }
}

function isSerializedError(value: unknown): value is { message: string } {
  return !!value && typeof value === 'object' && typeof (value as { message?: unknown }).message === 'string'
    && ('stack' in (value as object) || 'type' in (value as object));
}
