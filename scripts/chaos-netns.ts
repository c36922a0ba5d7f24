/**
 * `npm run chaos:netns -- --minutes N [--nodes 3|5] [--seed S] [--keep]`
 * (root, Linux): a soak of real koinode processes, one per network
 * namespace on a private bridge (scripts/lib/netns.ts), default timings,
 * quorum a strict majority. Random faults, one every 1–6 s:
 *
 *   isolate  cut one node away (healed after 2–10 s)
 *   split    cut a minority away, the master in it half of the time
 *   heal     put every node back on one bridge
 *   kill     SIGKILL a node (the master 40 % of the time); restarted after 1–8 s
 *   term     SIGTERM a node (graceful stop); restarted after 1–8 s
 *
 * At most a minority is down at once. Every master change is logged from the
 * recording service's timestamps, and the run is checked against SPEC §3:
 * no promote may begin while another node's promoted services have not begun
 * to demote (a SIGKILLed node's mastership ends at the kill: it stands for a
 * machine crash). At the end everything is healed and restarted and the
 * cluster must settle on exactly one master. Prints a summary; exits 1 on a
 * violation or when the cluster does not settle, 2 on a usage error, 3 when
 * it cannot run here (not root, no iproute2).
 */
import { checkMastership, describeViolations, promotedNodes, type Mark } from './lib/mastership';
import { netnsSupport } from './lib/netns';
import { agreedMaster, createNetnsCluster, type NetnsCluster } from './lib/netns-cluster';
import { sleep, wallSeconds } from './lib/cluster';

interface Options {
  minutes: number;
  nodes: number;
  seed: number;
  keep: boolean;
}

function usage(message: string): never {
  process.stderr.write(`chaos:netns: ${message}\nusage: npm run chaos:netns -- --minutes N [--nodes 3|5] [--seed S] [--keep]\n`);
  process.exit(2);
}

function parseArgs(argv: string[]): Options {
  const options: Options = { minutes: 5, nodes: 5, seed: Date.now() % 1_000_000, keep: false };
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i];
    const value = () => {
      const v = argv[++i];
      if (v === undefined) usage(`${arg} needs a value`);
      const n = Number(v);
      if (!Number.isFinite(n) || n <= 0) usage(`${arg}: "${v}" is not a positive number`);
      return n;
    };
    if (arg === '--minutes') options.minutes = value();
    else if (arg === '--nodes') options.nodes = value();
    else if (arg === '--seed') options.seed = Math.floor(value());
    else if (arg === '--keep') options.keep = true;
    else if (arg === '-h' || arg === '--help') usage('help');
    else usage(`unknown argument ${arg}`);
  }
  if (![3, 5].includes(options.nodes)) usage('--nodes must be 3 or 5');
  return options;
}

/** mulberry32: a small seeded PRNG, so a seed repeats the fault sequence (not the timing). */
function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

type FaultKind = 'isolate' | 'split' | 'heal' | 'kill' | 'term';

async function main(): Promise<number> {
  const options = parseArgs(process.argv.slice(2));
  const support = netnsSupport();
  if (!support.ok) {
    process.stderr.write(`chaos:netns cannot run: ${support.reason}\n`);
    return 3;
  }
  const random = prng(options.seed);
  const pick = <T>(list: T[]): T => list[Math.floor(random() * list.length)];
  const between = (lo: number, hi: number) => lo + random() * (hi - lo);
  const quorum = Math.floor(options.nodes / 2) + 1;
  const started = wallSeconds();
  const stamp = () => `[${(wallSeconds() - started).toFixed(1).padStart(6)} s]`;
  const say = (line: string) => process.stdout.write(`${stamp()} ${line}\n`);

  say(`chaos:netns: ${options.nodes} nodes, quorum ${quorum}, ${options.minutes} min, seed ${options.seed}`);
  const nc: NetnsCluster = createNetnsCluster(options.nodes, { quorum, tag: 'koi-chaos' });
  const { cluster, topo, names } = nc;
  let interrupted = false;
  const onSignal = () => {
    interrupted = true;
  };
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);

  const kills: Mark[] = [];
  const faults = new Map<FaultKind, number>();
  const down = new Map<string, number>(); // node → restart time (ms since epoch)
  let healAt = Infinity;
  let partitioned = false;
  let masterChanges = 0;
  let seenEvents = 0;
  let lastMaster: string | null = null;
  let reported = 0;
  let exitCode = 0;

  /** Log master changes (promote/demote begins) as they appear in the events file; report violations at once. */
  const watch = () => {
    const events = cluster.events();
    for (const e of events.slice(seenEvents)) {
      if (e.phase !== 'begin' || (e.event !== 'promote' && e.event !== 'demote')) continue;
      if (e.event === 'promote') {
        masterChanges++;
        say(`master change: ${e.node} promote began (previous master ${lastMaster ?? 'none'})`);
        lastMaster = e.node;
      } else {
        say(`${e.node} demote began`);
      }
    }
    seenEvents = events.length;
    const report = checkMastership(events, kills);
    for (const v of report.violations.slice(reported)) say(`VIOLATION: ${describeViolations([v])}`);
    reported = report.violations.length;
  };
  const watcher = setInterval(watch, 200);

  const mark = (kind: FaultKind, detail: string) => {
    faults.set(kind, (faults.get(kind) ?? 0) + 1);
    say(`fault ${kind}: ${detail}`);
  };
  const currentMaster = (): string | undefined => promotedNodes(cluster.events(), kills).find((n) => cluster.running(n));
  const maxDown = Math.floor((options.nodes - 1) / 2);

  try {
    say(`namespaces ${topo.nodeNs.join(' ')} (switch ${topo.switchNs}); addresses ${topo.addresses.join(' ')}`);
    const first = await agreedMaster(cluster, names, 30_000);
    say(`settled: master ${first}`);
    const end = Date.now() + options.minutes * 60_000;
    while (Date.now() < end && !interrupted) {
      // Due restarts and heals first.
      for (const [node, at] of [...down]) {
        if (Date.now() >= at) {
          cluster.start(node);
          down.delete(node);
          say(`restart ${node}`);
        }
      }
      if (partitioned && Date.now() >= healAt) {
        topo.heal();
        partitioned = false;
        healAt = Infinity;
        mark('heal', 'scheduled heal: one bridge again');
      }
      const kinds: FaultKind[] = [];
      if (!partitioned) kinds.push('isolate', 'split');
      else kinds.push('heal');
      if (down.size < maxDown) kinds.push('kill', 'term');
      const kind = pick(kinds);
      const master = currentMaster();
      switch (kind) {
        case 'isolate': {
          const node = random() < 0.4 && master ? master : pick(names);
          topo.isolate(nc.index(node));
          partitioned = true;
          healAt = Date.now() + between(2000, 10_000);
          mark(kind, `${node}${node === master ? ' (master)' : ''} cut away until +${Math.round((healAt - Date.now()) / 1000)} s`);
          break;
        }
        case 'split': {
          const size = 1 + Math.floor(random() * Math.floor(options.nodes / 2));
          const pool = [...names];
          const minority: string[] = [];
          if (master && random() < 0.5) minority.push(pool.splice(pool.indexOf(master), 1)[0]);
          while (minority.length < size) minority.push(pool.splice(Math.floor(random() * pool.length), 1)[0]);
          topo.partition([minority.map((n) => nc.index(n))]);
          partitioned = true;
          healAt = Date.now() + between(2000, 10_000);
          mark(kind, `${minority.join('+')} | ${pool.join('+')}${master ? ` (master ${master})` : ''}`);
          break;
        }
        case 'heal':
          topo.heal();
          partitioned = false;
          healAt = Infinity;
          mark(kind, 'one bridge again');
          break;
        case 'kill':
        case 'term': {
          const alive = names.filter((n) => cluster.running(n) && !down.has(n));
          const node = random() < 0.4 && master && alive.includes(master) ? master : pick(alive);
          const restartIn = between(1000, 8000);
          if (kind === 'kill') {
            kills.push({ node, time: wallSeconds() });
            await cluster.stop(node, 'SIGKILL');
          } else {
            await cluster.stop(node, 'SIGTERM', 15_000);
          }
          down.set(node, Date.now() + restartIn);
          mark(kind, `${node}${node === master ? ' (master)' : ''}; restart in ${(restartIn / 1000).toFixed(1)} s`);
          break;
        }
        default: {
          const never: never = kind;
          throw new Error(`unknown fault ${String(never)}`);
        }
      }
      await sleep(between(1000, 6000));
    }

    // Wind down: heal, restart everyone, one master.
    say('end of faults: heal and restart every node');
    topo.heal();
    for (const node of down.keys()) cluster.start(node);
    down.clear();
    let settled: string | null = null;
    try {
      settled = await agreedMaster(cluster, names, 60_000);
      say(`settled after the faults: exactly one master, ${settled}, agreed by every node`);
    } catch (err) {
      say(`DID NOT SETTLE on one master within 60 s: ${(err as Error).message.split('\n')[0]}`);
      exitCode = 1;
    }
    await sleep(500);
    watch();
    const report = checkMastership(cluster.events(), kills);
    const margins = report.handovers.filter((h) => h.marginS !== undefined && h.previousEnd !== 'killed').map((h) => h.marginS!);
    const minutes = (wallSeconds() - started) / 60;
    const faultTotal = [...faults.values()].reduce((a, b) => a + b, 0);
    process.stdout.write([
      '',
      'chaos:netns summary',
      `  seed             ${options.seed}`,
      `  nodes / quorum   ${options.nodes} / ${quorum}`,
      `  minutes          ${minutes.toFixed(1)}`,
      `  faults           ${faultTotal} (${[...faults].map(([k, n]) => `${k} ${n}`).join(', ')})`,
      `  master changes   ${masterChanges} promotes`,
      `  demote→promote   ${margins.length > 0 ? `min ${(Math.min(...margins) * 1000).toFixed(0)} ms over ${margins.length} handovers from a demote/stop` : 'no handover from a live master'}`,
      `  violations       ${report.violations.length}`,
      `  settled          ${settled ? `yes, master ${settled}` : 'NO'}`,
      '',
    ].join('\n'));
    if (report.violations.length > 0) {
      process.stdout.write(`${describeViolations(report.violations)}\n`);
      exitCode = 1;
    }
    if (exitCode !== 0 && options.keep) process.stdout.write(`logs kept in ${cluster.dir}\n${cluster.tails(40)}\n`);
    return exitCode;
  } finally {
    clearInterval(watcher);
    await cluster.close(options.keep && exitCode !== 0);
    topo.destroy();
  }
}

main().then((code) => {
  process.exitCode = code;
}, (err: unknown) => {
  process.stderr.write(`chaos:netns failed: ${err instanceof Error ? err.stack ?? err.message : String(err)}\n`);
  process.exitCode = 1;
});
