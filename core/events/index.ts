/**
 * Cluster events of one node: the recorder (hooks → events → onEvent),
 * the on-disk journal, and the `koi events` query arguments.
 */
import type { Clock, KoiHooks, Logger } from '../../plugin-api';
import { JournalError, openJournal, type EventJournal } from './journal';
import { createEventRecorder, type EventRecorder } from './recorder';

export { createEventRecorder, EVENT_MEMORY, type EventQuery, type EventRecorder } from './recorder';
export { openJournal, JournalError, JOURNAL_FILE_BYTES, parseJournalText, type EventJournal } from './journal';
export * from './describe';
export { parseEventArgs, type EventArgs } from './args';

export interface StartEventsOptions {
  hooks: KoiHooks;
  clock: Clock;
  logger: Logger;
  self: { id: string; name: string };
  /** `node.journal`: an absolute path, or `off`. */
  journalFile: string;
  lastFailure?: () => { reason: string; output: string[] } | null;
  /** Bound of one journal file (tests). */
  maxFileBytes?: number;
}

/** The recorder with its journal; a journal that cannot be opened is logged (naming the path) and left out. */
export function startEvents(options: StartEventsOptions): EventRecorder {
  let journal: EventJournal | null = null;
  if (options.journalFile !== 'off') {
    try {
      journal = openJournal({ file: options.journalFile, logger: options.logger, maxFileBytes: options.maxFileBytes });
    } catch (err) {
      const why = err instanceof JournalError ? err.message : `event journal ${options.journalFile}: ${(err as Error).message}`;
      options.logger.error({ path: options.journalFile }, `${why}; events are kept in memory only (node.journal)`);
    }
  }
  return createEventRecorder({ ...options, journal });
}
