/**
 * Node and service names: what is allowed, a service name's priority, and how
 * any text that reaches a terminal is made harmless.
 *
 * A name travels into `koi status`, log lines, script arguments (the fence
 * script gets the node name as $1) and environment variables. The allowed
 * set is the one of host names plus `_`: letters, digits, `.`, `_` and `-`,
 * 1 to 64 characters, not starting with `-` (it would read as an option).
 */

export const NAME_MAX_LENGTH = 64;
/** The rule in words, for error messages and docs. */
export const NAME_RULE = `1-${NAME_MAX_LENGTH} characters from A-Z a-z 0-9 . _ -, not starting with "-"`;

const NAME_CHARS = /^[A-Za-z0-9._-]+$/;

/** Why `name` is not a valid node or service name, or null when it is. */
export function nameProblem(name: string): string | null {
  if (name.length === 0) return 'is empty';
  if (name.length > NAME_MAX_LENGTH) return `is ${name.length} characters long, limit ${NAME_MAX_LENGTH}`;
  if (name.startsWith('-')) return 'starts with "-" (it would be read as an option by scripts)';
  if (!NAME_CHARS.test(name)) {
    const bad = [...name].find((c) => !NAME_CHARS.test(c)) ?? '';
    return `contains ${JSON.stringify(bad)} (allowed: ${NAME_RULE})`;
  }
  return null;
}

export function isValidName(name: string): boolean {
  return nameProblem(name) === null;
}

// C0 controls, DEL, C1 controls (0x9b is a one-byte CSI on some terminals),
// and the Unicode line/paragraph separators and bidi overrides that reorder
// what a terminal shows.
// eslint-disable-next-line no-control-regex
const CONTROL_ALL = /[\u0000-\u001f\u007f-\u009f\u2028\u2029\u202a-\u202e\u2066-\u2069]/g;
// eslint-disable-next-line no-control-regex
const CONTROL_BUT_LINES = /[\u0000-\u0008\u000b-\u001f\u007f-\u009f\u2028\u2029\u202a-\u202e\u2066-\u2069]/g;

function escapeChar(c: string): string {
  const code = c.charCodeAt(0);
  if (c === '\n') return '\\n';
  if (c === '\r') return '\\r';
  if (c === '\t') return '\\t';
  return code <= 0xff ? `\\x${code.toString(16).padStart(2, '0')}` : `\\u${code.toString(16).padStart(4, '0')}`;
}

/**
 * `text` with every control character written as an escape (`\x1b`, `\n`,
 * `\u202e`), so it can be printed on a terminal or in a log line without
 * moving the cursor, changing colours or forging a new line. `keepLines`
 * leaves newlines and tabs alone (multi-line messages).
 */
export function escapeControl(text: string, options: { keepLines?: boolean } = {}): string {
  const pattern = options.keepLines ? CONTROL_BUT_LINES : CONTROL_ALL;
  pattern.lastIndex = 0;
  return pattern.test(text) ? text.replace(pattern, escapeChar) : text;
}

export interface ParsedServiceName {
  name: string;
  /** Priority from the `XX-` prefix, or null when the name has none. */
  priority: number | null;
}

const PRIORITY_PREFIX = /^(\d{1,2})-(.+)$/;

/** Split `10-virtualip` into its priority (10); `ping` has none (SPEC §6). `123-x` is not a priority prefix. */
export function parseServiceName(name: string): ParsedServiceName {
  const match = PRIORITY_PREFIX.exec(name);
  if (!match) return { name, priority: null };
  return { name, priority: Number(match[1]) };
}
