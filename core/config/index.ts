/** koi configuration: reading, validating, merging and comparing (SPEC §7, docs/configuration.md). */
export { loadConfig, SYSTEM_CONFIG_PATH } from './loader';
export type { LoadConfigOptions, LoadedConfig } from './loader';
export { ConfigError, formatProblem, sortProblems } from './errors';
export type { ConfigProblem } from './errors';
export { parseDuration, formatDuration, DurationSyntaxError } from './durations';
export { parseTransportList, parseTransportAddress, splitTransportList, TransportAddressError } from './transport-address';
export type { TransportEntryProblem } from './transport-address';
export { diffConfig } from './diff';
export type { ConfigDiff } from './diff';
export { CONFIG_SCHEMA, CONFIG_LOG_LEVELS, SECTION_NAMES, findKeySpec } from './schema';
export type { KeySpec, KeyType, SectionName, ConfigKeyPath } from './schema';
export { describeConfig, renderConfigReference } from './describe';
export type { KeyDescription } from './describe';
export { defaultConfig, DEFAULTS, DEFAULT_SERVICE_FOLDER } from './defaults';
export { parseKoiConf, classifyScalar, readBooleanWord } from './koi-conf-parser';
export type { ConfEntry, ConfSection, ConfValue, ConfScalar, ConfParseResult } from './koi-conf-parser';
export { koiConfLoader, KOI_CONFIG_LOADERS } from './sources';
export { TIME_DEFAULTS } from './timing-defaults';
