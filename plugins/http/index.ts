/**
 * Built-in plugin `http`: Prometheus metrics, the status documents as JSON,
 * a live dashboard and the event stream, over HTTP(S). Off unless listed in
 * the `plugins` section (`http { listen 127.0.0.1:9464 }`); built only on
 * the public plugin API. docs/observability.md describes it.
 *
 *   /          dashboard (HTML)
 *   /metrics   Prometheus text format
 *   /status    `koi --json status` (forwarded to the leader like koi does)
 *   /local     `koi --json local`
 *   /failures  `koi --json failures`
 *   /events    server-sent ClusterEvents
 */
import * as fs from 'node:fs';
import { definePlugin } from '../../plugin-api';
import type { InferOptions, OptionProblem, ReadOnlyAdminCommand } from '../../plugin-api';
import { DASHBOARD_HTML } from './dashboard';
import { createEventHub } from './events';
import { DEFAULT_LISTEN, formatHostPort, isLoopback, parseListen } from './listen';
import { createMetrics } from './metrics';
import { sendJson, sendText, startHttpServer, type Route } from './server';

export { parseListen, DEFAULT_LISTEN } from './listen';

const OPTIONS = {
  listen: { type: 'string', description: 'host:port to serve on (IPv6 in brackets)', default: DEFAULT_LISTEN },
  tls_cert: { type: 'path', description: 'PEM certificate file: serve HTTPS (with tls_key)' },
  tls_key: { type: 'path', description: 'PEM private key file for tls_cert' },
  token: { type: 'string', description: 'bearer token required by endpoints that change the cluster (none today)', default: '' },
} as const;

export type HttpOptions = InferOptions<typeof OPTIONS>;

/** Admin answers' exit codes as HTTP statuses: refused → 503 (e.g. no leader yet), usage → 400. */
const STATUS_OF_EXIT: Record<number, number> = { 0: 200, 1: 503, 2: 400 };

export function checkHttpOptions(options: HttpOptions): OptionProblem[] {
  const problems: OptionProblem[] = [];
  const listen = parseListen(options.listen);
  if (!listen.ok) problems.push({ option: 'listen', problem: listen.problem });
  if ((options.tls_cert === undefined) !== (options.tls_key === undefined)) {
    const [given, missing] = options.tls_cert === undefined ? ['tls_key', 'tls_cert'] : ['tls_cert', 'tls_key'];
    problems.push({ option: given, problem: `HTTPS needs both tls_cert and tls_key; ${missing} is missing` });
  }
  for (const option of ['tls_cert', 'tls_key'] as const) {
    const file = options[option];
    if (file === undefined) continue;
    try {
      fs.accessSync(file, fs.constants.R_OK);
    } catch (err) {
      problems.push({ option, problem: `cannot read ${file}: ${(err as NodeJS.ErrnoException).code ?? (err as Error).message}` });
    }
  }
  if (/\s/.test(options.token)) problems.push({ option: 'token', problem: 'the token must not contain white space' });
  return problems;
}

export default definePlugin({
  name: 'http',
  options: OPTIONS,
  checkOptions: checkHttpOptions,
  async apply(koi, options) {
    const listen = parseListen(options.listen);
    if (!listen.ok) throw new Error(`plugins.http.listen: ${listen.problem}`);
    const { host, port } = listen.value;
    const log = koi.logger;
    const tls = options.tls_cert !== undefined && options.tls_key !== undefined
      ? { cert: fs.readFileSync(options.tls_cert), key: fs.readFileSync(options.tls_key) }
      : undefined;

    const events = createEventHub(koi.clock);
    koi.hooks.onEvent.tap('http', (event) => events.publish(event));
    const metrics = createMetrics(koi.inspect, koi.hooks, 'http');

    const adminRoute = (path: string, command: ReadOnlyAdminCommand): Route => ({
      path, readOnly: true, methods: ['GET'],
      async handle(_req, res) {
        const answer = await koi.inspect.query(command);
        // No document (the node is not running): the error document koi --json prints in that case.
        const doc = answer.json ?? { schema: 1, type: 'error', command, exitCode: answer.exitCode, error: answer.text };
        sendJson(res, STATUS_OF_EXIT[answer.exitCode] ?? 500, doc);
      },
    });
    const routes: Route[] = [
      { path: '/', readOnly: true, methods: ['GET'], handle: (_req, res) => sendText(res, 200, DASHBOARD_HTML, 'text/html; charset=utf-8') },
      {
        path: '/metrics', readOnly: true, methods: ['GET'],
        async handle(_req, res) {
          sendText(res, 200, await metrics.render(), metrics.contentType);
        },
      },
      adminRoute('/status', 'status'),
      adminRoute('/local', 'local'),
      adminRoute('/failures', 'failures'),
      {
        path: '/events', readOnly: true, methods: ['GET'],
        handle(req, res) {
          if (req.method === 'HEAD') {
            res.writeHead(200, { 'content-type': 'text/event-stream; charset=utf-8', 'cache-control': 'no-cache' }).end();
            return;
          }
          const last = req.headers['last-event-id'];
          if (!events.attach(res, typeof last === 'string' ? last : undefined)) sendText(res, 503, 'too many event stream clients\n', undefined, { 'retry-after': '10' });
        },
      },
    ];

    const server = await startHttpServer({
      host, port, routes, token: options.token, tls,
      onError: (err, req) => log.error({ err: String(err), url: req.url }, `http: ${req.method} ${req.url} failed: ${String(err)}`),
    }).catch((err: Error) => {
      throw new Error(`plugins.http.listen ${formatHostPort(host, port)}: cannot listen: ${err.message}`);
    });
    const where = `${tls ? 'https' : 'http'}://${formatHostPort(host, server.address().port)}/`;
    log.info({ listen: where }, `http: serving the dashboard, /metrics, /status, /local, /failures and /events on ${where}`);
    if (!isLoopback(host) && !tls) log.warn(`http: ${where} is reachable from other machines and serves cluster status in clear text (set tls_cert and tls_key, or listen on 127.0.0.1)`);
    koi.onClose(async () => {
      events.close();
      await server.close();
    });
  },
});

