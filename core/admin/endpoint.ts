/**
 * Glue between a node's inbound messages and the admin layer: requests go to
 * the server and the answer goes back to the sender; responses go to the
 * forwarder. An answer too large for one datagram is sent without its text
 * (the client renders the text from the JSON), and if still too large as a
 * short refusal, so the client never waits for nothing.
 */
import type { AdminResponse, InboundMessage, Logger } from '../../plugin-api';
import type { AdminForwarder } from './forwarder';
import type { AdminServer } from './server';
import { errorMessage } from '../../plugin-api/errors';

export interface AdminEndpointOptions {
  server: AdminServer;
  forwarder?: AdminForwarder;
  /** Encode and send one response to `address` (codec.encode + transport.sendTo). Throws when it cannot fit. */
  reply(address: string, response: AdminResponse): void;
  logger: Logger;
}

/** Returns an `onMessage`-style handler: resolves true when the message was an admin message (consumed). */
export function createAdminEndpoint(options: AdminEndpointOptions): (inbound: InboundMessage) => Promise<boolean> {
  const log = options.logger.child({ component: 'admin' });

  const send = (address: string, response: AdminResponse): void => {
    const attempts: Array<[string, AdminResponse]> = [
      ['full', response],
      ['without text', { ...response, text: '' }],
      ['refusal', {
        ...response, exitCode: 1, json: '',
        text: `the answer to this request does not fit one datagram (${response.text.length + response.json.length} bytes of text and JSON); ask for less, e.g. \`koi status NODE\``,
      }],
    ];
    for (const [label, candidate] of attempts) {
      try {
        options.reply(address, candidate);
        if (label !== 'full') log.warn({ requestId: response.requestId, to: address }, `admin answer to ${address} sent as ${label}: the full answer does not fit one datagram`);
        return;
      } catch (err) {
        const why = errorMessage(err);
        log.debug({ requestId: response.requestId, to: address, err: why }, `admin answer (${label}) to ${address} not sent: ${why}`);
      }
    }
    log.error({ requestId: response.requestId, to: address }, `could not send any admin answer to ${address}`);
  };

  return async (inbound) => {
    const { message } = inbound.envelope;
    switch (message.kind) {
      case 'request': {
        const response = await options.server.handle(message, inbound.from, { channel: 'network', senderId: inbound.envelope.senderId });
        send(inbound.from, response);
        return true;
      }
      case 'response':
        if (!options.forwarder?.accept(message, inbound.from)) {
          log.debug({ requestId: message.requestId, from: inbound.from }, `ignoring admin response from ${inbound.from}: no request of ours waits for it`);
        }
        return true;
      default:
        return false;
    }
  };
}
