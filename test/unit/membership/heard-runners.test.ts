/**
 * Membership.heardRunners, which R7's awaiting-report gate reads (core/elector/election-gate.ts): a runner
 * node stays "heard" for two peer refreshes and an ack window (425 ms at the defaults), not only within the
 * ack window — a runner that follows another leader sends this node a heartbeat only every third interval,
 * and the gate must not open between two of them or after one lost. Failed on a815c48 (ack window).
 */
import { VirtualClock } from '../../../core/clock';
import { defaultConfig } from '../../../core/config/defaults';
import { createHooks } from '../../../core/hooks';
import { Membership } from '../../../core/membership/membership';
import { safetyRules } from '../../../core/safety-rules';
import { NodeFlag, type HeartBeat } from '../../../plugin-api';
import { createTestLogger } from '../../helpers/logger';
import { quietMembershipCallbacks } from './stubs';

const SELF = '55555555-5555-4555-8555-555555555555';
const RUNNER = '33333333-3333-4333-8333-333333333333';
const OTHER_LEADER = '99999999-9999-4999-8999-999999999999';

test('a runner heard 400 ms ago (past the 150 ms ack window, one peer refresh lost) is still heard; one silent 500 ms is not', () => {
  const clock = new VirtualClock({ start: 10_000 });
  const config = defaultConfig();
  const { logger } = createTestLogger();
  const membership = new Membership({
    self: { id: SELF, name: 'me' }, config, clock, logger, hooks: createHooks(logger), startedAt: 0, firstSeq: 1, rules: safetyRules(),
    broadcast: () => undefined, ...quietMembershipCallbacks(SELF), configuredAddresses: () => null,
  });
  const beat: HeartBeat = {
    kind: 'heartbeat', name: 'n3', flags: NodeFlag.Elector | NodeFlag.Runner, seenAddress: '', uptimeMs: 5_000,
    holdMs: 1_500, ackWindowMs: 150, answersLeaderId: OTHER_LEADER, answersUptimeMs: 4_000,
  };
  membership.handleHeartbeat(RUNNER, beat, '10.0.0.3:42012');
  expect(membership.heardRunners()).toEqual([{ id: RUNNER, name: 'n3', since: 10_000 }]);
  clock.advance(400);
  expect(membership.heardRunners().map((r) => r.id)).toEqual([RUNNER]);
  clock.advance(100);
  expect(membership.heardRunners()).toEqual([]);
  expect(config.time.cluster_update_interval).toBe(50);
});
