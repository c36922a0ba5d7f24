/**
 * The in-memory network of the simulator and its transport plugin. Links
 * can drop, delay, duplicate and reorder datagrams. Cuts are directed
 * ("a>b": a's datagrams to b are lost, b's to a arrive), so partitions can
 * overlap, be non-transitive, one-way, and be replaced by another without a
 * heal in between. A deaf node receives nothing (it still sends), a mute
 * node sends nothing (it still receives). A node may have a second address
 * on a second subnet (redundant links): it sends to each peer address from
 * its own address on that subnet, cuts and deaf/mute act on the node, and
 * `nicDown(address)` loses everything sent from or to one address. A
 * datagram to a paused node waits
 * in its "socket buffer" and is delivered on resume; a dead node receives
 * nothing. All randomness comes from the seeded PRNG.
 */
import type { DatagramHandler, Transport } from '../../plugin-api';
import type { VirtualClock } from '../../core/clock';
import type { Prng } from './prng';

export interface LinkFaults {
  /** Probability a datagram is lost. */
  drop: number;
  /** Base one-way delay, ms. */
  delayMs: number;
  /** Extra uniform random delay, ms (also reorders). */
  jitterMs: number;
  /** Probability a datagram is delivered twice. */
  duplicate: number;
}

export const PERFECT_LINK: LinkFaults = { drop: 0, delayMs: 1, jitterMs: 0, duplicate: 0 };

interface Endpoint {
  address: string;
  handler: DatagramHandler | null;
  paused: boolean;
  dead: boolean;
  buffer: Array<{ data: Uint8Array; from: string }>;
}

export class SimNetwork {
  private readonly endpoints = new Map<string, Endpoint>();
  /** Directed cuts "from>to": from's datagrams to `to` are lost. */
  private readonly blocked = new Set<string>();
  /** Nodes that receive nothing / send nothing. */
  private readonly deafNodes = new Set<string>();
  private readonly muteNodes = new Set<string>();
  /** Extra address → the node's primary address (redundant links). */
  private readonly aliases = new Map<string, string>();
  /** Addresses whose link is down (a dead NIC or switch port). */
  private readonly downLinks = new Set<string>();
  /** One-way cuts of one link, "source address>destination address" (the other links and direction work). */
  private readonly cutLinks = new Set<string>();
  faults: LinkFaults = { ...PERFECT_LINK };
  /** Upper bound of any delay this network applies (invariant bounds use it). */
  maxDelayMs = 0;
  sent = 0;
  delivered = 0;
  /** Datagrams each node (by primary address) handed to the network, one per destination. */
  readonly sentBy = new Map<string, number>();
  /** The same per destination: "from>to" (addresses as sent to). */
  readonly sentTo = new Map<string, number>();

  constructor(private readonly clock: VirtualClock, private readonly prng: Prng) {
    this.maxDelayMs = this.faults.delayMs + this.faults.jitterMs;
  }

  setFaults(faults: LinkFaults): void {
    this.faults = { ...faults };
    this.maxDelayMs = Math.max(this.maxDelayMs, faults.delayMs + faults.jitterMs);
  }

  /** A transport for the node at `address` (and `extra` addresses) sending to the addresses of its `cluster.transport`. */
  transport(address: string, peers: () => string[], extra: string[] = []): Transport {
    const endpoint: Endpoint = { address, handler: null, paused: false, dead: false, buffer: [] };
    this.endpoints.set(address, endpoint);
    for (const alias of extra) this.aliases.set(alias, address);
    const own = [address, ...extra];
    // eslint-disable-next-line @typescript-eslint/no-this-alias
    const net = this;
    return {
      name: 'sim',
      maxDatagramSize: 1472,
      async start(onDatagram) {
        endpoint.handler = onDatagram;
      },
      broadcast(data) {
        for (const peer of peers()) if (!own.includes(peer)) net.send(address, peer, data, own);
      },
      sendTo(to, data) {
        net.send(address, to, data, own);
      },
      localAddresses: () => [...own],
      configuredAddresses: () => peers().map((peer) => ({ address: peer, own: own.includes(peer) })),
      async close() {
        endpoint.handler = null;
      },
    };
  }

  /**
   * Split the nodes into groups (both directions cut between groups);
   * addresses not named form one more group together. Replaces every cut
   * in force (a flip: no heal in between); deaf and mute nodes stay.
   */
  partition(groups: string[][], all: string[]): void {
    this.blocked.clear();
    const groupOf = new Map<string, number>();
    groups.forEach((members, i) => members.forEach((a) => groupOf.set(a, i + 1)));
    for (const a of all) {
      for (const b of all) if (a !== b && (groupOf.get(a) ?? 0) !== (groupOf.get(b) ?? 0)) this.blocked.add(`${a}>${b}`);
    }
  }

  /** Cut one direction only (from's datagrams to `to` are lost), on top of the cuts in force. */
  blockOneWay(from: string, to: string): void {
    if (from !== to) this.blocked.add(`${from}>${to}`);
  }

  /** Cut both directions between a and b, on top of the cuts in force (non-transitive partitions). */
  cutPair(a: string, b: string): void {
    this.blockOneWay(a, b);
    this.blockOneWay(b, a);
  }

  /** Datagrams sent from `source` (any of a node's addresses) to the address `to` are lost, on that link only. */
  cutLinkOneWay(source: string, to: string): void {
    this.cutLinks.add(`${source}>${to}`);
  }

  unblock(from: string, to: string): void {
    this.blocked.delete(`${from}>${to}`);
  }

  deaf(address: string, on = true): void {
    if (on) this.deafNodes.add(address);
    else this.deafNodes.delete(address);
  }

  mute(address: string, on = true): void {
    if (on) this.muteNodes.add(address);
    else this.muteNodes.delete(address);
  }

  /** Some link works in one direction only (components are not well defined). */
  get hasOneWayCuts(): boolean {
    // Any cut outside partition groups (one-way, or both ways between two nodes that share a third) makes
    // connectivity non-transitive: "one leader per component" is not defined then (bully: two nodes that
    // cannot hear each other both lead their common neighbour's view).
    return this.deafNodes.size > 0 || this.muteNodes.size > 0 || this.blocked.size > 0;
  }


  /** Everything sent from or to this address is lost (one of a node's redundant links is down). */
  nicDown(address: string): void {
    this.downLinks.add(address);
  }

  /** Everything heals: cuts, deaf and mute nodes, links that were down. */
  heal(): void {
    this.downLinks.clear();
    this.cutLinks.clear();
    this.blocked.clear();
    this.deafNodes.clear();
    this.muteNodes.clear();
  }

  /** A datagram from `from` to `to` gets through (ignoring random loss). */
  canSend(from: string, to: string): boolean {
    return !this.muteNodes.has(from) && !this.deafNodes.has(to) && !this.blocked.has(`${from}>${to}`);
  }

  /** Linked both ways. */
  connected(a: string, b: string): boolean {
    return a === b || (this.canSend(a, b) && this.canSend(b, a));
  }

  pause(address: string): void {
    const e = this.endpoints.get(address);
    if (e) e.paused = true;
  }

  /**
   * The buffered datagrams are read at this instant, each a step of its own (promise microtasks settle
   * between them, as Node runs them after each callback), after whatever is already due now: the caller
   * orders a resume by resuming the network before or after the node's clock (SimCluster.resume).
   */
  resume(address: string): void {
    const e = this.endpoints.get(address);
    if (!e) return;
    e.paused = false;
    for (const item of e.buffer.splice(0)) {
      this.clock.setTimeout(() => {
        if (e.dead) return;
        if (e.paused) e.buffer.push(item); // stopped again before it was read
        else this.deliverNow(e, item.data, item.from);
      }, 0);
    }
  }

  kill(address: string): void {
    const e = this.endpoints.get(address);
    if (!e) return;
    e.dead = true;
    e.buffer.length = 0;
    this.endpoints.delete(address);
  }

  /** `from` is the sender's primary address; it sends from its own address on the subnet of `to`. */
  private send(from: string, toAddress: string, data: Uint8Array, own: string[] = [from]): void {
    this.sent++;
    this.sentBy.set(from, (this.sentBy.get(from) ?? 0) + 1);
    this.sentTo.set(`${from}>${toAddress}`, (this.sentTo.get(`${from}>${toAddress}`) ?? 0) + 1);
    const sender = this.endpoints.get(from);
    if (!sender || sender.dead || this.muteNodes.has(from)) return;
    const to = this.aliases.get(toAddress) ?? toAddress;
    const source = own.find((a) => subnet(a) === subnet(toAddress)) ?? from;
    if (this.downLinks.has(source) || this.downLinks.has(toAddress) || this.cutLinks.has(`${source}>${toAddress}`)) return;
    const copies = this.prng.chance(this.faults.duplicate) ? 2 : 1;
    for (let i = 0; i < copies; i++) {
      if (this.prng.chance(this.faults.drop)) continue;
      const delay = this.faults.delayMs + (this.faults.jitterMs > 0 ? this.prng.next() * this.faults.jitterMs : 0);
      this.clock.setTimeout(() => {
        // Links are judged on arrival: a partition cuts datagrams in flight too.
        if (!this.canSend(from, to) || this.downLinks.has(source) || this.downLinks.has(toAddress)) return;
        const target = this.endpoints.get(to);
        if (!target || target.dead) return;
        if (target.paused) {
          target.buffer.push({ data, from: source });
          return;
        }
        this.deliverNow(target, data, source);
      }, delay);
    }
  }

  private deliverNow(target: Endpoint, data: Uint8Array, from: string): void {
    if (!target.handler) return;
    this.delivered++;
    target.handler(data, from);
  }
}

/** "10.1.0.3:42012" → "10.1": the subnet a redundant link is on. */
function subnet(address: string): string {
  return address.split('.').slice(0, 2).join('.');
}
