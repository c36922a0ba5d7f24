/**
 * Who may do what over which admin path (docs/security.md "Admin requests"):
 *
 * - `local`: the unix socket; the kernel already checked the caller against
 *   the socket's owner, group and mode, so everything is allowed;
 * - `peer`: a request forwarded by another node of the cluster (a known node
 *   id, heard from that node's address): allowed, the entry node applied its
 *   own policy before forwarding;
 * - `network`: a `koi` client over UDP: the source must be in
 *   `node.admin_allow` (when set), then `node.network_admin` decides: `full`,
 *   `read-only` (status, local, tree, failures, events) or `off`.
 */
import { BlockList, isIP } from 'node:net';
import { ErrorCode, KoiError } from '../../plugin-api/errors';

export const NETWORK_ADMIN_MODES = ['full', 'read-only', 'off'] as const;
export type NetworkAdminMode = (typeof NETWORK_ADMIN_MODES)[number];

export type AdminChannel = 'local' | 'peer' | 'network';

export class AdminPolicyError extends KoiError {
  constructor(message: string) {
    super(ErrorCode.ADMIN_POLICY, message);
  }
}

/** A parsed `node.admin_allow` list. */
export interface AllowList {
  /** The list as written (for messages); empty = every source. */
  readonly entries: readonly string[];
  allows(ip: string): boolean;
}

/**
 * Parse `node.admin_allow`: addresses or CIDR blocks, IPv4 or IPv6, separated
 * by commas or spaces; '' allows every source. Throws AdminPolicyError naming
 * every bad entry.
 */
export function parseAllowList(text: string): AllowList {
  const entries = text.split(/[\s,]+/).filter((e) => e.length > 0);
  const list = new BlockList();
  const problems: string[] = [];
  for (const entry of entries) {
    const [address, bits, extra] = entry.split('/');
    const family = isIP(address);
    const max = family === 6 ? 128 : 32;
    if (family === 0 || extra !== undefined) {
      problems.push(`'${entry}' is not an IP address or address/prefix`);
      continue;
    }
    if (bits === undefined) {
      list.addAddress(address, family === 6 ? 'ipv6' : 'ipv4');
      continue;
    }
    const prefix = Number(bits);
    if (!/^\d+$/.test(bits) || prefix > max) {
      problems.push(`'${entry}': prefix length must be 0..${max}`);
      continue;
    }
    list.addSubnet(address, prefix, family === 6 ? 'ipv6' : 'ipv4');
  }
  if (problems.length > 0) throw new AdminPolicyError(`node.admin_allow: ${problems.join('; ')}`);
  return {
    entries,
    allows(ip) {
      if (entries.length === 0) return true;
      const family = isIP(ip);
      if (family === 0) return false;
      if (list.check(ip, family === 6 ? 'ipv6' : 'ipv4')) return true;
      // An IPv4 client reaching a dual-stack socket shows up as ::ffff:a.b.c.d.
      const mapped = /^::ffff:(\d+\.\d+\.\d+\.\d+)$/i.exec(ip);
      return mapped !== null && list.check(mapped[1], 'ipv4');
    },
  };
}

/** The IP of a transport address (`1.2.3.4:5`, `[::1]:5`, `[fe80::1%eth0]:5`); '' when it has none. */
export function addressIp(address: string): string {
  const v6 = /^\[([^\]%]+)(?:%[^\]]*)?\]:\d+$/.exec(address);
  if (v6) return v6[1];
  const v4 = /^(\d+\.\d+\.\d+\.\d+):\d+$/.exec(address);
  return v4 ? v4[1] : '';
}

export interface AdminPolicy {
  networkAdmin: NetworkAdminMode;
  allow: AllowList;
}

export type AccessVerdict = { ok: true } | { ok: false; reason: string };

/** May a request of this kind, over this channel, from this address, run here? */
export function checkAccess(policy: AdminPolicy, channel: AdminChannel, from: string, mutating: boolean, command: string): AccessVerdict {
  if (channel !== 'network') return { ok: true };
  const ip = addressIp(from);
  if (!policy.allow.allows(ip)) {
    return { ok: false, reason: `admin requests from ${ip || from} are not allowed here (node.admin_allow ${policy.allow.entries.join(', ')}); use koi on the node itself` };
  }
  if (policy.networkAdmin === 'off') {
    return { ok: false, reason: 'network admin is off on this node (node.network_admin off); use koi on the node itself (local socket)' };
  }
  if (mutating && policy.networkAdmin === 'read-only') {
    return { ok: false, reason: `'${command}' changes the cluster and network admin is read-only on this node (node.network_admin read-only); use koi on the node itself (local socket), or set node.network_admin full` };
  }
  return { ok: true };
}
