/**
 * `npm run demo`: a local three-node koi cluster on 127.0.0.1 running the
 * example services of examples/services. It prints `koi tree`, kills the
 * master with SIGKILL, prints the tree again with who took over and how long
 * it took, then stops every node and checks, by pid, that nothing is left.
 *
 * Everything lives in a temporary folder; only loopback traffic is sent.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { Cluster, KOINODE, REPO_ROOT, pidAlive, type MasterView } from './lib/cluster';

const NODES = ['koi-a', 'koi-b', 'koi-c'];
const EXAMPLE_SERVICES = path.join(REPO_ROOT, 'examples', 'services');
const color = process.stdout.isTTY === true && !process.env.NO_COLOR;
const bold = (s: string): string => (color ? `\x1b[1m${s}\x1b[0m` : s);

function say(text = ''): void {
  process.stdout.write(`${text}\n`);
}

function indent(text: string): string {
  return text.trimEnd().split('\n').map((l) => `    ${l}`).join('\n');
}

/** Every node listed and not Disconnected, one master with every service Promoted, the others Started. */
function settledOn(view: MasterView, running: string[]): boolean {
  const live = view.nodes.filter((n) => n.state !== 'Disconnected' && n.state !== 'Offline');
  return live.map((n) => n.name).sort().join() === [...running].sort().join() && live.every((n) => {
    const want = n.name === view.master.name ? ['Master', 'Promoted'] : ['Slave', 'Started'];
    return n.state === want[0] && n.services.length > 0 && n.services.every((s) => s.state === want[1]);
  });
}

async function main(): Promise<number> {
  if (!fs.existsSync(KOINODE)) {
    process.stderr.write(`demo: ${KOINODE} is missing; run \`npm run build\` first (npm run demo does).\n`);
    return 1;
  }
  const cluster = await Cluster.create({
    nodes: NODES.map((name) => ({ name })),
    quorum: 2,
    statusInterval: '1s',
    // The example replica is "syncing" (not promotable) this long after its start.
    env: { KOI_REPLICA_SYNC_SECONDS: '1' },
    writeServices: (dir) => fs.cpSync(EXAMPLE_SERVICES, dir, { recursive: true }),
  });
  const cleanup = (): void => {
    void cluster.close().finally(() => process.exit(130));
  };
  process.once('SIGINT', cleanup);
  process.once('SIGTERM', cleanup);

  try {
    say(bold('koi demo: three nodes on 127.0.0.1, quorum 2, the services of examples/services'));
    say(`  folder ${cluster.dir}`);
    say(`  ports  ${NODES.map((n) => `${n}:${cluster.ports.get(n)}`).join('  ')}`);
    say();
    const startedAt = Date.now();
    cluster.start();
    const first = await cluster.waitForMaster((v) => settledOn(v, NODES), 60_000);
    say(`${bold('1. The cluster is up')} (master ${first.master.name}, every service promoted ${((Date.now() - startedAt) / 1000).toFixed(1)} s after start):`);
    say(`  $ koi tree\n${indent((await cluster.koi(['tree'], { color })).stdout)}`);
    say();

    // Watch the survivors' logs for the new master's transitions, timed as the lines arrive.
    const victim = first.master.name;
    const serviceCount = first.nodes.find((n) => n.name === victim)!.services.length;
    let namedAt = 0;
    let lastPromotedAt = 0;
    const promotedBy = new Map<string, number>();
    cluster.onLine((node, line) => {
      if (node === victim) return;
      if (!namedAt && /\[runner\] Transition\[Slave -> Master\]/.test(line)) namedAt = Date.now();
      if (/Transition\[Promoting -> Promoted\]/.test(line)) {
        promotedBy.set(node, (promotedBy.get(node) ?? 0) + 1);
        lastPromotedAt = Date.now();
      }
    });
    const pid = cluster.pid(victim);
    const killedAt = Date.now();
    cluster.signal(victim, 'SIGKILL');
    say(`${bold('2. kill -9')} ${victim} (the master, pid ${pid})`);
    const survivors = NODES.filter((n) => n !== victim);
    const second = await cluster.waitForMaster((v) => v.master.name !== victim && (promotedBy.get(v.master.name) ?? 0) >= serviceCount
      && v.nodes.filter((n) => n.name === v.master.name).every((n) => n.services.every((s) => s.state === 'Promoted')), 60_000);
    const successor = second.master.name;
    say(`  ${successor} took over: named master ${namedAt - killedAt} ms after the kill, `
      + `all ${serviceCount} services promoted after ${lastPromotedAt - killedAt} ms.`);
    say(`  (${second.leader.name === first.leader.name ? '' : 'A new leader is elected first; then '}the leader waits for the dead master's lease`);
    say(`   to run out before it promotes another node: see docs/architecture.md, "Timings".)`);
    say();
    const tree = await cluster.koi(['tree'], { color, node: survivors[0] });
    const remembered = second.nodes.find((n) => n.name === victim);
    say(`${bold('3. The cluster after the failover')} (${victim} ${remembered?.state === 'Disconnected'
      ? 'is remembered as Disconnected for 30 minutes'
      : 'was the leader too: the new leader has no runner record of it and lists it OFFLINE, with where it was last heard'}):`);
    say(`  $ koi tree\n${indent(tree.stdout)}`);
    say();

    say(`${bold('4. Stopping')} ${survivors.join(' and ')} (SIGTERM: demote, stop the services, exit 0)`);
    const codes = await Promise.all(survivors.map((n) => cluster.stop(n, 'SIGTERM')));
    const leftovers = cluster.leftovers();
    const pids = NODES.map((n) => cluster.pid(n));
    await cluster.close();
    if (codes.some((code) => code !== 0)) {
      say(`  unexpected exit codes: ${survivors.map((n, i) => `${n}=${codes[i]}`).join(' ')}`);
      return 1;
    }
    if (leftovers.koinodes.length > 0 || leftovers.others.length > 0 || pids.some(pidAlive)) {
      say(`  processes left behind: ${JSON.stringify(leftovers)}`);
      return 1;
    }
    say(`  exit codes 0; no process left behind (checked koinode pids ${pids.join(', ')} and every process mentioning the folder).`);
    return 0;
  } catch (err) {
    process.stderr.write(`demo failed: ${err instanceof Error ? err.message : String(err)}\n`);
    await cluster.close();
    return 1;
  }
}

void main().then((code) => process.exit(code));
