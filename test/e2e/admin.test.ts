/**
 * Three real koinode processes on 127.0.0.1, driven by the real `koi` client:
 * status / tree / local (text and --json against docs/client.md), a plugin
 * command, promote, demote / elect, stop / start, a failing status script
 * with failures and recover — then no process left behind.
 *
 * The tests share one cluster and run in order; each leaves it with one
 * master and every node running.
 */
import { E2ECluster, type ClusterView, type ServiceEvent } from './harness';
import { checkClusterAnswer, checkErrorAnswer, checkFailuresAnswer, checkLocalAnswer, checkPluginAnswer, checkResultAnswer } from './client-schema';

jest.setTimeout(90_000);

let c: E2ECluster;

beforeAll(async () => {
  c = await E2ECluster.create({
    nodes: 3,
    quorum: 2,
    statusInterval: '500ms',
    examplePlugin: 'Hi',
    // Failures stay until `koi recover` in this file (no auto-recovery within a run).
    time: { auto_recover_time: '10m' },
  });
  c.start();
});

afterAll(async () => {
  await c?.close();
});

/** Every node running, one master, every service settled (Promoted on the master, Started elsewhere). */
async function settled(): Promise<ClusterView & { master: { id: string; name: string } }> {
  // A node restarted after kill -9 is a new node (fresh id); the leader keeps the old one Disconnected for 30 min.
  return c.waitForMaster((v) => {
    const live = v.nodes.filter((n) => n.state !== 'Disconnected' && n.state !== 'Offline');
    return live.map((n) => n.name).sort().join() === c.nodes.map((n) => n.name).sort().join() && live.every((n) => {
      const want = n.name === v.master.name ? ['Master', 'Promoted'] : ['Slave', 'Started'];
      return n.state === want[0] && n.services.every((s) => s.state === want[1]);
    });
  }, 40_000);
}

function last(events: ServiceEvent[], node: string, event: string, phase: 'begin' | 'end'): ServiceEvent | undefined {
  return events.filter((e) => e.node === node && e.event === event && e.phase === phase).pop();
}

test('status, tree and local show the leader, the master, every node and its services; --json follows the schema', async () => {
  const view = await settled();
  const leader = view.leader.name;
  const master = view.master.name;

  // Every node answers `status` with the same view (non-leaders forward to the leader).
  for (const node of c.nodes.map((n) => n.name)) {
    const asked = await c.koi(['status'], { node, json: true });
    expect(asked.code).toBe(0);
    expect(checkClusterAnswer(asked.json)).toEqual([]);
    expect(asked.json).toMatchObject({ leader: { name: leader }, master: { name: master }, clusterId: 13, quorum: { configured: 2, has: true } });
  }
  expect(checkClusterAnswer(view)).toEqual([]);
  expect(view.nodes.map((n) => n.name).sort()).toEqual(['n1', 'n2', 'n3']);
  expect(view.nodes.find((n) => n.name === leader)!.flags).toContain('Leader');
  for (const n of view.nodes) expect(n.address).toBe(`127.0.0.1:${c.ports.get(n.name)}`);
  expect(view.nodes.filter((n) => n.state === 'Master').map((n) => n.name)).toEqual([master]);

  const status = await c.koi(['status']);
  expect(status.code).toBe(0);
  expect(status.stdout).toContain(`Cluster 13: leader ${leader}, master ${master}`);
  for (const n of view.nodes) {
    const service = n.name === master ? '10-app:Promoted' : '10-app:Started';
    const row = status.stdout.split('\n').find((l) => l.startsWith(`${n.name} `));
    expect(row).toMatch(new RegExp(`^${n.name}\\s+${n.name === master ? 'Master' : 'Slave'}\\s+Active\\s+ER${n.name === leader ? 'L' : '-'}-\\s.*${service}`));
  }

  const tree = await c.koi(['tree']);
  expect(tree.code).toBe(0);
  expect(tree.stdout).toContain(`cluster 13 (leader ${leader}, master ${master})`);
  expect(tree.stdout).toMatch(new RegExp(`${master}\\s+Master`));
  expect(tree.stdout).toMatch(/10-app\s+Promoted/);
  expect(tree.stdout.match(/10-app\s+Started/g)).toHaveLength(2);
  const treeJson = await c.koi(['tree'], { json: true });
  expect(checkClusterAnswer(treeJson.json)).toEqual([]);

  for (const node of c.nodes.map((n) => n.name)) {
    const local = await c.koi(['local'], { node, json: true });
    expect(local.code).toBe(0);
    expect(checkLocalAnswer(local.json)).toEqual([]);
    expect(local.json).toMatchObject({
      name: node, state: node === master ? 'Master' : 'Slave', mode: 'Active', leader: { name: leader }, master: { name: master },
      electionMode: node === leader ? 'leader' : 'servant', services: [{ name: '10-app', state: node === master ? 'Promoted' : 'Started' }],
    });
    const text = await c.koi(['local'], { node });
    expect(text.stdout).toMatch(new RegExp(`state:\\s+${node === master ? 'Master' : 'Slave'}`));
    expect(text.stdout).toMatch(new RegExp(`leader:\\s+${leader}`));
  }

  // `status NODE` is answered by that node, through the one asked.
  const other = c.nodes.map((n) => n.name).find((n) => n !== 'n1')!;
  const remote = await c.koi(['status', other], { node: 'n1', json: true });
  expect(checkLocalAnswer(remote.json)).toEqual([]);
  expect(remote.json).toMatchObject({ type: 'local', name: other });

  // An unknown node: exit 1 and the known names.
  const unknown = await c.koi(['status', 'nope'], { json: true });
  expect(unknown.code).toBe(1);
  expect(checkErrorAnswer(unknown.json, 1)).toEqual([]);
  expect((unknown.json as { knownNodes: string[] }).knownNodes.sort()).toEqual(['n1', 'n2', 'n3']);
  const unknownText = await c.koi(['stop', 'nope']);
  expect(unknownText.code).toBe(1);
  expect(unknownText.stderr).toMatch(/nope/);
  expect(unknownText.stderr).toMatch(/n1.*n2.*n3|n1|n2|n3/);
});

test('a plugin command: `koi hello` is answered by examples/koi-plugin-example', async () => {
  const text = await c.koi(['hello'], { node: 'n2' });
  expect(text).toMatchObject({ code: 0, stdout: 'Hi from n2\n' });
  const json = await c.koi(['hello'], { node: 'n3', json: true });
  expect(json.code).toBe(0);
  expect(checkPluginAnswer(json.json)).toEqual([]);
  expect(json.json).toMatchObject({ type: 'plugin', command: 'hello', exitCode: 0, data: { greeting: 'Hi', node: 'n3' } });
  const unknown = await c.koi(['no-such-command']);
  expect(unknown.code).toBe(2);
});

test('promote X moves the master; the old master demote ends before the new master promote begins', async () => {
  const before = await settled();
  const oldMaster = before.master.name;
  const target = c.nodes.map((n) => n.name).find((n) => n !== oldMaster)!;
  c.control('slow-demote', '0.5'); // makes an overlap visible if the order were wrong
  try {
    const sent = Date.now() / 1000;
    const answer = await c.koi(['promote', target], { json: true });
    expect(answer.code).toBe(0);
    expect(checkResultAnswer(answer.json, 'promote')).toEqual([]);
    await c.waitFor(`${target} promoted`, () => c.events().some((e) => e.node === target && e.event === 'promote' && e.phase === 'end' && e.time >= sent), 30_000);
    const events = c.events().filter((e) => e.time >= sent);
    const demoteEnd = last(events, oldMaster, 'demote', 'end');
    const promoteBegin = events.find((e) => e.node === target && e.event === 'promote' && e.phase === 'begin');
    expect(demoteEnd).toBeDefined();
    expect(promoteBegin).toBeDefined();
    expect(demoteEnd!.time).toBeLessThan(promoteBegin!.time);
    // Issue 12 item 10: the leader elects once the old master confirmed its demote (R3's shortcut,
    // docs/safety.md), not lease + margin (1.5 s) after dropping it. Wide margin for a loaded machine.
    const gapMs = (promoteBegin!.time - demoteEnd!.time) * 1000;
    console.log(`planned switch: the new master began to promote ${Math.round(gapMs)} ms after the old one's demote ended`);
    expect(gapMs).toBeLessThan(700); // without the shortcut: about 1.1 s here (lease + margin minus the 0.5 s demote)
  } finally {
    c.control('slow-demote', null);
  }
  const after = await settled();
  expect(after.master.name).toBe(target);
  expect(after.targetMaster).toBeNull();
});

test('demote leaves the cluster without a master until elect', async () => {
  const before = await settled();
  const sent = Date.now() / 1000;
  const demote = await c.koi(['demote']);
  expect(demote.code).toBe(0);
  const view = await c.waitFor('no master, manual master mode', async () => {
    const v = await c.status();
    return v && v.master === null && v.manualMaster && v.nodes.every((n) => n.state !== 'Master' && n.services.every((s) => s.state === 'Started')) ? v : undefined;
  }, 30_000);
  expect(view.manualMaster).toBe(true);
  expect(last(c.events(), before.master.name, 'demote', 'end')!.time).toBeGreaterThan(sent);
  // Watch a while (several elector ticks and state updates): nobody is elected.
  const watchUntil = Date.now() + 2500;
  while (Date.now() < watchUntil) {
    const v = await c.status();
    if (v) expect(v.master).toBeNull();
  }
  expect(c.events().filter((e) => e.time > sent && e.event === 'promote')).toEqual([]);
  expect((await c.koi(['status'])).stdout).toMatch(/Manual master: on/i);

  const elect = await c.koi(['elect']);
  expect(elect.code).toBe(0);
  const after = await settled();
  expect(after.manualMaster).toBe(false);
  expect(c.events().some((e) => e.time > sent && e.node === after.master.name && e.event === 'promote' && e.phase === 'end')).toBe(true);
});

test('stop NODE and start NODE, for a slave and for the master', async () => {
  const before = await settled();
  const slave = before.nodes.find((n) => n.state === 'Slave' && n.name !== before.leader.name)!.name;
  const asker = c.nodes.map((n) => n.name).find((n) => n !== slave)!;

  const stop = await c.koi(['stop', slave], { node: asker, json: true });
  expect(stop.code).toBe(0);
  expect(checkResultAnswer(stop.json, 'stop')).toEqual([]);
  expect(stop.json).toMatchObject({ node: { name: slave } });
  await c.waitFor(`${slave} Stopped`, async () => {
    const local = await c.koi(['local'], { node: slave, json: true });
    return (local.json as { state?: string; stopped?: boolean; services?: Array<{ state: string }> } | undefined)?.state === 'Stopped'
      && (local.json as { stopped: boolean }).stopped && (local.json as { services: Array<{ state: string }> }).services.every((s) => s.state === 'Stopped');
  });
  expect(last(c.events(), slave, 'stop', 'end')).toBeDefined();
  expect((await c.status())!.nodes.find((n) => n.name === slave)!.state).toBe('Stopped');

  const start = await c.koi(['start', slave], { node: asker });
  expect(start.code).toBe(0);
  await settled();

  // Stopping the master hands the master role to another node.
  const master = before.master.name;
  const sent = Date.now() / 1000;
  expect((await c.koi(['stop', master])).code).toBe(0);
  const moved = await c.waitForMaster((v) => v.master.name !== master && v.nodes.find((n) => n.name === master)?.state === 'Stopped');
  await c.waitFor('new master promoted', () => c.events().some((e) => e.time > sent && e.node === moved.master.name && e.event === 'promote' && e.phase === 'end'));
  expect((await c.koi(['start', master])).code).toBe(0);
  const after = await settled();
  expect(after.master.name).toBe(moved.master.name); // no flip back
});

test('a failing status script fails the node: failover, `failures` lists it, `recover` clears it', async () => {
  const before = await settled();
  const victim = before.master.name;
  const sent = Date.now() / 1000;
  c.control(`fail-status-${victim}`, '');
  try {
    // The state comes from the runner's report, the flag from its next heartbeat (up to an interval later):
    // wait for the view that has both (CI once caught the instant between them).
    const view = await c.waitForMaster((v) => {
      const node = v.nodes.find((n) => n.name === victim);
      return v.master.name !== victim && node?.state === 'Failed' && node.flags.includes('Failed');
    }, 40_000);
    const failed = view.nodes.find((n) => n.name === victim)!;
    expect(failed.flags).toContain('Failed');
    expect(failed.failCount).toBeGreaterThanOrEqual(1);
    expect(failed.lastFailure?.reason).toMatch(/status/);
    await c.waitFor('failed and stop events on the victim', () => {
      const ev = c.events().filter((e) => e.time > sent && e.node === victim);
      return ['failed', 'stop'].every((event) => ev.some((e) => e.event === event && e.phase === 'end'));
    });
    await c.waitFor('new master promoted', () => c.events().some((e) => e.time > sent && e.node === view.master.name && e.event === 'promote' && e.phase === 'end'));

    const failures = await c.koi(['failures'], { json: true });
    expect(failures.code).toBe(0);
    expect(checkFailuresAnswer(failures.json)).toEqual([]);
    const list = (failures.json as { failures: Array<{ node: { name: string }; reason: string }> }).failures;
    expect(list[0]).toMatchObject({ node: { name: victim } });
    expect(list[0].reason).toMatch(/status/);
    const text = await c.koi(['failures']);
    expect(text.stdout).toMatch(new RegExp(`^TIME\\s+AGO\\s+NODE\\s+REASON`, 'm'));
    expect(text.stdout).toMatch(new RegExp(`ago\\s+${victim}\\s+.*status`));
    expect((await c.koi(['tree'])).stdout).toMatch(/last failure .* ago: .*status/);
  } finally {
    c.control(`fail-status-${victim}`, null);
  }

  const recover = await c.koi(['recover', victim]);
  expect(recover.code).toBe(0);
  const after = await c.waitFor(`${victim} recovered`, async () => {
    const v = await c.status();
    const n = v?.nodes.find((x) => x.name === victim);
    return n && n.state === 'Slave' && n.failCount === 0 && n.lastFailure === null && !n.flags.includes('Failed') ? v : undefined;
  }, 30_000);
  expect(after!.master!.name).not.toBe(victim);
});

test('SIGTERM stops every node with exit 0 and leaves nothing running (checked by pid)', async () => {
  const codes = await Promise.all(c.nodes.map((n) => c.stop(n.name, 'SIGTERM')));
  expect(codes).toEqual(c.nodes.map(() => 0));
  expect(c.leftovers()).toEqual({ koinodes: [], others: [] });
});
