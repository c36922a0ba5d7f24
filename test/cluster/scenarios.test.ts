/**
 * Named scenarios after Pacemaker's CTS, each on the simulator with the
 * invariants checked after every step (test/cluster/invariants.ts).
 */
import { expectNoViolations, indexOf, settled, startCluster, waitSettled } from './helpers';
import { SimCluster } from './sim-cluster';

afterEachShutdown();
const clusters: SimCluster[] = [];
function afterEachShutdown(): void {
  afterEach(() => {
    for (const c of clusters.splice(0)) c.shutdown();
  });
}
async function cluster(...args: Parameters<typeof startCluster>): Promise<SimCluster> {
  const sim = await startCluster(...args);
  clusters.push(sim);
  return sim;
}

describe('CTS scenarios', () => {
  test('SimulStart: 3 nodes started together elect one leader and one master', async () => {
    const sim = await cluster({ nodes: 3 });
    await waitSettled(sim, 3000);
    await sim.run(10_000);
    expect(settled(sim)).toBe(true);
    // Nothing flapped once settled.
    expect(sim.nodes.reduce((n, node) => n + node.promotions.length, 0)).toBe(1);
    expectNoViolations(sim);
  });

  test('Flip: koi promote moves the master and back, the old one demotes first', async () => {
    const sim = await cluster({ nodes: 3 });
    const first = await waitSettled(sim);
    const other = sim.nodes.find((n) => n !== first)!;
    expect(sim.leader()!.koi.promote(other.name)).toMatchObject({ ok: true });
    await sim.runUntil(() => sim.master() === other && sim.servicesPromoted(other), 5000);
    expect(sim.master()).toBe(other);
    expect(first.demotions.at(-1)!).toBeLessThanOrEqual(other.promotions.at(-1)!);
    expect(sim.leader()!.koi.promote(first.id)).toMatchObject({ ok: true });
    await sim.runUntil(() => sim.master() === first && sim.servicesPromoted(first), 5000);
    expect(sim.master()).toBe(first);
    expectNoViolations(sim);
  });

  test('Restart: a slave crashes and comes back; the master stays', async () => {
    const sim = await cluster({ nodes: 3 });
    const master = await waitSettled(sim);
    const slave = sim.nodes.findIndex((n) => n !== master && !n.koi.isLeader());
    sim.kill(slave);
    await sim.run(3000);
    await sim.restart(slave);
    await sim.run(5000);
    expect(sim.master()).toBe(master);
    expect(master.promotions).toHaveLength(1);
    expect(sim.nodes[slave].koi.runnerState()).toBe('Slave');
    expectNoViolations(sim);
  });

  test('StartOnebyOne: with quorum 2 of 3 no master before the second node; one master after', async () => {
    const sim = new SimCluster({ seed: 3, nodes: 3 });
    clusters.push(sim);
    await sim.start(0);
    await sim.run(5000);
    expect(sim.masters()).toHaveLength(0);
    await sim.start(1);
    await sim.run(3000);
    await sim.start(2);
    // Two of three peers reported: with a majority quorum they elect without the third.
    await waitSettled(sim, 5000);
    await sim.run(5000);
    expect(sim.nodes.reduce((n, node) => n + node.promotions.length, 0)).toBe(1);
    expectNoViolations(sim);
  });

  test('StopOnebyOne: graceful stops move the master; the last quorate pair keeps one', async () => {
    const sim = await cluster({ nodes: 3 });
    const master = await waitSettled(sim);
    await sim.stop(indexOf(sim, master));
    await waitSettled(sim, 3000);
    const second = sim.master()!;
    expect(second).not.toBe(master);
    await sim.stop(indexOf(sim, second));
    // One node left of three: no quorum, no master.
    await sim.run(5000);
    expect(sim.masters()).toHaveLength(0);
    expectNoViolations(sim);
  });

  test('SimulStop: every node stops gracefully at once; services end Stopped', async () => {
    const sim = await cluster({ nodes: 3 });
    await waitSettled(sim);
    const stops = sim.nodes.map((n) => n.koi.stop('SimulStop'));
    await sim.run(2000);
    await Promise.all(stops);
    for (const node of sim.nodes) {
      const status = node.koi.getStatus();
      expect(status.runner!.state).toBe('Stopped');
      expect(status.runner!.services.every((s) => s.state === 'Stopped')).toBe(true);
    }
    expectNoViolations(sim);
  });

  test('PartialStart: with a majority quorum, 2 of 3 configured nodes elect without waiting for the third (the lease rules make it safe)', async () => {
    const sim = new SimCluster({ seed: 5, nodes: 3, time: { initial_promotion_delay: 20_000 } });
    clusters.push(sim);
    await sim.start(0);
    await sim.start(1);
    await waitSettled(sim, 5_000);
    expect(sim.now).toBeLessThan(5_000);
    expectNoViolations(sim);
  });

  test('PartialStart: with quorum off, 2 of 3 configured nodes elect only after initial_promotion_delay', async () => {
    const sim = new SimCluster({ seed: 5, nodes: 3, quorum: 0, time: { initial_promotion_delay: 20_000 } });
    clusters.push(sim);
    await sim.start(0);
    await sim.start(1);
    await sim.run(15_000);
    expect(sim.masters()).toHaveLength(0);
    expect(sim.leader()!.koi.getStatus().elector!.waiting?.message).toContain('every configured peer');
    await waitSettled(sim, 8000);
    expect(sim.now).toBeGreaterThanOrEqual(20_000);
    expectNoViolations(sim);
  });

  test('ResourceRecover: a failing service fails the master over; the node auto-recovers; failures are recorded', async () => {
    const sim = await cluster({ nodes: 3, time: { auto_recover_time: 5000 } });
    const master = await waitSettled(sim);
    master.executor.services.get('20-app')!.failEvents.add('status');
    master.koi.getStatus();
    await sim.runUntil(() => master.koi.runnerState() === 'Failed', 15_000);
    expect(master.koi.runnerState()).toBe('Failed');
    const failedAt = sim.now;
    const next = await waitSettled(sim, 3000);
    expect(next).not.toBe(master);
    expect(sim.now - failedAt).toBeLessThan(1000);
    master.executor.services.get('20-app')!.failEvents.clear();
    await sim.runUntil(() => master.koi.runnerState() === 'Slave', 8000);
    expect(master.koi.runnerState()).toBe('Slave');
    expect(master.koi.getStatus().runner!.failCount).toBe(1);
    const failures = sim.leader()!.koi.failures();
    expect(failures[0]).toMatchObject({ node: { name: master.name } });
    expect(failures[0].reason).toContain('20-app');
    // The recently failed node is not elected while a healthy one exists.
    expect(sim.master()).toBe(next);
    master.koi.recover();
    expect(master.koi.getStatus().runner!.failCount).toBe(0);
    expectNoViolations(sim);
  });

  test('ComponentFail: the master crashes and is replaced within 3 s', async () => {
    const sim = await cluster({ nodes: 3 });
    await sim.run(5000);
    const master = sim.nodes.find((n) => n.koi.runnerState() === 'Master' && !n.koi.isLeader())
      ?? await waitSettled(sim);
    if (master.koi.isLeader()) sim.leader()!.koi.promote(sim.nodes.find((n) => !n.koi.isLeader())!.name);
    await sim.run(4000);
    const victim = sim.master()!;
    expect(victim.koi.isLeader()).toBe(false);
    sim.kill(indexOf(sim, victim));
    const took = await sim.runUntil(() => settled(sim), 3000);
    expect(took).not.toBeNull();
    expect(took!).toBeLessThan(3000);
    expectNoViolations(sim);
  });

  test('the master that is also the leader crashes and is replaced within 3 s', async () => {
    const sim = await cluster({ nodes: 3 });
    await waitSettled(sim);
    const leader = sim.leader()!;
    leader.koi.promote(leader.name);
    await sim.runUntil(() => sim.master() === leader && sim.servicesPromoted(leader), 5000);
    expect(sim.master()).toBe(leader);
    sim.kill(indexOf(sim, leader));
    const took = await sim.runUntil(() => settled(sim), 3000);
    expect(took).not.toBeNull();
    expect(took!).toBeLessThan(3000);
    expectNoViolations(sim);
  });

  test('SplitBrainTest: a minority master demotes, the majority elects one, healing leaves one', async () => {
    const sim = await cluster({ nodes: 5 });
    const master = await waitSettled(sim);
    const m = indexOf(sim, master);
    const minority = [m, (m + 1) % 5];
    const majority = [0, 1, 2, 3, 4].filter((i) => !minority.includes(i));
    sim.partition([minority, majority]);
    await sim.run(4000);
    expect(master.koi.runnerState()).not.toBe('Master');
    const masters = sim.masters();
    expect(masters).toHaveLength(1);
    expect(majority).toContain(indexOf(sim, masters[0]));
    sim.heal();
    await sim.run(5000);
    expect(sim.masters()).toHaveLength(1);
    expect(sim.leaders()).toHaveLength(1);
    expectNoViolations(sim);
  });

  test('Standby: koi stop on the master moves it at once; koi start makes the node a slave again', async () => {
    const sim = await cluster({ nodes: 3 });
    const master = await waitSettled(sim);
    expect(master.koi.stopRunner()).toMatchObject({ ok: true });
    const took = await sim.runUntil(() => settled(sim) && sim.master() !== master, 3000);
    expect(took).not.toBeNull();
    expect(master.koi.runnerState()).toBe('Stopped');
    expect(master.koi.getStatus().runner!.mode).toBe('Passive');
    master.koi.startRunner();
    await sim.runUntil(() => master.koi.runnerState() === 'Slave', 3000);
    expect(master.koi.runnerState()).toBe('Slave');
    expectNoViolations(sim);
  });

  test('MaintenanceMode: spread by the leader, also to a node that joins later; no scripts run', async () => {
    const sim = await cluster({ nodes: 3 });
    await waitSettled(sim);
    expect(sim.leader()!.koi.setMaintenance(true)).toMatchObject({ ok: true });
    await sim.run(1000);
    const slave = sim.nodes.findIndex((n) => n.koi.runnerState() === 'Slave' && !n.koi.isLeader());
    sim.kill(slave);
    await sim.run(1000);
    await sim.restart(slave);
    await sim.run(3000);
    for (const node of sim.nodes) expect(node.koi.getStatus().maintenance).toBe(true);
    const joined = sim.nodes[slave];
    // The rejoined node's services were started in maintenance mode: presumed, never run.
    expect(joined.executor.log.filter((e) => e.at > sim.now - 3000)).toEqual([]);
    expect(joined.koi.runnerState()).toBe('Slave');
    sim.leader()!.koi.setMaintenance(false);
    await sim.run(1000);
    for (const node of sim.nodes) expect(node.koi.getStatus().maintenance).toBe(false);
    expectNoViolations(sim);
  });

  test('NearQuorumPoint: 5 nodes, quorum 3: 3 keep a master, 2 do not; losing one more drops it', async () => {
    const sim = await cluster({ nodes: 5, quorum: 3 });
    await waitSettled(sim);
    sim.partition([[0, 1, 2], [3, 4]]);
    await sim.run(5000);
    const masters = sim.masters();
    expect(masters).toHaveLength(1);
    expect([0, 1, 2]).toContain(indexOf(sim, masters[0]));
    sim.kill(indexOf(sim, masters[0]));
    await sim.run(5000);
    expect(sim.masters()).toHaveLength(0);
    expectNoViolations(sim);
  });

  test('Reattach: a slave cut off and healed rejoins without moving the master', async () => {
    const sim = await cluster({ nodes: 3 });
    const master = await waitSettled(sim);
    const slave = sim.nodes.findIndex((n) => n !== master && !n.koi.isLeader());
    sim.partition([[slave], [0, 1, 2].filter((i) => i !== slave)]);
    await sim.run(5000);
    sim.heal();
    await sim.run(5000);
    expect(sim.master()).toBe(master);
    expect(master.promotions).toHaveLength(1);
    expect(sim.nodes[slave].koi.runnerState()).toBe('Slave');
    expectNoViolations(sim);
  });
});

describe('cluster shapes', () => {
  test('elector-only nodes lead; runners hold the master', async () => {
    const sim = await cluster({ nodes: [{ runner: false }, { runner: false }, { runner: false }, { elector: false }, { elector: false }] });
    const master = await waitSettled(sim);
    expect(master.spec.runner).toBe(true);
    expect(sim.leader()!.spec.runner).toBe(false);
    expect(sim.nodes.filter((n) => !n.spec.elector).every((n) => n.koi.getStatus().electionMode === null)).toBe(true);
    expect(sim.nodes[0].koi.getStatus().state).toBe('Elector');
    sim.kill(indexOf(sim, sim.leader()!));
    await sim.run(5000);
    expect(sim.master()).toBe(master);
    expect(sim.leader()!.spec.runner).toBe(false);
    expectNoViolations(sim);
  });

  test('2 nodes without quorum: a partition gives two masters (documented), healing leaves one', async () => {
    const sim = await cluster({ nodes: 2, quorum: 0 });
    await waitSettled(sim);
    sim.partition([[0], [1]]);
    await sim.run(5000);
    expect(sim.masters()).toHaveLength(2);
    sim.heal();
    await sim.run(5000);
    expect(sim.masters()).toHaveLength(1);
    expect(sim.leaders()).toHaveLength(1);
    expectNoViolations(sim);
  });

  test('32 nodes converge on one leader and one master', async () => {
    const sim = await cluster({ nodes: 32 });
    await waitSettled(sim, 5000);
    await sim.run(500);
    expect(sim.leaders()).toHaveLength(1);
    expect(sim.masters()).toHaveLength(1);
    for (const node of sim.nodes) expect(node.koi.getStatus().leader?.id).toBe(sim.leader()!.id);
    expectNoViolations(sim);
  }, 60_000);
});

describe('frozen processes and fencing', () => {
  test('a paused master is replaced, and on resume demotes before anything else', async () => {
    const sim = await cluster({ nodes: 3 });
    const master = await waitSettled(sim);
    const leader = sim.leader()!;
    if (master === leader) {
      leader.koi.promote(sim.nodes.find((n) => n !== leader)!.name);
      await sim.run(4000);
    }
    const frozen = sim.master()!;
    sim.pause(indexOf(sim, frozen));
    const took = await sim.runUntil(() => sim.masters().length === 1 && sim.master() !== frozen, 4000);
    expect(took).not.toBeNull();
    await sim.run(3000);
    const demotionsBefore = frozen.demotions.length;
    sim.resume(indexOf(sim, frozen));
    // The resume's first step (the first timer that fell due) demoted it: no later step saw two masters.
    await sim.stepOnce();
    expect(frozen.demotions.length).toBe(demotionsBefore + 1);
    expect(frozen.koi.runnerState()).not.toBe('Master');
    expect(sim.trace.some((l) => l.includes('stalled'))).toBe(true);
    await sim.run(5000);
    expect(sim.masters()).toHaveLength(1);
    expectNoViolations(sim);
  });

  test('onFence: promotion of a replacement waits for the fencing plugin, retrying on failure', async () => {
    const sim = await cluster({ nodes: 3 });
    await waitSettled(sim);
    const leader = sim.leader()!;
    const target = sim.nodes.find((n) => n !== leader)!;
    leader.koi.promote(target.name);
    await sim.runUntil(() => sim.master() === target && sim.servicesPromoted(target), 5000);
    const calls: Array<{ at: number; name: string }> = [];
    let fencedAt = 0;
    for (const node of sim.nodes) {
      node.hooks.onFence.tapPromise('test-fence', async (request) => {
        calls.push({ at: sim.now, name: request.name });
        if (calls.length < 3) return { ok: false, detail: 'power switch busy' };
        fencedAt = sim.now;
        sim.kill(sim.nodes.findIndex((n) => n.name === request.name));
        return { ok: true, detail: 'powered off' };
      });
    }
    sim.pause(indexOf(sim, target));
    const took = await sim.runUntil(() => sim.master() !== null && sim.master() !== target, 8000);
    expect(took).not.toBeNull();
    expect(calls.length).toBeGreaterThanOrEqual(3);
    expect(calls.every((c) => c.name === target.name)).toBe(true);
    const replacement = sim.master()!;
    expect(replacement.promotions.at(-1)!).toBeGreaterThanOrEqual(fencedAt);
    expect(sim.trace.some((l) => l.includes('fencing') && l.includes('failed') && l.includes('retrying'))).toBe(true);
    expectNoViolations(sim);
  });
});
