/**
 * The `plugins` section: which plugins to load and their options.
 *
 *     plugins {
 *         udp {}                       ; enabled, no options
 *         example true                 ; same
 *         "@acme/fence" { host "pdu1" }
 *         old-thing false              ; removes an entry set by an earlier file
 *     }
 *
 * JSON/YAML: an object (name → options | true | false) or a list of
 * `name`, `[name, options]` or `{ name, options }`. Options are kept as
 * written — strings from koi.conf, typed values from JSON/YAML — and are
 * validated later by the plugin's own schema.
 */
import type { ConfigOrigin, PluginEntry, PluginOptions } from '../../plugin-api/config';
import type { ConfigProblem } from './errors';
import { readBooleanWord } from './koi-conf-parser';
import { describeValue } from './coerce';
import { isPlainObject, toPlain, type ConfigLayer, type RawNode } from './sources';

/** What one file says about one plugin. */
export type PluginDirective =
  | { action: 'enable'; name: string; options: PluginOptions; origin: ConfigOrigin; optionOrigins: Record<string, ConfigOrigin>; baseDir: string }
  | { action: 'disable'; name: string; origin: ConfigOrigin };

/** Read the `plugins` node of one file into directives, reporting malformed entries. */
export function readPluginsSection(node: RawNode, layer: ConfigLayer, problems: ConfigProblem[]): PluginDirective[] {
  const directives: PluginDirective[] = [];
  const problem = (line: number, key: string, message: string): void => {
    problems.push({ file: layer.file, line, key, message });
  };
  const enable = (name: string, line: number, options: Record<string, unknown>, optionLines: Map<string, number>): void => {
    const optionOrigins: Record<string, ConfigOrigin> = {};
    for (const key of Object.keys(options)) optionOrigins[key] = { file: layer.file, line: optionLines.get(key) ?? line };
    directives.push({ action: 'enable', name, options, origin: { file: layer.file, line }, optionOrigins, baseDir: layer.dir });
  };
  const fromNamedNode = (name: string, child: RawNode): void => {
    const key = `plugins.${name}`;
    if (name.trim() === '') return problem(child.line, 'plugins', 'a plugin name must not be empty');
    if (child.kind === 'section') {
      const lines = new Map([...child.children].map(([option, value]) => [option, value.line] as const));
      return enable(name, child.line, toPlain(child) as Record<string, unknown>, lines);
    }
    const flag = typeof child.value === 'boolean' ? child.value : typeof child.value === 'string' ? readBooleanWord(child.value) : undefined;
    if (flag === true) return enable(name, child.line, {}, new Map());
    if (flag === false) {
      directives.push({ action: 'disable', name, origin: { file: layer.file, line: child.line } });
      return;
    }
    problem(child.line, key, `expected a section of options, or true/false, got ${describeValue(child.value)}`);
  };

  if (node.kind === 'section') {
    for (const [name, child] of node.children) fromNamedNode(name, child);
    return directives;
  }
  if (!Array.isArray(node.value)) {
    problem(node.line, 'plugins', `expected a section (or a list), got ${describeValue(node.value)}`);
    return directives;
  }
  node.value.forEach((item: unknown, index) => {
    const where = `plugins[${index}]`;
    let name: unknown;
    let options: unknown = {};
    if (typeof item === 'string') name = item;
    else if (Array.isArray(item) && item.length >= 1 && item.length <= 2) [name, options = {}] = item as unknown[];
    else if (isPlainObject(item) && typeof item.name === 'string') ({ name, options = {} } = item);
    else return problem(node.line, where, 'expected "name", [name, options] or { name, options }');
    if (typeof name !== 'string' || name.trim() === '') return problem(node.line, where, 'the plugin name must be a non-empty string');
    if (!isPlainObject(options)) return problem(node.line, `plugins.${name}`, `options must be an object, got ${describeValue(options)}`);
    enable(name, node.line, options, new Map());
  });
  return directives;
}

/**
 * Apply directives in file order: entries merge by name (later options
 * override earlier ones key by key; origin and baseDir follow the latest
 * file naming the plugin); `name false` removes an entry. First mention
 * fixes the load order.
 */
export function mergePluginDirectives(directives: readonly PluginDirective[]): PluginEntry[] {
  const entries = new Map<string, PluginEntry>();
  for (const directive of directives) {
    if (directive.action === 'disable') {
      entries.delete(directive.name);
      continue;
    }
    const previous = entries.get(directive.name);
    entries.set(directive.name, {
      name: directive.name,
      options: { ...previous?.options, ...directive.options },
      origin: directive.origin,
      optionOrigins: { ...previous?.optionOrigins, ...directive.optionOrigins },
      baseDir: directive.baseDir,
    });
  }
  return [...entries.values()];
}
