/**
 * A koi cluster of real processes, one per network namespace
 * (scripts/lib/netns.ts), driven through scripts/lib/cluster.ts.
 */
import { NetnsTopology } from './netns';
import { promotedNodes } from './mastership';
import { Cluster, type ClusterOptions } from './cluster';

export const NETNS_PORT = 42012;

export interface NetnsCluster {
  topo: NetnsTopology;
  cluster: Cluster;
  /** Node name → index in the topology. */
  index(name: string): number;
  names: string[];
  close(): Promise<void>;
}

export interface NetnsClusterOptions extends Omit<ClusterOptions, 'nodes'> {
  /** 2: every node has a second link, and both of its addresses are listed in `cluster.transport`. */
  links?: 1 | 2;
  /** Start every node at once (default true); false leaves starting to the caller. */
  start?: boolean;
}

/**
 * Build the namespaces, write the configs and start every node. On any
 * failure everything created so far is removed before the error is thrown.
 */
export function createNetnsCluster(count: number, options: NetnsClusterOptions = {}): NetnsCluster {
  const { links = 1, start = true, ...clusterOptions } = options;
  const topo = new NetnsTopology(count, undefined, links);
  let cluster: Cluster | undefined;
  try {
    topo.create();
    const names = Array.from({ length: count }, (_, i) => `k${i + 1}`);
    cluster = new Cluster({
      tag: 'koi-netns',
      ...clusterOptions,
      extraTransport: [...(clusterOptions.extraTransport ?? []), ...topo.addresses2.map((a) => `${a}:${NETNS_PORT}`)],
      nodes: names.map((name, i) => ({ name, address: topo.addresses[i], port: NETNS_PORT, netns: topo.nodeNs[i] })),
    });
    if (start) cluster.start();
    const built = cluster;
    return {
      topo,
      cluster: built,
      names,
      index: (name) => {
        const i = names.indexOf(name);
        if (i < 0) throw new Error(`unknown node ${name}`);
        return i;
      },
      close: async () => {
        try {
          await built.close();
        } finally {
          topo.destroy();
        }
      },
    };
  } catch (err) {
    // Nothing was started when the cluster object is missing; otherwise end its processes first.
    const c = cluster;
    const cleanUp = () => {
      try {
        topo.destroy();
      } catch (destroyErr) {
        process.stderr.write(`${(destroyErr as Error).message}\n`);
      }
    };
    if (c) void c.close().then(cleanUp, cleanUp);
    else cleanUp();
    throw err;
  }
}

/**
 * Wait until every node in `names` answers `koi local`, exactly one of them
 * is Master with its services Promoted, all of them name it, and the events
 * show it as the only promoted node. Returns its name.
 */
export async function agreedMaster(cluster: Cluster, names: string[], timeoutMs = 20_000): Promise<string> {
  return cluster.waitFor(`one master agreed by ${names.join(', ')}`, async () => {
    const views = await localViews(cluster, names);
    if (!views) return undefined;
    const masters = views.filter((v) => v.state === 'Master');
    if (masters.length !== 1) return undefined;
    const name = masters[0].name;
    if (!views.every((v) => v.master === name)) return undefined;
    if (!masters[0].services.every((s) => s.state === 'Promoted')) return undefined;
    const promoted = promotedNodes(cluster.events());
    if (promoted.length !== 1 || promoted[0] !== name) return undefined;
    return name;
  }, timeoutMs, 500);
}

/** `koi local` of every node in `names`, or undefined when one does not answer. */
export async function localViews(cluster: Cluster, names: string[]): Promise<NonNullable<Awaited<ReturnType<Cluster['local']>>>[] | undefined> {
  // One client at a time: each is a node process, and a burst of them steals the CPU the nodes need.
  const views = [];
  for (const n of names) {
    const view = await cluster.local(n);
    if (!view) return undefined;
    views.push(view);
  }
  return views;
}

/** The leader, as `koi status` on `asking` reports it. */
export async function leaderOf(cluster: Cluster, asking: string): Promise<string> {
  return cluster.waitFor(`a leader seen by ${asking}`, () => cluster.leader(asking), 20_000, 500);
}
