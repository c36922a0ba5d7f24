/** Shared bits of the cluster scenario tests. */
import type { KoiConfig } from '../../plugin-api';
import { fastProfile } from '../../bench/lib/profiles';
import { SimCluster, type SimNode, type SimOptions } from './sim-cluster';

/** The `time` section of examples/fast.conf (the fast profile's one definition), in ms, read as the benchmark reads it. */
export const FAST_TIME = fastProfile().timeMs as Partial<KoiConfig['time']>;

export async function startCluster(options: Partial<SimOptions> & { nodes: SimOptions['nodes'] }): Promise<SimCluster> {
  const sim = new SimCluster({ seed: 7, ...options });
  await sim.startAll();
  return sim;
}

/** A single master whose services are all promoted, and a single leader. */
export function settled(sim: SimCluster): boolean {
  const master = sim.master();
  return master !== null && sim.servicesPromoted(master) && sim.leaders().length === 1;
}

export async function waitSettled(sim: SimCluster, maxMs = 10_000): Promise<SimNode> {
  const took = await sim.runUntil(() => settled(sim), maxMs);
  if (took === null) throw new Error(`cluster did not settle within ${maxMs} ms: ${sim.describe()}\n${sim.trace.slice(-40).join('\n')}`);
  return sim.master()!;
}

/** No invariant was broken; on failure the message shows the violations and the log tail. */
export function expectNoViolations(sim: SimCluster): void {
  if (sim.violations.length > 0) {
    throw new Error(`invariant violations:\n${sim.violations.map((v) => `t=${v.at} ${v.invariant}: ${v.detail}`).join('\n')}\n${sim.trace.slice(-60).join('\n')}`);
  }
}

export function indexOf(sim: SimCluster, node: SimNode): number {
  return sim.nodes.findIndex((n) => n.name === node.name);
}
