/**
 * Transport addresses as text (`a.b.c.d:port`, `[ipv6%zone]:port`) and as
 * compact bytes for the wire. Pure functions, no I/O, no DNS. The text forms
 * live in plugin-api/address.ts (transports use them too).
 */
import { formatIPv4, formatIPv6, parseIPv4, parseIPv6, splitHostPort } from '../../plugin-api/address';

export {
  formatIPv4, formatIPv6, joinHostPort, parseIPv4, parseIPv6, splitHostPort, type HostPort,
} from '../../plugin-api/address';

export interface CompactAddress {
  /** 4 bytes (IPv4) or 16 bytes (IPv6). */
  ip: Uint8Array;
  port: number;
  /** IPv6 zone (interface name or index), '' when none. */
  zone: string;
}

/**
 * Compact form of `address`, or null when it is not a numeric `ip:port` or
 * would not come back as exactly the same text (then it travels as text).
 */
export function compactAddress(address: string): CompactAddress | null {
  const hp = splitHostPort(address);
  if (!hp) return null;
  let compact: CompactAddress;
  if (address.startsWith('[')) {
    const [ip6, zone = ''] = hp.host.split('%');
    const ip = parseIPv6(ip6);
    if (!ip || hp.host.split('%').length > 2 || (hp.host.includes('%') && zone === '')) return null;
    compact = { ip, port: hp.port, zone };
  } else {
    const ip = parseIPv4(hp.host);
    if (!ip) return null;
    compact = { ip, port: hp.port, zone: '' };
  }
  return expandAddress(compact) === address ? compact : null;
}

/** Text form of a compact address; null when the ip length is neither 4 nor 16. */
export function expandAddress(compact: CompactAddress): string | null {
  if (compact.ip.length === 4 && compact.zone === '') return `${formatIPv4(compact.ip)}:${compact.port}`;
  if (compact.ip.length === 16) {
    const host = formatIPv6(compact.ip) + (compact.zone ? `%${compact.zone}` : '');
    return `[${host}]:${compact.port}`;
  }
  return null;
}
