/** What the `vip` executor asks iproute2: the addresses on this host, and adding/removing one. */
import { runChecked } from './commands';
import { canonicalAddress, type VipAddress } from './vip-file';

export interface HostAddress {
  interface: string;
  family: 4 | 6;
  address: string;
  prefix: number;
  /** MAC of the interface (empty for interfaces without one). */
  mac: string;
}

interface IpJsonLink {
  ifname: string;
  address?: string;
  addr_info?: Array<{ family: string; local: string; prefixlen: number }>;
}

/** Every address of every interface (`ip -j addr show`). */
export async function hostAddresses(signal?: AbortSignal): Promise<HostAddress[]> {
  const links = JSON.parse(await runChecked('ip', ['-j', 'addr', 'show'], signal)) as IpJsonLink[];
  return links.flatMap((link) => (link.addr_info ?? [])
    .filter((a) => a.family === 'inet' || a.family === 'inet6')
    .map((a) => ({
      interface: link.ifname, family: a.family === 'inet' ? 4 as const : 6 as const,
      address: canonicalAddress(a.local), prefix: a.prefixlen, mac: link.address ?? '',
    })));
}

/** The interfaces holding `vip` now (usually none or one). */
export function holders(addresses: readonly HostAddress[], vip: VipAddress): HostAddress[] {
  return addresses.filter((a) => a.family === vip.family && a.address === vip.address);
}

/** The interface with an address of another subnet member: the one `vip` belongs on. */
export function interfaceFor(addresses: readonly HostAddress[], vip: VipAddress): string | null {
  const match = addresses.find((a) => a.family === vip.family && a.address !== vip.address
    && !a.address.startsWith('fe80:') && a.interface !== 'lo' && sameSubnet(a.address, vip.address, a.prefix, vip.family));
  return match?.interface ?? null;
}

export function macOf(addresses: readonly HostAddress[], iface: string): string {
  return addresses.find((a) => a.interface === iface)?.mac ?? '';
}

export async function addAddress(vip: VipAddress, iface: string, label: string | null, signal?: AbortSignal): Promise<void> {
  // nodad: the executor ran its own duplicate check; the kernel's would keep the address tentative (unusable) ~1 s.
  const extra = vip.family === 6 ? ['nodad'] : label ? ['label', label] : [];
  await runChecked('ip', [`-${vip.family}`, 'addr', 'add', `${vip.address}/${vip.prefix}`, 'dev', iface, ...extra], signal);
}

export async function removeAddress(vip: VipAddress, iface: string, prefix: number, signal?: AbortSignal): Promise<void> {
  await runChecked('ip', [`-${vip.family}`, 'addr', 'del', `${vip.address}/${prefix}`, 'dev', iface], signal);
}

/** Whether `a` and `b` share the first `prefix` bits. */
export function sameSubnet(a: string, b: string, prefix: number, family: 4 | 6): boolean {
  const x = toBits(a, family);
  const y = toBits(b, family);
  return x.slice(0, prefix) === y.slice(0, prefix);
}

function toBits(address: string, family: 4 | 6): string {
  if (family === 4) return address.split('.').map((o) => Number(o).toString(2).padStart(8, '0')).join('');
  const [head, tail = ''] = address.split('::');
  const h = head ? head.split(':') : [];
  const t = tail ? tail.split(':') : [];
  const groups = address.includes('::') ? [...h, ...Array(8 - h.length - t.length).fill('0'), ...t] : h;
  return groups.map((g) => parseInt(g, 16).toString(2).padStart(16, '0')).join('');
}
