export { createLogging } from './logging';
export type { Logging, LoggingOptions } from './logging';
export { LogFanout } from './fanout';
export type { LogFanoutOptions } from './fanout';
export { formatRecord, tagOf, clockTime, LEVEL_COLORS } from './format';
export type { FormatOptions } from './format';
export { LEVEL_VALUES, levelName, isLogLevel, effectiveLevel } from './levels';
export { parseLogTargets, LogTargetError } from './targets';
export type { LogTarget } from './targets';
