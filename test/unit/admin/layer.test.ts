/**
 * Admin layers of several nodes on an in-memory network: the real forwarder
 * and endpoint between them, a fake backend behind each.
 */
import { createAdminLayer, type AdminLayer } from '../../../core/admin';
import { VirtualClock } from '../../../core/clock';
import type { AdminRequest, AdminResponse, KoiMessage } from '../../../plugin-api';
import { isMutatingCommand } from '../../../core/admin/commands';
import { createTestLogger } from '../../helpers/logger';
import { type FakeBackend, request, threeNodes } from './fake-backend';

const CLIENT = '127.0.0.1:50000';

function network(backends: FakeBackend[]) {
  const clock = new VirtualClock();
  const layers = new Map<string, AdminLayer>();
  const dead = new Set<string>();
  const toClient: AdminResponse[] = [];
  const sent: Array<{ from: string; to: string; kind: string }> = [];
  let seq = 0;
  for (const backend of backends) {
    const self = backend.spec.address;
    layers.set(self, createAdminLayer({
      backend, hooks: backend.hooks, clock, logger: createTestLogger().logger,
      send: (to: string, message: KoiMessage) => {
        sent.push({ from: self, to, kind: message.kind });
        if (to === CLIENT) {
          if (message.kind === 'response') toClient.push(message);
          return;
        }
        const target = layers.get(to);
        if (!target || dead.has(to)) return;
        queueMicrotask(() => {
          void target.handleMessage({ envelope: { version: 1, clusterId: 13, senderId: backend.spec.id, seq: ++seq, sentAt: 1, message }, from: self });
        });
      },
    }));
  }
  const deliver = (address: string, message: AdminRequest): Promise<boolean> => layers.get(address)!.handleMessage({
    envelope: { version: 1, clusterId: 13, senderId: 'c11e0000-0000-4000-8000-000000000000', seq: ++seq, sentAt: 1, message },
    from: CLIENT,
  });
  const ask = async (address: string, command: string, args: string[] = []): Promise<void> => {
    let message = request(command, args);
    if (isMutatingCommand(command)) {
      // The node's challenge first (its answer is taken off the client's list), then the addressed request.
      await deliver(address, { ...request(command), challenge: true });
      const challenge = toClient.pop()!;
      message = { ...message, target: challenge.nodeId, nonce: challenge.nonce };
    }
    await deliver(address, message);
  };
  return { clock, layers, dead, toClient, sent, ask };
}

async function settle(): Promise<void> {
  for (let i = 0; i < 20; i++) await Promise.resolve();
}

describe('admin layer on an in-memory network', () => {
  it('a leader command sent to a non-leader is forwarded and answered once', async () => {
    const { a, b, c, e } = threeNodes();
    const net = network([a, b, c, e]);
    await net.ask(c.spec.address, 'promote', ['bravo']);
    expect(net.toClient).toHaveLength(1);
    expect(net.toClient[0].exitCode).toBe(0);
    expect(net.toClient[0].text).toContain('bravo');
    expect(a.calls).toEqual([`promote ${b.spec.id}`]);
    expect(net.sent.map((s) => `${s.from}→${s.to} ${s.kind}`)).toEqual([
      `${c.spec.address}→${CLIENT} response`, // c's challenge to the client
      `${c.spec.address}→${a.spec.address} request`, // c asks the leader for a challenge...
      `${a.spec.address}→${c.spec.address} response`,
      `${c.spec.address}→${a.spec.address} request`, // ...and sends the promote addressed to it
      `${a.spec.address}→${c.spec.address} response`,
      `${c.spec.address}→${CLIENT} response`,
    ]);
    expect(net.layers.get(c.spec.address)!.forwarder.pending()).toBe(0);
  });

  it('a named node gets the request; the answer comes back through the node asked', async () => {
    const { a, b, c } = threeNodes();
    const net = network([a, b, c]);
    await net.ask(b.spec.address, 'stop', ['charlie']);
    expect(net.toClient).toEqual([expect.objectContaining({ exitCode: 0 })]);
    expect(c.calls).toEqual(['stop']);
    expect(b.calls).toEqual([]);
  });

  it('a dead leader: the request is resent, then the client hears "did not answer" with the address', async () => {
    const { a, c } = threeNodes();
    const net = network([a, c]);
    net.dead.add(a.spec.address);
    const pending = net.ask(c.spec.address, 'status');
    await settle();
    net.clock.advance(1999);
    await settle();
    expect(net.toClient).toHaveLength(0);
    net.clock.advance(1);
    await pending;
    expect(net.toClient).toHaveLength(1);
    expect(net.toClient[0].exitCode).toBe(1);
    expect(net.toClient[0].text).toContain(`did not answer: no answer from ${a.spec.address} within 2000 ms`);
    expect(net.sent.filter((s) => s.to === a.spec.address)).toHaveLength(4); // at 0, 600, 1200, 1800
  });

  it('nodes that disagree about the leader: stopped by the hop limit, one answer', async () => {
    const { cluster, a, b, c } = threeNodes();
    cluster.leaderId = 'ffffffff-0000-4000-8000-00000000000f';
    b.leaderAddressOverride = c.spec.address;
    c.leaderAddressOverride = b.spec.address;
    const net = network([a, b, c]);
    await net.ask(b.spec.address, 'tree');
    expect(net.toClient).toHaveLength(1);
    expect(net.toClient[0].exitCode).toBe(1);
    expect(net.toClient[0].text).toContain('forwarded too many times');
  });

  it('a plugin command is answered by the node asked', async () => {
    const { a, b } = threeNodes();
    b.hooks.onAdminCommand.tapPromise('example', async (call) => (call.command === 'ping' ? { exitCode: 0, text: 'pong' } : undefined));
    const net = network([a, b]);
    await net.ask(b.spec.address, 'ping');
    expect(net.toClient).toEqual([expect.objectContaining({ exitCode: 0, text: 'pong' })]);
  });
});
