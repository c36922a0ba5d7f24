/**
 * Turning `cluster.transport` entries into UDP destinations: validation of
 * each parsed entry, host-name resolution, multicast recognition, and the
 * choice of local bind address per address family.
 */
import { isIPv4, isIPv6 } from 'node:net';
import { isLoopback, stripZone, type LookupFn, type TransportAddress, ErrorCode, KoiError } from '../../plugin-api';

export { isLoopback, stripZone, type LookupFn };

export type Family = 4 | 6;

/** One place a broadcast goes to. */
export interface Destination {
  family: Family;
  /** Numeric address (IPv6 may carry `%zone`). */
  host: string;
  port: number;
  multicast: boolean;
  /** The transport entry it came from, as written. */
  raw: string;
}

export class TransportConfigError extends KoiError {
  constructor(message: string) {
    super(ErrorCode.TRANSPORT_CONFIG, message);
  }
}


export function isMulticast4(host: string): boolean {
  if (!isIPv4(host)) return false;
  const first = Number(host.split('.')[0]);
  return first >= 224 && first <= 239;
}

export function isMulticast6(host: string): boolean {
  return isIPv6(stripZone(host)) && /^ff[0-9a-f]{2}:/i.test(stripZone(host));
}

function checkPort(entry: TransportAddress): void {
  if (!Number.isInteger(entry.port) || entry.port < 1 || entry.port > 65535) {
    throw new TransportConfigError(`transport entry '${entry.raw}': port ${entry.port} is not in 1..65535`);
  }
}

/** Check one parsed entry; returns its destination unless it is a host name (resolved later). */
export function destinationOf(entry: TransportAddress): Destination | null {
  checkPort(entry);
  const bad = (what: string): TransportConfigError =>
    new TransportConfigError(`transport entry '${entry.raw}': '${entry.host}' is not ${what}`);
  switch (entry.kind) {
    case 'ipv4':
      if (!isIPv4(entry.host) || isMulticast4(entry.host)) throw bad('a unicast IPv4 address');
      return { family: 4, host: entry.host, port: entry.port, multicast: false, raw: entry.raw };
    case 'multicast4':
      if (!isMulticast4(entry.host)) throw bad('an IPv4 multicast group (224.0.0.0/4)');
      return { family: 4, host: entry.host, port: entry.port, multicast: true, raw: entry.raw };
    case 'ipv6':
      if (!isIPv6(stripZone(entry.host)) || isMulticast6(entry.host)) throw bad('a unicast IPv6 address');
      return { family: 6, host: entry.host, port: entry.port, multicast: false, raw: entry.raw };
    case 'multicast6':
      if (!isMulticast6(entry.host)) throw bad('an IPv6 multicast group (ff00::/8)');
      return { family: 6, host: entry.host, port: entry.port, multicast: true, raw: entry.raw };
    case 'hostname':
      if (entry.host === '' || isIPv4(entry.host) || isIPv6(stripZone(entry.host))) throw bad('a host name');
      return null;
    default: {
      const never: never = entry.kind;
      throw new TransportConfigError(`transport entry '${entry.raw}': unknown kind '${String(never)}'`);
    }
  }
}

export interface ResolvedTransport {
  destinations: Destination[];
  /** Host names that did not resolve, with the reason (the rest still work). */
  unresolved: { raw: string; error: string }[];
}

/** Validate every entry and resolve host names (every address a name has becomes a link). */
export async function resolveTransport(entries: readonly TransportAddress[], lookup: LookupFn): Promise<ResolvedTransport> {
  const destinations: Destination[] = [];
  const unresolved: { raw: string; error: string }[] = [];
  const seen = new Set<string>();
  const add = (d: Destination): void => {
    const key = `${d.family}|${d.host}|${d.port}`;
    if (!seen.has(key)) {
      seen.add(key);
      destinations.push(d);
    }
  };
  for (const entry of entries) {
    const d = destinationOf(entry);
    if (d) {
      add(d);
      continue;
    }
    try {
      const found = await lookup(entry.host);
      if (found.length === 0) throw new Error('no addresses');
      for (const a of found) {
        const family: Family = a.family === 6 ? 6 : 4;
        const multicast = family === 4 ? isMulticast4(a.address) : isMulticast6(a.address);
        add({ family, host: a.address, port: entry.port, multicast, raw: entry.raw });
      }
    } catch (err) {
      unresolved.push({ raw: entry.raw, error: (err as Error).message });
    }
  }
  return { destinations, unresolved };
}

/**
 * Where the socket of one family binds: the explicit choice, else the any
 * address when multicast must be received or a non-loopback peer is listed,
 * else (everything loopback) the loopback address, so a loopback-only
 * cluster never listens on outside interfaces.
 */
export function chooseBindAddress(family: Family, destinations: readonly Destination[], explicit: string | undefined): string {
  if (explicit) return explicit;
  const mine = destinations.filter((d) => d.family === family);
  const anyAddress = family === 4 ? '0.0.0.0' : '::';
  if (mine.some((d) => d.multicast)) return anyAddress;
  if (mine.length > 0 && mine.every((d) => isLoopback(family, d.host))) return family === 4 ? '127.0.0.1' : '::1';
  return anyAddress;
}
