/**
 * Hands every log record to the active sinks. While held (at start, before
 * the log sink plugins are loaded, and during an in-process restart) records
 * are buffered, so nothing logged while plugins load is lost.
 */
import type { LogRecord, LogSink } from '../../plugin-api';
import { formatRecord } from './format';
import { errorMessage } from '../../plugin-api/errors';

export interface LogFanoutOptions {
  /** Most records kept while held; older ones are dropped and counted. */
  bufferLimit?: number;
  /** Where records go when released with no sink attached (default: stderr, plain lines). */
  fallback?: (line: string) => void;
}

export class LogFanout {
  private readonly sinks: LogSink[] = [];
  private buffer: LogRecord[] = [];
  private held = true;
  private dropped = 0;
  private readonly bufferLimit: number;
  private readonly fallback: (line: string) => void;
  private readonly failedSinks = new Set<LogSink>();

  constructor(options: LogFanoutOptions = {}) {
    this.bufferLimit = options.bufferLimit ?? 10_000;
    this.fallback = options.fallback ?? ((line) => process.stderr.write(`${line}\n`));
  }

  attach(sink: LogSink): void {
    if (!this.sinks.includes(sink)) this.sinks.push(sink);
  }

  detach(sink: LogSink): void {
    const at = this.sinks.indexOf(sink);
    if (at >= 0) this.sinks.splice(at, 1);
  }

  get attached(): readonly LogSink[] {
    return this.sinks;
  }

  get isHeld(): boolean {
    return this.held;
  }

  /** Buffer records until `release()`. */
  hold(): void {
    this.held = true;
  }

  /** Deliver the buffer to the sinks attached now, then write through. */
  release(): void {
    this.held = false;
    const pending = this.buffer;
    this.buffer = [];
    if (this.dropped > 0) {
      const lost = this.dropped;
      this.dropped = 0;
      this.deliver({ level: 'warn', time: pending[0]?.time ?? 0, msg: `${lost} log records were dropped while logging was held`, component: 'logging' });
    }
    for (const record of pending) this.deliver(record);
  }

  write(record: LogRecord): void {
    if (this.held) {
      if (this.buffer.length >= this.bufferLimit) {
        this.buffer.shift();
        this.dropped++;
      }
      this.buffer.push(record);
      return;
    }
    this.deliver(record);
  }

  /** Flush every sink (before exit). */
  async flush(): Promise<void> {
    for (const sink of this.sinks) {
      try {
        await sink.flush?.();
      } catch (err) {
        this.reportSinkFailure(sink, err);
      }
    }
  }

  /** Last resort at exit: records still buffered go to the fallback (stderr). */
  drainToFallback(): void {
    const pending = this.buffer;
    this.buffer = [];
    for (const record of pending) this.fallback(formatRecord(record, { color: false }));
  }

  private deliver(record: LogRecord): void {
    if (this.sinks.length === 0) {
      this.fallback(formatRecord(record, { color: false }));
      return;
    }
    for (const sink of this.sinks) {
      try {
        sink.write(record);
      } catch (err) {
        this.reportSinkFailure(sink, err);
      }
    }
  }

  private reportSinkFailure(sink: LogSink, err: unknown): void {
    if (this.failedSinks.has(sink)) return;
    this.failedSinks.add(sink);
    process.stderr.write(`koi: log sink ${sink.name} failed: ${errorMessage(err)}\n`);
  }
}
