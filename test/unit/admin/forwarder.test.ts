import { createAdminEndpoint } from '../../../core/admin/endpoint';
import { createAdminForwarder, ForwardTimeoutError } from '../../../core/admin/forwarder';
import type { AdminServer } from '../../../core/admin/server';
import { VirtualClock } from '../../../core/clock';
import type { AdminRequest, AdminResponse, InboundMessage, KoiMessage } from '../../../plugin-api';
import { createTestLogger } from '../../helpers/logger';
import { request } from './fake-backend';

function response(req: AdminRequest, text = 'ok'): AdminResponse {
  return { kind: 'response', requestId: req.requestId, exitCode: 0, text, json: '' };
}

function inbound(message: KoiMessage, from = '127.0.0.1:40000'): InboundMessage {
  return { envelope: { version: 1, clusterId: 13, senderId: 'x', seq: 1, sentAt: 1, message }, from };
}

describe('admin forwarder', () => {
  it('resolves with the matching response and stops resending', async () => {
    const clock = new VirtualClock();
    const sent: string[] = [];
    const fwd = createAdminForwarder({ clock, logger: createTestLogger().logger, send: (address) => sent.push(address), timeoutMs: 2000, resendEveryMs: 600 });
    const req = request('status', [], 1);
    const p = fwd.forward('127.0.0.1:42001', req);
    expect(sent).toEqual(['127.0.0.1:42001']);
    clock.advance(1300);
    expect(sent).toHaveLength(3); // resent at 600 and 1200
    expect(fwd.accept(response(request('other')), 'x')).toBe(false);
    expect(fwd.accept(response(req, 'the answer'), '127.0.0.1:42001')).toBe(true);
    await expect(p).resolves.toMatchObject({ text: 'the answer' });
    clock.advance(5000);
    expect(sent).toHaveLength(3);
    expect(fwd.pending()).toBe(0);
    expect(clock.pending()).toBe(0);
  });

  it('rejects with ForwardTimeoutError naming the address when nobody answers', async () => {
    const clock = new VirtualClock();
    const fwd = createAdminForwarder({ clock, logger: createTestLogger().logger, send: () => undefined, timeoutMs: 1500 });
    const p = fwd.forward('[::1]:42003', request('tree', [], 1));
    clock.advance(1500);
    await expect(p).rejects.toThrow(ForwardTimeoutError);
    await expect(p).rejects.toThrow('no answer from [::1]:42003 within 1500 ms');
    expect(fwd.accept(response(request('tree')), 'x')).toBe(false);
  });

  it('rejects at once when the request cannot be sent, and on close', async () => {
    const clock = new VirtualClock();
    const fwd = createAdminForwarder({
      clock, logger: createTestLogger().logger, send: () => {
        throw new Error('oversized');
      },
    });
    await expect(fwd.forward('127.0.0.1:1', request('local'))).rejects.toThrow('cannot send to 127.0.0.1:1: oversized');
    const quiet = createAdminForwarder({ clock, logger: createTestLogger().logger, send: () => undefined });
    const p = quiet.forward('127.0.0.1:2', request('local'));
    quiet.close();
    await expect(p).rejects.toThrow('shutting down');
    expect(clock.pending()).toBe(0);
  });
});

describe('admin endpoint', () => {
  const server = (answer: (req: AdminRequest) => AdminResponse): AdminServer => ({ handle: async (req) => answer(req), requestCounts: () => ({}) });

  it('answers a request to its sender and consumes it; ignores other kinds', async () => {
    const replies: Array<[string, AdminResponse]> = [];
    const handle = createAdminEndpoint({
      server: server((req) => response(req, `hi ${req.command}`)),
      reply: (address, res) => replies.push([address, res]),
      logger: createTestLogger().logger,
    });
    const req = request('local');
    await expect(handle(inbound(req, '[::1]:5555'))).resolves.toBe(true);
    expect(replies).toEqual([['[::1]:5555', response(req, 'hi local')]]);
    const heartbeat: KoiMessage = { kind: 'heartbeat', name: 'n', flags: 0, seenAddress: '', uptimeMs: 1, holdMs: 0, ackWindowMs: 0 };
    await expect(handle(inbound(heartbeat))).resolves.toBe(false);
  });

  it('drops the text, then sends a refusal, when the answer does not fit one datagram', async () => {
    const log = createTestLogger();
    const tried: AdminResponse[] = [];
    let limit = 1;
    const handle = createAdminEndpoint({
      server: server((req) => ({ ...response(req, 'x'.repeat(100)), json: '{"schema":1,"type":"failures","failures":[]}' })),
      reply: (_address, res) => {
        tried.push(res);
        if (tried.length <= limit) throw new Error('oversized');
      },
      logger: log.logger,
    });
    await handle(inbound(request('status')));
    expect(tried.map((r) => r.text.length)).toEqual([100, 0]);
    expect(tried[1].json).toContain('failures');
    tried.length = 0;
    limit = 2;
    await handle(inbound(request('status')));
    expect(tried).toHaveLength(3);
    expect(tried[2]).toMatchObject({ exitCode: 1, json: '' });
    expect(tried[2].text).toContain('does not fit one datagram');
    expect(log.find('warn', 'does not fit').length).toBe(2);
  });

  it('hands responses to the forwarder', async () => {
    const clock = new VirtualClock();
    const forwarder = createAdminForwarder({ clock, logger: createTestLogger().logger, send: () => undefined });
    const handle = createAdminEndpoint({ server: server(response), forwarder, reply: () => undefined, logger: createTestLogger().logger });
    const req = request('tree', [], 1);
    const p = forwarder.forward('127.0.0.1:42001', req);
    await expect(handle(inbound(response(req, 'tree text')))).resolves.toBe(true);
    await expect(p).resolves.toMatchObject({ text: 'tree text' });
  });
});
