/** The `vip` file of a virtual-IP service (plugins/exec-vip/vip-file.ts): settings, defaults and file:line errors. */
import { parseVipFile, VIP_DEFAULTS, VipFileError } from '../../../plugins/exec-vip';
import { sameSubnet } from '../../../plugins/exec-vip/iproute';

const FILE = '/etc/koi/services/10-vip/vip';

function problems(text: string): string[] {
  try {
    parseVipFile(text, FILE);
  } catch (err) {
    if (err instanceof VipFileError) return err.problems;
    throw err;
  }
  return [];
}

describe('vip file', () => {
  test('addresses of both families, canonical; settings; comments; defaults', () => {
    const config = parseVipFile([
      '# the public address', 'address 10.0.0.100/24', 'address FD00:0:0::0100/64   ; v6',
      'interface eth0', '', 'arp_count 5',
    ].join('\n'), FILE);
    expect(config.addresses).toEqual([
      { family: 4, address: '10.0.0.100', prefix: 24, text: '10.0.0.100/24', line: 2 },
      { family: 6, address: 'fd00::100', prefix: 64, text: 'FD00:0:0::0100/64', line: 3 },
    ]);
    expect(config).toMatchObject({ interface: 'eth0', label: null, arpCount: 5, naCount: VIP_DEFAULTS.naCount, dadTimeoutMs: VIP_DEFAULTS.dadTimeoutMs });
    expect(parseVipFile('address 10.0.0.1/32\ndad_timeout 0.5s\nlabel eth0:vip\ninterface eth0', FILE)).toMatchObject({ dadTimeoutMs: 500, label: 'eth0:vip' });
  });

  test('every problem at once, each with file:line', () => {
    expect(problems([
      'address 10.0.0.300/24', 'address 10.0.0.1', 'address 10.0.0.1/33', 'interface', 'interface eth0', 'interface eth1',
      'arp_count many', 'dad_timeout 1h', 'mtu 1500',
    ].join('\n'))).toEqual([
      `${FILE}:1: address "10.0.0.300/24": "10.0.0.300" is not an IPv4 or IPv6 address`,
      `${FILE}:2: address "10.0.0.1": expected an address with its prefix length, e.g. 10.0.0.100/24 or fd00::100/64`,
      `${FILE}:3: address "10.0.0.1/33": prefix length "33" must be 1-32`,
      `${FILE}:4: interface needs exactly one value, got none`,
      `${FILE}:6: interface given twice (first on line 5)`,
      `${FILE}:7: arp_count "many": expected a whole number from 0 to 100`,
      `${FILE}:8: dad_timeout "1h": expected a duration from 10ms to 10s (e.g. 100ms, 0.5s)`,
      `${FILE}:9: unknown setting "mtu" (known: address, interface, label, arp_count, na_count, dad_timeout)`,
    ]);
    expect(problems('# nothing\n')).toEqual([`${FILE}: no address line (e.g. "address 10.0.0.100/24")`]);
    expect(problems('address 10.0.0.1/24\naddress 10.0.0.1/16')).toEqual([`${FILE}:2: address 10.0.0.1 listed twice`]);
    expect(problems('address fd00::1/64\nlabel eth0:x')[0]).toMatch(/vip:2: label applies to IPv4 addresses only, but line 1 is IPv6/);
    expect(problems('address 10.0.0.1/24\ninterface eth0\nlabel eth1:x')).toEqual([`${FILE}:3: label "eth1:x" must be the interface name or start with "eth0:"`]);
  });

  test('subnet membership picks the interface', () => {
    expect(sameSubnet('10.0.0.1', '10.0.0.100', 24, 4)).toBe(true);
    expect(sameSubnet('10.0.1.1', '10.0.0.100', 24, 4)).toBe(false);
    expect(sameSubnet('fd00::1', 'fd00::100', 64, 6)).toBe(true);
    expect(sameSubnet('fd00:0:0:1::1', 'fd00::100', 64, 6)).toBe(false);
  });
});
