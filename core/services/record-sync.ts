/**
 * Applies what a folder scan found to the service records (SPEC §6): a new
 * service gets a fresh record, a known one takes its new definition (being
 * disabled aborts what would not stop it), a vanished one is dropped without
 * being stopped. The manager keeps the table; these act on one record.
 */
import type { Logger } from '../../plugin-api';
import type { DiscoveredService } from './discovery';
import type { ServiceRecord } from './service-record';
import { abortsEvent } from './transitions';

/** The manager's situation a new record starts from. */
export interface NewRecordFlags {
  /** The start-up sweep was skipped (maintenance): the service may hold the master role. */
  sweepSkipped: boolean;
  maintenance: boolean;
}

export function newRecord(name: string, service: DiscoveredService, flags: NewRecordFlags, log: Logger): ServiceRecord {
  return {
    name, entry: service.entry, definition: service.definition, executor: service.executor,
    state: 'Stopped', lastStatus: null, transition: null, status: null, blocked: false,
    failHandled: false, mayBeRunning: false, disabledReported: false, statusWanted: false, statusLaunchedAt: -Infinity, removed: false,
    maybePromoted: flags.sweepSkipped, unverified: flags.maintenance || flags.sweepSkipped,
    verifyWanted: flags.sweepSkipped && !flags.maintenance && service.definition.events.includes('status'),
    log: log.child({ service: name }),
  };
}

/** A known service as a scan found it again; true when it was enabled or disabled (the runner cares). */
export function updateRecord(known: ServiceRecord, service: DiscoveredService): boolean {
  const name = known.name;
  const before = known.definition;
  const after = service.definition;
  if (before.fingerprint !== after.fingerprint || known.executor !== service.executor) {
    known.log.info({ events: after.events, executor: service.executor.kind },
      `service ${name} changed (events: ${after.events.join(' ') || 'none'})`);
  }
  known.entry = service.entry;
  known.definition = after;
  known.executor = service.executor;
  if (before.enabled === after.enabled) return false;
  if (after.enabled) {
    known.disabledReported = false;
    known.log.info(`service ${name} enabled again`);
  } else {
    known.log.warn(`service ${name} disabled: stopping it; it is not started again until enabled`);
    for (const flight of [known.transition, known.status]) {
      if (flight && abortsEvent(flight.event, 'Stop')) flight.controller.abort();
    }
  }
  return true;
}

/** A service gone from the folder: marked removed, said, and whatever it runs aborted (the manager deletes it). */
export function dropRecord(record: ServiceRecord): void {
  record.removed = true;
  const running = record.state !== 'Stopped' && record.state !== 'Failed';
  record.log[running ? 'warn' : 'info']({ state: record.state },
    `service ${record.name} removed from the folder${running ? ` while ${record.state}; dropped without stopping it` : ''}`);
  record.transition?.controller.abort();
  record.status?.controller.abort();
}
