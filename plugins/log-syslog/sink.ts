/**
 * The syslog sink: local syslog over unix datagrams (`/dev/log`), and
 * optionally a remote syslog over UDP (RFC 5424) or TCP (RFC 5424 with
 * octet-counting framing, RFC 6587). A destination that is missing or
 * refuses is reported once on stderr and the daemon keeps running. The
 * local socket keeps the first BACKLOG_MAX records it could not deliver
 * (the start-up lines of a node that starts before syslog does) and sends
 * them, with their own time stamps, once syslog answers; records beyond
 * that are dropped and counted.
 */
import * as dgram from 'node:dgram';
import * as net from 'node:net';
import * as os from 'node:os';
import type { LogRecord, LogSink } from '../../plugin-api';
import { rfc3164, rfc5424 } from './format';
import type { Facility, SyslogHeader } from './format';

export interface SyslogSinkOptions {
  /** Send to the local syslog socket. */
  local: boolean;
  /** Local socket path (default /dev/log). */
  path: string;
  /** Wire format on the local socket. */
  format: 'rfc3164' | 'rfc5424';
  /** Remote syslog: `udp://host:514` or `tcp://host:601`; '' for none. */
  target: string;
  facility: Facility;
  ident: string;
  /** Longest message sent, in bytes (longer ones are cut). */
  maxMessage: number;
  /** Time between attempts to reach a destination that failed. */
  retryMs: number;
  /** Loads the native addon for the local socket (tests replace it). */
  loadAddon?: () => typeof import('unix-dgram');
}

type UnixDgram = typeof import('unix-dgram');

/** The `unix-dgram` addon; loaded on first use so a machine without it still runs the other sinks. */
function requireUnixDgram(): UnixDgram {
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  return require('unix-dgram') as UnixDgram;
}

/**
 * The addon is an optional dependency compiled at install time (node-gyp:
 * python3, make, a C++ compiler): an install without them succeeds without
 * it. Says so once, with the way out, instead of a require stack.
 */
export function addonMissingMessage(path: string, err: Error): string {
  const reason = (err.message.split('\n')[0] ?? '').trim();
  return `koi: syslog socket ${path} cannot be used: the native addon unix-dgram is not installed or not built (${reason}). ` +
    'koi keeps running without local syslog. Build it with `npm rebuild unix-dgram` in koi\'s install folder (needs python3, make and a C++ compiler), ' +
    'or log with --log console (the journal under systemd), file:PATH or syslog:udp://HOST:514\n';
}

interface Destination {
  readonly describe: string;
  send(record: LogRecord): void;
  flush(): Promise<void>;
  close(): void;
}

/** Reports a destination's outage once, and its recovery with the number of records lost. */
class OutageReporter {
  private down = false;
  private lost = 0;
  lastFailure = 0;

  constructor(private readonly describe: string) {}

  failed(reason: string): void {
    this.lost++;
    this.lastFailure = Date.now();
    if (this.down) return;
    this.down = true;
    process.stderr.write(`koi: syslog ${this.describe} unavailable (${reason}); records are dropped until it answers, koi keeps running\n`);
  }

  recovered(): number {
    if (!this.down) return 0;
    this.down = false;
    const lost = this.lost;
    this.lost = 0;
    return lost;
  }

  get isDown(): boolean {
    return this.down;
  }
}

function errnoName(err: Error & { code?: number | string }): string {
  if (typeof err.code === 'number') {
    const name = Object.entries(os.constants.errno).find(([, value]) => value === -(err.code as number))?.[0];
    return name ?? `errno ${err.code}`;
  }
  return String(err.code ?? err.message);
}

function cut(text: string, max: number): Buffer {
  const buf = Buffer.from(text, 'utf8');
  return buf.length <= max ? buf : buf.subarray(0, max);
}

/** Records kept for the local socket while syslog is not up yet (start-up lines), sent when it answers. */
export const BACKLOG_MAX = 500;

function lostRecord(lost: number, time: number): LogRecord {
  return { level: 'warn', time, msg: `${lost} log records were lost while syslog was unavailable`, component: 'logging' };
}

class UnixDestination implements Destination {
  readonly describe: string;
  private socket: import('unix-dgram').UnixDgramSocket | null = null;
  private readonly outage: OutageReporter;
  /** The addon cannot be loaded: said once, nothing more is tried. */
  private addonMissing = false;
  /** Undelivered records kept for later (oldest first), at most BACKLOG_MAX. */
  private backlog: LogRecord[] = [];

  constructor(private readonly opts: SyslogSinkOptions, private readonly header: SyslogHeader) {
    this.describe = `socket ${opts.path}`;
    this.outage = new OutageReporter(this.describe);
  }

  send(record: LogRecord): void {
    if (this.addonMissing) return;
    if (this.outage.isDown && Date.now() - this.outage.lastFailure < this.opts.retryMs) {
      this.keep(record, 'still unavailable');
      return;
    }
    const socket = this.open();
    if (!socket) {
      if (this.backlog.length < BACKLOG_MAX) this.backlog.push(record); // open() counted the outage
      return;
    }
    this.deliver(socket, record, (err) => {
      if (err) {
        this.keep(record, errnoName(err));
        return;
      }
      const kept = this.backlog;
      this.backlog = [];
      for (const old of kept) this.deliver(socket, old, () => undefined);
      const lost = this.outage.recovered() - kept.length;
      if (lost > 0) this.send(lostRecord(lost, record.time));
    });
  }

  private deliver(socket: import('unix-dgram').UnixDgramSocket, record: LogRecord, done: (err: (Error & { code?: number | string }) | null) => void): void {
    const format = this.opts.format === 'rfc5424' ? rfc5424 : rfc3164;
    const datagram = cut(format(record, this.header), this.opts.maxMessage);
    socket.send(datagram, 0, datagram.length, this.opts.path, (err) => done(err ?? null));
  }

  /** Not delivered: counted as an outage, and kept for later while there is room. */
  private keep(record: LogRecord, reason: string): void {
    this.outage.failed(reason);
    if (this.backlog.length < BACKLOG_MAX) this.backlog.push(record);
  }

  async flush(): Promise<void> {
    // sendto() is a synchronous system call: nothing is queued in the process.
  }

  close(): void {
    if (!this.socket) return;
    try {
      this.socket.close();
    } catch {
      // already closed
    }
    this.socket = null;
  }

  private open(): import('unix-dgram').UnixDgramSocket | null {
    if (this.socket) return this.socket;
    let unix: UnixDgram;
    try {
      unix = (this.opts.loadAddon ?? requireUnixDgram)();
    } catch (err) {
      this.addonMissing = true;
      process.stderr.write(addonMissingMessage(this.opts.path, err as Error));
      return null;
    }
    try {
      const socket = unix.createSocket('unix_dgram');
      socket.on('error', (err: Error & { code?: number }) => this.outage.failed(errnoName(err)));
      socket.on('congestion', () => this.outage.failed('congestion'));
      this.socket = socket;
      return socket;
    } catch (err) {
      this.outage.failed((err as Error).message);
      return null;
    }
  }
}

class UdpDestination implements Destination {
  readonly describe: string;
  private socket: dgram.Socket | null = null;
  private readonly outage: OutageReporter;

  constructor(private readonly host: string, private readonly port: number, private readonly opts: SyslogSinkOptions, private readonly header: SyslogHeader) {
    this.describe = `udp://${host.includes(':') ? `[${host}]` : host}:${port}`;
    this.outage = new OutageReporter(this.describe);
  }

  send(record: LogRecord): void {
    if (!this.socket) {
      this.socket = dgram.createSocket(net.isIPv6(this.host) ? 'udp6' : 'udp4');
      this.socket.on('error', (err) => this.outage.failed(err.message));
      this.socket.unref();
    }
    const datagram = cut(rfc5424(record, this.header), Math.min(this.opts.maxMessage, 65_000));
    this.socket.send(datagram, this.port, this.host, (err) => {
      if (err) this.outage.failed(err.message);
      else {
        const lost = this.outage.recovered();
        if (lost > 0) this.send(lostRecord(lost, record.time));
      }
    });
  }

  async flush(): Promise<void> {
    // Wait one turn so callbacks of sends in flight run.
    await new Promise<void>((resolve) => setImmediate(resolve));
  }

  close(): void {
    this.socket?.close();
    this.socket = null;
  }
}

class TcpDestination implements Destination {
  readonly describe: string;
  private socket: net.Socket | null = null;
  private connected = false;
  private pending: Buffer[] = [];
  private readonly outage: OutageReporter;
  private lastAttempt = 0;

  constructor(private readonly host: string, private readonly port: number, private readonly opts: SyslogSinkOptions, private readonly header: SyslogHeader) {
    this.describe = `tcp://${host.includes(':') ? `[${host}]` : host}:${port}`;
    this.outage = new OutageReporter(this.describe);
  }

  send(record: LogRecord): void {
    const message = cut(rfc5424(record, this.header), this.opts.maxMessage);
    const frame = Buffer.concat([Buffer.from(`${message.length} `), message]);
    if (this.connected && this.socket) {
      this.socket.write(frame);
      return;
    }
    if (this.pending.length >= 1000) {
      this.pending.shift();
      this.outage.failed('not connected, queue full');
    }
    this.pending.push(frame);
    this.connect();
  }

  async flush(): Promise<void> {
    const socket = this.socket;
    if (!socket || !this.connected || socket.writableLength === 0) return;
    await new Promise<void>((resolve) => {
      const timer = setTimeout(resolve, 1000);
      socket.once('drain', () => {
        clearTimeout(timer);
        resolve();
      });
    });
  }

  close(): void {
    this.socket?.end();
    this.socket = null;
    this.connected = false;
  }

  private connect(): void {
    if (this.socket || Date.now() - this.lastAttempt < (this.lastAttempt ? this.opts.retryMs : 0)) return;
    this.lastAttempt = Date.now();
    const socket = net.connect({ host: this.host, port: this.port });
    this.socket = socket;
    socket.unref();
    socket.on('connect', () => {
      this.connected = true;
      const lost = this.outage.recovered();
      const queued = this.pending;
      this.pending = [];
      for (const frame of queued) socket.write(frame);
      if (lost > 0) this.send(lostRecord(lost, Date.now()));
    });
    socket.on('error', (err) => this.outage.failed(err.message));
    socket.on('close', () => {
      if (this.socket === socket) {
        this.socket = null;
        this.connected = false;
      }
    });
  }
}

/** Parse `udp://host:port` / `tcp://[v6]:port`. */
export function parseSyslogTarget(target: string): { protocol: 'udp' | 'tcp'; host: string; port: number } {
  const match = /^(udp|tcp):\/\/(\[[^\]]+\]|[^:/]+)(?::(\d+))?\/?$/.exec(target);
  if (!match) throw new Error(`syslog target ${JSON.stringify(target)} is not udp://host:port or tcp://host:port`);
  const protocol = match[1] as 'udp' | 'tcp';
  const host = match[2].replace(/^\[|\]$/g, '');
  const port = match[3] ? Number(match[3]) : protocol === 'udp' ? 514 : 601;
  if (port < 1 || port > 65535) throw new Error(`syslog target ${target}: port ${port} out of range`);
  return { protocol, host, port };
}

export function createSyslogSink(options: SyslogSinkOptions): LogSink {
  const header: SyslogHeader = { facility: options.facility, ident: options.ident, pid: process.pid, hostname: os.hostname() };
  const destinations: Destination[] = [];
  if (options.local) destinations.push(new UnixDestination(options, header));
  if (options.target) {
    const { protocol, host, port } = parseSyslogTarget(options.target);
    destinations.push(protocol === 'udp' ? new UdpDestination(host, port, options, header) : new TcpDestination(host, port, options, header));
  }
  return {
    name: 'syslog',
    write(record: LogRecord): void {
      for (const destination of destinations) destination.send(record);
    },
    async flush(): Promise<void> {
      for (const destination of destinations) await destination.flush();
    },
    async close(): Promise<void> {
      for (const destination of destinations) destination.close();
    },
  };
}
