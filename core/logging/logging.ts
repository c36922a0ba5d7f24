/**
 * The daemon's logging: one pino root logger whose every record is parsed
 * back into a LogRecord and handed to the LogFanout (the sinks the log
 * plugins provide). The level is checked before pino is called, against one
 * shared value, so `setLevel` on reload reaches every child logger already
 * handed out (pino children copy the level when they are made).
 */
import pino from 'pino';
import type { Clock, LogLevel, LogRecord, Logger } from '../../plugin-api';
import { LogFanout } from './fanout';
import type { LogFanoutOptions } from './fanout';
import { LEVEL_VALUES, levelName } from './levels';

export interface LoggingOptions {
  level: LogLevel;
  /** Wall clock for record times (default Date.now). */
  clock?: Pick<Clock, 'wallNow'>;
  /** Fields on every record. */
  base?: Record<string, unknown>;
  fanout?: LogFanoutOptions;
}

export interface Logging {
  /** The root logger; make children per component: `logger.child({ component: 'elector' })`. */
  readonly logger: Logger;
  readonly fanout: LogFanout;
  readonly level: LogLevel;
  setLevel(level: LogLevel): void;
  /** Flush every sink; records still held go to stderr (exit). */
  flush(): Promise<void>;
}

interface LevelGate {
  min: number;
}

export function createLogging(options: LoggingOptions): Logging {
  const fanout = new LogFanout(options.fanout);
  const gate: LevelGate = { min: LEVEL_VALUES[options.level] };
  let level = options.level;
  const clock = options.clock ?? { wallNow: () => Date.now() };
  const destination = {
    write(line: string): void {
      fanout.write(parseLine(line));
    },
  };
  const root = pino(
    {
      level: 'trace',
      base: options.base ?? null,
      timestamp: () => `,"time":${clock.wallNow()}`,
      formatters: { level: (_label: string, number: number) => ({ level: number }) },
    },
    destination,
  );
  return {
    logger: new GatedLogger(root, gate),
    fanout,
    get level() {
      return level;
    },
    setLevel(next: LogLevel) {
      level = next;
      gate.min = LEVEL_VALUES[next];
    },
    async flush() {
      await fanout.flush();
      fanout.drainToFallback();
    },
  };
}

function parseLine(line: string): LogRecord {
  try {
    const parsed = JSON.parse(line) as Record<string, unknown> & { level: number; time: number; msg?: string };
    return { ...parsed, level: levelName(parsed.level), time: parsed.time, msg: parsed.msg ?? '' };
  } catch {
    return { level: 'error', time: Date.now(), msg: line.trimEnd(), component: 'logging' };
  }
}

class GatedLogger implements Logger {
  constructor(private readonly target: pino.Logger, private readonly gate: LevelGate) {}

  trace(obj: object | string, msg?: string): void {
    if (this.gate.min <= 10) this.emit('trace', obj, msg);
  }
  debug(obj: object | string, msg?: string): void {
    if (this.gate.min <= 20) this.emit('debug', obj, msg);
  }
  info(obj: object | string, msg?: string): void {
    if (this.gate.min <= 30) this.emit('info', obj, msg);
  }
  warn(obj: object | string, msg?: string): void {
    if (this.gate.min <= 40) this.emit('warn', obj, msg);
  }
  error(obj: object | string, msg?: string): void {
    if (this.gate.min <= 50) this.emit('error', obj, msg);
  }
  fatal(obj: object | string, msg?: string): void {
    this.emit('fatal', obj, msg);
  }
  child(bindings: Record<string, unknown>): Logger {
    return new GatedLogger(this.target.child(bindings), this.gate);
  }

  private emit(level: LogLevel, obj: object | string, msg?: string): void {
    if (typeof obj === 'string') this.target[level](msg === undefined ? obj : `${obj} ${msg}`);
    else if (msg === undefined) this.target[level](obj);
    else this.target[level](obj, msg);
  }
}
