/**
 * The start-up sweep (issue 10 case 7): a daemon that died (crash, SIGKILL)
 * did not demote, and this one starts believing every service Stopped.
 * Before the node takes part, ask every service its status (in parallel,
 * each bounded by status_timeout), demote what answers 90 (descending
 * priority), and adopt what the others say, so a running service is not
 * started again. The manager decides when it runs and keeps the outcome.
 */
import type { KoiConfig, Logger, ServiceEventName, ServiceState } from '../../plugin-api';
import { STATUS_MEANING, describe, type EventRun } from './results';
import { byPriority, type ServiceRecord } from './service-record';
import { ADOPT } from './transitions';

/** What the sweep uses of the manager. */
export interface SweepHost {
  log: Logger;
  config(): KoiConfig;
  records(): Iterable<ServiceRecord>;
  rescan(): Promise<void>;
  run(record: ServiceRecord, event: ServiceEventName, signal: AbortSignal): Promise<EventRun>;
  setState(record: ServiceRecord, to: ServiceState, reason: string): void;
}

/** Check, demote and adopt what a previous daemon left; true when services were adopted as Started (the manager holds them). */
export async function sweepLeftovers(host: SweepHost): Promise<boolean> {
  await host.rescan();
  const checked = [...host.records()].filter((r) => r.definition.enabled && r.definition.events.includes('status'));
  await Promise.all(checked.map(async (record) => {
    const run = await host.run(record, 'status', new AbortController().signal);
    adoptAtStartup(host, record, run);
  }));
  const promoted = byPriority(host.records()).filter((r) => r.state === 'Promoted');
  const unordered = promoted.filter((r) => r.definition.priority === null);
  const ordered = promoted.filter((r) => r.definition.priority !== null).reverse();
  const demoteInOrder = async (): Promise<void> => {
    for (const priority of [...new Set(ordered.map((r) => r.definition.priority))]) {
      await Promise.all(ordered.filter((r) => r.definition.priority === priority).map((r) => demoteLeftover(host, r)));
    }
  };
  await Promise.all([demoteInOrder(), ...unordered.map((r) => demoteLeftover(host, r))]);
  const left = [...host.records()].filter((r) => r.state !== 'Stopped');
  const holdAdopted = left.some((r) => r.state === 'Started');
  host.log.info({ leftovers: left.map((r) => `${r.name}:${r.state}`) }, left.length === 0
    ? 'start-up sweep: no service was left running'
    : `start-up sweep done: ${left.map((r) => `${r.name} ${r.state}`).join(', ')}`);
  return holdAdopted;
}

/** Take a service as its start-up status says it is; an error leaves it Stopped (its start and status come next). */
function adoptAtStartup(host: SweepHost, record: ServiceRecord, run: EventRun): void {
  const code = run.result.code;
  if (!run.ok) {
    record.mayBeRunning = true;
    record.log.warn(`start-up sweep: status of ${record.name} ${describe('status', run.result, host.config().service.status_timeout)}; left Stopped`);
    return;
  }
  const adopted = ADOPT[code];
  if (adopted === undefined || adopted === 'Stopped') return;
  record.log.warn({ code }, adopted === 'Promoted'
    ? `start-up sweep: ${record.name} left promoted by a previous run (status 90): demoting it before this node takes part`
    : `start-up sweep: ${record.name} left running by a previous run (status ${code}, ${STATUS_MEANING[code]}): adopted as Started`);
  record.mayBeRunning = true;
  record.maybePromoted = adopted === 'Promoted';
  record.lastStatus = code;
  host.setState(record, adopted, `start-up sweep: status exited with ${code} (${STATUS_MEANING[code]})`);
}

async function demoteLeftover(host: SweepHost, record: ServiceRecord): Promise<void> {
  host.setState(record, 'Demoting', 'start-up sweep: a leftover promotion');
  const run = await host.run(record, 'demote', new AbortController().signal);
  if (run.ok) {
    record.maybePromoted = false;
    record.lastStatus = null;
    record.statusWanted = true;
    host.setState(record, 'Started', 'start-up sweep: demote ok');
  } else {
    // Still promoted: the runner's first target (Stop) demotes it again and fails the node if that fails too.
    host.setState(record, 'Promoted', `start-up sweep: demote ${describe('demote', run.result, host.config().service.demote_timeout)}`);
    record.log.error(`start-up sweep: demote of leftover ${record.name} failed; it is still promoted`);
  }
}
