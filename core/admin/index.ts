/**
 * The admin layer of a node, assembled: server (answers requests), forwarder
 * (node → node requests and their answers) and the inbound-message glue.
 *
 *     const admin = createAdminLayer({
 *       backend, hooks, clock, logger,
 *       send: (address, message) => transport.sendTo(address, codec.encode(message)),
 *     });
 *     hooks.onMessage.tapPromise('koi-admin', (inbound) => admin.handleMessage(inbound));
 *     ...
 *     admin.close(); // on shutdown
 */
import type { AdminRequest, AdminResponse, Clock, InboundMessage, KoiHooks, KoiMessage, Logger } from '../../plugin-api';
import type { AdminBackend } from './backend';
import { createAdminEndpoint } from './endpoint';
import { createAdminForwarder, type AdminForwarder } from './forwarder';
import { createAdminServer, type AdminServer } from './server';

export interface AdminLayerOptions {
  /** The node's state and actions; `sendRequest` is not needed (the layer forwards). */
  backend: AdminBackend;
  hooks: Pick<KoiHooks, 'onAdminCommand'>;
  clock: Clock;
  logger: Logger;
  /** Encode and send one message to a transport address. May throw (e.g. WireError 'oversized'). */
  send(address: string, message: KoiMessage): void;
  /** Give up on a forwarded request after this long (default 2000 ms, below the client's default 3000 ms). */
  forwardTimeoutMs?: number;
  /** How long answers are remembered for retransmitted requests (default 10 s). */
  duplicateTtlMs?: number;
}

export interface AdminLayer {
  readonly server: AdminServer;
  readonly forwarder: AdminForwarder;
  /** Handle an inbound message; resolves true when it was an admin request or response (consumed). */
  handleMessage(inbound: InboundMessage): Promise<boolean>;
  /** Reject forwarded requests still waiting (shutdown). */
  close(): void;
}

export function createAdminLayer(options: AdminLayerOptions): AdminLayer {
  const forwarder = createAdminForwarder({
    clock: options.clock,
    logger: options.logger,
    timeoutMs: options.forwardTimeoutMs,
    send: (address, request: AdminRequest) => options.send(address, request),
  });
  const server = createAdminServer({
    backend: options.backend,
    hooks: options.hooks,
    logger: options.logger,
    clock: options.clock,
    duplicateTtlMs: options.duplicateTtlMs,
    forward: (address, request, forwardOptions) => forwarder.forward(address, request, forwardOptions),
  });
  const handleMessage = createAdminEndpoint({
    server,
    forwarder,
    logger: options.logger,
    reply: (address, response: AdminResponse) => options.send(address, response),
  });
  return { server, forwarder, handleMessage, close: () => forwarder.close() };
}

export type { ActionOutcome, AdminBackend, ReconfigureOutcome } from './backend';
export * from './schema';
export { createAdminServer, MAX_ADMIN_HOPS, type AdminServer, type AdminServerOptions } from './server';
export { createAdminForwarder, ForwardTimeoutError, type AdminForwarder } from './forwarder';
export { createAdminEndpoint } from './endpoint';
export { BUILTIN_COMMANDS, COMMAND_SPECS } from './commands';
export { formatClusterStatus, formatDocument, formatFailures, formatLocalStatus, formatTree } from './format';
