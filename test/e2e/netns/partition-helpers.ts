/**
 * Shared steps of the partition tests: put the master where a scenario
 * wants it, cut, watch the scripts' timestamps, heal.
 */
import { checkMastership, describeViolations } from '../../../scripts/lib/mastership';
import { agreedMaster, leaderOf, type NetnsCluster } from '../../../scripts/lib/netns-cluster';
import { sleep, wallSeconds, type ServiceEvent } from '../../../scripts/lib/cluster';
import { netnsSupport } from '../../../scripts/lib/netns';

export const support = netnsSupport();
if (!support.ok) {
  // eslint-disable-next-line no-console
  console.warn(`netns partition tests skipped: ${support.reason} (they need root and iproute2 on Linux)`);
}
export const maybe = support.ok ? describe : describe.skip;

export const begins = (events: ServiceEvent[], event: string, after: number, node?: string) =>
  events.filter((e) => e.event === event && e.phase === 'begin' && e.time >= after && (node === undefined || e.node === node));

/** A settled master that is (or is not) the leader; `koi promote` moves it when needed. */
export async function masterWhere(nc: NetnsCluster, masterIsLeader: boolean): Promise<{ master: string; leader: string }> {
  const { cluster, names } = nc;
  let master = await agreedMaster(cluster, names);
  const leader = await leaderOf(cluster, names[0]);
  if ((master === leader) !== masterIsLeader) {
    const target = masterIsLeader ? leader : names.find((n) => n !== leader)!;
    const answer = await cluster.koi(['promote', target], { node: names[0], timeoutMs: 2000 });
    if (answer.code !== 0) throw new Error(`koi promote ${target}: ${answer.stdout} ${answer.stderr}`);
    await cluster.waitFor(`${target} master`, async () => (await agreedMaster(cluster, names)) === target, 20_000, 500);
    master = target;
  }
  return { master, leader };
}

/** Wait (on the events file only: no client traffic during a fault) for a promote begin by someone other than `not`. */
export async function nextPromote(nc: NetnsCluster, after: number, not: string, timeoutMs = 15_000): Promise<ServiceEvent> {
  return nc.cluster.waitFor(`a promote by a node other than ${not}`, () =>
    begins(nc.cluster.events(), 'promote', after).find((e) => e.node !== not), timeoutMs, 50);
}

/** Heal, then exactly one master agreed by every node; and the whole run obeyed SPEC §3. */
export async function healAndCheck(nc: NetnsCluster): Promise<string> {
  nc.topo.heal();
  const master = await agreedMaster(nc.cluster, nc.names, 20_000);
  await sleep(1000);
  expect(await agreedMaster(nc.cluster, nc.names, 5_000)).toBe(master);
  const report = checkMastership(nc.cluster.events());
  expect(describeViolations(report.violations)).toBe('');
  return master;
}

/** Cut `cut` (node names) away from the rest; the master is among them. Returns the demote→promote margin in seconds. */
export async function cutMasterAway(nc: NetnsCluster, masterIsLeader: boolean, extra = 0, label = ''): Promise<number> {
  const { cluster, names, topo } = nc;
  const { master } = await masterWhere(nc, masterIsLeader);
  const others = names.filter((n) => n !== master);
  const minority = [master, ...others.slice(0, extra)];
  await sleep(1000);
  const cutAt = wallSeconds();
  topo.partition([minority.map((n) => nc.index(n))]);
  const promote = await nextPromote(nc, cutAt, master);
  await sleep(500);
  const events = cluster.events();
  expect(minority).not.toContain(promote.node);
  const demote = begins(events, 'demote', cutAt, master)[0];
  expect(demote).toBeDefined();
  const margin = promote.time - demote.time;
  // eslint-disable-next-line no-console
  console.log(`${label}: cut ${minority.join('+')} away (master ${master}${masterIsLeader ? ', also leader' : ''}): `
    + `its demote began ${((demote.time - cutAt) * 1000).toFixed(0)} ms after the cut, ${promote.node}'s promote `
    + `${((promote.time - cutAt) * 1000).toFixed(0)} ms after: margin ${(margin * 1000).toFixed(0)} ms`);
  expect(margin).toBeGreaterThan(0);
  // Nobody in the minority promoted.
  expect(begins(events, 'promote', cutAt).filter((e) => minority.includes(e.node))).toEqual([]);
  await healAndCheck(nc);
  return margin;
}

/** Cut one slave away for `holdMs`: nothing is promoted or demoted anywhere, before or after the heal. */
export async function cutSlaveAway(nc: NetnsCluster, holdMs: number, label = ''): Promise<void> {
  const { cluster, names, topo } = nc;
  const master = await agreedMaster(cluster, names);
  const leader = await leaderOf(cluster, names[0]);
  // Prefer a slave that is not the leader; with the master leading, any slave.
  const slave = names.find((n) => n !== master && n !== leader) ?? names.find((n) => n !== master)!;
  await sleep(500);
  const cutAt = wallSeconds();
  topo.isolate(nc.index(slave));
  await sleep(holdMs);
  topo.heal();
  await sleep(3000);
  expect(await agreedMaster(cluster, names)).toBe(master);
  const events = cluster.events();
  if (begins(events, 'promote', cutAt).length > 0 || process.env.KOI_DEBUG) {
    // eslint-disable-next-line no-console
    console.log(`slave ${slave}, master ${master}, leader ${leader}, cut at ${cutAt}\n${cluster.tails(60)}`);
  }
  expect(begins(events, 'promote', cutAt)).toEqual([]);
  expect(begins(events, 'demote', cutAt)).toEqual([]);
  // eslint-disable-next-line no-console
  console.log(`${label}: slave ${slave} cut away for ${holdMs} ms and healed: master ${master} unchanged, no promote or demote`);
}
