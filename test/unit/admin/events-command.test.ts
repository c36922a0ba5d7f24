/**
 * The admin command `events`: arguments, routing to the node named, pages
 * that fit one datagram, and read-only access.
 */
import { randomUUID } from 'node:crypto';
import type { AdminBackend } from '../../../core/admin/backend';
import { isMutatingCommand } from '../../../core/admin/commands';
import { EVENTS_ANSWER_BYTES, fitEvents } from '../../../core/admin/events-page';
import { checkAccess, parseAllowList } from '../../../core/admin/policy';
import { parseAdminDocument, type EventsDocument } from '../../../core/admin/schema';
import { parseEventArgs } from '../../../core/events/args';
import type { EventQuery } from '../../../core/events';
import { createWireCodec } from '../../../core/wire/codec';
import { VirtualClock } from '../../../core/clock';
import type { AdminResponse, ClusterEvent } from '../../../plugin-api';
import { testCipher } from '../wire/fixtures';
import { createAdminServer } from '../../../core/admin/server';
import { addressed, type FakeBackend, request, threeNodes } from './fake-backend';

const NOW = Date.UTC(2026, 10, 26, 18, 0, 0);

function withEvents(node: FakeBackend, count: number, output = false): ClusterEvent[] {
  const list = Array.from({ length: count }, (_, i): ClusterEvent => ({
    time: NOW - (count - i) * 1000, seq: i + 1, node: node.spec.name, nodeId: node.spec.id, kind: 'service',
    message: `service db start failed (exit 1, ${i} ms)`,
    data: { service: 'db', event: 'start', ok: false, code: 1, ...(output ? { output: Array.from({ length: 8 }, () => randomUUID().repeat(5)) } : {}) },
  }));
  (node as AdminBackend).events = async (q: EventQuery) => list.filter((e) => e.seq > (q.after ?? 0) && e.time >= (q.since ?? -Infinity));
  return list;
}

const doc = (r: AdminResponse): EventsDocument => {
  const d = parseAdminDocument(r.json);
  if (d?.type !== 'events') throw new Error(`not an events answer: ${r.text}`);
  return d;
};

describe('admin command events', () => {
  it('parses since (duration or time), after, tail, limit and a leading NODE; says what is wrong otherwise', () => {
    expect(parseEventArgs(['since=10m'], NOW)).toEqual({ since: NOW - 600_000 });
    expect(parseEventArgs(['n2', 'since=2d', 'after=7', 'tail=3', 'limit=5'], NOW)).toEqual({ node: 'n2', since: NOW - 2 * 86_400_000, after: 7, tail: 3, limit: 5 });
    expect(parseEventArgs(['since=2026-11-26T17:00:00Z'], NOW)).toEqual({ since: Date.UTC(2026, 10, 26, 17) });
    expect(() => parseEventArgs(['since=yesterday'], NOW)).toThrow("since: 'yesterday' is neither a duration");
    expect(() => parseEventArgs(['after=x'], NOW)).toThrow("after: 'x' is not a whole number");
    expect(() => parseEventArgs(['since=1m', 'n2'], NOW)).toThrow("unexpected 'n2'");
    expect(() => parseEventArgs(['colour=red'], NOW)).toThrow("unknown argument 'colour='");
  });

  it('is read-only: allowed where network admin is read-only', () => {
    expect(isMutatingCommand('events')).toBe(false);
    const policy = { networkAdmin: 'read-only' as const, allow: parseAllowList('') };
    expect(checkAccess(policy, 'network', '127.0.0.1:5000', isMutatingCommand('events'), 'events')).toEqual({ ok: true });
  });

  it('answers a usage error naming the bad argument', async () => {
    const { b } = threeNodes();
    withEvents(b, 3);
    const r = await b.server.handle(request('events', ['since=soon']), 'client');
    expect(r.exitCode).toBe(2);
    expect(r.text).toContain("since: 'soon' is neither a duration");
  });

  it('answers with the node it asked, or forwards to the node named', async () => {
    const { a, c } = threeNodes();
    withEvents(a, 2);
    withEvents(c, 3);
    const own = doc(await a.server.handle(request('events', []), 'client'));
    expect(own.node.name).toBe('alpha');
    expect(own.events.map((e) => e.node)).toEqual(['alpha', 'alpha']);
    const far = doc(await a.server.handle(request('events', ['charlie', 'after=1']), 'client'));
    expect(far.node.name).toBe('charlie');
    expect(far.events.map((e) => e.seq)).toEqual([2, 3]);
    expect(a.forwarded.map((f) => f.request.args)).toEqual([[c.spec.id, 'after=1']]);
  });

  it('pages a long history so that every answer fits one sealed datagram; paging with after= returns every event once', async () => {
    const { b } = threeNodes();
    const all = withEvents(b, 300, true);
    const codec = createWireCodec({ cipher: testCipher(), clusterId: 7, senderId: randomUUID(), clock: new VirtualClock() });
    const got: number[] = [];
    let after = 0;
    for (let page = 0; page < 400; page++) {
      const r = await b.server.handle(request('events', [`after=${after}`]), 'client');
      expect(() => codec.encode(r)).not.toThrow(); // the node's codec: 1472 bytes at most
      const d = doc(r);
      got.push(...d.events.map((e) => e.seq));
      after = d.lastSeq;
      if (!d.more) break;
    }
    expect(got).toEqual(all.map((e) => e.seq));
  });

  it('a page is the longest prefix that fits; an event too large alone is sent shrunk', () => {
    const big: ClusterEvent = { time: NOW, seq: 1, node: 'a', nodeId: 'id', kind: 'failure', message: 'x', data: { output: Array.from({ length: 50 }, () => randomUUID().repeat(4)) } };
    const page = fitEvents([big], EVENTS_ANSWER_BYTES);
    expect(page).toHaveLength(1);
    expect(page[0].data.truncated).toBe(true);
    expect((page[0].data.output as string[]).length).toBe(3);
  });
});

describe('admin commands as events', () => {
  it('the server reports each command that changes something, with args, source, exit code and whether it was forwarded; read-only ones are not reported', async () => {
    const { a, b } = threeNodes();
    const answered: Array<[string, string[], string, number, boolean]> = [];
    // b is not the leader: `maintenance` is forwarded to a; `stop` runs on b itself.
    const server = createAdminServer({
      backend: b, hooks: b.hooks, logger: b.log.logger,
      onAnswered: (call, exitCode, forwarded) => answered.push([call.command, call.args, call.from, exitCode, forwarded]),
    });
    await server.handle(request('status', []), '127.0.0.1:5000');
    await server.handle(await addressed(server, request('stop', []), '127.0.0.1:5000'), '127.0.0.1:5000');
    await server.handle(await addressed(server, request('maintenance', ['on']), '127.0.0.1:5001'), '127.0.0.1:5001');
    await server.handle(await addressed(server, request('promote', ['nobody']), '127.0.0.1:5002'), '127.0.0.1:5002');
    expect(answered).toEqual([
      ['stop', [], '127.0.0.1:5000', 0, false],
      ['maintenance', ['on'], '127.0.0.1:5001', 0, true],
      ['promote', ['nobody'], '127.0.0.1:5002', 1, true],
    ]);
    expect(a.maintenance).toBe(true);
  });
});
