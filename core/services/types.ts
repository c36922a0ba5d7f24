/**
 * The contract between the runner (core/runner) and the service manager
 * (core/services). The manager is executor-agnostic: it discovers services,
 * orders events by priority, runs status rounds and reports back.
 */
import type {
  Clock, KoiConfig, KoiHooks, Logger, RunnerState, ServiceEntry, ServiceExecutor, ServiceStatusInfo, TargetAction,
} from '../../plugin-api';

/** What the manager tells the runner. */
export interface ServiceManagerListener {
  /** Some service changed state (the runner re-evaluates its own state). */
  onChange(): void;
  /** A service failed: an event failed or timed out, or status reported an error. */
  /** `output`: the last lines the failing event wrote (may be empty). */
  onFailure(service: string, reason: string, output?: string[]): void;
}

/** Script environment context that changes with the runner's state. */
export interface ServiceContext {
  state: RunnerState;
  promoted: boolean;
  /** Current master's name, '' when none. */
  masterName: string;
}

export interface ServiceManager {
  /** The target the services are being driven to. */
  readonly target: TargetAction;
  /**
   * Drive every service toward `target`: Start (ascending priority), Promote
   * (ascending), Demote (descending, back to Started), Stop (descending; aborts
   * a running start/promote/status), Fail (`failed` event, then stop).
   */
  setTarget(target: TargetAction): void;
  /** Each service and its state. */
  summary(): ServiceStatusInfo[];
  /**
   * The folder was scanned at least once, no start/stop/promote/demote/failed
   * event is in flight (a running status check does not count), and every
   * enabled service rests at the target's state: Start/Demote → Started,
   * Promote → Promoted, Stop → Stopped or Failed, Fail → Failed after its
   * `failed` (and `stop`) ran. Disabled services only count while an event runs.
   */
  settled(): boolean;
  /**
   * Every enabled service is running (Started, Promoted, Promoting, Demoting)
   * and its last status was 0, 90 or 91. False while a first status after a
   * start is pending, on 93, and before the first scan.
   */
  promotable(): boolean;
  /**
   * Some service is Promoting, Promoted or Demoting, or was promoted and its
   * later demote or stop was only presumed (maintenance mode) and no real
   * status has confirmed it since: it may still hold the master role.
   */
  anyPromoted(): boolean;
  /**
   * Maintenance mode: run no scripts, presume every event successful. When it
   * goes off, every service's status is checked at once, before anything else.
   */
  setMaintenance(on: boolean): void;
  /**
   * Start-up sweep, before start() and before the node takes part: check the
   * status of every service, demote what a previous (crashed) daemon left
   * promoted, adopt what is running. Does nothing in maintenance mode.
   */
  recoverLeftovers(): Promise<void>;
  setContext(context: ServiceContext): void;
  /** Change timeouts / status interval live (config reload). */
  applyConfig(config: KoiConfig): void;
  /** Launch every event that is due now (a promote the gate held: `promoteGate`). */
  launchDue(): void;
  /** Begin folder rescans and status rounds. */
  start(): void;
  /** Stop timers and abort in-flight events. Does not stop services (use the Stop target first). */
  close(): Promise<void>;
}

export interface ServiceManagerOptions {
  config: KoiConfig;
  executors: ServiceExecutor[];
  hooks: KoiHooks;
  clock: Clock;
  logger: Logger;
  node: { id: string; name: string };
  listener: ServiceManagerListener;
  /** Lists the service folder; defaults to reading `config.service.folder`. The simulator injects its own. */
  listEntries?: () => Promise<ServiceEntry[]>;
  /**
   * Asked before every promote script starts; false holds it, and whoever said no calls `launchDue()` when it
   * may go (the runner: Runner.mayLaunchPromote, docs/safety.md R6). Without it promotes start when due.
   */
  promoteGate?: () => boolean;
}
