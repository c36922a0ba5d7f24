/**
 * 20 % random packet loss on every node's link (3 real koinode processes in
 * network namespaces, default timings, quorum 2): no master change — no
 * promote or demote anywhere — for 20 s in `npm test`, for 2 minutes with
 * KOI_LONG=1 (`npm run test:netns:long`). Then the loss is removed: exactly
 * one master, the same one. Root only, skipped otherwise.
 *
 * The loss is `tc netem loss 20%` on each node's eth0 when the kernel has
 * sch_netem, else an nftables rule dropping 20 % of what leaves eth0
 * (`numgen random mod 100 < 20`); either way each datagram between two
 * nodes is lost with probability 0.2. No client runs during the loss (it
 * would be measuring itself); the scripts' events show any change.
 *
 * Not part of `npm test`: it is run by `npm run test:netns:loss` (20 s) and
 * `npm run test:netns:long` (2 min), so CI's single run carries no 25 s
 * timing-sensitive test. It once caught a real flap (the master marked
 * Disconnected for lost health reports, and a lease ended by five lost
 * renewals), now fixed and pinned in the simulator by
 * test/cluster/packet-loss.test.ts.
 */
import { createNetnsCluster, agreedMaster, type NetnsCluster } from '../../../scripts/lib/netns-cluster';
import { sleep, wallSeconds } from '../../../scripts/lib/cluster';
import { begins, healAndCheck, support } from './partition-helpers';

const LONG = process.env.KOI_LONG === '1';
const HOLD_MS = LONG ? 120_000 : 20_000;
const LOSS_PERCENT = 20;

const ASKED = LONG || process.env.KOI_NETNS_LOSS === '1';
const runnable = ASKED && support.ok && support.loss !== null;
if (!ASKED) {
  // eslint-disable-next-line no-console
  console.warn('netns loss test skipped: run it with `npm run test:netns:loss` (20 s) or `npm run test:netns:long` (2 min)');
} else if (support.ok && support.loss === null) {
  // eslint-disable-next-line no-console
  console.warn('netns loss test skipped: neither `tc netem` (sch_netem) nor `nft` (nftables) can drop packets here');
}
const maybe = runnable ? describe : describe.skip;

jest.setTimeout(HOLD_MS + 90_000);

maybe(`${LOSS_PERCENT} % packet loss on every link, 3 nodes, quorum 2`, () => {
  let nc: NetnsCluster | undefined;

  beforeAll(() => {
    nc = createNetnsCluster(3, { quorum: 2 });
  });

  afterAll(async () => {
    await nc?.close();
  });

  test(`no master change for ${HOLD_MS / 1000} s; loss removed: exactly one master, the same`, async () => {
    const { cluster, names, topo } = nc!;
    const master = await agreedMaster(cluster, names);
    await sleep(1000);
    const from = wallSeconds();
    topo.setLoss(LOSS_PERCENT, support.loss!);
    let lossOn = true;
    try {
      const until = Date.now() + HOLD_MS;
      while (Date.now() < until) {
        await sleep(1000);
        const changes = [...begins(cluster.events(), 'promote', from), ...begins(cluster.events(), 'demote', from)];
        if (changes.length > 0) {
          throw new Error(`master change under ${LOSS_PERCENT} % loss after ${Math.round(changes[0].time - from)} s: `
            + `${JSON.stringify(changes)}\n${cluster.tails(30)}`);
        }
      }
      topo.setLoss(0, support.loss!);
      lossOn = false;
    } finally {
      if (lossOn) topo.setLoss(0, support.loss!);
    }
    expect(await healAndCheck(nc!)).toBe(master);
    // How often the cluster noticed the loss (leader changes are allowed; master changes are not).
    const leaderChanges = names.reduce((n, name) => n + cluster.log(name).filter((l) => l.includes('leader is now')).length, 0);
    const stalls = names.reduce((n, name) => n + cluster.log(name).filter((l) => l.includes('event loop stalled')).length, 0);
    // eslint-disable-next-line no-console
    console.log(`${LOSS_PERCENT} % loss (${support.loss}) for ${HOLD_MS / 1000} s: master ${master} unchanged, `
      + `no promote or demote; "leader is now" lines over the whole run: ${leaderChanges}, stall warnings: ${stalls}`);
  });
});
