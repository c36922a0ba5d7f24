/**
 * Creates the one `KoiHooks` object of a node, and each plugin's view of it.
 *
 * Every tap is wrapped so that a plugin's throw (or rejection) is logged and
 * treated as "no result": the hook call goes on with the other taps. Without
 * this, tapable rejects the whole call and one bad plugin could stall the
 * node. A tap registered through a plugin's view (what `koi.hooks` is in
 * `apply`) carries the loaded plugin's name, so failures name the plugin that
 * was loaded, not whatever name the tap gave itself, and its awaited taps get
 * the plugin's `hook_timeout`: after it the tap is logged and skipped.
 */
import { AsyncSeriesBailHook, AsyncSeriesHook, SyncHook, SyncWaterfallHook } from 'tapable';
import type { Tap } from 'tapable';
import type { Clock, TimerHandle } from './clock';
import type { KoiHooks } from './hooks';
import type { Logger } from './logger';
import { errorMessage } from './errors';

type AnyFn = (...args: unknown[]) => unknown;

/** What the host adds to a tap registered through a plugin's view. */
export interface PluginTapInfo {
  /** The loaded plugin's name (as configured). */
  plugin: string;
  /** Bound for awaited taps; 0 = none. */
  timeoutMs: number;
}

type KoiTap = Tap & { fn: AnyFn; type: string } & Partial<PluginTapInfo>;
type HookWithIntercept = { intercept(interceptor: { register?: (tap: KoiTap) => KoiTap }): void };

/** One tap that failed (threw, rejected, or ran out of time) during a hook call. */
export interface TapFailure {
  hook: string;
  plugin: string;
  message: string;
  timedOut: boolean;
}

/**
 * A hook call whose first argument is an object carrying this symbol
 * (an array) collects the failures of its taps there: the admin server uses
 * it to answer "plugin X failed" instead of "unknown command".
 */
export const TAP_FAILURES: unique symbol = Symbol.for('koi.tapFailures') as never;

export interface CreateHooksOptions {
  /** Times the taps' `hook_timeout`; without a clock no tap is timed. */
  clock?: Clock;
}

const HOOK_NAMES = [
  'onStart', 'onShutdown', 'onMessage', 'onElect', 'onPromote', 'onDemote', 'onServiceEvent', 'onStateChange',
  'onLeaderChange', 'onMasterChange', 'onMembershipChange', 'onConfigReload', 'onAdminCommand', 'onFence',
  'onFailoverHalt', 'onEvent',
] as const satisfies ReadonlyArray<keyof KoiHooks>;

export function createHooks(logger: Logger, options: CreateHooksOptions = {}): Readonly<KoiHooks> {
  const hooks: KoiHooks = {
    onStart: new AsyncSeriesHook(['info']),
    onShutdown: new AsyncSeriesHook(['info']),
    onMessage: new AsyncSeriesBailHook(['message']),
    onElect: new SyncWaterfallHook(['candidates', 'context']),
    onPromote: new AsyncSeriesHook(['change']),
    onDemote: new AsyncSeriesHook(['change']),
    onServiceEvent: new AsyncSeriesHook(['report']),
    onStateChange: new SyncHook(['change']),
    onLeaderChange: new SyncHook(['change']),
    onMasterChange: new SyncHook(['change']),
    onMembershipChange: new SyncHook(['change']),
    onConfigReload: new AsyncSeriesHook(['reload']),
    onAdminCommand: new AsyncSeriesBailHook(['call']),
    onFence: new AsyncSeriesBailHook(['request']),
    onFailoverHalt: new SyncHook(['change']),
    onEvent: new SyncHook(['event']),
  };
  const log = logger.child({ component: 'hooks' });
  for (const [hookName, hook] of Object.entries(hooks)) {
    (hook as unknown as HookWithIntercept).intercept({
      register: (tap) => ({ ...tap, fn: isolate(hookName, tap, log, options.clock) }),
    });
  }
  return Object.freeze(hooks);
}

/**
 * The hooks as one plugin sees them: the same hooks, but every tap made
 * through them is marked with the plugin's name and timeout, and nothing
 * can be assigned (the object and each hook view are read-only).
 */
export function hooksForPlugin(hooks: Readonly<KoiHooks>, info: PluginTapInfo): Readonly<KoiHooks> {
  const view = {} as Record<string, unknown>;
  for (const name of HOOK_NAMES) view[name] = hookView(hooks[name] as unknown as Record<string, unknown>, info);
  return Object.freeze(view) as unknown as Readonly<KoiHooks>;
}

const TAP_METHODS = new Set(['tap', 'tapAsync', 'tapPromise']);

function hookView(hook: Record<string, unknown>, info: PluginTapInfo): unknown {
  const mark = (options: unknown): object => ({ ...(typeof options === 'string' ? { name: options } : (options as object)), ...info });
  return new Proxy(hook, {
    get(target, property) {
      const value = Reflect.get(target, property, target);
      if (typeof value !== 'function') return value;
      if (typeof property === 'string' && TAP_METHODS.has(property)) {
        return (options: unknown, fn: AnyFn) => (value as AnyFn).call(target, mark(options), fn);
      }
      return (value as AnyFn).bind(target);
    },
    set(_target, property) {
      throw new TypeError(`plugin ${info.plugin}: hooks are read-only (cannot set ${String(property)}); tap them instead`);
    },
    defineProperty(_target, property) {
      throw new TypeError(`plugin ${info.plugin}: hooks are read-only (cannot define ${String(property)}); tap them instead`);
    },
    deleteProperty(_target, property) {
      throw new TypeError(`plugin ${info.plugin}: hooks are read-only (cannot delete ${String(property)})`);
    },
  });
}

const TIMED_OUT = Symbol('timed out');

/**
 * Hooks whose taps `hook_timeout` does not cut. `onFence`: a fencing plugin
 * bounds its own work (power-off devices can take long), and cutting it
 * would not help anyway — a master that is not fenced is never replaced, so
 * the leader would only fence again while the first attempt still runs.
 */
const UNBOUNDED_HOOKS: ReadonlySet<string> = new Set(['onFence']);

function seconds(ms: number): string {
  return ms % 1000 === 0 ? `${ms / 1000} s` : `${(ms / 1000).toFixed(ms < 1000 ? 2 : 1).replace(/\.?0+$/, '')} s`;
}

function isolate(hookName: string, tap: KoiTap, log: Logger, clock: Clock | undefined): AnyFn {
  const fn = tap.fn;
  // A failure names the plugin that was loaded; a tap the core made itself keeps its own name.
  const who = tap.plugin ?? tap.name;
  const timeoutMs = clock && tap.timeoutMs && !UNBOUNDED_HOOKS.has(hookName) ? tap.timeoutMs : 0;
  const record = (args: unknown[], failure: TapFailure): void => {
    const first = args[0] as Record<symbol, unknown> | undefined;
    const sink = first && typeof first === 'object' ? first[TAP_FAILURES] : undefined;
    if (Array.isArray(sink)) sink.push(failure);
  };
  const report = (args: unknown[], err: unknown): undefined => {
    const message = errorMessage(err);
    log.error({ hook: hookName, plugin: who, tap: tap.name, err: message }, `plugin ${who} failed in ${hookName}: ${message}`);
    record(args, { hook: hookName, plugin: who, message, timedOut: false });
    return undefined;
  };
  const timedOut = (args: unknown[]): undefined => {
    const message = `${hookName} tap did not finish within ${seconds(timeoutMs)}; skipped`;
    log.error({ hook: hookName, plugin: who, tap: tap.name, timeoutMs }, `plugin ${who}: ${message}`);
    record(args, { hook: hookName, plugin: who, message, timedOut: true });
    return undefined;
  };
  /** Settle `work` or give up after the plugin's timeout (the tap's own promise is left to itself). */
  const bounded = async (args: unknown[], work: Promise<unknown>): Promise<unknown> => {
    if (!timeoutMs || !clock) return work.catch((err: unknown) => report(args, err));
    let timer: TimerHandle | undefined;
    const deadline = new Promise<typeof TIMED_OUT>((resolve) => {
      timer = clock.setTimeout(() => resolve(TIMED_OUT), timeoutMs);
    });
    try {
      const outcome = await Promise.race([work.then((value) => ({ value }), (err: unknown) => ({ err })), deadline]);
      if (outcome === TIMED_OUT) return timedOut(args);
      return 'err' in outcome ? report(args, outcome.err) : outcome.value;
    } finally {
      clock.clear(timer);
    }
  };
  switch (tap.type) {
    case 'sync':
      return (...args) => {
        try {
          return fn(...args);
        } catch (err) {
          return report(args, err);
        }
      };
    case 'promise':
      return (...args) => bounded(args, new Promise((resolve) => resolve(fn(...args))));
    case 'async':
      return (...args) => {
        const callback = args.pop() as (err: unknown, result?: unknown) => void;
        const work = new Promise((resolve, reject) => {
          fn(...args, (err: unknown, result?: unknown) => (err ? reject(err) : resolve(result)));
        });
        void bounded(args, work).then((result) => callback(null, result));
      };
    default:
      return fn;
  }
}
