/**
 * Node → node forwarding of admin requests: send, resend while waiting, and
 * match the answer by requestId. A node implements
 * `AdminBackend.sendRequest` with `forward` and feeds every inbound
 * AdminResponse to `accept`.
 */
import { randomUUID } from 'node:crypto';
import type { AdminRequest, AdminResponse, Clock, Logger, TimerHandle } from '../../plugin-api';
import { ErrorCode, KoiError } from '../../plugin-api/errors';
import { errorMessage } from '../../plugin-api/errors';

export class ForwardTimeoutError extends KoiError {
  constructor(readonly address: string, readonly timeoutMs: number) {
    super(ErrorCode.FORWARD_TIMEOUT, `no answer from ${address} within ${timeoutMs} ms`);
  }
}

export interface AdminForwarderOptions {
  clock: Clock;
  /** Encode and send one request to `address` (the node's codec + transport). May throw. */
  send(address: string, request: AdminRequest): void;
  logger: Logger;
  /** Give up after this long (default 2000 ms: below the client's default 3000 ms timeout). */
  timeoutMs?: number;
  /** Resend the request this often while waiting (default 600 ms); the receiver answers duplicates from its cache. */
  resendEveryMs?: number;
}

export interface AdminForwarder {
  /**
   * Send `request` to `address` and resolve with the answer. With
   * `challenge` (mutating commands) it first asks that node for a nonce and
   * sends the request addressed to it (target = the node's id, its nonce).
   */
  forward(address: string, request: AdminRequest, options?: { challenge: boolean }): Promise<AdminResponse>;
  /** Offer an inbound response; true when it answered a forwarded request. */
  accept(response: AdminResponse, from: string): boolean;
  /** Requests still waiting. */
  pending(): number;
  /** Reject everything still waiting (shutdown). */
  close(): void;
}

interface Waiting {
  address: string;
  resolve(response: AdminResponse): void;
  reject(err: Error): void;
  timers: TimerHandle[];
}

export function createAdminForwarder(options: AdminForwarderOptions): AdminForwarder {
  const { clock } = options;
  const log = options.logger.child({ component: 'admin-forward' });
  const timeoutMs = options.timeoutMs ?? 2000;
  const resendEveryMs = options.resendEveryMs ?? 600;
  const waiting = new Map<string, Waiting>();

  const finish = (requestId: string): Waiting | undefined => {
    const entry = waiting.get(requestId);
    if (!entry) return undefined;
    waiting.delete(requestId);
    for (const timer of entry.timers) clock.clear(timer);
    return entry;
  };

  function exchange(address: string, request: AdminRequest, timeoutMs: number): Promise<AdminResponse> {
    return new Promise<AdminResponse>((resolve, reject) => {
      if (waiting.has(request.requestId)) {
        reject(new Error(`request ${request.requestId} is already being forwarded`));
        return;
      }
      const entry: Waiting = { address, resolve, reject, timers: [] };
      waiting.set(request.requestId, entry);
      const sendOnce = (): void => {
        try {
          options.send(address, request);
        } catch (err) {
          const why = errorMessage(err);
          finish(request.requestId)?.reject(new Error(`cannot send to ${address}: ${why}`));
        }
      };
      entry.timers.push(clock.setTimeout(() => {
        finish(request.requestId)?.reject(new ForwardTimeoutError(address, timeoutMs));
      }, timeoutMs));
      if (resendEveryMs > 0 && resendEveryMs < timeoutMs) entry.timers.push(clock.setInterval(sendOnce, resendEveryMs));
      sendOnce();
    });
  }

  return {
    async forward(address, request, forwardOptions) {
      if (forwardOptions?.challenge !== true) return exchange(address, request, timeoutMs);
      const started = clock.now();
      const challenge: AdminRequest = { kind: 'request', requestId: randomUUID(), command: request.command, args: [], hops: request.hops, challenge: true };
      const answer = await exchange(address, challenge, timeoutMs);
      // No nonce: the node refused (e.g. its network admin is off); that refusal is the answer.
      if (answer.nonce === undefined || answer.nodeId === undefined) return { ...answer, requestId: request.requestId };
      const left = Math.max(1, timeoutMs - (clock.now() - started));
      return exchange(address, { ...request, target: answer.nodeId, nonce: answer.nonce }, left);
    },
    accept(response, from) {
      const entry = finish(response.requestId);
      if (!entry) {
        log.debug({ requestId: response.requestId, from }, `admin response ${response.requestId} from ${from} matches no forwarded request (late or duplicate)`);
        return false;
      }
      entry.resolve(response);
      return true;
    },
    pending() {
      return waiting.size;
    },
    close() {
      for (const requestId of [...waiting.keys()]) finish(requestId)?.reject(new Error('node shutting down'));
    },
  };
}
