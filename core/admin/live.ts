/**
 * The client's long-running commands, built on repeated admin requests:
 *
 * - `koi events`: one node's events as they happen (polls `events after=SEQ`);
 * - `koi events --since 10m`: every reachable node's recent events merged in
 *   time order (each node answers from its own journal), then exits, or
 *   goes on following every node with `--follow`;
 * - `koi status --watch`: `koi status` redrawn every interval (like crm_mon).
 *
 * Both end cleanly on Ctrl-C (exit 0). `ask` is one request over whatever
 * the client uses (local socket or UDP); cli.ts builds it.
 */
import type { AdminResponse, Clock, ClusterEvent } from '../../plugin-api';
import { formatDocument, formatEvent, formatTimestamp } from './format';
import { parseAdminDocument, type EventsDocument, type NodeRef } from './schema';

export type AskOutcome = { ok: true; response: AdminResponse } | { ok: false; message: string };
export type Ask = (command: string, args: string[]) => Promise<AskOutcome>;

export interface LiveDeps {
  ask: Ask;
  stdout: { write(text: string): void; isTTY?: boolean };
  stderr: { write(text: string): void };
  clock: Clock;
  color: boolean;
  json: boolean;
  /** Subscribe to Ctrl-C (SIGINT); returns the unsubscribe. Without it the command runs until it fails. */
  onInterrupt?: (handler: () => void) => () => void;
}

/** Default poll interval of `koi events` (a change shows within about this long). */
export const EVENTS_POLL_MS = 400;
/** Pages asked of one node in one round at most (a node with a long backlog is read over several rounds). */
const MAX_PAGES_PER_ROUND = 500;

/** A stop signal: resolves on Ctrl-C; `sleep` ends early then. */
function interruption(deps: LiveDeps): { stopped: () => boolean; sleep: (ms: number) => Promise<void>; done: () => void } {
  let stopped = false;
  const wakers = new Set<() => void>();
  const unsubscribe = deps.onInterrupt?.(() => {
    stopped = true;
    for (const wake of wakers) wake();
  }) ?? (() => undefined);
  return {
    stopped: () => stopped,
    sleep: (ms) => new Promise<void>((resolve) => {
      if (stopped) return resolve();
      const wake = (): void => {
        wakers.delete(wake);
        deps.clock.clear(timer);
        resolve();
      };
      const timer = deps.clock.setTimeout(wake, ms);
      wakers.add(wake);
    }),
    done: unsubscribe,
  };
}

type PageResult = { ok: true; doc: EventsDocument } | { ok: false; message: string };

async function askEvents(ask: Ask, node: string | undefined, args: string[]): Promise<PageResult> {
  const outcome = await ask('events', [...(node ? [node] : []), ...args]);
  if (!outcome.ok) return outcome;
  const doc = parseAdminDocument(outcome.response.json);
  if (doc?.type === 'events') return { ok: true, doc };
  if (doc?.type === 'error') return { ok: false, message: doc.error };
  return { ok: false, message: outcome.response.text || 'no events in the answer' };
}

/** One node's events after `after` (and since `since`), every page; stops at a failure, returning what it had. */
async function drain(ask: Ask, node: string | undefined, after: number | undefined, first: string[]): Promise<{ events: ClusterEvent[]; last: number; node?: NodeRef; error?: string }> {
  const events: ClusterEvent[] = [];
  let last = after;
  let who: NodeRef | undefined;
  for (let page = 0; page < MAX_PAGES_PER_ROUND; page++) {
    const args = last === undefined ? first : [...first.filter((a) => !a.startsWith('tail=')), `after=${last}`];
    const result = await askEvents(ask, node, args);
    if (!result.ok) return { events, last: last ?? 0, node: who, error: result.message };
    who = result.doc.node;
    // The node counts from 1 again (restarted without a journal): read it from its start.
    if (last !== undefined && result.doc.newestSeq !== undefined && result.doc.newestSeq < last) {
      last = 0;
      continue;
    }
    events.push(...result.doc.events);
    last = result.doc.lastSeq;
    if (!result.doc.more) break;
  }
  return { events, last: last ?? 0, node: who };
}

/** Oldest first; ties by node name, then sequence (dedupe nothing: each line names its node). */
function byTime(a: ClusterEvent, b: ClusterEvent): number {
  return a.time - b.time || (a.node < b.node ? -1 : a.node > b.node ? 1 : 0) || a.seq - b.seq;
}

function printer(deps: LiveDeps): (events: ClusterEvent[]) => void {
  return (events) => {
    for (const event of events) deps.stdout.write(deps.json ? `${JSON.stringify(event)}\n` : `${formatEvent(event, { color: deps.color })}\n`);
  };
}

/** The nodes to read: every node the leader's status lists and that is not known to be gone; null when no status. */
async function reachableNodes(ask: Ask): Promise<{ nodes: NodeRef[]; skipped: string[] } | null> {
  const outcome = await ask('status', []);
  if (!outcome.ok) return null;
  const doc = parseAdminDocument(outcome.response.json);
  if (doc?.type !== 'cluster') return null;
  const gone = doc.nodes.filter((n) => n.state === 'Offline' || n.state === 'Disconnected');
  return {
    nodes: doc.nodes.filter((n) => !gone.includes(n)).map((n) => ({ id: n.id, name: n.name })),
    skipped: gone.map((n) => `${n.name} (${n.state})`),
  };
}

export interface EventsOptions {
  /** A node to follow (name or id); default the node the client talks to. */
  node?: string;
  /** `--since`: replay this much history (duration or time) from every reachable node. */
  since?: string;
  /** Keep following after the replay. */
  follow: boolean;
  intervalMs?: number;
  /** Events shown first when following one node without --since. */
  tail?: number;
}

/** `koi events`. Resolves with the exit code. */
export async function runEvents(deps: LiveDeps, options: EventsOptions): Promise<number> {
  const stop = interruption(deps);
  const print = printer(deps);
  const interval = options.intervalMs ?? EVENTS_POLL_MS;
  try {
    // Which nodes, and where each one's reading stands.
    const cursors = new Map<string, number | undefined>();
    let first: string[];
    if (options.since !== undefined) {
      first = [`since=${options.since}`];
      const found = options.node ? { nodes: [{ id: options.node, name: options.node }], skipped: [] } : await reachableNodes(deps.ask);
      if (found === null) {
        deps.stderr.write('koi: no cluster view (no leader?): showing the events of the node asked only\n');
        cursors.set('', undefined);
      } else {
        // By name, not id: a node that restarts gets a new id but keeps its name (and its journal).
        for (const n of found.nodes) cursors.set(n.name, undefined);
        if (found.skipped.length > 0) deps.stderr.write(`koi: not asked (not reachable): ${found.skipped.join(', ')}\n`);
      }
    } else {
      first = [`tail=${options.tail ?? 10}`];
      cursors.set(options.node ?? '', undefined);
    }
    const silent = new Set<string>();
    const round = async (): Promise<{ events: ClusterEvent[]; answered: number }> => {
      const all: ClusterEvent[] = [];
      let answered = 0;
      // Nodes are read in turn: their answers travel through one socket.
      for (const [node, after] of cursors) {
        const got = await drain(deps.ask, node || undefined, after, first);
        all.push(...got.events);
        if (got.error === undefined || got.events.length > 0) cursors.set(node, got.last);
        const label = got.node?.name ?? (node || 'the node');
        if (got.error !== undefined) {
          if (!silent.has(node)) deps.stderr.write(`koi: ${label}: ${got.error}\n`);
          silent.add(node);
        } else {
          answered++;
          if (silent.delete(node)) deps.stderr.write(`koi: ${label} answers again\n`);
        }
      }
      return { events: all.sort(byTime), answered };
    };
    const initial = await round();
    print(initial.events);
    if (initial.answered === 0 && (options.since !== undefined && !options.follow)) return 1;
    if (options.since !== undefined && !options.follow) return 0;
    while (!stop.stopped()) {
      await stop.sleep(interval);
      if (stop.stopped()) break;
      print((await round()).events);
    }
    return 0;
  } finally {
    stop.done();
  }
}

export interface WatchOptions {
  node?: string;
  intervalMs: number;
}

const CLEAR = '\u001b[H\u001b[2J\u001b[3J';
const HIDE_CURSOR = '\u001b[?25l';
const SHOW_CURSOR = '\u001b[?25h';

/** `koi status --watch`: redraw (a terminal) or repeat (a pipe) the status every interval until Ctrl-C. */
export async function runWatch(deps: LiveDeps, options: WatchOptions): Promise<number> {
  const stop = interruption(deps);
  const tty = deps.stdout.isTTY === true;
  if (tty) deps.stdout.write(HIDE_CURSOR);
  try {
    while (!stop.stopped()) {
      const started = deps.clock.now();
      const outcome = await deps.ask('status', options.node ? [options.node] : []);
      if (stop.stopped()) break;
      let body: string;
      if (!outcome.ok) body = `koi: ${outcome.message}`;
      else {
        const doc = parseAdminDocument(outcome.response.json);
        body = deps.json ? JSON.stringify(doc ?? { text: outcome.response.text })
          : doc ? formatDocument(doc, 'status', { color: deps.color }) : outcome.response.text;
      }
      if (deps.json) deps.stdout.write(`${body}\n`);
      else {
        const header = `koi status --watch, every ${options.intervalMs / 1000}s: ${formatTimestamp(deps.clock.wallNow())}${tty ? '   (Ctrl-C to quit)' : ''}`;
        deps.stdout.write(`${tty ? CLEAR : ''}${header}\n\n${body.replace(/\n?$/, '\n')}${tty ? '' : '\n'}`);
      }
      await stop.sleep(Math.max(0, options.intervalMs - (deps.clock.now() - started)));
    }
    return 0;
  } finally {
    if (tty) deps.stdout.write(SHOW_CURSOR);
    stop.done();
  }
}
