/**
 * The built-in `http` plugin in-process, over real HTTP on 127.0.0.1: its
 * option checks (koi.conf-style problems), every endpoint against a
 * scripted node (`koi.inspect`), the event stream (recent events, resume,
 * clean-up), the bearer-token guard and HTTPS.
 */
import * as fs from 'node:fs';
import * as http from 'node:http';
import * as https from 'node:https';
import * as path from 'node:path';
import forge from 'node-forge';
import { PluginError } from '../../../core/plugins';
import type { AdminResult, ClusterEvent, NodeInspector, NodeMetrics, PluginEntry } from '../../../plugin-api';
import { parseListen } from '../../../plugins/http/listen';
import { createEventHub } from '../../../plugins/http/events';
import { dispatch, type Route } from '../../../plugins/http/server';
import { RealClock } from '../../../core/clock';
import { findFreePorts } from '../../../scripts/lib/cluster';
import { makeHost, tempDir } from './fixtures';
import { createTestContext } from '../../../plugin-api';
import httpPlugin from '../../../plugins/http';

const LOCAL = {
  schema: 1, type: 'local', id: 'id-n1', name: 'n1', version: '0.1.0', roles: { elector: true, runner: true }, flags: ['Elector', 'Runner', 'Leader'],
  state: 'Master', mode: 'Active', electionMode: 'leader', target: 'Promote', stopped: false, leader: { id: 'id-n1', name: 'n1' },
  master: { id: 'id-n1', name: 'n1' }, maintenance: false, quorum: { configured: 2, seen: 3, has: true }, uptimeMs: 5000,
  addresses: ['127.0.0.1:42012'], services: [{ name: '10-app', state: 'Promoted' }], failCount: 0, lastFailure: null,
};
const CLUSTER = {
  schema: 1, type: 'cluster', clusterId: 7, leader: { id: 'id-n1', name: 'n1' }, master: { id: 'id-n1', name: 'n1' },
  nodes: [{ name: 'n1', state: 'Master' }, { name: 'n2', state: 'Slave' }, { name: 'n3', state: 'Disconnected' }],
};

/** A node that answers like the admin server would; `answers` can be changed per test. */
function scriptedNode(): NodeInspector & { answers: Record<string, AdminResult>; counters: NodeMetrics } {
  const node = {
    answers: {
      local: { exitCode: 0, text: 'n1 Master', json: LOCAL },
      status: { exitCode: 0, text: 'cluster', json: CLUSTER },
      failures: { exitCode: 0, text: '', json: { schema: 1, type: 'failures', failures: [] } },
    } as Record<string, AdminResult>,
    counters: {
      datagramsAccepted: 42, datagramsRejected: { 'auth-failed': 3, replay: 0 }, adminRequests: { status: 5 }, leaseRemainingMs: 1500,
    } as NodeMetrics,
    query: async (command: string) => node.answers[command],
    metrics: () => node.counters,
  };
  return node;
}

async function startPlugin(options: Record<string, unknown> = {}, baseDir?: string) {
  const [port] = await findFreePorts(1);
  const fixture = makeHost();
  const node = scriptedNode();
  fixture.host.attachInspector(node);
  await fixture.host.load({ name: 'http', options: { listen: `127.0.0.1:${port}`, ...options }, ...(baseDir ? { baseDir } : {}) });
  return { ...fixture, node, port, base: `http://127.0.0.1:${port}` };
}

describe('http plugin options', () => {
  it.each([
    ['127.0.0.1:9464', { host: '127.0.0.1', port: 9464 }],
    ['[::1]:9464', { host: '::1', port: 9464 }],
    ['0.0.0.0:80', { host: '0.0.0.0', port: 80 }],
    ['localhost:9464', { host: 'localhost', port: 9464 }],
  ])('listen %s is accepted', (text, want) => {
    expect(parseListen(text)).toEqual({ ok: true, value: { ...want, raw: text } });
  });

  it.each([
    ['127.0.0.1', 'no port'],
    ['::1:9464', 'an IPv6 address needs brackets'],
    ['[127.0.0.1]:9464', 'is not an IPv6 address'],
    ['127.0.0.1:http', 'is not a number'],
    ['127.0.0.1:70000', 'outside 1..65535'],
    [':9464', 'no host'],
    ['bad host:9464', 'not an IP address or host name'],
  ])('listen %s is refused: %s', (text, why) => {
    const parsed = parseListen(text);
    expect(parsed.ok).toBe(false);
    expect(!parsed.ok && parsed.problem).toContain(why);
  });

  it('bad options are reported like koi.conf problems, naming file:line and the plugin, all at once', async () => {
    const origin = (line: number) => ({ file: '/etc/koi/koi.conf', line });
    const entry: PluginEntry = {
      name: 'http',
      options: { listen: '::1:9464', tls_cert: 'cert.pem', colour: 'red' },
      origin: origin(30),
      optionOrigins: { listen: origin(31), tls_cert: origin(32), colour: origin(33) },
    };
    const { host } = makeHost();
    const err = await host.load(entry).then(() => null, (e: unknown) => e);
    expect(err).toBeInstanceOf(PluginError);
    // Unknown keys first (the schema), then nothing else: the plugin's own checks wait for a clean schema.
    expect((err as PluginError).format()).toContain('/etc/koi/koi.conf:33: plugins.http.colour: unknown option (known: listen, tls_cert, tls_key, token)');
    const { options: _o, ...rest } = entry;
    void _o;
    const again = await makeHost().host.load({ ...rest, options: { listen: '::1:9464', tls_cert: 'cert.pem' } }).then(() => null, (e: unknown) => e);
    const text = (again as PluginError).format();
    expect(text).toMatch(/^plugin http: bad options \(3 problems\)/);
    expect(text).toContain('/etc/koi/koi.conf:31: plugins.http.listen: "::1:9464": an IPv6 address needs brackets');
    // A relative file is relative to the folder of the config file that named the plugin (here: none, so the cwd).
    expect(text).toContain(`/etc/koi/koi.conf:32: plugins.http.tls_cert: cannot read ${path.resolve('cert.pem')}: ENOENT`);
    // tls_key was not written: the problem is reported at the line of the tls_cert that needs it.
    expect(text).toContain('/etc/koi/koi.conf:32: plugins.http.tls_cert: HTTPS needs both tls_cert and tls_key; tls_key is missing');
    expect((again as PluginError).reason).toBe('bad-options');
  });

  it('listens on an IPv6 address written in brackets', async () => {
    const [port] = await findFreePorts(1, '::1');
    const { host } = makeHost();
    host.attachInspector(scriptedNode());
    await host.load({ name: 'http', options: { listen: `[::1]:${port}` } });
    try {
      expect(await (await fetch(`http://[::1]:${port}/local`)).json()).toEqual(LOCAL);
    } finally {
      await host.closeAll();
    }
  });

  it('an address already in use stops the start naming it', async () => {
    const blocker = http.createServer();
    const [port] = await findFreePorts(1);
    await new Promise<void>((r) => blocker.listen(port, '127.0.0.1', r));
    try {
      const err = await makeHost().host.load({ name: 'http', options: { listen: `127.0.0.1:${port}` } }).then(() => null, (e: unknown) => e);
      expect((err as PluginError).format()).toContain(`plugin http: threw in apply: plugins.http.listen 127.0.0.1:${port}: cannot listen: listen EADDRINUSE`);
    } finally {
      blocker.close();
    }
  });
});

describe('http plugin endpoints', () => {
  let p: Awaited<ReturnType<typeof startPlugin>>;
  beforeAll(async () => {
    p = await startPlugin();
  });
  afterAll(async () => {
    await p.host.closeAll();
  });

  it('/status, /local and /failures are the documents koi --json prints (2-space JSON, final newline)', async () => {
    for (const [path, doc] of [['/status', CLUSTER], ['/local', LOCAL]] as const) {
      const res = await fetch(p.base + path);
      expect(res.status).toBe(200);
      expect(res.headers.get('content-type')).toBe('application/json; charset=utf-8');
      expect(await res.text()).toBe(`${JSON.stringify(doc, null, 2)}\n`);
    }
    expect(await (await fetch(`${p.base}/failures`)).json()).toEqual({ schema: 1, type: 'failures', failures: [] });
  });

  it('a refused admin answer (no leader yet) is a 503 carrying the error document', async () => {
    const error = { schema: 1, type: 'error', command: 'status', exitCode: 1, error: 'no leader elected yet' };
    p.node.answers.status = { exitCode: 1, text: 'no leader', json: error };
    try {
      const res = await fetch(`${p.base}/status`);
      expect(res.status).toBe(503);
      expect(await res.json()).toEqual(error);
    } finally {
      p.node.answers.status = { exitCode: 0, text: 'cluster', json: CLUSTER };
    }
  });

  it('/metrics: the node\'s role, quorum, services, the leader\'s cluster counts and the core counters', async () => {
    const res = await fetch(`${p.base}/metrics`);
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toMatch(/^text\/plain; version=0\.0\.4/);
    const text = await res.text();
    for (const line of [
      'koi_leader 1', 'koi_master 1', 'koi_runner_state{state="Master"} 1', 'koi_runner_state{state="Slave"} 0',
      'koi_runner_mode{mode="Active"} 1', 'koi_quorum_seen 3', 'koi_quorum_needed 2', 'koi_quorum_has 1', 'koi_maintenance 0',
      'koi_service_state{service="10-app",state="Promoted"} 1', 'koi_service_state{service="10-app",state="Failed"} 0',
      'koi_cluster_nodes{state="Master"} 1', 'koi_cluster_nodes{state="Slave"} 1', 'koi_cluster_nodes{state="Disconnected"} 1',
      'koi_cluster_nodes{state="Failed"} 0', 'koi_master_lease_remaining_seconds 1.5', 'koi_datagrams_accepted_total 42',
      'koi_datagrams_rejected_total{reason="auth-failed"} 3', 'koi_admin_requests_total{command="status"} 5',
      'koi_node_info{node="n1",id="id-n1",version="0.1.0"} 1',
    ]) expect(text.split('\n')).toContain(line);
    expect(text).toMatch(/^nodejs_eventloop_lag_seconds \d/m);
    expect(text).toMatch(/^process_resident_memory_bytes \d/m);
  });

  it('/metrics counts what the hooks report: failovers, promotions, script durations and failures', async () => {
    const h = p.hooks;
    h.onMasterChange.call({ masterId: 'a', masterName: 'n1', previousMasterId: '' });
    h.onMasterChange.call({ masterId: '', masterName: '', previousMasterId: 'a' });
    h.onMasterChange.call({ masterId: 'b', masterName: 'n2', previousMasterId: '' });
    h.onMasterChange.call({ masterId: 'b', masterName: 'n2', previousMasterId: 'b' });
    await h.onPromote.promise({ nodeId: 'id-n1', name: 'n1', reason: 'elected' });
    h.onStateChange.call({ from: 'Slave', to: 'Failed', reason: 'status failed' });
    const result = { code: 1, timedOut: false, aborted: false, durationMs: 250 };
    await h.onServiceEvent.promise({ service: '10-app', event: 'start', result, ok: false, presumed: false });
    await h.onServiceEvent.promise({ service: '10-app', event: 'start', result: { ...result, code: 0, durationMs: 40 }, ok: true, presumed: false });
    await h.onServiceEvent.promise({ service: '10-app', event: 'stop', result, ok: true, presumed: true });
    const lines = (await (await fetch(`${p.base}/metrics`)).text()).split('\n');
    expect(lines).toEqual(expect.arrayContaining([
      'koi_master_changes_total 4', 'koi_failovers_total 1', 'koi_promotions_total 1', 'koi_demotions_total 0',
      'koi_runner_failures_total 1', 'koi_service_event_failures_total{service="10-app",event="start"} 1',
      'koi_service_event_duration_seconds_count{service="10-app",event="start"} 2',
      'koi_service_event_duration_seconds_bucket{le="0.05",service="10-app",event="start"} 1',
      'koi_service_event_duration_seconds_sum{service="10-app",event="start"} 0.29',
    ]));
    // A presumed event (maintenance) ran nothing: no duration.
    expect(lines.some((l) => l.includes('event="stop"'))).toBe(false);
  });

  it('/ is the dashboard: one HTML page with no external resources', async () => {
    const res = await fetch(`${p.base}/`);
    expect(res.headers.get('content-type')).toBe('text/html; charset=utf-8');
    const html = await res.text();
    expect(html).toMatch(/^<!doctype html>/);
    expect(html).toContain('<meta name="viewport"');
    expect(html).not.toMatch(/(src|href)=["']?(https?:)?\/\//);
    expect(html).toContain("new EventSource('events')");
  });

  it('unknown paths are 404 listing the endpoints; other methods 405; HEAD has no body', async () => {
    const missing = await fetch(`${p.base}/nope`);
    expect(missing.status).toBe(404);
    expect(await missing.text()).toContain('/metrics /status /local /failures /events');
    const post = await fetch(`${p.base}/status`, { method: 'POST' });
    expect(post.status).toBe(405);
    expect(post.headers.get('allow')).toBe('GET, HEAD');
    for (const path of ['/local', '/metrics', '/', '/events']) {
      const head = await fetch(p.base + path, { method: 'HEAD', signal: AbortSignal.timeout(2000) });
      expect([path, head.status, await head.text()]).toEqual([path, 200, '']);
    }
  });

  it('/events: recent events on connect, then each new one; Last-Event-ID resumes after it', async () => {
    const event = (seq: number, kind: ClusterEvent['kind'] = 'master'): ClusterEvent => ({
      time: 1_700_000_000_000 + seq, seq, node: 'n1', nodeId: 'id-n1', kind, message: `event ${seq}`, data: { seq },
    });
    p.hooks.onEvent.call(event(1));
    p.hooks.onEvent.call(event(2, 'state'));
    const first = await readEvents(`${p.base}/events`, 3, () => p.hooks.onEvent.call(event(3, 'failure')));
    expect(first.map((e) => [e.id, e.event, JSON.parse(e.data).message])).toEqual([
      ['1', 'master', 'event 1'], ['2', 'state', 'event 2'], ['3', 'failure', 'event 3'],
    ]);
    const resumed = await readEvents(`${p.base}/events`, 1, () => undefined, { 'last-event-id': '2' });
    expect(resumed.map((e) => e.id)).toEqual(['3']);
  });
});

interface SseMessage { id: string; event: string; data: string }

/** Read `count` messages from an event stream; `afterConnect` runs once the stream is open. */
function readEvents(url: string, count: number, afterConnect: () => void, headers: Record<string, string> = {}): Promise<SseMessage[]> {
  return new Promise((resolve, reject) => {
    const req = http.get(url, { headers }, (res) => {
      expect(res.headers['content-type']).toBe('text/event-stream; charset=utf-8');
      let buffer = '';
      const got: SseMessage[] = [];
      let connected = false;
      res.setEncoding('utf8');
      res.on('data', (chunk: string) => {
        buffer += chunk;
        let end: number;
        while ((end = buffer.indexOf('\n\n')) >= 0) {
          const block = buffer.slice(0, end);
          buffer = buffer.slice(end + 2);
          const fields = Object.fromEntries(block.split('\n').filter((l) => !l.startsWith(':')).map((l) => [l.slice(0, l.indexOf(':')), l.slice(l.indexOf(':') + 2)]));
          if (fields.data !== undefined) got.push(fields as unknown as SseMessage);
          if (!connected) {
            connected = true;
            setImmediate(afterConnect);
          }
        }
        if (got.length >= count) {
          req.destroy();
          resolve(got);
        }
      });
    });
    req.on('error', (err) => (err.message === 'socket hang up' ? undefined : reject(err)));
    setTimeout(() => reject(new Error(`timed out waiting for ${count} events`)), 5000).unref();
  });
}

describe('with createTestContext (the public plugin test kit)', () => {
  it('koi.inspect answers as scripted; without a script, as a node that is not running (503)', async () => {
    for (const [inspect, status] of [[scriptedNode(), 200], [undefined, 503]] as const) {
      const [port] = await findFreePorts(1);
      const t = createTestContext({ inspect, clock: new RealClock() });
      await t.apply(httpPlugin, { listen: `127.0.0.1:${port}` });
      try {
        const res = await fetch(`http://127.0.0.1:${port}/local`);
        expect(res.status).toBe(status);
        expect(await res.json()).toEqual(status === 200 ? LOCAL
          : { schema: 1, type: 'error', command: 'local', exitCode: 1, error: 'the node is not running (a test context)' });
      } finally {
        await t.close();
      }
    }
  });
});

describe('event hub', () => {
  it('keeps the recent events bounded, drops a client when it closes and stops the heartbeat with the last one', async () => {
    const clock = new RealClock();
    const hub = createEventHub(clock, { recent: 3, heartbeatMs: 50 });
    const server = http.createServer((req, res) => hub.attach(res, undefined));
    const [port] = await findFreePorts(1);
    await new Promise<void>((r) => server.listen(port, '127.0.0.1', r));
    try {
      for (let seq = 1; seq <= 5; seq++) hub.publish({ time: seq, seq, node: 'n1', nodeId: 'x', kind: 'state', message: '', data: {} });
      expect(hub.recent().map((e) => e.seq)).toEqual([3, 4, 5]);
      const chunks: string[] = [];
      const req = http.get(`http://127.0.0.1:${port}/`, (res) => res.on('data', (c: Buffer) => chunks.push(c.toString())));
      await until(() => chunks.join('').includes(': keepalive'));
      expect(hub.clients()).toBe(1);
      req.destroy();
      await until(() => hub.clients() === 0);
    } finally {
      hub.close();
      server.close();
    }
  });
});

describe('bearer token guard', () => {
  const routes: Route[] = [
    { path: '/read', readOnly: true, methods: ['GET'], handle: (_q, res) => void res.end('read') },
    { path: '/change', readOnly: false, methods: ['POST'], handle: (_q, res) => void res.end('changed') },
  ];
  async function serve(token: string): Promise<{ url: string; close: () => void }> {
    const server = http.createServer(dispatch({ routes, token, onError: () => undefined }));
    const [port] = await findFreePorts(1);
    await new Promise<void>((r) => server.listen(port, '127.0.0.1', r));
    return { url: `http://127.0.0.1:${port}`, close: () => server.close() };
  }

  it('a route that is not read-only is refused without a configured token, and needs the right one with it', async () => {
    const open = await serve('');
    const guarded = await serve('s3cret-token');
    try {
      expect((await fetch(`${open.url}/read`)).status).toBe(200);
      expect((await fetch(`${open.url}/change`, { method: 'POST', headers: { authorization: 'Bearer anything' } })).status).toBe(403);
      expect((await fetch(`${guarded.url}/read`)).status).toBe(200);
      expect((await fetch(`${guarded.url}/change`, { method: 'POST' })).status).toBe(401);
      expect((await fetch(`${guarded.url}/change`, { method: 'POST', headers: { authorization: 'Bearer wrong-token!' } })).status).toBe(401);
      const ok = await fetch(`${guarded.url}/change`, { method: 'POST', headers: { authorization: 'Bearer s3cret-token' } });
      expect([ok.status, await ok.text()]).toEqual([200, 'changed']);
    } finally {
      open.close();
      guarded.close();
    }
  });
});

describe('https', () => {
  it('with tls_cert and tls_key (relative to the config file\'s folder) the plugin serves HTTPS with that certificate', async () => {
    const dir = tempDir('http-tls');
    const keys = forge.pki.rsa.generateKeyPair(2048);
    const cert = forge.pki.createCertificate();
    cert.publicKey = keys.publicKey;
    cert.serialNumber = '01';
    cert.validity.notBefore = new Date(Date.now() - 60_000);
    cert.validity.notAfter = new Date(Date.now() + 86_400_000);
    const attrs = [{ name: 'commonName', value: 'koi-test' }];
    cert.setSubject(attrs);
    cert.setIssuer(attrs);
    cert.setExtensions([{ name: 'subjectAltName', altNames: [{ type: 7, ip: '127.0.0.1' }] }]);
    cert.sign(keys.privateKey, forge.md.sha256.create());
    const certPem = forge.pki.certificateToPem(cert);
    fs.writeFileSync(path.join(dir, 'cert.pem'), certPem);
    fs.writeFileSync(path.join(dir, 'key.pem'), forge.pki.privateKeyToPem(keys.privateKey), { mode: 0o600 });
    const p = await startPlugin({ tls_cert: 'cert.pem', tls_key: 'key.pem' }, dir);
    try {
      const body = await new Promise<string>((resolve, reject) => {
        https.get(`https://127.0.0.1:${p.port}/local`, { ca: certPem }, (res) => {
          let text = '';
          res.on('data', (c: Buffer) => (text += c.toString()));
          res.on('end', () => resolve(text));
        }).on('error', reject);
      });
      expect(JSON.parse(body)).toEqual(LOCAL);
      // Plain HTTP on the same port is not served.
      await expect(fetch(`http://127.0.0.1:${p.port}/local`)).rejects.toThrow();
    } finally {
      await p.host.closeAll();
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
});

async function until(check: () => boolean, timeoutMs = 3000): Promise<void> {
  const end = Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() > end) throw new Error('condition not met in time');
    await new Promise((r) => setTimeout(r, 10));
  }
}
