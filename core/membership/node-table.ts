/**
 * The table of nodes this node has heard (SPEC §2): id, name, flags, when it
 * was last heard, and the addresses it was heard from, most recently used
 * first. Entries not heard within the node timeout are dropped. Pure data:
 * the caller passes the time.
 */
import { NodeFlag } from '../../plugin-api';

/** Addresses kept per node (redundant links). */
const MAX_ADDRESSES = 4;

export interface NodeEntry {
  id: string;
  name: string;
  /** NodeFlag bits of its last heartbeat. */
  flags: number;
  /** Sender's process uptime in its last heartbeat. */
  uptimeMs: number;
  /** Local monotonic time it was last heard (any message). */
  lastSeen: number;
  firstSeen: number;
  /** Most recently used first. */
  addresses: string[];
  /** Last time it answered this node as its leader (unicast heartbeat answer or health report). */
  lastAck: number;
  /**
   * With its last counted answer: from when on (this node's clock, estimated late, never early) no other
   * leader could count an acknowledgement of it any more (R2: the replacement wait starts there).
   */
  freeAt: number;
  /** Last heartbeat carrying the Leader flag and a cluster view (a leader, not a candidate). */
  lastLeaderBeat: number;
  /** How many nodes that leader's last view listed as heard within node_timeout, itself included (L2). */
  leaderViewHeard: number;
  /** Last heartbeat carrying the Leader flag without a view (a candidate). */
  lastCandidateBeat: number;
}

export class NodeTable {
  private readonly entries = new Map<string, NodeEntry>();
  /** Last time each id was heard, kept after the entry is dropped (for lease arithmetic). */
  private readonly everHeard = new Map<string, number>();

  get(id: string): NodeEntry | undefined {
    return this.entries.get(id);
  }

  all(): NodeEntry[] {
    return [...this.entries.values()];
  }

  size(): number {
    return this.entries.size;
  }

  /** Last time `id` was heard, even if dropped since; undefined when never. */
  lastHeard(id: string): number | undefined {
    return this.everHeard.get(id);
  }

  /** Record that `id` was heard from `address`; returns the entry and whether it is new. */
  touch(id: string, address: string, now: number, info?: { name: string; flags: number; uptimeMs: number }): { entry: NodeEntry; joined: boolean } {
    let entry = this.entries.get(id);
    const joined = !entry;
    if (!entry) {
      entry = {
        id, name: info?.name ?? '', flags: info?.flags ?? 0, uptimeMs: info?.uptimeMs ?? 0,
        lastSeen: now, firstSeen: now, addresses: [], lastAck: -Infinity, freeAt: Infinity, lastLeaderBeat: -Infinity, lastCandidateBeat: -Infinity,
        leaderViewHeard: 0,
      };
      this.entries.set(id, entry);
    }
    if (info) {
      entry.name = info.name;
      entry.flags = info.flags;
      entry.uptimeMs = info.uptimeMs;
    }
    entry.lastSeen = now;
    this.everHeard.set(id, now);
    if (address) {
      const at = entry.addresses.indexOf(address);
      if (at !== 0) {
        if (at > 0) entry.addresses.splice(at, 1);
        entry.addresses.unshift(address);
        if (entry.addresses.length > MAX_ADDRESSES) entry.addresses.length = MAX_ADDRESSES;
      }
    }
    return { entry, joined };
  }

  /** Drop entries not heard for longer than `timeoutMs`; returns the dropped ones. */
  prune(now: number, timeoutMs: number): NodeEntry[] {
    const dropped: NodeEntry[] = [];
    for (const entry of this.entries.values()) {
      if (now - entry.lastSeen > timeoutMs) {
        this.entries.delete(entry.id);
        dropped.push(entry);
      }
    }
    return dropped;
  }

  /** Remove one entry (a node that said it is leaving). */
  remove(id: string): NodeEntry | undefined {
    const entry = this.entries.get(id);
    this.entries.delete(id);
    return entry;
  }

  /** Forget the lease bookkeeping of ids not heard for `ms` (bounded memory). */
  forgetOlderThan(now: number, ms: number): void {
    for (const [id, at] of this.everHeard) if (now - at > ms && !this.entries.has(id)) this.everHeard.delete(id);
  }

  clear(): void {
    this.entries.clear();
  }
}

/** Human names of NodeFlag bits, in a fixed order. */
export function flagNames(flags: number): Array<'Elector' | 'Runner' | 'Leader' | 'Failed'> {
  const names: Array<'Elector' | 'Runner' | 'Leader' | 'Failed'> = [];
  if (flags & NodeFlag.Elector) names.push('Elector');
  if (flags & NodeFlag.Runner) names.push('Runner');
  if (flags & NodeFlag.Leader) names.push('Leader');
  if (flags & NodeFlag.Failed) names.push('Failed');
  return names;
}
