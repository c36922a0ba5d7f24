/**
 * Addresses as text: `a.b.c.d:port` and `[ipv6%zone]:port` (the form
 * transports pass as `from`), IPv4/IPv6 literals parsed to bytes and printed
 * back (RFC 5952). Pure functions, no I/O, no DNS.
 */

export interface HostPort {
  /** Address without brackets (IPv6 zone, if any, kept after `%`). */
  host: string;
  port: number;
}

const IPV4 = /^(25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)(\.(25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)){3}$/;
const PORT = /^(0|[1-9]\d{0,4})$/;

/** Split `a.b.c.d:port` or `[v6]:port` (port required). Null when it is neither. */
export function splitHostPort(address: string): HostPort | null {
  let host: string;
  let portText: string;
  if (address.startsWith('[')) {
    const close = address.indexOf(']');
    if (close < 0 || address[close + 1] !== ':') return null;
    host = address.slice(1, close);
    portText = address.slice(close + 2);
    if (parseIPv6(host.split('%')[0]) === null) return null;
  } else {
    const colon = address.lastIndexOf(':');
    if (colon < 0) return null;
    host = address.slice(0, colon);
    portText = address.slice(colon + 1);
    if (!IPV4.test(host)) return null;
  }
  if (!PORT.test(portText)) return null;
  const port = Number(portText);
  if (port > 65535) return null;
  return { host, port };
}

/** `host:port` for IPv4, `[host]:port` for IPv6 (the form transports pass as `from`). */
export function joinHostPort(host: string, port: number): string {
  return host.includes(':') ? `[${host}]:${port}` : `${host}:${port}`;
}

export function parseIPv4(text: string): Uint8Array | null {
  if (!IPV4.test(text)) return null;
  return Uint8Array.from(text.split('.').map(Number));
}

/** Parse an IPv6 address (no zone, no brackets), including `::` and a trailing dotted IPv4. */
export function parseIPv6(text: string): Uint8Array | null {
  if (text.length < 2 || text.length > 45) return null;
  let head = text;
  let v4: Uint8Array | null = null;
  const lastColon = text.lastIndexOf(':');
  if (text.indexOf('.', lastColon) > lastColon) {
    v4 = parseIPv4(text.slice(lastColon + 1));
    if (!v4) return null;
    head = text.slice(0, lastColon + 1) + '0:0'; // placeholder groups, replaced below
  }
  const parts = head.split('::');
  if (parts.length > 2) return null;
  const parseGroups = (s: string): number[] | null => {
    if (s === '') return [];
    const groups = s.split(':');
    const out: number[] = [];
    for (const g of groups) {
      if (!/^[0-9a-fA-F]{1,4}$/.test(g)) return null;
      out.push(parseInt(g, 16));
    }
    return out;
  };
  const left = parseGroups(parts[0]);
  const right = parts.length === 2 ? parseGroups(parts[1]) : [];
  if (!left || !right) return null;
  let groups: number[];
  if (parts.length === 2) {
    const missing = 8 - left.length - right.length;
    if (missing < 1) return null;
    groups = [...left, ...new Array<number>(missing).fill(0), ...right];
  } else {
    groups = left;
  }
  if (groups.length !== 8) return null;
  const bytes = new Uint8Array(16);
  groups.forEach((g, i) => {
    bytes[i * 2] = g >> 8;
    bytes[i * 2 + 1] = g & 0xff;
  });
  if (v4) bytes.set(v4, 12);
  return bytes;
}

export function formatIPv4(bytes: Uint8Array): string {
  return `${bytes[0]}.${bytes[1]}.${bytes[2]}.${bytes[3]}`;
}

/** RFC 5952 text form (what inet_ntop prints): lowercase, longest zero run as `::`, `::ffff:a.b.c.d`. */
export function formatIPv6(bytes: Uint8Array): string {
  const groups: number[] = [];
  for (let i = 0; i < 8; i++) groups.push((bytes[i * 2] << 8) | bytes[i * 2 + 1]);
  if (groups.slice(0, 5).every((g) => g === 0) && groups[5] === 0xffff) {
    return `::ffff:${formatIPv4(bytes.subarray(12))}`;
  }
  let bestStart = -1;
  let bestLen = 0;
  for (let i = 0; i < 8;) {
    if (groups[i] !== 0) { i++; continue; }
    let j = i;
    while (j < 8 && groups[j] === 0) j++;
    if (j - i > bestLen && j - i >= 2) { bestStart = i; bestLen = j - i; }
    i = j;
  }
  const hex = groups.map((g) => g.toString(16));
  if (bestStart < 0) return hex.join(':');
  return `${hex.slice(0, bestStart).join(':')}::${hex.slice(bestStart + bestLen).join(':')}`;
}

/** A resolver like dns.promises.lookup with `all: true` (tests inject one). */
export type LookupFn = (host: string) => Promise<{ address: string; family: number }[]>;

export function stripZone(host: string): string {
  const i = host.indexOf('%');
  return i < 0 ? host : host.slice(0, i);
}

/**
 * `[fe80::1%eth1]:42012` → `[fe80::1]:42012` (other addresses unchanged): the form `joinHostPort(stripZone(host),
 * port)` gives, as transports list configured destinations, for comparing them with the `from` of a datagram.
 */
export function withoutZone(address: string): string {
  return address.replace(/%[^\]]*\]/, ']');
}

/** 127.0.0.0/8 or ::1. */
export function isLoopback(family: 4 | 6, host: string): boolean {
  if (family === 4) return host.startsWith('127.');
  return stripZone(host) === '::1';
}

/** The largest UDP payload that crosses a 1500-byte Ethernet link unfragmented (IPv4: 1500 − 20 − 8). */
export const DEFAULT_UDP_MAX_DATAGRAM = 1472;
