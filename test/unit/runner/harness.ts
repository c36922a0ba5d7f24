/**
 * A runner with a real service manager over the in-memory FakeExecutor, all
 * on one VirtualClock: time moves only through `run(ms)`, which lets the
 * manager's promises settle after every timer, so event times are exact.
 * The "leader" is the test itself: it names the master through `name()`.
 */
import type { HealthReport, KoiConfig } from '../../../plugin-api';
import { VirtualClock } from '../../../core/clock';
import { createHooks } from '../../../core/hooks';
import { Runner } from '../../../core/runner/runner';
import type { TimerSource } from '../../../core/node/guarded-timers';
import { ALL_RULES_ON } from '../../../core/safety-rules';
import { createServiceManager } from '../../../core/services';
import type { ServiceManager } from '../../../core/services/types';
import { createTestLogger, type CapturingLogger } from '../../helpers/logger';
import { FakeExecutor } from '../services/fake-executor';
import { testConfig } from '../services/helpers';
import { runClock } from '../services/virtual-rig';
import { FreshRead } from '../../../core/node/fresh-read';
import { ReadBarrier } from '../../../core/node/read-barrier';

export interface RunnerRig {
  clock: VirtualClock;
  runner: Runner;
  services: ServiceManager;
  executor: FakeExecutor;
  logger: CapturingLogger;
  hooks: ReturnType<typeof createHooks>;
  health: HealthReport[];
  /** Advance virtual time, settling promises after each timer. */
  run(ms: number): Promise<void>;
  /** This node's clock lost `ms` (a VM pause), found now: the node's stall guard tells the runner. */
  freeze(ms: number): void;
  /** This node's clock lost `ms`, below the stall threshold: only its ledger of frozen time knows. */
  lose(ms: number): void;
  /** A state update from the test's leader naming `master` ('' = nobody). */
  name(master: string, maintenance?: boolean): void;
  close(): Promise<void>;
}

export function runnerRig(
  configure: (config: KoiConfig) => void, addServices: (executor: FakeExecutor) => void, durationMs = 10,
  /** The runner's timers (default: the clock's own); e.g. ones that fire early, as Node's may by a millisecond. */
  timers: (clock: VirtualClock) => TimerSource = (clock) => clock,
): RunnerRig {
  const clock = new VirtualClock();
  const config = testConfig('/fake');
  config.cluster.quorum = 0; // no lease arithmetic: a naming holds until withdrawn
  configure(config);
  const logger = createTestLogger();
  const hooks = createHooks(logger.logger);
  const executor = new FakeExecutor(clock, durationMs);
  addServices(executor);
  const health: HealthReport[] = [];
  const self = { id: 'id-a', name: 'node-a' };
  /** Frozen time of this node's clock (a VM pause the test plays), and when it was found. */
  const freezes: Array<{ at: number; ms: number }> = [];
  // No datagrams here: the sockets are found dry two clock turns after a promote asks; the leader's heartbeats,
  // every interval, are the peer a promote waits to hear from when a lease is enforced (fresh-read.ts).
  const fresh = new FreshRead({
    barrier: new ReadBarrier((fn) => clock.setImmediate(fn)),
    now: () => clock.now(),
    after: (fn, ms) => {
      const timer = clock.setTimeout(fn, ms);
      return () => clock.clear(timer);
    },
    retryMs: () => 8 * config.time.cluster_update_interval,
  });
  // Every peer of the quorum heard each interval, steadily since the start.
  const heartbeats = clock.setInterval(() => {
    for (let i = 1; i < Math.max(2, config.cluster.quorum); i++) fresh.witness(`peer-${i}`, 0);
  }, config.time.cluster_update_interval);
  const runner = new Runner({
    self, config, clock, logger: logger.logger, hooks, startedAt: 0, firstSeq: 1, rules: ALL_RULES_ON,
    sendHealth: (report) => { health.push(report); },
    seenCount: () => 1,
    timers: timers(clock),
    // What KoiNode.guarded does first at every entry: its stall guard, then the lease's expiry (checkStall).
    enter: (fn) => { runner.checkLease(); fn(); },
    frozenSince: (at) => freezes.filter((f) => f.at >= at).reduce((sum, f) => sum + f.ms, 0),
    frozenSoFar: () => freezes.reduce((sum, f) => sum + f.ms, 0),
    afterFreshRead: (fn, witnesses) => fresh.whenFresh(fn, witnesses),
  });
  const services = createServiceManager({
    config, executors: [executor], hooks, clock, logger: logger.logger, node: self,
    listener: { onChange: () => runner.servicesChanged(), onFailure: (s, r) => runner.serviceFailed(s, r) },
    listEntries: async () => executor.entries(),
    promoteGate: () => runner.mayLaunchPromote(),
  });
  runner.attach(services);
  let seq = 0;
  const rig: RunnerRig = {
    clock, runner, services, executor, logger, hooks, health,
    run: (ms) => runClock(clock, ms),
    freeze(ms) {
      freezes.push({ at: clock.now(), ms });
      runner.stalled(ms, ms);
    },
    lose(ms) {
      freezes.push({ at: clock.now(), ms });
      runner.checkLease(); // what the node's next entry does after its stall guard noted the clocks
    },
    name(master, maintenance = false) {
      runner.handleState('leader', ++seq, {
        kind: 'state', masterId: master === self.name ? self.id : master ? `id-${master}` : '', masterName: master,
        masterAddress: '', leaderName: 'leader', leaderUptimeMs: 0, hasQuorum: true, maintenance, leaseMs: 1200,
        // The leader's clock runs with this one here: the lease ends 1 200 ms from now on it.
        leaseEnd: { uptimeMs: clock.now() + 1200, observedUptimeMs: clock.now(), observedSeq: 1 },
      });
    },
    async close() {
      clock.clear(heartbeats);
      runner.close();
      await services.close();
    },
  };
  return rig;
}
