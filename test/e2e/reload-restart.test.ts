/**
 * Issue 10, case 8 — a reload that restarts the node in-process must not get
 * its traffic dropped as replays.
 *
 * Three real koinode processes on loopback, quorum 2, running for a while
 * (so every peer has seen high sequence numbers from each). One slave that
 * does not lead gets `node.force_restart true` in its koi.conf and
 * `koi reconfigure`: it restarts in-process with the same node id. Its peers
 * must not drop its datagrams as `replay` (their logs, from the restart on),
 * and `koi status` asked of a peer must show it heard less than 1 s before,
 * 2 s after the restart finished.
 *
 * On the code before the fix the restarted node's sequence numbers start at
 * 1 again: its peers log "dropped datagram … replay … behind the window" and
 * ignore it for about as long as it had run before (≈ 75 s seen).
 */
import {
  Cluster, sleep, summarize, wallSeconds,
} from '../../scripts/lib/cluster';
import { describeFixed } from './netns/safety-helpers';

/** How long the cluster runs before the reload: every peer has seen a few hundred sequence numbers from each node. */
const RUN_BEFORE_MS = 10_000;

jest.setTimeout(60_000);

describeFixed('issue 10 case 8 (reload-restart replays)')('a reload that needs an in-process restart, 3 nodes on loopback', () => {
  let cluster: Cluster | undefined;
  afterAll(async () => {
    await cluster?.close();
  });

  test('peers never drop the restarted node as a replay, and hear it within 1 s', async () => {
    cluster = await Cluster.create({ nodes: 3, quorum: 2, tag: 'koi-reload-restart' });
    const c = cluster;
    c.start();
    const first = await c.waitForMaster(() => true, 20_000);
    const target = c.nodes.map((n) => n.name).find((n) => n !== first.master.name && n !== first.leader.name)!;
    const peers = c.nodes.map((n) => n.name).filter((n) => n !== target);
    await sleep(RUN_BEFORE_MS);

    let restartedAt = 0;
    c.onLine((node, line) => {
      if (node === target && restartedAt === 0 && line.includes('in-process restart done')) restartedAt = wallSeconds();
    });
    const logFrom = new Map(peers.map((p) => [p, c.log(p).length]));
    c.writeConf(target, c.configText(c.spec(target)).replace(/^node \{\n/m, 'node {\n  force_restart true\n'));
    const answer = await c.koi(['reconfigure'], { node: target, timeoutMs: 5000 });
    expect(answer.code).toBe(0);
    await c.waitFor(`${target}'s in-process restart`, () => restartedAt > 0, 15_000, 50);

    await sleep(Math.max(0, restartedAt + 2 - wallSeconds()) * 1000);
    const view = await c.status(peers[0], 3000);
    const entry = view?.nodes.find((n) => n.name === target);
    await sleep(1000);
    const replays = peers.flatMap((p) => c.log(p).slice(logFrom.get(p)).filter((l) => /\breplay\b/.test(l)).map((l) => `${p}: ${l}`));
    // eslint-disable-next-line no-console
    console.log(`reload-restart of ${target}: ${replays.length} replay warning(s) on its peers; `
      + `2 s after the restart ${peers[0]}'s status: ${entry ? `${target} ${entry.state}, last seen ${entry.lastSeenAgoMs} ms ago` : `${target} not in the table`}`
      + `${view ? ` (${summarize(view)})` : ''}`);
    expect(replays).toEqual([]);
    expect(entry).toBeDefined();
    expect(entry!.lastSeenAgoMs).toBeLessThan(1000);
    expect(entry!.state).not.toBe('Disconnected');
  });
});
