/**
 * The `interface` option: a local interface name (`eth0`) or address
 * (`10.0.0.5`, `fe80::1`). IPv4 multicast needs the interface's IPv4 address,
 * IPv6 multicast its name (scope); this finds one from the other.
 */
import { networkInterfaces } from 'node:os';
import { isIPv4, isIPv6 } from 'node:net';
import { TransportConfigError } from './addresses';

export interface MulticastInterface {
  /** IPv4 address for IP_MULTICAST_IF / membership, undefined = kernel default. */
  ipv4?: string;
  /** Interface name (or index) for IPv6 scope, undefined = kernel default. */
  ipv6Scope?: string;
}

export function resolveMulticastInterface(option: string | undefined): MulticastInterface {
  if (!option) return {};
  const interfaces = networkInterfaces();
  if (isIPv4(option) || isIPv6(option)) {
    for (const [name, addrs] of Object.entries(interfaces)) {
      if (addrs?.some((a) => a.address === option)) {
        return { ipv4: isIPv4(option) ? option : addrs.find((a) => a.family === 'IPv4')?.address, ipv6Scope: name };
      }
    }
    // Not a local address (yet): still usable for IPv4.
    if (isIPv4(option)) return { ipv4: option };
    throw new TransportConfigError(`udp option interface: '${option}' is not an address of any local interface`);
  }
  const addrs = interfaces[option];
  if (!addrs) {
    throw new TransportConfigError(`udp option interface: no local interface named '${option}' (have: ${Object.keys(interfaces).join(', ')})`);
  }
  return { ipv4: addrs.find((a) => a.family === 'IPv4')?.address, ipv6Scope: option };
}
