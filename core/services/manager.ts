/**
 * The service manager (SPEC §6): keeps the table of services found in the
 * service folder, drives each toward the runner's target in priority order,
 * runs status rounds, and reports failures. Executor-agnostic: events run
 * through the ServiceExecutor that recognised the service; time comes from
 * the injected Clock; the only I/O of its own is the (injectable) folder listing.
 */
import type {
  KoiConfig, Logger, ServiceEntry, ServiceEventName, ServiceState, ServiceStatusInfo, TargetAction, TimerHandle,
} from '../../plugin-api';
import { ServiceDiscovery, type DiscoveredService } from './discovery';
import { folderLister } from './folder';
import { PROMOTABLE_STATUS, RUNNING_STATE, STEP, abortsEvent, type RestingState, type TransitionEvent } from './transitions';
import type { EventRun } from './results';
import {
  PROMOTED_STATES, RUNNING_STATES, atTarget, byPriority, orderAllows, startsServices, targetOf,
  type InFlight, type ServiceRecord,
} from './service-record';
import { runEvent, type EventRunnerHost } from './event-runner';
import { sweepLeftovers } from './sweep';
import { dropRecord, newRecord, updateRecord } from './record-sync';
import { applyStatusOutcome, applyTransitionOutcome, finishFailSequence, type OutcomeHost } from './outcomes';
import type { ServiceContext, ServiceManager, ServiceManagerOptions } from './types';
import { errorMessage } from '../../plugin-api/errors';

/** The status code of a service that runs but is not promotable yet (syncing: SPEC §6). */
const NOT_PROMOTABLE_YET = 93;
/** How soon such a service is checked again (docs/services.md "Status exit codes"). */
export const NOT_PROMOTABLE_RECHECK_MS = 1_000;

export function createServiceManager(opts: ServiceManagerOptions): ServiceManager {
  return new DefaultServiceManager(opts);
}

class DefaultServiceManager implements ServiceManager {
  private currentTarget: TargetAction = 'Stop';
  private config: KoiConfig;
  private context: ServiceContext = { state: 'Disconnected', promoted: false, masterName: '' };
  private maintenance: boolean;
  private readonly records = new Map<string, ServiceRecord>();
  private readonly log: Logger;
  private readonly discovery: ServiceDiscovery;
  private readonly listEntries: () => Promise<ServiceEntry[]>;
  private readonly pending = new Set<Promise<unknown>>();
  private readonly eventHost: EventRunnerHost;
  private readonly outcomeHost: OutcomeHost;
  private timer: TimerHandle | undefined;
  /** The sooner check of services that answered 93 (live, not promotable yet): armed while one does. */
  private recheckTimer: TimerHandle | undefined;
  private scanned = false;
  private scanning = false;
  /** A scan was asked for while another ran: it runs as soon as that one ends. */
  private scanQueued = false;
  /** Number of the last scan begun, and of the last one finished. */
  private scansBegun = 0;
  private scansDone = 0;
  /**
   * `start` and `promote` wait until scan number `startGate` has finished: a
   * target that starts services first rescans the folder, so a service removed
   * since the last round is not "started" from memory (see setTarget).
   */
  private startGate = 0;
  private started = false;
  private closed = false;
  private lastFolderError = '';
  /** Some state changed since the listener was last told. */
  private dirty = false;
  /** The start-up sweep runs its own events: drive() launches nothing meanwhile. */
  private sweeping = false;
  /**
   * The start-up sweep adopted running services: the runner's initial Stop
   * target (Disconnected, no leader heard yet) does not stop them; the first
   * target it sets, or the runner going Stopped or Failed, ends the hold.
   */
  private holdAdopted = false;
  /**
   * The start-up sweep was skipped (maintenance): what a crashed predecessor
   * left promoted is unknown, so every service may hold the master role
   * until its check after maintenance answers (anyPromoted).
   */
  private sweepSkipped = false;

  constructor(private readonly opts: ServiceManagerOptions) {
    this.config = opts.config;
    this.maintenance = opts.config.node.maintenance;
    this.log = opts.logger.child({ component: 'services' });
    this.discovery = new ServiceDiscovery(opts.executors, this.log);
    this.listEntries = opts.listEntries ?? folderLister(opts.config.service.folder);
    this.eventHost = {
      clock: opts.clock, log: this.log, hooks: opts.hooks, node: opts.node,
      config: () => this.config, context: () => this.context, maintenance: () => this.maintenance,
      listEntries: () => this.listEntries(), track: (promise) => this.track(promise),
    };
    this.outcomeHost = {
      config: () => this.config, maintenance: () => this.maintenance,
      setState: (record, to, reason) => this.setState(record, to, reason),
      fail: (record, reason, output) => this.fail(record, reason, output),
      markDirty: () => { this.dirty = true; },
    };
  }

  get target(): TargetAction {
    return this.currentTarget;
  }

  setTarget(target: TargetAction): void {
    this.holdAdopted = false;
    if (target === this.currentTarget) return;
    this.log.info({ from: this.currentTarget, to: target }, `target ${this.currentTarget} -> ${target}`);
    this.currentTarget = target;
    if (this.started && startsServices(target)) {
      // The table is as old as the last round (up to status_interval): a service removed meanwhile
      // (e.g. while the node was Failed, then `koi recover`) would "start" with no script and then
      // fail its status. Hold start/promote back until a scan begun after this change has finished.
      this.startGate = this.scansBegun + 1;
      this.scan(false);
    }
    for (const record of this.records.values()) {
      record.blocked = false;
      if (target !== 'Fail') record.failHandled = false;
      for (const flight of [record.transition, record.status]) {
        if (flight && abortsEvent(flight.event, target)) {
          record.log.info({ event: flight.event }, `aborting ${flight.event}: target is now ${target}`);
          flight.controller.abort();
        }
      }
    }
    this.dirty = true;
    this.drive();
  }

  summary(): ServiceStatusInfo[] {
    return byPriority(this.records.values()).map((r) => (r.definition.enabled ? { name: r.name, state: r.state } : { name: r.name, state: r.state, disabled: true }));
  }

  settled(): boolean {
    if (!this.scanned || this.startsHeld()) return false;
    for (const record of this.records.values()) {
      if (record.transition) return false;
      if (!record.definition.enabled) continue;
      if (!atTarget(record, this.currentTarget)) return false;
    }
    return true;
  }

  promotable(): boolean {
    if (!this.scanned) return false;
    for (const record of this.records.values()) {
      if (!record.definition.enabled) continue;
      if (!RUNNING_STATES.has(record.state)) return false;
      if (record.lastStatus === null || !PROMOTABLE_STATUS.has(record.lastStatus)) return false;
    }
    return true;
  }

  anyPromoted(): boolean {
    for (const record of this.records.values()) {
      // A presumed demote or stop (maintenance) proves nothing: the role counts until a real status says otherwise.
      if (PROMOTED_STATES.has(record.state) || (record.unverified && record.maybePromoted)) return true;
      // A promoted service being failed or stopped (a master that failed) holds the role until its stop ends.
      if (record.maybePromoted && (record.state === 'Failing' || record.state === 'Stopping')) return true;
    }
    return false;
  }

  /**
   * Maintenance on: every state from now on is presumed. Maintenance off:
   * every service with a status script is checked at once, before any other
   * event (verifyWanted), and a service that may still hold the master role
   * keeps anyPromoted() true until its check answers (docs/services.md).
   */
  setMaintenance(on: boolean): void {
    if (on === this.maintenance) return;
    this.maintenance = on;
    this.log.warn({ maintenance: on }, on
      ? 'maintenance mode on: no service scripts run, every event is presumed successful'
      : 'maintenance mode off: service scripts run again; checking the status of every service now');
    // The skipped sweep is owed until the services exist to be checked (records made later are marked by upsert).
    if (!on && this.scanned) this.sweepSkipped = false;
    for (const record of this.records.values()) {
      if (on) {
        record.unverified = true;
        record.verifyWanted = false;
      } else if (record.definition.events.includes('status')) {
        record.verifyWanted = true;
      } else {
        record.unverified = false;
        if (record.maybePromoted && !PROMOTED_STATES.has(record.state)) {
          record.log.warn(`${record.name} has no status script: koi cannot verify that its presumed demote or stop really released it`);
        }
      }
    }
    if (!on) {
      this.dirty = true;
      this.drive();
    }
  }

  setContext(context: ServiceContext): void {
    this.context = { ...context };
    // Going Live the runner sets the Start target right after this; Stopped keeps the Stop target, meant now.
    if (this.holdAdopted && (context.state === 'Stopped' || context.state === 'Failed')) {
      this.holdAdopted = false;
      this.drive();
    }
  }

  /**
   * The start-up sweep (sweep.ts), after ending scripts a crashed predecessor
   * left running. Skipped in maintenance mode: the check after maintenance
   * ends covers every service then.
   */
  async recoverLeftovers(): Promise<void> {
    if (this.started || this.closed) return;
    // Scripts a crashed predecessor left running end first: one finishing after its service's check would
    // undo it. Done in maintenance too: they are koi's own processes, not the operator's services.
    const ended = await Promise.all(this.opts.executors.map((executor) => executor.reapOrphans?.({
      servicesFolder: this.config.service.folder, killGraceMs: this.config.service.kill_grace, log: this.log,
    }) ?? []));
    if (ended.flat().length > 0) this.log.warn({ ended: ended.flat() }, `start-up sweep: ended ${ended.flat().length} script(s) a previous daemon left running`);
    if (this.maintenance) {
      this.log.warn('maintenance mode: start-up sweep skipped (no scripts run); every service is checked when maintenance ends');
      this.sweepSkipped = true;
      for (const record of this.records.values()) record.maybePromoted = true;
      return;
    }
    this.sweeping = true;
    try {
      this.holdAdopted = await sweepLeftovers({
        log: this.log, config: () => this.config, records: () => this.records.values(), rescan: () => this.rescan(),
        run: (record, event, signal) => this.run(record, event, signal), setState: (record, to, reason) => this.setState(record, to, reason),
      });
    } finally {
      this.sweeping = false;
    }
  }

  applyConfig(config: KoiConfig): void {
    const intervalChanged = config.time.status_interval !== this.config.time.status_interval;
    this.config = config;
    if (intervalChanged && this.started && !this.closed) this.armTimer();
  }

  start(): void {
    if (this.started || this.closed) return;
    this.started = true;
    this.armTimer();
    this.round();
  }

  async close(): Promise<void> {
    this.closed = true;
    this.opts.clock.clear(this.timer);
    this.timer = undefined;
    this.opts.clock.clear(this.recheckTimer);
    this.recheckTimer = undefined;
    for (const record of this.records.values()) {
      record.transition?.controller.abort();
      record.status?.controller.abort();
    }
    while (this.pending.size > 0) await Promise.allSettled([...this.pending]);
  }

  // ---- rounds and discovery -------------------------------------------------

  private armTimer(): void {
    this.opts.clock.clear(this.timer);
    this.timer = this.opts.clock.setInterval(() => this.round(), this.config.time.status_interval);
  }

  /** One status round: rescan the folder, then check the status of every started service. */
  private round(): void {
    this.scan(true);
  }

  /**
   * Rescan the folder (one scan at a time). A status round then checks every
   * started service; a round falling on a running scan is skipped, but a scan
   * asked for by a target change runs right after the running one, whose
   * listing may predate the change.
   */
  private scan(statusRound: boolean): void {
    if (this.closed) return;
    if (this.scanning) {
      if (!statusRound) this.scanQueued = true;
      return;
    }
    this.scanning = true;
    const number = ++this.scansBegun;
    const begunAt = this.opts.clock.now();
    this.track(this.rescan().finally(() => {
      this.scanning = false;
      this.scansDone = number;
      if (this.closed) return;
      if (statusRound) {
        // A service checked since the round began (a check after start, a recheck of 93) is not checked twice.
        for (const record of this.records.values()) if (this.statusEligible(record) && record.statusLaunchedAt < begunAt) record.statusWanted = true;
      }
      if (this.scanQueued) {
        this.scanQueued = false;
        this.scan(false);
      }
      this.drive();
    }));
  }

  /** Start and promote events wait for the scan a target change asked for. */
  private startsHeld(): boolean {
    return this.scansDone < this.startGate;
  }

  private async rescan(): Promise<void> {
    let entries: ServiceEntry[];
    try {
      entries = await this.listEntries();
    } catch (err) {
      const message = errorMessage(err);
      // Keep the services we know: a transient listing error must not drop them.
      if (message !== this.lastFolderError) this.log.error({ err: message }, `service folder scan failed: ${message}`);
      this.lastFolderError = message;
      return;
    }
    this.lastFolderError = '';
    const found = await this.discovery.discover(entries);
    if (this.closed) return;
    let changed = false;
    for (const [name, service] of found) changed = this.upsert(name, service) || changed;
    for (const record of [...this.records.values()]) {
      // A probe that threw (a script replaced mid-scan, ...) keeps the service as it was.
      if (found.has(record.name) || this.discovery.probeErrors.has(record.name)) continue;
      this.drop(record);
      changed = true;
    }
    const first = !this.scanned;
    this.scanned = true;
    if (!this.maintenance) this.sweepSkipped = false;
    if (first) {
      this.log.info({ services: this.summary().map((s) => s.name) },
        `found ${this.records.size} service(s): ${this.summary().map((s) => s.name).join(', ') || 'none'}`);
    }
    if (changed || first) this.dirty = true;
  }

  /** Add a new service or update a known one; true when something the runner cares about changed. */
  private upsert(name: string, service: DiscoveredService): boolean {
    const known = this.records.get(name);
    if (known) return updateRecord(known, service);
    const record = newRecord(name, service, { sweepSkipped: this.sweepSkipped, maintenance: this.maintenance }, this.log);
    this.records.set(name, record);
    if (this.scanned) {
      record.log.info({ executor: service.executor.kind, priority: service.definition.priority },
        `service ${name} added (${service.executor.kind}${service.definition.enabled ? '' : ', disabled'})`);
    }
    return true;
  }

  private drop(record: ServiceRecord): void {
    dropRecord(record);
    this.records.delete(record.name);
  }

  // ---- driving toward the target ---------------------------------------------

  /** Start every event that is due and allowed by the priority order, then tell the listener. Idempotent. */
  private drive(): void {
    if (!this.closed && this.scanned && !this.sweeping) this.launchDueEvents();
    if (this.dirty && !this.closed) {
      this.dirty = false;
      this.opts.listener.onChange();
    }
  }

  launchDue(): void {
    this.drive();
  }

  private launchDueEvents(): void {
    for (const record of byPriority(this.records.values())) {
      this.reportDisabled(record);
      if (record.transition || record.status) continue;
      if (record.verifyWanted && !this.maintenance) {
        // After maintenance nothing is acted on before the service says what it really is.
        this.launchStatus(record, true);
        continue;
      }
      const event = this.nextEvent(record);
      if (event) {
        const held = (event === 'start' || event === 'promote') && this.startsHeld();
        if (held || !orderAllows(record, event, this.records.values(), this.currentTarget)) continue;
        if (event === 'promote' && this.opts.promoteGate && !this.opts.promoteGate()) continue;
        this.launch(record, event);
        continue;
      }
      if (record.statusWanted && this.statusEligible(record)) this.launchStatus(record);
    }
  }

  /**
   * A disabled service is an operator's choice, not a failure of the node
   * (the original koi failed the node, which kept it from being elected for
   * failure_promotion_timeout): it is kept stopped, shown as disabled, and
   * said once per disabling.
   */
  private reportDisabled(record: ServiceRecord): void {
    if (record.definition.enabled || record.disabledReported) return;
    if (this.currentTarget === 'Stop' || this.currentTarget === 'Fail') return;
    record.disabledReported = true;
    record.log.warn(`service ${record.name} is disabled (a "disabled" file in its directory): kept stopped; not a failure of the node`);
  }

  private nextEvent(record: ServiceRecord): TransitionEvent | null {
    const target = targetOf(record, this.currentTarget);
    const state = record.state;
    if (state === 'Failing' && target !== 'Fail') {
      // The Fail target was withdrawn between `failed` and `stop`: rest as Failed.
      this.setState(record, 'Failed', `target is now ${target}`);
    }
    const resting = record.state as RestingState;
    const event = STEP[resting]?.[target] ?? null;
    if (!event) return null;
    if (this.holdAdopted && event === 'stop' && resting === 'Started') return null;
    if (resting === 'Failed' && event === 'start' && record.blocked) return null;
    if (resting === 'Failed' && event === 'failed' && record.failHandled) return null;
    if (resting === 'Failing' && event === 'stop' && !record.mayBeRunning) {
      this.finishFailSequence(record, 'nothing to stop');
      return null;
    }
    return event;
  }

  private statusEligible(record: ServiceRecord): boolean {
    if (record.transition || record.status || record.removed) return false;
    if (record.state !== 'Started' && record.state !== 'Promoted') return false;
    const target = targetOf(record, this.currentTarget);
    return target !== 'Stop' && target !== 'Fail';
  }

  // ---- running events ---------------------------------------------------------

  private launch(record: ServiceRecord, event: TransitionEvent): void {
    const from = record.state;
    if (event === 'failed') record.mayBeRunning = from !== 'Stopped' && (from !== 'Failed' || record.mayBeRunning);
    if (event === 'promote') record.maybePromoted = true;
    const running: ServiceState = record.state === 'Failing' ? 'Failing' : RUNNING_STATE[event];
    this.setState(record, running, `${event} (target ${targetOf(record, this.currentTarget)})`);
    const controller = new AbortController();
    const flight: InFlight = { event, controller, done: Promise.resolve() };
    flight.done = this.track(this.run(record, event, controller.signal).then((result) => {
      record.transition = null;
      this.afterTransition(record, event, result);
    }));
    record.transition = flight;
  }

  /** A status round's check, or (`verify`) the check after maintenance, which runs in any resting state. */
  private launchStatus(record: ServiceRecord, verify = false): void {
    if (!verify) record.statusWanted = false;
    record.statusLaunchedAt = this.opts.clock.now();
    const state = record.state;
    const controller = new AbortController();
    const flight: InFlight = { event: 'status', controller, done: Promise.resolve() };
    flight.done = this.track(this.run(record, 'status', controller.signal).then((result) => {
      record.status = null;
      this.afterStatus(record, state, result, verify);
    }));
    record.status = flight;
  }

  /** Run one event (or presume it in maintenance mode): event-runner.ts. */
  private run(record: ServiceRecord, event: ServiceEventName, signal: AbortSignal): Promise<EventRun> {
    return runEvent(this.eventHost, record, event, signal);
  }

  private afterTransition(record: ServiceRecord, event: TransitionEvent, run: EventRun): void {
    if (record.removed || this.closed) return;
    applyTransitionOutcome(this.outcomeHost, record, event, run);
    this.drive();
  }

  private afterStatus(record: ServiceRecord, state: ServiceState, run: EventRun, verify: boolean): void {
    if (record.removed || this.closed) return;
    applyStatusOutcome(this.outcomeHost, record, state, run, verify);
    if (record.lastStatus === NOT_PROMOTABLE_YET) this.armRecheck();
    this.drive();
  }

  /**
   * A service that answered 93 (syncing) keeps the node from being elected
   * until a later check says 0, 90 or 91: waiting a whole status_interval
   * (10 s) for that check would delay the first master of a fresh cluster by
   * up to that much. Such services are checked again after
   * NOT_PROMOTABLE_RECHECK_MS (never later than a round would) until they
   * answer something else.
   */
  private armRecheck(): void {
    if (this.recheckTimer !== undefined || this.closed) return;
    const delay = Math.min(NOT_PROMOTABLE_RECHECK_MS, this.config.time.status_interval);
    this.recheckTimer = this.opts.clock.setTimeout(() => {
      this.recheckTimer = undefined;
      for (const record of this.records.values()) {
        if (record.lastStatus === NOT_PROMOTABLE_YET && this.statusEligible(record)) record.statusWanted = true;
      }
      this.drive();
    }, delay);
  }

  private finishFailSequence(record: ServiceRecord, reason: string): void {
    finishFailSequence(this.outcomeHost, record, reason);
  }

  /** Report a failure to the runner (not during the Fail target: the node is failing already). */
  private fail(record: ServiceRecord, reason: string, output: string[] = []): void {
    const said = output.length > 0 ? `; last output: ${output.join(' | ')}` : '';
    if (this.currentTarget === 'Fail') {
      record.log.error(`failure while failing: ${reason}${said}`);
      return;
    }
    record.log.error(`service failed: ${reason}${said}`);
    this.opts.listener.onFailure(record.name, reason, output);
  }

  private setState(record: ServiceRecord, to: ServiceState, reason: string): void {
    if (record.state === to) return;
    record.log.info({ from: record.state, to, reason }, `Transition[${record.state} -> ${to}]: ${reason}`);
    record.state = to;
    this.dirty = true;
  }

  private track<T>(promise: Promise<T>): Promise<void> {
    const tracked = promise.then(() => undefined, (err: unknown) => {
      this.log.error({ err: String(err) }, `internal error in the service manager: ${String(err)}`);
    });
    this.pending.add(tracked);
    void tracked.finally(() => this.pending.delete(tracked));
    return tracked;
  }
}
