/**
 * The on-disk journal: JSON lines, two files at most of a bounded size,
 * sequence numbers that go on across restarts, appends that never block,
 * and a clear error naming the path when it cannot be written.
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import path from 'node:path';
import { VirtualClock } from '../../../core/clock';
import { createHooks } from '../../../core/hooks';
import { loadConfig } from '../../../core/config';
import { createEventRecorder, JournalError, openJournal, parseJournalText, startEvents } from '../../../core/events';
import type { ClusterEvent } from '../../../plugin-api';
import { createTestLogger } from '../../helpers/logger';

let dir: string;
beforeEach(() => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'koi-journal-'));
});
afterEach(() => {
  fs.rmSync(dir, { recursive: true, force: true });
});

const event = (seq: number, message = `event ${seq}`): ClusterEvent => ({
  time: 1_790_000_000_000 + seq, seq, node: 'a', nodeId: 'id-a', kind: 'state', message, data: { n: seq },
});

function nodeEvents(file: string, maxFileBytes?: number) {
  const log = createTestLogger();
  const hooks = createHooks(log.logger);
  const recorder = startEvents({ hooks, clock: new VirtualClock(), logger: log.logger, self: { id: 'id-a', name: 'a' }, journalFile: file, maxFileBytes });
  return { hooks, recorder, log };
}

describe('event journal', () => {
  it('writes one JSON line per event, in order', async () => {
    const file = path.join(dir, 'events.jsonl');
    const journal = openJournal({ file, logger: createTestLogger().logger });
    for (let i = 1; i <= 3; i++) journal.append(event(i));
    await journal.close();
    const lines = fs.readFileSync(file, 'utf8').trimEnd().split('\n');
    expect(lines.map((l) => (JSON.parse(l) as ClusterEvent).seq)).toEqual([1, 2, 3]);
  });

  it('rotates at the size bound: two files at most, neither much above the bound, the newest events kept', async () => {
    const file = path.join(dir, 'events.jsonl');
    const bound = 4096;
    const journal = openJournal({ file, logger: createTestLogger().logger, maxFileBytes: bound });
    const line = Buffer.byteLength(`${JSON.stringify(event(100, 'x'.repeat(60)))}\n`);
    const total = Math.ceil((5 * bound) / line); // five files' worth
    for (let i = 1; i <= total; i++) journal.append(event(i, 'x'.repeat(60)));
    await journal.close();
    expect(fs.readdirSync(dir).sort()).toEqual(['events.jsonl', 'events.jsonl.1']);
    for (const f of ['events.jsonl', 'events.jsonl.1']) expect(fs.statSync(path.join(dir, f)).size).toBeLessThanOrEqual(bound);
    const kept = [...parseJournalText(fs.readFileSync(`${file}.1`, 'utf8')), ...parseJournalText(fs.readFileSync(file, 'utf8'))].map((e) => e.seq);
    expect(kept[kept.length - 1]).toBe(total);
    // Contiguous: nothing lost between the files, oldest dropped whole.
    expect(kept).toEqual(Array.from({ length: kept.length }, (_, i) => total - kept.length + 1 + i));
    expect(kept.length).toBeGreaterThan(bound / line); // more than one file's worth survives
  });

  it('a restarted node goes on counting from the journal, and still answers with the old history', async () => {
    const file = path.join(dir, 'events.jsonl');
    const first = nodeEvents(file);
    for (let i = 0; i < 4; i++) first.hooks.onMembershipChange.call({ change: 'joined', nodeId: `id-${i}`, name: `n${i}`, flags: 1 });
    await first.recorder.close();
    const second = nodeEvents(file);
    second.hooks.onStateChange.call({ from: 'Live', to: 'Slave', reason: 'after restart' });
    expect(second.recorder.lastSeq()).toBe(5);
    const all = await second.recorder.query({});
    expect(all.map((e) => e.seq)).toEqual([1, 2, 3, 4, 5]);
    expect(all.map((e) => e.kind)).toEqual(['membership', 'membership', 'membership', 'membership', 'state']);
    expect((await second.recorder.query({ after: 2, limit: 2 })).map((e) => e.seq)).toEqual([3, 4]);
    await second.recorder.close();
  });

  it('paging through history older than memory reads the journal once, not once per page', async () => {
    const file = path.join(dir, 'events.jsonl');
    const first = nodeEvents(file);
    for (let i = 0; i < 3000; i++) first.hooks.onMembershipChange.call({ change: 'joined', nodeId: `id-${i}`, name: `n${i}`, flags: 1 });
    await first.recorder.close();
    const log = createTestLogger();
    const hooks = createHooks(log.logger);
    const journal = openJournal({ file, logger: log.logger });
    const reads = jest.spyOn(journal, 'readAll');
    const clock = new VirtualClock();
    const recorder = createEventRecorder({ hooks, clock, logger: log.logger, self: { id: 'id-a', name: 'a' }, journal, memory: 100 });
    for (let i = 0; i < 150; i++) hooks.onStateChange.call({ from: 'Live', to: 'Slave', reason: `r${i}` });
    const seen: number[] = [];
    let after = 0;
    for (;;) {
      const page = await recorder.query({ after, limit: 40 });
      if (page.length === 0) break;
      seen.push(...page.map((e) => e.seq));
      after = page[page.length - 1].seq;
    }
    expect(seen).toEqual(Array.from({ length: 3150 }, (_, i) => i + 1));
    expect(reads).toHaveBeenCalledTimes(1);
    clock.advance(20_000); // the copy is let go after a while
    await recorder.query({ after: 5, limit: 1 });
    expect(reads).toHaveBeenCalledTimes(2);
    await recorder.close();
  });

  it('reads the last sequence number from the rotated file when the current one is empty, skipping a torn last line', () => {
    const file = path.join(dir, 'events.jsonl');
    fs.writeFileSync(`${file}.1`, `${JSON.stringify(event(41))}\n${JSON.stringify(event(42))}\n{"time":17900`);
    fs.writeFileSync(file, '');
    const journal = openJournal({ file, logger: createTestLogger().logger });
    expect(journal.lastSeqAtOpen).toBe(42);
  });

  it('a path that cannot be written: a clear error naming it, and the node runs on with events in memory', async () => {
    const blocker = path.join(dir, 'not-a-folder');
    fs.writeFileSync(blocker, 'a file where the journal folder should be');
    const file = path.join(blocker, 'events.jsonl');
    expect(() => openJournal({ file, logger: createTestLogger().logger })).toThrow(JournalError);
    expect(() => openJournal({ file, logger: createTestLogger().logger })).toThrow(`event journal ${file} cannot be written`);
    const { hooks, recorder, log } = nodeEvents(file);
    const errors = log.find('error', file);
    expect(errors).toHaveLength(1);
    expect(errors[0].msg).toMatch(/events are kept in memory only \(node\.journal\)/);
    hooks.onStateChange.call({ from: 'Live', to: 'Slave', reason: 'still recorded' });
    expect((await recorder.query({})).map((e) => e.message)).toEqual(['runner state Live -> Slave: still recorded']);
  });

  it('a write that fails later (disk full: /dev/full) is logged once naming the path; events stay in memory', async () => {
    const { hooks, recorder, log } = nodeEvents('/dev/full');
    hooks.onStateChange.call({ from: 'Live', to: 'Slave', reason: 'one' });
    hooks.onStateChange.call({ from: 'Slave', to: 'Live', reason: 'two' });
    await recorder.close();
    const errors = log.find('error', 'event journal /dev/full: writing failed');
    expect(errors).toHaveLength(1);
    expect(errors[0].msg).toMatch(/ENOSPC.*events are kept in memory only/);
    hooks.onStateChange.call({ from: 'Live', to: 'Slave', reason: 'three' });
    expect((await recorder.query({})).map((e) => e.data.reason)).toEqual(['one', 'two', 'three']);
  });

  it('refuses a relative path (the loader resolves relative paths against the config file)', () => {
    expect(() => openJournal({ file: 'events.jsonl', logger: createTestLogger().logger })).toThrow("event journal 'events.jsonl' is not an absolute path");
  });

  it('appending does not wait for the disk: a burst of 1500 events queues in well under 100 ms, and all reach the file', async () => {
    const file = path.join(dir, 'events.jsonl');
    const journal = openJournal({ file, logger: createTestLogger().logger });
    const started = performance.now();
    for (let i = 1; i <= 1500; i++) journal.append(event(i));
    const took = performance.now() - started;
    await journal.close();
    expect(took).toBeLessThan(100);
    expect(parseJournalText(fs.readFileSync(file, 'utf8')).map((e) => e.seq)).toEqual(Array.from({ length: 1500 }, (_, i) => i + 1));
  });
});

describe('node.journal in koi.conf', () => {
  const load = async (value?: string) => {
    const file = path.join(dir, 'koi.conf');
    fs.writeFileSync(file, `node {\n${value !== undefined ? `  journal ${value}\n` : ''}}\ncluster {\n  password "a-long-enough-password"\n}\n`);
    return (await loadConfig({ files: [file], systemConfigPath: path.join(dir, 'none.conf') })).config.node.journal;
  };

  it('defaults to /var/lib/koi/events.jsonl, resolves a relative path against the file, keeps the word off', async () => {
    expect(await load()).toBe('/var/lib/koi/events.jsonl');
    expect(await load('state/events.jsonl')).toBe(path.join(dir, 'state', 'events.jsonl'));
    expect(await load('off')).toBe('off');
    expect(await load('/srv/koi/events.jsonl')).toBe('/srv/koi/events.jsonl');
  });
});
