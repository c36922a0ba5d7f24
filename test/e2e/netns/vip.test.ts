/**
 * The built-in `vip` service in a real cluster: three koinode processes and a
 * client host in network namespaces (scripts/lib/vip-lab.ts), real `ip`,
 * `arping`, `ndisc6`, `na6`. The client's own HTTP requests to the VIP (IPv4
 * and IPv6) say who holds it. Needs root; skipped with a message otherwise.
 */
import { spawnSync } from 'node:child_process';
import { sleep } from '../../../scripts/lib/cluster';
import { agreedMaster, leaderOf } from '../../../scripts/lib/netns-cluster';
import { netnsSupport } from '../../../scripts/lib/netns';
import { masterAmong, VipLab } from '../../../scripts/lib/vip-lab';

const support = netnsSupport();
const missing = ['arping', 'ndisc6', 'na6'].filter((cmd) => spawnSync('sh', ['-c', `command -v ${cmd}`]).status !== 0);
const canRun = support.ok && missing.length === 0;
if (!canRun) {
  // eslint-disable-next-line no-console
  console.warn(`vip cluster netns tests skipped: ${support.ok ? `missing ${missing.join(', ')} (Debian packages arping, ndisc6, ipv6toolkit)` : support.reason}`);
}
const maybe = canRun ? describe : describe.skip;

maybe('vip service in a 3-node cluster with a client host (namespaces)', () => {
  let lab: VipLab;
  const nodes = () => lab.names;

  beforeAll(async () => {
    lab = new VipLab({ ipv6: true, koi: { statusInterval: '500ms' } }).create();
    await lab.startResponders();
  }, 30_000);
  afterAll(async () => {
    await lab?.close();
  });

  /** Both addresses on `node` only, and the client's requests to both answered by `node`. */
  async function heldBy(node: string, timeoutMs = 5000): Promise<void> {
    await lab.cluster!.waitFor(`the VIPs on ${node} only, as the client sees it`, async () => {
      if (lab.holders(lab.vip).join() !== node || lab.holders(lab.vip6).join() !== node) return false;
      return (await lab.ask(lab.vip, 300)) === node && (await lab.ask(lab.vip6, 300)) === node;
    }, timeoutMs, 100);
  }

  test('the master holds the addresses; koi promote moves them and the client follows at once (announcements)', async () => {
    const cluster = lab.cluster!;
    const master = await agreedMaster(cluster, nodes(), 30_000);
    await heldBy(master);
    const target = nodes().find((n) => n !== master)!;
    const answer = await cluster.koi(['promote', target], { node: master, timeoutMs: 3000 });
    expect(answer.code).toBe(0);
    // The client had the old master's MAC cached (it just talked to it): only an announcement updates it this fast.
    await heldBy(target, 3000);
    expect(lab.holders(lab.vip)).toEqual([target]);
  }, 60_000);

  test('a master that died (SIGKILL + link cut) is replaced; its leftover address is removed when its koinode comes back', async () => {
    const cluster = lab.cluster!;
    let master = await agreedMaster(cluster, nodes());
    // A plain-runner master, so the dead one is not also the leader (the faster, usual case).
    const leader = await leaderOf(cluster, nodes()[0]);
    if (master === leader) {
      const target = nodes().find((n) => n !== leader)!;
      expect((await cluster.koi(['promote', target], { node: leader, timeoutMs: 3000 })).code).toBe(0);
      master = await cluster.waitFor(`${target} master`, async () => ((await agreedMaster(cluster, nodes())) === target ? target : undefined), 20_000, 300);
    }
    await heldBy(master);
    const index = nodes().indexOf(master);
    await cluster.stop(master, 'SIGKILL');
    lab.topo.isolate(index);
    const others = nodes().filter((n) => n !== master);
    const next = await masterAmong(cluster, others);
    await heldBy(next, 5000).catch(() => undefined);
    // The dead machine still has the address configured (its koinode could not remove it).
    expect(lab.holders(lab.vip).sort()).toEqual([master, next].sort());

    // It comes back on the network with the leftover, then its koinode starts: the start-up sweep removes it.
    lab.topo.heal();
    cluster.start(master);
    await cluster.waitFor(`the leftover gone from ${master}`, () => lab.holders(lab.vip).join() === next && lab.holders(lab.vip6).join() === next, 15_000, 100);
    // The sweep logs before it removes the address, but this process reads the node's stdout pipe only between polls.
    await cluster.waitFor(`${master}'s sweep line`, () => cluster.log(master).some((l) => l.includes('start-up sweep: 10-vip left promoted by a previous run')), 2000, 50);
    await sleep(500);
    expect(await agreedMaster(cluster, nodes())).toBe(next);
    await heldBy(next);
  }, 90_000);

  test('a master that shuts down (SIGTERM) removes its addresses on the way out; another node takes them', async () => {
    const cluster = lab.cluster!;
    const master = await agreedMaster(cluster, nodes());
    await heldBy(master);
    expect(await cluster.stop(master, 'SIGTERM')).toBe(0);
    // Gone the moment the process has exited: the shutdown demoted and stopped the service.
    expect(lab.holders(lab.vip)).not.toContain(master);
    expect(lab.holders(lab.vip6)).not.toContain(master);
    const next = await masterAmong(cluster, nodes().filter((n) => n !== master));
    await heldBy(next);
  }, 60_000);
});
