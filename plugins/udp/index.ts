/**
 * The `udp` transport plugin: IPv4 and IPv6 unicast and multicast from one
 * `cluster.transport` list (see transport.ts), plus a client socket helper
 * for the `koi` client (client-socket.ts).
 */
import { definePlugin, type InferOptions, type OptionsSchema } from '../../plugin-api';
import { createUdpTransport, DEFAULT_PORT_ATTEMPTS, DEFAULT_UDP_MAX_DATAGRAM } from './transport';

export { createUdpTransport, TransportBindError, DEFAULT_UDP_MAX_DATAGRAM, DEFAULT_PORT_ATTEMPTS, type UdpTransportOptions } from './transport';
export { TransportConfigError, resolveTransport, chooseBindAddress, type Destination, type LookupFn } from './addresses';

export const udpOptionsSchema = {
  interface: {
    type: 'string',
    description: 'Local interface for multicast, by name (eth0) or address (10.0.0.5); IPv6 multicast needs it for link-local groups',
    default: '',
  },
  ttl: { type: 'integer', description: 'Multicast TTL / hop limit; 1 keeps traffic on the local link', default: 1, min: 1, max: 255 },
  max_datagram_size: {
    type: 'integer', description: 'Largest datagram sent or accepted, bytes', default: DEFAULT_UDP_MAX_DATAGRAM, min: 576, max: 65507,
  },
  port_attempts: {
    type: 'integer', description: 'With node.increment_port: how many ports (port, port+1, ...) to try', default: DEFAULT_PORT_ATTEMPTS, min: 1, max: 1000,
  },
  bind_ipv4: { type: 'string', description: 'Local IPv4 address to bind (default: 127.0.0.1 when every IPv4 peer is loopback, else 0.0.0.0)', default: '' },
  bind_ipv6: { type: 'string', description: 'Local IPv6 address to bind (default: ::1 when every IPv6 peer is loopback, else ::)', default: '' },
} as const satisfies OptionsSchema;

export type UdpPluginOptions = InferOptions<typeof udpOptionsSchema>;

export default definePlugin({
  name: 'udp',
  options: udpOptionsSchema,
  apply(koi, options) {
    const { node, cluster } = koi.config;
    const transport = createUdpTransport({
      transport: cluster.transport,
      port: node.port,
      incrementPort: node.increment_port,
      reuseAddress: node.reuse_address,
      interface: options.interface || undefined,
      ttl: options.ttl,
      maxDatagramSize: options.max_datagram_size,
      portAttempts: options.port_attempts,
      bindIPv4: options.bind_ipv4 || undefined,
      bindIPv6: options.bind_ipv6 || undefined,
      logger: koi.logger,
      clock: koi.clock,
    });
    koi.provide.transport(transport);
    koi.onClose(() => transport.close());
  },
});
