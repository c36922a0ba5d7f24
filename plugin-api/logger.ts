/** Log levels, lowest to highest (pino's names). */
export const LOG_LEVELS = ['trace', 'debug', 'info', 'warn', 'error', 'fatal'] as const;
export type LogLevel = (typeof LOG_LEVELS)[number];

/** A structured logger (a pino logger satisfies it). */
export interface Logger {
  trace(obj: object | string, msg?: string): void;
  debug(obj: object | string, msg?: string): void;
  info(obj: object | string, msg?: string): void;
  warn(obj: object | string, msg?: string): void;
  error(obj: object | string, msg?: string): void;
  fatal(obj: object | string, msg?: string): void;
  /** A logger whose records carry `bindings` (e.g. `{ component: 'elector' }`). */
  child(bindings: Record<string, unknown>): Logger;
}

/** One log record as sinks receive it. */
export interface LogRecord {
  level: LogLevel;
  /** Wall-clock milliseconds since the epoch. */
  time: number;
  msg: string;
  component?: string;
  plugin?: string;
  service?: string;
  event?: string;
  node?: string;
  [key: string]: unknown;
}

/** A log destination provided by a plugin (console, syslog, file, ...). */
export interface LogSink {
  readonly name: string;
  /** Write one record. Must not throw; a sink that cannot write reports it once on stderr. */
  write(record: LogRecord): void;
  /** Flush buffered records (called before exit). */
  flush?(): Promise<void>;
  close?(): Promise<void>;
}
