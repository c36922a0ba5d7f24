/**
 * The `vip` executor (plugins/exec-vip) with the real `ip`, `arping`,
 * `ndisc6` and `na6`, run INSIDE network namespaces this test creates: host
 * A runs the executor, host B is a neighbour on the same bridge (it watches
 * its neighbour cache, and holds an address A must refuse). Needs root,
 * iproute2, arping, ndisc6 and ipv6toolkit; skipped with a message otherwise.
 */
import { execFileSync, spawn, spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import { join } from 'node:path';

const missing = ['ip', 'arping', 'ndisc6', 'na6'].filter((cmd) => spawnSync('sh', ['-c', `command -v ${cmd}`]).status !== 0);
const isRoot = typeof process.getuid === 'function' && process.getuid() === 0;
const canRun = isRoot && process.platform === 'linux' && missing.length === 0;
if (!canRun) {
  // eslint-disable-next-line no-console
  console.warn(`vip executor netns tests skipped: ${!isRoot ? 'not running as root' : `missing ${missing.join(', ')} (Debian packages iproute2, arping, ndisc6, ipv6toolkit)`}`);
}
const maybe = canRun ? describe : describe.skip;

const tag = `kv${process.pid % 100000}${Math.floor(Math.random() * 100)}`;
const NS = { a: `${tag}a`, b: `${tag}b`, sw: `${tag}sw` };
const net = 1 + Math.floor(Math.random() * 200);
const V4 = (host: number) => `10.${net}.77.${host}`;
const V6 = (host: number) => `fd77:${net.toString(16)}::${host.toString(16)}`;
const FAKE_MAC = '02:00:00:00:00:01';
const created: string[] = [];
let dir = '';

function ip(...args: string[]): string {
  return execFileSync('ip', args, { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
}

function setUp(): void {
  for (const ns of Object.values(NS)) {
    ip('netns', 'add', ns);
    created.push(ns);
    ip('-n', ns, 'link', 'set', 'lo', 'up');
  }
  ip('-n', NS.sw, 'link', 'add', 'br0', 'type', 'bridge', 'forward_delay', '0', 'mcast_snooping', '0');
  ip('-n', NS.sw, 'link', 'set', 'br0', 'up');
  (['a', 'b'] as const).forEach((n, i) => {
    ip('link', 'add', 'eth0', 'netns', NS[n], 'type', 'veth', 'peer', 'name', `v${n}`, 'netns', NS.sw);
    ip('-n', NS.sw, 'link', 'set', `v${n}`, 'master', 'br0');
    ip('-n', NS.sw, 'link', 'set', `v${n}`, 'up');
    ip('-n', NS[n], 'addr', 'add', `${V4(i + 1)}/24`, 'dev', 'eth0');
    ip('-n', NS[n], '-6', 'addr', 'add', `${V6(i + 1)}/64`, 'dev', 'eth0', 'nodad');
    ip('-n', NS[n], 'link', 'set', 'eth0', 'up');
  });
}

function macOf(ns: string): string {
  return (JSON.parse(ip('-n', ns, '-j', 'link', 'show', 'eth0')) as Array<{ address: string }>)[0].address;
}

/** Addresses (no prefix) on `ns`'s eth0. */
function addressesOf(ns: string): string[] {
  const links = JSON.parse(ip('-n', ns, '-j', 'addr', 'show', 'dev', 'eth0')) as Array<{ addr_info: Array<{ local: string }> }>;
  return links[0].addr_info.map((a) => a.local);
}

/** The MAC `ns` has cached for `address` ('' when none). */
function neighbour(ns: string, address: string): string {
  const entries = JSON.parse(ip('-n', ns, '-j', 'neigh', 'show', 'to', address, 'dev', 'eth0')) as Array<{ lladdr?: string }>;
  return entries[0]?.lladdr ?? '';
}

/** Plant a stale cache entry on B pointing `address` at a MAC nobody has (as a client that talked to the old master). */
function poisonOnB(address: string): void {
  ip('-n', NS.b, 'neigh', 'replace', address, 'lladdr', FAKE_MAC, 'dev', 'eth0', 'nud', 'stale');
}

function writeService(name: string, lines: string[]): string {
  const service = join(dir, name);
  fs.mkdirSync(service, { mode: 0o755 });
  fs.writeFileSync(join(service, 'vip'), `${lines.join('\n')}\n`, { mode: 0o644 });
  return service;
}

interface Out { event?: string; code?: number; error?: string; durationMs?: number; started?: number; log?: string; msg?: string; time?: number; fatal?: string; probed?: unknown; closed?: boolean }

type Step = { event: string; promoted?: boolean } | { sleep: number } | { close: true } | { run: string[] };

/** Run `steps` in one driver process inside `ns` (announcements live only as long as that process). */
function drive(ns: string, service: string, steps: Step[], announceIntervalMs?: number): Promise<Out[]> {
  return new Promise((resolve, reject) => {
    const child = spawn('ip', ['netns', 'exec', ns, process.execPath, join(__dirname, 'vip-driver.js'), JSON.stringify({ service, steps, announceIntervalMs })], {
      cwd: join(__dirname, '..', '..'), stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (c: Buffer) => (stdout += c.toString()));
    child.stderr.on('data', (c: Buffer) => (stderr += c.toString()));
    child.on('error', reject);
    child.on('close', () => {
      const lines = stdout.split('\n').filter(Boolean).map((l) => JSON.parse(l) as Out);
      const fatal = lines.find((l) => l.fatal);
      if (fatal) reject(new Error(`driver failed: ${fatal.fatal}\n${stderr}`));
      else resolve(lines);
    });
  });
}

const results = (lines: Out[]) => lines.filter((l) => l.event !== undefined);

maybe('vip executor in network namespaces (real ip, arping, ndisc6, na6)', () => {
  beforeAll(() => {
    dir = fs.mkdtempSync(join(os.tmpdir(), 'koi-vip-'));
    setUp();
  });
  afterAll(() => {
    for (const ns of created.splice(0).reverse()) spawnSync('ip', ['netns', 'del', ns]);
    if (dir) fs.rmSync(dir, { recursive: true, force: true });
  });

  test('promote adds IPv4 and IPv6 addresses on the subnet\'s interface and the neighbour learns the new MAC; demote removes them; status follows', async () => {
    const service = writeService('10-vip', [`address ${V4(100)}/24`, `address ${V6(0x100)}/64`, 'arp_count 3', 'na_count 3']);
    poisonOnB(V4(100));
    poisonOnB(V6(0x100));
    const lines = await drive(NS.a, service, [
      { event: 'status', promoted: false },
      { event: 'promote', promoted: true },
      { sleep: 300 },
      { event: 'status', promoted: true },
      { event: 'status', promoted: false },
    ]);
    const [before, promote, asMaster, asSlave] = results(lines);
    expect(before.code).toBe(0);
    expect(promote).toMatchObject({ code: 0 });
    // The announcements (3, a second apart) do not hold up the promote.
    expect(promote.durationMs).toBeLessThan(1000);
    expect(addressesOf(NS.a)).toEqual(expect.arrayContaining([V4(100), V6(0x100)]));
    // What a client sees: B's cache entry now points at A, without B asking.
    const macA = macOf(NS.a);
    expect(neighbour(NS.b, V4(100))).toBe(macA);
    expect(neighbour(NS.b, V6(0x100))).toBe(macA);
    expect(asMaster.code).toBe(90);
    // Held where the node is not master (a leftover): 90, so koi demotes it away.
    expect(asSlave.code).toBe(90);
    expect(lines.some((l) => l.log === 'warn' && /not master/.test(l.msg ?? ''))).toBe(true);

    const after = results(await drive(NS.a, service, [
      { event: 'demote' },
      { event: 'status', promoted: true },
      { event: 'status', promoted: false },
    ]));
    expect(after.map((r) => r.code)).toEqual([0, 91, 0]);
    expect(addressesOf(NS.a)).not.toEqual(expect.arrayContaining([V4(100)]));
    expect(addressesOf(NS.a)).not.toContain(V6(0x100));
  });

  test('promote of an address another host answers for is refused (IPv4 and IPv6), naming the address and the MAC', async () => {
    ip('-n', NS.b, 'addr', 'add', `${V4(101)}/24`, 'dev', 'eth0');
    ip('-n', NS.b, '-6', 'addr', 'add', `${V6(0x101)}/64`, 'dev', 'eth0', 'nodad');
    const macB = macOf(NS.b);
    for (const address of [`${V4(101)}/24`, `${V6(0x101)}/64`]) {
      const service = writeService(`20-dup${address.includes(':') ? '6' : '4'}`, [`address ${address}`]);
      const [promote] = results(await drive(NS.a, service, [{ event: 'promote', promoted: true }]));
      expect(promote.code).toBe(1);
      expect(promote.error).toContain(address.split('/')[0]);
      expect(promote.error).toContain('duplicate address');
      expect(promote.error).toContain(macB);
    }
    expect(addressesOf(NS.a)).not.toContain(V4(101));
    expect(addressesOf(NS.a)).not.toContain(V6(0x101));
  });

  test('demote stops the announcements still to come (a demoted node must not pull the address back)', async () => {
    const service = writeService('30-vip', [`address ${V4(102)}/24`, 'arp_count 5']);
    // After the demote B's entry is pointed elsewhere; were announcements still going (every 400 ms), it would flip back to A.
    const lines = await drive(NS.a, service, [
      { event: 'promote', promoted: true },
      { sleep: 100 },
      { event: 'demote' },
      { run: ['ip', '-n', NS.b, 'neigh', 'replace', V4(102), 'lladdr', FAKE_MAC, 'dev', 'eth0', 'nud', 'stale'] },
      { sleep: 1500 },
    ], 400);
    expect(results(lines).map((r) => r.code)).toEqual([0, 0]);
    expect(neighbour(NS.b, V4(102))).toBe(FAKE_MAC);
  });

  test('an address outside every subnet of the host fails the promote, naming the file and line', async () => {
    const service = writeService('40-vip', ['# no interface line', `address 192.0.2.${net}/24`]);
    const [promote] = results(await drive(NS.a, service, [{ event: 'promote', promoted: true }]));
    expect(promote.code).toBe(1);
    expect(promote.error).toContain(`no interface of this host has an IPv4 subnet containing 192.0.2.${net} (${join(service, 'vip')}:2)`);
  });
});
