/**
 * Local admin over a unix socket (docs/security.md "Local admin socket").
 *
 * Node offers no SO_PEERCRED, so who may connect is decided by the kernel
 * from the file system, at connect(2): write permission on the socket file
 * and search permission on every directory above it. The node creates the
 * socket mode 0660 (0600 without `node.admin_group`), owned by itself and
 * that group, inside a directory it creates 0750 — or one that already
 * exists and is writable by nobody else. A caller who can connect has full
 * admin authority on this node (like root with `kill`), so no challenge is
 * needed: the stream itself cannot be captured or replayed from the network.
 *
 * Protocol: one JSON line each way, then the node closes the connection:
 *   → {"command":"stop","args":["db-2"]}
 *   ← {"exitCode":0,"text":"...","json":"..."}
 */
import { randomUUID } from 'node:crypto';
import fs from 'node:fs';
import net from 'node:net';
import path from 'node:path';
import type { AdminRequest, AdminResponse, Logger } from '../../plugin-api';
import type { AdminServer } from './server';
import { escapeControl } from '../security/names';
import { ErrorCode, KoiError } from '../../plugin-api/errors';

export const DEFAULT_ADMIN_SOCKET = '/run/koi/koi.sock';
/** Largest request line accepted (a command and its arguments). */
export const MAX_LOCAL_REQUEST_BYTES = 64 * 1024;
/** A connection that sends no complete request within this long is closed. */
export const LOCAL_IDLE_TIMEOUT_MS = 10_000;
/** Connections served at once; more are closed at once. */
export const MAX_LOCAL_CONNECTIONS = 32;

export class LocalSocketError extends KoiError {
  constructor(readonly reason: 'ADMIN_SOCKET_DIR' | 'ADMIN_SOCKET_BUSY' | 'ADMIN_SOCKET_PATH' | 'ADMIN_GROUP', message: string) {
    super(ErrorCode.ADMIN_SOCKET, message);
  }
}

/** The answer on the socket: an AdminResponse without its envelope fields. */
export type LocalAnswer = Pick<AdminResponse, 'exitCode' | 'text' | 'json'>;

/** A group name or number → gid, from /etc/group; '' → the daemon's own group. */
export function resolveGroup(group: string, groupFile = '/etc/group'): number {
  if (group === '') return process.getgid?.() ?? 0;
  if (/^\d+$/.test(group)) return Number(group);
  let text = '';
  try {
    text = fs.readFileSync(groupFile, 'utf8');
  } catch (err) {
    throw new LocalSocketError('ADMIN_GROUP', `node.admin_group '${group}': cannot read ${groupFile}: ${(err as Error).message}`);
  }
  for (const line of text.split('\n')) {
    const [name, , gid] = line.split(':');
    if (name === group && gid !== undefined && /^\d+$/.test(gid)) return Number(gid);
  }
  throw new LocalSocketError('ADMIN_GROUP', `node.admin_group '${group}': no such group in ${groupFile}`);
}

export interface LocalAdminOptions {
  /** Socket path (`node.admin_socket`). */
  path: string;
  /** Group allowed to connect (`node.admin_group`); '' = the daemon's user only. */
  group: string;
  server: AdminServer;
  logger: Logger;
}

export interface LocalAdminListener {
  readonly path: string;
  close(): Promise<void>;
}

/** Make sure the socket's directory exists and only we (and the group) can use it. */
function prepareDirectory(dir: string, gid: number): void {
  if (!fs.existsSync(dir)) {
    fs.mkdirSync(dir, { recursive: true, mode: 0o750 });
    fs.chmodSync(dir, 0o750); // mkdir's mode is filtered by the umask
    fs.chownSync(dir, process.getuid?.() ?? 0, gid);
    return;
  }
  const st = fs.statSync(dir);
  if (!st.isDirectory()) throw new LocalSocketError('ADMIN_SOCKET_DIR', `${dir} (folder of node.admin_socket) is not a directory`);
  const uid = process.getuid?.() ?? 0;
  if (st.uid !== uid && st.uid !== 0) {
    throw new LocalSocketError('ADMIN_SOCKET_DIR', `${dir} (folder of node.admin_socket) belongs to uid ${st.uid}, not to this daemon (uid ${uid}) or root`);
  }
  // Writable by others: they could swap the socket for their own between our checks.
  if ((st.mode & 0o022) !== 0) {
    throw new LocalSocketError('ADMIN_SOCKET_DIR', `${dir} (folder of node.admin_socket) is writable by group or others (mode ${(st.mode & 0o777).toString(8)}); use a folder only the daemon can write, e.g. /run/koi`);
  }
}

/** Remove a stale socket left by a dead daemon; refuse when a live one answers or the path is not a socket. */
async function clearStale(file: string): Promise<void> {
  let st: fs.Stats;
  try {
    st = fs.lstatSync(file);
  } catch {
    return; // nothing there
  }
  if (!st.isSocket()) throw new LocalSocketError('ADMIN_SOCKET_PATH', `${file} (node.admin_socket) exists and is not a socket; not touching it`);
  const alive = await new Promise<boolean>((resolve) => {
    const probe = net.connect(file);
    probe.once('connect', () => { probe.destroy(); resolve(true); });
    probe.once('error', () => resolve(false));
  });
  if (alive) throw new LocalSocketError('ADMIN_SOCKET_BUSY', `${file} (node.admin_socket) is in use by another running koinode; give this node its own node.admin_socket`);
  fs.unlinkSync(file);
}

export async function listenLocalAdmin(options: LocalAdminOptions): Promise<LocalAdminListener> {
  const file = path.resolve(options.path);
  const log = options.logger.child({ component: 'admin-socket' });
  const gid = resolveGroup(options.group);
  const mode = options.group === '' ? 0o600 : 0o660;
  prepareDirectory(path.dirname(file), gid);
  await clearStale(file);

  const sockets = new Set<net.Socket>();
  const server = net.createServer((socket) => serve(socket));
  server.maxConnections = MAX_LOCAL_CONNECTIONS;

  function serve(socket: net.Socket): void {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
    socket.on('error', (err) => log.debug({ err: err.message }, `local admin connection: ${err.message}`));
    socket.setTimeout(LOCAL_IDLE_TIMEOUT_MS, () => socket.destroy());
    let buffered = '';
    let handled = false;
    const reply = (answer: LocalAnswer): void => {
      socket.end(`${JSON.stringify(answer)}\n`);
    };
    socket.on('data', (chunk: Buffer) => {
      if (handled) return;
      buffered += chunk.toString('utf8');
      const newline = buffered.indexOf('\n');
      if (newline < 0) {
        if (buffered.length > MAX_LOCAL_REQUEST_BYTES) {
          handled = true;
          reply({ exitCode: 2, text: `request longer than ${MAX_LOCAL_REQUEST_BYTES} bytes`, json: '' });
        }
        return;
      }
      handled = true;
      const parsed = parseLocalRequest(buffered.slice(0, newline));
      if (typeof parsed === 'string') {
        reply({ exitCode: 2, text: parsed, json: '' });
        return;
      }
      const request: AdminRequest = { kind: 'request', requestId: randomUUID(), command: parsed.command, args: parsed.args, hops: 0 };
      // `from` names the socket and, for the log of who asked, the user the client says it runs as.
      options.server.handle(request, `unix:${file}${parsed.user ? ` (${parsed.user})` : ''}`, { channel: 'local' })
        .then((response) => reply({ exitCode: response.exitCode, text: response.text, json: response.json }))
        .catch((err: unknown) => reply({ exitCode: 1, text: `internal error: ${String(err)}`, json: '' }));
    });
  }

  const previousUmask = process.umask(0o177);
  try {
    // bind(2) runs inside listen(): the socket is born 0600, never briefly open to others.
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(file, () => {
        server.off('error', reject);
        resolve();
      });
    });
  } finally {
    process.umask(previousUmask);
  }
  fs.chownSync(file, process.getuid?.() ?? 0, gid);
  fs.chmodSync(file, mode);
  const inode = fs.statSync(file).ino;
  log.info({ path: file, gid, mode: mode.toString(8) }, `local admin socket ${file} (mode ${mode.toString(8)}, group ${gid})`);
  server.on('error', (err) => log.error({ err: err.message }, `local admin socket ${file}: ${err.message}`));

  return {
    path: file,
    close: () => new Promise<void>((resolve) => {
      for (const socket of sockets) socket.destroy();
      server.close(() => resolve());
      // Remove the file only while it is still ours (a new daemon may have replaced it).
      try {
        if (fs.statSync(file).ino === inode) fs.unlinkSync(file);
      } catch {
        /* already gone */
      }
    }),
  };
}

/** A request line → command and args, or the reason it is not one. */
export function parseLocalRequest(line: string): { command: string; args: string[]; user?: string } | string {
  let value: unknown;
  try {
    value = JSON.parse(line);
  } catch {
    return 'request is not JSON: expected {"command": "...", "args": [...]}';
  }
  const r = value as { command?: unknown; args?: unknown; user?: unknown };
  if (typeof value !== 'object' || value === null || typeof r.command !== 'string' || r.command.length === 0 || r.command.length > 64) {
    return 'request needs "command": a string of 1..64 characters';
  }
  const args = r.args ?? [];
  if (!Array.isArray(args) || args.length > 64 || !args.every((a) => typeof a === 'string' && a.length <= 4096)) {
    return 'request "args" must be a list of at most 64 strings';
  }
  // Who the client says runs it: only for the log (anyone who may connect may act anyway); bounded and escaped.
  const user = typeof r.user === 'string' && r.user.length > 0 ? escapeControl(r.user.slice(0, 64)) : undefined;
  return { command: r.command, args: args as string[], ...(user ? { user } : {}) };
}
