/** Reading the cluster through the real `koi` client, and waiting for a steady cluster. */
import type { Cluster, ServiceEvent } from '../../scripts/lib/cluster';
import { koiInProcess } from './koi-client';

export interface NodeRef {
  id: string;
  name: string;
}

export interface ClusterNode {
  id: string;
  name: string;
  state: string;
  flags: string[];
  services: { name: string; state: string }[];
}

export interface ClusterDoc {
  type: 'cluster';
  leader: NodeRef | null;
  master: NodeRef | null;
  quorum: { configured: number; seen: number; has: boolean };
  nodes: ClusterNode[];
}

/** A node's role as `koi status` saw it: leader, master, both joined by "+", or slave. */
export function roleOf(doc: ClusterDoc, name: string): string {
  const id = doc.nodes.find((n) => n.name === name)?.id;
  return [id === doc.leader?.id ? 'leader' : '', id === doc.master?.id ? 'master' : ''].filter(Boolean).join('+') || 'slave';
}

/** `koi --json status`, asked of `via` (forwarded to the leader); undefined when there is no answer. */
export async function clusterStatus(cluster: Cluster, via: string): Promise<ClusterDoc | undefined> {
  const result = await koiInProcess(cluster, ['status'], via);
  const doc = result.json as ClusterDoc | undefined;
  return doc && doc.type === 'cluster' ? doc : undefined;
}

/**
 * Steady: every node named once and running, Slave or Master; one master
 * whose services are all promoted and whose last promote script ended; a
 * leader with quorum.
 */
export function isSteady(cluster: Cluster, doc: ClusterDoc | undefined, events: ServiceEvent[]): boolean {
  if (!doc || !doc.leader || !doc.master) return false;
  if (doc.quorum.configured > 0 && !doc.quorum.has) return false;
  // A killed node's old record stays Disconnected on the leader (forgotten after 30 min), or OFFLINE; its restart has a new id.
  const live = doc.nodes.filter((n) => n.state !== 'Disconnected' && n.state !== 'Offline');
  const names = cluster.nodes.map((n) => n.name).sort();
  const seen = live.map((n) => n.name).sort();
  if (names.join(',') !== seen.join(',')) return false;
  for (const node of live) {
    const isMaster = node.id === doc.master.id;
    if (node.state !== (isMaster ? 'Master' : 'Slave')) return false;
    const want = isMaster ? 'Promoted' : 'Started';
    if (node.services.some((s) => s.state !== want)) return false;
  }
  const masterEvents = events.filter((e) => e.node === doc.master!.name && (e.event === 'promote' || e.event === 'demote'));
  const last = masterEvents[masterEvents.length - 1];
  return !!last && last.event === 'promote' && last.phase === 'end';
}

/** Wait for a steady cluster (asking any running node); returns its status document. */
export async function waitSteady(cluster: Cluster, what: string, timeoutMs = 30_000): Promise<ClusterDoc> {
  let last: ClusterDoc | undefined;
  try {
    return await cluster.waitFor(what, async () => {
      const via = cluster.nodes.map((n) => n.name).find((n) => cluster.running(n));
      if (!via) return undefined;
      const doc = await clusterStatus(cluster, via);
      last = doc ?? last;
      return isSteady(cluster, doc, cluster.events()) ? doc : undefined;
    }, timeoutMs, 150);
  } catch (err) {
    const brief = last && `leader ${last.leader?.name}, master ${last.master?.name}, quorum ${JSON.stringify(last.quorum)}, `
      + last.nodes.map((n) => `${n.name} ${n.state} [${n.services.map((s) => s.state).join(',')}]`).join('; ');
    throw new Error(`${(err as Error).message}\nlast status: ${brief ?? 'none'}`);
  }
}

export function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

/** Wall-clock now in ms since the epoch, sub-millisecond (comparable with the scripts' `date +%s.%N`). */
export function epochMs(): number {
  return performance.timeOrigin + performance.now();
}
