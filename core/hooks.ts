/**
 * Creates the one `KoiHooks` object of a node. Every tap is wrapped so that
 * a plugin's throw (or rejection) is logged with the tap's name and treated
 * as "no result": the hook call goes on with the other taps. Without this,
 * tapable rejects the whole call and one bad plugin could stall the node.
 */
import { AsyncSeriesBailHook, AsyncSeriesHook, SyncHook, SyncWaterfallHook } from 'tapable';
import type { Tap } from 'tapable';
import type { KoiHooks, Logger } from '../plugin-api';

type AnyFn = (...args: unknown[]) => unknown;
type HookWithIntercept = { intercept(interceptor: { register?: (tap: Tap & { fn: AnyFn; type: string }) => Tap }): void };

export function createHooks(logger: Logger): KoiHooks {
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
      register: (tap) => ({ ...tap, fn: isolate(hookName, tap.name, tap.type, tap.fn, log) }),
    });
  }
  return hooks;
}

function isolate(hookName: string, tapName: string, type: string, fn: AnyFn, log: Logger): AnyFn {
  const report = (err: unknown): undefined => {
    const message = err instanceof Error ? err.message : String(err);
    log.error({ hook: hookName, plugin: tapName, err: message }, `plugin ${tapName} failed in ${hookName}: ${message}`);
    return undefined;
  };
  switch (type) {
    case 'sync':
      return (...args) => {
        try {
          return fn(...args);
        } catch (err) {
          return report(err);
        }
      };
    case 'promise':
      return async (...args) => {
        try {
          return await fn(...args);
        } catch (err) {
          return report(err);
        }
      };
    case 'async':
      return (...args) => {
        const callback = args.pop() as (err: unknown, result?: unknown) => void;
        let called = false;
        const done = (err: unknown, result?: unknown): void => {
          if (called) return;
          called = true;
          callback(null, err ? report(err) : result);
        };
        try {
          fn(...args, done);
        } catch (err) {
          done(err);
        }
      };
    default:
      return fn;
  }
}
