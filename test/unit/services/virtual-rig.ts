/**
 * A real service manager over the in-memory FakeExecutor on a VirtualClock:
 * time moves only through `run(ms)`, which lets the manager's promises settle
 * after every timer, so the executor's event times are exact.
 */
import type { KoiConfig } from '../../../plugin-api';
import { VirtualClock } from '../../../core/clock';
import { createHooks } from '../../../core/hooks';
import { createServiceManager } from '../../../core/services';
import type { ServiceManager } from '../../../core/services/types';
import { createTestLogger, type CapturingLogger } from '../../helpers/logger';
import { FakeExecutor } from './fake-executor';
import { testConfig } from './helpers';

export interface ManagerRig {
  clock: VirtualClock;
  manager: ServiceManager;
  executor: FakeExecutor;
  logger: CapturingLogger;
  failures: string[];
  run(ms: number): Promise<void>;
  /** Await `promise` while virtual time moves in 10 ms steps (at most `maxMs`). */
  until<T>(promise: Promise<T>, maxMs?: number): Promise<T>;
}

/** Await `promise` while `clock` moves in 10 ms steps; throws after `maxMs` of virtual time. */
export async function runUntilSettled<T>(clock: VirtualClock, promise: Promise<T>, maxMs = 60_000): Promise<T> {
  let done = false;
  const tracked = promise.finally(() => { done = true; });
  const deadline = clock.now() + maxMs;
  while (!done) {
    if (clock.now() > deadline) throw new Error(`not settled within ${maxMs} ms of virtual time`);
    await runClock(clock, 10);
  }
  return tracked;
}

/** Let pending promises (executor results, hooks, folder listing) settle. */
export async function settle(): Promise<void> {
  for (let i = 0; i < 3; i++) await new Promise<void>((resolve) => setImmediate(resolve));
}

/** Advance `clock` by `ms`, running each due timer and settling promises after it. */
export async function runClock(clock: VirtualClock, ms: number): Promise<void> {
  const until = clock.now() + ms;
  await settle();
  for (;;) {
    const due = clock.nextDue();
    if (due === null || due > until) break;
    clock.step();
    await settle();
  }
  clock.advance(until - clock.now());
  await settle();
}

export function managerRig(
  addServices: (executor: FakeExecutor) => void, configure: (config: KoiConfig) => void = () => undefined, durationMs = 10,
): ManagerRig {
  const clock = new VirtualClock();
  const config = testConfig('/fake', {}, 10_000);
  configure(config);
  const logger = createTestLogger();
  const executor = new FakeExecutor(clock, durationMs);
  addServices(executor);
  const failures: string[] = [];
  const manager = createServiceManager({
    config, executors: [executor], hooks: createHooks(logger.logger), clock, logger: logger.logger,
    node: { id: 'id-a', name: 'node-a' },
    listener: { onChange: () => undefined, onFailure: (service, reason) => { failures.push(`${service}: ${reason}`); } },
    listEntries: async () => executor.entries(),
  });
  return { clock, manager, executor, logger, failures,
    run: (ms) => runClock(clock, ms),
    until: (promise, maxMs) => runUntilSettled(clock, promise, maxMs),
  };
}
