/**
 * `cluster.transport` parsing (SPEC §7): a list separated by commas,
 * semicolons or white space of IPv4 (`a.b.c.d[:port]`), IPv6 (`::1`,
 * `fe80::1%eth0`, `[IPv6][:port]`), multicast groups of either family
 * (recognised by range: 224.0.0.0/4, ff00::/8) and host names (RFC 1123;
 * the transport resolves them). An entry without a port gets the node's port.
 */
import { isIPv4, isIPv6 } from 'node:net';
import type { TransportAddress } from '../../plugin-api/config';
import { ErrorCode, KoiError } from '../../plugin-api/errors';

/** One entry that could not be read. */
export interface TransportEntryProblem {
  entry: string;
  message: string;
}

/** One or more malformed entries; every bad entry of the list is named. */
export class TransportAddressError extends KoiError {
  constructor(readonly problems: TransportEntryProblem[]) {
    super(ErrorCode.TRANSPORT_ADDRESS, problems.map((p) => `"${p.entry}": ${p.message}`).join('; '));
  }
}

/** Split a transport list into its entries (commas, semicolons, white space). */
export function splitTransportList(input: string | readonly string[]): string[] {
  const parts = typeof input === 'string' ? [input] : input;
  return parts.flatMap((part) => part.split(/[\s,;]+/)).filter((entry) => entry !== '');
}

/**
 * Parse a whole transport list. Throws TransportAddressError naming every
 * malformed entry (not just the first).
 */
export function parseTransportList(input: string | readonly string[], defaultPort: number): TransportAddress[] {
  const addresses: TransportAddress[] = [];
  const problems: TransportEntryProblem[] = [];
  for (const entry of splitTransportList(input)) {
    const result = parseTransportAddress(entry, defaultPort);
    if ('message' in result) problems.push(result);
    else addresses.push(result);
  }
  if (problems.length > 0) throw new TransportAddressError(problems);
  return addresses;
}

/** Parse one entry; returns the address or a problem naming the entry. */
export function parseTransportAddress(entry: string, defaultPort: number): TransportAddress | TransportEntryProblem {
  const fail = (message: string): TransportEntryProblem => ({ entry, message });

  if (entry.startsWith('[') || entry.includes(']')) {
    const match = /^\[([^\[\]]*)\](?::([^:]*))?$/.exec(entry);
    if (!match) return fail('unbalanced or misplaced brackets; write [IPv6] or [IPv6]:port');
    const [, host, portText] = match;
    if (!isIPv6(host)) return fail(`"${host}" inside brackets is not an IPv6 address`);
    const port = readPort(portText, defaultPort);
    if (typeof port === 'string') return fail(port);
    return { kind: isIPv6Multicast(host) ? 'multicast6' : 'ipv6', host, port, raw: entry };
  }

  const colons = (entry.match(/:/g) ?? []).length;
  if (colons >= 2) {
    if (!isIPv6(entry)) return fail('not a valid IPv6 address (to give a port, write [IPv6]:port)');
    return { kind: isIPv6Multicast(entry) ? 'multicast6' : 'ipv6', host: entry, port: defaultPort, raw: entry };
  }

  const [host, portText] = colons === 1 ? entry.split(':') : [entry, undefined];
  const port = readPort(portText, defaultPort);
  if (host === '') return fail('missing host before the port');

  if (/^[\d.]+$/.test(host)) {
    const ipv4Problem = checkIPv4(host);
    if (ipv4Problem) return fail(ipv4Problem);
    if (typeof port === 'string') return fail(port);
    const firstOctet = Number(host.split('.')[0]);
    return { kind: firstOctet >= 224 && firstOctet <= 239 ? 'multicast4' : 'ipv4', host, port, raw: entry };
  }

  const hostProblem = checkHostName(host);
  if (hostProblem) return fail(hostProblem);
  if (typeof port === 'string') return fail(port);
  return { kind: 'hostname', host: host.toLowerCase(), port, raw: entry };
}

/** Port text → number, or a message saying what is wrong. */
function readPort(text: string | undefined, defaultPort: number): number | string {
  if (text === undefined) return defaultPort;
  if (!/^\d+$/.test(text)) return `port "${text}" is not a number`;
  const port = Number(text);
  if (port < 1 || port > 65535) return `port ${text} is out of range 1..65535`;
  return port;
}

function checkIPv4(host: string): string | undefined {
  const octets = host.split('.');
  if (octets.length !== 4) return `"${host}" is not an IPv4 address (needs 4 octets, has ${octets.length})`;
  for (const [index, octet] of octets.entries()) {
    if (octet === '') return `octet ${index + 1} of "${host}" is empty`;
    if (octet.length > 1 && octet.startsWith('0')) return `octet ${index + 1} of "${host}" has a leading zero ("${octet}")`;
    if (Number(octet) > 255) return `octet ${index + 1} of "${host}" is ${octet}, more than 255`;
  }
  if (!isIPv4(host)) return `"${host}" is not an IPv4 address`;
  return undefined;
}

/** RFC 1123 host name: labels of 1..63 letters, digits, hyphens, not starting or ending with a hyphen; ≤ 253 chars. */
function checkHostName(host: string): string | undefined {
  const name = host.endsWith('.') ? host.slice(0, -1) : host;
  if (name.length === 0 || name.length > 253) return 'not an address or host name';
  const labels = name.split('.');
  for (const label of labels) {
    if (!/^[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?$/.test(label)) {
      return `"${host}" is not an IPv4/IPv6 address or a valid host name (label "${label}")`;
    }
  }
  // A top-level label of digits only is a mistyped IPv4 address, not a name.
  if (/^\d+$/.test(labels[labels.length - 1])) return `"${host}" is not a valid IPv4 address or host name`;
  return undefined;
}

function isIPv6Multicast(host: string): boolean {
  // ff00::/8: the first 16-bit group is ffXX ("ff::1" is 0x00ff, not multicast).
  return /^ff[0-9a-f]{2}:/i.test(host);
}
