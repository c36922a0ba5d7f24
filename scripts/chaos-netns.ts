/**
 * `npm run chaos:netns -- --minutes N [--nodes 3|5] [--seed S] [--keep]`
 * (root, Linux): a soak of real koinode processes, one per network
 * namespace on a private bridge (scripts/lib/netns.ts), default timings,
 * quorum a strict majority. Random faults, one every 1–6 s:
 *
 *   isolate  cut one node away (both ways; healed after 2–10 s)
 *   split    cut a minority away, the master in it half of the time
 *   flip     re-partition into a different shape without healing first
 *   heal     put every node back on one bridge (scheduled heals count too)
 *   oneway   node B stops hearing node A (nftables input drop in B's
 *            namespace; A still hears B); lifted after 2–10 s
 *   deaf     a node drops everything it receives (it still sends); 2–10 s
 *   stop     SIGSTOP any node (the master 40 % of the time); SIGCONT after 0.3–4 s
 *   kill     SIGKILL a node (the master 40 % of the time); restarted after 1–8 s
 *   term     SIGTERM a node (graceful stop); restarted after 1–8 s
 *   reload   a reload that needs an in-process restart: `node.force_restart
 *            true` in the node's koi.conf, then SIGHUP
 *
 * At most a minority is stopped, killed or terminated at once. Safety is
 * checked from the recording service's own timestamps: a node is promoted
 * from its promote script's begin to the END of its demote (or stop/failed)
 * script, or to its SIGKILL (a crash); two nodes' promoted intervals must
 * not overlap. An overlap is allowed only while the older master was
 * SIGSTOPped (it cannot demote itself; fencing is for that) plus at most
 * RESUME_GRACE_S (1 s) of it running after SIGCONT (the demote it owes on
 * resume); it is listed apart, with its length. SPEC §3's weaker rule (demote BEGINS before a
 * promote begins) is reported too. At the end everything is healed and
 * restarted and the cluster must settle on exactly one master.
 * Exits 1 on a violation or when the cluster does not settle, 2 on a usage
 * error, 3 when it cannot run here (not root, no iproute2/nft).
 */
import {
  checkMastership, checkOverlaps, describeOverlaps, describeViolations, promotedNodes, RESUME_GRACE_S, type Mark, type StallMark,
} from './lib/mastership';
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

type FaultKind = 'isolate' | 'split' | 'flip' | 'heal' | 'oneway' | 'deaf' | 'stop' | 'kill' | 'term' | 'reload';
const FAULT_KINDS: FaultKind[] = ['isolate', 'split', 'flip', 'heal', 'oneway', 'deaf', 'stop', 'kill', 'term', 'reload'];

/** Something to undo on a timer (restart, SIGCONT, lift a cut, heal): on time, not at the next fault. */
interface Pending {
  timer: NodeJS.Timeout;
  what: string;
  undo: () => void;
}

async function main(): Promise<number> {
  const options = parseArgs(process.argv.slice(2));
  const support = netnsSupport();
  if (!support.ok) {
    process.stderr.write(`chaos:netns cannot run: ${support.reason}\n`);
    return 3;
  }
  if (!support.nft) {
    // One-way cuts and deaf nodes are nftables input rules.
    process.stderr.write('chaos:netns cannot run: nftables (`nft`) is missing inside namespaces\n');
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
  const stalls: StallMark[] = [];
  const faults = new Map<FaultKind, number>(FAULT_KINDS.map((k) => [k, 0]));
  const pending: Pending[] = [];
  /** Nodes killed, terminated or stopped (at most a minority at once). */
  const down = new Set<string>();
  let partitioned = false;
  let masterChanges = 0;
  let seenEvents = 0;
  let lastMaster: string | null = null;
  let reported = 0;
  let exitCode = 0;

  /** Log master changes as they appear in the events file; report violations at once. */
  const watch = () => {
    const events = cluster.events();
    for (const e of events.slice(seenEvents)) {
      if (e.event === 'promote' && e.phase === 'begin') {
        masterChanges++;
        say(`master change: ${e.node} promote began (previous master ${lastMaster ?? 'none'})`);
        lastMaster = e.node;
      } else if (e.event === 'demote' && e.phase === 'end') {
        say(`${e.node} demote ended`);
      }
    }
    seenEvents = events.length;
    const report = checkOverlaps(events, kills, stalls);
    for (const v of report.violations.slice(reported)) say(`VIOLATION: ${describeOverlaps([v])}`);
    reported = report.violations.length;
  };
  const watcher = setInterval(watch, 200);

  const mark = (kind: FaultKind, detail: string) => {
    faults.set(kind, (faults.get(kind) ?? 0) + 1);
    say(`fault ${kind}: ${detail}`);
  };
  const runPending = (p: Pending) => {
    clearTimeout(p.timer);
    const i = pending.indexOf(p);
    if (i < 0) return;
    pending.splice(i, 1);
    try {
      p.undo();
      say(p.what);
    } catch (err) {
      say(`could not ${p.what}: ${(err as Error).message}`);
    }
  };
  const later = (ms: number, what: string, undo: () => void) => {
    const p: Pending = { timer: setTimeout(() => runPending(p), ms), what, undo };
    pending.push(p);
  };
  const currentMaster = (): string | undefined => promotedNodes(cluster.events(), kills).find((n) => cluster.running(n));
  const maxDown = Math.floor((options.nodes - 1) / 2);
  const masterOr = (master: string | undefined, pool: string[]) => (master && pool.includes(master) && random() < 0.4 ? master : pick(pool));
  const tagged = (node: string, master: string | undefined) => `${node}${node === master ? ' (master)' : ''}`;
  /** Random groups over all nodes: 2 or 3 groups, every group non-empty. */
  const randomGroups = (): string[][] => {
    const count = options.nodes === 3 ? 2 : 2 + Math.floor(random() * 2);
    const shuffled = [...names].sort(() => random() - 0.5);
    const groups: string[][] = Array.from({ length: count }, (_, g) => [shuffled[g]]);
    for (const n of shuffled.slice(count)) groups[Math.floor(random() * count)].push(n);
    return groups;
  };
  const cutHeal = () => {
    if (!partitioned) return;
    topo.heal();
    partitioned = false;
    faults.set('heal', (faults.get('heal') ?? 0) + 1);
  };

  try {
    say(`namespaces ${topo.nodeNs.join(' ')} (switch ${topo.switchNs}); addresses ${topo.addresses.join(' ')}`);
    const first = await agreedMaster(cluster, names, 30_000);
    say(`settled: master ${first}`);
    const end = Date.now() + options.minutes * 60_000;
    while (Date.now() < end && !interrupted) {
      const alive = names.filter((n) => cluster.running(n) && !down.has(n));
      const kinds: FaultKind[] = ['oneway', 'deaf', 'reload'];
      if (!partitioned) kinds.push('isolate', 'split');
      else kinds.push('heal', 'flip');
      if (down.size < maxDown) kinds.push('stop', 'kill', 'term');
      // Flips are possible only while partitioned: favour them then, or a soak applies too few.
      const kind = partitioned && random() < 0.35 ? 'flip' : pick(kinds);
      const master = currentMaster();
      switch (kind) {
        case 'isolate': {
          const node = masterOr(master, names);
          topo.isolate(nc.index(node));
          partitioned = true;
          const ms = between(2000, 10_000);
          later(ms, `scheduled heal after isolating ${node}`, cutHeal);
          mark(kind, `${tagged(node, master)} cut away for ${(ms / 1000).toFixed(1)} s`);
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
          const ms = between(2000, 10_000);
          later(ms, 'scheduled heal after a split', cutHeal);
          mark(kind, `${minority.join('+')} | ${pool.join('+')}${master ? ` (master ${master})` : ''} for ${(ms / 1000).toFixed(1)} s`);
          break;
        }
        case 'flip': {
          // A new random shape at once, no heal in between (the pending heal still comes).
          const groups = randomGroups();
          topo.partition(groups.map((g) => g.map((n) => nc.index(n))));
          mark(kind, `${groups.map((g) => g.join('+')).join(' | ')}${master ? ` (master ${master})` : ''}`);
          break;
        }
        case 'heal':
          topo.heal();
          partitioned = false;
          mark(kind, 'one bridge again');
          break;
        case 'oneway': {
          const to = pick(names);
          const from = masterOr(master, names.filter((n) => n !== to));
          topo.cutOneWay(nc.index(from), nc.index(to));
          const ms = between(2000, 10_000);
          later(ms, `lift the one-way cut ${from} -> ${to}`, () => topo.liftOneWay(nc.index(from), nc.index(to)));
          mark(kind, `${to} no longer hears ${tagged(from, master)} (it still hears ${to}) for ${(ms / 1000).toFixed(1)} s`);
          break;
        }
        case 'deaf': {
          const node = masterOr(master, names);
          topo.deafen(nc.index(node));
          const ms = between(2000, 10_000);
          later(ms, `${node} hears again`, () => topo.undeafen(nc.index(node)));
          mark(kind, `${tagged(node, master)} deaf for ${(ms / 1000).toFixed(1)} s`);
          break;
        }
        case 'stop': {
          const node = masterOr(master, alive);
          const ms = between(300, 4000);
          const stall: StallMark = { node, from: wallSeconds(), to: Infinity };
          cluster.signal(node, 'SIGSTOP');
          stalls.push(stall);
          down.add(node);
          later(ms, `SIGCONT ${node}`, () => {
            stall.to = wallSeconds();
            if (cluster.running(node)) cluster.signal(node, 'SIGCONT');
            down.delete(node);
          });
          mark(kind, `SIGSTOP ${tagged(node, master)} for ${(ms / 1000).toFixed(1)} s`);
          break;
        }
        case 'kill':
        case 'term': {
          const node = masterOr(master, alive);
          const restartIn = between(1000, 8000);
          if (kind === 'kill') {
            kills.push({ node, time: wallSeconds() });
            await cluster.stop(node, 'SIGKILL');
          } else {
            await cluster.stop(node, 'SIGTERM', 15_000);
          }
          down.add(node);
          later(restartIn, `restart ${node}`, () => {
            cluster.start(node);
            down.delete(node);
          });
          mark(kind, `${tagged(node, master)}; restart in ${(restartIn / 1000).toFixed(1)} s`);
          break;
        }
        case 'reload': {
          const node = masterOr(master, alive);
          if (!node) break;
          const conf = cluster.configText(cluster.spec(node)).replace(/^node \{\n/m, 'node {\n  force_restart true\n');
          cluster.writeConf(node, conf);
          cluster.signal(node, 'SIGHUP');
          mark(kind, `${tagged(node, master)}: force_restart true + SIGHUP (in-process restart)`);
          break;
        }
        default: {
          const never: never = kind;
          throw new Error(`unknown fault ${String(never)}`);
        }
      }
      await sleep(between(1000, 6000));
    }

    // Wind down: heal, lift every cut, resume and restart everyone, one master.
    say('end of faults: heal, lift cuts, resume and restart every node');
    for (const p of [...pending]) runPending(p);
    topo.heal();
    topo.clearCuts();
    for (const node of names) if (!cluster.running(node)) cluster.start(node);
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
    const events = cluster.events();
    const overlaps = checkOverlaps(events, kills, stalls);
    const spec = checkMastership(events, kills, stalls);
    const margins = spec.handovers.filter((h) => h.marginS !== undefined && h.previousEnd !== 'killed').map((h) => h.marginS!);
    const minutes = (wallSeconds() - started) / 60;
    const faultTotal = [...faults.values()].reduce((a, b) => a + b, 0);
    const longestExcused = Math.max(0, ...overlaps.excused.map((o) => o.lengthS));
    process.stdout.write([
      '',
      'chaos:netns summary',
      `  seed             ${options.seed}`,
      `  nodes / quorum   ${options.nodes} / ${quorum}`,
      `  minutes          ${minutes.toFixed(1)}`,
      `  faults           ${faultTotal}`,
      ...FAULT_KINDS.map((k) => `    ${k.padEnd(8)} ${faults.get(k)}`),
      `  master changes   ${masterChanges} promotes`,
      `  demote→promote   ${margins.length > 0 ? `min ${(Math.min(...margins) * 1000).toFixed(0)} ms over ${margins.length} handovers from a demote/stop` : 'no handover from a live master'}`,
      `  violations       ${overlaps.violations.length} overlapping promoted intervals (promote begin … demote end)`,
      `  SPEC §3 begins   ${spec.violations.length} promotes began before the other master began to demote`,
      `  excused          ${overlaps.excused.length} overlaps with a SIGSTOPped older master that ended ≤ ${RESUME_GRACE_S} s after SIGCONT${overlaps.excused.length ? ` (longest ${(longestExcused * 1000).toFixed(0)} ms)` : ''}`,
      `  settled          ${settled ? `yes, master ${settled}` : 'NO'}`,
      '',
    ].join('\n'));
    if (overlaps.excused.length > 0) process.stdout.write(`excused overlaps:\n${describeOverlaps(overlaps.excused)}\n`);
    if (overlaps.violations.length > 0 || spec.violations.length > 0) {
      process.stdout.write(`violations (UTC times):\n${describeOverlaps(overlaps.violations)}\n`);
      if (spec.violations.length > 0) process.stdout.write(`${describeViolations(spec.violations)}\n`);
      exitCode = 1;
    }
    if (exitCode !== 0 && options.keep) process.stdout.write(`logs kept in ${cluster.dir}\n${cluster.tails(40)}\n`);
    return exitCode;
  } finally {
    clearInterval(watcher);
    for (const p of pending.splice(0)) clearTimeout(p.timer);
    for (const node of names) if (cluster.running(node)) cluster.signal(node, 'SIGCONT');
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
