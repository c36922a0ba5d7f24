import type { ActionOutcome, AdminBackend } from '../../../core/admin/backend';
import { parseAdminDocument } from '../../../core/admin/schema';
import type { AdminDocument } from '../../../core/admin/schema';
import { createAdminServer, MAX_ADMIN_HOPS } from '../../../core/admin/server';
import { createHooks } from '../../../core/hooks';
import { VirtualClock } from '../../../core/clock';
import type { AdminResponse } from '../../../plugin-api';
import { createTestLogger } from '../../helpers/logger';
import { FakeBackend, addressed, request, threeNodes } from './fake-backend';

function doc(response: AdminResponse): AdminDocument {
  const parsed = parseAdminDocument(response.json);
  if (parsed === null) throw new Error(`not a schema-1 document: ${response.json}`);
  return parsed;
}

function expectDoc<T extends AdminDocument['type']>(response: AdminResponse, type: T): Extract<AdminDocument, { type: T }> {
  const d = doc(response);
  expect(d.type).toBe(type);
  expect(d.schema).toBe(1);
  return d as Extract<AdminDocument, { type: T }>;
}

describe('admin server: local and status', () => {
  it('answers local with the node\'s own status, text and JSON', async () => {
    const { b } = threeNodes();
    const req = request('local');
    const res = await b.server.handle(req, '127.0.0.1:50000');
    expect(res).toMatchObject({ kind: 'response', requestId: req.requestId, exitCode: 0 });
    const local = expectDoc(res, 'local');
    expect(local.name).toBe('bravo');
    expect(local.state).toBe('Master');
    expect(res.text).toContain('bravo');
    expect(res.text).toContain('10-vip');
    expect(b.forwarded).toHaveLength(0);
  });

  it('answers status on the leader with the cluster view', async () => {
    const { a } = threeNodes();
    const res = await a.ask(request('status'));
    const status = expectDoc(res, 'cluster');
    expect(status.leader.name).toBe('alpha');
    expect(status.master?.name).toBe('bravo');
    expect(status.nodes.map((n) => n.name)).toEqual(['alpha', 'bravo', 'charlie', 'echo']);
    expect(res.text).toMatch(/^Cluster 13: leader alpha, master bravo/);
    expect(a.forwarded).toHaveLength(0);
  });

  it('forwards status from a non-leader to the leader, one hop, same requestId', async () => {
    const { a, c } = threeNodes();
    const req = request('status');
    const res = await c.ask(req);
    expect(res.requestId).toBe(req.requestId);
    expect(res.exitCode).toBe(0);
    expect(expectDoc(res, 'cluster').leader.id).toBe(a.spec.id);
    expect(c.forwarded).toEqual([{ address: a.spec.address, request: { ...req, hops: 1 } }]);
  });

  it('forwards status NODE to that node, naming it by id, and gets its local status', async () => {
    const { a, c } = threeNodes();
    const res = await a.ask(request('status', ['charlie']));
    expect(expectDoc(res, 'local').name).toBe('charlie');
    expect(a.forwarded).toHaveLength(1);
    expect(a.forwarded[0].address).toBe(c.spec.address);
    expect(a.forwarded[0].request.args).toEqual([c.spec.id]);
    expect(a.forwarded[0].request.hops).toBe(1);
  });

  it('answers status NODE itself when NODE is the receiving node (by name or id)', async () => {
    const { b } = threeNodes();
    for (const name of ['bravo', b.spec.id]) {
      const res = await b.ask(request('status', [name]));
      expect(expectDoc(res, 'local').id).toBe(b.spec.id);
    }
    expect(b.forwarded).toHaveLength(0);
  });

  it('refuses an unknown node with exit 1 and the sorted list of known names', async () => {
    const { b } = threeNodes();
    const res = await b.ask(request('status', ['zulu']));
    expect(res.exitCode).toBe(1);
    const err = expectDoc(res, 'error');
    expect(err.error).toContain("unknown node 'zulu'");
    expect(err.knownNodes).toEqual(['alpha', 'bravo', 'charlie', 'echo']);
    expect(res.text).toContain('known nodes: alpha, bravo, charlie, echo');
    expect(b.forwarded).toHaveLength(0);
  });

  it('answers tree with the cluster document rendered as a tree', async () => {
    const { b } = threeNodes();
    const res = await b.ask(request('tree'));
    expectDoc(res, 'cluster');
    expect(res.text.split('\n')[0]).toContain('cluster 13 (leader alpha, master bravo)');
    expect(res.text).toContain('└── echo');
  });

  it('answers failures from the leader\'s list', async () => {
    const { a, c } = threeNodes();
    a.failureList = [{ atMs: Date.UTC(2026, 0, 1, 12), agoMs: 60_000, node: { id: c.spec.id, name: 'charlie' }, reason: 'service 99-app: status exited 1' }];
    const res = await c.ask(request('failures'));
    const failures = expectDoc(res, 'failures');
    expect(failures.failures).toHaveLength(1);
    expect(res.text).toContain('charlie');
    expect(res.text).toContain('status exited 1');
  });
});

describe('admin server: leader actions', () => {
  it('maintenance on|off runs on the leader, from any node', async () => {
    const { a, c } = threeNodes();
    const on = await c.ask(request('maintenance', ['on']));
    expect(on.exitCode).toBe(0);
    expect(expectDoc(on, 'result').node.name).toBe('alpha');
    expect(a.calls).toEqual(['maintenance true']);
    expect(c.calls).toEqual([]);
    await c.ask(request('maintenance', ['off']));
    expect(a.calls).toEqual(['maintenance true', 'maintenance false']);
  });

  it('promote NAME|UUID is resolved and carried out by the leader', async () => {
    const { a, b, c } = threeNodes();
    const res = await b.ask(request('promote', ['charlie']));
    expect(res.exitCode).toBe(0);
    expect(res.text).toContain('charlie');
    expect(a.calls).toEqual([`promote ${c.spec.id}`]);
    await b.ask(request('promote', [c.spec.id]));
    expect(a.calls).toEqual([`promote ${c.spec.id}`, `promote ${c.spec.id}`]);
  });

  it('promote of an unknown node lists the names the leader knows', async () => {
    const { a, b } = threeNodes();
    a.hidden.add(b.spec.id); // the leader's view decides, not the receiver's
    const res = await b.ask(request('promote', ['bravo']));
    expect(res.exitCode).toBe(1);
    expect(expectDoc(res, 'error').knownNodes).toEqual(['alpha', 'charlie', 'echo']);
    expect(a.calls).toEqual([]);
  });

  it('promote of a node that is not a runner is refused', async () => {
    const { a } = threeNodes();
    const res = await a.ask(request('promote', ['echo']));
    expect(res.exitCode).toBe(1);
    expect(res.text).toContain('not a runner');
    expect(a.calls).toEqual([]);
  });

  it('demote and elect run on the leader', async () => {
    const { a, c } = threeNodes();
    const d = await c.ask(request('demote'));
    expect(d.exitCode).toBe(0);
    expect(d.text).toContain('manual master mode');
    const e = await c.ask(request('elect'));
    expect(e.exitCode).toBe(0);
    expect(a.calls).toEqual(['demote', 'elect']);
  });

  it('a refused action answers exit 1 with the backend\'s reason', async () => {
    const { a } = threeNodes();
    a.refuse = 'charlie failed 5 s ago and cannot be promoted';
    const res = await a.ask(request('promote', ['charlie']));
    expect(res.exitCode).toBe(1);
    expect(expectDoc(res, 'error').error).toBe('charlie failed 5 s ago and cannot be promoted');
  });

  it('answers "no leader elected yet" when no leader is known', async () => {
    const { cluster, b } = threeNodes();
    cluster.leaderId = null;
    for (const command of ['status', 'tree', 'failures', 'demote', 'elect']) {
      const res = await b.ask(request(command));
      expect(res.exitCode).toBe(1);
      expect(res.text).toContain('no leader elected yet');
    }
    expect(b.forwarded).toHaveLength(0);
  });

  it('reports a leader that does not answer, naming its address', async () => {
    const { cluster, a, b } = threeNodes();
    cluster.unreachable.add(a.spec.address);
    const res = await b.ask(request('status'));
    expect(res.exitCode).toBe(1);
    expect(res.text).toContain(a.spec.address);
    expect(b.log.find('warn', 'failed').length).toBe(1);
  });
});

describe('admin server: node actions', () => {
  it.each(['start', 'stop', 'recover'])('%s without NODE acts on the receiving node', async (command) => {
    const { b } = threeNodes();
    const res = await b.ask(request(command));
    expect(res.exitCode).toBe(0);
    expect(b.calls).toEqual([command]);
    expect(expectDoc(res, 'result').node.name).toBe('bravo');
  });

  it.each(['start', 'stop', 'recover'])('%s NODE is forwarded to that node', async (command) => {
    const { a, c } = threeNodes();
    const res = await a.ask(request(command, ['charlie']));
    expect(res.exitCode).toBe(0);
    expect(c.calls).toEqual([command]);
    expect(a.calls).toEqual([]);
    expect(expectDoc(res, 'result').node.name).toBe('charlie');
  });

  it('refuses start/stop/recover on a node that is not a runner', async () => {
    const { a, e } = threeNodes();
    const res = await a.ask(request('stop', ['echo']));
    expect(res.exitCode).toBe(1);
    expect(res.text).toContain('echo is not a runner');
    expect(e.calls).toEqual([]);
  });

  it('reconfigure [NODE]: reloaded, with warnings, or refused with the problems', async () => {
    const { a, c } = threeNodes();
    let res = await a.ask(request('reconfigure'));
    expect(res.exitCode).toBe(0);
    expect(res.text).toContain('configuration reloaded on alpha');
    c.reconfigureOutcome = { ok: true, problems: ['koi.conf:3: cluster.quorum: 2 is not a majority of 4'], restart: true };
    res = await a.ask(request('reconfigure', ['charlie']));
    expect(res.exitCode).toBe(0);
    expect(expectDoc(res, 'result').details).toEqual(['koi.conf:3: cluster.quorum: 2 is not a majority of 4']);
    expect(res.text).toContain('restart');
    c.reconfigureOutcome = { ok: false, problems: ['koi.conf:7: time.status_interval: "ten" is not a duration'] };
    res = await a.ask(request('reconfigure', ['charlie']));
    expect(res.exitCode).toBe(1);
    expect(res.text).toContain('koi.conf:7: time.status_interval');
    expect(res.text).toContain('old one');
    expect(a.calls).toEqual(['reconfigure']);
    expect(c.calls).toEqual(['reconfigure', 'reconfigure']);
  });
});

describe('admin server: usage errors and plugin commands', () => {
  it.each([
    ['maintenance', []],
    ['maintenance', ['maybe']],
    ['promote', []],
    ['promote', ['a', 'b']],
    ['demote', ['now']],
    ['local', ['x']],
    ['status', ['a', 'b']],
    ['stop', ['']],
  ])('%s %j is a usage error (exit 2) and runs nothing', async (command, args) => {
    const { a } = threeNodes();
    const res = await a.ask(request(command, args));
    expect(res.exitCode).toBe(2);
    const err = expectDoc(res, 'error');
    expect(err.usage).toMatch(new RegExp(`^koi ${command}`));
    expect(res.text).toContain('usage: koi');
    expect(a.calls).toEqual([]);
  });

  it('an unknown command is asked of the plugins, then refused with exit 2 and the command list', async () => {
    const { a } = threeNodes();
    const seen: string[] = [];
    a.hooks.onAdminCommand.tapPromise('observer', async (call) => {
      seen.push(`${call.command} ${call.args.join(',')} from ${call.from}`);
      return undefined;
    });
    const res = await a.ask(request('frobnicate', ['x']), '127.0.0.1:50001');
    expect(seen).toEqual(['frobnicate x from 127.0.0.1:50001']);
    expect(res.exitCode).toBe(2);
    expect(res.text).toContain("unknown command 'frobnicate'");
    expect(res.text).toContain('promote');
  });

  it('a plugin command answers through onAdminCommand, text and JSON', async () => {
    const { a } = threeNodes();
    a.hooks.onAdminCommand.tapPromise('broken', async () => {
      throw new Error('boom');
    });
    a.hooks.onAdminCommand.tapPromise('example', async (call) =>
      call.command === 'hello' ? { exitCode: 0, text: `hello ${call.args[0] ?? 'world'}`, json: { greeting: call.args[0] ?? 'world' } } : undefined);
    const res = await a.ask(request('hello', ['koi']));
    expect(res.exitCode).toBe(0);
    expect(res.text).toBe('hello koi');
    const plugin = expectDoc(res, 'plugin');
    expect(plugin.data).toEqual({ greeting: 'koi' });
    expect(plugin.command).toBe('hello');
    expect(a.log.find('error', 'plugin broken failed').length).toBe(1);
  });

  it('a throwing backend becomes exit 1 "internal error", logged, not a rejection', async () => {
    const { b } = threeNodes();
    b.localStatus = () => {
      throw new Error('state table locked');
    };
    const res = await b.ask(request('local'));
    expect(res.exitCode).toBe(1);
    expect(res.text).toContain('internal error');
    expect(res.text).toContain('state table locked');
    expect(b.log.find('error', 'state table locked').length).toBe(1);
  });
});

describe('admin server: forwarding loop guard and duplicates', () => {
  it(`refuses to forward past ${MAX_ADMIN_HOPS} hops when nodes disagree about the leader`, async () => {
    const { cluster, b, c } = threeNodes();
    cluster.leaderId = 'ffffffff-0000-4000-8000-00000000000f'; // nobody here is leader
    b.leaderAddressOverride = c.spec.address;
    c.leaderAddressOverride = b.spec.address;
    const req = request('status');
    const res = await b.ask(req);
    expect(res.requestId).toBe(req.requestId);
    expect(res.exitCode).toBe(1);
    expect(res.text).toContain('forwarded too many times');
    expect(b.forwarded.map((f) => f.request.hops)).toEqual([1]);
    expect(c.forwarded.map((f) => f.request.hops)).toEqual([2]);
  });

  it('a request that already made the maximum hops is not forwarded again', async () => {
    const { c } = threeNodes();
    const res = await c.server.handle(request('tree', [], MAX_ADMIN_HOPS), 'some-node');
    expect(res.exitCode).toBe(1);
    expect(c.forwarded).toHaveLength(0);
  });

  it('answers a retransmitted request (same nonce) from the first answer without running the action again', async () => {
    const { a, b, c } = threeNodes();
    const sent = await addressed(b.server, request('promote', ['charlie']));
    const first = await b.server.handle(sent, 'client');
    const second = await b.server.handle({ ...sent }, 'client');
    expect(second).toEqual(first);
    expect(a.calls).toEqual([`promote ${c.spec.id}`]);
    expect(b.forwarded).toHaveLength(1);
    expect(b.log.find('debug', 'answering the first answer again').length).toBe(1);
  });

  it('a duplicate that arrives while the first is in flight waits for the same answer', async () => {
    const { b } = threeNodes();
    let release: () => void = () => undefined;
    (b as AdminBackend).stopRunner = () => new Promise<ActionOutcome>((resolve) => {
      b.calls.push('stop');
      release = () => resolve({ ok: true, message: 'stopping' });
    });
    const sent = await addressed(b.server, request('stop'));
    const p1 = b.server.handle(sent, 'client');
    const p2 = b.server.handle(sent, 'client');
    await new Promise((r) => setImmediate(r));
    release();
    const [r1, r2] = await Promise.all([p1, p2]);
    expect(r1).toEqual(r2);
    expect(b.calls).toEqual(['stop']);
  });

  it('a nonce is good for its lifetime only: a copy after that is refused and runs nothing', async () => {
    const clock = new VirtualClock();
    const log = createTestLogger();
    const { b: backend } = threeNodes();
    const server = createAdminServer({ backend, hooks: createHooks(log.logger), logger: log.logger, clock, nonceTtlMs: 5000 });
    const sent = await addressed(server, request('recover'));
    expect((await server.handle(sent, 'client')).exitCode).toBe(0);
    clock.advance(4000);
    expect((await server.handle(sent, 'client')).exitCode).toBe(0);
    expect(backend.calls).toEqual(['recover']);
    clock.advance(2000);
    const late = await server.handle(sent, 'client');
    expect(late.exitCode).toBe(1);
    expect(late.text).toContain('unknown here or expired');
    expect(backend.calls).toEqual(['recover']);
  });

  it('every answer carries parseable JSON of schema 1', async () => {
    const { b } = threeNodes();
    const commands: Array<[string, string[]]> = [
      ['local', []], ['status', []], ['status', ['alpha']], ['tree', []], ['failures', []], ['maintenance', ['on']],
      ['promote', ['bravo']], ['demote', []], ['elect', []], ['start', []], ['stop', []], ['recover', []],
      ['reconfigure', []], ['nope', []], ['status', ['nobody']],
    ];
    for (const [command, args] of commands) {
      const res = await b.ask(request(command, args));
      const d = JSON.parse(res.json) as { schema: number };
      expect(d.schema).toBe(1);
      expect(parseAdminDocument(res.json)).not.toBeNull();
      expect(res.text.length).toBeGreaterThan(0);
    }
  });
});

describe('FakeBackend sanity', () => {
  it('is a leader only where the cluster says so', () => {
    const { a, b } = threeNodes();
    expect(a.clusterStatus()).not.toBeNull();
    expect(b.clusterStatus()).toBeNull();
    expect(b).toBeInstanceOf(FakeBackend);
  });
});
