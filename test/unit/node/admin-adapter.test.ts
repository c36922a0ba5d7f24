/**
 * core/node/admin-adapter: the leader's `koi status` view. Its own row
 * carries where it is reached (never a wildcard); every node it ever knew
 * keeps a row (Offline with how long and where it was heard), configured
 * peers never heard are listed, and "no master" says why.
 */
import { VirtualClock } from '../../../core/clock';
import { adminBackend, type AdminNode } from '../../../core/node/admin-adapter';
import type { NodeStatus } from '../../../core/node/status';
import { formatClusterStatus, formatTree } from '../../../core/admin/format';

const LEADER_ID = '3f0da418-b8e7-4480-a7a1-d8de67a977b9';
const B_ID = 'e8a5e5a1-13b1-4d10-86d7-731366a2460a';
const C_ID = '0b6f3c1e-2a44-4b55-9a66-7c8d9e0f1a2b';

function leaderStatus(addresses: string[], extra: Partial<NodeStatus> = {}): NodeStatus {
  return {
    id: LEADER_ID, name: 'koi-a', uptimeMs: 5000,
    roles: { elector: true, runner: false }, flags: 1 | 4, state: 'Elector', electionMode: 'leader',
    leader: { id: LEADER_ID, name: 'koi-a' }, master: null,
    maintenance: false, manualMaster: false, quorum: { configured: 0, seen: 1, acked: 1, has: true },
    addresses, runner: null, nodes: [], departed: [], configured: null,
    elector: { leaderForMs: 4000, master: null, targetMaster: null, manualMaster: false, maintenance: false, waiting: null, blockers: [], runners: [], failures: [] },
    ...extra,
  };
}

function backendFor(status: NodeStatus) {
  const node = { getStatus: () => status } as unknown as AdminNode;
  return adminBackend(node, 13, '0.1.0', new VirtualClock(), async () => { throw new Error('no forwarding here'); });
}

test('the leader row shows the address the leader is bound to', () => {
  const view = backendFor(leaderStatus(['10.0.0.1:42012', '[fd00::1]:42012'])).clusterStatus();
  expect(view!.nodes[0]).toMatchObject({ name: 'koi-a', address: '10.0.0.1:42012', lastSeenAgoMs: 0 });
});

test('a wildcard bind is skipped; no usable address gives null', () => {
  expect(backendFor(leaderStatus(['0.0.0.0:42012', '[fd00::1]:42012'])).clusterStatus()!.nodes[0].address).toBe('[fd00::1]:42012');
  expect(backendFor(leaderStatus(['[::]:42012'])).clusterStatus()!.nodes[0].address).toBeNull();
  expect(backendFor(leaderStatus([])).clusterStatus()!.nodes[0].address).toBeNull();
});

test('a leader bound to 0.0.0.0 shows its own cluster.transport entry; `koi local` says where peers reach it', () => {
  const status = leaderStatus(['0.0.0.0:42012'], { configured: [{ address: '10.0.0.1:42012', own: true }, { address: '10.0.0.2:42012', own: false }] });
  expect(backendFor(status).clusterStatus()!.nodes[0].address).toBe('10.0.0.1:42012');
  expect(backendFor(status).localStatus()).toMatchObject({ addresses: ['0.0.0.0:42012'], clusterAddresses: ['10.0.0.1:42012'] });
});

test('a node that left the table stays listed OFFLINE with how long and where; a configured peer never heard is listed too', () => {
  const status = leaderStatus(['10.0.0.1:42012'], {
    configured: [{ address: '10.0.0.1:42012', own: true }, { address: '10.0.0.2:42012', own: false }, { address: '10.0.0.3:42012', own: false }],
    departed: [{ id: B_ID, name: 'koi-b', flags: 1 | 2 | 4, addresses: ['10.0.0.2:42012'], lastSeenAgoMs: 42_000, uptimeMs: 1000 }],
  });
  const view = backendFor(status).clusterStatus()!;
  expect(view.nodes.map((n) => n.name)).toEqual(['koi-a', 'koi-b']);
  expect(view.nodes[1]).toMatchObject({ state: 'Offline', address: '10.0.0.2:42012', addressesTried: ['10.0.0.2:42012'], lastSeenAgoMs: 42_000, flags: ['Elector', 'Runner'] });
  expect(view.unheard).toEqual(['10.0.0.3:42012']);
  const text = formatClusterStatus(view);
  expect(text).toMatch(/^koi-b\s+OFFLINE\s+-\s+ER--\s+10\.0\.0\.2:42012\s+42s ago/m);
  expect(text).toMatch(/^\?\s+OFFLINE\s+-\s+----\s+10\.0\.0\.3:42012\s+never/m);
  expect(formatTree(view)).toMatch(/koi-b\s+OFFLINE\s+\[silent for 42s\]/);
});

test('a machine back under a new id hides its old Offline row (same name, live)', () => {
  const status = leaderStatus(['10.0.0.1:42012'], {
    nodes: [{ id: C_ID, name: 'koi-b', flags: 1 | 2, addresses: ['10.0.0.2:42012'], lastSeenAgoMs: 100, uptimeMs: 1000 }],
    departed: [{ id: B_ID, name: 'koi-b', flags: 1 | 2, addresses: ['10.0.0.2:42012'], lastSeenAgoMs: 42_000, uptimeMs: 1000 }],
  });
  expect(backendFor(status).clusterStatus()!.nodes.map((n) => `${n.name} ${n.state}`)).toEqual(['koi-a Elector', 'koi-b Elector']);
});

test('no master: the reason and each runner that is not electable, in --json and text', () => {
  const status = leaderStatus(['10.0.0.1:42012'], {
    elector: {
      leaderForMs: 4000, master: null, targetMaster: null, manualMaster: false, maintenance: false,
      waiting: { code: 'startup-delay', message: 'waiting for every configured peer to report (initial_promotion_delay, quorum off; 42 s left)', remainingMs: 41_500 },
      blockers: [{ id: B_ID, name: 'koi-b', reason: 'stopped by hand (koi stop; koi start undoes it)' }], runners: [], failures: [],
    },
  });
  const view = backendFor(status).clusterStatus()!;
  expect(view.noMaster).toEqual({
    code: 'startup-delay', message: expect.stringContaining('42 s left'), remainingMs: 41_500,
    runners: [{ node: { id: B_ID, name: 'koi-b' }, reason: expect.stringContaining('stopped by hand') }],
  });
  const text = formatClusterStatus(view);
  expect(text).toContain('No master: waiting for every configured peer to report (initial_promotion_delay, quorum off; 42 s left)');
  expect(text).toContain('  koi-b not electable: stopped by hand');
});

test('koi tree: a Stopped runner is not also called Passive; a disabled service reads "disabled"', () => {
  const status = leaderStatus(['10.0.0.1:42012'], {
    roles: { elector: true, runner: true }, state: 'Stopped',
    runner: {
      state: 'Stopped', mode: 'Passive', target: 'Stop', stopped: true, failed: false, failCount: 0, lastFailureAgoMs: -1,
      lastFailureReason: '', lastFailureOutput: [], namedMaster: false, leaseRemainingMs: 0, lastStateUpdateAgoMs: 100,
      services: [{ name: '10-vip', state: 'Stopped' }, { name: '20-extra', state: 'Stopped', disabled: true }], promoted: false,
    },
  });
  const tree = formatTree(backendFor(status).clusterStatus()!);
  expect(tree).toMatch(/── koi-a {2}Stopped {2}\[leader\] {2}10\.0\.0\.1:42012/);
  expect(tree).not.toMatch(/Passive/);
  expect(tree).toMatch(/20-extra {2}disabled/);
});
