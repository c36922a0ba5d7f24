/**
 * Random fault schedules for the simulator: generated from a seed, printed
 * as JSON, replayed exactly. Each schedule starts a cluster, applies faults
 * (partitions, one-way cuts, lossy/slow/duplicating links, crashes,
 * restarts, pauses, graceful stops, service failures, admin commands), then
 * heals everything and checks that the cluster settles on exactly one
 * leader and one master. Invariants are checked after every step.
 */
import { Prng } from './prng';
import { SimCluster } from './sim-cluster';
import { PERFECT_LINK, type LinkFaults } from './sim-network';
import type { Violation } from './invariants';

export type Action =
  | { at: number; op: 'partition'; groups: number[][] }
  | { at: number; op: 'oneway'; from: number; to: number }
  | { at: number; op: 'heal' }
  | { at: number; op: 'links'; faults: LinkFaults }
  | { at: number; op: 'kill' | 'restart' | 'pause' | 'resume' | 'stop' | 'stopRunner' | 'startRunner' | 'recover'; node: number }
  | { at: number; op: 'failService' | 'fixService'; node: number; service: string }
  | { at: number; op: 'promote'; node: number }
  | { at: number; op: 'demote' | 'elect' }
  | { at: number; op: 'maintenance'; on: boolean };

export interface Schedule {
  seed: number;
  nodes: number;
  quorum: number;
  actions: Action[];
  /** Time after the last action, everything healed, to settle. */
  settleMs: number;
}

export interface ScheduleResult {
  schedule: Schedule;
  violations: Violation[];
  simulatedMs: number;
  faults: number;
  steps: number;
  trace: string[];
}

const SERVICES = ['10-ip', '20-app'];

export function generateSchedule(seed: number): Schedule {
  const prng = new Prng(seed ^ 0x5eed);
  const nodes = prng.pick([2, 3, 3, 3, 4, 5, 5]);
  const quorum = nodes === 2 ? prng.pick([0, 2]) : prng.chance(0.85) ? Math.floor(nodes / 2) + 1 : prng.pick([0, 2]);
  const actions: Action[] = [];
  let at = prng.int(2000, 5000);
  const count = prng.int(4, 10);
  const anyNode = (): number => prng.int(0, nodes - 1);
  for (let i = 0; i < count; i++) {
    const roll = prng.next();
    if (roll < 0.18) {
      const shuffled = Array.from({ length: nodes }, (_, k) => k).sort(() => prng.next() - 0.5);
      const cut = prng.int(1, nodes - 1);
      actions.push({ at, op: 'partition', groups: [shuffled.slice(0, cut), shuffled.slice(cut)] });
      actions.push({ at: at + prng.int(500, 6000), op: 'heal' });
    } else if (roll < 0.24) {
      actions.push({ at, op: 'oneway', from: anyNode(), to: anyNode() });
      actions.push({ at: at + prng.int(500, 5000), op: 'heal' });
    } else if (roll < 0.32) {
      actions.push({ at, op: 'links', faults: { drop: prng.pick([0.05, 0.1, 0.2]), delayMs: prng.int(1, 30), jitterMs: prng.int(0, 80), duplicate: prng.pick([0, 0.05]) } });
      actions.push({ at: at + prng.int(1000, 6000), op: 'links', faults: PERFECT_LINK });
    } else if (roll < 0.44) {
      const n = anyNode();
      actions.push({ at, op: 'kill', node: n });
      actions.push({ at: at + prng.int(500, 8000), op: 'restart', node: n });
    } else if (roll < 0.56) {
      const n = anyNode();
      actions.push({ at, op: 'pause', node: n });
      actions.push({ at: at + prng.pick([100, 300, 700, 1500, 3000, 8000]), op: 'resume', node: n });
    } else if (roll < 0.62) {
      const n = anyNode();
      actions.push({ at, op: 'stop', node: n });
      actions.push({ at: at + prng.int(500, 5000), op: 'restart', node: n });
    } else if (roll < 0.72) {
      const n = anyNode();
      const service = prng.pick(SERVICES);
      actions.push({ at, op: 'failService', node: n, service });
      actions.push({ at: at + prng.int(100, 4000), op: 'fixService', node: n, service });
    } else if (roll < 0.78) {
      const n = anyNode();
      actions.push({ at, op: 'stopRunner', node: n });
      actions.push({ at: at + prng.int(500, 4000), op: 'startRunner', node: n });
    } else if (roll < 0.86) {
      actions.push({ at, op: 'promote', node: anyNode() });
    } else if (roll < 0.91) {
      actions.push({ at, op: 'demote' });
      actions.push({ at: at + prng.int(500, 3000), op: 'elect' });
    } else if (roll < 0.95) {
      actions.push({ at, op: 'maintenance', on: true });
      actions.push({ at: at + prng.int(500, 4000), op: 'maintenance', on: false });
    } else {
      actions.push({ at, op: 'recover', node: anyNode() });
    }
    at += prng.int(300, 4000);
  }
  actions.sort((a, b) => a.at - b.at);
  return { seed, nodes, quorum, actions, settleMs: 12_000 };
}

/** Faults counted in a schedule (the undoing actions are not faults). */
export function faultCount(schedule: Schedule): number {
  return schedule.actions.filter((a) => !['heal', 'restart', 'resume', 'fixService', 'startRunner', 'elect', 'recover'].includes(a.op)
    && !(a.op === 'links' && a.faults.drop === 0) && !(a.op === 'maintenance' && !a.on)).length;
}

export async function runSchedule(schedule: Schedule): Promise<ScheduleResult> {
  const sim = new SimCluster({ seed: schedule.seed, nodes: schedule.nodes, quorum: schedule.quorum, traceLines: 400 });
  try {
    await sim.startAll();
    for (const action of schedule.actions) {
      if (action.at > sim.now) await sim.run(action.at - sim.now);
      await apply(sim, action);
    }
    // Heal everything and let the cluster settle.
    sim.heal();
    sim.network.setFaults(PERFECT_LINK);
    for (let i = 0; i < sim.nodes.length; i++) {
      const node = sim.nodes[i];
      if (node.status === 'paused') sim.resume(i);
      for (const behaviour of node.executor.services.values()) behaviour.failEvents.clear();
    }
    for (let i = 0; i < sim.nodes.length; i++) {
      const node = sim.nodes[i];
      if (node.status === 'dead' || node.status === 'stopped') await sim.restart(i);
    }
    for (const node of sim.nodes) {
      node.koi.recover();
      node.koi.startRunner();
    }
    await sim.run(3000);
    const leader = sim.leader();
    leader?.koi.elect();
    leader?.koi.setMaintenance(false);
    const settled = await sim.runUntil(() => sim.leaders().length === 1 && sim.master() !== null && sim.servicesPromoted(sim.master()!), schedule.settleMs);
    if (settled === null) {
      sim.checker.add({ at: sim.now, invariant: 'liveness', detail: `no single leader and promoted master ${schedule.settleMs} ms after healing: ${sim.describe()}` });
    }
    return {
      schedule, violations: [...sim.violations], simulatedMs: sim.now, faults: faultCount(schedule), steps: sim.steps, trace: sim.trace.slice(),
    };
  } finally {
    sim.shutdown();
  }
}

async function apply(sim: SimCluster, action: Action): Promise<void> {
  const leader = (): ReturnType<SimCluster['leader']> => sim.leader() ?? sim.leaders()[0] ?? null;
  switch (action.op) {
    case 'partition':
      sim.partition(action.groups);
      break;
    case 'oneway':
      if (action.from !== action.to) sim.network.blockOneWay(sim.nodes[action.from].address, sim.nodes[action.to].address);
      break;
    case 'heal':
      sim.heal();
      break;
    case 'links':
      sim.network.setFaults(action.faults);
      break;
    case 'kill':
      sim.kill(action.node);
      break;
    case 'restart':
      if (sim.nodes[action.node].status === 'dead' || sim.nodes[action.node].status === 'stopped') await sim.restart(action.node);
      break;
    case 'pause':
      sim.pause(action.node);
      break;
    case 'resume':
      sim.resume(action.node);
      break;
    case 'stop':
      await sim.stop(action.node);
      break;
    case 'stopRunner':
      if (sim.nodes[action.node].status === 'running') sim.nodes[action.node].koi.stopRunner();
      break;
    case 'startRunner':
      if (sim.nodes[action.node].status === 'running') sim.nodes[action.node].koi.startRunner();
      break;
    case 'recover':
      if (sim.nodes[action.node].status === 'running') sim.nodes[action.node].koi.recover();
      break;
    case 'failService':
      sim.nodes[action.node].executor.services.get(action.service)?.failEvents.add('status');
      break;
    case 'fixService':
      sim.nodes[action.node].executor.services.get(action.service)?.failEvents.clear();
      break;
    case 'promote':
      leader()?.koi.promote(sim.nodes[action.node].name);
      break;
    case 'demote':
      leader()?.koi.demote();
      break;
    case 'elect':
      leader()?.koi.elect();
      break;
    case 'maintenance':
      leader()?.koi.setMaintenance(action.on);
      break;
    default: {
      const unreachable: never = action;
      throw new Error(`unknown action ${JSON.stringify(unreachable)}`);
    }
  }
}

/** A failed schedule, printed so it replays exactly. */
export function describeFailure(result: ScheduleResult): string {
  return [
    `schedule seed ${result.schedule.seed} FAILED (replay: npm run chaos -- --replay ${result.schedule.seed})`,
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
