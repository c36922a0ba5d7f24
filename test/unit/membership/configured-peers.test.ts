/**
 * "Every configured peer heard" (the start-up election with quorum off waits for it) and the node count
 * behind the quorum-majority warning, with IPv6 link-local peers: the UDP transport lists configured
 * destinations without their zone (`[fe80::2]:42012`) while datagrams arrive from `[fe80::2%eth1]:42012`.
 * Before addresses were compared without zones, such a cluster never counted its peers as heard.
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
const PEERS = ['33333333-3333-4333-8333-333333333333', '99999999-9999-4999-8999-999999999999'];

function rig(configured: string[]) {
  const clock = new VirtualClock();
  const { logger } = createTestLogger();
  const membership = new Membership({
    self: { id: SELF, name: 'me' }, config: defaultConfig(), clock, logger, hooks: createHooks(logger), startedAt: 0, firstSeq: 1, rules: safetyRules([]),
    broadcast: () => undefined,
    ...quietMembershipCallbacks(SELF),
    configuredAddresses: () => configured.map((address, i) => ({ address, own: i === 0 })),
  });
  const beat = (name: string): HeartBeat => ({
    kind: 'heartbeat', name, flags: NodeFlag.Elector | NodeFlag.Runner, seenAddress: '', uptimeMs: 1000, holdMs: 1500, ackWindowMs: 150,
  });
  return { membership, beat };
}

describe('configured peers heard, compared without IPv6 zones', () => {
  test('link-local peers heard with their zone count as the configured entries without it', () => {
    const { membership, beat } = rig(['[fe80::1]:42012', '[fe80::2]:42012', '[fe80::3]:42012']);
    membership.handleHeartbeat(PEERS[0], beat('two'), '[fe80::2%eth1]:42012');
    expect(membership.allConfiguredPeersHeard()).toBe(false);
    membership.handleHeartbeat(PEERS[1], beat('three'), '[fe80::3%eth1]:42012');
    expect(membership.allConfiguredPeersHeard()).toBe(true);
    expect(membership.configuredNodeCount()).toBe(3);
  });

  test('a peer heard at an address that is not configured does not count', () => {
    const { membership, beat } = rig(['10.0.0.1:42012', '10.0.0.2:42012', '10.0.0.3:42012']);
    membership.handleHeartbeat(PEERS[0], beat('two'), '10.0.0.2:42012');
    membership.handleHeartbeat(PEERS[1], beat('three'), '10.9.9.9:42012');
    expect(membership.allConfiguredPeersHeard()).toBe(false);
    expect(membership.configuredNodeCount()).toBe(2);
  });
});
