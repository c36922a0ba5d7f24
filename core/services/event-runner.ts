/**
 * Runs one service event through the executor that recognised the service
 * (or presumes it in maintenance mode), with the KOI_* environment and the
 * event's timeout; says when a failure came from the service vanishing
 * since the last scan; reports it through onServiceEvent and the log.
 */
import type {
  Clock, KoiConfig, KoiHooks, Logger, ServiceEntry, ServiceEventName, ServiceEventResult,
} from '../../plugin-api';
import { describe, eventOk, statusOk, type EventRun } from './results';
import type { ServiceRecord } from './service-record';
import { TIMEOUT_KEY } from './transitions';
import type { ServiceContext } from './types';
import { errorMessage } from '../../plugin-api/errors';

/** What running an event reads of the manager (config and context as they are at each moment). */
export interface EventRunnerHost {
  clock: Clock;
  log: Logger;
  hooks: KoiHooks;
  node: { id: string; name: string };
  config(): KoiConfig;
  context(): ServiceContext;
  maintenance(): boolean;
  listEntries(): Promise<ServiceEntry[]>;
  /** Keep a promise for close() to wait on; errors are logged. */
  track(promise: Promise<unknown>): void;
}

/** Run one event (or presume it in maintenance mode), report it through onServiceEvent. */
export async function runEvent(host: EventRunnerHost, record: ServiceRecord, event: ServiceEventName, signal: AbortSignal): Promise<EventRun> {
  const started = host.clock.now();
  const log = host.log.child({ service: record.name, event });
  const presumed = host.maintenance();
  let result: ServiceEventResult;
  if (presumed) {
    record.unverified = true;
    result = { code: 0, timedOut: false, aborted: false, durationMs: 0 };
    log.info(`${event} presumed successful (maintenance mode)`);
  } else if (!record.definition.events.includes(event)) {
    result = { code: 0, timedOut: false, aborted: false, durationMs: 0 };
    log.debug(`no ${event} script: instant success`);
  } else {
    try {
      result = await record.executor.run({
        service: record.definition,
        event,
        env: environment(host, record, event),
        cwd: record.entry.isDirectory ? record.entry.path : host.config().service.workingdir,
        timeoutMs: host.config().service[TIMEOUT_KEY[event]],
        killGraceMs: host.config().service.kill_grace,
        signal,
        log,
      });
    } catch (err) {
      const message = errorMessage(err);
      result = { code: -1, timedOut: false, aborted: signal.aborted, error: message, durationMs: host.clock.now() - started };
    }
    if (result.error !== undefined && !result.aborted && !result.timedOut) {
      // It did not run at all (spawn ENOENT, a module gone, ...): say so when its entry or script vanished.
      const gone = await vanished(host, record, event);
      if (gone) result = { ...result, error: `${gone}; ${result.error}` };
    }
  }
  const ok = event === 'status' ? statusOk(result) : eventOk(result);
  const report = { service: record.name, event, result, ok, presumed };
  host.track(host.hooks.onServiceEvent.promise(report).catch((err: unknown) => {
    host.log.error({ err: String(err) }, `onServiceEvent hook failed: ${String(err)}`);
  }));
  if (!presumed) {
    const level = ok || result.aborted ? 'debug' : 'warn';
    log[level]({ code: result.code, durationMs: result.durationMs, timedOut: result.timedOut, aborted: result.aborted },
      `${event} finished: ${describe(event, result, host.config().service[TIMEOUT_KEY[event]])}`);
  }
  return { result, ok, presumed };
}

/**
 * Why an event could not run because its service changed under it since the
 * last scan (the entry left the folder, or the event's script is gone), or
 * null when it is still there (or the folder cannot be read to tell).
 */
async function vanished(host: EventRunnerHost, record: ServiceRecord, event: ServiceEventName): Promise<string | null> {
  let entries: ServiceEntry[];
  try {
    entries = await host.listEntries();
  } catch {
    return null; // the folder error is logged by the next round
  }
  const entry = entries.find((e) => e.name === record.name);
  if (!entry) return `service ${record.name} was removed from the service folder after the last scan (${record.entry.path} is gone)`;
  const definition = await record.executor.probe(entry, record.log).catch(() => null);
  if (!definition) return `${entry.path} is no longer a ${record.executor.kind} service`;
  if (!definition.events.includes(event)) return `the ${event} script of ${record.name} vanished after the last scan`;
  return null;
}

function environment(host: EventRunnerHost, record: ServiceRecord, event: ServiceEventName): Record<string, string> {
  const context = host.context();
  return {
    KOI_IS_PROMOTED: context.promoted ? '1' : '0',
    KOI_STATE: context.state,
    KOI_SERVICE: record.name,
    KOI_EVENT: event,
    KOI_NODE_NAME: host.node.name,
    KOI_NODE_ID: host.node.id,
    KOI_MASTER: context.masterName,
  };
}
