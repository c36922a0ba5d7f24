/**
 * core/node/admin-adapter: the leader's own row in `koi status` carries the
 * address it is bound to (docs/client.md shows it; null hid it), never a
 * wildcard address.
 */
import { VirtualClock } from '../../../core/clock';
import { adminBackend, type AdminNode } from '../../../core/node/admin-adapter';
import type { NodeStatus } from '../../../core/node/status';

function leaderStatus(addresses: string[]): NodeStatus {
  return {
    id: '3f0da418-b8e7-4480-a7a1-d8de67a977b9', name: 'koi-a', uptimeMs: 5000,
    roles: { elector: true, runner: false }, flags: 1 | 4, state: 'Elector', electionMode: 'leader',
    leader: { id: '3f0da418-b8e7-4480-a7a1-d8de67a977b9', name: 'koi-a' }, master: null,
    maintenance: false, manualMaster: false, quorum: { configured: 0, seen: 1, acked: 1, has: true },
    addresses, runner: null, nodes: [],
    elector: { leaderForMs: 4000, master: null, targetMaster: null, manualMaster: false, maintenance: false, waiting: '', runners: [], failures: [] },
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
