import * as dgram from 'node:dgram';
import * as fs from 'node:fs';
import * as net from 'node:net';
import * as os from 'node:os';
import * as path from 'node:path';
import type { LogRecord } from '../../../plugin-api';
import { createFileSink } from '../../../plugins/log-file';
import { createSyslogSink } from '../../../plugins/log-syslog';
import type { SyslogSinkOptions } from '../../../plugins/log-syslog';

// eslint-disable-next-line @typescript-eslint/no-require-imports
const unix = require('unix-dgram') as typeof import('unix-dgram');

const base: SyslogSinkOptions = {
  local: true, path: '/dev/log', format: 'rfc3164', target: '', facility: 'user', ident: 'koi', maxMessage: 8192, retryMs: 5000,
};
const record = (level: LogRecord['level'], msg: string, extra: Partial<LogRecord> = {}): LogRecord =>
  ({ level, time: new Date(2026, 4, 7, 8, 9, 10).getTime(), msg, component: 'elector', ...extra });

function waitFor<T>(list: T[], count: number, ms = 3000): Promise<T[]> {
  return new Promise((resolve, reject) => {
    const started = Date.now();
    const poll = (): void => {
      if (list.length >= count) resolve(list);
      else if (Date.now() - started > ms) reject(new Error(`only ${list.length} of ${count} messages arrived`));
      else setTimeout(poll, 10);
    };
    poll();
  });
}

describe('log-syslog on a real unix datagram socket', () => {
  let dir: string;
  let socketPath: string;
  let server: import('unix-dgram').UnixDgramSocket;
  const received: string[] = [];

  beforeAll(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'koi-syslog-'));
    socketPath = path.join(dir, 'log.sock');
    server = unix.createSocket('unix_dgram', (msg) => received.push(msg.toString('utf8')));
    server.bind(socketPath);
  });
  afterAll(() => {
    server.close();
    fs.rmSync(dir, { recursive: true, force: true });
  });
  beforeEach(() => {
    received.length = 0;
  });

  it('sends RFC 3164 datagrams: PRI from facility user and the level, ident koi[pid], the message', async () => {
    const sink = createSyslogSink({ ...base, path: socketPath });
    sink.write(record('info', 'became leader', { term: 4 }));
    sink.write(record('error', 'service failed'));
    sink.write(record('warn', 'quorum lost'));
    sink.write(record('debug', 'tick'));
    await waitFor(received, 4);
    await sink.close?.();
    expect(received[0]).toBe(`<14>May  7 08:09:10 koi[${process.pid}]: [elector] became leader term=4`);
    expect(received.map((m) => m.slice(0, 4))).toEqual(['<14>', '<11>', '<12>', '<15>']);
    expect(received[1]).toContain('service failed');
  });

  it('RFC 5424 on request, with another facility', async () => {
    const sink = createSyslogSink({ ...base, path: socketPath, format: 'rfc5424', facility: 'local3' });
    sink.write(record('fatal', 'cannot bind'));
    await waitFor(received, 1);
    await sink.close?.();
    const iso = new Date(record('fatal', '').time).toISOString();
    expect(received[0]).toBe(`<154>1 ${iso} ${os.hostname()} koi ${process.pid} elector - [elector] cannot bind`);
  });

  it('a missing socket is reported once on stderr; the records written before syslog was up are delivered when it appears', async () => {
    const later = path.join(dir, 'later.sock');
    const writes: string[] = [];
    const spy = jest.spyOn(process.stderr, 'write').mockImplementation((chunk) => {
      writes.push(String(chunk));
      return true;
    });
    const sink = createSyslogSink({ ...base, path: later, retryMs: 0 });
    try {
      sink.write(record('info', 'start-up line 1'));
      sink.write(record('info', 'start-up line 2'));
      expect(writes.filter((w) => w.includes(`syslog socket ${later} unavailable (ENOENT)`))).toHaveLength(1);
      const got: string[] = [];
      const second = unix.createSocket('unix_dgram', (msg) => got.push(msg.toString()));
      second.bind(later);
      try {
        sink.write(record('info', 'delivered'));
        await waitFor(got, 3);
        await new Promise((r) => setTimeout(r, 50));
        expect(got.map((m) => m.replace(/^.*\] /, ''))).toEqual(['delivered', 'start-up line 1', 'start-up line 2']);
        expect(got.join('\n')).not.toContain('lost');
      } finally {
        second.close();
      }
    } finally {
      spy.mockRestore();
      await sink.close?.();
    }
  });

  it('without the native addon (an install that could not compile it): one clear line with the way out, the remote target still works', async () => {
    const writes: string[] = [];
    const spy = jest.spyOn(process.stderr, 'write').mockImplementation((chunk) => {
      writes.push(String(chunk));
      return true;
    });
    const udp = dgram.createSocket('udp4');
    const got: string[] = [];
    udp.on('message', (msg) => got.push(msg.toString()));
    await new Promise<void>((resolve) => udp.bind(0, '127.0.0.1', resolve));
    const missing = (): never => {
      throw Object.assign(new Error("Cannot find module 'unix-dgram'\nRequire stack:\n- /usr/lib/koi-ha/dist/plugins/log-syslog/sink.js"), { code: 'MODULE_NOT_FOUND' });
    };
    const sink = createSyslogSink({ ...base, path: socketPath, retryMs: 0, loadAddon: missing, target: `udp://127.0.0.1:${udp.address().port}` });
    try {
      sink.write(record('info', 'one'));
      sink.write(record('info', 'two'));
      await waitFor(got, 2);
      const said = writes.filter((w) => w.includes('unix-dgram'));
      expect(said).toHaveLength(1);
      expect(said[0]).toContain(`syslog socket ${socketPath} cannot be used: the native addon unix-dgram is not installed or not built (Cannot find module 'unix-dgram')`);
      expect(said[0]).toContain('npm rebuild unix-dgram');
      expect(said[0]).not.toContain('Require stack');
      expect(received).toEqual([]);
    } finally {
      spy.mockRestore();
      await sink.close?.();
      udp.close();
    }
  });
});

describe('log-syslog to a remote syslog on loopback', () => {
  it('UDP: one RFC 5424 datagram per record', async () => {
    const server = dgram.createSocket('udp4');
    const got: string[] = [];
    server.on('message', (m) => got.push(m.toString()));
    await new Promise<void>((r) => server.bind(0, '127.0.0.1', () => r()));
    const port = (server.address() as net.AddressInfo).port;
    const sink = createSyslogSink({ ...base, local: false, target: `udp://127.0.0.1:${port}` });
    try {
      sink.write(record('warn', 'over udp'));
      await waitFor(got, 1);
      expect(got[0]).toMatch(new RegExp(`^<12>1 \\S+Z \\S+ koi ${process.pid} elector - \\[elector\\] over udp$`));
    } finally {
      await sink.close?.();
      server.close();
    }
  });

  it('TCP: octet-counted frames, queued while connecting', async () => {
    let data = '';
    const sockets: net.Socket[] = [];
    const server = net.createServer((s) => {
      sockets.push(s);
      s.on('data', (d) => { data += d.toString(); });
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
    const port = (server.address() as net.AddressInfo).port;
    const sink = createSyslogSink({ ...base, local: false, target: `tcp://127.0.0.1:${port}` });
    try {
      sink.write(record('info', 'first'));
      sink.write(record('info', 'second'));
      const frames = (): string[] => {
        const out: string[] = [];
        let rest = Buffer.from(data);
        while (rest.length) {
          const space = rest.indexOf(0x20);
          const len = Number(rest.subarray(0, space).toString());
          out.push(rest.subarray(space + 1, space + 1 + len).toString());
          rest = rest.subarray(space + 1 + len);
        }
        return out;
      };
      for (let i = 0; i < 300 && frames().length < 2; i++) await new Promise((r) => setTimeout(r, 10));
      const got = frames();
      expect(got).toHaveLength(2);
      expect(got[0]).toMatch(/^<14>1 .* \[elector\] first$/);
      expect(got[1]).toMatch(/\[elector\] second$/);
    } finally {
      await sink.close?.();
      for (const s of sockets) s.destroy();
      server.close();
    }
  });
});

describe('log-file', () => {
  it('appends human-readable lines, or JSON lines, and reopens after a rotation', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'koi-logfile-'));
    try {
      const file = path.join(dir, 'koi.log');
      const sink = createFileSink({ path: file, json: false });
      sink.write(record('info', 'one'));
      fs.renameSync(file, `${file}.1`);
      sink.write(record('info', 'two (still the old file)'));
      sink.reopen();
      sink.write(record('warn', 'three'));
      await sink.close?.();
      expect(fs.readFileSync(`${file}.1`, 'utf8')).toMatch(/^08:09:10\.000 INFO  \[elector\] one\n.*two/);
      expect(fs.readFileSync(file, 'utf8')).toBe('08:09:10.000 WARN  [elector] three\n');

      const jsonFile = path.join(dir, 'koi.json');
      const json = createFileSink({ path: jsonFile, json: true });
      json.write(record('error', 'as json'));
      await json.close?.();
      expect(JSON.parse(fs.readFileSync(jsonFile, 'utf8'))).toMatchObject({ level: 50, msg: 'as json', component: 'elector' });
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
});
