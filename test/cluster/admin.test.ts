/** `koi` requests reach KoiNode's admin layer over the (simulated) network, forwarded to the leader when needed. */
import type { AdminRequest, AdminResponse } from '../../plugin-api';
import { createWireCodec } from '../../core/wire/codec';
import { startCluster, waitSettled } from './helpers';
import { checksumCipher } from './sim-executor';

test('koi status asked of a non-leader is answered with the leader\'s view; koi promote moves the master', async () => {
  const sim = await startCluster({ nodes: 3 });
  const master = await waitSettled(sim);
  const codec = createWireCodec({ cipher: checksumCipher, clusterId: 13, senderId: sim.prng.uuid(), clock: sim.clock });
  const answers: AdminResponse[] = [];
  const transport = sim.network.transport('192.0.2.200:50000', () => []);
  await transport.start((data, from) => {
    const result = codec.decode(data, from);
    if (result.ok && result.envelope.message.kind === 'response') answers.push(result.envelope.message);
  });
  const ask = async (to: string, command: string, args: string[] = []): Promise<AdminResponse> => {
    const exchange = async (request: AdminRequest): Promise<AdminResponse> => {
      transport.sendTo(to, codec.encode(request));
      await sim.runUntil(() => answers.some((a) => a.requestId === request.requestId), 3000);
      const answer = answers.find((a) => a.requestId === request.requestId);
      if (!answer) throw new Error(`no answer to ${command}`);
      return answer;
    };
    const request: AdminRequest = { kind: 'request', requestId: `r${answers.length}-${command}`, command, args, hops: 0 };
    if (command === 'status') return exchange(request);
    // Mutating: the node's challenge first, then the request addressed to it (docs/wire.md "Admin requests").
    const challenge = await exchange({ kind: 'request', requestId: `c${answers.length}-${command}`, command, args: [], hops: 0, challenge: true });
    return exchange({ ...request, requestId: `r${answers.length}-${command}`, target: challenge.nodeId, nonce: challenge.nonce });
  };
  const follower = sim.nodes.find((n) => !n.koi.isLeader())!;
  const status = await ask(follower.address, 'status');
  expect(status.exitCode).toBe(0);
  const doc = JSON.parse(status.json) as { type: string; master: { name: string } | null; leader: { name: string } };
  expect(doc.type).toBe('cluster');
  expect(doc.master?.name).toBe(master.name);
  expect(doc.leader.name).toBe(sim.leader()!.name);
  const other = sim.nodes.find((n) => n !== master)!;
  const promoted = await ask(follower.address, 'promote', [other.name]);
  expect(promoted.exitCode).toBe(0);
  await sim.runUntil(() => sim.master() === other && sim.servicesPromoted(other), 5000);
  expect(sim.master()).toBe(other);
  sim.shutdown();
});
