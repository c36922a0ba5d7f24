/**
 * The numbered cases of issue 10 that the simulator can stage exactly, each
 * measured from the services (the simulated executor's promote and demote
 * events), never from a runner flag. Promotes and demotes take longer than
 * master_lease + lease_margin here, so an ordering mistake shows as an
 * overlap of two nodes' times as master. Each of these failed on the
 * code before the safety rules of docs/safety.md (named in each test).
 */
import { defaultConfig } from '../../core/config/defaults';
import type { SimCluster, SimNode } from './sim-cluster';
import { indexOf, startCluster, waitSettled } from './helpers';

/** Slower than lease + margin (1.5 s by default): the old master is still demoting when a wrong promote would begin. */
const SLOW = 1_600;
const SERVICE = '10-ip';

interface Interval { node: string; from: number; to: number }

/**
 * Each node's time as master, as its services saw it: from the start of its
 * first promote to the start of its first demote after that (SPEC §3: the old
 * master *begins* to demote before a new one *begins* to promote). Events are
 * logged when they end; every event here takes SLOW ms.
 */
function masterIntervals(sim: SimCluster): Interval[] {
  const out: Interval[] = [];
  for (const node of sim.nodes) {
    let open: number | null = null;
    for (const e of node.executor.log) {
      const began = e.at - SLOW;
      if (e.event === 'promote' && open === null) open = began;
      if (e.event === 'demote' && open !== null) {
        out.push({ node: node.name, from: open, to: began });
        open = null;
      }
    }
    if (open !== null) out.push({ node: node.name, from: open, to: sim.now });
  }
  return out;
}

function expectNoOverlap(sim: SimCluster): void {
  const all = masterIntervals(sim);
  const found: string[] = [];
  for (const a of all) {
    for (const b of all) {
      if (a.node < b.node && a.from < b.to && b.from < a.to) {
        found.push(`${a.node} [${a.from}, ${a.to}] and ${b.node} [${b.from}, ${b.to}] overlap by ${Math.min(a.to, b.to) - Math.max(a.from, b.from)} ms`);
      }
    }
  }
  if (found.length > 0) throw new Error(`two masters at once:\n${found.join('\n')}\n${sim.trace.slice(-80).join('\n')}`);
}

function demotesOf(node: SimNode): number[] {
  return node.executor.log.filter((e) => e.service === SERVICE && e.event === 'demote').map((e) => e.at);
}

/** Indexes of the nodes ordered by id, lowest first (the bully election follows ids). */
function byId(sim: SimCluster): number[] {
  return sim.nodes.map((n, i) => i).sort((a, b) => (sim.nodes[a].id < sim.nodes[b].id ? -1 : 1));
}

describe('issue 10, measured from the services', () => {
  jest.setTimeout(60_000);

  test('case 1 (R2): a leader that never knew the master waits out its lease before electing', async () => {
    // C (highest id) is cut off from the start and never sees a master. A and B run, the higher of them
    // leads and is master. After initial_promotion_delay, the partition flips without a heal: the slave
    // joins C, the master is cut away alone. C leads the pair and must not promote before the old master's
    // lease ran out (it cannot know of a lease it never heard of).
    const sim = await startCluster({ seed: 101, nodes: 3, quorum: 2, serviceDurationMs: SLOW });
    const [low, mid, high] = byId(sim);
    sim.partition([[low, mid], [high]]);
    await sim.run(defaultConfig().time.initial_promotion_delay + 5_000);
    const leader = sim.nodes[mid];
    expect(leader.koi.isLeader()).toBe(true);
    leader.koi.promote(leader.name);
    await sim.run(8_000);
    expect(sim.master()?.name).toBe(sim.nodes[mid].name);
    const slave = low;
    sim.partition([[slave, high], [mid]]);
    await sim.run(15_000);
    expectNoOverlap(sim);
    // Liveness: the majority side did elect a new master.
    expect([sim.nodes[slave].name, sim.nodes[high].name]).toContain(sim.master()?.name);
    sim.shutdown();
  });

  test('case 9: healing a partition does not demote a healthy master named by the other side', async () => {
    // The leader (highest id) is cut off alone; the majority continues with the master. On the heal the
    // ex-leader leads again and continues with the master from the other leader's view; its stale record
    // of that master (Disconnected while cut off) must not drop it.
    for (const seed of [201, 202, 203, 204]) {
      const sim = await startCluster({ seed, nodes: 3, quorum: 2 });
      const [low, mid, high] = byId(sim);
      await waitSettled(sim, 20_000);
      sim.leader()!.koi.promote(sim.nodes[low].name);
      await sim.runUntil(() => sim.master()?.name === sim.nodes[low].name && sim.servicesPromoted(sim.nodes[low]), 15_000);
      expect(sim.master()?.name).toBe(sim.nodes[low].name);
      const master = sim.nodes[low];
      const before = demotesOf(master).length;
      sim.partition([[low, mid], [high]]);
      await sim.run(6_000);
      sim.heal();
      await sim.run(8_000);
      expect({ seed, demotes: demotesOf(master).length - before }).toEqual({ seed, demotes: 0 });
      expect(sim.leader()?.name).toBe(sim.nodes[high].name);
      sim.shutdown();
    }
  });

  test('case 10: koi promote of a runner that is not electable leaves the healthy master alone and says so', async () => {
    const sim = await startCluster({ seed: 301, nodes: 3, quorum: 2, time: { auto_recover_time: 1_000 } });
    const master = await waitSettled(sim, 20_000);
    const other = sim.nodes.find((n) => n !== master)!;
    // The other runner fails once and recovers by itself: it is Slave again but not electable for
    // failure_promotion_timeout (60 s) after that failure.
    other.executor.services.get(SERVICE)!.failEvents.add('status');
    await sim.runUntil(() => other.koi.runnerState() === 'Failed', 30_000);
    other.executor.services.get(SERVICE)!.failEvents.clear();
    await sim.runUntil(() => other.koi.runnerState() === 'Slave', 30_000);
    await sim.run(1_000);
    const before = demotesOf(master).length;
    const answer = sim.leader()!.koi.promote(other.name);
    expect(answer).toMatchObject({ ok: true });
    expect((answer as { message: string }).message).toContain('not electable now');
    await sim.run(5_000);
    expect(demotesOf(master).length - before).toBe(0);
    expect(sim.master()?.name).toBe(master.name);
    sim.shutdown();
  });

  test('case 4 (R3): a live reload of the master\'s lease cannot outlast the leader\'s wait', async () => {
    // A runner-only master (it never leads, so only the lease can demote it when cut off) reloads
    // master_lease to 4 s (time.* applies live). The leader still waits its own 1.2 s + margin after its
    // last grant; the runner must hold the lease on the grantor's terms.
    const sim = await startCluster({ seed: 401, nodes: [{}, {}, { elector: false }], quorum: 2, serviceDurationMs: SLOW });
    await waitSettled(sim, 20_000);
    const m = sim.nodes[2];
    sim.leader()!.koi.promote(m.name);
    await sim.runUntil(() => sim.master() === m && sim.servicesPromoted(m), 20_000);
    expect(sim.master()).toBe(m);
    await m.koi.applyConfig({ ...m.config, time: { ...m.config.time, master_lease: 4_000 } });
    await sim.run(2_000);
    sim.partition([[2], [0, 1]]);
    await sim.run(12_000);
    expectNoOverlap(sim);
    expect([sim.nodes[0].name, sim.nodes[1].name]).toContain(sim.master()?.name);
    sim.shutdown();
  });

  test('case 2 (R6): a VM pause freezes the monotonic clock; the resumed master demotes before anything else', async () => {
    // A runner-only master is VM-paused for 5 s: its timers and sockets stop, and its monotonic clock
    // does not advance, while the wall clock does (kvmclock catches up on resume). Meanwhile the
    // others elect a new master. On resume its lease still looks valid on the frozen clock, and stale
    // renewals wait in its socket buffer: it must demote at its very first event.
    const sim = await startCluster({ seed: 501, nodes: [{}, {}, { elector: false }], quorum: 2, serviceDurationMs: SLOW });
    await waitSettled(sim, 20_000);
    const m = sim.nodes[2];
    sim.leader()!.koi.promote(m.name);
    await sim.runUntil(() => sim.master() === m && sim.servicesPromoted(m), 20_000);
    expect(sim.master()).toBe(m);
    let frozen = 0;
    m.clock.now = () => sim.clock.now() - frozen;
    await sim.run(1_000);
    const pausedAt = sim.now;
    sim.pause(2);
    await sim.run(5_000);
    frozen += sim.now - pausedAt;
    const resumedAt = sim.now;
    const before = m.executor.log.length;
    // It comes back cut off: nothing another node says can be what demotes it.
    sim.partition([[2], [0, 1]]);
    sim.resume(2);
    await sim.run(3 * SLOW);
    const firstDemote = m.executor.log.slice(before).find((e) => e.event === 'demote');
    expect(firstDemote).toBeDefined();
    // The first demote began at the resume (events end SLOW ms after they begin; this node's executor
    // logs its own, frozen, monotonic time).
    expect(firstDemote!.at - SLOW - (resumedAt - frozen)).toBeLessThanOrEqual(5);
    expect(sim.master()).not.toBe(m);
    sim.shutdown();
  });
  test('case 2b (R6): a VM pause hidden by a wall-clock step back is seen in the peers\' clocks; the resumed master demotes at once', async () => {
    // Both of the master's own clocks are fooled: the monotonic clock froze with the VM and the wall
    // clock was stepped back by as much (an NTP correction) while it was paused. Only the peers'
    // heartbeats, whose monotonic uptimes ran on, show the pause. Breaking the rule (no peer witness)
    // leaves its lease alive on resume, and it stays master next to the new one.
    const sim = await startCluster({ seed: 502, nodes: [{}, {}, { elector: false }], quorum: 2, serviceDurationMs: SLOW });
    await waitSettled(sim, 20_000);
    const m = sim.nodes[2];
    sim.leader()!.koi.promote(m.name);
    await sim.runUntil(() => sim.master() === m && sim.servicesPromoted(m), 20_000);
    await sim.run(1_000);
    const PAUSE = 5_000;
    sim.vmPause(2);
    await sim.run(100);
    sim.stepWall(2, -PAUSE);
    await sim.run(PAUSE - 100);
    const resumedAt = sim.now;
    sim.resume(2);
    await sim.run(4 * SLOW);
    // Promoted intervals in shared time (the executor's witness): the first service it demotes ends
    // one demote script after the resume.
    const ends = m.executor.intervals.filter((i) => i.end >= resumedAt).map((i) => i.end - resumedAt);
    expect(ends.length).toBeGreaterThan(0);
    expect(Math.min(...ends)).toBeLessThanOrEqual(SLOW + 150);
    expect(sim.master()).not.toBe(m);
    sim.shutdown();
  });
  test('R3 shortcut (issue 12 item 10): a planned koi promote waits for the old master\'s confirmed demote, not its whole lease', async () => {
    // Scripts of 20 ms: the old master is done demoting long before lease + margin (1.5 s) would end.
    const sim = await startCluster({ seed: 503, nodes: 3, quorum: 2, serviceDurationMs: 20 });
    const old = await waitSettled(sim, 20_000);
    await sim.run(2_000);
    const next = sim.nodes.find((n) => n !== old)!;
    sim.leader()!.koi.promote(next.name);
    await sim.runUntil(() => sim.master() === next && sim.servicesPromoted(next), 10_000);
    await sim.run(500);
    // From the services' own intervals (shared time): the old master's last promoted interval ends,
    // then the new one's begins, within a few ticks.
    const oldEnd = Math.max(...old.executor.intervals.map((i) => i.end));
    const firstPromote = next.executor.log.find((e) => e.event === 'promote');
    expect(firstPromote).toBeDefined();
    const promoteBegan = firstPromote!.at - 20; // events are logged when they end
    expect(promoteBegan).toBeGreaterThanOrEqual(oldEnd);
    expect(promoteBegan - oldEnd).toBeLessThan(700);
    expectNoOverlap(sim);
    sim.shutdown();
  });
});
