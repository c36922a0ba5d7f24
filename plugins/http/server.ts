/**
 * The http plugin's server: a route table over node:http (or node:https
 * with `tls_cert`/`tls_key`). Each route says whether it only reads; a
 * route that does not needs `Authorization: Bearer <token>` and is refused
 * while no token is configured. Every route today only reads.
 */
import * as http from 'node:http';
import * as https from 'node:https';
import { timingSafeEqual } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { errorMessage } from '../../plugin-api';

export interface Route {
  /** Exact path (the query string is ignored). */
  path: string;
  /** Reads only: served to anyone who reaches the address. Otherwise the bearer token is required. */
  readOnly: boolean;
  /** Methods served (HEAD is served wherever GET is). */
  methods: readonly string[];
  handle(req: IncomingMessage, res: ServerResponse): void | Promise<void>;
}

export interface HttpServerOptions {
  host: string;
  port: number;
  routes: readonly Route[];
  /** '' = none: routes that are not read-only are refused. */
  token: string;
  tls?: { cert: Buffer; key: Buffer };
  /** Reports a handler that threw (the client gets a 500). */
  onError(err: unknown, req: IncomingMessage): void;
}

export interface RunningServer {
  /** The bound address (the port is known even when 0 was asked). */
  address(): { host: string; port: number };
  close(): Promise<void>;
}

export function sendText(res: ServerResponse, status: number, text: string, type = 'text/plain; charset=utf-8', headers: Record<string, string> = {}): void {
  res.writeHead(status, { 'content-type': type, 'content-length': Buffer.byteLength(text), 'cache-control': 'no-store', ...headers });
  res.end(res.req.method === 'HEAD' ? undefined : text);
}

export function sendJson(res: ServerResponse, status: number, value: unknown): void {
  // As `koi --json` prints it: two-space indent, a final newline.
  sendText(res, status, `${JSON.stringify(value, null, 2)}\n`, 'application/json; charset=utf-8');
}

function tokenMatches(header: string | undefined, token: string): boolean {
  const match = /^Bearer\s+(\S+)\s*$/i.exec(header ?? '');
  if (!match) return false;
  const given = Buffer.from(match[1]);
  const wanted = Buffer.from(token);
  return given.length === wanted.length && timingSafeEqual(given, wanted);
}

export function dispatch(options: Pick<HttpServerOptions, 'routes' | 'token' | 'onError'>) {
  return (req: IncomingMessage, res: ServerResponse): void => {
    const path = (req.url ?? '/').split('?')[0];
    const route = options.routes.find((r) => r.path === path);
    if (!route) {
      sendText(res, 404, `not found: ${path}; try ${options.routes.map((r) => r.path).join(' ')}\n`);
      return;
    }
    const method = req.method ?? 'GET';
    const allowed = route.methods.includes('GET') ? [...route.methods, 'HEAD'] : [...route.methods];
    if (!allowed.includes(method)) {
      sendText(res, 405, `${method} not allowed on ${path}\n`, undefined, { allow: allowed.join(', ') });
      return;
    }
    if (!route.readOnly) {
      if (options.token === '') {
        sendText(res, 403, `${path} changes the cluster and the http plugin has no token configured\n`);
        return;
      }
      if (!tokenMatches(req.headers.authorization, options.token)) {
        sendText(res, 401, `${path} needs Authorization: Bearer <token>\n`, undefined, { 'www-authenticate': 'Bearer realm="koi"' });
        return;
      }
    }
    Promise.resolve()
      .then(() => route.handle(req, res))
      .catch((err: unknown) => {
        options.onError(err, req);
        if (!res.headersSent) sendText(res, 500, `internal error: ${errorMessage(err)}\n`);
        else res.end();
      });
  };
}

export function startHttpServer(options: HttpServerOptions): Promise<RunningServer> {
  const handler = dispatch(options);
  const server = options.tls ? https.createServer({ cert: options.tls.cert, key: options.tls.key }, handler) : http.createServer(handler);
  // Idle keep-alive sockets (a Prometheus scraper, a dashboard) cost nothing until used.
  server.keepAliveTimeout = 65_000;
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen({ host: options.host, port: options.port }, () => {
      server.off('error', reject);
      resolve({
        address: () => {
          const a = server.address();
          return a && typeof a === 'object' ? { host: a.address, port: a.port } : { host: options.host, port: options.port };
        },
        close: () => new Promise<void>((done) => {
          server.close(() => done());
          // Event streams and keep-alive sockets would hold close() open.
          server.closeAllConnections();
        }),
      });
    });
  });
}
