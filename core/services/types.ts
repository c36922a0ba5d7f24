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
  onFailure(service: string, reason: string): void;
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
  /** Every service has reached the target and no event is in flight. */
  settled(): boolean;
  /** Every started service is promotable (last status 0, 90 or 91). */
  promotable(): boolean;
  /** Some service is Promoting or Promoted. */
  anyPromoted(): boolean;
  /** Maintenance mode: run no scripts, presume every event successful. */
  setMaintenance(on: boolean): void;
  setContext(context: ServiceContext): void;
  /** Change timeouts / status interval live (config reload). */
  applyConfig(config: KoiConfig): void;
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
}
