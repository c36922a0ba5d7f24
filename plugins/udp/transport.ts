/**
 * UDP transport: one IPv4 and/or one IPv6 socket on the node's port, sending
 * every broadcast to every destination of `cluster.transport` (unicast and
 * multicast, both families) and any reply to the `from` address it names.
 * Send errors are logged rate-limited, never thrown.
 */
import { createSocket, type Socket } from 'node:dgram';
import { lookup as dnsLookup } from 'node:dns/promises';
import { isIP } from 'node:net';
import { networkInterfaces } from 'node:os';
import type { Clock, DatagramHandler, Logger, Transport, TransportAddress } from '../../plugin-api';
import { DEFAULT_UDP_MAX_DATAGRAM, joinHostPort, splitHostPort, ErrorCode, KoiError } from '../../plugin-api';
import {
  chooseBindAddress, resolveTransport, stripZone, TransportConfigError,
  type Destination, type Family, type LookupFn,
} from './addresses';
import { resolveMulticastInterface } from './multicast-interface';
import { createRateLimitedLog } from './rate-limited-log';

export { DEFAULT_UDP_MAX_DATAGRAM };
export const DEFAULT_PORT_ATTEMPTS = 16;

export interface UdpTransportOptions {
  transport: readonly TransportAddress[];
  /** Port to bind (the node's `node.port`); 0 picks a free one (tests). */
  port: number;
  /** Try port+1, port+2, ... (up to `portAttempts` ports) while the port is busy. */
  incrementPort?: boolean;
  /** SO_REUSEADDR: several processes may bind the same port (multicast on one host). */
  reuseAddress?: boolean;
  portAttempts?: number;
  /** Multicast interface: a local interface name or address. */
  interface?: string;
  /** Multicast TTL / hop limit (default 1: the local link only). */
  ttl?: number;
  maxDatagramSize?: number;
  /** Explicit local bind addresses (default: chosen from the destinations, see addresses.ts). */
  bindIPv4?: string;
  bindIPv6?: string;
  logger: Logger;
  clock: Pick<Clock, 'now'>;
  /** Host-name resolver (default: the system resolver, all addresses). */
  lookup?: LookupFn;
}

export class TransportBindError extends KoiError {
  constructor(readonly reason: string, message: string) {
    super(ErrorCode.TRANSPORT_BIND, message);
  }
}

const systemLookup: LookupFn = (host) => dnsLookup(host, { all: true, verbatim: true });

function bindSocket(family: Family, address: string, port: number, reuseAddr: boolean): Promise<Socket> {
  return new Promise((resolve, reject) => {
    const socket = createSocket({ type: family === 4 ? 'udp4' : 'udp6', reuseAddr, ipv6Only: family === 6 });
    const onError = (err: Error): void => {
      socket.close();
      reject(err);
    };
    socket.once('error', onError);
    socket.bind({ address, port, exclusive: true }, () => {
      socket.off('error', onError);
      resolve(socket);
    });
  });
}

function closeSocket(socket: Socket): Promise<void> {
  return new Promise((resolve) => {
    try {
      socket.close(() => resolve());
    } catch {
      resolve(); // already closed: closing is idempotent by design
    }
  });
}

/**
 * The destinations that are not this node: every node lists the same
 * transport, so one entry is usually its own socket, and a datagram sent
 * there costs a send, a receive and a full open + decode only to be dropped
 * as `own-message` (a third of a node's decrypt work in a 3-node cluster).
 * Skipped: unicast entries equal to a bound socket's exact `ip:port`, or, on
 * a wildcard bind, a local interface address with the bound port (the
 * exclusive bind makes this socket the only receiver). Multicast entries,
 * and every entry when SO_REUSEADDR lets several processes share the port,
 * are kept.
 */
export function withoutSelf(destinations: readonly Destination[], sockets: ReadonlyMap<Family, Socket>, reuseAddress: boolean): Destination[] {
  if (reuseAddress) return [...destinations];
  const own = new Set<string>();
  let local: string[] | undefined;
  for (const [family, socket] of sockets) {
    const { address, port } = socket.address();
    if (address === '0.0.0.0' || address === '::') {
      local ??= Object.values(networkInterfaces()).flatMap((list) => (list ?? []).map((i) => stripZone(i.address)));
      for (const a of local) if (isIP(a) === family) own.add(joinHostPort(a, port));
    } else {
      own.add(joinHostPort(stripZone(address), port));
    }
  }
  return destinations.filter((d) => d.multicast || !own.has(joinHostPort(stripZone(d.host), d.port)));
}

export function createUdpTransport(options: UdpTransportOptions): Transport {
  const log = options.logger;
  const limited = createRateLimitedLog(log, options.clock);
  const maxDatagramSize = options.maxDatagramSize ?? DEFAULT_UDP_MAX_DATAGRAM;
  const ttl = options.ttl ?? 1;
  const sockets = new Map<Family, Socket>();
  let destinations: Destination[] = [];
  /** `destinations` minus this node's own bound address: what broadcast() sends to. */
  let peers: Destination[] = [];
  let closed = false;

  function send(family: Family, host: string, port: number, data: Uint8Array, label: string): void {
    const socket = sockets.get(family);
    if (!socket) {
      limited('warn', `nofamily|${label}`, { destination: label }, `cannot send to ${label}: no IPv${family} socket (cluster.transport lists no IPv${family} address)`);
      return;
    }
    if (data.length > maxDatagramSize) {
      limited('warn', `size|${label}`, { destination: label, bytes: data.length }, `not sending ${data.length} bytes to ${label}: over maxDatagramSize ${maxDatagramSize}`);
      return;
    }
    socket.send(data, port, host, (err) => {
      if (err) {
        const code = (err as NodeJS.ErrnoException).code ?? 'ERROR';
        limited('warn', `send|${label}|${code}`, { destination: label, code }, `send to ${label} failed: ${err.message}`);
      }
    });
  }

  async function bindAll(families: Family[], binds: Map<Family, string>): Promise<number> {
    const first = options.port;
    const attempts = options.incrementPort ? Math.max(1, options.portAttempts ?? DEFAULT_PORT_ATTEMPTS) : 1;
    for (let i = 0; i < attempts; i++) {
      let port = first === 0 ? 0 : first + i;
      if (port > 65535) break;
      const opened: Socket[] = [];
      try {
        for (const family of families) {
          const socket = await bindSocket(family, binds.get(family) as string, port, options.reuseAddress === true);
          opened.push(socket);
          sockets.set(family, socket);
          port = socket.address().port; // port 0: the other family takes the same one
        }
        return port;
      } catch (err) {
        for (const s of opened) await closeSocket(s);
        sockets.clear();
        const e = err as NodeJS.ErrnoException;
        if (e.code === 'EADDRINUSE' && i + 1 < attempts) {
          log.info({ port, code: e.code }, `port ${port} is busy, trying ${port + 1} (increment_port)`);
          continue;
        }
        const where = families.map((f) => joinHostPort(binds.get(f) as string, port)).join(' and ');
        const hint = e.code === 'EADDRINUSE' ? ` (port busy${options.incrementPort ? ` on all ${attempts} ports tried` : '; set node.increment_port or another node.port'})` : '';
        throw new TransportBindError(e.code ?? 'EBIND', `udp: cannot bind ${where}: ${e.message}${hint}`);
      }
    }
    throw new TransportBindError('EADDRINUSE', `udp: no free port in ${first}..${first + attempts - 1}`);
  }

  function setUpMulticast(): void {
    const groups = destinations.filter((d) => d.multicast);
    if (groups.length === 0) return;
    const iface = resolveMulticastInterface(options.interface);
    for (const family of [4, 6] as Family[]) {
      const socket = sockets.get(family);
      const mine = groups.filter((g) => g.family === family);
      if (!socket || mine.length === 0) continue;
      socket.setMulticastTTL(ttl);
      socket.setMulticastLoopback(true); // two nodes in one host/namespace; own datagrams are dropped by sender id
      const ifaceArg = family === 4 ? iface.ipv4 : iface.ipv6Scope ? `::%${iface.ipv6Scope}` : undefined;
      if (ifaceArg) socket.setMulticastInterface(ifaceArg);
      for (const g of mine) {
        try {
          socket.addMembership(stripZone(g.host), ifaceArg);
        } catch (err) {
          throw new TransportBindError('EMEMBERSHIP', `udp: cannot join multicast group ${g.host} (entry '${g.raw}')${ifaceArg ? ` on ${ifaceArg}` : ''}: ${(err as Error).message}${family === 6 && !ifaceArg ? '; set the udp option interface' : ''}`);
        }
      }
      log.info({ groups: mine.map((g) => g.host), interface: ifaceArg ?? 'default', ttl }, `joined IPv${family} multicast groups`);
    }
  }

  const transport: Transport = {
    name: 'udp',
    maxDatagramSize,

    async start(onDatagram: DatagramHandler): Promise<void> {
      if (closed) throw new TransportBindError('ECLOSED', 'udp: transport already closed');
      const resolved = await resolveTransport(options.transport, options.lookup ?? systemLookup);
      for (const u of resolved.unresolved) log.warn({ entry: u.raw, error: u.error }, `transport entry '${u.raw}' did not resolve: ${u.error}; using the other entries`);
      destinations = resolved.destinations;
      if (destinations.length === 0) {
        throw new TransportConfigError(`udp: cluster.transport has no usable address (${options.transport.map((t) => t.raw).join(', ') || 'empty'})`);
      }
      const families = ([4, 6] as Family[]).filter((f) => destinations.some((d) => d.family === f));
      const binds = new Map<Family, string>();
      binds.set(4, chooseBindAddress(4, destinations, options.bindIPv4));
      binds.set(6, chooseBindAddress(6, destinations, options.bindIPv6));
      const port = await bindAll(families, binds);
      try {
        setUpMulticast();
      } catch (err) {
        await transport.close();
        throw err;
      }
      peers = withoutSelf(destinations, sockets, options.reuseAddress === true);
      for (const [family, socket] of sockets) {
        socket.on('message', (msg, rinfo) => onDatagram(msg, joinHostPort(rinfo.address, rinfo.port)));
        socket.on('error', (err) => limited('error', `socket|${family}|${(err as NodeJS.ErrnoException).code}`, { family }, `udp IPv${family} socket error: ${err.message}`));
      }
      const taken = port !== options.port && options.port !== 0 ? ` (configured ${options.port} was busy)` : '';
      const own = destinations.length - peers.length;
      log.info(
        { local: transport.localAddresses(), destinations: peers.map((d) => joinHostPort(d.host, d.port)) },
        `udp listening on ${transport.localAddresses().join(', ')}${taken}, ${peers.length} destination(s)${own ? ` (${own} own address(es) of the list skipped)` : ''}`,
      );
    },

    broadcast(data: Uint8Array): void {
      for (const d of peers) send(d.family, d.host, d.port, data, joinHostPort(d.host, d.port));
    },

    sendTo(address: string, data: Uint8Array): void {
      const hp = splitHostPort(address);
      if (!hp) {
        limited('warn', `badaddr|${address}`, { destination: address }, `cannot send to '${address}': not an ip:port or [ipv6]:port address`);
        return;
      }
      send(hp.host.includes(':') ? 6 : 4, hp.host, hp.port, data, address);
    },

    configuredAddresses(): Array<{ address: string; own: boolean }> {
      const sent = new Set(peers);
      return destinations.filter((d) => !d.multicast).map((d) => ({ address: joinHostPort(stripZone(d.host), d.port), own: !sent.has(d) }));
    },

    localAddresses(): string[] {
      const out: string[] = [];
      for (const socket of sockets.values()) {
        const a = socket.address();
        out.push(joinHostPort(a.address, a.port));
      }
      return out;
    },

    async close(): Promise<void> {
      closed = true;
      const all = [...sockets.values()];
      sockets.clear();
      for (const s of all) await closeSocket(s);
    },
  };
  return transport;
}
