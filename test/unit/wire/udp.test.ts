/**
 * The udp transport on real sockets, loopback only (127.0.0.1, ::1). Multicast
 * entries are only validated here, never started: multicast delivery is
 * tested inside network namespaces (test/netns).
 */
import { createSocket } from 'node:dgram';
import { randomUUID } from 'node:crypto';
import { RealClock } from '../../../core/clock';
import { createWireCodec } from '../../../core/wire/codec';
import { createRejectLogger } from '../../../core/wire/reject-logger';
import type { WireCodec } from '../../../core/wire/types';
import type { Envelope, KoiMessage, KoiPluginContext, Transport } from '../../../plugin-api';
import udpPlugin, {
  chooseBindAddress, createUdpTransport, resolveTransport, TransportConfigError,
} from '../../../plugins/udp';
import { createUdpClientSocket } from '../../../core/admin/udp-client-socket';
import { createTestLogger } from '../../helpers/logger';
import { testCipher } from './fixtures';
import { addr, freeDualPort, Inbox, settle } from './udp-helpers';

const clock = new RealClock();
const hb = (name: string): KoiMessage => ({ kind: 'heartbeat', name, flags: 2, seenAddress: '', uptimeMs: 5, holdMs: 1500, ackWindowMs: 150 });

interface TestNode {
  id: string;
  transport: Transport;
  codec: WireCodec;
  inbox: Inbox<{ envelope: Envelope; from: string }>;
  raw: Inbox<string>;
  log: ReturnType<typeof createTestLogger>;
}

const open: { close(): Promise<void> }[] = [];
afterEach(async () => {
  for (const t of open.splice(0)) await t.close();
  clock.clearAll();
});

async function startNode(entries: string[], port: number, extra: Partial<Parameters<typeof createUdpTransport>[0]> = {}, password = 'secret-password'): Promise<TestNode> {
  const log = createTestLogger();
  const id = randomUUID();
  const transport = createUdpTransport({
    transport: entries.map((e) => addr(e, port)), port, logger: log.logger, clock, ...extra,
  });
  const codec = createWireCodec({ cipher: testCipher('node', password), clusterId: 7, senderId: id, clock, maxDatagramSize: transport.maxDatagramSize });
  const report = createRejectLogger(log.logger, clock);
  const inbox = new Inbox<{ envelope: Envelope; from: string }>();
  const raw = new Inbox<string>();
  await transport.start((data, from) => {
    raw.push(from);
    const r = codec.decode(data, from);
    if (r.ok) inbox.push({ envelope: r.envelope, from });
    else report(r, from);
  });
  open.push(transport);
  return { id, transport, codec, inbox, raw, log };
}

describe('udp transport on loopback', () => {
  it.each([
    ['IPv4', '127.0.0.1', (p: number) => `127.0.0.1:${p}`],
    ['IPv6', '::1', (p: number) => `[::1]:${p}`],
  ])('two transports exchange sealed messages over %s, replies go to `from`', async (_name, host, entry) => {
    const pa = await freeDualPort();
    const pb = await freeDualPort();
    const list = [entry(pa), entry(pb)];
    const a = await startNode(list, pa);
    const b = await startNode(list, pb);
    expect(a.transport.localAddresses()).toEqual([entry(pa)]);
    a.transport.broadcast(a.codec.encode(hb('a')));
    const [got] = await b.inbox.waitFor(1);
    expect(got.envelope.senderId).toBe(a.id);
    expect(got.envelope.message).toMatchObject({ kind: 'heartbeat', name: 'a' });
    expect(got.from).toBe(entry(pa));
    b.transport.sendTo(got.from, b.codec.encode(hb('b-reply')));
    const [reply] = await a.inbox.waitFor(1);
    expect(reply.envelope.message).toMatchObject({ name: 'b-reply' });
    // A's own address is in the list, but A does not send to itself (plugins/udp withoutSelf).
    await settle(50);
    expect(a.raw.items).not.toContain(entry(pa));
    expect(a.codec.rejected()['own-message'] ?? 0).toBe(0);
    expect(host).toBeTruthy();
  });

  it('mixed IPv4/IPv6 list with redundant links: each message arrives on both, the duplicate is dropped', async () => {
    const pa = await freeDualPort();
    const pb = await freeDualPort();
    const list = [`127.0.0.1:${pa}`, `[::1]:${pa}`, `127.0.0.1:${pb}`, `[::1]:${pb}`];
    const a = await startNode(list, pa);
    const b = await startNode(list, pb);
    expect(b.transport.localAddresses().sort()).toEqual([`127.0.0.1:${pb}`, `[::1]:${pb}`].sort());
    for (let i = 0; i < 5; i++) a.transport.broadcast(a.codec.encode(hb(`a${i}`)));
    await b.inbox.waitFor(5);
    await b.raw.waitFor(10);
    await settle(100);
    expect(b.inbox.items.map((m) => (m.envelope.message as { name: string }).name)).toEqual(['a0', 'a1', 'a2', 'a3', 'a4']);
    expect(new Set(b.raw.items)).toEqual(new Set([`127.0.0.1:${pa}`, `[::1]:${pa}`]));
    expect(b.codec.rejected().duplicate).toBe(5);
    expect(b.log.find('warn')).toHaveLength(0); // duplicates are normal, never warned
  });

  it('increment_port takes the next free port and logs it; without it the busy port is a clear error', async () => {
    const busyPort = await freeDualPort();
    const blocker = createSocket('udp4');
    await new Promise<void>((r) => blocker.bind(busyPort, '127.0.0.1', () => r()));
    open.push({ close: () => new Promise<void>((r) => blocker.close(() => r())) });
    const list = [`127.0.0.1:${busyPort}`];
    const log = createTestLogger();
    const plain = createUdpTransport({ transport: list.map((e) => addr(e, busyPort)), port: busyPort, logger: log.logger, clock });
    await expect(plain.start(() => undefined)).rejects.toThrow(new RegExp(`cannot bind 127\\.0\\.0\\.1:${busyPort}.*increment_port`));
    const n = await startNode(list, busyPort, { incrementPort: true, portAttempts: 5 });
    const taken = Number(n.transport.localAddresses()[0].split(':')[1]);
    expect(taken).toBeGreaterThan(busyPort);
    expect(n.log.find('info', `port ${busyPort} is busy`)).toHaveLength(1);
    expect(n.log.find('info', 'was busy')).toHaveLength(1);
  });

  it('the koi client socket sends a request and receives the answer (IPv4, IPv6, bracketed, localhost)', async () => {
    const pa = await freeDualPort();
    const node = await startNode([`127.0.0.1:${pa}`, `[::1]:${pa}`], pa);
    let count = 0;
    for (const host of ['127.0.0.1', '::1', '[::1]', 'localhost']) {
      const client = await createUdpClientSocket(host, pa);
      open.push(client);
      const clientId = randomUUID();
      const codec = createWireCodec({ cipher: testCipher(), clusterId: 7, senderId: clientId, clock });
      const answers = new Inbox<Envelope>();
      client.onDatagram((data, from) => {
        const r = codec.decode(data, from);
        if (r.ok) answers.push(r.envelope);
      });
      await client.send(codec.encode({ kind: 'request', requestId: `q${count}`, command: 'local', args: [], hops: 0 }));
      const [req] = await node.inbox.waitFor(++count);
      void req;
      const { envelope, from } = node.inbox.items[count - 1];
      expect(envelope.senderId).toBe(clientId);
      expect(from).toBe(client.localAddress);
      node.transport.sendTo(from, node.codec.encode({ kind: 'response', requestId: `q${count - 1}`, exitCode: 0, text: 'ok', json: '' }));
      const [answer] = await answers.waitFor(1);
      expect(answer.message).toMatchObject({ kind: 'response', requestId: `q${count - 1}`, text: 'ok' });
      await client.close();
    }
    await expect(createUdpClientSocket('nowhere.invalid', pa, { lookup: () => Promise.reject(new Error('ENOTFOUND')) })).rejects.toThrow(/cannot resolve host 'nowhere.invalid'/);
  });

  it('wrong-password and tampered datagrams at a running node: dropped, one warning naming the source', async () => {
    const pa = await freeDualPort();
    const node = await startNode([`127.0.0.1:${pa}`], pa);
    const client = await createUdpClientSocket('127.0.0.1', pa);
    open.push(client);
    const wrong = createWireCodec({ cipher: testCipher('node', 'wrong-password'), clusterId: 7, senderId: randomUUID(), clock });
    const right = createWireCodec({ cipher: testCipher(), clusterId: 7, senderId: randomUUID(), clock });
    for (let i = 0; i < 4; i++) await client.send(wrong.encode(hb('intruder')));
    const tampered = right.encode(hb('x'));
    tampered[tampered.length - 1] ^= 1;
    await client.send(tampered);
    await node.raw.waitFor(5);
    expect(node.inbox.items).toHaveLength(0);
    expect(node.codec.rejected()['auth-failed']).toBe(5);
    const warns = node.log.find('warn');
    expect(warns).toHaveLength(1);
    expect(warns[0].msg).toContain(client.localAddress);
    expect(warns[0].msg).toContain('auth-failed');
  });

  it('send problems are logged rate-limited, never thrown', async () => {
    const pa = await freeDualPort();
    // A second entry: the node's own address alone gets no broadcasts (it does not send to itself).
    const node = await startNode([`127.0.0.1:${pa}`, `127.0.0.1:${await freeDualPort()}`], pa);
    expect(() => node.transport.sendTo('not an address', Uint8Array.of(1))).not.toThrow();
    expect(() => node.transport.sendTo('not an address', Uint8Array.of(1))).not.toThrow();
    expect(() => node.transport.sendTo(`[::1]:${pa}`, Uint8Array.of(1))).not.toThrow(); // no IPv6 socket
    expect(() => node.transport.broadcast(new Uint8Array(5000))).not.toThrow();
    await settle(50);
    expect(node.log.find('warn', "cannot send to 'not an address'")).toHaveLength(1);
    expect(node.log.find('warn', 'no IPv6 socket')).toHaveLength(1);
    expect(node.log.find('warn', 'over maxDatagramSize')).toHaveLength(1);
  });

  it('the udp plugin provides a transport from koi.config and closes it on shutdown', async () => {
    const pa = await freeDualPort();
    const log = createTestLogger();
    const provided: Transport[] = [];
    const closers: (() => void | Promise<void>)[] = [];
    const ctx = {
      config: {
        node: { port: pa, increment_port: false, reuse_address: false },
        cluster: { transport: [addr(`127.0.0.1:${pa}`, pa)] },
      },
      logger: log.logger,
      clock,
      provide: { transport: (t: Transport) => provided.push(t) },
      onClose: (fn: () => void | Promise<void>) => closers.push(fn),
    } as unknown as KoiPluginContext;
    await udpPlugin.apply(ctx, { interface: '', ttl: 1, max_datagram_size: 1472, port_attempts: 4, bind_ipv4: '', bind_ipv6: '' });
    expect(provided).toHaveLength(1);
    await provided[0].start(() => undefined);
    expect(provided[0].localAddresses()).toEqual([`127.0.0.1:${pa}`]);
    for (const c of closers) await c();
    expect(provided[0].localAddresses()).toEqual([]);
  });
});

describe('transport address forms', () => {
  const lookup = async (host: string): Promise<{ address: string; family: number }[]> => {
    if (host === 'peer.example') return [{ address: '127.0.0.2', family: 4 }, { address: '::1', family: 6 }];
    throw new Error(`getaddrinfo ENOTFOUND ${host}`);
  };

  it('recognises every good form and picks bind addresses', async () => {
    const entries = ['10.0.0.1', '10.0.0.2:5000', 'fd00::1', '[fd00::2]:5001', '[fe80::1%eth0]:5002', '239.1.2.3', '239.1.2.4:6000', 'ff15::42', '[ff02::1:3]:6001', 'peer.example:7000']
      .map((e) => addr(e, 42012));
    const { destinations, unresolved } = await resolveTransport(entries, lookup);
    expect(unresolved).toEqual([]);
    expect(destinations.map((d) => `${d.family}/${d.multicast ? 'm' : 'u'}/${d.host}/${d.port}`)).toEqual([
      '4/u/10.0.0.1/42012', '4/u/10.0.0.2/5000', '6/u/fd00::1/42012', '6/u/fd00::2/5001', '6/u/fe80::1%eth0/5002',
      '4/m/239.1.2.3/42012', '4/m/239.1.2.4/6000', '6/m/ff15::42/42012', '6/m/ff02::1:3/6001',
      '4/u/127.0.0.2/7000', '6/u/::1/7000',
    ]);
    expect(chooseBindAddress(4, destinations, undefined)).toBe('0.0.0.0');
    expect(chooseBindAddress(6, destinations, undefined)).toBe('::');
    const loop = (await resolveTransport([addr('127.0.0.1:1', 1), addr('[::1]:2', 1)], lookup)).destinations;
    expect(chooseBindAddress(4, loop, undefined)).toBe('127.0.0.1');
    expect(chooseBindAddress(6, loop, undefined)).toBe('::1');
    expect(chooseBindAddress(4, loop, '127.0.0.5')).toBe('127.0.0.5');
  });

  it.each([
    [{ kind: 'ipv4', host: '300.1.1.1', port: 1, raw: '300.1.1.1' }, /'300\.1\.1\.1'.*unicast IPv4/],
    [{ kind: 'ipv4', host: '239.0.0.1', port: 1, raw: '239.0.0.1' }, /unicast IPv4/],
    [{ kind: 'multicast4', host: '10.0.0.1', port: 1, raw: '10.0.0.1' }, /IPv4 multicast group/],
    [{ kind: 'ipv6', host: 'ff02::1', port: 1, raw: 'ff02::1' }, /unicast IPv6/],
    [{ kind: 'ipv6', host: 'fd00::zz', port: 1, raw: 'fd00::zz' }, /unicast IPv6/],
    [{ kind: 'multicast6', host: '::1', port: 1, raw: '::1' }, /IPv6 multicast group/],
    [{ kind: 'hostname', host: '10.0.0.1', port: 1, raw: '10.0.0.1' }, /host name/],
    [{ kind: 'ipv4', host: '10.0.0.1', port: 0, raw: '10.0.0.1:0' }, /port 0 is not in 1\.\.65535/],
    [{ kind: 'ipv4', host: '10.0.0.1', port: 70000, raw: '10.0.0.1:70000' }, /port 70000/],
  ] as const)('refuses a bad entry %o naming it', async (entry, message) => {
    await expect(resolveTransport([entry], lookup)).rejects.toThrow(TransportConfigError);
    await expect(resolveTransport([entry], lookup)).rejects.toThrow(message);
    await expect(resolveTransport([entry], lookup)).rejects.toThrow(`'${entry.raw}'`);
  });

  it('an unresolvable host name is skipped with a warning; when nothing is left start fails clearly', async () => {
    const pa = await freeDualPort();
    const log = createTestLogger();
    const t = createUdpTransport({ transport: [addr('gone.example', pa), addr(`127.0.0.1:${pa}`, pa)], port: pa, logger: log.logger, clock, lookup });
    await t.start(() => undefined);
    open.push(t);
    expect(log.find('warn', "'gone.example' did not resolve")).toHaveLength(1);
    const none = createUdpTransport({ transport: [addr('gone.example', pa)], port: pa, logger: log.logger, clock, lookup });
    await expect(none.start(() => undefined)).rejects.toThrow(/no usable address \(gone\.example\)/);
  });

  it('a real host name (localhost) resolves at start to loopback links', async () => {
    const pa = await freeDualPort();
    const n = await startNode([`localhost:${pa}`], pa);
    expect(n.transport.localAddresses().length).toBeGreaterThanOrEqual(1);
    for (const local of n.transport.localAddresses()) expect(local).toMatch(/^(127\.0\.0\.1|\[::1\]):/);
  });
});
