/**
 * The service manager (SPEC §6): keeps the table of services found in the
 * service folder, drives each toward the runner's target in priority order,
 * runs status rounds, and reports failures. Executor-agnostic: events run
 * through the ServiceExecutor that recognised the service; time comes from
 * the injected Clock; the only I/O of its own is the (injectable) folder listing.
 */
import type {
  KoiConfig, Logger, ServiceDefinition, ServiceEntry, ServiceEventName, ServiceEventResult, ServiceExecutor,
  ServiceState, ServiceStatusInfo, TargetAction, TimerHandle,
} from '../../plugin-api';
import { ServiceDiscovery, type DiscoveredService } from './discovery';
import { folderLister } from './folder';
import {
  ADOPT, OUTCOME, PROMOTABLE_STATUS, RUNNING_STATE, STEP, TARGET_STATE, TIMEOUT_KEY, VALID_STATUS, abortsEvent, statusEffect,
  type Outcome, type RestingState, type StatusEffect, type TransitionEvent,
} from './transitions';
import type { ServiceContext, ServiceManager, ServiceManagerOptions } from './types';

interface InFlight {
  event: ServiceEventName;
  controller: AbortController;
  done: Promise<void>;
}

interface ServiceRecord {
  name: string;
  entry: ServiceEntry;
  definition: ServiceDefinition;
  executor: ServiceExecutor;
  state: ServiceState;
  /** Exit code of the last status check; null before the first one after a start. */
  lastStatus: number | null;
  /** The running start/stop/promote/demote/failed event. */
  transition: InFlight | null;
  /** The running status check (never at the same time as a transition). */
  status: InFlight | null;
  /** Failed since the target last changed: not retried until the target changes. */
  blocked: boolean;
  /** The Fail target's `failed` (and `stop`) sequence ran for this service. */
  failHandled: boolean;
  /** The service may hold resources (not cleanly stopped): the Fail sequence stops it. */
  mayBeRunning: boolean;
  /** The failure of being disabled was reported (once per disabling). */
  disabledReported: boolean;
  /** Check status as soon as possible (after a start: promotability is unknown). */
  statusWanted: boolean;
  /**
   * A promote ran (real or presumed) or status said 90, and no real demote,
   * stop or status has shown the role released since: the service may hold
   * it whatever its state says.
   */
  maybePromoted: boolean;
  /** Its state was presumed (maintenance mode) and no real status has confirmed it since. */
  unverified: boolean;
  /** Maintenance ended: check status before any other event, in whatever state (see setMaintenance). */
  verifyWanted: boolean;
  removed: boolean;
  log: Logger;
}

const RUNNING_STATES: ReadonlySet<ServiceState> = new Set(['Started', 'Promoted', 'Promoting', 'Demoting']);
const PROMOTED_STATES: ReadonlySet<ServiceState> = new Set(['Promoting', 'Promoted', 'Demoting']);

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
  private timer: TimerHandle | undefined;
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
    return this.sortedRecords().map((r) => (r.definition.enabled ? { name: r.name, state: r.state } : { name: r.name, state: r.state, disabled: true }));
  }

  settled(): boolean {
    if (!this.scanned || this.startsHeld()) return false;
    for (const record of this.records.values()) {
      if (record.transition) return false;
      if (!record.definition.enabled) continue;
      if (!this.atTarget(record)) return false;
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
   * The start-up sweep (issue 10 case 7): a daemon that died (crash, SIGKILL)
   * did not demote, and this one starts believing every service Stopped.
   * Before the node takes part, ask every service its status (in parallel,
   * each bounded by status_timeout), demote what answers 90 (descending
   * priority), and adopt what the others say, so a running service is not
   * started again. Skipped in maintenance mode: the check after maintenance
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
      await this.rescan();
      const checked = [...this.records.values()].filter((r) => r.definition.enabled && r.definition.events.includes('status'));
      await Promise.all(checked.map(async (record) => {
        const run = await this.run(record, 'status', new AbortController().signal);
        this.adoptAtStartup(record, run);
      }));
      const promoted = this.sortedRecords().filter((r) => r.state === 'Promoted');
      const unordered = promoted.filter((r) => r.definition.priority === null);
      const ordered = promoted.filter((r) => r.definition.priority !== null).reverse();
      const demoteInOrder = async (): Promise<void> => {
        for (const priority of [...new Set(ordered.map((r) => r.definition.priority))]) {
          await Promise.all(ordered.filter((r) => r.definition.priority === priority).map((r) => this.demoteLeftover(r)));
        }
      };
      await Promise.all([demoteInOrder(), ...unordered.map((r) => this.demoteLeftover(r))]);
      const left = [...this.records.values()].filter((r) => r.state !== 'Stopped');
      this.holdAdopted = left.some((r) => r.state === 'Started');
      this.log.info({ leftovers: left.map((r) => `${r.name}:${r.state}`) }, left.length === 0
        ? 'start-up sweep: no service was left running'
        : `start-up sweep done: ${left.map((r) => `${r.name} ${r.state}`).join(', ')}`);
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
    for (const record of this.records.values()) {
      record.transition?.controller.abort();
      record.status?.controller.abort();
    }
    while (this.pending.size > 0) await Promise.allSettled([...this.pending]);
  }

  /** Take a service as its start-up status says it is; an error leaves it Stopped (its start and status come next). */
  private adoptAtStartup(record: ServiceRecord, run: EventRun): void {
    const code = run.result.code;
    if (!run.ok) {
      record.mayBeRunning = true;
      record.log.warn(`start-up sweep: status of ${record.name} ${describe('status', run.result, this.config.service.status_timeout)}; left Stopped`);
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
    this.setState(record, adopted, `start-up sweep: status exited with ${code} (${STATUS_MEANING[code]})`);
  }

  private async demoteLeftover(record: ServiceRecord): Promise<void> {
    this.setState(record, 'Demoting', 'start-up sweep: a leftover promotion');
    const run = await this.run(record, 'demote', new AbortController().signal);
    if (run.ok) {
      record.maybePromoted = false;
      record.lastStatus = null;
      record.statusWanted = true;
      this.setState(record, 'Started', 'start-up sweep: demote ok');
    } else {
      // Still promoted: the runner's first target (Stop) demotes it again and fails the node if that fails too.
      this.setState(record, 'Promoted', `start-up sweep: demote ${describe('demote', run.result, this.config.service.demote_timeout)}`);
      record.log.error(`start-up sweep: demote of leftover ${record.name} failed; it is still promoted`);
    }
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
    this.track(this.rescan().finally(() => {
      this.scanning = false;
      this.scansDone = number;
      if (this.closed) return;
      if (statusRound) for (const record of this.records.values()) if (this.statusEligible(record)) record.statusWanted = true;
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
      const message = err instanceof Error ? err.message : String(err);
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
    if (!known) {
      const record: ServiceRecord = {
        name, entry: service.entry, definition: service.definition, executor: service.executor,
        state: 'Stopped', lastStatus: null, transition: null, status: null, blocked: false,
        failHandled: false, mayBeRunning: false, disabledReported: false, statusWanted: false, removed: false,
        maybePromoted: this.sweepSkipped, unverified: this.maintenance || this.sweepSkipped,
        verifyWanted: this.sweepSkipped && !this.maintenance && service.definition.events.includes('status'),
        log: this.log.child({ service: name }),
      };
      this.records.set(name, record);
      if (this.scanned) {
        record.log.info({ executor: service.executor.kind, priority: service.definition.priority },
          `service ${name} added (${service.executor.kind}${service.definition.enabled ? '' : ', disabled'})`);
      }
      return true;
    }
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

  private drop(record: ServiceRecord): void {
    record.removed = true;
    this.records.delete(record.name);
    const running = record.state !== 'Stopped' && record.state !== 'Failed';
    record.log[running ? 'warn' : 'info']({ state: record.state },
      `service ${record.name} removed from the folder${running ? ` while ${record.state}; dropped without stopping it` : ''}`);
    record.transition?.controller.abort();
    record.status?.controller.abort();
  }

  // ---- driving toward the target ---------------------------------------------

  /** The target a service follows: a disabled service is stopped. */
  private targetOf(record: ServiceRecord): TargetAction {
    return record.definition.enabled ? this.currentTarget : 'Stop';
  }

  private atTarget(record: ServiceRecord): boolean {
    const target = this.targetOf(record);
    switch (target) {
      case 'Stop':
        return record.state === 'Stopped' || record.state === 'Failed';
      case 'Fail':
        return record.state === 'Failed' && record.failHandled;
      case 'Start':
      case 'Demote':
      case 'Promote':
        return record.state === TARGET_STATE[target];
      default: {
        const unreachable: never = target;
        return unreachable;
      }
    }
  }

  /** Start every event that is due and allowed by the priority order, then tell the listener. Idempotent. */
  private drive(): void {
    if (!this.closed && this.scanned && !this.sweeping) this.launchDue();
    if (this.dirty && !this.closed) {
      this.dirty = false;
      this.opts.listener.onChange();
    }
  }

  private launchDue(): void {
    for (const record of this.sortedRecords()) {
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
        if (!held && this.orderAllows(record, event)) this.launch(record, event);
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
    const target = this.targetOf(record);
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

  /** Priority order (SPEC §6): start/promote ascending, stop/demote descending; no priority = independent. */
  private orderAllows(record: ServiceRecord, event: TransitionEvent): boolean {
    const priority = record.definition.priority;
    if (priority === null || event === 'failed') return true;
    for (const other of this.records.values()) {
      const p = other.definition.priority;
      if (other === record || p === null || !this.participates(other)) continue;
      switch (event) {
        case 'start':
          if (p < priority && !RUNNING_STATES.has(other.state)) return false;
          break;
        case 'promote':
          if (p < priority && other.state !== 'Promoted') return false;
          break;
        // A higher service still to be checked after maintenance may turn out promoted or running.
        case 'stop':
          if (p > priority && (!this.isDown(other) || other.verifyWanted)) return false;
          break;
        case 'demote':
          if (p > priority && (PROMOTED_STATES.has(other.state) || other.verifyWanted)) return false;
          break;
        default: {
          const unreachable: never = event;
          return unreachable;
        }
      }
    }
    return true;
  }

  /** Disabled services that are already down do not hold others back. */
  private participates(record: ServiceRecord): boolean {
    return record.definition.enabled || !this.isDown(record);
  }

  private isDown(record: ServiceRecord): boolean {
    if (record.transition) return false;
    if (record.state === 'Stopped') return true;
    return record.state === 'Failed' && (this.currentTarget !== 'Fail' || record.failHandled || !record.mayBeRunning);
  }

  private statusEligible(record: ServiceRecord): boolean {
    if (record.transition || record.status || record.removed) return false;
    if (record.state !== 'Started' && record.state !== 'Promoted') return false;
    const target = this.targetOf(record);
    return target !== 'Stop' && target !== 'Fail';
  }

  // ---- running events ---------------------------------------------------------

  private launch(record: ServiceRecord, event: TransitionEvent): void {
    const from = record.state;
    if (event === 'failed') record.mayBeRunning = from !== 'Stopped' && (from !== 'Failed' || record.mayBeRunning);
    if (event === 'promote') record.maybePromoted = true;
    const running: ServiceState = record.state === 'Failing' ? 'Failing' : RUNNING_STATE[event];
    this.setState(record, running, `${event} (target ${this.targetOf(record)})`);
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
    const state = record.state;
    const controller = new AbortController();
    const flight: InFlight = { event: 'status', controller, done: Promise.resolve() };
    flight.done = this.track(this.run(record, 'status', controller.signal).then((result) => {
      record.status = null;
      this.afterStatus(record, state, result, verify);
    }));
    record.status = flight;
  }

  /** Run one event (or presume it in maintenance mode), report it through onServiceEvent. */
  private async run(record: ServiceRecord, event: ServiceEventName, signal: AbortSignal): Promise<EventRun> {
    const started = this.opts.clock.now();
    const log = this.log.child({ service: record.name, event });
    const presumed = this.maintenance;
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
          env: this.environment(record, event),
          cwd: record.entry.isDirectory ? record.entry.path : this.config.service.workingdir,
          timeoutMs: this.config.service[TIMEOUT_KEY[event]],
          killGraceMs: this.config.service.kill_grace,
          signal,
          log,
        });
      } catch (err) {
        const message = err instanceof Error ? err.message : String(err);
        result = { code: -1, timedOut: false, aborted: signal.aborted, error: message, durationMs: this.opts.clock.now() - started };
      }
      if (result.error !== undefined && !result.aborted && !result.timedOut) {
        // It did not run at all (spawn ENOENT, a module gone, ...): say so when its entry or script vanished.
        const vanished = await this.vanished(record, event);
        if (vanished) result = { ...result, error: `${vanished}; ${result.error}` };
      }
    }
    const ok = event === 'status' ? statusOk(result) : eventOk(result);
    const report = { service: record.name, event, result, ok, presumed };
    this.track(this.opts.hooks.onServiceEvent.promise(report).catch((err: unknown) => {
      this.log.error({ err: String(err) }, `onServiceEvent hook failed: ${String(err)}`);
    }));
    if (!presumed) {
      const level = ok || result.aborted ? 'debug' : 'warn';
      log[level]({ code: result.code, durationMs: result.durationMs, timedOut: result.timedOut, aborted: result.aborted },
        `${event} finished: ${describe(event, result, this.config.service[TIMEOUT_KEY[event]])}`);
    }
    return { result, ok, presumed };
  }

  /**
   * Why an event could not run because its service changed under it since the
   * last scan (the entry left the folder, or the event's script is gone), or
   * null when it is still there (or the folder cannot be read to tell).
   */
  private async vanished(record: ServiceRecord, event: ServiceEventName): Promise<string | null> {
    let entries: ServiceEntry[];
    try {
      entries = await this.listEntries();
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

  private afterTransition(record: ServiceRecord, event: TransitionEvent, run: EventRun): void {
    if (record.removed || this.closed) return;
    let outcome: Outcome = run.ok ? 'ok' : run.result.aborted ? 'aborted' : 'failed';
    let what = `${event} ${outcome === 'failed' ? describe(event, run.result, this.config.service[TIMEOUT_KEY[event]]) : outcome}`;
    if (outcome === 'failed' && this.maintenance) {
      // It began before maintenance went on (presumed events cannot fail). Maintenance presumes
      // success for every event: this one is no node failure either. The state is unverified, and
      // the status check when maintenance ends finds out what it really left (docs/services.md).
      record.log.warn(`${what} after maintenance mode went on: not counted as a failure; checked by status when maintenance ends`);
      outcome = 'ok';
      what = `${event} presumed successful (${what} in maintenance mode)`;
      record.unverified = true;
    }
    if (outcome === 'ok' && !record.unverified && (event === 'demote' || event === 'stop')) record.maybePromoted = false;
    const inFailSequence = record.state === 'Failing';
    if (inFailSequence) {
      if (event === 'failed') {
        if (outcome === 'failed') record.log.error(`failed event did not succeed: ${what}`);
        if (!record.mayBeRunning) this.finishFailSequence(record, `${what}; nothing to stop`);
        // else: rests Failing until the priority order lets its stop run (launchDue).
      } else {
        // The stop of the Fail sequence: the service rests Failed whatever the stop did.
        if (outcome === 'failed') record.log.error(`stop after failure did not succeed: ${what}`);
        record.mayBeRunning = outcome !== 'ok';
        this.finishFailSequence(record, what);
      }
    } else {
      const next = OUTCOME[event][outcome];
      if (outcome === 'failed') {
        // A failed stop, start, promote or demote may leave the service half up.
        record.mayBeRunning = true;
        record.blocked = true;
        record.failHandled = false;
        this.setState(record, next, what);
        this.fail(record, `${record.name}: ${what}`, run.result.output);
      } else {
        if (next === 'Stopped') {
          record.mayBeRunning = false;
          record.lastStatus = null;
        } else {
          record.mayBeRunning = true;
        }
        if (event === 'start' && outcome === 'ok') {
          record.lastStatus = null;
          record.statusWanted = true;
        }
        this.setState(record, next, what);
      }
    }
    this.drive();
  }

  private afterStatus(record: ServiceRecord, state: ServiceState, run: EventRun, verify: boolean): void {
    if (record.removed || this.closed) return;
    const { result } = run;
    if (result.aborted || (!run.presumed && this.maintenance)) {
      // Aborted, or a real answer that arrived after maintenance went on: nothing is acted upon in maintenance.
      if (!result.aborted) record.unverified = true;
      this.drive();
      return;
    }
    if (verify) {
      record.verifyWanted = false;
      record.log.info({ code: result.code }, `status after maintenance: ${describe('status', result, this.config.service.status_timeout)} (${record.state})`);
    }
    if (!run.presumed) record.unverified = false;
    const effect = run.ok ? verifiedEffect(result.code, state) : { kind: 'error' as const };
    // Promotability may change with the code: the listener hears of it.
    if (run.ok && record.lastStatus !== result.code) this.dirty = true;
    if (run.ok) record.lastStatus = result.code;
    switch (effect.kind) {
      case 'keep':
        break;
      case 'set':
        this.setState(record, effect.state, `status exited with ${result.code} (${STATUS_MEANING[result.code] ?? '?'})`);
        if (effect.state === 'Stopped') {
          record.mayBeRunning = false;
          record.lastStatus = null;
        }
        break;
      case 'error': {
        const what = `status ${describe('status', result, this.config.service.status_timeout)}`;
        record.lastStatus = result.code;
        record.mayBeRunning = true;
        record.blocked = true;
        record.failHandled = false;
        this.setState(record, 'Failed', what);
        this.fail(record, `${record.name}: ${what}`, result.output);
        break;
      }
      default: {
        const unreachable: never = effect;
        return unreachable;
      }
    }
    if (run.ok && !run.presumed) {
      if (record.state === 'Started' || record.state === 'Promoted') record.mayBeRunning = true;
      record.maybePromoted = result.code === 90 || PROMOTED_STATES.has(record.state);
    }
    this.drive();
  }

  private finishFailSequence(record: ServiceRecord, reason: string): void {
    record.failHandled = true;
    record.lastStatus = null;
    this.setState(record, 'Failed', reason);
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

  private environment(record: ServiceRecord, event: ServiceEventName): Record<string, string> {
    return {
      KOI_IS_PROMOTED: this.context.promoted ? '1' : '0',
      KOI_STATE: this.context.state,
      KOI_SERVICE: record.name,
      KOI_EVENT: event,
      KOI_NODE_NAME: this.opts.node.name,
      KOI_NODE_ID: this.opts.node.id,
      KOI_MASTER: this.context.masterName,
    };
  }

  /** Services by priority (unprioritised last), then name. */
  private sortedRecords(): ServiceRecord[] {
    return [...this.records.values()].sort((a, b) => {
      const pa = a.definition.priority ?? 100;
      const pb = b.definition.priority ?? 100;
      return pa - pb || (a.name < b.name ? -1 : a.name > b.name ? 1 : 0);
    });
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

/** Targets under which services are started or promoted. */
function startsServices(target: TargetAction): boolean {
  return target === 'Start' || target === 'Promote' || target === 'Demote';
}

interface EventRun {
  result: ServiceEventResult;
  ok: boolean;
  /** Not run: maintenance mode presumed it. */
  presumed: boolean;
}

/**
 * What a valid status code means for a service resting in `state`: a running
 * service follows statusEffect; a Stopped or Failed one (only checked after
 * maintenance) is taken as it says it is (ADOPT); one Failing is left to its stop.
 */
function verifiedEffect(code: number, state: ServiceState): StatusEffect {
  if (state === 'Started' || state === 'Promoted') return statusEffect(code, state);
  const adopted = ADOPT[code];
  if (state === 'Failing' || adopted === undefined || adopted === state || (state === 'Failed' && adopted === 'Stopped')) return { kind: 'keep' };
  return { kind: 'set', state: adopted };
}

const STATUS_MEANING: Record<number, string> = { 0: 'ok', 90: 'master', 91: 'slave', 92: 'stopped', 93: 'live, not promotable yet' };

function eventOk(result: ServiceEventResult): boolean {
  return result.code === 0 && !result.timedOut && !result.aborted && result.error === undefined;
}

function statusOk(result: ServiceEventResult): boolean {
  return VALID_STATUS.has(result.code) && !result.timedOut && !result.aborted && result.error === undefined;
}

/** A human reading of an event's result, used in failure reasons. */
function describe(event: ServiceEventName, result: ServiceEventResult, timeoutMs: number): string {
  if (result.timedOut) return `timed out after ${timeoutMs} ms`;
  if (result.aborted) return 'aborted';
  if (result.error !== undefined) return `failed (${result.error})`;
  if (event === 'status' && VALID_STATUS.has(result.code)) return `exited with ${result.code} (${STATUS_MEANING[result.code]})`;
  return `exited with code ${result.code}`;
}
