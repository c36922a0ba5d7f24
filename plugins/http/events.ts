/**
 * /events of the http plugin: ClusterEvents (hooks.onEvent) as server-sent
 * events. A client gets the recent events first (those after its
 * Last-Event-ID when it reconnects), then each new one as it happens; a
 * comment line every HEARTBEAT_MS keeps proxies from closing an idle
 * stream. The heartbeat timer runs only while a client is connected.
 */
import type { ServerResponse } from 'node:http';
import type { Clock, ClusterEvent, TimerHandle } from '../../plugin-api';

/** Events kept for clients that connect later. */
export const RECENT_EVENTS = 200;
/** Comment sent to idle streams. */
export const HEARTBEAT_MS = 15_000;
/** Clients served at once; more are refused with 503 (each holds a socket). */
export const MAX_CLIENTS = 64;

export interface EventHub {
  publish(event: ClusterEvent): void;
  /** Take over `res` as an event stream; false when too many clients are connected. */
  attach(res: ServerResponse, lastEventId: string | undefined): boolean;
  recent(): readonly ClusterEvent[];
  clients(): number;
  close(): void;
}

/** One SSE message: `id` is the event's per-node sequence number, the data its JSON. */
export function sseMessage(event: ClusterEvent): string {
  return `id: ${event.seq}\nevent: ${event.kind}\ndata: ${JSON.stringify(event)}\n\n`;
}

export function createEventHub(clock: Clock, options: { recent?: number; heartbeatMs?: number; maxClients?: number } = {}): EventHub {
  const keep = options.recent ?? RECENT_EVENTS;
  const heartbeatMs = options.heartbeatMs ?? HEARTBEAT_MS;
  const maxClients = options.maxClients ?? MAX_CLIENTS;
  const recent: ClusterEvent[] = [];
  const clients = new Set<ServerResponse>();
  let heartbeat: TimerHandle | undefined;

  const stopHeartbeatWhenIdle = (): void => {
    if (clients.size === 0 && heartbeat) {
      clock.clear(heartbeat);
      heartbeat = undefined;
    }
  };
  const drop = (res: ServerResponse): void => {
    clients.delete(res);
    stopHeartbeatWhenIdle();
  };

  return {
    publish(event) {
      recent.push(event);
      if (recent.length > keep) recent.splice(0, recent.length - keep);
      const message = sseMessage(event);
      for (const res of clients) res.write(message);
    },
    attach(res, lastEventId) {
      if (clients.size >= maxClients) return false;
      res.writeHead(200, {
        'content-type': 'text/event-stream; charset=utf-8',
        'cache-control': 'no-cache',
        connection: 'keep-alive',
        // nginx: do not buffer the stream
        'x-accel-buffering': 'no',
      });
      // Browsers reconnect after 2 s when the node restarts.
      res.write('retry: 2000\n\n');
      const after = lastEventId !== undefined && /^\d+$/.test(lastEventId) ? Number(lastEventId) : -1;
      // A Last-Event-ID above every kept seq is from an earlier process (the journal numbering restarted): send all.
      const resume = after >= 0 && recent.some((e) => e.seq <= after) ? after : -1;
      for (const event of recent) if (event.seq > resume) res.write(sseMessage(event));
      clients.add(res);
      res.on('close', () => drop(res));
      heartbeat ??= clock.setInterval(() => {
        for (const c of clients) c.write(': keepalive\n\n');
      }, heartbeatMs);
      return true;
    },
    recent: () => recent,
    clients: () => clients.size,
    close() {
      for (const res of clients) res.end();
      clients.clear();
      stopHeartbeatWhenIdle();
    },
  };
}
