/**
 * Failover benchmark: SIGKILL the master of a 3-node cluster (quorum 2) and
 * time from the kill to the end of the new master's promote script (the
 * script writes the timestamp). Two cases — the master is a plain runner
 * (another node leads), and the master is also the leader — alternated on
 * one running cluster: the killed node is restarted (a fresh id) and the
 * cluster waits until steady before the next run; `koi promote` moves the
 * master when the next case needs it.
 */
import { Cluster, type ServiceEvent } from '../scripts/lib/cluster';
import type { Profile } from './lib/profiles';
import { koiInProcess } from './lib/koi-client';
import { clusterStatus, epochMs, sleep, waitSteady, type ClusterDoc } from './lib/status';
import { summarize, type Summary } from './lib/stats';

export type FailoverCase = 'plain' | 'leader';

export interface FailoverSample {
  case: FailoverCase;
  killed: string;
  newMaster: string;
  /** Kill → promote script began / ended, ms. */
  beginMs: number;
  endMs: number;
}

export interface FailoverResult {
  profile: Profile['name'];
  samples: FailoverSample[];
  /** Runs with no new master within the timeout. */
  timeouts: number;
  /** Master changes seen while the cluster was supposed to be idle between runs. */
  spuriousPromotes: number;
  summary: Record<FailoverCase, Summary>;
  wallMs: number;
}

export interface FailoverOptions {
  profile: Profile;
  runsPerCase: number;
  log?: (line: string) => void;
}

const CASES: FailoverCase[] = ['plain', 'leader'];

function caseOf(doc: ClusterDoc): FailoverCase {
  return doc.master!.id === doc.leader!.id ? 'leader' : 'plain';
}

export async function runFailover(options: FailoverOptions): Promise<FailoverResult> {
  const { profile, runsPerCase } = options;
  const log = options.log ?? ((line: string) => console.log(line));
  const started = Date.now();
  const cluster = await Cluster.create({ nodes: 3, quorum: 2, time: profile.time, statusInterval: '10s' });
  const samples: FailoverSample[] = [];
  let timeouts = 0;
  let spuriousPromotes = 0;
  // A steady cluster after a change needs a lease or two to settle (the leader's renewals, acks).
  const settleMs = Math.max(300, 2 * (profile.timeMs.master_lease ?? 1200));
  try {
    cluster.start();
    let doc = await waitSteady(cluster, `${profile.name}: first steady cluster`);
    await sleep(settleMs);
    const count = (c: FailoverCase) => samples.filter((s) => s.case === c).length + 0;
    while (CASES.some((c) => count(c) < runsPerCase)) {
      // Prefer the case the cluster is already in; otherwise move the master with `koi promote`.
      let want = caseOf(doc);
      if (count(want) >= runsPerCase) {
        want = want === 'plain' ? 'leader' : 'plain';
        const target = want === 'leader'
          ? doc.leader!.name
          : doc.nodes.find((n) => n.id !== doc.leader!.id && n.id !== doc.master!.id)!.name;
        const answer = await koiInProcess(cluster, ['promote', target], doc.leader!.name, 2000);
        if (answer.code !== 0) {
          // The cluster moved meanwhile (counted below as unexpected); look again.
          log(`  ${profile.name}: koi promote ${target} refused: ${answer.stdout.trim().split('\n')[0]}`);
          spuriousPromotes++;
          doc = await waitSteady(cluster, `${profile.name}: steady again`);
          await sleep(settleMs);
          continue;
        }
        doc = await cluster.waitFor(`${profile.name}: ${target} master`, async () => {
          const d = await waitSteady(cluster, `${profile.name}: steady after promote`);
          return d.master!.name === target ? d : undefined;
        }, 30_000, 100);
        await sleep(settleMs);
      }
      // Nothing may have changed while we waited.
      let check = await clusterStatus(cluster, doc.leader!.name);
      for (let retry = 0; !check && retry < 3; retry++) check = await clusterStatus(cluster, doc.leader!.name);
      if (!check || check.master?.id !== doc.master!.id || check.leader?.id !== doc.leader!.id) {
        spuriousPromotes++;
        log(`  ${profile.name}: master/leader moved while idle (was ${doc.master!.name}/${doc.leader!.name}, now ${check?.master?.name}/${check?.leader?.name}); waiting again`);
        if (process.env.KOI_BENCH_DEBUG) {
          for (const n of cluster.nodes) log(`--- ${n.name}\n${cluster.log(n.name).filter((l) => !l.includes("admin '")).slice(-12).join('\n')}`);
        }
        doc = await waitSteady(cluster, `${profile.name}: steady again`);
        await sleep(settleMs);
        continue;
      }
      const victim = doc.master!.name;
      const eventsBefore = cluster.events().length;
      const t0 = epochMs();
      cluster.signal(victim, 'SIGKILL');
      let promoted: { begin: ServiceEvent; end: ServiceEvent } | undefined;
      try {
        promoted = await cluster.waitFor(`${profile.name}: new master after killing ${victim}`, () => {
          const fresh = cluster.events().slice(eventsBefore).filter((e) => e.node !== victim && e.event === 'promote');
          const end = fresh.find((e) => e.phase === 'end');
          const begin = end && fresh.find((e) => e.phase === 'begin' && e.node === end.node);
          return end && begin ? { begin, end } : undefined;
        }, 30_000, 20);
      } catch (err) {
        timeouts++;
        log(`  ${profile.name}: ${(err as Error).message.split('\n')[0]}`);
      }
      await cluster.stop(victim, 'SIGKILL');
      if (promoted) {
        const sample: FailoverSample = {
          case: caseOf(doc),
          killed: victim,
          newMaster: promoted.end.node,
          beginMs: promoted.begin.time * 1000 - t0,
          endMs: promoted.end.time * 1000 - t0,
        };
        samples.push(sample);
        log(`  ${profile.name} ${sample.case.padEnd(6)} #${count(sample.case)}: killed ${victim}, ${sample.newMaster} promoted in ${(sample.endMs / 1000).toFixed(3)} s (script began at ${(sample.beginMs / 1000).toFixed(3)} s)`);
      }
      cluster.start(victim);
      doc = await waitSteady(cluster, `${profile.name}: steady after restarting ${victim}`);
      await sleep(settleMs);
    }
  } finally {
    await cluster.close();
  }
  const summary = Object.fromEntries(CASES.map((c) => [c, summarize(samples.filter((s) => s.case === c).map((s) => s.endMs))])) as Record<FailoverCase, Summary>;
  return { profile: profile.name, samples, timeouts, spuriousPromotes, summary, wallMs: Date.now() - started };
}
