/**
 * A Logger that keeps records in memory, for tests that assert what was
 * logged (warnings naming a source, transitions with reasons, ...).
 */
import type { LogLevel, LogRecord, Logger } from '../../plugin-api';

export interface CapturingLogger {
  logger: Logger;
  records: LogRecord[];
  /** Records at `level` whose message contains `text`. */
  find(level: LogLevel, text?: string): LogRecord[];
  /** Echo records to stderr as they arrive (debugging a test). */
  echo: boolean;
}

export function createTestLogger(bindings: Record<string, unknown> = {}): CapturingLogger {
  const records: LogRecord[] = [];
  const capture: CapturingLogger = {
    records,
    echo: process.env.KOI_TEST_LOG === '1',
    logger: undefined as unknown as Logger,
    find: (level, text) => records.filter((r) => r.level === level && (text === undefined || r.msg.includes(text))),
  };
  const make = (bound: Record<string, unknown>): Logger => {
    const write = (level: LogLevel) => (obj: object | string, msg?: string): void => {
      const fields = typeof obj === 'string' ? {} : (obj as Record<string, unknown>);
      const text = typeof obj === 'string' ? obj : (msg ?? String(fields.msg ?? ''));
      const record: LogRecord = { ...bound, ...fields, level, time: Date.now(), msg: text };
      records.push(record);
      if (capture.echo) process.stderr.write(`${level} ${JSON.stringify(bound)} ${text}\n`);
    };
    return {
      trace: write('trace'), debug: write('debug'), info: write('info'),
      warn: write('warn'), error: write('error'), fatal: write('fatal'),
      child: (more) => make({ ...bound, ...more }),
    };
  };
  capture.logger = make(bindings);
  return capture;
}
