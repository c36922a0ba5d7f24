/**
 * The koinode process around a KoiNode: reads the configuration, sets up
 * logging, loads the plugins, starts the node, and handles reload (SIGHUP,
 * SIGUSR1, `koi reconfigure`), in-process restart and graceful shutdown.
 *
 * Exit codes: 0 graceful stop; 78 bad configuration (koi.conf problems,
 * cluster timing errors, bad plugin options, bad --log); 1 anything else
 * (a plugin not found, a bad export, a throw in apply, a slot conflict,
 * a runtime failure).
 */
import { FileMachineMemory } from './daemon/state-file';
import { randomUUID } from 'node:crypto';
import { RealClock } from './clock';
import { ConfigError, diffConfig, loadConfig } from './config';
import { ClusterConfigError, DaemonError } from './daemon/errors';
import type { ClusterCheck, DaemonNode, NodeModule, ReloadOutcome } from './daemon/node-module';
import { loadNodeModule } from './daemon/node-module';
import { createHooks } from './hooks';
import { createLogging, effectiveLevel, parseLogTargets } from './logging';
import type { Logging } from './logging';
import { LogTargetError } from './logging/targets';
import { PluginError, PluginHost } from './plugins';
import { checkPluginEntries } from './plugins/preflight';
import type { DefaultPlugins } from './plugins';
import type { Clock, KoiConfig, KoiHooks, Logger, PluginEntry } from '../plugin-api';
import { ExitCode, errorMessage } from '../plugin-api';

export { DaemonError } from './daemon/errors';
export type { ReloadOutcome, DaemonNode, NodeModule, NodeOptions, ClusterCheck } from './daemon/node-module';

export interface DaemonOptions {
  /** `-f` files in order (none: the default search). */
  files?: string[];
  /** `-n NAME`. */
  name?: string;
  /** `-d`: log at debug. */
  debug?: boolean;
  /** Console colour (`-C` → false). */
  color?: boolean;
  /** `--log` targets (default: console). */
  log?: string[];
  cwd?: string;
  clock?: Clock & { clearAll?: () => void };
  /** The node implementation (default: KoiNode from core/node). */
  nodeModule?: NodeModule;
  /** Built-in plugin folder and default slot fillers (tests). */
  builtinDir?: string;
  defaults?: DefaultPlugins | false;
  /** Where start-up problems are written before logging exists (default stderr). */
  stderr?: (text: string) => void;
  /** A configuration is being put to use (start, live reload, in-process restart): process-wide settings (run.ts). */
  onConfig?: (config: KoiConfig, log: Logger | null) => void;
}

/** One running generation of plugins + node; an in-process restart replaces it. */
interface Generation {
  config: KoiConfig;
  hooks: KoiHooks;
  host: PluginHost;
  node: DaemonNode | null;
}

export class Daemon {
  /** This process's node identity; the id is fresh on every process start. */
  readonly identity: { id: string; name: string } = { id: randomUUID(), name: '' };
  /** One sequence counter for the identity: an in-process restart keeps the id, so it must keep counting (peers' replay guards). */
  private readonly sequence = { last: 0 };
  /** Kept across in-process restarts too (KoiNodeOptions.memory). */
  private readonly memory = { sawMaster: false };
  /** One writer of `node.state_file` for every generation of the node (an in-process restart must not race its own writes). */
  private stateFile: FileMachineMemory | null = null;
  private readonly clock: Clock & { clearAll?: () => void };
  private logging: Logging | null = null;
  private log: Logger | null = null;
  private current: Generation | null = null;
  private nodeModule: NodeModule | null;
  private reloading: Promise<ReloadOutcome> | null = null;
  private stopping: Promise<void> | null = null;
  private restarting: Promise<void> | null = null;
  /**
   * How the daemon asks for the process to end (the node found it cannot go
   * on, or an in-process restart could not rebuild any node). core/daemon/run.ts,
   * which owns exit codes, sets it; `stopFirst` asks for a graceful shutdown
   * before the exit. Without run.ts (tests), the daemon only stops itself.
   */
  onFatal: (reason: string, exitCode: number, stopFirst: boolean) => void = (reason, _exitCode, stopFirst) => {
    if (stopFirst) void this.shutdown(reason);
  };

  constructor(private readonly opts: DaemonOptions = {}) {
    this.clock = opts.clock ?? new RealClock();
    this.nodeModule = opts.nodeModule ?? null;
  }

  get config(): KoiConfig | null {
    return this.current?.config ?? null;
  }

  get logger(): Logger | null {
    return this.log;
  }

  get hooks(): KoiHooks | null {
    return this.current?.hooks ?? null;
  }

  /** Load and check the configuration, set up logging, load plugins, start the node. Throws DaemonError with its exit code. */
  async start(): Promise<void> {
    const config = await this.readConfig();
    const check = this.checkCluster(config);
    if (check.errors.length) throw new ClusterConfigError(check.errors);
    const targets = this.logTargets();

    this.logging = createLogging({ level: effectiveLevel(config.node.loglevel, this.opts.debug ?? false), clock: this.clock });
    this.log = this.logging.logger.child({ component: 'daemon' });
    this.identity.name = config.node.name;
    this.log.info({ nodeId: this.identity.id, sources: config.sources }, `koinode ${this.identity.name} starting (pid ${process.pid})`);
    for (const warning of check.warnings) this.log.warn(warning);

    await this.build(config, targets);
  }

  /**
   * Read the configuration again. Refused (old one kept, every problem
   * logged) when invalid; applied live when possible; otherwise an
   * in-process restart begins and the call returns at once.
   */
  reload(): Promise<ReloadOutcome> {
    if (!this.reloading) {
      this.reloading = this.doReload().finally(() => {
        this.reloading = null;
      });
    }
    return this.reloading;
  }

  /** Graceful stop: onShutdown, node stop (demote, stop services, tell the cluster), plugins closed in reverse, logs flushed. */
  shutdown(reason: string): Promise<void> {
    if (!this.stopping) this.stopping = this.doShutdown(reason);
    return this.stopping;
  }

  /** Time allowed for a graceful shutdown before the process is forced out. */
  shutdownDeadlineMs(): number {
    const s = this.config?.service;
    if (!s) return 15_000;
    const bound = s.demote_timeout + s.stop_timeout + 2 * s.kill_grace + 10_000;
    return Math.min(Math.max(bound, 15_000), 10 * 60_000);
  }

  /** Flush the logs (exit). */
  async flushLogs(): Promise<void> {
    await this.logging?.flush();
  }

  private async readConfig(): Promise<KoiConfig> {
    const { config, warnings } = await loadConfig({ files: this.opts.files, cwd: this.opts.cwd, overrides: { name: this.opts.name } });
    this.pendingWarnings.push(...warnings);
    return config;
  }

  private readonly pendingWarnings: string[] = [];

  private checkCluster(config: KoiConfig): ClusterCheck {
    this.nodeModule ??= loadNodeModule();
    return this.nodeModule.checkClusterConfig(config);
  }

  private logTargets(): PluginEntry[] {
    const cwd = this.opts.cwd ?? process.cwd();
    return parseLogTargets(this.opts.log?.length ? this.opts.log : ['console'], { color: this.opts.color ?? true, cwd });
  }

  /** The state file's one writer; a new one only when `node.state_file` names another path. */
  private stateFileFor(file: string, logger: Logger): FileMachineMemory {
    if (this.stateFile?.file !== file) this.stateFile = new FileMachineMemory(file, logger);
    return this.stateFile;
  }

  /** Plugins (log sinks first), providers, node, start, onStart. On failure everything built is closed again. */
  private async build(config: KoiConfig, targets: PluginEntry[]): Promise<void> {
    const logging = this.logging as Logging;
    const logger = logging.logger;
    const hooks = createHooks(logger, { clock: this.clock });
    const host = new PluginHost({
      config, hooks, logger, clock: this.clock, node: this.identity, logSinks: logging.fanout,
      builtinDir: this.opts.builtinDir, defaults: this.opts.defaults,
    });
    const generation: Generation = { config, hooks, host, node: null };
    this.opts.onConfig?.(config, this.log);
    const { sinks, rest } = mergeLogTargets(targets, config.plugins);
    logging.fanout.hold();
    try {
      try {
        for (const entry of sinks) await host.load(entry, entry.origin ? 'config' : 'cli');
      } finally {
        logging.fanout.release();
      }
      for (const warning of this.pendingWarnings.splice(0)) this.log?.warn(warning);
      await host.loadAll(rest);
      const providers = host.requireProviders();
      const node = (this.nodeModule ??= loadNodeModule()).create({
        config, clock: this.clock, logger, hooks, identity: this.identity, sequence: this.sequence, memory: this.memory, reload: () => this.reload(),
        localAdmin: true, journal: true, ...providers, commands: () => host.commands,
        ...(config.node.state_file === 'off' ? {} : { machineMemory: this.stateFileFor(config.node.state_file, logger) }),
        onFatal: (message, exitCode) => {
          process.stderr.write(`koinode: ${message}\n`);
          this.onFatal(message, exitCode, true);
        },
      });
      generation.node = node;
      this.current = generation;
      host.attachInspector(node.inspector?.() ?? null);
      await node.start(); // KoiNode fires onStart once it is up
      this.log?.info({ plugins: host.plugins.map((p) => p.entryName) }, `koinode ${this.identity.name} started`);
    } catch (err) {
      this.log?.fatal({ err: errorMessage(err) }, `start failed: ${errorMessage(err)}`);
      if (generation.node) await generation.node.stop('start failed').catch(() => undefined);
      await host.closeAll();
      if (this.current === generation) this.current = null;
      throw toDaemonError(err);
    }
  }

  private async doReload(): Promise<ReloadOutcome> {
    const log = this.log as Logger;
    const generation = this.current;
    if (!generation || this.stopping) return { ok: false, problems: ['the node is not running'] };
    if (this.restarting) return { ok: false, problems: ['a restart is in progress'] };
    log.info('reloading the configuration');
    let next: KoiConfig;
    try {
      next = await this.readConfig();
    } catch (err) {
      const problems = err instanceof ConfigError ? err.format().split('\n') : [errorMessage(err)];
      for (const problem of problems) log.error({ problem }, `reload refused: ${problem}`);
      log.error(`configuration not reloaded (${problems.length} problem${problems.length === 1 ? '' : 's'}); running on with the old one`);
      return { ok: false, problems };
    }
    const check = this.checkCluster(next);
    if (check.errors.length) {
      for (const problem of check.errors) log.error({ problem }, `reload refused: ${problem}`);
      return { ok: false, problems: check.errors };
    }
    // Plugins are checked (found, loaded, compatible, options valid) before anything changes: a bad
    // plugin option is refused like a bad core key, instead of tearing the node down to find out.
    const plugins = await checkPluginEntries(next.plugins, { builtinDir: this.opts.builtinDir });
    if (plugins.problems.length) {
      for (const problem of plugins.problems) log.error({ problem }, `reload refused: ${problem}`);
      log.error(`configuration not reloaded (${plugins.problems.length} plugin problem${plugins.problems.length === 1 ? '' : 's'}); running on with the old one`);
      return { ok: false, problems: plugins.problems };
    }
    const warnings = [...this.pendingWarnings.splice(0), ...check.warnings];
    for (const warning of warnings) log.warn(warning);
    const diff = diffConfig(generation.config, next);
    if (diff.changed.length === 0 && !next.node.force_restart) {
      log.info('configuration unchanged');
      return { ok: true, problems: warnings };
    }
    if (diff.restart || next.node.force_restart) {
      log.info({ changed: diff.changed }, `configuration changed (${diff.changed.join(', ') || 'force_restart'}): restarting the node in-process`);
      // Let the caller (an admin answer) go out before the node stops.
      this.clock.setTimeout(() => {
        this.restarting = this.restart(generation, next).finally(() => {
          this.restarting = null;
        });
      }, 20);
      return { ok: true, restart: true, problems: warnings };
    }
    await generation.node?.applyConfig(next);
    this.opts.onConfig?.(next, log);
    generation.host.updateConfig(next);
    const previous = generation.config;
    generation.config = next;
    this.identity.name = next.node.name;
    this.logging?.setLevel(effectiveLevel(next.node.loglevel, this.opts.debug ?? false));
    await generation.hooks.onConfigReload.promise({ config: next, previous, restart: false });
    log.info({ changed: diff.changed }, `configuration reloaded live (${diff.changed.join(', ')})`);
    return { ok: true, restart: false, problems: warnings };
  }

  private async restart(old: Generation, next: KoiConfig): Promise<void> {
    const log = this.log as Logger;
    if (this.stopping || this.current !== old) return;
    await old.hooks.onConfigReload.promise({ config: next, previous: old.config, restart: true });
    await this.teardown(old, 'configuration restart');
    this.logging?.setLevel(effectiveLevel(next.node.loglevel, this.opts.debug ?? false));
    this.identity.name = next.node.name;
    try {
      await this.build(next, this.logTargets());
      log.info('in-process restart done');
    } catch (err) {
      log.error({ err: errorMessage(err) }, `restart with the new configuration failed (${errorMessage(err)}); starting again with the old one`);
      this.identity.name = old.config.node.name;
      try {
        await this.build(old.config, this.logTargets());
      } catch (again) {
        log.fatal({ err: errorMessage(again) }, `restart with the old configuration failed too: ${errorMessage(again)}`);
        this.onFatal('restart with the old configuration failed too', ExitCode.FAILURE, false);
      }
    }
  }

  /** Stop a generation: node stop (which fires onShutdown), plugins closed (log sinks last: they were loaded first). */
  private async teardown(generation: Generation, reason: string, lastWords?: string): Promise<void> {
    const log = this.log as Logger;
    try {
      await generation.node?.stop(reason); // KoiNode fires onShutdown
    } catch (err) {
      log.error({ err: errorMessage(err) }, `node stop failed: ${errorMessage(err)}`);
    }
    if (lastWords) log.info(lastWords);
    // While no sink is attached, records wait for the next generation's sinks (or stderr at exit).
    this.logging?.fanout.hold();
    generation.host.attachInspector(null);
    await generation.host.closeAll();
    if (this.current === generation) this.current = null;
  }

  private async doShutdown(reason: string): Promise<void> {
    await this.reloading?.catch(() => undefined);
    await this.restarting?.catch(() => undefined);
    const generation = this.current;
    this.log?.info({ reason }, `shutting down: ${reason}`);
    if (generation) await this.teardown(generation, reason, 'koinode stopped');
    this.logging?.fanout.release();
    await this.flushLogs();
    this.clock.clearAll?.();
  }
}

/** `--log` targets first (they are the log sinks); a config entry of the same plugin lends its options. */
function mergeLogTargets(targets: PluginEntry[], configured: PluginEntry[]): { sinks: PluginEntry[]; rest: PluginEntry[] } {
  const sinks = targets.map((target) => {
    const fromConfig = configured.find((e) => e.name === target.name);
    return fromConfig ? { ...fromConfig, options: { ...fromConfig.options, ...target.options } } : target;
  });
  const used = new Set(sinks.map((s) => s.name));
  return { sinks, rest: configured.filter((e) => !used.has(e.name)) };
}

function toDaemonError(err: unknown): DaemonError {
  if (err instanceof DaemonError) return err;
  if (err instanceof PluginError) return new DaemonError(err.format(), err.reason === 'bad-options' ? ExitCode.CONFIG : ExitCode.FAILURE, { cause: err });
  if (err instanceof ConfigError) return new DaemonError(err.format(), ExitCode.CONFIG, { cause: err });
  if (err instanceof LogTargetError) return new DaemonError(err.message, ExitCode.CONFIG, { cause: err });
  return new DaemonError(`koinode: ${errorMessage(err)}`, ExitCode.FAILURE, { cause: err });
}

/** Map any start-up error to the text for stderr and the exit code. */
export function startFailure(err: unknown): DaemonError {
  return toDaemonError(err);
}

