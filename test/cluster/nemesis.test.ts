/**
 * The nemesis' own machinery, so that a fault the schedules name is the
 * fault the nodes get, and the invariants see what the services did:
 * - one-way cuts drop one direction only; deaf and mute nodes; a partition
 *   replaced by another without a heal (flip) and non-transitive pair cuts;
 * - SIGSTOP vs VM pause: timers, monotonic `now()` and `wallNow()`;
 * - clock rate drift moves `now()` and the node's timers; wall steps move only the wall;
 * - a crash leaves services promoted across the restart; power-off ends them;
 * - overlaps of promoted intervals are classified (violation, frozen, crash)
 *   and a frozen holder that does not demote at once after its resume is a violation;
 * - schedules replay exactly from their seed.
 */
import { VirtualClock } from '../../core/clock';
import { Prng } from './prng';
import { ServiceInvariants, type ClusterProbe, type ProbeNode, type ServiceBounds } from './service-invariants';
import { PausableClock } from './sim-clock';
import { SimNetwork } from './sim-network';
import { createHash } from 'node:crypto';
import { generateSchedule, runSchedule, type Action } from './schedules';
import { startCluster, waitSettled, indexOf } from './helpers';
import { CURVE_PROFILES, loadProfile, profileSpec } from '../../bench/lib/profiles';
import type { KoiConfig } from '../../plugin-api';
import { defaultConfig } from '../../core/config/defaults';
import { TIME_DEFAULTS } from '../../core/config/timing-defaults';
import { checkClusterConfig } from '../../core/node';

/** A network of three endpoints a, b, c; `got[x]` lists the senders of what x received. */
function network(): { clock: VirtualClock; net: SimNetwork; got: Record<string, string[]> } {
  const clock = new VirtualClock();
  const net = new SimNetwork(clock, new Prng(1));
  return { clock, net, got: { a: [], b: [], c: [] } };
}

describe('network faults', () => {
  test('a one-way cut drops a→b only; b→a is delivered', () => {
    const { clock, net, got } = network();
    net.blockOneWay('a', 'b');
    const ta = net.transport('a', () => ['a', 'b', 'c']);
    const tb = net.transport('b', () => ['a', 'b', 'c']);
    void ta.start((_d, from) => got.a.push(from));
    void tb.start((_d, from) => got.b.push(from));
    ta.sendTo('b', new Uint8Array([1]));
    tb.sendTo('a', new Uint8Array([2]));
    clock.advance(10);
    expect(got.b).toEqual([]);
    expect(got.a).toEqual(['b']);
    expect(net.connected('a', 'b')).toBe(false);
    expect(net.canSend('b', 'a')).toBe(true);
  });

  test('a deaf node sends but receives nothing; a mute node receives but sends nothing', () => {
    const { clock, net, got } = network();
    const ta = net.transport('a', () => ['a', 'b']);
    const tb = net.transport('b', () => ['a', 'b']);
    void ta.start((_d, from) => got.a.push(from));
    void tb.start((_d, from) => got.b.push(from));
    net.deaf('a');
    ta.sendTo('b', new Uint8Array([1]));
    tb.sendTo('a', new Uint8Array([2]));
    clock.advance(10);
    expect(got).toMatchObject({ a: [], b: ['a'] });
    net.heal();
    net.mute('a');
    ta.sendTo('b', new Uint8Array([1]));
    tb.sendTo('a', new Uint8Array([2]));
    clock.advance(10);
    expect(got).toMatchObject({ a: ['b'], b: ['a'] });
  });

  test('a partition flips to another without a heal; pair cuts are non-transitive', () => {
    const { net } = network();
    const all = ['a', 'b', 'c'];
    net.partition([['a'], ['b', 'c']], all);
    expect([net.connected('a', 'b'), net.connected('b', 'c')]).toEqual([false, true]);
    net.partition([['a', 'b'], ['c']], all);
    expect([net.connected('a', 'b'), net.connected('b', 'c'), net.connected('a', 'c')]).toEqual([true, false, false]);
    net.heal();
    net.cutPair('a', 'c');
    expect([net.connected('a', 'b'), net.connected('b', 'c'), net.connected('a', 'c')]).toEqual([true, true, false]);
  });
});

describe('node clocks', () => {
  test('SIGSTOP: time goes on, due timers run once at resume', () => {
    const base = new VirtualClock();
    const clock = new PausableClock(base);
    const fired: number[] = [];
    clock.setInterval(() => fired.push(clock.now()), 100);
    clock.pause();
    base.advance(550);
    expect(fired).toEqual([]);
    expect(clock.now()).toBe(550);
    clock.resume();
    expect(fired).toEqual([]); // each at this instant, a step of its own
    base.advance(0);
    expect(fired).toEqual([550]);
  });

  test('VM pause: now() stands still, wallNow() jumps by the pause, timers fire the pause later', () => {
    const base = new VirtualClock();
    const clock = new PausableClock(base);
    const fired: number[] = [];
    clock.setTimeout(() => fired.push(base.now()), 300);
    base.advance(100);
    const wall = clock.wallNow();
    clock.freeze();
    base.advance(1000);
    expect(clock.now()).toBe(100);
    clock.thaw();
    expect(clock.now()).toBe(100);
    expect(clock.wallNow() - wall).toBe(1000);
    base.advance(150);
    expect(fired).toEqual([]);
    base.advance(100);
    expect(fired).toEqual([1300]);
  });

  test('rate drift: now() and timers run at the rate; a wall step moves only the wall clock', () => {
    const base = new VirtualClock();
    const clock = new PausableClock(base, { rate: 1.005 });
    let firedAt = -1;
    clock.setTimeout(() => { firedAt = base.now(); }, 1005);
    base.advance(999);
    expect(firedAt).toBe(-1);
    base.advance(1);
    expect(clock.now()).toBeCloseTo(1005, 6);
    base.advance(0.001); // float rounding of 1005 / 1.005
    expect(firedAt).toBeCloseTo(1000, 6);
    const before = clock.now();
    const wall = clock.wallNow();
    clock.stepWall(-4000);
    expect(clock.now()).toBe(before);
    expect(clock.wallNow() - wall).toBe(-4000);
  });
});

describe('crash and power-off', () => {
  test('a crashed master keeps its services promoted until its restart demotes them (start-up sweep); a power-off ends them', async () => {
    const sim = await startCluster({ nodes: 3, seed: 21 });
    const master = await waitSettled(sim);
    const index = indexOf(sim, master);
    sim.kill(index);
    await sim.run(500);
    expect(sim.nodes[index].executor.openServices()).toEqual(['10-ip', '20-app']);
    const before = sim.nodes[index].executor.log.length;
    await sim.restart(index);
    // KoiNode.start returns only after the sweep: both leftovers were demoted, highest priority first.
    expect(sim.nodes[index].executor.log.slice(before).filter((e) => e.event === 'demote').map((e) => e.service)).toEqual(['20-app', '10-ip']);
    expect([...sim.nodes[index].executor.services.values()].map((b) => b.promoted)).toEqual([false, false]);
    expect(sim.nodes[index].executor.openServices()).toEqual([]);
    await waitSettled(sim);
    sim.powerOff(index);
    expect(sim.nodes[index].executor.openServices()).toEqual([]);
    expect(sim.nodes[index].status).toBe('off');
    sim.shutdown();
  });
});

describe('service-layer invariants', () => {
  const bounds: ServiceBounds = {
    quorum: 2, majority: true, fencing: false, frozenBoundMs: 500, frozenDemoteStartMs: 0, quorumOffFirstDemoteMs: 50,
    crashBoundMs: 1000, demoteChainBoundMs: 1000, livenessBoundMs: 5000, flapWindowMs: 1600, checkLiveness: false,
  };
  const node = (name: string, life: ProbeNode['life'], open: string[]): ProbeNode => ({
    name, life, elector: true, healthyRunner: true, isLeader: false, open, allPromoted: open.length > 0, clockFault: false, serviceFault: false,
  });
  const probe = (now: number, nodes: ProbeNode[]): ClusterProbe => ({ now, nodes, connected: () => true, disturbed: false, lastAdminAction: 0 });

  test('a promote while a running node holds the service is a violation; a frozen holder is its own category', () => {
    const found: string[] = [];
    const inv = new ServiceInvariants(bounds, (v) => found.push(v.invariant));
    inv.promoteStart(probe(10, [node('n1', 'running', ['ip']), node('n2', 'running', [])]), 'n2', 'ip', 10);
    expect(found).toEqual(['two-promoted']);
    inv.promoteStart(probe(20, [node('n1', 'paused', ['ip']), node('n3', 'running', [])]), 'n3', 'ip', 20);
    expect(found).toEqual(['two-promoted']);
    expect(inv.overlaps.map((o) => o.category)).toEqual(['violation', 'frozen']);
  });

  test('with fencing every overlap is a violation, frozen holder or not', () => {
    const found: string[] = [];
    const inv = new ServiceInvariants({ ...bounds, fencing: true }, (v) => found.push(v.invariant));
    inv.promoteStart(probe(20, [node('n1', 'frozen', ['ip']), node('n3', 'running', [])]), 'n3', 'ip', 20);
    expect(found).toEqual(['two-promoted']);
  });

  test('a frozen holder must begin to demote at its first event after the resume', () => {
    const found: string[] = [];
    const inv = new ServiceInvariants(bounds, (v) => found.push(v.invariant));
    const nodes = [node('n1', 'frozen', ['ip']), node('n2', 'running', [])];
    inv.promoteStart(probe(100, nodes), 'n2', 'ip', 100);
    inv.returned('n1', 1000, 'resume');
    inv.check(probe(1003, nodes));
    expect(found).toEqual([]);
    inv.check(probe(1010, nodes));
    expect(found).toEqual(['frozen-overlap-too-long']);
  });

  test('after a hidden VM pause the first demote may wait until the pause is told (its lease on its own clock), no longer (chaos seed 9680240)', () => {
    for (const hidden of [false, true]) {
      const found: string[] = [];
      const inv = new ServiceInvariants({ ...bounds, clusterTickMs: 50, hiddenPauseTellMs: 1400 }, (v) => found.push(v.invariant));
      const nodes = [node('n1', 'frozen', ['ip']), node('n2', 'running', [])];
      inv.promoteStart(probe(100, nodes), 'n2', 'ip', 100);
      inv.returned('n1', 1000, 'resume', false, [], true, hidden);
      inv.check(probe(1100, nodes));
      expect(found).toEqual(hidden ? [] : ['frozen-overlap-too-long']);
      if (!hidden) continue;
      inv.check(probe(2400, nodes));
      expect(found).toEqual([]);
      inv.check(probe(2500, nodes)); // 5 + 50 + 1 400 ms after the resume: not begun
      expect(found).toEqual(['frozen-overlap-too-long']);
    }
  });

  test('a holder that demotes at once after its resume is fine; a crashed one must clean up within its bound after the restart', () => {
    const found: string[] = [];
    const inv = new ServiceInvariants(bounds, (v) => found.push(v.invariant));
    inv.promoteStart(probe(100, [node('n1', 'paused', ['ip']), node('n2', 'running', [])]), 'n2', 'ip', 100);
    inv.returned('n1', 1000, 'resume');
    inv.demoteStart(probe(1000, []), 'n1', 'ip', 1000);
    inv.promotedEnd('n1', 'ip', { service: 'ip', start: 0, end: 1200 });
    inv.check(probe(2000, []));
    inv.promoteStart(probe(3000, [node('n1', 'dead', ['ip']), node('n2', 'running', [])]), 'n2', 'ip', 3000);
    inv.returned('n1', 4000, 'restart');
    inv.check(probe(4900, []));
    expect(found).toEqual([]);
    inv.check(probe(5100, []));
    expect(found).toEqual(['crash-leftover']);
    expect(inv.overlaps.map((o) => [o.category, o.end === null ? null : o.end - o.start])).toEqual([['frozen', 1100], ['crash', null]]);
  });

  test('a frozen holder back and named master again: the promoter, stopped in turn, must give the service up within its demote chain (chaos seed 9651087)', () => {
    for (const demoteBegan of [1500, null]) {
      const found: string[] = [];
      const inv = new ServiceInvariants(bounds, (v) => found.push(v.invariant));
      // n1 holds ip and app; frozen, n2 promotes ip over it at 100.
      inv.promoteStart(probe(100, [node('n1', 'frozen', ['ip', 'app']), node('n2', 'running', [])]), 'n2', 'ip', 100);
      // n1 resumes at 1000 and begins its demote chain at once (app first: it keeps ip for now).
      inv.returned('n1', 1000, 'resume');
      inv.demoteStart(probe(1000, []), 'n1', 'app', 1000);
      inv.promotedEnd('n1', 'app', { service: 'app', start: 0, end: 1100 });
      // n2 is stopped in turn and loses its lease; its chain begins at 1500 (or never).
      if (demoteBegan !== null) inv.demoteStart(probe(demoteBegan, []), 'n2', 'app', demoteBegan);
      // n1, named master again, promotes app at 1800 while it still holds ip.
      const nodes = [node('n1', 'running', ['ip']), node('n2', 'running', ['ip'])];
      inv.promoteStart(probe(1800, nodes), 'n1', 'app', 1800);
      inv.check(probe(2400, nodes)); // past n1's frozen bound (500 ms from its resume): n1 is the master now
      if (demoteBegan === null) {
        expect(found).toContain('two-promoted');
        continue;
      }
      expect(found).toEqual([]);
      inv.check(probe(2600, nodes)); // n2's chain, begun at 1500, past its 1 000 ms bound
      expect(found).toEqual(['two-promoted']);
    }
  });

  test('a node restarted in maintenance: its leftover is bounded from when it left maintenance, where its deferred sweep runs (chaos seed 9650520)', () => {
    const found: string[] = [];
    const inv = new ServiceInvariants(bounds, (v) => found.push(v.invariant));
    // n1 crashed holding ip and restarts in maintenance (no sweep); maintenance ends 4 s later, and n2 is elected.
    inv.returned('n1', 4000, 'restart', false, ['ip']);
    const n1 = (maintenance: boolean): ProbeNode => ({ ...node('n1', 'running', ['ip']), maintenance });
    inv.check(probe(4100, [n1(true), node('n2', 'running', [])]));
    inv.check(probe(8000, [n1(false), node('n2', 'running', [])]));
    inv.promoteStart(probe(8500, [n1(false), node('n2', 'running', [])]), 'n2', 'ip', 8500);
    inv.check(probe(8900, [n1(false), node('n2', 'running', ['ip'])]));
    expect(found).toEqual([]);
    inv.check(probe(9100, [n1(false), node('n2', 'running', ['ip'])]));
    expect(found).toEqual(['crash-leftover']);
  });

  test('a demoting holder named master again: a crash leftover when the new master died holding the service, two promoted when it runs on', () => {
    for (const n2Life of ['dead', 'running'] as const) {
      const found: string[] = [];
      const inv = new ServiceInvariants({ ...bounds, demoteChainBoundMs: 5000 }, (v) => found.push(v.invariant));
      // n1 was master, lost its lease and began a long demote chain (app first, ip last); n2 was elected on the other side.
      inv.promoteStart(probe(0, [node('n1', 'running', []), node('n2', 'running', [])]), 'n1', 'ip', 0);
      inv.demoteStart(probe(500, []), 'n1', 'app', 500);
      inv.promoteStart(probe(1000, [node('n1', 'running', ['ip']), node('n2', 'running', [])]), 'n2', 'ip', 1000);
      expect(inv.overlaps.map((o) => o.category)).toEqual(['demoting']);
      // n2 crashes (or not) holding ip; a leader names n1 again before its chain reached ip: it keeps ip, promotes app.
      const nodes = [node('n1', 'running', ['ip']), node('n2', n2Life, ['ip'])];
      inv.promoteStart(probe(2000, nodes), 'n1', 'app', 2000);
      inv.check(probe(2001, nodes));
      if (n2Life === 'running') {
        expect(found).toEqual(['two-promoted']);
        continue;
      }
      expect(found).toEqual([]);
      expect(inv.overlaps.map((o) => [o.category, o.holder, o.end])).toEqual([['demoting', 'n1', 2000], ['crash', 'n2', null]]);
      // The leftover is bounded from n2's restart, like any crash.
      inv.returned('n2', 3000, 'restart', false, ['ip']);
      inv.check(probe(3900, nodes));
      expect(found).toEqual([]);
      inv.check(probe(4100, nodes));
      expect(found).toEqual(['crash-leftover']);
    }
  });
});

test('medium-profile seed 9350779: a stale view\'s master is not promoted beside a resumed master that is still demoting and has not reported yet (R7 for an election in effect)', async () => {
  // The leader-master n1 is paused; n2 leads with a view from before its own VM pause that names n3, a Slave.
  // n1 resumes, demotes (its lease ran out) and follows n2, which held it Disconnected: without the awaiting-report
  // gate on such a grant, n3 promoted while n1 was still demoting (two promoted; fencing configured).
  const time = loadProfile(profileSpec('medium')).timeMs as Partial<KoiConfig['time']>;
  const result = await runSchedule(generateSchedule(9350779, { profile: 'medium', time }), { traceLines: 50 });
  expect(result.violations.map((v) => `${v.invariant}: ${v.detail}`)).toEqual([]);
}, 60_000);

test.each([
  ['default', 9701248, 'n3 sim-fence: powering off n1', 'a follower restarted twice remembers (node.state_file) the master it saw, frozen with its services promoted: the majority fences it first'],
  ['default', 9921950, 'n1 sim-fence: powering off n2', 'a leader resumed from a VM pause names a master from its stale view; the followers keep the crashed master they saw hold the role, and it is fenced first'],
])('R8, fencing configured: %s-profile seed %i (%s): %s', async (profile, seed, fence) => {
  // Each failed (two promoted with fencing configured) before the machine memory, the stale-view rule and the grace hold.
  const schedule = profile === 'default' ? generateSchedule(seed)
    : generateSchedule(seed, { profile, time: loadProfile(profileSpec(profile)).timeMs as Partial<KoiConfig['time']> });
  const result = await runSchedule(schedule, { traceLines: 100_000 });
  expect(result.violations.map((v) => `${v.invariant}: ${v.detail}`)).toEqual([]);
  // The fence that settles it happened (a schedule that drifted would pass without it).
  expect(result.trace.filter((line) => line.includes(fence))).toHaveLength(1);
}, 60_000);

test('medium-profile seed 9410913 (the grace hold of a learned master) stays free of violations', async () => {
  // It failed (two promoted with fencing configured) before a learned master's grace held the election. Since the
  // election counts time its schedule no longer reaches that path — nor did any of 3 000 medium schedules
  // (9410000–9412999) with the hold removed — so the hold's own test is the unit case "a learned master that is
  // heard but has not reported holds the election through its grace" (test/unit/elector/election-in-effect.test.ts).
  const time = loadProfile(profileSpec('medium')).timeMs as Partial<KoiConfig['time']>;
  const result = await runSchedule(generateSchedule(9410913, { profile: 'medium', time }), { traceLines: 50 });
  expect(result.violations.map((v) => `${v.invariant}: ${v.detail}`)).toEqual([]);
}, 60_000);

test('L2, default seed 9330959: under a one-way cut and a pair cut the third node follows the leader that hears a quorum, and a master is elected before the heal', async () => {
  // Failed (liveness: two leaders each one short of quorum until the heal) before L2.
  const result = await runSchedule(generateSchedule(9330959), { traceLines: 50 });
  expect(result.violations.map((v) => `${v.invariant}: ${v.detail}`)).toEqual([]);
}, 60_000);

test('a schedule replays exactly from its seed', async () => {
  const schedule = generateSchedule(4242);
  expect(generateSchedule(4242)).toEqual(schedule);
  const [a, b] = [await runSchedule(schedule, { traceLines: 50 }), await runSchedule(schedule, { traceLines: 50 })];
  expect(b.trace).toEqual(a.trace);
  expect(b.violations).toEqual(a.violations);
  expect(b.steps).toBe(a.steps);
}, 60_000);

test('at the defaults every seed gives the schedule it gave before timing profiles (the seeds docs/safety.md quotes)', () => {
  // sha256 over JSON.stringify(generateSchedule(seed)) for seeds 1..500, computed on 9ce425f, before profiles
  // (07318e7d…); since protocol 6 a live reload's margin is raised to a higher floor (minimumLeaseMargin: F is
  // 157 ms at the defaults, not 2·I), so a drawn 300 ms margin became 309 or 333 ms with a 2.4 or 3.6 s lease.
  const digest = createHash('sha256');
  for (let seed = 1; seed <= 500; seed++) digest.update(JSON.stringify(generateSchedule(seed)));
  expect(digest.digest('hex')).toBe('4e63c9c9cecbc064ec11f3a7de099abb7137024f0d998b5d2563ddf745e9c5a0');
  expect(generateSchedule(7).timing).toBeUndefined();
});

test.each(CURVE_PROFILES.map((p) => p.name))('profile %s: the same faults at its pace, and live timing reloads koinode accepts', (name) => {
  const time = loadProfile(profileSpec(name)).timeMs as Partial<KoiConfig['time']>;
  const timing = { profile: name, time };
  const base = { ...TIME_DEFAULTS, ...time };
  const pace = base.cluster_update_interval / TIME_DEFAULTS.cluster_update_interval;
  const ops = (actions: Action[]): string[] => actions.map((a) => a.op).sort();
  const reloadErrors = (actions: Action[]): string[] => actions.flatMap((a) => (a.op === 'time'
    ? checkClusterConfig({ ...defaultConfig(), time: { ...base, ...a.time } }).errors : []));
  let reloads = 0;
  for (let seed = 1; seed <= 300; seed++) {
    const plain = generateSchedule(seed);
    const paced = generateSchedule(seed, timing);
    expect(paced.timing).toEqual(Object.keys(time).length ? timing : undefined);
    expect(paced.shape).toEqual(plain.shape);
    expect(ops(paced.actions)).toEqual(ops(plain.actions));
    // Scaled, each step rounded to the millisecond (at most 13 steps before the last action).
    const last = (actions: Action[]): number => actions[actions.length - 1].at;
    expect(Math.abs(last(paced.actions) - last(plain.actions) * pace)).toBeLessThanOrEqual(13);
    expect(reloadErrors(paced.actions)).toEqual([]);
    reloads += paced.actions.filter((a) => a.op === 'time').length;
  }
  expect(reloads).toBeGreaterThan(20);
});

test('redundant links: two addresses per node; one link down leaves the nodes linked through the other', async () => {
  const sim = await startCluster({ nodes: 3, seed: 5, redundantLinks: true });
  expect(sim.nodes[0].config.cluster.transport.map((t) => t.raw)).toHaveLength(6);
  const n1 = (): { addresses: string[]; lastSeenAgoMs: number } => sim.nodes[1].koi.getStatus().nodes.find((n) => n.name === 'n1')!;
  await sim.run(1000);
  // The same datagram arrives on both links; the codec drops the second copy as a duplicate, but n1 is known
  // at both addresses (every configured peer is counted by node), the first link most recently used.
  expect(n1().addresses).toEqual(['10.0.0.2:42012', '10.1.0.2:42012']);
  sim.network.nicDown('10.0.0.2:42012');
  await sim.run(3000);
  // Still heard long after node_timeout, now from its second address.
  expect(n1().addresses).toContain('10.1.0.2:42012');
  expect(n1().lastSeenAgoMs).toBeLessThan(200);
  sim.network.nicDown('10.1.0.2:42012');
  await sim.run(1500);
  expect(sim.nodes[1].koi.getStatus().nodes.find((n) => n.name === 'n1')).toBeUndefined();
  sim.shutdown();
});
