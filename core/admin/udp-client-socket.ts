/**
 * A UDP socket for the `koi` client: sends requests to one node
 * (`host:port`, IPv4 or IPv6 by the target) from an ephemeral port and hands
 * every answer (any sender: a forwarded request may be answered by another
 * node) to the handler. The caller seals/opens with the wire codec.
 * The client's own I/O (bin/koi.ts opens it); the udp plugin is the daemon's
 * transport and shares only the address helpers of plugin-api with it.
 */
import { createSocket, type Socket } from 'node:dgram';
import { lookup as dnsLookup } from 'node:dns/promises';
import { isIPv4, isIPv6 } from 'node:net';
import { DEFAULT_UDP_MAX_DATAGRAM, isLoopback, joinHostPort, stripZone, type DatagramHandler, type LookupFn } from '../../plugin-api';
import { ErrorCode, KoiError } from '../../plugin-api/errors';


export interface UdpClientSocket {
  /** The node as `ip:port` / `[ip6]:port` (host names resolved). */
  readonly target: string;
  /** Local `ip:port` the answers come back to. */
  readonly localAddress: string;
  readonly maxDatagramSize: number;
  /** Send one datagram to the target, or to `to` (an `ip:port` of the same family). Rejects on a send error. */
  send(data: Uint8Array, to?: string): Promise<void>;
  /** Receive every datagram arriving at the socket with its sender address. */
  onDatagram(handler: DatagramHandler): void;
  close(): Promise<void>;
}

export class ClientSocketError extends KoiError {
  constructor(readonly reason: string, message: string) {
    super(ErrorCode.CLIENT_SOCKET, message);
  }
}

export interface UdpClientSocketOptions {
  lookup?: LookupFn;
  maxDatagramSize?: number;
}

/** `host` may be an IPv4/IPv6 literal (brackets allowed) or a host name (first address the resolver gives). */
export async function createUdpClientSocket(host: string, port: number, options: UdpClientSocketOptions = {}): Promise<UdpClientSocket> {
  if (!Number.isInteger(port) || port < 1 || port > 65535) throw new ClientSocketError('EBADPORT', `port ${port} is not in 1..65535`);
  const bare = host.startsWith('[') && host.endsWith(']') ? host.slice(1, -1) : host;
  let address = bare;
  let family: 4 | 6;
  if (isIPv4(bare)) family = 4;
  else if (isIPv6(stripZone(bare))) family = 6;
  else {
    const lookup = options.lookup ?? ((h: string) => dnsLookup(h, { all: true, verbatim: true }));
    let found: { address: string; family: number }[];
    try {
      found = await lookup(bare);
    } catch (err) {
      throw new ClientSocketError('ENOTFOUND', `cannot resolve host '${host}': ${(err as Error).message}`);
    }
    if (found.length === 0) throw new ClientSocketError('ENOTFOUND', `host '${host}' has no address`);
    address = found[0].address;
    family = found[0].family === 6 ? 6 : 4;
  }
  const maxDatagramSize = options.maxDatagramSize ?? DEFAULT_UDP_MAX_DATAGRAM;
  const socket: Socket = createSocket({ type: family === 4 ? 'udp4' : 'udp6' });
  // Talking to a loopback node: listen on loopback only.
  const bindAddress = isLoopback(family, address) ? address.split('%')[0] : undefined;
  await new Promise<void>((resolve, reject) => {
    socket.once('error', reject);
    socket.bind({ port: 0, address: bindAddress }, () => {
      socket.off('error', reject);
      resolve();
    });
  });
  const handlers: DatagramHandler[] = [];
  socket.on('message', (msg, rinfo) => {
    for (const h of handlers) h(msg, joinHostPort(rinfo.address, rinfo.port));
  });
  let lastError: Error | null = null;
  socket.on('error', (err) => {
    lastError = err; // surfaced by the next send
  });
  const local = socket.address();
  const target = joinHostPort(address, port);
  let closed = false;
  return {
    target,
    localAddress: joinHostPort(local.address, local.port),
    maxDatagramSize,
    send(data, to) {
      if (closed) return Promise.reject(new ClientSocketError('ECLOSED', 'client socket is closed'));
      if (data.length > maxDatagramSize) {
        return Promise.reject(new ClientSocketError('EMSGSIZE', `request of ${data.length} bytes exceeds ${maxDatagramSize}`));
      }
      let destHost = address;
      let destPort = port;
      if (to !== undefined) {
        const m = /^\[(.+)\]:(\d+)$/.exec(to) ?? /^([^:]+):(\d+)$/.exec(to);
        if (!m) return Promise.reject(new ClientSocketError('EBADADDR', `'${to}' is not ip:port or [ipv6]:port`));
        destHost = m[1];
        destPort = Number(m[2]);
      }
      if (lastError) {
        const e = lastError;
        lastError = null;
        return Promise.reject(new ClientSocketError('ESOCKET', `socket error before sending to ${target}: ${e.message}`));
      }
      return new Promise((resolve, reject) => {
        socket.send(data, destPort, destHost, (err) => {
          if (err) reject(new ClientSocketError((err as NodeJS.ErrnoException).code ?? 'ESEND', `send to ${joinHostPort(destHost, destPort)} failed: ${err.message}`));
          else resolve();
        });
      });
    },
    onDatagram(handler) {
      handlers.push(handler);
    },
    close() {
      if (closed) return Promise.resolve();
      closed = true;
      return new Promise((resolve) => socket.close(() => resolve()));
    },
  };
}
