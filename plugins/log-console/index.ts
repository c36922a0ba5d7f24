/**
 * log-console: human-readable, coloured log lines on stdout (or stderr).
 * Colour is on by default, TTY or not (SPEC §8: the default log is
 * coloured; `-C` turns it off); the NO_COLOR environment variable also
 * turns it off.
 */
import { definePlugin, formatRecord } from '../../plugin-api';
import type { LogRecord, LogSink } from '../../plugin-api';

export interface ConsoleSinkOptions {
  color: boolean;
  stream: 'stdout' | 'stderr';
}

export function createConsoleSink(options: ConsoleSinkOptions, out: NodeJS.WritableStream = process[options.stream]): LogSink {
  const color = options.color && !process.env.NO_COLOR;
  let broken = false;
  const onError = (err: Error): void => {
    if (broken) return;
    broken = true;
    process.stderr.write(`koi: console log output failed (${err.message}); console logging stopped\n`);
  };
  out.on('error', onError);
  return {
    name: 'console',
    write(record: LogRecord): void {
      if (broken) return;
      out.write(`${formatRecord(record, { color })}\n`);
    },
    async close(): Promise<void> {
      out.removeListener('error', onError);
    },
  };
}

export default definePlugin({
  name: 'log-console',
  options: {
    color: { type: 'boolean', description: 'ANSI colour by level (-C turns it off)', default: true },
    stream: { type: 'string', description: 'where lines go', enum: ['stdout', 'stderr'], default: 'stdout' },
  },
  apply(koi, options) {
    koi.provide.logSink(createConsoleSink(options));
  },
});
