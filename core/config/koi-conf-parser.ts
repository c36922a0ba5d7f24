/**
 * Parser for the original koi.conf format (SPEC §7):
 *
 *     ; a comment (outside quotes) runs to the end of the line
 *     node {
 *         port 42012
 *         loglevel info
 *     }
 *     cluster { transport "10.0.0.1, 10.0.0.2" }
 *     plugins { "@acme/fence" { host "pdu1" } }
 *
 * A key and its value sit on the same line; a section name is followed by
 * `{` (on the same or a later line). Values are bare words or double-quoted
 * strings (`\"` and `\\` escape; other backslashes are kept). Quoted
 * strings end at the end of their line. The parser only builds a tree with
 * line numbers; what keys mean and which types they take is the schema's job.
 * It never stops at the first error: every syntax problem is collected.
 */
import type { ConfigProblem } from './errors';
import { parseDuration } from './durations';

/** How an unquoted word reads; quoted values are always strings. */
export type ConfScalar =
  | { type: 'boolean'; value: boolean }
  | { type: 'number'; value: number }
  | { type: 'duration'; value: number }
  | { type: 'word'; value: string }
  | { type: 'string'; value: string };

/** `key value` */
export interface ConfValue {
  kind: 'value';
  key: string;
  line: number;
  /** The value as written, unquoted and unescaped. */
  text: string;
  quoted: boolean;
  scalar: ConfScalar;
}

/** `name { ... }` (the root is a section named '' at line 0). */
export interface ConfSection {
  kind: 'section';
  name: string;
  line: number;
  entries: ConfEntry[];
}

export type ConfEntry = ConfValue | ConfSection;

export interface ConfParseResult {
  root: ConfSection;
  /** Every syntax problem, in line order. Empty when the text is well formed. */
  problems: ConfigProblem[];
}

type Token =
  | { type: 'open'; line: number }
  | { type: 'close'; line: number }
  | { type: 'word' | 'string'; text: string; line: number };

const BOOLEAN_WORDS: Readonly<Record<string, boolean>> = {
  true: true, yes: true, on: true, false: false, no: false, off: false,
};

/** Read a boolean word (`true/false/yes/no/on/off`, any case); undefined otherwise. */
export function readBooleanWord(text: string): boolean | undefined {
  return BOOLEAN_WORDS[text.toLowerCase()];
}

/** Classify a value: quoted → string; otherwise boolean, number, duration or plain word. */
export function classifyScalar(text: string, quoted: boolean): ConfScalar {
  if (quoted) return { type: 'string', value: text };
  const bool = readBooleanWord(text);
  if (bool !== undefined) return { type: 'boolean', value: bool };
  if (/^[+-]?(\d+(\.\d+)?|\.\d+)$/.test(text)) return { type: 'number', value: Number(text) };
  if (/^[\d.]/.test(text)) {
    try {
      return { type: 'duration', value: parseDuration(text) };
    } catch {
      // Not a duration (e.g. an address "10.0.0.1"): it stays a word.
    }
  }
  return { type: 'word', value: text };
}

/** Parse koi.conf text. `file` only labels the problems. */
export function parseKoiConf(text: string, file = '<koi.conf>'): ConfParseResult {
  const problems: ConfigProblem[] = [];
  const report = (line: number, key: string, message: string): void => {
    problems.push({ file, line, key, message });
  };
  const tokens = tokenize(text, report);
  let pos = 0;

  const parseEntries = (section: ConfSection, path: string, nested: boolean): void => {
    const seen = new Map<string, number>();
    const add = (entry: ConfEntry, key: string): void => {
      const first = seen.get(entry.kind === 'value' ? entry.key : entry.name);
      if (first !== undefined) {
        report(entry.line, key, `duplicate key (first given at line ${first})`);
        return;
      }
      seen.set(entry.kind === 'value' ? entry.key : entry.name, entry.line);
      section.entries.push(entry);
    };
    while (pos < tokens.length) {
      const token = tokens[pos++];
      if (token.type === 'close') {
        if (nested) return;
        report(token.line, '', "unexpected '}' with no open section");
        continue;
      }
      if (token.type === 'open') {
        report(token.line, path, "unexpected '{': a section needs a name before it");
        // Parse and drop the nameless block so its braces stay balanced.
        const orphan: ConfSection = { kind: 'section', name: '', line: token.line, entries: [] };
        parseEntries(orphan, path, true);
        continue;
      }
      const key = path === '' ? token.text : `${path}.${token.text}`;
      const next = tokens[pos];
      if (next?.type === 'open') {
        pos += 1;
        const child: ConfSection = { kind: 'section', name: token.text, line: token.line, entries: [] };
        parseEntries(child, key, true);
        add(child, key);
      } else if (next !== undefined && (next.type === 'word' || next.type === 'string') && next.line === token.line) {
        pos += 1;
        const quoted = next.type === 'string';
        add({ kind: 'value', key: token.text, line: token.line, text: next.text, quoted, scalar: classifyScalar(next.text, quoted) }, key);
      } else {
        report(token.line, key, next?.type === 'close' && next.line === token.line
          ? "key has no value before '}'"
          : 'key has no value (a value must be on the same line; values with spaces must be quoted)');
      }
    }
    if (nested) report(section.line, path, `section "${section.name}" is not closed: missing '}'`);
  };

  const root: ConfSection = { kind: 'section', name: '', line: 0, entries: [] };
  parseEntries(root, '', false);
  // Tokenizer problems were found first; report everything in line order.
  problems.sort((a, b) => a.line - b.line);
  return { root, problems };
}

/** Split text into tokens; reports unterminated quotes (the string then ends at the end of its line). */
function tokenize(text: string, report: (line: number, key: string, message: string) => void): Token[] {
  const tokens: Token[] = [];
  const lines = text.split(/\r\n|\r|\n/);
  for (const [index, content] of lines.entries()) {
    const line = index + 1;
    let i = 0;
    while (i < content.length) {
      const ch = content[i];
      if (ch === ' ' || ch === '\t' || ch === '\f' || ch === '\v') {
        i += 1;
      } else if (ch === ';') {
        break;
      } else if (ch === '{' || ch === '}') {
        tokens.push(ch === '{' ? { type: 'open', line } : { type: 'close', line });
        i += 1;
      } else if (ch === '"') {
        let value = '';
        let closed = false;
        i += 1;
        while (i < content.length) {
          const c = content[i];
          if (c === '\\' && (content[i + 1] === '"' || content[i + 1] === '\\')) {
            value += content[i + 1];
            i += 2;
          } else if (c === '"') {
            closed = true;
            i += 1;
            break;
          } else {
            value += c;
            i += 1;
          }
        }
        if (!closed) report(line, '', 'unterminated quote: missing closing \'"\' on this line');
        tokens.push({ type: 'string', text: value, line });
      } else {
        const start = i;
        while (i < content.length && !/[\s{};"]/.test(content[i])) i += 1;
        tokens.push({ type: 'word', text: content.slice(start, i), line });
      }
    }
  }
  return tokens;
}
