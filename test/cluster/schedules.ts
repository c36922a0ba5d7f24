/**
 * The nemesis: random fault schedules for the simulator, generated from a
 * seed, printed as JSON, replayed exactly (`npm run chaos -- --replay SEED`).
 *
 * A schedule draws a cluster *shape* (2–5 nodes, runner-only and
 * elector-only nodes, quorum majority or off, fencing on or off, promote
 * and demote scripts from 5 ms to 2.5 s — longer than master_lease +
 * lease_margin — clock drift within ±0.5 % and wall skew per node, two
 * addresses per node on two subnets in one schedule of five) and a
 * list of faults that pile up without intermediate heals: partitions that
 * flip from one split to another, non-transitive pair cuts, true one-way
 * cuts, deaf and mute nodes, one of two redundant links down,
 * lossy/slow/duplicating/reordering links,
 * daemon crashes that leave services promoted, power-offs, SIGSTOP pauses
 * and VM pauses of any node (the master and the leader by name too),
 * wall-clock steps, rate drift, reload-restarts keeping the node id, live
 * `time.*` reloads on one node, failing services and operator commands.
 * Then it heals everything and checks that the cluster settles on one
 * leader and one promoted master. Invariants are checked after every step
 * (invariants.ts, service-invariants.ts).
 */
import type { KoiConfig } from '../../plugin-api';
import type { SafetyRule } from '../../core/safety-rules';
import { Prng } from './prng';
import type { Overlap } from './service-invariants';
import { SimCluster, type SimNodeSpec } from './sim-cluster';
import type { NodeClockOptions } from './sim-clock';
import type { SimDurations } from './sim-executor';
import { PERFECT_LINK, type LinkFaults } from './sim-network';
import type { Violation } from './invariants';
import { TIME_DEFAULTS } from '../../core/config/timing-defaults';
import { ackWindowMs, minimumLeaseMargin } from '../../core/config/safety-bounds';

/** A node by index, or resolved when the action runs: the node holding promoted services, the leader, the elector with the highest id. */
export type Target = number | 'master' | 'leader' | 'highest';

/** `ref` names the earlier action whose resolved node this one undoes (resume, restart...). */
export type Action =
  | { at: number; op: 'partition'; groups: number[][] }
  | { at: number; op: 'cutPair'; a: number; b: number }
  | { at: number; op: 'oneway'; from: Target; to: Target }
  | { at: number; op: 'deaf' | 'mute' | 'nicDown'; node: Target }
  | { at: number; op: 'heal' }
  | { at: number; op: 'links'; faults: LinkFaults }
  | { at: number; op: 'kill' | 'powerOff' | 'pause' | 'vmPause' | 'stop' | 'reloadRestart' | 'stopRunner' | 'recover'; node: Target }
  | { at: number; op: 'restart' | 'resume' | 'startRunner'; ref: number }
  | { at: number; op: 'wallStep'; node: Target; ms: number }
  | { at: number; op: 'drift'; node: Target; rate: number }
  | { at: number; op: 'time'; node: Target; time: Partial<KoiConfig['time']> }
  | { at: number; op: 'failService' | 'fixService'; node: number; service: string }
  | { at: number; op: 'promote'; node: number }
  | { at: number; op: 'demote' | 'elect' }
  | { at: number; op: 'maintenance'; on: boolean };

export interface Shape {
  nodes: SimNodeSpec[];
  quorum: number;
  fencing: boolean;
  durations: SimDurations;
  clocks: NodeClockOptions[];
  /** Two addresses per node on two subnets. */
  redundantLinks: boolean;
}

/**
 * The timings a schedule runs at: every node starts with `time` on top of the defaults (a profile of
 * bench/lib/profiles.ts: `npm run chaos -- --profile fast`). The schedule's time-valued draws scale with it
 * — fault spacing, heal and restart delays and pause lengths with the heartbeat interval, the leases of live
 * timing reloads with master_lease and lease_margin — so that a faster profile meets the same faults at its
 * own pace; the draws themselves are the same, so a seed gives the same faults in every profile, and the
 * default profile the schedules of every seed quoted in docs/safety.md. Not scaled: wall-clock steps,
 * script durations, the links' delay and jitter, and the settle time.
 */
export interface ScheduleTiming {
  profile: string;
  time: Partial<KoiConfig['time']>;
}

export const DEFAULT_TIMING: ScheduleTiming = { profile: 'default', time: {} };

export interface Schedule {
  seed: number;
  /** Absent: the defaults (schedules printed before profiles existed replay as they were). */
  timing?: ScheduleTiming;
  shape: Shape;
  actions: Action[];
  /** Time after the last action, everything healed, to settle. */
  settleMs: number;
}

export interface RunOptions {
  /** The teeth run: safety rules turned off in every node. */
  disabledSafetyRules?: readonly SafetyRule[];
  traceLines?: number;
}

export interface ScheduleResult {
  schedule: Schedule;
  violations: Violation[];
  /** Overlaps in their allowed categories (frozen, crash, split) with their length; violations are in `violations`. */
  overlaps: Array<Overlap & { lengthMs: number }>;
  /** Faults applied, by kind. */
  applied: Record<string, number>;
  simulatedMs: number;
  faults: number;
  steps: number;
  trace: string[];
}

const SERVICES = ['10-ip', '20-app'];
/** Promote/demote script durations: from milliseconds to longer than master_lease + lease_margin (1.45 s). */
const SCRIPT_MS = [5, 20, 200, 800, 1600, 2500];
/** Clock rate bound of the nemesis: ±0.5 %. */
export const MAX_DRIFT = 0.005;

/** A random shape: at least one elector and two runners. */
function drawShape(prng: Prng): Shape {
  const count = prng.pick([2, 3, 3, 4, 5, 5]);
  const nodes: SimNodeSpec[] = Array.from({ length: count }, () => {
    const roll = prng.next();
    return roll < 0.12 ? { elector: false, runner: true } : roll < 0.24 ? { elector: true, runner: false } : {};
  });
  const isElector = (s: SimNodeSpec): boolean => s.elector !== false;
  const isRunner = (s: SimNodeSpec): boolean => s.runner !== false;
  if (!nodes.some(isElector)) nodes[0] = {};
  for (let i = 0; nodes.filter(isRunner).length < 2 && i < count; i++) nodes[i] = { ...nodes[i], runner: true };
  const majority = Math.floor(count / 2) + 1;
  const quorum = count === 2 ? prng.pick([0, 2]) : prng.chance(0.75) ? majority : 0;
  const fencing = prng.chance(0.3);
  const durations: SimDurations = { otherMs: 20, promoteMs: prng.pick(SCRIPT_MS), demoteMs: prng.pick(SCRIPT_MS) };
  const clocks = nodes.map((): NodeClockOptions => ({
    rate: prng.chance(0.3) ? 1 + (prng.next() * 2 - 1) * MAX_DRIFT : 1,
    wallOffsetMs: prng.chance(0.3) ? prng.int(-5000, 5000) : 0,
  }));
  const redundantLinks = prng.chance(0.2);
  return { nodes, quorum, fencing, durations, clocks, redundantLinks };
}

export function generateSchedule(seed: number, timing: ScheduleTiming = DEFAULT_TIMING): Schedule {
  const prng = new Prng(seed ^ 0x5eed);
  const shape = drawShape(prng);
  const nodes = shape.nodes.length;
  const actions: Action[] = [];
  const base = { ...TIME_DEFAULTS, ...timing.time };
  const scaled = (factor: number) => (ms: number): number => (factor === 1 ? ms : Math.max(1, Math.round(ms * factor)));
  const pace = scaled(base.cluster_update_interval / TIME_DEFAULTS.cluster_update_interval);
  const leaseScale = scaled(base.master_lease / TIME_DEFAULTS.master_lease);
  const marginScale = scaled(base.lease_margin / TIME_DEFAULTS.lease_margin);
  const deadTimeScale = scaled(base.leader_dead_time / TIME_DEFAULTS.leader_dead_time);
  let at = pace(prng.int(2500, 6000));
  const count = prng.int(5, 12);
  const anyNode = (): number => prng.int(0, nodes - 1);
  const target = (): Target => prng.pick<Target>(['master', 'master', 'leader', 'highest', anyNode(), anyNode()]);
  const later = (min: number, max: number): number => at + pace(prng.int(min, max));
  const push = (action: Action): number => actions.push(action) - 1;
  for (let i = 0; i < count; i++) {
    const roll = prng.next();
    if (roll < 0.14) {
      // A split into 2 or 3 groups that replaces whatever cut is in force: a flip when one is.
      const shuffled = Array.from({ length: nodes }, (_, k) => k).sort(() => prng.next() - 0.5);
      const cut1 = prng.int(1, nodes - 1);
      const cut2 = nodes > 3 && prng.chance(0.3) ? prng.int(cut1, nodes - 1) : nodes;
      const groups = [shuffled.slice(0, cut1), shuffled.slice(cut1, cut2), shuffled.slice(cut2)].filter((g) => g.length > 0);
      push({ at, op: 'partition', groups });
      if (prng.chance(0.4)) push({ at: later(500, 6000), op: 'heal' });
    } else if (roll < 0.2) {
      push({ at, op: 'cutPair', a: anyNode(), b: anyNode() });
    } else if (roll < 0.27) {
      push({ at, op: 'oneway', from: target(), to: target() });
      if (prng.chance(0.5)) push({ at: later(500, 6000), op: 'heal' });
    } else if (roll < 0.33) {
      push({ at, op: prng.chance(0.6) ? 'deaf' : 'mute', node: prng.chance(0.5) ? 'highest' : target() });
      push({ at: later(2000, 12_000), op: 'heal' });
    } else if (roll < 0.38 && shape.redundantLinks && prng.chance(0.5)) {
      push({ at, op: 'nicDown', node: target() });
      if (prng.chance(0.5)) push({ at: later(1000, 8000), op: 'heal' });
    } else if (roll < 0.38) {
      push({ at, op: 'links', faults: { drop: prng.pick([0.05, 0.1, 0.2]), delayMs: prng.int(1, 30), jitterMs: prng.int(0, 80), duplicate: prng.pick([0, 0.05, 0.2]) } });
      push({ at: later(1000, 6000), op: 'links', faults: PERFECT_LINK });
    } else if (roll < 0.46) {
      const k = push({ at, op: prng.chance(0.75) ? 'kill' : 'powerOff', node: target() });
      if (prng.chance(0.85)) push({ at: later(100, 8000), op: 'restart', ref: k });
    } else if (roll < 0.56) {
      const k = push({ at, op: 'pause', node: target() });
      push({ at: at + pace(prng.pick([100, 200, 300, 700, 1500, 3000, 8000])), op: 'resume', ref: k });
    } else if (roll < 0.64) {
      const k = push({ at, op: 'vmPause', node: target() });
      push({ at: at + pace(prng.pick([100, 300, 700, 1500, 3000, 8000])), op: 'resume', ref: k });
    } else if (roll < 0.68) {
      push({ at, op: 'wallStep', node: target(), ms: prng.pick([-1, 1]) * prng.int(500, 10_000) });
    } else if (roll < 0.71) {
      push({ at, op: 'drift', node: target(), rate: 1 + (prng.next() * 2 - 1) * MAX_DRIFT });
    } else if (roll < 0.75) {
      push({ at, op: 'reloadRestart', node: target() });
    } else if (roll < 0.79) {
      // The draws in the order they always came (the lease, the target node, the margin): at the defaults every
      // seed gives the schedule docs/safety.md quotes (nemesis.test.ts checks a digest of them).
      const drawnLease = prng.pick([600, 2400, 3600]);
      const node = target();
      const drawnMargin = prng.pick([300, 500]);
      // Only timings a real reload accepts at this profile (koinode refuses the rest, checkClusterConfig): a lease of
      // at least 3 renewal intervals and longer than the ack window, a margin of at least minimumLeaseMargin.
      const lease = Math.max(leaseScale(drawnLease), 3 * Math.min(base.elector_tick_interval, base.state_update_interval), ackWindowMs(base.cluster_update_interval) + 1);
      const margin = Math.max(marginScale(drawnMargin), minimumLeaseMargin({ cluster_update_interval: base.cluster_update_interval, master_lease: lease }));
      // leader_dead_time follows the lease (no draw of its own: the schedules of known seeds stay as they were),
      // so nodes stand after different silences — safety must not depend on it (docs/safety.md); at a profile, in
      // the ratio of its own leader_dead_time to the default one.
      const leaderDeadTime = deadTimeScale(lease / 6);
      push({ at, op: 'time', node, time: { master_lease: lease, lease_margin: margin, leader_dead_time: leaderDeadTime } });
    } else if (roll < 0.82) {
      const k = push({ at, op: 'stop', node: target() });
      push({ at: later(500, 5000), op: 'restart', ref: k });
    } else if (roll < 0.87) {
      const n = anyNode();
      const service = prng.pick(SERVICES);
      push({ at, op: 'failService', node: n, service });
      push({ at: later(100, 4000), op: 'fixService', node: n, service });
    } else if (roll < 0.9) {
      const k = push({ at, op: 'stopRunner', node: target() });
      push({ at: later(500, 4000), op: 'startRunner', ref: k });
    } else if (roll < 0.94) {
      push({ at, op: 'promote', node: anyNode() });
    } else if (roll < 0.96) {
      push({ at, op: 'demote' });
      push({ at: later(500, 3000), op: 'elect' });
    } else if (roll < 0.98) {
      push({ at, op: 'maintenance', on: true });
      push({ at: later(500, 4000), op: 'maintenance', on: false });
    } else {
      push({ at, op: 'recover', node: target() });
    }
    at += pace(prng.int(200, 4000));
  }
  // Stable sort by time; `ref` points at indexes, so keep the order of the list and sort a copy of positions.
  const order = actions.map((a, i) => ({ a, i })).sort((x, y) => x.a.at - y.a.at || x.i - y.i);
  const moved = new Map(order.map((o, k) => [o.i, k]));
  const sorted = order.map(({ a }) => ('ref' in a ? { ...a, ref: moved.get(a.ref)! } : a));
  return { seed, ...(Object.keys(timing.time).length === 0 ? {} : { timing }), shape, actions: sorted, settleMs: 15_000 };
}

/** Actions that undo a fault (not faults themselves). */
const UNDOING = new Set(['heal', 'restart', 'resume', 'fixService', 'startRunner', 'elect', 'recover']);

export function faultCount(schedule: Schedule): number {
  return schedule.actions.filter((a) => !UNDOING.has(a.op)
    && !(a.op === 'links' && a.faults.drop === 0) && !(a.op === 'maintenance' && !a.on)).length;
}

export async function runSchedule(schedule: Schedule, options: RunOptions = {}): Promise<ScheduleResult> {
  const { shape } = schedule;
  const sim = new SimCluster({
    seed: schedule.seed, nodes: shape.nodes, quorum: shape.quorum, fencing: shape.fencing, durations: shape.durations,
    clocks: shape.clocks, redundantLinks: shape.redundantLinks, services: SERVICES, traceLines: options.traceLines ?? 400, checkLiveness: true,
    time: schedule.timing?.time,
    disabledSafetyRules: options.disabledSafetyRules,
  });
  const resolved: number[] = [];
  try {
    await sim.startAll();
    for (let i = 0; i < schedule.actions.length; i++) {
      const action = schedule.actions[i];
      if (action.at > sim.now) await sim.run(action.at - sim.now);
      resolved[i] = await apply(sim, action, resolved);
    }
    await settle(sim, schedule.settleMs);
    const end = sim.now;
    return {
      schedule,
      violations: [...sim.violations],
      overlaps: sim.services.overlaps.filter((o) => o.category !== 'violation').map((o) => ({ ...o, lengthMs: (o.end ?? end) - o.start })),
      applied: Object.fromEntries(sim.applied),
      simulatedMs: sim.now,
      faults: faultCount(schedule),
      steps: sim.steps,
      trace: sim.trace.slice(),
    };
  } finally {
    sim.shutdown();
  }
}

/** Heal everything, bring every node back and check the cluster settles on one leader and one promoted master. */
async function settle(sim: SimCluster, settleMs: number): Promise<void> {
  sim.heal();
  sim.network.setFaults(PERFECT_LINK);
  sim.holds.clear();
  sim.adminAction();
  for (let i = 0; i < sim.nodes.length; i++) {
    const node = sim.nodes[i];
    if (node.status === 'paused' || node.status === 'frozen') sim.resume(i);
    for (const behaviour of node.executor.services.values()) behaviour.failEvents.clear();
  }
  for (let i = 0; i < sim.nodes.length; i++) {
    const node = sim.nodes[i];
    if (node.status === 'dead' || node.status === 'stopped' || node.status === 'off') await sim.restart(i);
  }
  for (const node of sim.nodes) {
    node.koi.recover();
    node.koi.startRunner();
  }
  await sim.run(3000);
  const leader = sim.leader();
  leader?.koi.elect();
  leader?.koi.setMaintenance(false);
  sim.adminAction();
  const limit = Math.max(settleMs, sim.bounds.livenessBoundMs + 2000);
  const settled = await sim.runUntil(() => sim.leaders().length === 1 && sim.master() !== null && sim.servicesPromoted(sim.master()!), limit);
  if (settled === null) {
    sim.checker.add({ at: sim.now, invariant: 'liveness', detail: `no single leader and promoted master ${limit} ms after healing: ${sim.describe()}` });
  }
}

/** The node a target names now (-1 when none). */
function resolve(sim: SimCluster, target: Target): number {
  if (typeof target === 'number') return target;
  if (target === 'master') {
    const holder = sim.nodes.findIndex((n) => n.executor.openServices().length > 0);
    return holder >= 0 ? holder : sim.nodes.findIndex((n) => n.status === 'running' && n.koi.runnerState() === 'Master');
  }
  if (target === 'leader') return sim.nodes.findIndex((n) => n.status === 'running' && n.koi.isLeader());
  let best = -1;
  sim.nodes.forEach((n, i) => {
    if (n.spec.elector && (n.status === 'running') && (best < 0 || n.id > sim.nodes[best].id)) best = i;
  });
  return best;
}

/** Apply one action; returns the node it acted on (-1 for none). */
async function apply(sim: SimCluster, action: Action, resolved: number[]): Promise<number> {
  const leader = (): ReturnType<SimCluster['leader']> => sim.leader() ?? sim.leaders()[0] ?? null;
  const running = (i: number): boolean => i >= 0 && sim.nodes[i].status === 'running';
  switch (action.op) {
    case 'partition':
      sim.partition(action.groups);
      return -1;
    case 'cutPair':
      sim.cutPair(action.a, action.b);
      return -1;
    case 'oneway': {
      const from = resolve(sim, action.from);
      const to = resolve(sim, action.to);
      if (from >= 0 && to >= 0) sim.oneWay(from, to);
      return from;
    }
    case 'deaf':
    case 'mute':
    case 'nicDown': {
      const n = resolve(sim, action.node);
      if (n >= 0) (action.op === 'deaf' ? sim.deaf(n) : action.op === 'mute' ? sim.mute(n) : sim.nicDown(n));
      return n;
    }
    case 'heal':
      sim.heal();
      return -1;
    case 'links':
      sim.network.setFaults(action.faults);
      if (action.faults.drop > 0) sim.applied.set('lossy-links', (sim.applied.get('lossy-links') ?? 0) + 1);
      return -1;
    case 'restart': {
      const n = resolved[action.ref];
      if (n >= 0 && ['dead', 'stopped', 'off'].includes(sim.nodes[n].status)) await sim.restart(n);
      return n;
    }
    case 'resume': {
      const n = resolved[action.ref];
      // Timers or datagrams first, half and half (where libuv stood when the process stopped), and half the VM
      // pauses hidden by a wall-clock step back, from the time so that the schedules (and the digest
      // nemesis.test.ts checks) draw as they always did.
      if (n >= 0) sim.resume(n, Math.floor(action.at) % 2 === 1, undefined, Math.floor(action.at / 2) % 2 === 1);
      return n;
    }
    case 'startRunner': {
      const n = resolved[action.ref];
      sim.adminAction();
      if (running(n)) sim.nodes[n].koi.startRunner();
      return n;
    }
    case 'failService':
    case 'fixService': {
      sim.adminAction();
      const behaviour = sim.nodes[action.node].executor.services.get(action.service);
      if (action.op === 'failService') behaviour?.failEvents.add('status');
      else behaviour?.failEvents.clear();
      return action.node;
    }
    case 'promote':
      sim.adminAction();
      if (leader()) sim.pendingPromote = sim.nodes[action.node].name;
      leader()?.koi.promote(sim.nodes[action.node].name);
      return action.node;
    case 'demote':
      sim.adminAction();
      sim.holds.add('manual demote');
      sim.pendingPromote = '';
      leader()?.koi.demote();
      return -1;
    case 'elect':
      sim.adminAction();
      sim.holds.delete('manual demote');
      sim.pendingPromote = '';
      leader()?.koi.elect();
      return -1;
    case 'maintenance':
      sim.adminAction();
      if (action.on) sim.holds.add('maintenance');
      else sim.holds.delete('maintenance');
      leader()?.koi.setMaintenance(action.on);
      return -1;
    default:
      break;
  }
  const n = resolve(sim, action.node);
  if (n < 0) return n;
  switch (action.op) {
    case 'kill':
      sim.kill(n);
      break;
    case 'powerOff':
      sim.powerOff(n);
      break;
    case 'pause':
      sim.pause(n);
      break;
    case 'vmPause':
      sim.vmPause(n);
      break;
    case 'stop':
      sim.adminAction();
      await sim.stop(n);
      break;
    case 'reloadRestart':
      await sim.reloadRestart(n);
      break;
    case 'stopRunner':
      sim.adminAction();
      if (running(n)) sim.nodes[n].koi.stopRunner();
      break;
    case 'recover':
      sim.adminAction();
      if (running(n)) sim.nodes[n].koi.recover();
      break;
    case 'wallStep':
      sim.stepWall(n, action.ms);
      break;
    case 'drift':
      sim.setRate(n, action.rate);
      break;
    case 'time':
      await sim.setTime(n, action.time);
      break;
    default: {
      const unreachable: never = action;
      throw new Error(`unknown action ${JSON.stringify(unreachable)}`);
    }
  }
  return n;
}

/** A failed schedule, printed so it replays exactly. */
export function describeFailure(result: ScheduleResult): string {
  return [
    `schedule seed ${result.schedule.seed} FAILED (replay: npm run chaos -- --replay ${result.schedule.seed}${result.schedule.timing ? ` --profile ${result.schedule.timing.profile}` : ''})`,
    `schedule: ${JSON.stringify(result.schedule)}`,
    ...result.violations.map((v) => `  t=${v.at} ${v.invariant}: ${v.detail}`),
    '--- last log lines ---',
    ...dedupe(result.trace.slice(-150)),
  ].join('\n');
}

/** Collapse runs of lines that differ only in their time stamp. */
function dedupe(lines: string[]): string[] {
  const out: string[] = [];
  let last = '';
  let repeats = 0;
  for (const line of lines) {
    const key = line.slice(8);
    if (key === last) {
      repeats++;
      continue;
    }
    if (repeats > 0) out.push(`        (previous line repeated ${repeats} more times)`);
    out.push(line);
    last = key;
    repeats = 0;
  }
  if (repeats > 0) out.push(`        (previous line repeated ${repeats} more times)`);
  return out;
}
