/**
 * R8 and a leader that stops right after naming a master: a stopping
 * leader-master's last report ends its demote, its elector names a
 * successor at once (elector.ts `handleHealth`), and the node leaves. Its
 * last heartbeat (no Leader flag, so followers stand at once) now carries its
 * final view, so followers remember the successor and the next leader waits
 * it out, or fences it, before electing another. Before, that naming was in
 * no view anyone adopted: with a fencing plugin the next leader fenced the
 * stopped leader instead and promoted while the successor — killed mid-
 * promote — still held the role (seed 9603874 of `npm run chaos`).
 */
import { expectNoViolations, indexOf, startCluster, waitSettled } from './helpers';
import type { SimCluster } from './sim-cluster';

const clusters: SimCluster[] = [];
afterEach(() => {
  for (const c of clusters.splice(0)) c.shutdown();
});

test('the successor a stopping leader named, killed while promoting, is fenced before anyone else is promoted', async () => {
  // Heartbeats 200 ms apart: no regular heartbeat (with a view) leaves between the last report's election and the
  // leave 20 ms later, as in the seed.
  const sim = await startCluster({
    nodes: 5, fencing: true, durations: { promoteMs: 800, demoteMs: 100, otherMs: 20 },
    time: { cluster_update_interval: 200, lease_margin: 1100 },
  });
  clusters.push(sim);
  await waitSettled(sim);
  const leader = sim.leader()!;
  if (sim.master() !== leader) {
    leader.koi.promote(leader.name);
    await sim.runUntil(() => sim.master() === leader && sim.servicesPromoted(leader), 10_000);
  }
  await sim.run(2000);
  let successor = '';
  for (const n of sim.nodes) {
    if (n === leader) continue;
    n.hooks.onStateChange.tap('test-kill-successor', (change) => {
      if (change.to !== 'Master' || successor) return;
      successor = n.name;
      void Promise.resolve().then(() => sim.kill(indexOf(sim, n)));
    });
  }
  await sim.stop(indexOf(sim, leader));
  await sim.run(200);
  expect(successor).not.toBe(''); // the stopping leader named one (else this test proves nothing)
  const took = await sim.runUntil(() => { const m = sim.master(); return m !== null && m !== leader && m.name !== successor && sim.servicesPromoted(m); }, 15_000);
  if (took === null) throw new Error(`no master: ${sim.describe()}\n${sim.trace.slice(-50).join('\n')}`);
  expect(sim.trace.some((l) => l.includes(`fencing silent master ${successor}`))).toBe(true);
  expectNoViolations(sim);
});
