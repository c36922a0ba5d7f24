/**
 * keepalived's point on the trade-off curve, at one advert_int, in a lab of
 * its own (bench/lib/keepalived-lab.ts: 3 instances in namespaces):
 * - failover: SIGKILL of the master's keepalived (parent and VRRP child) →
 *   another instance's notify script records MASTER (its own timestamp);
 *   the killed instance is restarted and the lab settles between runs;
 * - idle CPU (cpuSeconds of keepalived and its VRRP child, bench/lib/proc.ts)
 *   and RSS (the two VmRSS added) per instance;
 * - stall tolerance: SIGSTOP → SIGCONT of the master's VRRP child; a trial
 *   fails when any notify script runs after the stall began.
 */
import { KeepalivedLab } from './lib/keepalived-lab';
import { cpuResolutionS, cpuSeconds, memory } from './lib/proc';
import { searchStallTolerance, stallFor, type StallSearchOptions, type StallSearchResult, type TrialOutcome } from './lib/stall-search';
import { summarize, type Summary } from './lib/stats';
import { epochMs, sleep } from './lib/status';

export interface InstanceFootprint {
  name: string;
  role: string;
  cpuPercent: number;
  rssMB: number;
}

export interface KeepalivedResult {
  advertInt: string;
  failoverMs: number[];
  failover: Summary;
  timeouts: number;
  idle: { windowS: number; instances: InstanceFootprint[]; notifies: number; cpuResolution: number };
  stall: StallSearchResult;
  wallMs: number;
}

export interface KeepalivedOptions {
  advertInt: string;
  runs: number;
  windowS: number;
  search: StallSearchOptions;
  log?: (line: string) => void;
}

/** The lab being measured, for an interrupt (Ctrl-C) to close: no namespace or process is left behind. */
let running: KeepalivedLab | null = null;

export async function closeRunningLab(): Promise<void> {
  const lab = running;
  running = null;
  await lab?.close();
}

export async function runKeepalived(options: KeepalivedOptions): Promise<KeepalivedResult> {
  const log = options.log ?? ((line: string) => console.log(line));
  const started = Date.now();
  const advertMs = Number(options.advertInt) * 1000;
  if (!(advertMs > 0)) throw new Error(`keepalived advert_int '${options.advertInt}' is not a positive number of seconds`);
  const name = `keepalived advert_int ${options.advertInt}`;
  const quietMs = Math.max(1500, 2 * advertMs);
  const lab = new KeepalivedLab(options.advertInt).create();
  running = lab;
  try {
    let master = await lab.settledMaster(60_000, quietMs);

    // Idle first, on the freshly settled lab.
    const pids = new Map<string, { parent: number; vrrp: number }>();
    for (const n of lab.names) pids.set(n, await lab.pids(n));
    const cpu = (n: string) => cpuSeconds(pids.get(n)!.parent) + cpuSeconds(pids.get(n)!.vrrp);
    const notifiesBefore = lab.events().length;
    const before = new Map(lab.names.map((n) => [n, cpu(n)]));
    const t0 = epochMs();
    log(`  ${name}: idle window of ${options.windowS} s...`);
    await sleep(options.windowS * 1000);
    const windowS = (epochMs() - t0) / 1000;
    const instances = lab.names.map((n): InstanceFootprint => {
      const p = pids.get(n)!;
      return {
        name: n,
        role: n === master ? 'master' : 'backup',
        cpuPercent: ((cpu(n) - before.get(n)!) / windowS) * 100,
        rssMB: ((memory(p.parent).rssKiB + memory(p.vrrp).rssKiB) * 1024) / 1e6,
      };
    });
    const notifies = lab.events().length - notifiesBefore;
    for (const i of instances) log(`  ${name}: ${i.name} (${i.role}) CPU ${i.cpuPercent.toFixed(3)} % of a core, RSS ${i.rssMB.toFixed(1)} MB`);
    if (notifies) log(`  ${name}: ${notifies} notify script run(s) during the idle window`);

    // Stall tolerance of the master's VRRP child.
    const trial = async (ms: number): Promise<TrialOutcome> => {
      master = await lab.settledMaster(60_000, quietMs);
      const { vrrp } = await lab.pids(master);
      const eventsBefore = lab.events().length;
      const { startMs: start, actualMs } = await stallFor(ms, (sig) => process.kill(vrrp, sig));
      // A backup takes over while the master is silent; a resumed master advertises at once. Watch a little longer.
      const until = Date.now() + Math.max(1000, 2 * advertMs);
      const fresh = () => lab.events().slice(eventsBefore);
      while (Date.now() < until && fresh().length === 0) await sleep(50);
      const seen = fresh();
      const ok = seen.length === 0;
      const what = ok ? 'no change' : seen.slice(0, 4).map((e) => `${e.node} ${e.state} +${Math.round(e.time * 1000 - start)} ms`).join(', ');
      log(`    ${name}: stall VRRP child of ${master} ${ms} ms (actual ${actualMs.toFixed(0)} ms): ${ok ? 'ok' : 'FAILOVER'}, ${what}`);
      if (ok) await sleep(Math.max(500, 2 * advertMs));
      return { ok, actualMs, what };
    };
    log(`  ${name}: stalls of the master's VRRP child`);
    const stall = await searchStallTolerance(trial, options.search);

    // Failover.
    const failoverMs: number[] = [];
    let timeouts = 0;
    for (let run = 1; run <= options.runs; run++) {
      master = await lab.settledMaster(60_000, quietMs);
      const start = epochMs();
      await lab.kill(master);
      const limit = Date.now() + Math.max(10_000, 10 * advertMs);
      let taken: { node: string; time: number } | undefined;
      while (!taken && Date.now() < limit) {
        taken = lab.events().find((e) => e.time * 1000 >= start && e.node !== master && e.state === 'MASTER');
        if (!taken) await sleep(20);
      }
      if (taken) {
        const ms = taken.time * 1000 - start;
        failoverMs.push(ms);
        log(`  ${name} failover #${run}: killed ${master}, ${taken.node} MASTER in ${(ms / 1000).toFixed(3)} s`);
      } else {
        timeouts++;
        log(`  ${name} failover #${run}: no other instance became MASTER within ${Math.round((limit - start) / 1000)} s`);
      }
      lab.start(master);
    }
    return {
      advertInt: options.advertInt,
      failoverMs,
      failover: summarize(failoverMs),
      timeouts,
      idle: { windowS, instances, notifies, cpuResolution: (100 * cpuResolutionS()) / windowS },
      stall,
      wallMs: Date.now() - started,
    };
  } finally {
    if (running === lab) running = null;
    await lab.close();
  }
}
