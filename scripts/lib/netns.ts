/**
 * A private network for real koinode processes: one network namespace per
 * node plus one for the switch. Each node namespace has `eth0` (a veth)
 * with a private address 10.254.X.N/24; the other end sits in the switch
 * namespace, attached to a bridge. Nothing is added to the host's own
 * namespace, and traffic to these addresses only ever flows between the
 * namespaces.
 *
 * Faults:
 * - partition(groups): each group gets its own bridge (ports are moved
 *   between bridges), so a cut drops datagrams silently, like a switch
 *   fault; heal() puts every port back on the first bridge;
 * - setLoss(percent): random loss on every node's outgoing link — `tc netem`
 *   when the kernel has it, else an nftables `numgen random` drop rule
 *   inside the node namespace (some kernels ship without sch_netem);
 * - cutOneWay(from, to): `to` stops receiving from `from` (an nftables
 *   *input* drop rule per source address inside `to`'s namespace), while
 *   `from` still hears `to`; deafen(node): the node receives nothing from
 *   the network (it still sends); clearCuts() removes both kinds.
 *
 * With `links: 2` every node has a second, independent link (`eth1` on a
 * bridge of its own, 10.253.X.N/24): redundant addresses of one machine.
 * partition() moves only the first link's ports; one-way cuts and deafness
 * apply to both links.
 *
 * destroy() deletes every namespace it created (the veths and bridges go
 * with them); safe to call twice and after a failed create().
 */
import { execFileSync, spawnSync } from 'node:child_process';

export interface NetnsSupport {
  ok: boolean;
  /** Why not, for the skip message. */
  reason: string;
  /** How random loss can be made: 'netem', 'nft' or none. */
  loss: 'netem' | 'nft' | null;
  /** nftables works inside a namespace (one-way cuts, deaf nodes). */
  nft: boolean;
}

function has(cmd: string, args: string[]): boolean {
  const r = spawnSync(cmd, args, { stdio: 'ignore' });
  return r.error === undefined && r.status === 0;
}

/** Can this process build namespaces? Probes once (creates and deletes a scratch namespace). */
export function netnsSupport(): NetnsSupport {
  if (process.platform !== 'linux') return { ok: false, reason: 'network namespaces need Linux', loss: null, nft: false };
  if (typeof process.getuid !== 'function' || process.getuid() !== 0) return { ok: false, reason: 'not running as root', loss: null, nft: false };
  if (!has('ip', ['-V'])) return { ok: false, reason: 'the `ip` command (iproute2) is missing', loss: null, nft: false };
  const probe = `knprobe${process.pid}`;
  if (!has('ip', ['netns', 'add', probe])) return { ok: false, reason: '`ip netns add` failed (no namespace support?)', loss: null, nft: false };
  let loss: NetnsSupport['loss'] = null;
  let nft = false;
  try {
    has('ip', ['-n', probe, 'link', 'add', 'd0', 'type', 'dummy']);
    nft = has('ip', ['netns', 'exec', probe, 'nft', 'add', 'table', 'inet', 'koiprobe']);
    if (has('tc', ['-n', probe, 'qdisc', 'add', 'dev', 'd0', 'root', 'netem', 'loss', '1%'])) loss = 'netem';
    else if (nft) loss = 'nft';
  } finally {
    spawnSync('ip', ['netns', 'del', probe], { stdio: 'ignore' });
  }
  return { ok: true, reason: '', loss, nft };
}

function run(cmd: string, args: string[], input?: string): void {
  try {
    execFileSync(cmd, args, { stdio: ['pipe', 'ignore', 'pipe'], input });
  } catch (err) {
    const stderr = (err as { stderr?: Buffer }).stderr?.toString().trim() ?? '';
    throw new Error(`${cmd} ${args.join(' ')} failed: ${stderr || String(err)}`);
  }
}

export class NetnsTopology {
  /** Namespace of the switch (bridges). */
  readonly switchNs: string;
  /** Namespace per node, index = node number - 1. */
  readonly nodeNs: string[];
  readonly addresses: string[];
  private readonly created: string[] = [];
  private bridges = 1;
  private lossPercent = 0;
  /** Bridge index per node port. */
  private readonly portBridge: number[];
  /** Addresses of the second link (`links: 2`), index = node number - 1; empty otherwise. */
  readonly addresses2: string[];
  /** Per receiving node: the node indexes it does not hear (one-way cuts). */
  private readonly cutFrom: Set<number>[];
  private readonly deaf = new Set<number>();

  /** `tag` prefixes every namespace name (default `kn<pid><rand>`: unique per process). */
  constructor(readonly count: number, tag = `kn${process.pid % 100000}${Math.floor(Math.random() * 100)}`, readonly links: 1 | 2 = 1) {
    const subnet = 1 + Math.floor(Math.random() * 250);
    this.switchNs = `${tag}sw`;
    this.nodeNs = Array.from({ length: count }, (_, i) => `${tag}n${i + 1}`);
    this.addresses = Array.from({ length: count }, (_, i) => `10.254.${subnet}.${i + 1}`);
    this.addresses2 = links === 2 ? Array.from({ length: count }, (_, i) => `10.253.${subnet}.${i + 1}`) : [];
    this.portBridge = Array.from({ length: count }, () => 0);
    this.cutFrom = Array.from({ length: count }, () => new Set<number>());
  }

  create(): void {
    for (const ns of [this.switchNs, ...this.nodeNs]) {
      run('ip', ['netns', 'add', ns]);
      this.created.push(ns);
      run('ip', ['-n', ns, 'link', 'set', 'lo', 'up']);
    }
    this.addBridge(0);
    this.nodeNs.forEach((ns, i) => {
      const port = `p${i + 1}`;
      run('ip', ['link', 'add', 'eth0', 'netns', ns, 'type', 'veth', 'peer', 'name', port, 'netns', this.switchNs]);
      run('ip', ['-n', this.switchNs, 'link', 'set', port, 'master', 'br0']);
      run('ip', ['-n', this.switchNs, 'link', 'set', port, 'up']);
      run('ip', ['-n', ns, 'addr', 'add', `${this.addresses[i]}/24`, 'dev', 'eth0']);
      run('ip', ['-n', ns, 'link', 'set', 'eth0', 'up']);
    });
    if (this.links === 2) {
      // The second link: its own bridge (never partitioned by moving ports), its own subnet.
      run('ip', ['-n', this.switchNs, 'link', 'add', 'lk2', 'type', 'bridge', 'forward_delay', '0']);
      run('ip', ['-n', this.switchNs, 'link', 'set', 'lk2', 'up']);
      this.nodeNs.forEach((ns, i) => {
        const port = `q${i + 1}`;
        run('ip', ['link', 'add', 'eth1', 'netns', ns, 'type', 'veth', 'peer', 'name', port, 'netns', this.switchNs]);
        run('ip', ['-n', this.switchNs, 'link', 'set', port, 'master', 'lk2']);
        run('ip', ['-n', this.switchNs, 'link', 'set', port, 'up']);
        run('ip', ['-n', ns, 'addr', 'add', `${this.addresses2[i]}/24`, 'dev', 'eth1']);
        run('ip', ['-n', ns, 'link', 'set', 'eth1', 'up']);
      });
    }
  }

  private addBridge(index: number): void {
    run('ip', ['-n', this.switchNs, 'link', 'add', `br${index}`, 'type', 'bridge', 'forward_delay', '0']);
    run('ip', ['-n', this.switchNs, 'link', 'set', `br${index}`, 'up']);
  }

  /**
   * Split the nodes (indexes from 0) into groups that hear only each other.
   * Nodes not named in any group form one more group of their own.
   */
  partition(groups: number[][]): void {
    const listed = new Set(groups.flat());
    const rest = Array.from({ length: this.count }, (_, i) => i).filter((i) => !listed.has(i));
    const all = rest.length > 0 ? [...groups, rest] : groups;
    while (this.bridges < all.length) this.addBridge(this.bridges++);
    all.forEach((group, g) => {
      for (const i of group) this.attach(i, g);
    });
  }

  /** Cut one node away from all others. */
  isolate(index: number): void {
    this.partition([[index]]);
  }

  /** Every node on one bridge again (one-way cuts and deaf nodes stay: see clearCuts). */
  heal(): void {
    for (let i = 0; i < this.count; i++) this.attach(i, 0);
  }

  /** From now on `to` drops everything it receives from `from` (all of `from`'s addresses); `from` still hears `to`. */
  cutOneWay(from: number, to: number): void {
    this.cutFrom[to].add(from);
    this.applyInput(to);
  }

  /** The node drops everything it receives from the network (loopback stays: the local client still works); it can still send. */
  deafen(index: number): void {
    this.deaf.add(index);
    this.applyInput(index);
  }

  /** Lift one one-way cut. */
  liftOneWay(from: number, to: number): void {
    if (this.cutFrom[to].delete(from)) this.applyInput(to);
  }

  /** The node hears again (one-way cuts into it stay). */
  undeafen(index: number): void {
    if (this.deaf.delete(index)) this.applyInput(index);
  }

  /** Remove the one-way cuts and deafness of one node (or of every node). */
  clearCuts(index?: number): void {
    const nodes = index === undefined ? Array.from({ length: this.count }, (_, i) => i) : [index];
    for (const i of nodes) {
      if (this.cutFrom[i].size === 0 && !this.deaf.has(i)) continue;
      this.cutFrom[i].clear();
      this.deaf.delete(i);
      this.applyInput(i);
    }
  }

  /** One-way cuts and deaf nodes as they are now, for logs: `k1<-k2` means k1 does not hear k2; `k3 deaf`. */
  cuts(): { oneWay: Array<[from: number, to: number]>; deaf: number[] } {
    const oneWay: Array<[number, number]> = [];
    this.cutFrom.forEach((froms, to) => froms.forEach((from) => oneWay.push([from, to])));
    return { oneWay, deaf: [...this.deaf].sort() };
  }

  /** Rewrite node `index`'s input filter (table `inet kncut`) in one nft transaction. */
  private applyInput(index: number): void {
    const ns = this.nodeNs[index];
    const sources = [...this.cutFrom[index]].flatMap((i) => [this.addresses[i], ...(this.addresses2[i] ? [this.addresses2[i]] : [])]);
    const rules = [
      this.deaf.has(index) ? '    iifname != "lo" drop' : '',
      sources.length > 0 ? `    ip saddr { ${sources.join(', ')} } drop` : '',
    ].filter(Boolean);
    // `add table` then `delete table` makes the delete valid whether or not the table existed.
    const script = ['add table inet kncut', 'delete table inet kncut'];
    if (rules.length > 0) {
      script.push('table inet kncut {', '  chain in {', '    type filter hook input priority 0; policy accept;', ...rules, '  }', '}');
    }
    run('ip', ['netns', 'exec', ns, 'nft', '-f', '-'], `${script.join('\n')}\n`);
  }

  private attach(index: number, bridge: number): void {
    if (this.portBridge[index] === bridge) return;
    run('ip', ['-n', this.switchNs, 'link', 'set', `p${index + 1}`, 'master', `br${bridge}`]);
    this.portBridge[index] = bridge;
  }

  /** Groups as they are now (node indexes), for logs. */
  groups(): number[][] {
    const byBridge = new Map<number, number[]>();
    this.portBridge.forEach((b, i) => byBridge.set(b, [...(byBridge.get(b) ?? []), i]));
    return [...byBridge.values()];
  }

  /** Random loss of `percent` % on every node's outgoing link (0 removes it). */
  setLoss(percent: number, method: 'netem' | 'nft'): void {
    for (const ns of this.nodeNs) {
      if (method === 'netem') {
        if (this.lossPercent > 0) run('tc', ['-n', ns, 'qdisc', 'del', 'dev', 'eth0', 'root']);
        if (percent > 0) run('tc', ['-n', ns, 'qdisc', 'add', 'dev', 'eth0', 'root', 'netem', 'loss', `${percent}%`]);
      } else {
        if (this.lossPercent > 0) run('ip', ['netns', 'exec', ns, 'nft', 'delete', 'table', 'inet', 'koiloss']);
        if (percent > 0) {
          run('ip', ['netns', 'exec', ns, 'nft', '-f', '-'], `table inet koiloss {
  chain out {
    type filter hook output priority 0; policy accept;
    oifname "eth0" numgen random mod 100 < ${Math.round(percent)} drop
  }
}
`);
        }
      }
    }
    this.lossPercent = percent;
  }

  /** Delete every namespace this topology created; collects errors and throws them at the end. */
  destroy(): void {
    const errors: string[] = [];
    for (const ns of this.created.splice(0).reverse()) {
      const r = spawnSync('ip', ['netns', 'del', ns], { encoding: 'utf8' });
      if (r.status !== 0) errors.push(`ip netns del ${ns}: ${r.stderr}`);
    }
    if (errors.length > 0) throw new Error(`could not delete namespaces:\n${errors.join('\n')}`);
  }
}
