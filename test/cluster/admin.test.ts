/** `koi` requests reach KoiNode's admin layer over the (simulated) network, forwarded to the leader when needed. */
import type { AdminResponse } from '../../plugin-api';
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
    const requestId = `r${answers.length}-${command}`;
    transport.sendTo(to, codec.encode({ kind: 'request', requestId, command, args, hops: 0 }));
    await sim.runUntil(() => answers.some((a) => a.requestId === requestId), 3000);
    const answer = answers.find((a) => a.requestId === requestId);
    if (!answer) throw new Error(`no answer to ${command}`);
    return answer;
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
