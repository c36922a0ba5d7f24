/**
 * The client loops of `koi events` and `koi status --watch`, against a fake
 * `ask`: pages read until `more` is false, nodes merged in time order, a
 * node that stops answering named once (and again when it is back), Ctrl-C
 * ending with exit 0.
 */
import { RealClock } from '../../../core/clock';
import { runEvents, runWatch, type Ask, type LiveDeps } from '../../../core/admin/live';
import type { AdminResponse, ClusterEvent } from '../../../plugin-api';

const T0 = Date.UTC(2026, 10, 26, 17, 0, 0);

const ev = (node: string, seq: number, at: number): ClusterEvent => ({
  time: T0 + at, seq, node, nodeId: `id-${node}`, kind: 'state', message: `${node} #${seq}`, data: {},
});

const answer = (doc: unknown): { ok: true; response: AdminResponse } => ({
  ok: true, response: { kind: 'response', requestId: '', exitCode: 0, text: '', json: JSON.stringify({ schema: 1, ...(doc as object) }) },
});

/** A cluster of fake nodes answering `status` and `events` pages of at most 2 events. */
function fakeCluster(journals: Record<string, ClusterEvent[]>, down = new Set<string>()) {
  const asked: string[] = [];
  const ask: Ask = async (command, args) => {
    asked.push([command, ...args].join(' '));
    if (command === 'status') {
      return answer({ type: 'cluster', nodes: Object.keys(journals).map((n) => ({ id: `id-${n}`, name: n, state: 'Slave' })) });
    }
    const node = (args[0] && !args[0].includes('=') ? args[0] : 'id-a').replace(/^id-/, '');
    if (down.has(node)) return { ok: false, message: `no answer from ${node}` };
    const after = Number(args.find((a) => a.startsWith('after='))?.slice(6) ?? 0);
    const tail = args.find((a) => a.startsWith('tail='));
    let found = journals[node].filter((e) => e.seq > after);
    if (tail) found = found.slice(-Number(tail.slice(5)));
    const page = found.slice(0, 2);
    const newestSeq = journals[node].reduce((m, e) => Math.max(m, e.seq), 0);
    return answer({ type: 'events', node: { id: `id-${node}`, name: node }, events: page, lastSeq: page.length ? page[page.length - 1].seq : after, more: found.length > 2, newestSeq });
  };
  return { ask, asked };
}

function deps(ask: Ask, interrupt?: { fire?: () => void }): LiveDeps & { out: string[]; err: string[] } {
  const out: string[] = [];
  const err: string[] = [];
  return {
    ask, clock: new RealClock(), color: false, json: true, out, err,
    stdout: { write: (t: string) => { out.push(...t.split('\n').filter(Boolean)); } },
    stderr: { write: (t: string) => { err.push(t); } },
    onInterrupt: (handler) => {
      if (interrupt) interrupt.fire = handler;
      return () => undefined;
    },
  };
}

describe('koi events (client loop)', () => {
  it('--since: every node, every page, merged in time order; exits 0', async () => {
    const { ask, asked } = fakeCluster({
      a: [ev('a', 1, 10), ev('a', 2, 30), ev('a', 3, 50), ev('a', 4, 70), ev('a', 5, 90)],
      b: [ev('b', 7, 20), ev('b', 8, 40), ev('b', 9, 60)],
    });
    const d = deps(ask);
    expect(await runEvents(d, { since: '10m', follow: false })).toBe(0);
    expect(d.out.map((l) => (JSON.parse(l) as ClusterEvent).message)).toEqual(['a #1', 'b #7', 'a #2', 'b #8', 'a #3', 'b #9', 'a #4', 'a #5']);
    // Nodes by name: a restarted node has a new id but the same name and journal.
    expect(asked.filter((a) => a.startsWith('events a '))).toEqual([
      'events a since=10m', 'events a since=10m after=2', 'events a since=10m after=4',
    ]);
  });

  it('follows one node: the last events first, then only new ones; a node that stops answering is named once, and again when back; Ctrl-C exits 0', async () => {
    const journal = [ev('a', 1, 1), ev('a', 2, 2), ev('a', 3, 3)];
    const down = new Set<string>();
    const { ask } = fakeCluster({ a: journal }, down);
    const interrupt: { fire?: () => void } = {};
    const d = deps(ask, interrupt);
    const done = runEvents(d, { follow: false, tail: 2, intervalMs: 20 });
    try {
      const until = async (ok: () => boolean) => { for (let i = 0; i < 200 && !ok(); i++) await new Promise((r) => setTimeout(r, 5)); };
      await until(() => d.out.length === 2);
      expect(d.out.map((l) => (JSON.parse(l) as ClusterEvent).seq)).toEqual([2, 3]);
      down.add('a');
      await new Promise((r) => setTimeout(r, 100));
      journal.push(ev('a', 4, 4));
      down.delete('a');
      await until(() => d.out.length === 3);
      expect((JSON.parse(d.out[2]) as ClusterEvent).seq).toBe(4);
      expect(d.err.filter((e) => e.includes('no answer from a'))).toHaveLength(1);
      expect(d.err.filter((e) => e.includes('answers again'))).toHaveLength(1);
    } finally {
      interrupt.fire?.(); // the loop ends even when an expectation failed
    }
    expect(await done).toBe(0);
  });
});

describe('koi events following a node that restarted without a journal', () => {
  it('starts over from its first event when the node counts from 1 again', async () => {
    const journal = [ev('a', 1, 1), ev('a', 2, 2), ev('a', 3, 3)];
    const { ask } = fakeCluster({ a: journal });
    const interrupt: { fire?: () => void } = {};
    const d = deps(ask, interrupt);
    const done = runEvents(d, { follow: false, tail: 10, intervalMs: 20 });
    try {
      const until = async (ok: () => boolean) => { for (let i = 0; i < 200 && !ok(); i++) await new Promise((r) => setTimeout(r, 5)); };
      await until(() => d.out.length === 3);
      journal.splice(0, 3, ev('a', 1, 10), ev('a', 2, 11)); // the new process: node.journal off
      await until(() => d.out.length === 5);
      expect(d.out.map((l) => (JSON.parse(l) as ClusterEvent).time - T0)).toEqual([1, 2, 3, 10, 11]);
    } finally {
      interrupt.fire?.();
    }
    expect(await done).toBe(0);
  });
});

describe('koi status --watch (client loop)', () => {
  it('in a pipe: a plain block per interval, the answer or the error, until Ctrl-C (exit 0)', async () => {
    let n = 0;
    const ask: Ask = async () => (++n === 2 ? { ok: false, message: 'no answer from 127.0.0.1:42012' }
      : answer({ type: 'cluster', clusterId: 13, leader: { id: 'x', name: 'a' }, master: null, targetMaster: null, manualMaster: false, maintenance: false, quorum: { configured: 0, seen: 1, has: true }, nodes: [] }));
    const interrupt: { fire?: () => void } = {};
    const d = { ...deps(ask, interrupt), json: false };
    const done = runWatch(d, { intervalMs: 20 });
    for (let i = 0; i < 200 && d.out.filter((l) => l.startsWith('koi status --watch')).length < 3; i++) await new Promise((r) => setTimeout(r, 5));
    interrupt.fire!();
    expect(await done).toBe(0);
    const text = d.out.join('\n');
    expect(text).toContain('Cluster 13: leader a, master none');
    expect(text).toContain('koi: no answer from 127.0.0.1:42012');
    // eslint-disable-next-line no-control-regex
    expect(text).not.toMatch(/\u001b/);
  });
});
