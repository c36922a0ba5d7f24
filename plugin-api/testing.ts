/**
 * `createTestContext()`: what a plugin's `apply` gets, for a plugin's own
 * tests — the real hooks with the daemon's tap isolation and timeouts, a
 * logger that keeps records, a manual clock, the providers the plugin
 * registers, its onClose callbacks, and option validation exactly as the
 * daemon does it:
 *
 *   const t = createTestContext({ node: { name: 'n1' } });
 *   await t.apply(plugin, { greeting: 'Hi' });
 *   expect(await t.hooks.onAdminCommand.promise({ command: 'hello', args: [], from: '' })).toMatchObject({ exitCode: 0 });
 */
import type { Clock, TimerHandle } from './clock';
import type { KoiConfig, PluginOptions } from './config';
import type { KoiHooks } from './hooks';
import { DEFAULT_HOOK_TIMEOUT_MS } from './host-options';
import type { LogLevel, LogRecord, LogSink, Logger } from './logger';
import { validatePluginOptions } from './option-validation';
import type { NodeInspector } from './inspect';
import type { KoiPlugin, KoiPluginContext, OptionProblem } from './plugin';
import type { Cipher, ServiceExecutor, Transport } from './providers';
import type { Keyring } from './cluster-keys';
import { createHooks, hooksForPlugin } from './tap-isolation';

/** A clock that moves only when told (`advance`), firing due timers in order. */
export interface ManualClock extends Clock {
  /** Move time forward by `ms`, running every timer that falls due. */
  advance(ms: number): void;
  /** Timers still pending. */
  pending(): number;
}

export function createManualClock(startMs = 0, wallStartMs = Date.UTC(2026, 0, 1)): ManualClock {
  let now = startMs;
  let nextId = 1;
  const timers = new Map<number, { at: number; every: number; fn: () => void }>();
  const schedule = (fn: () => void, ms: number, every: number): TimerHandle => {
    const id = nextId++;
    timers.set(id, { at: now + Math.max(0, ms), every, fn });
    return { id };
  };
  return {
    now: () => now,
    wallNow: () => wallStartMs + now,
    setTimeout: (fn, ms) => schedule(fn, ms, 0),
    setInterval: (fn, ms) => schedule(fn, ms, Math.max(1, ms)),
    setImmediate: (fn) => schedule(fn, 0, 0),
    clear: (handle) => {
      if (handle) timers.delete(handle.id);
    },
    pending: () => timers.size,
    advance(ms) {
      const until = now + ms;
      for (;;) {
        let due: [number, { at: number; every: number; fn: () => void }] | undefined;
        for (const entry of timers) if (entry[1].at <= until && (!due || entry[1].at < due[1].at)) due = entry;
        if (!due) break;
        const [id, timer] = due;
        now = Math.max(now, timer.at);
        if (timer.every) timer.at += timer.every;
        else timers.delete(id);
        timer.fn();
      }
      now = until;
    },
  };
}

export interface TestContextOptions {
  /** Name the plugin is loaded under (default: the plugin's own name at `apply`, else 'test'). */
  pluginName?: string;
  node?: { id?: string; name?: string };
  /** Merged over a small default configuration. */
  config?: Partial<KoiConfig>;
  /** Folder `path` options resolve against (default: process.cwd()). */
  /** What `koi.clusterKeyring()` returns (cipher plugins); without it the call throws. */
  keyring?: Keyring;
  baseDir?: string;
  /** Bound of each awaited tap, as `hook_timeout` gives the daemon (default 5 s of the manual clock). */
  hookTimeoutMs?: number;
  clock?: Clock;
  /** What `koi.inspect` answers (status documents, core counters); default: a node that is not running. */
  inspect?: NodeInspector;
}

/** A log record as captured, with the bindings of the logger that wrote it. */
export type CapturedRecord = LogRecord & { level: LogLevel };

export interface TestContext {
  /** Hand this to `plugin.apply` (or use `apply` below). */
  readonly koi: KoiPluginContext;
  /** The hooks to call, as the daemon would: `hooks.onPromote.promise({...})`. */
  readonly hooks: Readonly<KoiHooks>;
  readonly clock: Clock;
  /** Every record logged (by the plugin and by the hooks' isolation). */
  readonly logs: CapturedRecord[];
  /** What the plugin registered through `koi.provide`. */
  readonly provided: { transport?: Transport; cipher?: Cipher; executors: ServiceExecutor[]; logSinks: LogSink[] };
  /** Validate `raw` options like the daemon (throws naming every problem), then `apply`. Resolves with the options the plugin got. */
  apply<O>(plugin: KoiPlugin<O>, raw?: PluginOptions): Promise<O>;
  /** Run the onClose callbacks in reverse order. */
  close(): Promise<void>;
}

const DEFAULT_CONFIG = (name: string): KoiConfig => ({
  node: {
    name, elector: true, runner: true, port: 42012, maintenance: false, loglevel: 'info', force_restart: false, reuse_address: false,
    increment_port: false, admin_socket: 'off', admin_group: '', network_admin: 'full', admin_allow: '', journal: 'off', state_file: 'off',
  },
  cluster: { id: 1, password: 'test-password', transport: [], quorum: 0 },
  service: {
    folder: '/nonexistent', workingdir: '/', start_timeout: 30_000, stop_timeout: 30_000, status_timeout: 10_000, promote_timeout: 30_000,
    demote_timeout: 30_000, failed_timeout: 30_000, kill_grace: 1000, auto_recover: 0, auto_recover_wait_factor: 2, strict_permissions: true, env_passthrough: '',
  },
  time: {
    status_interval: 5000, cluster_update_interval: 200, state_update_interval: 200, elector_tick_interval: 200, runner_tick_interval: 200,
    elector_lost_time: 1000, elector_gone_time: 2000, quorum_demote_time: 1000, leader_dead_time: 800, master_dead_time: 1000, elector_startup_tolerance: 1000,
    initial_promotion_delay: 0, auto_recover_time: 10_000, auto_recover_max_time: 600_000, failcount_reset: 600_000, failure_promotion_timeout: 10_000,
    node_timeout: 30_000, master_lease: 1000, lease_margin: 500,
  },
  plugins: [],
  sources: [],
});

export function createTestContext(options: TestContextOptions = {}): TestContext {
  const logs: CapturedRecord[] = [];
  const makeLogger = (bound: Record<string, unknown>): Logger => {
    const write = (level: LogLevel) => (obj: object | string, msg?: string): void => {
      const fields = typeof obj === 'string' ? {} : (obj as Record<string, unknown>);
      logs.push({ ...bound, ...fields, level, time: clock.wallNow(), msg: typeof obj === 'string' ? obj : (msg ?? '') });
    };
    return {
      trace: write('trace'), debug: write('debug'), info: write('info'), warn: write('warn'), error: write('error'), fatal: write('fatal'),
      child: (more) => makeLogger({ ...bound, ...more }),
    };
  };
  const clock = options.clock ?? createManualClock();
  const root = makeLogger({});
  const hooks = createHooks(root, { clock });
  const nodeName = options.node?.name ?? 'test-node';
  const base = DEFAULT_CONFIG(nodeName);
  const config: KoiConfig = { ...base, ...options.config, node: { ...base.node, ...options.config?.node } } as KoiConfig;
  const provided: TestContext['provided'] = { executors: [], logSinks: [] };
  const closers: Array<() => void | Promise<void>> = [];
  const baseDir = options.baseDir ?? process.cwd();
  const inspect: NodeInspector = options.inspect ?? {
    query: async () => ({ exitCode: 1, text: 'the node is not running (a test context)' }),
    metrics: () => null,
  };
  let pluginName = options.pluginName;
  const contextFor = (name: string): KoiPluginContext => Object.freeze({
    hooks: hooksForPlugin(hooks, { plugin: name, timeoutMs: options.hookTimeoutMs ?? DEFAULT_HOOK_TIMEOUT_MS }),
    config,
    logger: root.child({ plugin: name }),
    clock,
    node: Object.freeze({ id: options.node?.id ?? '00000000-0000-4000-8000-000000000000', name: nodeName }),
    provide: {
      transport: (t: Transport) => { provided.transport = t; },
      cipher: (c: Cipher) => { provided.cipher = c; },
      executor: (e: ServiceExecutor) => { provided.executors.push(e); },
      logSink: (s: LogSink) => { provided.logSinks.push(s); },
    },
    inspect,
    baseDir,
    clusterKeyring: () => {
      if (!options.keyring) throw new Error('createTestContext: pass options.keyring for a plugin that asks for the cluster keys');
      return options.keyring;
    },
    onClose: (fn: () => void | Promise<void>) => { closers.push(fn); },
  });
  return {
    get koi() {
      return contextFor(pluginName ?? 'test');
    },
    hooks,
    clock,
    logs,
    provided,
    async apply<O>(plugin: KoiPlugin<O>, raw: PluginOptions = {}): Promise<O> {
      pluginName ??= plugin.name;
      const { options: valid, problems } = validatePluginOptions({ name: pluginName, options: raw, baseDir }, plugin.options, plugin.checkOptions?.bind(plugin) as ((o: PluginOptions) => OptionProblem[]) | undefined);
      if (problems.length) throw new Error(`plugin ${pluginName}: bad options\n  ${problems.join('\n  ')}`);
      await plugin.apply(contextFor(pluginName), valid as O);
      return valid as O;
    },
    async close() {
      for (const fn of closers.splice(0).reverse()) await fn();
    },
  };
}
