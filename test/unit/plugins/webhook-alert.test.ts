/**
 * examples/koi-plugin-webhook-alert against a real HTTP server on
 * 127.0.0.1: the events the recorder makes of hook calls arrive as JSON
 * POSTs, only of the kinds chosen; a failing webhook is logged with its URL
 * and never disturbs the node.
 */
import * as http from 'node:http';
import type { AddressInfo } from 'node:net';
import * as path from 'node:path';
import { VirtualClock } from '../../../core/clock';
import { createEventRecorder } from '../../../core/events';
import type { ClusterEvent } from '../../../plugin-api';
import { makeHost } from './fixtures';

const pluginDir = path.resolve(__dirname, '../../../examples/koi-plugin-webhook-alert');

interface Received { method: string; type: string; body: ClusterEvent }

let server: http.Server;
let received: Received[];
let status: number;
let url: string;

beforeEach(async () => {
  received = [];
  status = 204;
  server = http.createServer((req, res) => {
    let body = '';
    req.on('data', (c: Buffer) => { body += c.toString(); });
    req.on('end', () => {
      received.push({ method: req.method ?? '', type: req.headers['content-type'] ?? '', body: JSON.parse(body) as ClusterEvent });
      res.writeHead(status).end();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/koi`;
});

afterEach(async () => {
  await new Promise<void>((resolve) => server.close(() => resolve()));
});

async function waitFor(what: string, ok: () => boolean): Promise<void> {
  for (let i = 0; i < 200 && !ok(); i++) await new Promise((r) => setTimeout(r, 10));
  if (!ok()) throw new Error(`timed out waiting for ${what}`);
}

function node(options: Record<string, unknown>) {
  const fixture = makeHost();
  const recorder = createEventRecorder({ hooks: fixture.hooks, clock: new VirtualClock(), logger: fixture.capture.logger, self: { id: 'id-a', name: 'a' } });
  return { ...fixture, recorder, load: () => fixture.host.load({ name: pluginDir, options, baseDir: pluginDir }) };
}

describe('examples/koi-plugin-webhook-alert', () => {
  it('POSTs the master change and the failure as JSON events; a successful service event (not chosen) is not sent', async () => {
    const { hooks, host, load } = node({ url });
    await load();
    hooks.onMasterChange.call({ masterId: 'id-b', masterName: 'b', previousMasterId: 'id-a', reason: 'replaces a', decidedHere: true });
    await hooks.onServiceEvent.promise({ service: 'db', event: 'promote', ok: true, presumed: false, result: { code: 0, timedOut: false, aborted: false, durationMs: 5 } });
    hooks.onStateChange.call({ from: 'Slave', to: 'Failed', reason: 'service db failed: status exit 1' });
    await waitFor('two POSTs', () => received.length >= 2);
    await host.closeAll(); // waits for POSTs in flight
    received.sort((x, y) => x.body.seq - y.body.seq); // two POSTs in flight at once may arrive in either order
    expect(received.map((r) => [r.method, r.type, r.body.kind, r.body.message])).toEqual([
      ['POST', 'application/json', 'election', 'master elected b (was a): replaces a'],
      ['POST', 'application/json', 'failure', 'runner failed: service db failed: status exit 1'],
    ]);
    expect(received[0].body).toMatchObject({ seq: 1, node: 'a', nodeId: 'id-a', data: { master: 'b', previous: 'a' } });
  });

  it('sends the kinds configured', async () => {
    const { hooks, host, load } = node({ url, kinds: 'service' });
    await load();
    hooks.onMasterChange.call({ masterId: 'id-b', masterName: 'b', previousMasterId: '' });
    await hooks.onServiceEvent.promise({ service: 'db', event: 'start', ok: false, presumed: false, result: { code: 3, timedOut: false, aborted: false, durationMs: 5, output: ['no space left'] } });
    await waitFor('one POST', () => received.length >= 1);
    await host.closeAll();
    expect(received.map((r) => r.body.kind)).toEqual(['service']);
    expect(received[0].body.data.output).toEqual(['no space left']);
  });

  it('a webhook that answers 500 is logged with its URL; the node goes on', async () => {
    status = 500;
    const { hooks, host, capture, load } = node({ url });
    await load();
    hooks.onFailoverHalt.call({ halted: true, service: 'db', runners: ['a', 'b'], message: 'every runner failed db' });
    await waitFor('the warning', () => capture.find('warn', `webhook ${url} answered 500`).length === 1);
    await host.closeAll();
  });

  it('refuses a kind that does not exist, naming the plugin option', async () => {
    const { load } = node({ url, kinds: 'master, mastr' });
    await expect(load()).rejects.toMatchObject({ reason: 'bad-options', details: [expect.stringMatching(/kinds: "mastr" not one of/)] });
  });
});
