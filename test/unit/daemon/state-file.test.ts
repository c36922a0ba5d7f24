/**
 * core/daemon/state-file.ts: `node.state_file` keeps the last master this machine saw across restarts (R8).
 * Real files in a temporary folder: a round trip, a missing file (nothing said), a file that is not ours
 * (a warning naming it, nothing lost: it is rewritten at the next master), and one that cannot be written
 * (an error naming it, once; the node runs on).
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import path from 'node:path';
import { FileMachineMemory, parseStateFile } from '../../../core/daemon/state-file';
import { createTestLogger } from '../../helpers/logger';

let dir: string;
beforeEach(() => { dir = fs.mkdtempSync(path.join(os.tmpdir(), 'koi-state-')); });
afterEach(() => fs.rmSync(dir, { recursive: true, force: true }));

const settle = async (): Promise<void> => { for (let i = 0; i < 20; i++) await new Promise((r) => setImmediate(r)); };
async function until(check: () => boolean): Promise<void> {
  for (let i = 0; i < 200 && !check(); i++) await new Promise((r) => setTimeout(r, 5));
}

test('what one process saves, the next one loads (the folder is created like the journal\'s)', async () => {
  const file = path.join(dir, 'sub', 'state.json');
  const first = new FileMachineMemory(file, createTestLogger().logger);
  first.saveKnownMaster({ id: 'a1', name: 'n1', wallAt: 1_000, from: 'l1', writerId: 'w1' });
  first.saveKnownMaster({ id: 'b2', name: 'n2', wallAt: 2_000, from: 'l1', writerId: 'w1' }); // coalesced: the last one wins
  await until(() => fs.existsSync(file) && parseStateFile(fs.readFileSync(file, 'utf8'))?.id === 'b2');
  const { logger, records } = createTestLogger();
  expect(new FileMachineMemory(file, logger).loadKnownMaster()).toEqual({ id: 'b2', name: 'n2', wallAt: 2_000, from: 'l1', writerId: 'w1' });
  expect(records.filter((r) => r.level !== 'debug')).toEqual([]);
  expect(fs.existsSync(`${file}.tmp`)).toBe(false);
});

test('no file yet: nothing remembered, nothing said', () => {
  const { logger, records } = createTestLogger();
  expect(new FileMachineMemory(path.join(dir, 'state.json'), logger).loadKnownMaster()).toBeNull();
  expect(records).toEqual([]);
});

test('a file that is not a koi state file: a warning naming it, and nothing remembered', () => {
  const file = path.join(dir, 'state.json');
  for (const text of ['{"format":1,"knownMaster":{"id":"","name":"x","wallAt":1}}', 'not json', '{"format":2,"knownMaster":{"id":"a","name":"b","wallAt":1}}']) {
    fs.writeFileSync(file, text);
    const capture = createTestLogger();
    expect(new FileMachineMemory(file, capture.logger).loadKnownMaster()).toBeNull();
    expect(capture.find('warn').map((r) => r.msg)).toEqual([expect.stringContaining(`state file ${file}: not a koi state file`)]);
  }
});

test('a file that cannot be written: one error naming it per run of failures, and the next save tries again', async () => {
  const blocker = path.join(dir, 'blocker');
  fs.writeFileSync(blocker, 'a file where a folder should be');
  const file = path.join(blocker, 'state.json');
  const capture = createTestLogger();
  const memory = new FileMachineMemory(file, capture.logger);
  const master = { id: 'a1', name: 'n1', wallAt: 1, from: '', writerId: 'w1' };
  memory.saveKnownMaster(master);
  await until(() => capture.find('error').length > 0);
  memory.saveKnownMaster({ ...master, id: 'a2' });
  await settle();
  await new Promise((r) => setTimeout(r, 50));
  expect(capture.find('error').map((r) => r.msg)).toEqual([expect.stringContaining(`state file ${file}: cannot write it`)]);
  // The folder becomes writable (a disk freed, a remount): the next save lands.
  fs.rmSync(blocker);
  memory.saveKnownMaster({ ...master, id: 'a3' });
  await until(() => fs.existsSync(file));
  expect(new FileMachineMemory(file, createTestLogger().logger).loadKnownMaster()).toMatchObject({ id: 'a3' });
  expect(capture.find('info', 'written again')).toHaveLength(1);
});
