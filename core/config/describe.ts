/**
 * The schema as a reference table, for docs/configuration.md, and the timing
 * defaults with what each trades, for docs/architecture.md "Timings". After
 * changing the schema or timing-defaults.ts run `npm run docs:gen`
 * (scripts/gen-docs.ts rewrites the blocks between the GENERATED markers);
 * test/unit/config/schema-and-docs.test.ts fails while a block is stale.
 */
import { CONFIG_SCHEMA, type KeySpec, type KeyType, type SectionName } from './schema';
import { formatDuration } from './durations';
import { TIMING_DEFAULTS } from './timing-defaults';

/** One row of the reference: everything an operator needs to know about a key. */
export interface KeyDescription {
  key: string;
  type: string;
  default: string;
  range: string;
  unit: string;
  restart: boolean;
  description: string;
  example: string;
}

/** The whole schema as rows, in documentation order. */
export function describeConfig(): KeyDescription[] {
  return CONFIG_SCHEMA.map(describeKey);
}

export function describeKey(spec: KeySpec): KeyDescription {
  return {
    key: spec.path,
    type: typeName(spec.type),
    default: spec.defaultText,
    range: rangeText(spec.type),
    unit: spec.type.kind === 'duration' ? 'duration (bare number = ms)' : '',
    restart: spec.restart,
    description: spec.description,
    example: spec.example,
  };
}

function typeName(type: KeyType): string {
  switch (type.kind) {
    case 'boolean': return 'boolean';
    case 'integer': return 'integer';
    case 'number': return 'number';
    case 'duration': return 'duration';
    case 'string': return 'string';
    case 'path': return 'path';
    case 'enum': return 'enum';
    case 'transport': return 'address list';
    default: {
      const unreachable: never = type;
      return String(unreachable);
    }
  }
}

function rangeText(type: KeyType): string {
  switch (type.kind) {
    case 'boolean': return 'true/false, yes/no, on/off';
    case 'integer': return `${type.min}..${type.max}`;
    case 'number': return `${type.min}..${type.max}${type.clamp ? ' (clamped, with a warning)' : ''}`;
    case 'duration': return `${formatDuration(type.min)}..${formatDuration(type.max)}`;
    case 'string': return type.minLength > 0 ? `${type.minLength}..${type.maxLength} characters` : `up to ${type.maxLength} characters`;
    case 'path': return `relative to the file that sets it${type.off ? ', or `off`' : ''}`;
    case 'enum': return type.values.join(' \\| ');
    case 'transport': return 'see "Transport addresses"';
    default: {
      const unreachable: never = type;
      return String(unreachable);
    }
  }
}

/** Markdown tables, one per section, as embedded in docs/configuration.md. */
export function renderConfigReference(): string {
  const sections: SectionName[] = ['node', 'cluster', 'service', 'time'];
  return sections.map((section) => {
    const rows = describeConfig().filter((row) => row.key.startsWith(`${section}.`));
    const lines = [
      `#### \`${section}\``,
      '',
      '| key | type | default | range | restart | description | example |',
      '| --- | --- | --- | --- | --- | --- | --- |',
      ...rows.map((row) => `| \`${row.key}\` | ${row.type} | ${cell(row.default)} | ${row.range} | ${row.restart ? 'yes' : 'no'} | ${row.description} | \`${cell(row.example)}\` |`),
    ];
    return lines.join('\n');
  }).join('\n\n');
}

/** Escape a table cell's pipes. */
function cell(text: string): string {
  return text.replace(/\|/g, '\\|');
}

/** The timing defaults as docs/architecture.md shows them: key, default, what the value trades. */
export function renderTimingTable(): string {
  return [
    '| key | default | what it does, and what the value trades |',
    '| --- | --- | --- |',
    ...Object.entries(TIMING_DEFAULTS).map(([key, row]) => `| \`${key}\` | ${formatDuration(row.ms)} | ${cell(`${row.does} ${row.trades}`)} |`),
  ].join('\n');
}

/** The generated blocks of the docs: marker name → file and content. */
export const GENERATED_DOC_BLOCKS = [
  { name: 'config-reference', file: 'docs/configuration.md', render: () => renderConfigReference().replace(/\n$/, '') },
  { name: 'timing-defaults', file: 'docs/architecture.md', render: renderTimingTable },
] as const;

/** `text` with the block `name` replaced by `content`; null when the markers are missing. */
export function replaceGeneratedBlock(text: string, name: string, content: string): string | null {
  const pattern = new RegExp(`(<!-- BEGIN GENERATED: ${name}[^>]*-->)\n(?:[\\s\\S]*?\n)?(<!-- END GENERATED: ${name} -->)`);
  if (!pattern.test(text)) return null;
  return text.replace(pattern, (_all, begin: string, end: string) => `${begin}\n${content}\n${end}`);
}
