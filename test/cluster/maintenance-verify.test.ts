import { startCluster, waitSettled, FAST_TIME } from './helpers';
import { indexOf } from './helpers';

test('scratch 10b', async () => {
  const sim = await startCluster({ nodes: 3, serviceDurationMs: 2000 });
  const master = await waitSettled(sim, 30000);
  const leader = sim.leader()!;
  console.log('master', master.name, 'leader', leader.name);
  const other = sim.nodes.find((n) => n !== master && n !== leader) ?? sim.nodes.find((n) => n !== master)!;
  // force a new election: kill the master
  sim.kill(indexOf(sim, master));
  await sim.runUntil(() => sim.nodes.some((n) => n.status === 'running' && n.koi.getStatus().runner?.services.some((s) => s.state === 'Promoting')), 30000);
  const l2 = sim.leader()!;
  console.log('promoting seen at', sim.now, sim.describe());
  await sim.run(500);
  l2.koi.setMaintenance(true);
  await sim.run(15000);
  console.log(sim.describe());
  for (const n of sim.nodes) console.log(n.name, n.status, JSON.stringify([...n.executor.services.entries()].map(([k, v]) => [k, v.promoted])), JSON.stringify(n.koi.getStatus().runner?.services));
  console.log(sim.trace.join('\n'));
});
