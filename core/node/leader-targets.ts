/**
 * Where a follower's leader-only heartbeat goes (issue 15; docs/architecture.md "Membership"): never
 * anywhere a broadcast would not go, and wherever the leader may be listening.
 *
 * Transports list their configured destinations without IPv6 zones (`[fe80::1]:42012`) while datagrams
 * arrive from `[fe80::1%eth1]:42012`, so addresses are compared without zones and sent to as heard.
 */

import { withoutZone } from '../../plugin-api/address';

/** fe80::/10: a destination that can be sent to only with its zone, which a configured entry no longer shows. */
function isLinkLocal(address: string): boolean {
  return /^\[fe[89ab]/i.test(address);
}

/**
 * The leader's addresses as heard that are configured destinations, plus the configured destinations no
 * node was heard at — they may be the leader's other links, hidden from this node by a one-way fault. Null
 * (send to every peer) when no heard address of the leader is a configured destination, when the transport
 * cannot tell (multicast: `configured` null), or when an unheard destination is link-local (not sendable
 * without its zone).
 */
export function leaderOnlyTargets(
  leaderAddresses: readonly string[],
  configured: ReadonlyArray<{ address: string; own: boolean }> | null,
  heardAddresses: Iterable<string>,
): string[] | null {
  if (!configured) return null;
  const peers = configured.filter((c) => !c.own).map((c) => c.address);
  const targets = leaderAddresses.filter((a) => peers.includes(withoutZone(a)));
  if (targets.length === 0) return null;
  const heard = new Set<string>();
  for (const a of heardAddresses) heard.add(withoutZone(a));
  for (const peer of peers) {
    if (heard.has(peer)) continue;
    if (isLinkLocal(peer)) return null;
    targets.push(peer);
  }
  return targets;
}
