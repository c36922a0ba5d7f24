/**
 * The virtual-IP lab of the `vip` e2e test and `npm run bench:vip`: three
 * server namespaces and one client namespace on one bridge
 * (scripts/lib/netns.ts). Each server runs a tiny HTTP responder on the
 * VIP's port answering its own name; the client probes the VIP and reports
 * who answered when — a failover exactly as a client sees it. The servers
 * run either koi (a `10-vip` service plus the recording `20-app` service)
 * or anything else the caller starts in `serverNs` (keepalived).
 */
import { spawn, execFileSync, type ChildProcess } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { Cluster, writeRecordingService, type ClusterOptions } from './cluster';
import { NetnsTopology } from './netns';
import { NETNS_PORT, localViews } from './netns-cluster';

export const VIP_PORT = 8080;

/** An HTTP server on every address (IPv4 and IPv6) of the VIP port that answers `name`. */
const RESPONDER = `
const http = require('node:http');
const name = process.argv[1];
const handler = (req, res) => { res.setHeader('connection', 'close'); res.end(name); };
http.createServer(handler).listen({ port: ${VIP_PORT}, host: '0.0.0.0' });
http.createServer(handler).listen({ port: ${VIP_PORT}, host: '::', ipv6Only: true });
process.stdout.write('ready\\n');
`;

/**
 * The client: a fresh connection to http://<vip>:port every \`everyMs\`, each with \`timeoutMs\`;
 * prints "<epoch ms> <sent epoch ms> <answer>" per answer. One-shot mode (everyMs 0): one request, then exit.
 */
const PROBE = `
const http = require('node:http');
const [host, everyMs, timeoutMs] = [process.argv[1], Number(process.argv[2]), Number(process.argv[3])];
const now = () => performance.timeOrigin + performance.now();
function ask() {
  const sent = now();
  const req = http.get({ host, port: ${VIP_PORT}, path: '/', agent: false, timeout: timeoutMs }, (res) => {
    let body = '';
    res.on('data', (c) => (body += c));
    res.on('end', () => process.stdout.write(now().toFixed(1) + ' ' + sent.toFixed(1) + ' ' + body + '\\n'));
  });
  req.on('timeout', () => req.destroy());
  req.on('error', () => { if (everyMs === 0) process.stdout.write(now().toFixed(1) + ' ' + sent.toFixed(1) + ' -\\n'); });
}
if (everyMs === 0) ask(); else setInterval(ask, everyMs);
`;

export interface Answer {
  /** Epoch ms the answer arrived. */
  at: number;
  /** Epoch ms its request was sent. */
  sent: number;
  /** The answering node's name. */
  from: string;
}

export interface VipLabOptions {
  /** Also give every namespace an IPv6 address, and the VIP an IPv6 twin. */
  ipv6?: boolean;
  /** Settings of the koi cluster (time, quorum, ...); without it the caller runs something else in the servers. */
  koi?: Omit<ClusterOptions, 'nodes' | 'writeServices'>;
  /** Extra lines of the `vip` file. */
  vipLines?: string[];
}

export class VipLab {
  readonly topo: NetnsTopology;
  readonly names = ['k1', 'k2', 'k3'];
  readonly serverNs: string[];
  readonly clientNs: string;
  /** The VIP (IPv4, no prefix) and its IPv6 twin ('' without ipv6). */
  readonly vip: string;
  readonly vip6: string;
  readonly serverAddresses: string[];
  readonly serverAddresses6: string[] = [];
  cluster: Cluster | null = null;
  private readonly children: ChildProcess[] = [];

  constructor(private readonly options: VipLabOptions = {}) {
    this.topo = new NetnsTopology(4);
    this.serverNs = this.topo.nodeNs.slice(0, 3);
    this.clientNs = this.topo.nodeNs[3];
    this.serverAddresses = this.topo.addresses.slice(0, 3);
    const subnet = this.topo.addresses[0].split('.').slice(0, 3).join('.');
    this.vip = `${subnet}.100`;
    const third = Number(subnet.split('.')[2]);
    this.vip6 = options.ipv6 ? `fd54:${third.toString(16)}::100` : '';
    if (options.ipv6) this.serverAddresses6 = [1, 2, 3].map((n) => `fd54:${third.toString(16)}::${n}`);
  }

  /** Build the namespaces (and start koi on the servers when `koi` was given). Cleans up on failure. */
  create(): this {
    try {
      this.topo.create();
      if (this.options.ipv6) {
        const prefix = this.vip6.replace(/::100$/, '');
        this.topo.nodeNs.forEach((ns, i) => execFileSync('ip', ['-n', ns, '-6', 'addr', 'add', `${prefix}::${i + 1}/64`, 'dev', 'eth0', 'nodad']));
      }
      if (this.options.koi) this.cluster = this.startKoi(this.options.koi);
      return this;
    } catch (err) {
      this.topo.destroy();
      throw err;
    }
  }

  /** The `vip` file every server gets. */
  vipFile(): string {
    return [`address ${this.vip}/24`, ...(this.vip6 ? [`address ${this.vip6}/64`] : []), ...(this.options.vipLines ?? [])].join('\n') + '\n';
  }

  private startKoi(options: NonNullable<VipLabOptions['koi']>): Cluster {
    const cluster = new Cluster({
      tag: 'koi-vip',
      quorum: 2,
      ...options,
      nodes: this.names.map((name, i) => ({ name, address: this.serverAddresses[i], port: NETNS_PORT, netns: this.serverNs[i] })),
      writeServices: (dir, _node, c) => {
        fs.mkdirSync(path.join(dir, '10-vip'));
        fs.writeFileSync(path.join(dir, '10-vip', 'vip'), this.vipFile(), { mode: 0o644 });
        writeRecordingService(dir, c.eventsFile, c.controlDir, '20-app');
      },
    });
    cluster.start();
    return cluster;
  }

  /** One responder per server, answering the server's name (k1, k2, k3). Resolves once all listen. */
  async startResponders(): Promise<void> {
    await Promise.all(this.serverNs.map((ns, i) => {
      const child = this.spawnIn(ns, ['-e', RESPONDER, this.names[i]]);
      return new Promise<void>((resolve, reject) => {
        child.stdout!.once('data', () => resolve());
        child.once('exit', (code) => reject(new Error(`responder in ${ns} exited ${code}`)));
      });
    }));
  }

  /** Start probing `host` (default the IPv4 VIP) every `everyMs`. */
  probe(host = this.vip, everyMs = 10, timeoutMs = 1000): Probe {
    return new Probe(this.spawnIn(this.clientNs, ['-e', PROBE, host, String(everyMs), String(timeoutMs)]));
  }

  /** One request from the client; the answering name, or '' when none came within `timeoutMs`. */
  async ask(host = this.vip, timeoutMs = 1000): Promise<string> {
    const child = this.spawnIn(this.clientNs, ['-e', PROBE, host, '0', String(timeoutMs)]);
    let out = '';
    child.stdout!.on('data', (c: Buffer) => (out += c.toString()));
    await new Promise((resolve) => child.once('exit', resolve));
    const name = out.trim().split(' ')[2] ?? '';
    return name === '-' ? '' : name;
  }

  /** Names of the servers whose namespace holds `address` now. */
  holders(address = this.vip): string[] {
    return this.serverNs.flatMap((ns, i) => {
      const links = JSON.parse(execFileSync('ip', ['-n', ns, '-j', 'addr', 'show'], { encoding: 'utf8' })) as Array<{ addr_info?: Array<{ local: string }> }>;
      return links.some((l) => (l.addr_info ?? []).some((a) => a.local === address)) ? [this.names[i]] : [];
    });
  }

  /** The node process in `ns` with `args`, in its own process group; ended by close(). */
  spawnIn(ns: string, args: string[]): ChildProcess {
    const child = spawn('ip', ['netns', 'exec', ns, process.execPath, ...args], { stdio: ['ignore', 'pipe', 'inherit'], detached: true });
    this.children.push(child);
    return child;
  }

  /** Track a process the caller started (ended by close(), by process group). */
  adopt(child: ChildProcess): void {
    this.children.push(child);
  }

  async close(): Promise<void> {
    for (const child of this.children) {
      if (child.pid !== undefined && child.exitCode === null && child.signalCode === null) {
        try {
          process.kill(-child.pid, 'SIGKILL');
        } catch {
          /* already gone */
        }
      }
    }
    try {
      await this.cluster?.close();
    } finally {
      this.topo.destroy();
    }
  }
}

/** A running client probe: the answers so far, in arrival order. */
export class Probe {
  readonly answers: Answer[] = [];
  private partial = '';

  constructor(private readonly child: ChildProcess) {
    child.stdout!.on('data', (chunk: Buffer) => {
      const lines = (this.partial + chunk.toString()).split('\n');
      this.partial = lines.pop() ?? '';
      for (const line of lines) {
        const [at, sent, from] = line.split(' ');
        if (from && from !== '-') this.answers.push({ at: Number(at), sent: Number(sent), from });
      }
    });
  }

  /** Answers that arrived at or after `since` (epoch ms). */
  since(since: number): Answer[] {
    return this.answers.filter((a) => a.at >= since);
  }

  /** Wait until an answer from someone other than `not` arrives after `since`; null after `timeoutMs`. */
  async firstOther(not: string, since: number, timeoutMs: number): Promise<Answer | null> {
    const until = Date.now() + timeoutMs;
    for (;;) {
      const found = this.answers.find((a) => a.at >= since && a.from !== not);
      if (found) return found;
      if (Date.now() > until) return null;
      await new Promise((r) => setTimeout(r, 20));
    }
  }

  stop(): void {
    if (this.child.pid !== undefined && this.child.exitCode === null) {
      try {
        process.kill(-this.child.pid, 'SIGKILL');
      } catch {
        /* gone */
      }
    }
  }
}

/**
 * What the client saw around a failover from `oldMaster`: the outage (last answer from the old master → first
 * from another), and how many times the answering node changed back and forth (0 for a clean handover: one
 * switch is the failover itself; each extra switch is an interleaving, two masters as the client sees it).
 */
export function judgeFailover(answers: readonly Answer[], oldMaster: string): { outageMs: number | null; newMaster: string | null; interleavings: number; sequence: string } {
  const sorted = [...answers].sort((a, b) => a.at - b.at);
  const firstNew = sorted.findIndex((a) => a.from !== oldMaster);
  let switches = 0;
  const runs: string[] = [];
  sorted.forEach((a, i) => {
    if (i === 0 || a.from !== sorted[i - 1].from) {
      if (i > 0) switches++;
      runs.push(a.from);
    }
  });
  if (firstNew < 0) return { outageMs: null, newMaster: null, interleavings: 0, sequence: runs.join('>') };
  const lastOld = sorted.slice(0, firstNew).filter((a) => a.from === oldMaster).pop();
  return {
    outageMs: lastOld ? sorted[firstNew].at - lastOld.at : null,
    newMaster: sorted[firstNew].from,
    interleavings: Math.max(0, switches - 1),
    sequence: runs.join('>'),
  };
}

/** The master `names` agree on (by `koi local`; unlike agreedMaster it ignores nodes killed earlier). */
export async function masterAmong(cluster: Cluster, names: string[], timeoutMs = 20_000): Promise<string> {
  return cluster.waitFor(`one master agreed by ${names.join(', ')}`, async () => {
    const views = await localViews(cluster, names);
    if (!views) return undefined;
    const masters = views.filter((v) => v.state === 'Master' && v.services.every((s) => s.state === 'Promoted'));
    return masters.length === 1 && views.every((v) => v.master === masters[0].name) ? masters[0].name : undefined;
  }, timeoutMs, 200);
}
