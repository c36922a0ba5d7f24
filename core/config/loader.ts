/**
 * loadConfig(): find or take the configuration files, validate every key
 * against the schema, merge them (later files override earlier ones, key by
 * key), apply CLI overrides and defaults. Every problem in every file is
 * collected into one ConfigError.
 */
import path from 'node:path';
import type { ConfigOrigin, KoiConfig } from '../../plugin-api/config';
import type { LogLevel } from '../../plugin-api/logger';
import { defaultConfig } from './defaults';
import { ConfigError, formatProblem, type ConfigProblem } from './errors';
import { coerceValue } from './coerce';
import { findKeySpec, SECTION_NAMES, sectionKeys, type SectionName } from './schema';
import { mergePluginDirectives, readPluginsSection, type PluginDirective } from './plugins-section';
import { readConfigFile, searchPlaces, type ConfigLayer } from './sources';
import { parseTransportList, TransportAddressError } from './transport-address';
import { nameProblem } from '../security/names';
import { checkSecretFile } from '../security/file-permissions';
import { parsePassthrough, passthroughNameProblem } from '../security/script-env';
import { passwordProblem } from '../wire/key';
import { KeyFileError, readKeyFile } from '../wire/keyfile';

/** The system-wide configuration file (SPEC §7). */
export const SYSTEM_CONFIG_PATH = '/etc/koi/koi.conf';

export interface LoadConfigOptions {
  /** Files named with `-f`, in order; later override earlier. None → search. */
  files?: string[];
  /** Directory to search and to resolve relative `files` against (default: process.cwd()). */
  cwd?: string;
  /** Command-line settings; they win over every file. */
  overrides?: { name?: string; loglevel?: LogLevel };
  /** Where the system-wide file is looked for (default /etc/koi/koi.conf; tests point it elsewhere). */
  systemConfigPath?: string;
  /**
   * Without `files`, also search the working directory (`./koi.conf`, then
   * the data-only cosmiconfig sources): the `koi` client does; koinode never
   * does (SPEC §7), so the default is false.
   */
  searchCwd?: boolean;
  /**
   * The keys the caller uses (the `koi` client: the cluster section, the
   * port, the admin socket). A problem with any other key is a warning, and
   * that key keeps its default: an error in a section the caller does not
   * read (say `time { }`) does not stop it. Problems not tied to a key (a
   * file that does not parse) always count. Default: every key is needed.
   */
  needed?: (key: string) => boolean;
}

export interface LoadedConfig {
  config: KoiConfig;
  /** Things worth telling the operator (`file:line: key: message`); log them at warn. */
  warnings: string[];
  /** Where each key set by a file was set (`cluster.quorum` → file:line; line 0 when the format has none). */
  origins: Record<string, ConfigOrigin>;
}

/** One validated key from one file. */
interface Assignment {
  section: SectionName;
  key: string;
  value: unknown;
  origin: ConfigOrigin;
}

/** Read, validate and merge the configuration. Throws ConfigError listing every problem. */
export async function loadConfig(opts: LoadConfigOptions = {}): Promise<LoadedConfig> {
  const cwd = path.resolve(opts.cwd ?? process.cwd());
  const problems: ConfigProblem[] = [];
  const warnings: string[] = [];
  const layers: ConfigLayer[] = [];

  if (opts.files && opts.files.length > 0) {
    for (const file of opts.files) {
      const result = await readConfigFile(path.resolve(cwd, file), file, true);
      if (result.status === 'ok') layers.push(result.layer);
      if (result.status !== 'absent') problems.push(...result.problems);
    }
  } else {
    const places = searchPlaces(cwd, opts.systemConfigPath ?? SYSTEM_CONFIG_PATH, opts.searchCwd ?? false);
    for (const place of places) {
      const result = await readConfigFile(place, place, false);
      if (result.status === 'absent') continue;
      if (result.status === 'ok') layers.push(result.layer);
      problems.push(...result.problems);
      break;
    }
    if (layers.length === 0 && problems.length === 0) {
      warnings.push(`no configuration file found (looked for ${places.join(', ')}); running with defaults as a lone node`);
    }
  }

  const assignments: Assignment[] = [];
  const pluginDirectives: PluginDirective[] = [];
  for (const layer of layers) validateLayer(layer, assignments, pluginDirectives, problems, warnings);

  const config = defaultConfig();
  config.sources = layers.map((layer) => layer.absolutePath);
  const origins: Record<string, ConfigOrigin> = {};
  let transportRaw: string[] = [];
  for (const { section, key, value, origin } of assignments) {
    origins[`${section}.${key}`] = origin;
    if (section === 'cluster' && key === 'transport') transportRaw = value as string[];
    else (config[section] as Record<string, unknown>)[key] = value;
  }
  if (origins['service.workingdir'] === undefined) config.service.workingdir = config.service.folder;
  config.plugins = mergePluginDirectives(pluginDirectives);

  // Entries without a port take the node's port, known only now.
  try {
    config.cluster.transport = parseTransportList(transportRaw, config.node.port);
  } catch (error) {
    if (!(error instanceof TransportAddressError)) throw error;
    const origin = origins['cluster.transport'] ?? { file: '<defaults>', line: 0 };
    for (const p of error.problems) problems.push({ file: origin.file, line: origin.line, key: 'cluster.transport', message: `bad address "${p.entry}": ${p.message}` });
  }

  checkNamesAndEnv(config, origins, opts.overrides?.name, problems);
  problems.push(...clusterSecretProblems(config, origins));
  const needed = opts.needed;
  const fatal = needed ? problems.filter((p) => p.key === '' || needed(p.key)) : problems;
  if (fatal.length > 0) throw new ConfigError(fatal);
  for (const p of problems) if (!fatal.includes(p)) warnings.push(`${formatProblem(p)} (not used here: ignored)`);

  // Every file that sets the password is a secret: warn (at start and on reload) when others can read it.
  for (const layer of layers) {
    const setsPassword = assignments.some((a) => a.origin.file === layer.file && a.section === 'cluster' && a.key === 'password' && a.value !== '');
    const warning = setsPassword ? checkSecretFile(layer.absolutePath, 'the cluster password') : null;
    if (warning !== null) warnings.push(warning);
  }

  if (opts.overrides?.name !== undefined) config.node.name = opts.overrides.name;
  if (opts.overrides?.loglevel !== undefined) config.node.loglevel = opts.overrides.loglevel;

  warnings.push(...clusterWarnings(config, origins));
  return { config, warnings, origins };
}

/**
 * Node names travel to every node, `koi status`, logs and script arguments:
 * they must be valid names (plugin-api/names.ts). Pass-through variables
 * must be variable names.
 */
function checkNamesAndEnv(config: KoiConfig, origins: Record<string, ConfigOrigin>, override: string | undefined, problems: ConfigProblem[]): void {
  const at = (key: string, fallback: string): { file: string; line: number } => origins[key] ?? { file: fallback, line: 0 };
  if (override !== undefined) {
    const problem = nameProblem(override);
    if (problem !== null) problems.push({ file: '--name', line: 0, key: 'node.name', message: `${JSON.stringify(override)} ${problem}` });
  } else {
    const problem = nameProblem(config.node.name);
    const where = at('node.name', '<host name>');
    const fix = origins['node.name'] ? '' : '; set node.name or use --name';
    if (problem !== null) problems.push({ ...where, key: 'node.name', message: `${JSON.stringify(config.node.name)} ${problem}${fix}` });
  }
  for (const name of parsePassthrough(config.service.env_passthrough)) {
    const problem = passthroughNameProblem(name);
    if (problem !== null) problems.push({ ...at('service.env_passthrough', '<defaults>'), key: 'service.env_passthrough', message: problem });
  }
}

function validateLayer(
  layer: ConfigLayer,
  assignments: Assignment[],
  pluginDirectives: PluginDirective[],
  problems: ConfigProblem[],
  warnings: string[],
): void {
  const problem = (line: number, key: string, message: string): void => {
    problems.push({ file: layer.file, line, key, message });
  };
  for (const [sectionName, node] of layer.root.children) {
    if (sectionName === 'plugins') {
      pluginDirectives.push(...readPluginsSection(node, layer, problems));
      continue;
    }
    if (!isSectionName(sectionName)) {
      problem(node.line, sectionName, `unknown section${suggest(sectionName, [...SECTION_NAMES, 'plugins'])} (sections: ${[...SECTION_NAMES, 'plugins'].join(', ')})`);
      continue;
    }
    if (node.kind !== 'section') {
      problem(node.line, sectionName, `expected a section ("${sectionName} { ... }"), got a value`);
      continue;
    }
    for (const [key, child] of node.children) {
      const dotted = `${sectionName}.${key}`;
      const spec = findKeySpec(sectionName, key);
      if (!spec) {
        problem(child.line, dotted, `unknown key${suggest(key, sectionKeys(sectionName).map((s) => s.key))}`);
        continue;
      }
      if (child.kind === 'section') {
        problem(child.line, dotted, 'expected a value, got a section');
        continue;
      }
      const result = coerceValue(spec.type, child.value);
      if (!result.ok) {
        problem(child.line, dotted, result.message);
        continue;
      }
      if (result.warning) warnings.push(formatProblem({ file: layer.file, line: child.line, key: dotted, message: result.warning }));
      const keepWord = spec.type.kind === 'path' && spec.type.off === true && result.value === 'off';
      const value = spec.type.kind === 'path' && !keepWord ? path.resolve(layer.dir, result.value as string) : result.value;
      assignments.push({ section: sectionName, key, value, origin: { file: layer.file, line: child.line } });
    }
  }
}

function isSectionName(name: string): name is SectionName {
  return (SECTION_NAMES as readonly string[]).includes(name);
}

/** ` (did you mean "port"?)` for a near miss (edit distance ≤ 2), else ''. */
function suggest(word: string, candidates: readonly string[]): string {
  let best: string | undefined;
  let bestDistance = 3;
  for (const candidate of candidates) {
    const distance = editDistance(word.toLowerCase(), candidate);
    if (distance < bestDistance) [best, bestDistance] = [candidate, distance];
  }
  return best === undefined ? '' : ` (did you mean "${best}"?)`;
}

function editDistance(a: string, b: string): number {
  let previous = Array.from({ length: b.length + 1 }, (_, i) => i);
  for (let i = 1; i <= a.length; i += 1) {
    const current = [i];
    for (let j = 1; j <= b.length; j += 1) {
      current[j] = Math.min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + (a[i - 1] === b[j - 1] ? 0 : 1));
    }
    previous = current;
  }
  return previous[b.length];
}

/**
 * cluster.password / cluster.key_file: exactly one (or neither: a lone node,
 * warned below); a password of at least MIN_PASSWORD_LENGTH characters; a key
 * file that is private and parses. The key file's digest goes into the config
 * so that a reload after a key rotation is seen as a change.
 */
function clusterSecretProblems(config: KoiConfig, origins: Record<string, ConfigOrigin>): ConfigProblem[] {
  const problems: ConfigProblem[] = [];
  const problem = (key: string, message: string): void => {
    const origin = origins[key] ?? { file: '<defaults>', line: 0 };
    problems.push({ file: origin.file, line: origin.line, key, message });
  };
  const { password, key_file: keyFile } = config.cluster;
  if (keyFile !== undefined && password !== '') {
    problem('cluster.key_file', 'cluster.password is set too: use one of them (key_file is recommended; remove password)');
  } else if (keyFile !== undefined) {
    try {
      config.cluster.key_digest = readKeyFile(keyFile).digest;
    } catch (err) {
      if (!(err instanceof KeyFileError)) throw err;
      problem('cluster.key_file', err.message);
    }
  } else if (password !== '') {
    const why = passwordProblem(password);
    if (why) problem('cluster.password', why.replace(/^cluster\.password /, 'the password '));
  }
  return problems;
}

/** Warnings about settings that work but are probably not what the operator wants. */
function clusterWarnings(config: KoiConfig, origins: Record<string, ConfigOrigin>): string[] {
  const warnings: string[] = [];
  const at = (key: string, message: string): string => {
    const origin = origins[key];
    return origin ? formatProblem({ file: origin.file, line: origin.line, key, message }) : `${key}: ${message}`;
  };
  const { transport, password } = config.cluster;
  // The quorum-majority warning is the elector's (core/elector/peers.ts counts nodes, not addresses).
  if (password === '' && config.cluster.key_file === undefined) {
    warnings.push(at('cluster.password', 'the password is empty: anyone who can reach the port and knows the cluster id can join the cluster and control it with `koi`; set cluster.password'));
  }
  if (transport.length === 0) {
    warnings.push(at('cluster.transport', 'no transport addresses: this node talks only to itself (a lone node)'));
  }
  return warnings;
}
