/**
 * The `vip` file of a virtual-IP service: one setting per line,
 *
 *   address 10.0.0.100/24        (IPv4 or IPv6 with its prefix length; repeat for more)
 *   interface eth0               (default: the interface whose subnet holds the address)
 *   label eth0:vip               (IPv4 only: the `ip addr` label)
 *   arp_count 3                  (gratuitous ARPs per IPv4 address on promote)
 *   na_count 3                   (unsolicited neighbour advertisements per IPv6 address)
 *   dad_timeout 100ms            (how long the duplicate-address check waits for an answer)
 *
 * `#` or `;` start a comment. Every problem is reported with file:line.
 */
import { isIPv4, isIPv6 } from 'node:net';
import { ErrorCode, KoiError } from '../../plugin-api';

/** One source of truth for every default of the `vip` file. */
export const VIP_DEFAULTS = {
  arpCount: 3,
  naCount: 3,
  /** Gap between two announcements of one address. */
  announceIntervalMs: 1000,
  dadTimeoutMs: 100,
} as const;

export interface VipAddress {
  family: 4 | 6;
  /** Canonical text of the address (IPv6 compressed, lower case), no prefix. */
  address: string;
  prefix: number;
  /** As written (`10.0.0.100/24`), for messages. */
  text: string;
  line: number;
}

export interface VipConfig {
  file: string;
  addresses: VipAddress[];
  interface: string | null;
  label: string | null;
  arpCount: number;
  naCount: number;
  dadTimeoutMs: number;
}

export class VipFileError extends KoiError {
  constructor(readonly file: string, readonly problems: string[]) {
    super(ErrorCode.VIP_FILE, problems.length === 1 ? problems[0] : `${file}: ${problems.length} problems: ${problems.join('; ')}`);
  }
}

/** Linux interface names: 1-15 characters, no slash, colon or white space. */
const INTERFACE_NAME = /^[^\s/:]{1,15}$/;
const LABEL = /^[^\s/]{1,15}$/;

/** Canonical form of an IP address (IPv6 compressed and lower case, as `ip -j addr` prints it). */
export function canonicalAddress(address: string): string {
  if (isIPv6(address)) return new URL(`http://[${address}]/`).hostname.slice(1, -1);
  return address;
}

export function parseVipFile(text: string, file: string): VipConfig {
  const problems: string[] = [];
  const config: VipConfig = {
    file, addresses: [], interface: null, label: null,
    arpCount: VIP_DEFAULTS.arpCount, naCount: VIP_DEFAULTS.naCount, dadTimeoutMs: VIP_DEFAULTS.dadTimeoutMs,
  };
  const seen = new Map<string, number>();
  text.split('\n').forEach((raw, i) => {
    const line = i + 1;
    const where = `${file}:${line}`;
    const content = raw.replace(/[#;].*$/, '').trim();
    if (content === '') return;
    const [key, ...rest] = content.split(/\s+/);
    const value = rest.join(' ');
    if (key !== 'address' && seen.has(key)) {
      problems.push(`${where}: ${key} given twice (first on line ${seen.get(key)})`);
      return;
    }
    if (rest.length !== 1) {
      problems.push(`${where}: ${key} needs exactly one value, got ${rest.length === 0 ? 'none' : `"${value}"`}`);
      return;
    }
    seen.set(key, line);
    switch (key) {
      case 'address': {
        const parsed = parseCidr(value);
        if (typeof parsed === 'string') problems.push(`${where}: address "${value}": ${parsed}`);
        else if (config.addresses.some((a) => a.address === parsed.address)) problems.push(`${where}: address ${parsed.address} listed twice`);
        else config.addresses.push({ ...parsed, text: value, line });
        break;
      }
      case 'interface':
        if (!INTERFACE_NAME.test(value)) problems.push(`${where}: interface "${value}" is not an interface name (1-15 characters, no '/', ':' or spaces)`);
        else config.interface = value;
        break;
      case 'label':
        if (!LABEL.test(value)) problems.push(`${where}: label "${value}" is not a valid address label (1-15 characters, no '/' or spaces)`);
        else config.label = value;
        break;
      case 'arp_count':
      case 'na_count': {
        const n = Number(value);
        if (!/^\d+$/.test(value) || n > 100) problems.push(`${where}: ${key} "${value}": expected a whole number from 0 to 100`);
        else if (key === 'arp_count') config.arpCount = n;
        else config.naCount = n;
        break;
      }
      case 'dad_timeout': {
        const ms = parseMs(value);
        if (ms === null || ms < 10 || ms > 10_000) problems.push(`${where}: dad_timeout "${value}": expected a duration from 10ms to 10s (e.g. 100ms, 0.5s)`);
        else config.dadTimeoutMs = ms;
        break;
      }
      default:
        problems.push(`${where}: unknown setting "${key}" (known: address, interface, label, arp_count, na_count, dad_timeout)`);
    }
  });
  if (config.addresses.length === 0 && problems.length === 0) problems.push(`${file}: no address line (e.g. "address 10.0.0.100/24")`);
  if (config.label !== null) {
    const v6 = config.addresses.find((a) => a.family === 6);
    if (v6) problems.push(`${file}:${seen.get('label')}: label applies to IPv4 addresses only, but line ${v6.line} is IPv6 (${v6.text}); put IPv6 addresses in a service of their own`);
    if (config.interface !== null && config.label !== config.interface && !config.label.startsWith(`${config.interface}:`)) {
      problems.push(`${file}:${seen.get('label')}: label "${config.label}" must be the interface name or start with "${config.interface}:"`);
    }
  }
  if (problems.length > 0) throw new VipFileError(file, problems);
  return config;
}

function parseCidr(text: string): Omit<VipAddress, 'text' | 'line'> | string {
  const slash = text.indexOf('/');
  if (slash < 0) return 'expected an address with its prefix length, e.g. 10.0.0.100/24 or fd00::100/64';
  const address = text.slice(0, slash);
  const prefixText = text.slice(slash + 1);
  const family = isIPv4(address) ? 4 : isIPv6(address) ? 6 : 0;
  if (family === 0) return `"${address}" is not an IPv4 or IPv6 address`;
  const max = family === 4 ? 32 : 128;
  const prefix = Number(prefixText);
  if (!/^\d{1,3}$/.test(prefixText) || prefix < 1 || prefix > max) return `prefix length "${prefixText}" must be 1-${max}`;
  return { family, address: canonicalAddress(address), prefix };
}

/** `250`, `250ms`, `0.5s` → milliseconds. */
function parseMs(text: string): number | null {
  const m = /^(\d+(?:\.\d+)?)(ms|s)?$/.exec(text);
  if (!m) return null;
  return Math.round(Number(m[1]) * (m[2] === 's' ? 1000 : 1));
}
