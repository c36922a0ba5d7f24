/**
 * Where a follower's leader-only heartbeat goes (core/node/leader-targets.ts): the leader's heard
 * addresses that are configured destinations, as heard (an IPv6 zone kept: configured entries lose it),
 * and the configured destinations nobody was heard at; never anywhere else; null for every peer when it
 * cannot tell or cannot send to one of those without a zone.
 */
import { leaderOnlyTargets } from '../../../core/node/leader-targets';
import { withoutZone } from '../../../plugin-api/address';

/** Configured destinations; those marked `*` are this node's own. */
const conf = (...addresses: string[]) => addresses.map((a) => ({ address: a.replace('*', ''), own: a.startsWith('*') }));

describe('leaderOnlyTargets', () => {
  test('the leader\'s heard, configured addresses only, when every destination was heard', () => {
    const configured = conf('*10.0.0.1:1', '10.0.0.2:1', '10.0.0.3:1', '*10.1.0.1:1', '10.1.0.2:1', '10.1.0.3:1');
    const heard = ['10.0.0.2:1', '10.1.0.2:1', '10.0.0.3:1', '10.1.0.3:1'];
    expect(leaderOnlyTargets(['10.0.0.2:1', '10.1.0.2:1'], configured, heard)).toEqual(['10.0.0.2:1', '10.1.0.2:1']);
  });

  test('plus destinations nobody was heard at (the leader\'s link hidden by a one-way fault)', () => {
    const configured = conf('*10.0.0.1:1', '10.0.0.2:1', '10.0.0.3:1', '*10.1.0.1:1', '10.1.0.2:1', '10.1.0.3:1');
    const heard = ['10.1.0.2:1', '10.0.0.3:1', '10.1.0.3:1'];
    expect(leaderOnlyTargets(['10.1.0.2:1'], configured, heard)).toEqual(['10.1.0.2:1', '10.0.0.2:1']);
  });

  test('never an address that is not a configured destination, never an own one', () => {
    const configured = conf('*10.0.0.1:1', '10.0.0.2:1');
    expect(leaderOnlyTargets(['192.168.9.9:1'], configured, ['192.168.9.9:1'])).toBeNull();
    expect(leaderOnlyTargets(['10.0.0.2:1', '192.168.9.9:1'], configured, ['10.0.0.2:1'])).toEqual(['10.0.0.2:1']);
    // This node's own second link is configured and never heard: not a target.
    expect(leaderOnlyTargets(['10.0.0.2:1'], conf('*10.0.0.1:1', '10.0.0.2:1', '*10.1.0.1:1'), ['10.0.0.2:1'])).toEqual(['10.0.0.2:1']);
  });

  test('IPv6 link-local: matched without the zone, sent with it', () => {
    const configured = conf('*[fe80::1]:1', '[fe80::2]:1', '[fe80::3]:1');
    const heard = ['[fe80::2%eth1]:1', '[fe80::3%eth1]:1'];
    expect(leaderOnlyTargets(['[fe80::2%eth1]:1'], configured, heard)).toEqual(['[fe80::2%eth1]:1']);
  });

  test('an unheard link-local destination cannot be sent to without its zone: every peer instead', () => {
    const configured = conf('*10.0.0.1:1', '10.0.0.2:1', '*[fe80::1]:1', '[fe80::2]:1');
    expect(leaderOnlyTargets(['10.0.0.2:1'], configured, ['10.0.0.2:1'])).toBeNull();
    expect(leaderOnlyTargets(['10.0.0.2:1', '[FE80::2%eth1]:1'], conf('*10.0.0.1:1', '10.0.0.2:1', '*[fe80::1]:1', '[FE80::2]:1'), ['10.0.0.2:1', '[FE80::2%eth1]:1']))
      .toEqual(['10.0.0.2:1', '[FE80::2%eth1]:1']);
  });

  test('no leader address configured, or a transport that cannot tell (multicast): every peer', () => {
    expect(leaderOnlyTargets([], conf('*10.0.0.1:1', '10.0.0.2:1'), [])).toBeNull();
    expect(leaderOnlyTargets(['10.0.0.2:1'], null, ['10.0.0.2:1'])).toBeNull();
  });

  test('withoutZone', () => {
    expect(withoutZone('[fe80::1%eth0]:42012')).toBe('[fe80::1]:42012');
    expect(withoutZone('[fd00::1]:42012')).toBe('[fd00::1]:42012');
    expect(withoutZone('10.0.0.1:42012')).toBe('10.0.0.1:42012');
  });
});
