/**
 * Gates and shared steps of the issue-10 safety tests on real processes.
 *
 * They failed on the core before the issue-10 fixes (that was their point)
 * and run always now; namespace tests still need root and nftables.
 */
import { netnsSupport } from '../../../scripts/lib/netns';
import { startedId, type Cluster } from '../../../scripts/lib/cluster';


type Describe = (name: string, fn: () => void) => void;

/** A skipped describe whose name and a stderr line say why (jest hides console output of fully skipped files). */
function skipWith(what: string, reason: string): Describe {
  process.stderr.write(`${what}: skipped — ${reason}\n`);
  return (name, fn) => describe.skip(`${name} [skipped: ${reason}]`, fn);
}

/** describe for a loopback safety test (kept as a function so every safety test reads alike). */
export function describeFixed(_what: string): Describe {
  return describe;
}

/** describe for a namespace test that needs the core fixes (and root). */
export function describeNetnsFixed(what: string): Describe {
  const support = netnsSupport();
  if (!support.ok) return skipWith(what, `${support.reason} (network namespaces need root and iproute2 on Linux)`);
  if (!support.nft) return skipWith(what, 'nftables (`nft`) is missing inside namespaces');
  return describeFixed(what);
}

/** Each node's id from its "node NAME (ID) started" log line, once every node logged it. */
export function nodeIds(cluster: Cluster, names: string[]): Promise<Map<string, string>> {
  return cluster.waitFor('every node logged its id', () => {
    const ids = new Map<string, string>();
    for (const n of names) {
      const id = startedId(cluster.log(n));
      if (!id) return undefined;
      ids.set(n, id);
    }
    return ids;
  }, 15_000, 100);
}

/** The recording service sleeps this long in demote: longer than master_lease + lease_margin (1.2 s + 0.25 s). */
export const SLOW_DEMOTE_S = 1.6;

export const ms = (s: number) => `${(s * 1000).toFixed(0)} ms`;
