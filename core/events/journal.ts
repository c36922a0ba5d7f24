/**
 * The node's own event journal (`node.journal`): JSON lines, one event a
 * line, in a file that is renamed to `<file>.1` when it reaches its size
 * bound (the previous `.1` is dropped), so the journal never holds more
 * than two files. Opening reads the last sequence number back, so numbers
 * go on rising across restarts.
 *
 * Appends go through a small queue written by one write at a time: the
 * event loop never waits for the disk. The journal is a record, not a
 * safety feature: a path that cannot be written is reported once, naming
 * it, and the node runs on with its events in memory only.
 */
import * as fs from 'node:fs';
import path from 'node:path';
import type { ClusterEvent, Logger } from '../../plugin-api';
import { ErrorCode, KoiError } from '../../plugin-api/errors';

/** Default bound of one journal file; two files at most. */
export const JOURNAL_FILE_BYTES = 4 * 1024 * 1024;
/** Lines waiting for the disk beyond this are dropped (a disk that stopped answering), oldest first. */
const MAX_QUEUED_LINES = 10_000;
/** Bytes read back from the end of a file to find the last sequence number. */
const TAIL_BYTES = 64 * 1024;

export class JournalError extends KoiError {
  constructor(message: string) {
    super(ErrorCode.JOURNAL, message);
  }
}

export interface JournalOptions {
  /** Absolute path of the journal file. */
  file: string;
  logger: Logger;
  /** Bound of one file in bytes (default JOURNAL_FILE_BYTES). */
  maxFileBytes?: number;
}

export interface EventJournal {
  readonly file: string;
  /** The highest sequence number in the journal when it was opened (0 when empty or unreadable). */
  readonly lastSeqAtOpen: number;
  /** False once writing failed (the error was logged); events are then kept in memory only. */
  readonly writable: boolean;
  /** Queue one event for the disk. Never throws, never waits. */
  append(event: ClusterEvent): void;
  /** Every event on disk (older file first), after the queue is written. */
  readAll(): Promise<ClusterEvent[]>;
  /** Resolves once every queued line is written (or dropped after an error). */
  flush(): Promise<void>;
  /** Flush and close; later appends are ignored. */
  close(): Promise<void>;
}

/** Parse journal text; lines that are not events (a torn last line after a crash) are skipped. */
export function parseJournalText(text: string): ClusterEvent[] {
  const events: ClusterEvent[] = [];
  for (const line of text.split('\n')) {
    if (line.length === 0) continue;
    try {
      const value = JSON.parse(line) as ClusterEvent;
      if (value && typeof value.seq === 'number' && typeof value.time === 'number' && typeof value.kind === 'string') events.push(value);
    } catch {
      // a line torn by a crash mid-write: skipped
    }
  }
  return events;
}

/** The highest sequence number at the end of a file (synchronous: read once at open, a bounded tail). */
function lastSeqIn(file: string): number {
  let fd: number;
  try {
    fd = fs.openSync(file, 'r');
  } catch {
    return 0;
  }
  try {
    const size = fs.fstatSync(fd).size;
    const length = Math.min(size, TAIL_BYTES);
    const buffer = Buffer.alloc(length);
    fs.readSync(fd, buffer, 0, length, size - length);
    const lines = buffer.toString('utf8').split('\n');
    if (length < size) lines.shift(); // the first line may be cut
    const events = parseJournalText(lines.join('\n'));
    return events.reduce((max, e) => Math.max(max, e.seq), 0);
  } catch {
    return 0;
  } finally {
    fs.closeSync(fd);
  }
}

/**
 * Open (create) the journal. Throws JournalError naming the path when its
 * folder cannot be created or the file cannot be opened for appending.
 */
export function openJournal(options: JournalOptions): EventJournal {
  const file = options.file;
  const rotated = `${file}.1`;
  const maxBytes = Math.max(1024, options.maxFileBytes ?? JOURNAL_FILE_BYTES);
  const log = options.logger.child({ component: 'journal' });
  if (!path.isAbsolute(file)) throw new JournalError(`event journal '${file}' is not an absolute path`);
  let fd: number;
  try {
    fs.mkdirSync(path.dirname(file), { recursive: true, mode: 0o750 });
    fd = fs.openSync(file, fs.constants.O_WRONLY | fs.constants.O_APPEND | fs.constants.O_CREAT | fs.constants.O_NOFOLLOW, 0o640);
  } catch (err) {
    throw new JournalError(`event journal ${file} cannot be written: ${(err as Error).message}`);
  }
  let size = fs.fstatSync(fd).size;
  const lastSeqAtOpen = Math.max(lastSeqIn(file), lastSeqIn(rotated));

  const queue: string[] = [];
  let writing: Promise<void> | null = null;
  let writable = true;
  let closed = false;
  let dropped = 0;

  const failed = (what: string, err: unknown): void => {
    writable = false;
    queue.length = 0;
    log.error({ path: file, err: (err as Error).message }, `event journal ${file}: ${what} failed (${(err as Error).message}); events are kept in memory only until the node restarts`);
  };

  const rotate = (): void => {
    fs.closeSync(fd);
    fs.renameSync(file, rotated);
    fd = fs.openSync(file, fs.constants.O_WRONLY | fs.constants.O_APPEND | fs.constants.O_CREAT | fs.constants.O_NOFOLLOW, 0o640);
    size = 0;
  };

  /** Write what is queued, one batch per write, rotating at the bound; runs until the queue is empty. */
  const drain = async (): Promise<void> => {
    while (queue.length > 0 && writable) {
      // Lines up to the bound go into this file; the rest wait for the next one.
      let bytes = 0;
      let count = 0;
      while (count < queue.length) {
        const next = Buffer.byteLength(queue[count]);
        if (count > 0 && size + bytes + next > maxBytes) break;
        bytes += next;
        count++;
      }
      if (size > 0 && size + bytes > maxBytes) {
        try {
          rotate();
        } catch (err) {
          failed('rotation', err);
          return;
        }
        continue;
      }
      const batch = queue.splice(0, count).join('');
      try {
        await new Promise<void>((resolve, reject) => fs.write(fd, batch, null, 'utf8', (err) => (err ? reject(err) : resolve())));
        size += bytes;
      } catch (err) {
        failed('writing', err);
      }
    }
  };

  const kick = (): void => {
    if (writing) return;
    writing = drain().finally(() => {
      writing = null;
      if (queue.length > 0 && writable) kick();
    });
  };

  const flush = async (): Promise<void> => {
    while (writing) await writing;
  };

  return {
    file,
    lastSeqAtOpen,
    get writable() {
      return writable;
    },
    append(event) {
      if (closed || !writable) return;
      queue.push(`${JSON.stringify(event)}\n`);
      if (queue.length > MAX_QUEUED_LINES) {
        queue.shift();
        if (dropped++ === 0) log.warn({ path: file }, `event journal ${file}: the disk is not keeping up; oldest queued events dropped`);
      }
      kick();
    },
    async readAll() {
      await flush();
      const read = async (f: string): Promise<string> => fs.promises.readFile(f, 'utf8').catch(() => '');
      const [older, newer] = await Promise.all([read(rotated), read(file)]);
      return [...parseJournalText(older), ...parseJournalText(newer)];
    },
    flush,
    async close() {
      if (closed) return;
      await flush();
      closed = true;
      try {
        fs.closeSync(fd);
      } catch {
        // already closed by a failed rotation
      }
    },
  };
}
