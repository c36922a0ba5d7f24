/**
 * The in-memory network of the simulator and its transport plugin. Links
 * can drop, delay, duplicate and reorder datagrams; any sets of nodes can be
 * partitioned from each other and healed. A datagram to a paused node waits
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
  /** address → partition group; nodes in different groups cannot talk. */
  private readonly group = new Map<string, number>();
  /** Directed blocks "from>to" (asymmetric faults). */
  private readonly blocked = new Set<string>();
  faults: LinkFaults = { ...PERFECT_LINK };
  /** Upper bound of any delay this network applies (invariant bounds use it). */
  maxDelayMs = 0;
  sent = 0;
  delivered = 0;

  constructor(private readonly clock: VirtualClock, private readonly prng: Prng) {
    this.maxDelayMs = this.faults.delayMs + this.faults.jitterMs;
  }

  setFaults(faults: LinkFaults): void {
    this.faults = { ...faults };
    this.maxDelayMs = Math.max(this.maxDelayMs, faults.delayMs + faults.jitterMs);
  }

  /** A transport for the node at `address` sending to the addresses of its `cluster.transport`. */
  transport(address: string, peers: () => string[]): Transport {
    const endpoint: Endpoint = { address, handler: null, paused: false, dead: false, buffer: [] };
    this.endpoints.set(address, endpoint);
    // eslint-disable-next-line @typescript-eslint/no-this-alias
    const net = this;
    return {
      name: 'sim',
      maxDatagramSize: 1472,
      async start(onDatagram) {
        endpoint.handler = onDatagram;
      },
      broadcast(data) {
        for (const peer of peers()) if (peer !== address) net.send(address, peer, data);
      },
      sendTo(to, data) {
        net.send(address, to, data);
      },
      localAddresses: () => [address],
      async close() {
        endpoint.handler = null;
      },
    };
  }

  /** Split the nodes into groups; addresses not named form one more group together. */
  partition(groups: string[][]): void {
    this.group.clear();
    groups.forEach((members, i) => members.forEach((a) => this.group.set(a, i + 1)));
  }

  /** Block one direction only (from cannot reach to). */
  blockOneWay(from: string, to: string): void {
    this.blocked.add(`${from}>${to}`);
  }

  /** Some one-way cut is active (components are not well defined). */
  get hasOneWayCuts(): boolean {
    return this.blocked.size > 0;
  }

  heal(): void {
    this.group.clear();
    this.blocked.clear();
  }

  connected(a: string, b: string): boolean {
    return (this.group.get(a) ?? 0) === (this.group.get(b) ?? 0) && !this.blocked.has(`${a}>${b}`) && !this.blocked.has(`${b}>${a}`);
  }

  pause(address: string): void {
    const e = this.endpoints.get(address);
    if (e) e.paused = true;
  }

  resume(address: string): void {
    const e = this.endpoints.get(address);
    if (!e) return;
    e.paused = false;
    for (const item of e.buffer.splice(0)) this.deliverNow(e, item.data, item.from);
  }

  kill(address: string): void {
    const e = this.endpoints.get(address);
    if (!e) return;
    e.dead = true;
    e.buffer.length = 0;
    this.endpoints.delete(address);
  }

  private send(from: string, to: string, data: Uint8Array): void {
    this.sent++;
    const sender = this.endpoints.get(from);
    if (!sender || sender.dead) return;
    const copies = this.prng.chance(this.faults.duplicate) ? 2 : 1;
    for (let i = 0; i < copies; i++) {
      if (this.prng.chance(this.faults.drop)) continue;
      const delay = this.faults.delayMs + (this.faults.jitterMs > 0 ? this.prng.next() * this.faults.jitterMs : 0);
      this.clock.setTimeout(() => {
        // Links are judged on arrival: a partition cuts datagrams in flight too.
        if (!this.connected(from, to) || this.blocked.has(`${from}>${to}`)) return;
        const target = this.endpoints.get(to);
        if (!target || target.dead) return;
        if (target.paused) {
          target.buffer.push({ data, from });
          return;
        }
        this.deliverNow(target, data, from);
      }, delay);
    }
  }

  private deliverNow(target: Endpoint, data: Uint8Array, from: string): void {
    if (!target.handler) return;
    this.delivered++;
    target.handler(data, from);
  }
}
