/**
 * A node killed and restarted comes back under a fresh id (SPEC §1). The
 * leader forgets the old incarnation once it is Disconnected and the new one
 * reports (one row per machine in `koi status`), but keeps what the
 * no-two-masters rules need: when the restarted node was the master, the
 * replacement still waits master_lease + lease_margin after the last renewal.
 */
import { formatClusterStatus, formatTree } from '../../core/admin/format';
import { adminBackend } from '../../core/node/admin-adapter';
import { expectNoViolations, indexOf, startCluster, waitSettled } from './helpers';
import type { SimCluster, SimNode } from './sim-cluster';

const clusters: SimCluster[] = [];
afterEach(() => {
  for (const c of clusters.splice(0)) c.shutdown();
});

function clusterStatus(sim: SimCluster, leader: SimNode) {
  const backend = adminBackend(leader.koi, 13, 'test', sim.clock, () => Promise.reject(new Error('no forwarding here')));
  const status = backend.clusterStatus();
  if (!status) throw new Error(`${leader.name} is not the leader`);
  return status;
}

test('a slave restarted under a new id is shown once by the leader after it reports', async () => {
  const sim = await startCluster({ nodes: 3 });
  clusters.push(sim);
  const master = await waitSettled(sim);
  const leader = sim.leader()!;
  const index = sim.nodes.findIndex((n) => n !== master && n !== leader);
  const oldId = sim.nodes[index].id;
  const name = sim.nodes[index].name;
  const t = sim.nodes[0].config.time;

  sim.kill(index);
  await sim.restart(index); // at once: the old incarnation is not yet Disconnected when the new one reports
  const newId = sim.nodes[index].id;
  expect(newId).not.toBe(oldId);
  // The old record goes Disconnected after master_dead_time; the next report of the new incarnation retires it.
  await sim.run(t.master_dead_time + t.elector_tick_interval + 2 * t.runner_tick_interval);

  const runners = leader.koi.getStatus().elector!.runners.filter((r) => r.name === name);
  expect(runners.map((r) => r.id)).toEqual([newId]);
  expect(sim.trace.some((l) => l.includes(`runner ${name} restarted as ${newId}; forgetting ${oldId}`))).toBe(true);
  // koi status: one row for the machine (the membership table dropped the old id after node_timeout).
  await sim.run(t.node_timeout);
  const rows = clusterStatus(sim, leader).nodes.filter((n) => n.name === name);
  expect(rows.map((r) => r.id)).toEqual([newId]);
  expect(sim.master()).toBe(master);
  expectNoViolations(sim);
});

test('a master restarted under a new id: its replacement still waits master_lease + lease_margin after the last renewal', async () => {
  // A lease much longer than master_dead_time: the old record is retired well before the wait is over.
  const time = { master_lease: 3000, lease_margin: 500 };
  const sim = await startCluster({ nodes: 3, time });
  clusters.push(sim);
  let master = await waitSettled(sim);
  const leader = sim.leader()!;
  if (master === leader) {
    const other = sim.nodes.find((n) => n !== leader)!;
    leader.koi.promote(other.name);
    await sim.runUntil(() => sim.master() === other && sim.servicesPromoted(other), 10_000);
    master = sim.master()!;
    expect(master).toBe(other);
  }
  const index = indexOf(sim, master);
  const oldId = master.id;
  const t = sim.nodes[0].config.time;

  // What the master itself holds (koi status: runner.leaseRemainingMs) when it dies.
  const killedAt = sim.now;
  const leaseEndsAt = killedAt + master.koi.getStatus().runner!.leaseRemainingMs;
  expect(leaseEndsAt).toBeGreaterThan(killedAt);
  sim.kill(index);
  await sim.restart(index);
  const newId = sim.nodes[index].id;
  const took = await sim.runUntil(() => sim.master() !== null, 20_000);
  expect(took).not.toBeNull();
  const next = sim.master()!;
  const promotedAt = next.promotions.at(-1)!;

  // The old incarnation was retired while the replacement was still waiting...
  const retired = sim.trace.find((l) => l.includes(`restarted as ${newId}; forgetting ${oldId}`));
  expect(retired).toBeDefined();
  expect(Number(retired!.trim().split(' ')[0])).toBeLessThan(killedAt + t.master_lease + t.lease_margin);
  // ...and the replacement still waited out the lease the old master held, and the margin beyond it (less one
  // heartbeat interval: the delay R3's margin allows between the renewal's send and its receipt). Elections come
  // when the wait ends (a timer of their own), so this is counted from the master's own lease, not from the kill.
  expect(promotedAt).toBeGreaterThanOrEqual(leaseEndsAt + t.lease_margin - t.cluster_update_interval);
  expect(leader.koi.getStatus().elector!.runners.filter((r) => r.name === master.name).map((r) => r.id)).toEqual([newId]);
  expectNoViolations(sim);
});

test('koi status shows a Disconnected runner\'s services as its last known states, marked stale', async () => {
  const sim = await startCluster({ nodes: 3 });
  clusters.push(sim);
  const master = await waitSettled(sim);
  const leader = sim.leader()!;
  const victim = master === leader ? sim.nodes.find((n) => n !== leader)! : master;
  const t = sim.nodes[0].config.time;
  const before = clusterStatus(sim, leader).nodes.find((n) => n.id === victim.id)!;
  expect(before.servicesStale).toBe(false);

  sim.kill(indexOf(sim, victim));
  await sim.run(t.master_dead_time + 2 * t.elector_tick_interval);
  const status = clusterStatus(sim, leader);
  const row = status.nodes.find((n) => n.id === victim.id)!;
  expect(row.state).toBe('Disconnected');
  expect(row.servicesStale).toBe(true);
  expect(row.services.length).toBeGreaterThan(0);
  expect(status.nodes.filter((n) => n.servicesStale).map((n) => n.name)).toEqual([victim.name]);
  const last = row.services.map((s) => `${s.name}:${s.state}`).join(' ');
  const text = formatClusterStatus(status).split('\n').find((l) => l.startsWith(victim.name))!;
  expect(text.endsWith(`${last} (stale)`)).toBe(true);
  expect(formatTree(status)).toContain(`${row.services[0]!.state} (stale)`);
  expect(formatClusterStatus(status).match(/\(stale\)/g)).toHaveLength(1);
});
