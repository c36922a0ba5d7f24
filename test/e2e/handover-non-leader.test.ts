/**
 * Graceful SIGTERM of a master that is not the leader (issue 17, item 4):
 * the leaving runner's final report — sent after its demote ended — goes
 * straight to the leader, which elects the next master at once (R3's
 * shortcut) instead of waiting out the lease after the node went silent.
 * Measured from the services' own timestamps: old demote end → new promote begin.
 */
import { E2ECluster, type ClusterView } from './harness';

jest.setTimeout(90_000);

let c: E2ECluster;

beforeAll(async () => {
  c = await E2ECluster.create({ nodes: 3, quorum: 2, statusInterval: '500ms', tag: 'koi-handover', loglevel: process.env.KOI_HANDOVER_LOG ? 'debug' : undefined });
  c.start();
});

afterAll(async () => {
  await c?.close();
});

type Settled = ClusterView & { master: { id: string; name: string } };

async function settled(): Promise<Settled> {
  return c.waitForMaster((v) => {
    const live = v.nodes.filter((n) => n.state !== 'Disconnected' && n.state !== 'Offline');
    return live.length === 3 && live.every((n) => {
      const want = n.name === v.master.name ? ['Master', 'Promoted'] : ['Slave', 'Started'];
      return n.state === want[0] && n.services.every((s) => s.state === want[1]);
    });
  }, 40_000);
}

test('SIGTERM of a master that is not the leader hands over within ~0.1 s of its demote ending', async () => {
  let view = await settled();
  if (view.master.name === view.leader.name) {
    const other = c.nodes.map((n) => n.name).find((n) => n !== view.leader.name)!;
    const promoted = await c.koi(['promote', other], { node: view.leader.name });
    expect(promoted.code).toBe(0);
    view = await c.waitForMaster((v) => v.master.name === other && v.nodes.find((n) => n.name === other)?.services.every((s) => s.state === 'Promoted') === true, 30_000);
  }
  // A new leader waits out leases a previous leader may have granted (R2): let that wait end first.
  await new Promise((r) => setTimeout(r, 2500));
  const master = view.master.name;
  const leader = view.leader.name;
  expect(master).not.toBe(leader);

  const sentAt = Date.now() / 1000;
  expect(await c.stop(master, 'SIGTERM')).toBe(0);
  const promoteBegin = await c.waitFor('another node promoted', () => c.events()
    .find((e) => e.time > sentAt && e.node !== master && e.event === 'promote' && e.phase === 'begin'), 30_000);
  const demoteEnd = c.events().find((e) => e.time > sentAt && e.node === master && e.event === 'demote' && e.phase === 'end');
  expect(demoteEnd).toBeDefined();
  // Safety (docs/safety.md): the leaving master demoted before anyone was promoted.
  expect(demoteEnd!.time).toBeLessThan(promoteBegin.time);
  const gapMs = Math.round((promoteBegin.time - demoteEnd!.time) * 1000);
  if (process.env.KOI_HANDOVER_LOG) console.log(c.log(leader).slice(-60).join('\n') + '\n---- master\n' + c.log(master).slice(-40).join('\n'));
  console.log(`SIGTERM of master ${master} (leader ${leader}): demote end → ${promoteBegin.node} promote begin ${gapMs} ms`);
  // Without the final report the leader waits for the lease (≈ 1.7 s with the default timings).
  expect(gapMs).toBeLessThan(700);
});
