/**
 * log-file: appends log lines to a file (`--log file:PATH`), human-readable
 * or pino-style JSON; `--log json` writes JSON lines to stdout. The file is
 * reopened on SIGHUP so logrotate can move it away.
 */
import * as fs from 'node:fs';
import * as nodePath from 'node:path';
import { definePlugin, formatRecord } from '../../plugin-api';
import type { LogLevel, LogRecord, LogSink } from '../../plugin-api';

const PINO_LEVELS: Record<LogLevel, number> = { trace: 10, debug: 20, info: 30, warn: 40, error: 50, fatal: 60 };

export interface FileSinkOptions {
  /** A file path, or `stdout` / `stderr` / `-` (stdout). */
  path: string;
  json: boolean;
}

export interface FileSink extends LogSink {
  /** Close and open the file again (after logrotate moved it). */
  reopen(): void;
}

export function createFileSink(options: FileSinkOptions): FileSink {
  const std = options.path === 'stdout' || options.path === '-' ? 1 : options.path === 'stderr' ? 2 : null;
  let fd: number | null = null;
  let failed = false;
  const open = (): void => {
    if (std !== null) {
      fd = std;
      return;
    }
    try {
      fd = fs.openSync(options.path, 'a', 0o640);
      failed = false;
    } catch (err) {
      fd = null;
      reportOnce(`cannot open log file ${options.path}: ${(err as Error).message}`);
    }
  };
  const reportOnce = (message: string): void => {
    if (failed) return;
    failed = true;
    process.stderr.write(`koi: ${message}\n`);
  };
  const line = (record: LogRecord): string =>
    options.json ? JSON.stringify({ ...record, level: PINO_LEVELS[record.level] }) : formatRecord(record, { color: false });
  open();
  return {
    name: options.json ? 'json' : 'file',
    write(record: LogRecord): void {
      if (fd === null) open();
      if (fd === null) return;
      try {
        fs.writeSync(fd, `${line(record)}\n`);
      } catch (err) {
        reportOnce(`cannot write log file ${options.path}: ${(err as Error).message}`);
      }
    },
    reopen(): void {
      if (std !== null) return;
      if (fd !== null) fs.closeSync(fd);
      fd = null;
      open();
    },
    async flush(): Promise<void> {
      if (fd !== null && std === null) fs.fsyncSync(fd);
    },
    async close(): Promise<void> {
      if (fd !== null && std === null) fs.closeSync(fd);
      fd = null;
    },
  };
}

export default definePlugin({
  name: 'log-file',
  options: {
    path: { type: 'string', description: 'log file (absolute, or relative to the config file); stdout or stderr for the streams', required: true },
    json: { type: 'boolean', description: 'pino JSON lines instead of human-readable ones', default: false },
    reopen_on_sighup: { type: 'boolean', description: 'reopen the file on SIGHUP (logrotate)', default: true },
  },
  apply(koi, options) {
    // A relative path is relative to the (last) config file's folder.
    const standard = ['stdout', 'stderr', '-'].includes(options.path);
    const base = koi.config.sources.length ? nodePath.dirname(koi.config.sources[koi.config.sources.length - 1]) : process.cwd();
    const sink = createFileSink({ path: standard ? options.path : nodePath.resolve(base, options.path), json: options.json });
    koi.provide.logSink(sink);
    if (options.reopen_on_sighup) {
      const reopen = (): void => sink.reopen();
      process.on('SIGHUP', reopen);
      koi.onClose(() => {
        process.removeListener('SIGHUP', reopen);
      });
    }
  },
});
