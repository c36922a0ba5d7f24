/** plugins/udp `withoutSelf`: which transport entries a node skips because they are its own socket. */
import type { Socket } from 'node:dgram';
import { withoutSelf } from '../../../plugins/udp/transport';
import type { Destination } from '../../../plugins/udp';

const dest = (host: string, port: number, multicast = false): Destination => ({
  family: host.includes(':') ? 6 : 4, host, port, multicast, raw: `${host}:${port}`,
});
const bound = (entries: Array<[4 | 6, string, number]>): Map<4 | 6, Socket> =>
  new Map(entries.map(([family, address, port]) => [family, { address: () => ({ address, port, family: `IPv${family}` }) } as unknown as Socket]));

describe('udp withoutSelf', () => {
  it('drops the exact bound ip:port, keeps other ports of the same host', () => {
    const list = [dest('127.0.0.1', 4000), dest('127.0.0.1', 4001), dest('127.0.0.1', 4002)];
    expect(withoutSelf(list, bound([[4, '127.0.0.1', 4001]]), false)).toEqual([list[0], list[2]]);
  });

  it('IPv6 loopback and a mixed list: each family compares with its own socket', () => {
    const list = [dest('127.0.0.1', 4000), dest('::1', 4000), dest('127.0.0.1', 4001), dest('::1', 4001)];
    expect(withoutSelf(list, bound([[4, '127.0.0.1', 4000], [6, '::1', 4000]]), false)).toEqual([list[2], list[3]]);
  });

  it('on a wildcard bind, a local interface address with the bound port is this node; a foreign address is not', () => {
    // 127.0.0.1 is always a local interface address; 192.0.2.1 (TEST-NET-1) never is.
    const list = [dest('127.0.0.1', 4000), dest('192.0.2.1', 4000), dest('127.0.0.1', 4001)];
    expect(withoutSelf(list, bound([[4, '0.0.0.0', 4000]]), false)).toEqual([list[1], list[2]]);
  });

  it('keeps multicast groups, and keeps everything when SO_REUSEADDR shares the port', () => {
    const list = [dest('239.1.2.3', 4000, true), dest('127.0.0.1', 4000)];
    expect(withoutSelf(list, bound([[4, '0.0.0.0', 4000]]), false)).toEqual([list[0]]);
    expect(withoutSelf(list, bound([[4, '127.0.0.1', 4000]]), true)).toEqual(list);
  });
});
