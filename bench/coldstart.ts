/**
 * Cold-start benchmark: three koinode processes spawned together (quorum 2,
 * a fresh cluster and fresh ports each run) → the first promote script
 * completed. Includes process start-up (Node, module loading, key
 * derivation), joining, the first election and starting the services.
 */
import { Cluster } from '../scripts/lib/cluster';
import { epochMs } from './lib/status';
import { summarize, type Summary } from './lib/stats';
import type { Profile } from './lib/profiles';

export interface ColdStartResult {
  profile: Profile['name'];
  samplesMs: number[];
  summary: Summary;
  timeouts: number;
}

export interface ColdStartOptions {
  profile: Profile;
  runs: number;
  log?: (line: string) => void;
}

export async function runColdStart(options: ColdStartOptions): Promise<ColdStartResult> {
  const log = options.log ?? ((line: string) => console.log(line));
  const samplesMs: number[] = [];
  let timeouts = 0;
  for (let run = 1; run <= options.runs; run++) {
    const cluster = await Cluster.create({ nodes: 3, quorum: 2, time: options.profile.time, statusInterval: '10s' });
    try {
      const t0 = epochMs();
      cluster.start();
      const end = await cluster.waitFor('cold start: first promote', () => cluster.events().find((e) => e.event === 'promote' && e.phase === 'end'), 30_000, 20);
      const ms = end.time * 1000 - t0;
      samplesMs.push(ms);
      log(`  cold start #${run}: ${end.node} promoted ${(ms / 1000).toFixed(3)} s after spawning the nodes`);
    } catch (err) {
      timeouts++;
      log(`  cold start #${run}: ${(err as Error).message.split('\n')[0]}`);
    } finally {
      await cluster.close();
    }
  }
  return { profile: options.profile.name, samplesMs, summary: summarize(samplesMs), timeouts };
}
