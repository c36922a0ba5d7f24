import { LOG_LEVELS } from '../../plugin-api';
import type { LogLevel } from '../../plugin-api';

/** pino's numeric values of the level names. */
export const LEVEL_VALUES: Record<LogLevel, number> = { trace: 10, debug: 20, info: 30, warn: 40, error: 50, fatal: 60 };

export function levelName(value: number): LogLevel {
  let name: LogLevel = 'trace';
  for (const level of LOG_LEVELS) if (value >= LEVEL_VALUES[level]) name = level;
  return name;
}

export function isLogLevel(value: string): value is LogLevel {
  return (LOG_LEVELS as readonly string[]).includes(value);
}

/** The configured level, lowered to `debug` by `-d` (a lower configured level stays). */
export function effectiveLevel(configured: LogLevel, debug: boolean): LogLevel {
  if (!debug) return configured;
  return LEVEL_VALUES[configured] < LEVEL_VALUES.debug ? configured : 'debug';
}
