/**
 * Multicast delivery (IPv4 and IPv6) between two network namespaces this test
 * creates: ns A and ns B, each with an `eth0` veth into a bridge that lives in
 * a third namespace. The transports run INSIDE the namespaces (child
 * processes via `ip netns exec`); the host namespace never sends multicast.
 * Needs root and iproute2; skipped with a message otherwise.
 */
import { execFileSync, spawn, spawnSync } from 'node:child_process';
import { join } from 'node:path';

const hasIp = spawnSync('ip', ['-V']).status === 0;
const isRoot = typeof process.getuid === 'function' && process.getuid() === 0;
const canRun = hasIp && isRoot && process.platform === 'linux';
if (!canRun) {
  // eslint-disable-next-line no-console
  console.warn(`netns multicast tests skipped: ${!isRoot ? 'not running as root' : 'the `ip` command (iproute2) is missing'}`);
}
const maybe = canRun ? describe : describe.skip;

const tag = `koiw${process.pid}${Math.floor(Math.random() * 1000)}`;
const NS = { a: `${tag}a`, b: `${tag}b`, br: `${tag}br` };
const created: string[] = [];

function ip(...args: string[]): void {
  execFileSync('ip', args, { stdio: ['ignore', 'ignore', 'pipe'] });
}
function nsExec(ns: string, ...cmd: string[]): void {
  execFileSync('ip', ['netns', 'exec', ns, ...cmd], { stdio: ['ignore', 'ignore', 'pipe'] });
}

function setUpNamespaces(): void {
  for (const ns of Object.values(NS)) {
    ip('netns', 'add', ns);
    created.push(ns);
    nsExec(ns, 'sysctl', '-qw', 'net.ipv6.conf.all.accept_dad=0', 'net.ipv6.conf.default.accept_dad=0');
    ip('-n', ns, 'link', 'set', 'lo', 'up');
  }
  ip('-n', NS.br, 'link', 'add', 'br0', 'type', 'bridge', 'mcast_snooping', '0');
  ip('-n', NS.br, 'link', 'set', 'br0', 'up');
  const nodes = [['a', '10.77.0.1', 'fd77::1'], ['b', '10.77.0.2', 'fd77::2']] as const;
  for (const [n, v4, v6] of nodes) {
    const ns = NS[n];
    ip('link', 'add', 'eth0', 'netns', ns, 'type', 'veth', 'peer', 'name', `v${n}`, 'netns', NS.br);
    ip('-n', NS.br, 'link', 'set', `v${n}`, 'master', 'br0');
    ip('-n', NS.br, 'link', 'set', `v${n}`, 'up');
    ip('-n', ns, 'addr', 'add', `${v4}/24`, 'dev', 'eth0');
    ip('-n', ns, '-6', 'addr', 'add', `${v6}/64`, 'dev', 'eth0', 'nodad');
    ip('-n', ns, 'link', 'set', 'eth0', 'up');
    ip('-n', ns, 'route', 'add', '224.0.0.0/4', 'dev', 'eth0');
  }
}

interface Line { ready?: boolean; id?: string; from?: string; sender?: string; name?: string; done?: boolean; rejected?: Record<string, number>; accepted?: number; fatal?: string; log?: string; msg?: string }

function runNode(ns: string, config: object, timeoutMs: number): Promise<Line[]> {
  return new Promise((resolve, reject) => {
    const child = spawn('ip', ['netns', 'exec', ns, process.execPath, join(__dirname, 'ns-node.js'), JSON.stringify(config)], {
      cwd: join(__dirname, '..', '..'), stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => { stdout += d.toString(); });
    child.stderr.on('data', (d: Buffer) => { stderr += d.toString(); });
    const timer = setTimeout(() => {
      if (child.pid) process.kill(child.pid, 'SIGKILL');
      reject(new Error(`node in ${ns} did not finish in ${timeoutMs} ms; stderr: ${stderr}`));
    }, timeoutMs);
    child.on('exit', (code) => {
      clearTimeout(timer);
      const lines = stdout.split('\n').filter(Boolean).map((l) => JSON.parse(l) as Line);
      if (code !== 0) reject(new Error(`node in ${ns} exited ${code}: ${stdout} ${stderr}`));
      else resolve(lines);
    });
  });
}

async function exchange(entries: object[], port: number): Promise<{ a: Line[]; b: Line[] }> {
  const base = { entries, port, interface: 'eth0', durationMs: 1500 };
  const [a, b] = await Promise.all([
    runNode(NS.a, { ...base, name: 'node-a' }, 20_000),
    runNode(NS.b, { ...base, name: 'node-b' }, 20_000),
  ]);
  return { a, b };
}

function heardFrom(lines: Line[], name: string): Line[] {
  return lines.filter((l) => l.name === name);
}

maybe('multicast between network namespaces', () => {
  beforeAll(() => {
    setUpNamespaces();
  }, 30_000);

  afterAll(() => {
    for (const ns of created.reverse()) {
      const r = spawnSync('ip', ['netns', 'del', ns]);
      if (r.status !== 0) throw new Error(`could not delete namespace ${ns}: ${r.stderr}`);
    }
  });

  it('IPv4 multicast (239.77.0.1): each node hears the other and drops its own looped-back datagrams', async () => {
    const port = 42077;
    const { a, b } = await exchange([{ kind: 'multicast4', host: '239.77.0.1', port, raw: '239.77.0.1' }], port);
    for (const [lines, peer, peerAddr] of [[a, 'node-b', '10.77.0.2'], [b, 'node-a', '10.77.0.1']] as const) {
      expect(lines.find((l) => l.fatal)).toBeUndefined();
      const heard = heardFrom(lines, peer);
      expect(heard.length).toBeGreaterThanOrEqual(5);
      expect(heard[0].from).toBe(`${peerAddr}:${port}`);
      const done = lines.find((l) => l.done);
      expect(done?.rejected?.['own-message']).toBeGreaterThan(0);
      expect(done?.rejected?.['auth-failed']).toBe(0);
    }
  }, 30_000);

  it('IPv6 multicast (ff02::77 link-local and ff15::77) on interface eth0; the second group duplicates are dropped', async () => {
    const port = 42078;
    const { a, b } = await exchange([
      { kind: 'multicast6', host: 'ff02::77', port, raw: 'ff02::77' },
      { kind: 'multicast6', host: 'ff15::77', port, raw: '[ff15::77]:42078' },
    ], port);
    for (const [lines, peer] of [[a, 'node-b'], [b, 'node-a']] as const) {
      expect(lines.find((l) => l.fatal)).toBeUndefined();
      const heard = heardFrom(lines, peer);
      expect(heard.length).toBeGreaterThanOrEqual(5);
      expect(heard[0].from).toMatch(new RegExp(`^\\[(fe80::[0-9a-f:]+(%\\w+)?|fd77::[12])\\]:${port}$`));
      const done = lines.find((l) => l.done);
      expect(done?.rejected?.duplicate).toBeGreaterThan(0); // each heartbeat came through both groups
      expect(done?.rejected?.['own-message']).toBeGreaterThan(0);
    }
  }, 30_000);
});
