/**
 * Partitions on real koinode processes, one per network namespace, on a
 * private bridge (scripts/lib/netns.ts; root only, skipped otherwise).
 * Default timings, quorum a strict majority.
 *
 * - a slave cut away and healed: the master stays, no script runs anywhere;
 * - the master cut away (alone; as a plain runner and as the leader; with
 *   5 nodes also together with one slave): the isolated master BEGINS its
 *   demote before the majority's new master BEGINS its promote (SPEC §3,
 *   from the scripts' timestamps — all namespaces share the host clock);
 * - after every heal: exactly one master, agreed by every node, and no
 *   promote in the whole run began while another node was promoted and had
 *   not begun to demote.
 */
import { createNetnsCluster, type NetnsCluster } from '../../../scripts/lib/netns-cluster';
import { cutMasterAway, cutSlaveAway, maybe } from './partition-helpers';

jest.setTimeout(90_000);

for (const [count, quorum] of [[3, 2], [5, 3]] as const) {
  maybe(`${count} nodes, quorum ${quorum}, on a private bridge`, () => {
    let nc: NetnsCluster | undefined;
    const label = `${count} nodes`;

    beforeAll(() => {
      nc = createNetnsCluster(count, { quorum });
    });

    afterAll(async () => {
      await nc?.close();
    });

    test('a slave cut away: the master stays, nothing is promoted or demoted; heal: the same single master', async () => {
      await cutSlaveAway(nc!, 4000, label);
    });

    test('the master (a plain runner) cut away: it begins to demote before the majority promotes a new master', async () => {
      await cutMasterAway(nc!, false, 0, label);
    });

    test('the master that is also the leader cut away: it begins to demote before the majority promotes', async () => {
      await cutMasterAway(nc!, true, 0, label);
    });

    if (count === 5) {
      test('the master and one slave cut away (2 | 3): the minority master demotes before the majority promotes', async () => {
        await cutMasterAway(nc!, false, 1, label);
      });
    }
  });
}
