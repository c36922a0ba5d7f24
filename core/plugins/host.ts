/**
 * PluginHost: loads the configured plugins in order, gives each its
 * KoiPluginContext, collects what they provide, fills empty slots with the
 * built-in defaults, and closes everything in reverse load order.
 */
import type {
  Cipher, Clock, KoiConfig, KoiHooks, KoiPlugin, KoiPluginContext, LogSink, Logger, NodeInspector, PluginEntry,
  PluginOptions, ProviderRegistry, ServiceExecutor, Transport,
} from '../../plugin-api';
import { READ_ONLY_ADMIN_COMMANDS } from '../../plugin-api';
import { hooksForPlugin } from '../hooks';
import { keyringFromCluster } from '../wire/keyring';
import { PluginError } from './errors';
import { preparePlugin } from './prepare';
import { BUILTIN_PLUGIN_DIR, DAEMON_ROOT, builtinFile } from './resolve';
import type { ResolvedPlugin } from './resolve';
import { checkPluginCommands } from './commands';
import type { DeclaredCommand } from './commands';
import { errorMessage } from '../../plugin-api/errors';

/** Built-ins that fill a slot no configured plugin filled, in order. */
export interface DefaultPlugins {
  transport: string[];
  cipher: string[];
  executors: string[];
}

export const DEFAULT_PLUGINS: DefaultPlugins = {
  transport: ['udp'],
  cipher: ['crypto-node'],
  executors: ['exec-vip', 'exec-native', 'exec-shell'],
};

/** Where log sinks go as plugins register them (the logging fan-out). */
export interface LogSinkTarget {
  attach(sink: LogSink): void;
  detach(sink: LogSink): void;
}

export interface PluginHostOptions {
  config: KoiConfig;
  hooks: Readonly<KoiHooks>;
  /** Root logger; each plugin gets `logger.child({ plugin: <name> })`. */
  logger: Logger;
  clock: Clock;
  node: { id: string; name: string };
  logSinks?: LogSinkTarget;
  /** Default slot fillers; `false` loads none (tests, the simulator). */
  defaults?: DefaultPlugins | false;
  builtinDir?: string;
  daemonRoot?: string;
  /** The running koi's version, for plugins' `koi` ranges (default: package.json). */
  koiVersion?: string;
}

export type PluginOrigin = 'config' | 'cli' | 'default';

export interface LoadedPlugin {
  /** Name as written (`example`, `./x`, `udp`). */
  entryName: string;
  plugin: KoiPlugin;
  resolved: ResolvedPlugin;
  options: PluginOptions;
  origin: PluginOrigin;
  /** Bound of each awaited tap and onClose of this plugin (its `hook_timeout`). */
  hookTimeoutMs: number;
  /** Folder of the config file that named it (the daemon's cwd for `--log` targets and defaults). */
  baseDir: string;
  closers: Array<() => void | Promise<void>>;
  sinks: LogSink[];
}

export interface NodeProviders {
  transport: Transport;
  cipher: Cipher;
  executors: ServiceExecutor[];
}

export class PluginHost {
  private readonly loadedPlugins: LoadedPlugin[] = [];
  private transportSlot: { value: Transport; by: string } | undefined;
  private cipherSlot: { value: Cipher; by: string } | undefined;
  private readonly executorSlots = new Map<string, { value: ServiceExecutor; by: string }>();
  private readonly sinks: Array<{ value: LogSink; by: string }> = [];
  private readonly declaredCommands: DeclaredCommand[] = [];
  private config: KoiConfig;
  private readonly log: Logger;
  private closed = false;
  /** The running node's inspector; plugins are applied before the node exists, so it is attached later. */
  private nodeInspector: NodeInspector | null = null;
  /** What every plugin's `koi.inspect` is: it forwards to the node once attached. */
  private readonly inspector: NodeInspector = {
    query: async (command, args = []) => {
      if (!(READ_ONLY_ADMIN_COMMANDS as readonly string[]).includes(command)) {
        return { exitCode: 2, text: `inspect.query answers only the read-only commands ${READ_ONLY_ADMIN_COMMANDS.join(', ')}, not '${String(command)}'` };
      }
      if (this.nodeInspector === null) return { exitCode: 1, text: 'the node is not running yet' };
      return this.nodeInspector.query(command, args);
    },
    metrics: () => this.nodeInspector?.metrics() ?? null,
  };

  constructor(private readonly opts: PluginHostOptions) {
    this.config = opts.config;
    this.log = opts.logger.child({ component: 'plugins' });
  }

  /** Load `entries` (default: the config's plugins), then the defaults for empty slots. */
  async loadAll(entries: PluginEntry[] = this.config.plugins, origin: PluginOrigin = 'config'): Promise<void> {
    for (const entry of entries) await this.load(entry, origin);
    await this.fillDefaults();
  }

  /** Load and apply one plugin. Throws PluginError naming it. */
  async load(entry: PluginEntry, origin: PluginOrigin = 'config'): Promise<LoadedPlugin> {
    if (this.closed) throw new Error('PluginHost is closed');
    const { plugin, resolved, options, host } = await preparePlugin(entry, {
      builtinDir: this.opts.builtinDir ?? BUILTIN_PLUGIN_DIR,
      daemonRoot: this.opts.daemonRoot ?? DAEMON_ROOT,
      koiVersion: this.opts.koiVersion,
    });
    this.checkDependencies(entry.name, plugin);
    this.declaredCommands.push(...checkPluginCommands(entry.name, plugin.commands, this.declaredCommands));
    const loaded: LoadedPlugin = {
      entryName: entry.name, plugin, resolved, options, origin, hookTimeoutMs: host.hook_timeout, baseDir: entry.baseDir ?? process.cwd(), closers: [], sinks: [],
    };
    this.loadedPlugins.push(loaded);
    try {
      // Like Fastify's pluginTimeout: an apply that never settles would hold the start, and with it every signal.
      if (await this.bounded(() => plugin.apply(this.contextFor(loaded), options), loaded.hookTimeoutMs)) {
        throw new PluginError(entry.name, 'apply-threw', `apply did not finish within ${loaded.hookTimeoutMs / 1000} s (its hook_timeout)`);
      }
    } catch (err) {
      if (err instanceof PluginError) throw err;
      throw new PluginError(entry.name, 'apply-threw', `threw in apply: ${errorMessage(err)}`, [], { cause: err });
    }
    this.log.debug(
      { loaded: entry.name, from: resolved.file, source: resolved.source, version: plugin.version },
      `loaded plugin ${entry.name}${plugin.version ? ` ${plugin.version}` : ''} (${resolved.source}, ${origin})`,
    );
    return loaded;
  }

  /** Built-in defaults for slots still empty; a default not installed is skipped. */
  async fillDefaults(): Promise<void> {
    const defaults = this.opts.defaults === undefined ? DEFAULT_PLUGINS : this.opts.defaults;
    if (!defaults) return;
    const wanted: string[] = [];
    if (!this.transportSlot) wanted.push(...defaults.transport.slice(0, 1));
    if (!this.cipherSlot) wanted.push(...defaults.cipher.slice(0, 1));
    wanted.push(...defaults.executors);
    for (const name of wanted) {
      if (this.loadedPlugins.some((p) => p.entryName === name)) continue;
      if (!builtinFile(name, this.opts.builtinDir ?? BUILTIN_PLUGIN_DIR)) {
        this.log.debug({ skipped: name }, `default plugin ${name} is not installed; skipped`);
        continue;
      }
      await this.load({ name, options: {} }, 'default');
    }
  }

  /** The single-slot providers the node needs; PluginError('slot-empty') when one is missing. */
  requireProviders(): NodeProviders {
    const defaults = this.opts.defaults || DEFAULT_PLUGINS;
    if (!this.transportSlot) {
      throw new PluginError(defaults.transport[0] ?? 'transport', 'slot-empty', 'no plugin provides a transport (configure one, or install the built-in default)');
    }
    if (!this.cipherSlot) {
      throw new PluginError(defaults.cipher[0] ?? 'cipher', 'slot-empty', 'no plugin provides a cipher (configure one, or install the built-in default)');
    }
    if (this.executorSlots.size === 0) {
      throw new PluginError(defaults.executors.join(', ') || 'executor', 'slot-empty', 'no plugin provides a service executor');
    }
    return { transport: this.transportSlot.value, cipher: this.cipherSlot.value, executors: this.executors };
  }

  get transport(): Transport | undefined {
    return this.transportSlot?.value;
  }

  get cipher(): Cipher | undefined {
    return this.cipherSlot?.value;
  }

  /** Executors in registration order. */
  get executors(): ServiceExecutor[] {
    return [...this.executorSlots.values()].map((s) => s.value);
  }

  get logSinks(): LogSink[] {
    return this.sinks.map((s) => s.value);
  }

  /** Admin commands the loaded plugins declare, in load order. */
  get commands(): readonly DeclaredCommand[] {
    return this.declaredCommands;
  }

  /** Loaded plugins in load order. */
  get plugins(): readonly LoadedPlugin[] {
    return this.loadedPlugins;
  }

  /** The node is running (its inspector), or stopped (null): what `koi.inspect` answers from. */
  attachInspector(inspector: NodeInspector | null): void {
    this.nodeInspector = inspector;
  }

  /** A new configuration was accepted live: contexts now show it. */
  updateConfig(config: KoiConfig): void {
    this.config = config;
  }

  /** Run every plugin's close callbacks in reverse load order, each isolated; then close its log sinks. */
  async closeAll(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    for (const loaded of [...this.loadedPlugins].reverse()) {
      for (const close of [...loaded.closers].reverse()) {
        try {
          if (await this.bounded(close, loaded.hookTimeoutMs)) {
            this.log.error({ plugin: loaded.entryName, timeoutMs: loaded.hookTimeoutMs },
              `plugin ${loaded.entryName}: onClose did not finish within ${loaded.hookTimeoutMs / 1000} s; skipped`);
          }
        } catch (err) {
          this.log.error({ plugin: loaded.entryName, err: errorMessage(err) }, `plugin ${loaded.entryName} failed to close: ${errorMessage(err)}`);
        }
      }
      for (const sink of [...loaded.sinks].reverse()) {
        this.opts.logSinks?.detach(sink);
        try {
          await sink.flush?.();
          await sink.close?.();
        } catch (err) {
          process.stderr.write(`koi: log sink ${sink.name} of plugin ${loaded.entryName} failed to close: ${errorMessage(err)}\n`);
        }
      }
    }
  }

  /** Run `fn`; true when it did not settle within `ms` (it is left to itself). */
  private bounded(fn: () => void | Promise<void>, ms: number): Promise<boolean> {
    return new Promise((resolve, reject) => {
      const timer = this.opts.clock.setTimeout(() => resolve(true), ms);
      Promise.resolve().then(fn).then(() => resolve(false), reject).finally(() => this.opts.clock.clear(timer));
    });
  }

  /** Fastify-plugin style: every plugin named in `dependencies` must already be loaded. */
  private checkDependencies(name: string, plugin: KoiPlugin): void {
    const needs = plugin.dependencies ?? [];
    if (!Array.isArray(needs) || needs.some((d) => typeof d !== 'string')) {
      throw new PluginError(name, 'bad-export', '`dependencies` must be a list of plugin names');
    }
    const have = new Set(this.loadedPlugins.flatMap((p) => [p.entryName, p.plugin.name]));
    const missing = needs.filter((d) => !have.has(d));
    if (missing.length) {
      throw new PluginError(name, 'missing-dependency',
        `needs plugin${missing.length > 1 ? 's' : ''} ${missing.join(', ')} loaded before it (its dependencies); list ${missing.length > 1 ? 'them' : 'it'} above ${name} in the plugins section`);
    }
  }

  private contextFor(loaded: LoadedPlugin): KoiPluginContext {
    const host = this;
    return Object.freeze({
      hooks: hooksForPlugin(this.opts.hooks, { plugin: loaded.entryName, timeoutMs: loaded.hookTimeoutMs }),
      get config(): Readonly<KoiConfig> {
        return host.config;
      },
      logger: this.opts.logger.child({ plugin: loaded.plugin.name }),
      clock: this.opts.clock,
      node: Object.freeze({ ...this.opts.node }),
      provide: this.registryFor(loaded),
      inspect: this.inspector,
      baseDir: loaded.baseDir,
      clusterKeyring: (cluster: Readonly<KoiConfig['cluster']>, iterations: number) => keyringFromCluster(cluster, iterations),
      onClose: (fn: () => void | Promise<void>) => {
        loaded.closers.push(fn);
      },
    });
  }


  private registryFor(loaded: LoadedPlugin): ProviderRegistry {
    const by = loaded.entryName;
    const isDefault = loaded.origin === 'default';
    return {
      transport: (transport) => {
        if (this.transportSlot) throw slotConflict('transport', this.transportSlot.by, by);
        this.transportSlot = { value: transport, by };
      },
      cipher: (cipher) => {
        if (this.cipherSlot) throw slotConflict('cipher', this.cipherSlot.by, by);
        this.cipherSlot = { value: cipher, by };
      },
      executor: (executor) => {
        const taken = this.executorSlots.get(executor.kind);
        if (taken && isDefault) {
          // A configured plugin already runs this kind; the default steps aside.
          this.log.debug({ kind: executor.kind, by: taken.by }, `default ${by} skips executor kind ${executor.kind}`);
          return;
        }
        if (taken) throw slotConflict(`executor kind "${executor.kind}"`, taken.by, by);
        this.executorSlots.set(executor.kind, { value: executor, by });
      },
      logSink: (sink) => {
        this.sinks.push({ value: sink, by });
        loaded.sinks.push(sink);
        this.opts.logSinks?.attach(sink);
      },
    };
  }
}

function slotConflict(slot: string, first: string, second: string): PluginError {
  return new PluginError(second, 'slot-conflict', `cannot provide the ${slot}: plugin ${first} already provides it (only one ${slot} is allowed)`);
}
