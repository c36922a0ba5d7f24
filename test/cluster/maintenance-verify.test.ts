/**
 * Issue 10 case 10(a) in the simulator: in maintenance mode the master is
 * stopped (`koi stop`), so its demote and stop are only presumed — its
 * services really stay promoted (the simulated executor's status answers 90).
 * When maintenance goes off, the leader drops it and would elect another
 * master at once. The old master's services must be found promoted and
 * demoted first, and no two nodes may hold promoted services at any instant.
 * Measured from the simulated executors (what the services really are).
 */
import { waitSettled } from './helpers';
import { SimCluster, type SimNode } from './sim-cluster';

const clusters: SimCluster[] = [];
afterEach(() => {
  for (const c of clusters.splice(0)) c.shutdown();
});

/** Nodes whose services really hold the master role now (dead nodes' leftovers included). */
function reallyPromoted(sim: SimCluster): SimNode[] {
  return sim.nodes.filter((n) => [...n.executor.services.values()].some((s) => s.promoted));
}

/**
 * KoiNode.start() now awaits the start-up sweep (service status checks), which
 * only finishes when virtual time moves: keep the clock running while the
 * nodes start (SimCluster.startAll awaits each start without stepping).
 */
const SCRIPT_MS = 3000;

async function startCluster(nodes: number): Promise<SimCluster> {
  // Every script takes 3 s, longer than lease + margin: the leader's election is
  // faster than the old master's status + demote, so its promoted-services guard is what must hold.
  const sim = new SimCluster({ seed: 7, nodes, serviceDurationMs: SCRIPT_MS });
  let done = false;
  const starting = sim.startAll().finally(() => { done = true; });
  for (let i = 0; i < 1000 && !done; i++) await sim.run(50);
  await starting;
  return sim;
}

test('maintenance off after a presumed demote: the old master really demotes before another node promotes', async () => {
  const sim = await startCluster(3);
  clusters.push(sim);
  const master = await waitSettled(sim, 60_000);
  const leader = sim.leader()!;
  expect(reallyPromoted(sim)).toEqual([master]);

  expect(leader.koi.setMaintenance(true)).toMatchObject({ ok: true });
  await sim.run(2000); // every runner follows maintenance (no script runs: nothing is slow now)
  master.koi.stopRunner(); // demote and stop are presumed: nothing really runs
  await sim.run(2000);
  expect(master.koi.getStatus().runner!.services.every((s) => s.state === 'Stopped')).toBe(true);
  expect(reallyPromoted(sim)).toEqual([master]);

  const demotesBefore = master.executor.log.filter((e) => e.event === 'demote').length;
  const off = sim.now;
  expect(leader.koi.setMaintenance(false)).toMatchObject({ ok: true });
  let maxHolders = 0;
  let holders: string[] = [];
  const successor = await sim.runUntil(() => {
    const now = reallyPromoted(sim);
    if (now.length > maxHolders) {
      maxHolders = now.length;
      holders = now.map((n) => n.name);
    }
    const m = sim.master();
    return m !== null && m !== master && sim.servicesPromoted(m);
  }, 40_000);
  expect(successor).not.toBeNull();
  // Watch a little longer: the old master must not hold anything once the successor does.
  await sim.runUntil(() => {
    const now = reallyPromoted(sim);
    if (now.length > maxHolders) {
      maxHolders = now.length;
      holders = now.map((n) => n.name);
    }
    return false;
  }, 12_000);
  if (maxHolders > 1) throw new Error(`two nodes held promoted services at once: ${holders.join(', ')}\n${sim.trace.slice(-60).join('\n')}`);
  const demotes = master.executor.log.filter((e) => e.event === 'demote').slice(demotesBefore);
  expect(demotes.length).toBeGreaterThan(0);
  // Its status ran at once (not at the next round, 10 s), then the demote (the log has end times).
  expect(demotes[0].at - off).toBeLessThanOrEqual(2 * SCRIPT_MS + 500);
  expect(reallyPromoted(sim).map((n) => n.name)).toEqual([sim.master()!.name]);
});
