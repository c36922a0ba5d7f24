/**
 * `npm run bench:vip` (root): failover of a virtual IP as a client sees it,
 * koi's built-in `vip` service against keepalived, in one namespace lab
 * (scripts/lib/vip-lab.ts): three servers and a client on one bridge, an
 * HTTP responder on every server answering its own name, the client asking
 * the VIP every 10 ms on a fresh connection.
 *
 * Cases, each run on the current master:
 * - dead:    SIGKILL of the manager (koinode / keepalived) and its link cut: a machine that died;
 * - cut:     its link cut only: a partitioned master;
 * - planned: koi: `koi promote <other>`; keepalived (no such command): SIGTERM of the master's keepalived.
 * Outage = last answer from the old master → first answer from another node (client clock). Interleaved =
 * the answering node changed more than once (old → new → old ...). Leftovers = servers other than the master
 * holding the VIP once the lab settled after the run (the dead/cut node back on the network, restarted).
 *
 *   node dist/bench/vip.js [--runs 10] [--only koi-default,koi-fast,keepalived-1,keepalived-0.1]
 *       [--cases dead,cut,planned] [--no-write]
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { sleep } from '../scripts/lib/cluster';
import { netnsSupport } from '../scripts/lib/netns';
import { leaderOf } from '../scripts/lib/netns-cluster';
import { judgeFailover, masterAmong, VipLab, type Probe } from '../scripts/lib/vip-lab';
import { describeMachine } from './lib/machine';
import { fastProfile } from './lib/profiles';
import { writeSection } from './lib/report';
import { secs, summarize, type Summary } from './lib/stats';

const SETUPS = ['koi-default', 'koi-fast', 'keepalived-1', 'keepalived-0.1'] as const;
type SetupName = (typeof SETUPS)[number];
const CASES = ['dead', 'cut', 'planned'] as const;
type CaseName = (typeof CASES)[number];

const SETUP_LABEL: Record<SetupName, string> = {
  'koi-default': 'koi, default timings',
  'koi-fast': 'koi, examples/fast.conf',
  'keepalived-1': 'keepalived, advert_int 1',
  'keepalived-0.1': 'keepalived, advert_int 0.1',
};
const CASE_LABEL: Record<CaseName, string> = {
  dead: 'SIGKILL + link cut',
  cut: 'link cut only',
  planned: 'planned switch',
};

interface Sample {
  setup: SetupName;
  case: CaseName;
  oldMaster: string;
  newMaster: string | null;
  outageMs: number | null;
  interleavings: number;
  leftovers: number;
  sequence: string;
  /** Longest silence the client saw after the old master was back (restarted and/or reconnected) until steady again. */
  afterHealGapMs: number;
}

/** What differs between koi and keepalived: how to run, kill, stop and restart the manager on a server. */
interface Manager {
  lab: VipLab;
  /** Wait for a settled master and get it ready for a run (koi: a plain runner, not the leader). */
  prepare(): Promise<string>;
  kill(node: string): Promise<void>;
  /** The planned switch away from `node`. */
  planned(node: string): Promise<void>;
  /** Start the manager on `node` again (after kill or a planned stop). */
  restart(node: string): Promise<void>;
  /** After a failed run: start the manager on `node` if it is not running. */
  ensureRunning(node: string): void;
  close(): Promise<void>;
}

// ---------------------------------------------------------------- koi

async function koiManager(fast: boolean): Promise<Manager> {
  const lab = new VipLab({ koi: { time: fast ? fastProfile().time : {}, statusInterval: '1s' } }).create();
  await lab.startResponders();
  const cluster = lab.cluster!;
  const names = lab.names;
  return {
    lab,
    async prepare() {
      let master = await masterAmong(cluster, names, 60_000);
      const leader = await leaderOf(cluster, names[0]);
      if (master === leader) {
        const target = names.find((n) => n !== leader)!;
        const r = await cluster.koi(['promote', target], { node: leader, timeoutMs: 3000 });
        if (r.code !== 0) throw new Error(`koi promote ${target}: ${r.stdout}${r.stderr}`);
        master = await cluster.waitFor(`${target} master`, async () => ((await masterAmong(cluster, names)) === target ? target : undefined), 30_000, 300);
      }
      return master;
    },
    ensureRunning(node) {
      if (!cluster.running(node)) cluster.start(node);
    },
    async kill(node) {
      cluster.signal(node, 'SIGKILL');
    },
    async planned(node) {
      const leader = await leaderOf(cluster, names[0]);
      const target = names.find((n) => n !== node && n !== leader) ?? names.find((n) => n !== node)!;
      const r = await cluster.koi(['promote', target], { node: target, timeoutMs: 3000 });
      if (r.code !== 0) throw new Error(`koi promote ${target}: ${r.stdout}${r.stderr}`);
    },
    async restart(node) {
      await cluster.stop(node, 'SIGKILL');
      cluster.start(node);
    },
    close: () => lab.close(),
  };
}

// ---------------------------------------------------------------- keepalived

function keepalivedConf(lab: VipLab, i: number, advertInt: string): string {
  const self = lab.serverAddresses[i];
  const peers = lab.serverAddresses.filter((_, j) => j !== i);
  return `global_defs {
  router_id ${lab.names[i]}
${advertInt === '1' ? '' : '  vrrp_version 3\n'}}
vrrp_instance VI_1 {
  state BACKUP
  interface eth0
  virtual_router_id 51
  priority 100
  advert_int ${advertInt}
  unicast_src_ip ${self}
  unicast_peer {
${peers.map((p) => `    ${p}`).join('\n')}
  }
  virtual_ipaddress {
    ${lab.vip}/24 dev eth0
  }
}
`;
}

async function keepalivedManager(advertInt: string): Promise<Manager> {
  const lab = new VipLab().create();
  await lab.startResponders();
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'koi-vip-keepalived-'));
  const procs = new Map<string, ChildProcess>();
  let starts = 0;
  const start = (i: number): void => {
    const name = lab.names[i];
    // Fresh pid files per start: a killed keepalived's VRRP child stays a zombie here (PID 1 does not reap orphans),
    // and keepalived refuses to start while an old pid file names a pid that still exists.
    const run = `${name}-${++starts}`;
    const conf = path.join(dir, `${name}.conf`);
    fs.writeFileSync(conf, keepalivedConf(lab, i, advertInt));
    const log = fs.openSync(path.join(dir, `${name}.log`), 'a');
    const child = spawn('ip', ['netns', 'exec', lab.serverNs[i], 'keepalived', '-n', '-l', '-D', '-P', '-G', '-f', conf,
      '-p', path.join(dir, `${run}.pid`), '-r', path.join(dir, `${run}-vrrp.pid`), '-c', path.join(dir, `${run}-chk.pid`)],
    { stdio: ['ignore', log, log], detached: true });
    fs.closeSync(log);
    lab.adopt(child);
    procs.set(name, child);
  };
  const stop = async (name: string, signal: NodeJS.Signals): Promise<void> => {
    const child = procs.get(name);
    if (!child || child.exitCode !== null || child.signalCode !== null) return;
    const exited = new Promise((resolve) => child.once('exit', resolve));
    // The parent and its VRRP child share the process group: a dead machine loses both at once.
    process.kill(signal === 'SIGKILL' ? -child.pid! : child.pid!, signal);
    await exited;
  };
  lab.names.forEach((_, i) => start(i));
  return {
    lab,
    async prepare() {
      return settledHolder(lab, 60_000);
    },
    kill: (node) => stop(node, 'SIGKILL'),
    planned: (node) => stop(node, 'SIGTERM'),
    async restart(node) {
      await stop(node, 'SIGKILL');
      start(lab.names.indexOf(node));
    },
    ensureRunning(node) {
      const child = procs.get(node);
      if (!child || child.exitCode !== null || child.signalCode !== null) start(lab.names.indexOf(node));
    },
    async close() {
      for (const name of lab.names) await stop(name, 'SIGKILL');
      await lab.close();
      fs.rmSync(dir, { recursive: true, force: true });
    },
  };
}

// ---------------------------------------------------------------- runs

/** The one server holding the VIP, unchanged for `quietMs` (keepalived's preemption settles within it). */
async function settledHolder(lab: VipLab, timeoutMs: number, quietMs = 3000): Promise<string> {
  const until = Date.now() + timeoutMs;
  let holder = '';
  let since = Date.now();
  for (;;) {
    const now = lab.holders();
    const current = now.length === 1 ? now[0] : '';
    if (current !== holder) {
      holder = current;
      since = Date.now();
    }
    if (holder && Date.now() - since >= quietMs) return holder;
    if (Date.now() > until) throw new Error(`the VIP did not settle on one server within ${timeoutMs} ms (holders: ${now.join(', ') || 'none'})`);
    await sleep(100);
  }
}

/** The client has been answered by `node` only, at least 20 times, for the last 500 ms. */
async function clientOn(probe: Probe, node: string, timeoutMs = 15_000): Promise<void> {
  const until = Date.now() + timeoutMs;
  for (;;) {
    const recent = probe.since(Date.now() - 500);
    if (recent.length >= 20 && recent.every((a) => a.from === node)) return;
    if (Date.now() > until) throw new Error(`the client is not answered by ${node} alone (last 500 ms: ${[...new Set(recent.map((a) => a.from))].join(', ') || 'nothing'})`);
    await sleep(100);
  }
}

async function runOne(m: Manager, probe: Probe, setup: SetupName, kase: CaseName): Promise<Sample> {
  const { lab } = m;
  const master = await m.prepare();
  await clientOn(probe, master);
  const index = lab.names.indexOf(master);
  const t0 = performance.timeOrigin + performance.now();
  // Judged from here: the last 500 ms were answered by the master alone (earlier answers may come from whoever
  // was master before prepare() moved it, which is not part of this run).
  const from = t0 - 500;
  if (kase === 'dead') {
    await m.kill(master);
    lab.topo.isolate(index);
  } else if (kase === 'cut') {
    lab.topo.isolate(index);
  } else {
    await m.planned(master);
  }
  const first = await probe.firstOther(master, t0, 30_000);
  await sleep(1000);
  const until = (first?.at ?? Date.now()) + 1000;
  const judged = judgeFailover(probe.answers.filter((a) => a.at >= from && a.at <= until), master);
  // Put the old master back: restarted (dead, planned for keepalived) and/or reconnected.
  if (kase === 'dead') {
    await m.restart(master);
    await sleep(3000);
    lab.topo.heal();
  } else if (kase === 'cut') {
    lab.topo.heal();
  } else if (setup.startsWith('keepalived')) {
    await m.restart(master);
  }
  const restored = performance.timeOrigin + performance.now();
  const now = await settledHolder(lab, 60_000);
  // After the old master is back, the client may be stranded on a MAC that no longer has the address (a stale ARP entry
  // only expires after tens of seconds): the longest silence until it is answered steadily again is part of the cost.
  await clientOn(probe, now, 90_000);
  const after = probe.answers.filter((a) => a.at >= restored - 1000);
  const afterHealGapMs = after.slice(1).reduce((worst, a, i) => Math.max(worst, a.at - after[i].at), 0);
  const leftovers = lab.holders().filter((n) => n !== now).length;
  return {
    setup, case: kase, oldMaster: master, newMaster: judged.newMaster, outageMs: judged.outageMs, interleavings: judged.interleavings,
    leftovers, sequence: judged.sequence, afterHealGapMs,
  };
}

interface SetupResult {
  setup: SetupName;
  samples: Sample[];
  summary: Partial<Record<CaseName, Summary>>;
  /** Runs that could not be set up or did not settle (not in the samples). */
  failures: Array<{ case: CaseName; reason: string }>;
  wallMs: number;
  /** 1-minute load average at the end of the setup. */
  load: number;
}

/** The lab being measured, closed by an interrupt (Ctrl-C) so no namespace or process is left behind. */
let current: Manager | null = null;
for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  process.once(signal, () => {
    process.stderr.write(`bench:vip: ${signal}, closing the lab\n`);
    void (current?.close() ?? Promise.resolve()).finally(() => process.exit(130));
  });
}

async function runSetup(setup: SetupName, runs: number, cases: readonly CaseName[]): Promise<SetupResult> {
  const started = Date.now();
  const m = setup === 'koi-default' ? await koiManager(false)
    : setup === 'koi-fast' ? await koiManager(true)
      : await keepalivedManager(setup === 'keepalived-1' ? '1' : '0.1');
  const probe = m.lab.probe();
  const samples: Sample[] = [];
  const failures: SetupResult['failures'] = [];
  current = m;
  try {
    let failedInARow = 0;
    outer: for (let r = 0; r < runs; r++) {
      for (const kase of cases) {
        let s: Sample;
        try {
          s = await runOne(m, probe, setup, kase);
          failedInARow = 0;
        } catch (err) {
          // A run that could not be set up or did not settle is counted, the lab repaired, and the next run tried.
          const reason = err instanceof Error ? err.message.split('\n')[0] : String(err);
          failures.push({ case: kase, reason });
          process.stdout.write(`${setup} ${kase} #${r + 1}: FAILED (${reason})\n`);
          m.lab.topo.heal();
          for (const name of m.lab.names) m.ensureRunning(name);
          if (++failedInARow >= 3) {
            process.stdout.write(`${setup}: 3 runs failed in a row; giving up on this setup\n`);
            break outer;
          }
          continue;
        }
        samples.push(s);
        process.stdout.write(`${setup} ${kase} #${r + 1}: ${s.oldMaster} → ${s.newMaster ?? 'none'} outage ${s.outageMs === null ? 'n/a' : `${(s.outageMs / 1000).toFixed(3)} s`}`
          + `${s.interleavings ? `, ${s.interleavings} interleaving(s) (${s.sequence})` : ''}${s.leftovers ? `, ${s.leftovers} leftover VIP(s)` : ''}`
          + `; after the old master came back: longest silence ${(s.afterHealGapMs / 1000).toFixed(3)} s\n`);
      }
    }
  } finally {
    current = null;
    probe.stop();
    await m.close();
  }
  const summary: SetupResult['summary'] = {};
  for (const kase of cases) {
    summary[kase] = summarize(samples.filter((s) => s.case === kase && s.outageMs !== null).map((s) => s.outageMs!));
  }
  return { setup, samples, failures, summary, wallMs: Date.now() - started, load: os.loadavg()[0] };
}

// ---------------------------------------------------------------- report

function table(results: SetupResult[], cases: readonly CaseName[]): string {
  const rows = ['| case | setup | runs | median s | p90 s | max s | min s | interleaved runs | leftover VIPs | after the old master is back: longest silence, median / max s |', '| --- | --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |'];
  for (const kase of cases) {
    for (const r of results) {
      const s = r.summary[kase];
      if (!s) continue;
      const samples = r.samples.filter((x) => x.case === kase);
      const missing = samples.filter((x) => x.outageMs === null).length + r.failures.filter((f) => f.case === kase).length;
      const label = kase === 'planned' ? (r.setup.startsWith('koi') ? 'planned: `koi promote`' : 'planned: SIGTERM keepalived') : CASE_LABEL[kase];
      rows.push(`| ${label} | ${SETUP_LABEL[r.setup]} | ${s.n}${missing ? ` (+${missing} failed)` : ''} | ${secs(s.median)} | ${secs(s.p90)} | ${secs(s.max)} | ${secs(s.min)} | `
        + `${samples.filter((x) => x.interleavings > 0).length} | ${samples.reduce((a, x) => a + x.leftovers, 0)} | `
        + `${secs(summarize(samples.map((x) => x.afterHealGapMs)).median)} / ${secs(summarize(samples.map((x) => x.afterHealGapMs)).max)} |`);
    }
  }
  return rows.join('\n');
}

function targets(results: SetupResult[]): string {
  const get = (setup: SetupName, kase: CaseName) => results.find((r) => r.setup === setup)?.summary[kase];
  const lines = ['| figure | target | measured | met? |', '| --- | --- | --- | --- |'];
  const koiDead = get('koi-default', 'dead');
  const k1Dead = get('keepalived-1', 'dead');
  if (koiDead && k1Dead) {
    const ratio = koiDead.median / k1Dead.median;
    lines.push(`| dead machine, koi defaults vs keepalived advert_int 1 (medians) | ≤ 0.5 × | ${secs(koiDead.median)} / ${secs(k1Dead.median)} s = ${ratio.toFixed(2)} × | ${ratio <= 0.5 ? 'yes' : '**no**'} |`);
  }
  const fastDead = get('koi-fast', 'dead');
  const k01Dead = get('keepalived-0.1', 'dead');
  if (fastDead && k01Dead) {
    lines.push(`| dead machine, koi fast vs keepalived advert_int 0.1 (medians) | ≤ 1 × | ${secs(fastDead.median)} / ${secs(k01Dead.median)} s | ${fastDead.median <= k01Dead.median ? 'yes' : '**no**'} |`);
  }
  for (const setup of ['koi-default', 'koi-fast'] as const) {
    const planned = get(setup, 'planned');
    if (planned) lines.push(`| planned \`koi promote\`, ${SETUP_LABEL[setup]} (max) | ≤ 0.5 s | ${secs(planned.max)} s | ${planned.max <= 500 ? 'yes' : '**no**'} |`);
  }
  for (const r of results.filter((x) => x.setup.startsWith('koi'))) {
    const inter = r.samples.filter((s) => s.interleavings > 0).length;
    const left = r.samples.reduce((a, s) => a + s.leftovers, 0);
    lines.push(`| ${SETUP_LABEL[r.setup]}: runs with interleaved answers / leftover VIPs | 0 / 0 | ${inter} / ${left} | ${inter === 0 && left === 0 ? 'yes' : '**no**'} |`);
  }
  return lines.join('\n');
}

function section(results: SetupResult[], cases: readonly CaseName[], runs: number, machine: string, wallMs: number, startLoad: number): string {
  return `## Virtual IP failover, as a client sees it

Measured by \`npm run bench:vip\` (bench/vip.ts) on ${machine}; the whole run took ${Math.round(wallMs / 1000)} s.
Lab (scripts/lib/vip-lab.ts): three servers and one client in network namespaces on one bridge; every server runs an
HTTP responder on the VIP's port answering its own name; the client opens a fresh connection to the VIP every 10 ms
(1 s timeout each). koi: 3 nodes, quorum 2, the built-in \`vip\` service (\`10-vip\`, defaults: duplicate check
100 ms, 3 announcements a second apart) and a recording \`20-app\` service; the master is a plain runner (another node
leads). keepalived ${keepalivedVersion()}: VRRP with unicast peers, all three \`state BACKUP\`, priority 100, otherwise
its defaults (preemption on; \`vrrp_version 3\` for the 0.1 s interval, which VRRPv2 cannot express).
${runs} runs per case, cases interleaved. **Outage** = the client's last answer from the old master → its first answer
from another server. **Interleaved** = a run in which the answering server changed more than once (two masters as the
client sees it). **Leftover VIPs** = servers other than the master still holding the address once the lab settled
after the run (the old master reconnected and, after a kill, restarted). **After the old master is back** = the
longest gap between two answers from that moment until the client is answered steadily again (a client left with a
stale ARP entry for a server that no longer holds the address waits until the entry expires).

${table(results, cases)}

${targets(results)}

- Planned switch for keepalived (it has no command for it): SIGTERM of the master's keepalived, which resigns with a
  priority-0 advertisement.
- Wall time and 1-minute load average at the end of each setup: ${results.map((r) => `${SETUP_LABEL[r.setup]} ${Math.round(r.wallMs / 1000)} s, load ${r.load.toFixed(1)}`).join('; ')}
  (load at the start: ${startLoad.toFixed(1)}; other jobs shared this machine).
${results.flatMap((r) => r.failures.map((f) => `- Failed run, ${SETUP_LABEL[r.setup]}, ${CASE_LABEL[f.case]}: ${f.reason}`)).join('\n')}
`;
}

function keepalivedVersion(): string {
  const r = spawnSync('keepalived', ['--version'], { encoding: 'utf8' });
  return /Keepalived (v\S+)/.exec(`${r.stdout}${r.stderr}`)?.[1] ?? '(version unknown)';
}

function parseArgs(argv: string[]): { runs: number; setups: SetupName[]; cases: CaseName[]; write: boolean } {
  const options = { runs: 10, setups: [...SETUPS] as SetupName[], cases: [...CASES] as CaseName[], write: true };
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i];
    const list = <T extends string>(all: readonly T[]): T[] => {
      const items = (argv[++i] ?? '').split(',').filter(Boolean);
      const bad = items.filter((x) => !all.includes(x as T));
      if (bad.length || !items.length) throw new Error(`${arg}: expected some of ${all.join(',')}, got '${argv[i]}'`);
      return items as T[];
    };
    switch (arg) {
      case '--runs': options.runs = Number(argv[++i]); if (!(options.runs > 0)) throw new Error(`--runs: '${argv[i]}' is not a positive number`); break;
      case '--only': options.setups = list(SETUPS); break;
      case '--cases': options.cases = list(CASES); break;
      case '--no-write': options.write = false; break;
      default: throw new Error(`unknown argument '${arg}'`);
    }
  }
  return options;
}

async function main(): Promise<void> {
  const options = parseArgs(process.argv.slice(2));
  const support = netnsSupport();
  if (!support.ok) throw new Error(`bench:vip needs network namespaces: ${support.reason}`);
  const missing = ['arping', 'ndisc6', ...(options.setups.some((s) => s.startsWith('keepalived')) ? ['keepalived'] : [])]
    .filter((cmd) => spawnSync('sh', ['-c', `command -v ${cmd}`]).status !== 0);
  if (missing.length) throw new Error(`bench:vip needs ${missing.join(', ')} (Debian packages arping, ndisc6, keepalived)`);
  const machine = describeMachine();
  const startLoad = os.loadavg()[0];
  const started = Date.now();
  const results: SetupResult[] = [];
  for (const setup of options.setups) results.push(await runSetup(setup, options.runs, options.cases));
  const text = section(results, options.cases, options.runs, machine, Date.now() - started, startLoad);
  process.stdout.write(`\n${text}\n`);
  const complete = options.setups.length === SETUPS.length && options.cases.length === CASES.length;
  if (options.write && complete) {
    writeSection('Virtual IP failover, as a client sees it', text);
    process.stdout.write('written to docs/performance.md\n');
  } else if (options.write) {
    process.stdout.write('(a partial run: docs/performance.md left untouched)\n');
  }
}

main().catch((err) => {
  process.stderr.write(`bench:vip failed: ${err instanceof Error ? err.stack : String(err)}\n`);
  process.exitCode = 1;
});
