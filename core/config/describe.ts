/**
 * The schema as a reference table, for docs/configuration.md (a unit test
 * checks the doc's generated block equals renderConfigReference()) and for
 * tooling. After changing the schema, regenerate the block with
 * `npm run build && node -e "process.stdout.write(require('./dist/core/config').renderConfigReference())"`
 * and paste it between the markers in the doc (time defaults included: a
 * retune of timing-defaults.ts must regenerate it too).
 */
import { CONFIG_SCHEMA, type KeySpec, type KeyType, type SectionName } from './schema';
import { formatDuration } from './durations';

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
