/**
 * Issue 10, case 3 — a deaf node must not take the cluster down.
 *
 * Three real koinode processes in network namespaces, quorum 2. Each starts
 * cut off alone (so each reads its fresh random id from its log); the node
 * with the highest id — the one every election prefers — is then made deaf
 * (an nftables input rule drops everything it receives from the network; it
 * still sends, like a firewall rule left after a reboot) and the cut is
 * healed. The two healthy nodes hear each other both ways: within
 * DEAF_BOUND_S of the heal one of them must promote (the recording
 * service's own promote timestamp), `koi status` on a healthy node must
 * name a healthy leader and that master, and it must stay promoted.
 *
 * On the code before the fix the healthy pair follows the deaf leader,
 * which never hears their acknowledgements: no quorum, no master at all.
 */
import { createNetnsCluster, type NetnsCluster } from '../../../scripts/lib/netns-cluster';
import { sleep, wallSeconds } from '../../../scripts/lib/cluster';
import { promotedNodes } from '../../../scripts/lib/mastership';
import { describeNetnsFixed, ms, nodeIds } from './safety-helpers';

/** A stated bound: election (≈ 0.4 s) + lease wait (1.45 s) + slack for a loaded machine. */
const DEAF_BOUND_S = 6;

jest.setTimeout(45_000);

describeNetnsFixed('issue 10 case 3 (deaf node)')('a deaf highest-id node, 3 nodes, quorum 2', () => {
  let nc: NetnsCluster | undefined;
  afterAll(async () => {
    await nc?.close();
  });

  test(`the two healthy nodes elect a leader and promote a master within ${DEAF_BOUND_S} s`, async () => {
    nc = createNetnsCluster(3, { quorum: 2, start: false });
    const { cluster, topo, names } = nc;
    topo.partition([[0], [1], [2]]);
    cluster.start();
    const ids = await nodeIds(cluster, names);
    const deaf = [...names].sort((a, b) => (ids.get(a)! > ids.get(b)! ? -1 : 1))[0];
    const healthy = names.filter((n) => n !== deaf);
    await sleep(1000);
    topo.deafen(nc.index(deaf));
    const healedAt = wallSeconds();
    topo.heal();

    // From the service's own timestamps only (no client traffic while it settles).
    const promote = await cluster.waitFor(`a promote by ${healthy.join(' or ')}`, () =>
      cluster.events().find((e) => e.event === 'promote' && e.phase === 'begin' && healthy.includes(e.node)), 15_000, 50)
      .catch(() => undefined);
    const took = promote ? promote.time - healedAt : Infinity;
    // eslint-disable-next-line no-console
    console.log(`deaf ${deaf} (highest id ${ids.get(deaf)}): ${promote ? `${promote.node} promoted ${ms(took)} after the heal` : 'no master within 15 s'}`);
    if (!promote) throw new Error(`no healthy node promoted within 15 s of the heal (deaf: ${deaf})\n${cluster.tails(20)}`);
    expect(took).toBeLessThan(DEAF_BOUND_S);

    const view = await cluster.status(healthy[0], 2000);
    expect(view?.leader.name).not.toBe(deaf);
    expect(view?.master?.name).toBe(promote.node);
    // Stays: 2 s later still the only promoted node, nothing demoted.
    await sleep(2000);
    expect(promotedNodes(cluster.events())).toEqual([promote.node]);
  });
});
