/**
 * Three keepalived instances (VRRP only) in network namespaces of their own
 * on one bridge (scripts/lib/netns.ts), configured as bench/vip.ts does:
 * state BACKUP, priority 100, unicast peers, one VIP; VRRP version 3 for
 * sub-second advert_int. Every instance runs a `notify` script that appends
 * `<epoch.ns> <instance> <STATE>` to one log, so failovers and flaps are
 * read from the script's own timestamps, as koi's are from its services'.
 * Nothing runs in the host's namespace; every process is ended by pid.
 */
import { execFileSync, spawn, spawnSync, type ChildProcess } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { NetnsTopology } from '../../scripts/lib/netns';
import { sleep } from './status';

export interface NotifyEvent {
  /** Seconds since the epoch, fractional. */
  time: number;
  node: string;
  state: string;
}

export function keepalivedVersion(): string {
  const r = spawnSync('keepalived', ['--version'], { encoding: 'utf8' });
  return /Keepalived (v\S+)/.exec(`${r.stdout}${r.stderr}`)?.[1] ?? '(version unknown)';
}

export class KeepalivedLab {
  readonly topo = new NetnsTopology(3);
  readonly names = ['ka1', 'ka2', 'ka3'];
  readonly dir = fs.mkdtempSync(path.join(os.tmpdir(), 'koi-curve-keepalived-'));
  readonly notifyLog = path.join(this.dir, 'notify.log');
  readonly vip: string;
  private readonly procs = new Map<string, { child: ChildProcess; vrrpPidFile: string; exited: Promise<unknown> }>();
  private starts = 0;

  constructor(readonly advertInt: string) {
    this.vip = `${this.topo.addresses[0].split('.').slice(0, 3).join('.')}.100`;
  }

  create(): this {
    try {
      this.topo.create();
      fs.writeFileSync(this.notifyLog, '');
      // keepalived calls: <script> <our arg: instance> INSTANCE <vrrp name> <STATE> <priority>
      fs.writeFileSync(path.join(this.dir, 'notify.sh'), `#!/bin/sh\necho "$(date +%s.%N) $1 $4" >> "${this.notifyLog}"\n`, { mode: 0o755 });
      this.names.forEach((name) => this.start(name));
      return this;
    } catch (err) {
      this.topo.destroy();
      throw err;
    }
  }

  conf(i: number): string {
    const self = this.topo.addresses[i];
    const peers = this.topo.addresses.filter((_, j) => j !== i);
    return `global_defs {
  router_id ${this.names[i]}
  script_user root
  enable_script_security
${this.advertInt === '1' ? '' : '  vrrp_version 3\n'}}
vrrp_instance VI_1 {
  state BACKUP
  interface eth0
  virtual_router_id 51
  priority 100
  advert_int ${this.advertInt}
  unicast_src_ip ${self}
  unicast_peer {
${peers.map((p) => `    ${p}`).join('\n')}
  }
  virtual_ipaddress {
    ${this.vip}/24 dev eth0
  }
  notify "${path.join(this.dir, 'notify.sh')} ${this.names[i]}"
}
`;
  }

  start(name: string): void {
    const i = this.names.indexOf(name);
    if (this.running(name)) throw new Error(`keepalived ${name} already running`);
    // Fresh pid files per start: a killed keepalived's VRRP child stays a zombie here (PID 1 does not reap orphans),
    // and keepalived refuses to start while an old pid file names a pid that still exists.
    const run = `${name}-${++this.starts}`;
    const conf = path.join(this.dir, `${name}.conf`);
    fs.writeFileSync(conf, this.conf(i));
    const log = fs.openSync(path.join(this.dir, `${name}.log`), 'a');
    const vrrpPidFile = path.join(this.dir, `${run}-vrrp.pid`);
    const child = spawn('ip', ['netns', 'exec', this.topo.nodeNs[i], 'keepalived', '-n', '-l', '-D', '-P', '-f', conf,
      '-p', path.join(this.dir, `${run}.pid`), '-r', vrrpPidFile, '-c', path.join(this.dir, `${run}-chk.pid`)],
    { stdio: ['ignore', log, log], detached: true });
    fs.closeSync(log);
    const exited = new Promise((resolve) => child.once('exit', resolve));
    this.procs.set(name, { child, vrrpPidFile, exited });
  }

  running(name: string): boolean {
    const p = this.procs.get(name);
    return !!p && p.child.exitCode === null && p.child.signalCode === null;
  }

  /** The instance's processes: keepalived itself (`ip netns exec` execs in place) and its VRRP child. */
  async pids(name: string, timeoutMs = 10_000): Promise<{ parent: number; vrrp: number }> {
    const p = this.procs.get(name);
    if (!p || !this.running(name)) throw new Error(`keepalived ${name} is not running`);
    const until = Date.now() + timeoutMs;
    for (;;) {
      const text = fs.existsSync(p.vrrpPidFile) ? fs.readFileSync(p.vrrpPidFile, 'utf8').trim() : '';
      const vrrp = Number(text);
      if (text && Number.isInteger(vrrp) && fs.existsSync(`/proc/${vrrp}`)) return { parent: p.child.pid!, vrrp };
      if (Date.now() > until) throw new Error(`keepalived ${name}: no VRRP child pid in ${p.vrrpPidFile} after ${timeoutMs} ms`);
      await sleep(50);
    }
  }

  /** SIGKILL the instance's process group (keepalived and its VRRP child at once: a dead machine) and wait for its exit. */
  async kill(name: string): Promise<void> {
    const p = this.procs.get(name);
    if (!p || !this.running(name)) return;
    try {
      process.kill(-p.child.pid!, 'SIGCONT');
      process.kill(-p.child.pid!, 'SIGKILL');
    } catch {
      /* gone meanwhile */
    }
    await p.exited;
  }

  /** The notify scripts' records by their timestamps (two scripts of one instance started close together may append out of order). */
  events(): NotifyEvent[] {
    return fs.readFileSync(this.notifyLog, 'utf8').split('\n').filter(Boolean).map((line) => {
      const [time, node, state] = line.split(' ');
      return { time: Number(time), node, state };
    }).sort((a, b) => a.time - b.time);
  }

  /** Names of the instances whose namespace holds the VIP now. */
  holders(): string[] {
    return this.topo.nodeNs.flatMap((ns, i) => {
      const links = JSON.parse(execFileSync('ip', ['-n', ns, '-j', 'addr', 'show'], { encoding: 'utf8' })) as Array<{ addr_info?: Array<{ local: string }> }>;
      return links.some((l) => (l.addr_info ?? []).some((a) => a.local === this.vip)) ? [this.names[i]] : [];
    });
  }

  /** Each running instance's latest notified state (for messages only: see settledMaster). */
  states(): Map<string, string> {
    const states = new Map<string, string>();
    for (const e of this.events()) if (this.running(e.node)) states.set(e.node, e.state);
    return states;
  }

  /**
   * The one master: every instance runs, exactly one holds the VIP, the same one for `quietMs`, and no notify script
   * ran meanwhile. The VIP decides, not the notify records: the MASTER and BACKUP scripts of one instance, forked a
   * millisecond apart, may even take their timestamps out of order.
   */
  async settledMaster(timeoutMs = 60_000, quietMs = 2000): Promise<string> {
    const until = Date.now() + timeoutMs;
    let holder = '';
    let since = Date.now();
    for (;;) {
      const events = this.events();
      const holders = this.holders();
      const current = holders.length === 1 && this.names.every((n) => this.running(n)) ? holders[0] : '';
      if (current !== holder) {
        holder = current;
        since = Date.now();
      }
      const lastAt = events.length ? Math.max(...events.map((e) => e.time * 1000)) : 0;
      if (holder && Date.now() - since >= quietMs && Date.now() - lastAt >= quietMs) return holder;
      if (Date.now() > until) {
        throw new Error(`keepalived (advert_int ${this.advertInt}) did not settle within ${timeoutMs} ms: VIP on ${holders.join(', ') || 'none'}; `
          + `notify last said ${[...this.states()].map(([n, st]) => `${n} ${st}`).join(', ') || 'nothing'}`);
      }
      await sleep(100);
    }
  }

  async close(): Promise<void> {
    for (const name of this.names) await this.kill(name);
    this.topo.destroy();
    fs.rmSync(this.dir, { recursive: true, force: true });
  }
}
