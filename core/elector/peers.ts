/**
 * How many nodes the configuration names (for "elect as soon as every
 * configured peer has reported" and the quorum-majority warning).
 *
 * Counted: the unicast entries of `cluster.transport` (multicast groups name
 * no node), one per host — redundant links to one peer are usually written
 * with different hosts, but the same host with another port is the same
 * machine — except loopback hosts, where each port is its own node (several
 * nodes on one machine, as in tests). Null when no unicast entry exists
 * (multicast only): the count is unknown.
 */
import type { TransportAddress } from '../../plugin-api';

export function countConfiguredPeers(transport: readonly TransportAddress[]): number | null {
  const keys = new Set<string>();
  for (const entry of transport) {
    if (entry.kind === 'multicast4' || entry.kind === 'multicast6') continue;
    const host = entry.host.toLowerCase();
    keys.add(isLoopback(host) ? `${host}:${entry.port}` : host);
  }
  return keys.size > 0 ? keys.size : null;
}

function isLoopback(host: string): boolean {
  return host.startsWith('127.') || host === '::1' || host === 'localhost';
}
