/**
 * `npm run guide:check`: walks docs/guide.md end to end on three "machines"
 * (real koinode processes, one per network namespace, on a private bridge;
 * root only — without root it says so and exits 0), as an operator
 * following the guide would, and checks that what the guide shows is what
 * happens: `koinode --check`, start-up, `koi status` / `tree` / `local`,
 * the guide's own virtual-IP scripts (taken from the guide's text: the
 * address really moves between the namespaces' eth0), a failing service
 * with `koi failures` and `koi recover`, promote / demote / elect / stop /
 * start / reconfigure, an unknown node, `--json`, a disabled service,
 * maintenance mode, a dead node kept in the view (OFFLINE), and "master
 * none" with its reason. Exit 1 and a list of what differs otherwise.
 */
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { KOINODE, REPO_ROOT, sleep, type Cluster } from './lib/cluster';
import { createNetnsCluster, type NetnsCluster } from './lib/netns-cluster';
import { netnsSupport } from './lib/netns';

const GUIDE = path.join(REPO_ROOT, 'docs', 'guide.md');

/** The guide's code block that starts with `# /etc/koi/services/<name>` (the script the guide tells you to write). */
/** The guide's `vip` file for the built-in virtual-IP service (the plain block holding `address 192.168.1.10/…`). */
function guideVipFile(guide: string): string {
  const lines = guide.split('\n');
  const at = lines.findIndex((l) => /^\s*address 192\.168\.1\.10\//.test(l));
  if (at < 0) throw new Error('docs/guide.md has no vip file with "address 192.168.1.10/..."');
  let from = at;
  while (from > 0 && !/^\s*```/.test(lines[from - 1])) from--;
  let to = at;
  while (to < lines.length - 1 && !/^\s*```/.test(lines[to + 1])) to++;
  return `${lines.slice(from, to + 1).map((l) => l.trim()).join('\n')}\n`;
}

interface Step {
  what: string;
  run: () => Promise<void>;
}

function check(ok: unknown, message: string): void {
  if (!ok) throw new Error(message);
}

async function main(): Promise<number> {
  const support = netnsSupport();
  if (!support.ok) {
    process.stdout.write(`guide:check skipped: ${support.reason} (it builds network namespaces; run it as root)\n`);
    return 0;
  }
  const guide = fs.readFileSync(GUIDE, 'utf8');
  let vip = '';
  let nc: NetnsCluster | undefined;
  const failures: string[] = [];
  try {
    nc = createNetnsCluster(3, {
      start: false,
      quorum: 2,
      tag: 'koi-guide',
      writeServices: (dir) => {
        // The example services the guide's output shows, with its virtual IP replaced by the guide's own
        // built-in vip service (the file it tells operators to write).
        fs.cpSync(path.join(REPO_ROOT, 'examples', 'services'), dir, { recursive: true });
        fs.rmSync(path.join(dir, '10-virtualip'), { recursive: true, force: true });
        fs.mkdirSync(path.join(dir, '10-vip'));
        fs.writeFileSync(path.join(dir, '10-vip', 'vip'), guideVipFile(guide).replace(/192\.168\.1\.10\/\d+/g, '@VIP@/24'));
      },
    });
    const c: Cluster = nc.cluster;
    const names = nc.names;
    vip = nc.topo.addresses[0].replace(/\.\d+$/, '.100');
    for (const name of names) {
      const file = path.join(c.nodeDir(name), 'services', '10-vip', 'vip');
      fs.writeFileSync(file, fs.readFileSync(file, 'utf8').replace(/@VIP@/g, vip));
      fs.chmodSync(c.confPath(name), 0o600);
    }
    const holders = (): string[] => names.filter((n, i) => {
      const r = spawnSync('ip', ['-n', nc!.topo.nodeNs[i], '-4', 'addr', 'show', 'dev', 'eth0'], { encoding: 'utf8' });
      return r.stdout.includes(` ${vip}/`);
    });
    const text = async (args: string[], node?: string): Promise<string> => {
      const r = await c.koi(args, { node });
      check(r.code === 0, `koi ${args.join(' ')}: exit ${r.code}: ${r.stderr}`);
      return r.stdout;
    };

    const steps: Step[] = [
      {
        what: 'Configuration: koinode --check accepts each node\'s file (exit 0) and names file:line of a mistake (exit 78)',
        run: async () => {
          for (const name of names) {
            const r = spawnSync(process.execPath, [KOINODE, '--check', '-f', c.confPath(name)], { encoding: 'utf8' });
            check(r.status === 0 && r.stdout.includes('configuration OK'), `--check ${name}: exit ${r.status}: ${r.stdout}${r.stderr}`);
          }
          const broken = path.join(c.dir, 'broken.conf');
          fs.writeFileSync(broken, fs.readFileSync(c.confPath(names[0]), 'utf8').replace(/quorum 2/, 'quorum two'), { mode: 0o600 });
          const r = spawnSync(process.execPath, [KOINODE, '--check', '-f', broken], { encoding: 'utf8' });
          check(r.status === 78 && /broken\.conf:\d+: cluster\.quorum: /.test(r.stderr), `--check of a broken file: exit ${r.status}: ${r.stderr}`);
        },
      },
      {
        what: 'Starting koinode: three nodes have a leader and a master within a few seconds; the VIP is on the master only',
        run: async () => {
          c.start();
          // Every service of the master promoted (the VIP's promote included: it must not fail), the others Slave.
          const view = await c.waitForMaster((v) => v.nodes.filter((n) => n.state === 'Slave' || n.state === 'Master').length === 3
            && v.nodes.find((n) => n.name === v.master.name)!.services.every((s) => s.state === 'Promoted'), 20_000);
          await c.waitFor('the VIP on the master', () => holders().join() === view.master.name, 10_000);
        },
      },
      {
        what: 'Monitoring: koi status has the header, the quorum line, one row per node with the example services, the FLAGS legend',
        run: async () => {
          const out = await text(['status']);
          check(/^Cluster 13: leader k\d, master k\d\nMaintenance: off {2}Manual master: off {2}Target master: - {2}Quorum: 3 seen, 2 needed \(has quorum\)\n\nNODE +STATE +MODE +FLAGS +ADDRESS +LAST SEEN +UPTIME +FAILS +SERVICES\n/.test(out), `status header:\n${out}`);
          for (const name of names) check(new RegExp(`^${name} +(Master|Slave) +Active +ER[L-]- +10\\.254\\.\\d+\\.\\d:42012 .*10-vip:(Promot\\w+|Started) 20-replica:\\w+ 30-app-native:\\w+ ping:\\w+$`, 'm').test(out), `status row of ${name}:\n${out}`);
          check(out.includes('FLAGS: E elector, R runner, L leader, F failed'), 'FLAGS legend');
        },
      },
      {
        what: 'Monitoring: koi tree and koi local look as the guide shows',
        run: async () => {
          const tree = await text(['tree']);
          check(/^cluster 13 \(leader k\d, master k\d\)\n├── k\d {2}\w+/.test(tree) && /│ {3}├── 10-vip +\w+/.test(tree), `tree:\n${tree}`);
          const local = await text(['local']);
          for (const key of ['state', 'roles', 'leader', 'master', 'maintenance', 'quorum', 'uptime', 'addresses', 'failures', 'version']) {
            check(new RegExp(`^ {2}${key}: +\\S`, 'm').test(local), `local has no ${key}:\n${local}`);
          }
        },
      },
      {
        what: 'A failing service: the master goes Failed, another takes over (and takes the VIP), koi failures lists it with its output, koi recover clears it',
        run: async () => {
          const master = (await c.status())!.master!.name;
          const web = path.join(c.nodeDir(master), 'services', '50-web');
          fs.mkdirSync(web);
          fs.writeFileSync(path.join(web, 'status'), '#!/bin/sh\necho "web: connection refused" >&2\nexit 1\n', { mode: 0o755 });
          const view = await c.waitForMaster((v) => v.master.name !== master && v.nodes.find((n) => n.name === master)?.state === 'Failed', 30_000);
          await c.waitFor('the VIP moved', () => holders().join() === view.master.name, 10_000);
          const tree = await text(['tree']);
          check(new RegExp(`last failure .* ago: service 50-web failed: 50-web: status exited with code 1`).test(tree), `tree:\n${tree}`);
          const failures = await text(['failures']);
          check(new RegExp(`^TIME +AGO +NODE +REASON\\n.* ago +${master} +service 50-web failed: 50-web: status exited with code 1\\n +\\| web: connection refused`, 'm').test(failures), `failures:\n${failures}`);
          fs.rmSync(web, { recursive: true });
          await text(['recover', master]);
          await c.waitFor(`${master} Slave again`, async () => (await c.status())?.nodes.find((n) => n.name === master)?.state === 'Slave', 20_000);
        },
      },
      {
        what: 'The other commands answer as the guide shows (promote, demote, elect, stop, start, reconfigure, an unknown node)',
        run: async () => {
          const view = (await c.status())!;
          const other = names.find((n) => n !== view.master!.name)!;
          check((await text(['promote', other])).startsWith(`${other} will be promoted`), 'promote answer');
          await c.waitForMaster((v) => v.master.name === other, 20_000);
          await c.waitFor('the VIP follows the promote', () => holders().join() === other, 10_000);
          check((await text(['demote'])).startsWith('master demoted; manual master mode: nobody is elected until `koi promote` or `koi elect`'), 'demote answer');
          const none = await c.waitFor('no master, manual mode said', async () => {
            const out = (await c.koi(['status'])).stdout;
            return /^Cluster 13: leader k\d, master none\nNo master: manual master mode/.test(out) ? out : undefined;
          }, 10_000);
          check(/Manual master: ON/.test(none), `manual master shown:\n${none}`);
          check((await text(['elect'])).startsWith('manual master mode off'), 'elect answer');
          await c.waitForMaster(undefined, 20_000);
          const slave = (await c.status())!.nodes.find((n) => n.state === 'Slave')!.name;
          check((await text(['stop', slave])).includes(`${slave}: stopping services`), 'stop answer');
          await c.waitFor(`${slave} Stopped`, async () => (await c.status())?.nodes.find((n) => n.name === slave)?.state === 'Stopped', 20_000);
          check((await text(['start', slave])).includes(`${slave}: starting services`), 'start answer');
          check((await text(['reconfigure', slave])).startsWith(`configuration reloaded on ${slave}`), 'reconfigure answer');
          const nope = await c.koi(['status', 'nope']);
          check(nope.code === 1 && nope.stderr.includes("error: unknown node 'nope'") && /known nodes: k\d, k\d, k\d/.test(nope.stderr), `status nope: ${nope.code} ${nope.stderr}`);
        },
      },
      {
        what: 'For scripts: koi --json status has .master',
        run: async () => {
          const r = await c.koi(['status'], { json: true });
          check(r.code === 0 && (r.json as { master: unknown }).master !== null, 'json master');
        },
      },
      {
        what: 'Disabling a service: stopped, shown "disabled", the node not Failed',
        run: async () => {
          const slave = (await c.status())!.nodes.find((n) => n.state === 'Slave')!.name;
          const flag = path.join(c.nodeDir(slave), 'services', 'ping', 'disabled');
          fs.writeFileSync(flag, '');
          await c.waitFor('ping disabled', async () => /ping +disabled/.test((await c.koi(['tree'])).stdout), 20_000);
          const row = (await c.status())!.nodes.find((n) => n.name === slave)!;
          check(row.state === 'Slave' && row.failCount === 0, `${slave} after disabling: ${row.state}, ${row.failCount} failures`);
          fs.rmSync(flag);
        },
      },
      {
        what: 'Maintenance mode: status says Maintenance: ON; off again',
        run: async () => {
          await text(['maintenance', 'on']);
          check(/Maintenance: ON/.test(await text(['status'])), 'maintenance shown');
          await text(['maintenance', 'off']);
        },
      },
      {
        what: 'A dead master: another takes over (with the VIP); the dead node stays in koi status, OFFLINE or Disconnected, with its address',
        run: async () => {
          const view = (await c.status())!;
          const master = view.master!.name;
          await c.stop(master, 'SIGKILL');
          const survivor = names.find((n) => n !== master)!;
          await c.waitFor('a new master', async () => {
            const v = await c.status(survivor);
            return v?.master && v.master.name !== master ? v : undefined;
          }, 30_000);
          // The killed node could not remove the VIP: its namespace still holds it, as a crashed machine would.
          const out = await c.waitFor(`${master} listed silent`, async () => {
            const t = (await c.koi(['status'], { node: survivor })).stdout;
            return new RegExp(`^${master} +(OFFLINE|Disconnected) +.*10\\.254\\.\\d+\\.\\d:42012 +[\\d.]+s ago`, 'm').test(t) ? t : undefined;
          }, 20_000);
          process.stdout.write(`${out}\n`);
        },
      },
      {
        what: 'No quorum: with two of three dead, status says master none and why (seen/needed)',
        run: async () => {
          const alive = c.runningNodes();
          await c.stop(alive[0], 'SIGKILL');
          const out = await c.waitFor('no quorum said', async () => {
            const t = (await c.koi(['status'], { node: alive[1] })).stdout;
            return /^No master: no quorum: 1 of 2 needed nodes answer this leader/m.test(t) ? t : undefined;
          }, 30_000);
          process.stdout.write(`${out}\n`);
        },
      },
      {
        what: 'No answer: koi names the address it tried and the likely causes (exit 3)',
        run: async () => {
          const r = spawnSync('ip', ['netns', 'exec', nc!.topo.nodeNs[0], process.execPath, path.join(REPO_ROOT, 'dist', 'bin', 'koi.js'),
            '-f', c.confPath(names[0]), '-H', '127.0.0.1', '-p', '42012', '--timeout', '500', 'status'], { encoding: 'utf8' });
          check(r.status === 3 && r.stderr.includes('koi: no answer from 127.0.0.1:42012 within 500 ms') && r.stderr.includes('Likely causes:'), `no answer: ${r.status} ${r.stderr}`);
        },
      },
    ];

    for (const step of steps) {
      const started = Date.now();
      try {
        await step.run();
        process.stdout.write(`ok    ${step.what} (${((Date.now() - started) / 1000).toFixed(1)} s)\n`);
      } catch (err) {
        failures.push(`${step.what}: ${err instanceof Error ? err.message : String(err)}`);
        process.stdout.write(`FAIL  ${step.what}\n      ${err instanceof Error ? err.message : String(err)}\n`);
        await sleep(200);
      }
    }
  } finally {
    await nc?.close();
  }
  process.stdout.write(failures.length === 0
    ? 'guide:check: docs/guide.md walked end to end, every step as the guide says\n'
    : `guide:check: ${failures.length} step(s) differ from docs/guide.md\n`);
  return failures.length === 0 ? 0 : 1;
}

main().then((code) => process.exit(code), (err: unknown) => {
  process.stderr.write(`guide:check: ${err instanceof Error ? err.stack ?? err.message : String(err)}\n`);
  process.exit(1);
});
