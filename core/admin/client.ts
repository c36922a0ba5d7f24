/**
 * One admin request from the `koi` client: seal it, send it, resend it a few
 * times within the timeout (same requestId, so the node answers a duplicate
 * from its cache), and wait for the matching answer. The socket, codec and
 * clock are injected; bin/koi.ts gives a real UDP socket.
 */
import type { AdminRequest, AdminResponse, Clock, Logger, TimerHandle } from '../../plugin-api';
import type { RejectReason, WireCodec } from '../wire/types';
import { errorMessage } from '../../plugin-api/errors';

/** A datagram socket connected to one node. */
export interface ClientSocket {
  /** `host:port` / `[v6]:port` of the node, for messages. */
  readonly target: string;
  send(data: Uint8Array): void;
  /** Called for every datagram received, and for socket errors (e.g. ICMP port unreachable). */
  onDatagram(handler: (data: Uint8Array, from: string) => void): void;
  onError(handler: (err: Error) => void): void;
  close(): void;
}

export interface AdminCallOptions {
  socket: ClientSocket;
  codec: WireCodec;
  clock: Clock;
  request: AdminRequest;
  timeoutMs: number;
  /** Sends in all, spread over the timeout (default 3). */
  attempts?: number;
  logger?: Logger;
}

export type AdminCallOutcome =
  | { ok: true; response: AdminResponse; from: string; sends: number; elapsedMs: number }
  | {
      ok: false;
      target: string;
      sends: number;
      /** Datagrams received but dropped, by reason (e.g. `auth-failed`: another password). */
      rejected: Partial<Record<RejectReason, number>>;
      /** Socket errors seen, e.g. `ECONNREFUSED` (nothing listens on that port). */
      socketErrors: string[];
    };

export function callAdmin(options: AdminCallOptions): Promise<AdminCallOutcome> {
  const session = openAdminSession(options);
  return session.exchange(options.request, options.timeoutMs);
}

/**
 * One socket, one codec, several requests in turn (a challenge, then the
 * request it authorises). The datagram handler is installed once: decoding
 * a datagram twice would trip the codec's replay guard.
 */
export interface AdminSession {
  exchange(request: AdminRequest, timeoutMs: number): Promise<AdminCallOutcome>;
}

export function openAdminSession(options: Omit<AdminCallOptions, 'request' | 'timeoutMs'>): AdminSession {
  const { socket, codec, clock } = options;
  const attempts = Math.max(1, options.attempts ?? 3);
  const log = options.logger;
  const rejected: Partial<Record<RejectReason, number>> = {};
  const socketErrors: string[] = [];
  let current: { requestId: string; deliver(response: AdminResponse, from: string): void } | null = null;

  socket.onError((err) => {
    const code = (err as NodeJS.ErrnoException).code ?? err.message;
    if (!socketErrors.includes(code)) socketErrors.push(code);
    log?.debug({ err: err.message }, `socket error: ${err.message}`);
  });

  socket.onDatagram((data, from) => {
    const result = codec.decode(data, from);
    if (!result.ok) {
      rejected[result.reason] = (rejected[result.reason] ?? 0) + 1;
      log?.debug({ from, reason: result.reason, detail: result.detail }, `dropped a datagram from ${from}: ${result.reason} (${result.detail})`);
      return;
    }
    const message = result.envelope.message;
    if (message.kind !== 'response' || current === null || message.requestId !== current.requestId) {
      log?.debug({ from, kind: message.kind }, `ignoring a '${message.kind}' message from ${from}`);
      return;
    }
    current.deliver(message, from);
  });

  function exchange(request: AdminRequest, timeoutMs: number): Promise<AdminCallOutcome> {
    const started = clock.now();
    const timers: TimerHandle[] = [];
    let sends = 0;
    return new Promise<AdminCallOutcome>((resolve) => {
      let done = false;
      const finish = (outcome: AdminCallOutcome): void => {
        if (done) return;
        done = true;
        current = null;
        for (const t of timers) clock.clear(t);
        resolve(outcome);
      };
      current = {
        requestId: request.requestId,
        deliver: (response, from) => finish({ ok: true, response, from, sends, elapsedMs: clock.now() - started }),
      };
      const what = request.challenge ? `challenge for '${request.command}'` : `'${request.command}'`;
      const sendOnce = (): void => {
        if (done) return;
        // Encode each time: a fresh sequence number, or the node drops the copy as a replay.
        const datagram = codec.encode(request);
        sends++;
        log?.debug({ target: socket.target, send: sends, bytes: datagram.length }, `sending ${what} to ${socket.target} (try ${sends}/${attempts})`);
        socket.send(datagram);
      };
      const spacing = timeoutMs / attempts;
      for (let i = 1; i < attempts; i++) timers.push(clock.setTimeout(sendOnce, spacing * i));
      timers.push(clock.setTimeout(() => finish({ ok: false, target: socket.target, sends, rejected, socketErrors }), timeoutMs));
      try {
        sendOnce();
      } catch (err) {
        const why = errorMessage(err);
        socketErrors.push(why);
        finish({ ok: false, target: socket.target, sends, rejected, socketErrors });
      }
    });
  }

  return { exchange };
}

/** The message printed when no answer came (exit code 3). */
export function describeNoAnswer(outcome: Extract<AdminCallOutcome, { ok: false }>, timeoutMs: number): string {
  const lines = [`koi: no answer from ${outcome.target} within ${timeoutMs} ms (${outcome.sends} tries).`];
  if (outcome.socketErrors.includes('ECONNREFUSED')) {
    lines.push(`  The host reported that nothing listens on that port (ECONNREFUSED).`);
  } else if (outcome.socketErrors.length > 0) {
    lines.push(`  Socket errors: ${outcome.socketErrors.join(', ')}.`);
  }
  const dropped = Object.entries(outcome.rejected).filter(([, n]) => (n ?? 0) > 0);
  if (dropped.length > 0) {
    lines.push(`  Datagrams came back but were dropped: ${dropped.map(([r, n]) => `${r} ×${n}`).join(', ')}.`);
  }
  lines.push('Likely causes:');
  lines.push('  - koinode is not running on that host, or is still starting;');
  lines.push('  - wrong password or cluster id: the node drops what it cannot authenticate (use -f with the node\'s koi.conf);');
  lines.push('  - wrong port or address (-p / -H; the node\'s port is node.port in koi.conf);');
  lines.push('  - a firewall drops UDP to that port.');
  return lines.join('\n');
}
