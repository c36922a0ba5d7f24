import { parseTransportList, parseTransportAddress, TransportAddressError } from '../../../core/config/transport-address';

const PORT = 42012;

describe('transport addresses: good forms', () => {
  it.each([
    ['127.0.0.1', 'ipv4', '127.0.0.1', PORT],
    ['10.0.0.2:4000', 'ipv4', '10.0.0.2', 4000],
    ['::1', 'ipv6', '::1', PORT],
    ['fe80::1%eth0', 'ipv6', 'fe80::1%eth0', PORT],
    ['2001:db8::5', 'ipv6', '2001:db8::5', PORT],
    ['[::1]:4001', 'ipv6', '::1', 4001],
    ['[fe80::1%eth0]:4002', 'ipv6', 'fe80::1%eth0', 4002],
    ['[2001:db8::1]', 'ipv6', '2001:db8::1', PORT],
    ['224.0.0.1', 'multicast4', '224.0.0.1', PORT],
    ['239.255.42.1:5000', 'multicast4', '239.255.42.1', 5000],
    ['223.255.255.255', 'ipv4', '223.255.255.255', PORT],
    ['240.0.0.1', 'ipv4', '240.0.0.1', PORT],
    ['ff02::1', 'multicast6', 'ff02::1', PORT],
    ['[ff15::42]:6000', 'multicast6', 'ff15::42', 6000],
    ['ff02::1%eth0', 'multicast6', 'ff02::1%eth0', PORT],
    ['ff::1', 'ipv6', 'ff::1', PORT],
    ['node-a', 'hostname', 'node-a', PORT],
    ['Node-B.example.com:4100', 'hostname', 'node-b.example.com', 4100],
    ['localhost', 'hostname', 'localhost', PORT],
  ])('%s', (raw, kind, host, port) => {
    expect(parseTransportAddress(raw, PORT)).toEqual({ kind, host, port, raw });
  });

  it('splits on commas, semicolons and white space, freely mixed', () => {
    const list = parseTransportList(' 10.0.0.1, 10.0.0.2;[::1]:9\t239.1.1.1\n  node-c ,,', PORT);
    expect(list.map((a) => `${a.kind} ${a.host} ${a.port}`)).toEqual([
      `ipv4 10.0.0.1 ${PORT}`, `ipv4 10.0.0.2 ${PORT}`, 'ipv6 ::1 9', `multicast4 239.1.1.1 ${PORT}`, `hostname node-c ${PORT}`,
    ]);
  });

  it('accepts a list of strings (JSON/YAML) and an empty list', () => {
    expect(parseTransportList(['127.0.0.1', '::1 ff02::1'], 7).map((a) => a.kind)).toEqual(['ipv4', 'ipv6', 'multicast6']);
    expect(parseTransportList('', PORT)).toEqual([]);
    expect(parseTransportList('  ', PORT)).toEqual([]);
  });
});

describe('transport addresses: malformed entries are named', () => {
  it.each([
    ['10.0.0.256', 'octet 4'],
    ['10.0.0', 'needs 4 octets'],
    ['10..0.1', 'octet 2'],
    ['010.0.0.1', 'leading zero'],
    ['10.0.0.1:0', 'out of range 1..65535'],
    ['10.0.0.1:65536', 'out of range 1..65535'],
    ['10.0.0.1:http', 'not a number'],
    ['[::1', 'brackets'],
    ['::1]:5', 'brackets'],
    ['[::1]]:5', 'brackets'],
    ['[10.0.0.1]:5', 'not an IPv6 address'],
    ['[::1]:0', 'out of range'],
    ['1::2::3', 'not a valid IPv6'],
    ['-bad-.example', 'host name'],
    ['bad_name', 'host name'],
    ['a.b.123', 'not a valid IPv4 address or host name'],
    [':4000', 'missing host'],
    ['host:', 'not a number'],
  ])('%s', (raw, fragment) => {
    const result = parseTransportAddress(raw, PORT);
    expect(result).toEqual({ entry: raw, message: expect.stringContaining(fragment) });
  });

  it('a list names every bad entry, not just the first', () => {
    let error: unknown;
    try {
      parseTransportList('10.0.0.1, 300.1.1.1, ok-host, 1.2.3.4:99999', PORT);
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(TransportAddressError);
    const problems = (error as TransportAddressError).problems;
    expect(problems.map((p) => p.entry)).toEqual(['300.1.1.1', '1.2.3.4:99999']);
    expect((error as Error).message).toContain('"300.1.1.1"');
  });
});
