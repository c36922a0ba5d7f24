import { PassThrough } from 'node:stream';
import { createLogging, effectiveLevel, formatRecord, parseLogTargets } from '../../../core/logging';
import type { LogRecord, LogSink } from '../../../plugin-api';
import { createConsoleSink } from '../../../plugins/log-console';

function memorySink(name = 'memory'): LogSink & { records: LogRecord[] } {
  const records: LogRecord[] = [];
  return { name, records, write: (r) => { records.push(r); } };
}

describe('createLogging', () => {
  it('fans every record out to every attached sink with its bindings and level name', () => {
    const logging = createLogging({ level: 'info', clock: { wallNow: () => 1_700_000_000_123 } });
    const a = memorySink('a');
    const b = memorySink('b');
    logging.fanout.attach(a);
    logging.fanout.attach(b);
    logging.fanout.release();
    const elector = logging.logger.child({ component: 'elector' });
    elector.warn({ peer: 'n2', count: 3 }, 'peer lost');
    expect(a.records).toEqual([{ level: 'warn', time: 1_700_000_000_123, msg: 'peer lost', component: 'elector', peer: 'n2', count: 3 }]);
    expect(b.records).toEqual(a.records);
  });

  it('drops records below the level, and setLevel reaches children made before', () => {
    const logging = createLogging({ level: 'info' });
    const sink = memorySink();
    logging.fanout.attach(sink);
    logging.fanout.release();
    const child = logging.logger.child({ component: 'runner' });
    child.debug('hidden');
    child.info('shown');
    logging.setLevel('debug');
    child.debug('now shown');
    child.trace('still hidden');
    logging.setLevel('error');
    child.warn('hidden again');
    child.fatal('always');
    expect(sink.records.map((r) => `${r.level}:${r.msg}`)).toEqual(['info:shown', 'debug:now shown', 'fatal:always']);
  });

  it('buffers records until released, so records logged while sinks load are not lost', () => {
    const logging = createLogging({ level: 'trace' });
    logging.logger.info('before any sink');
    const early = memorySink('early');
    logging.fanout.attach(early);
    logging.logger.info('sink attached, still held');
    const late = memorySink('late');
    logging.fanout.attach(late);
    expect(early.records).toHaveLength(0);
    logging.fanout.release();
    expect(early.records.map((r) => r.msg)).toEqual(['before any sink', 'sink attached, still held']);
    expect(late.records.map((r) => r.msg)).toEqual(['before any sink', 'sink attached, still held']);
  });

  it('at exit, records still held go to the fallback instead of vanishing', async () => {
    const lines: string[] = [];
    const logging = createLogging({ level: 'info', fanout: { fallback: (l) => lines.push(l) } });
    logging.logger.child({ component: 'daemon' }).error('config broken');
    await logging.flush();
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatch(/^\d\d:\d\d:\d\d\.\d{3} ERROR \[daemon\] config broken$/);
  });

  it('serialises errors and keeps a throwing sink from hurting the others', () => {
    const logging = createLogging({ level: 'info' });
    const good = memorySink();
    const stderr = jest.spyOn(process.stderr, 'write').mockImplementation(() => true);
    logging.fanout.attach({ name: 'bad', write: () => { throw new Error('sink down'); } });
    logging.fanout.attach(good);
    logging.fanout.release();
    logging.logger.error({ err: new Error('kaput') }, 'failed');
    logging.logger.error('again');
    const calls = stderr.mock.calls.map((c) => String(c[0]));
    stderr.mockRestore();
    expect(good.records).toHaveLength(2);
    expect((good.records[0].err as { message: string }).message).toBe('kaput');
    expect(calls.filter((c) => c.includes('log sink bad failed'))).toHaveLength(1);
  });

  it('-d lowers the level to debug but never raises it', () => {
    expect(effectiveLevel('warn', true)).toBe('debug');
    expect(effectiveLevel('trace', true)).toBe('trace');
    expect(effectiveLevel('warn', false)).toBe('warn');
  });
});

describe('console format', () => {
  const time = new Date(2026, 0, 2, 3, 4, 5, 67).getTime();
  const record: LogRecord = { level: 'warn', time, msg: 'status failed', component: 'services', service: '10-vip', event: 'status', code: 1, why: 'no link' };

  it('without colour: HH:MM:SS.mmm LEVEL [component/service:event] message key=value', () => {
    expect(formatRecord(record, { color: false })).toBe('03:04:05.067 WARN  [services/10-vip:status] status failed code=1 why="no link"');
    expect(formatRecord({ level: 'info', time, msg: 'hi', plugin: 'example' }, { color: false })).toBe('03:04:05.067 INFO  [example] hi');
  });

  it('with colour: the level coloured by ANSI codes, the text unchanged once codes are stripped', () => {
    const line = formatRecord(record, { color: true });
    expect(line).toContain('\x1b[33mWARN \x1b[0m');
    // eslint-disable-next-line no-control-regex
    expect(line.replace(/\x1b\[[0-9;]*m/g, '')).toBe(formatRecord(record, { color: false }));
    expect(formatRecord({ ...record, level: 'error' }, { color: true })).toContain('\x1b[31mERROR');
  });

  it('the console sink writes one line per record, coloured or not', () => {
    const saved = process.env.NO_COLOR;
    delete process.env.NO_COLOR;
    try {
      for (const color of [true, false]) {
        const out = new PassThrough();
        let text = '';
        out.on('data', (d: Buffer) => { text += d.toString(); });
        const sink = createConsoleSink({ color, stream: 'stdout' }, out);
        sink.write(record);
        sink.write({ level: 'info', time, msg: 'second' });
        const lines = text.trimEnd().split('\n');
        expect(lines).toHaveLength(2);
        expect(lines[0].includes('\x1b[')).toBe(color);
      }
    } finally {
      if (saved !== undefined) process.env.NO_COLOR = saved;
    }
  });
});

describe('--log targets', () => {
  it('maps each target to its sink plugin', () => {
    expect(parseLogTargets('console,syslog,file:logs/koi.log,json', { color: false, cwd: '/srv' }).map((t) => [t.name, t.options])).toEqual([
      ['log-console', { color: false }],
      ['log-syslog', {}],
      ['log-file', { path: '/srv/logs/koi.log' }],
      ['log-file', { json: true, path: 'stdout' }],
    ]);
    expect(parseLogTargets(['syslog:udp://127.0.0.1:5514'], { color: true, cwd: '/' })[0].options).toEqual({ target: 'udp://127.0.0.1:5514', local: false });
  });

  it('names a bad target', () => {
    expect(() => parseLogTargets('console,journal', { color: true, cwd: '/' })).toThrow('--log journal: unknown target "journal"');
    expect(() => parseLogTargets('file:', { color: true, cwd: '/' })).toThrow('file needs a path');
  });
});
