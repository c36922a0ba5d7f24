/**
 * A target that starts services rescans the folder first: a service removed
 * since the last status round (e.g. while the node was Failed, then
 * `koi recover`) is dropped, not "started" from memory and then failed by its
 * status. An event whose service or script vanished says so in its reason.
 */
import { existsSync, readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import type { ServiceEntry } from '../../../plugin-api';
import { folderLister } from '../../../core/services/folder';
import { cleanup, harness, serviceDir, stateOf, tempDir, testConfig, waitFor, type Harness } from './helpers';

let folder: string;
let work: string;
let h: Harness | undefined;

beforeEach(() => {
  folder = tempDir();
  work = tempDir('koi-work-');
});

afterEach(async () => {
  await h?.manager.close();
  h = undefined;
  cleanup(folder);
  cleanup(work);
});

function events(log: string): string[] {
  return existsSync(log) ? readFileSync(log, 'utf8').trim().split('\n').filter(Boolean) : [];
}

async function settle(target: 'Start' | 'Promote' | 'Fail'): Promise<void> {
  h!.manager.setTarget(target);
  await waitFor(() => h!.manager.settled(), `services settled at ${target}`);
}

/** A started node with `10-db` (start, status) and `50-web` (status only: its start is an instant success). */
async function twoServicesStarted(log: string, listEntries?: () => Promise<ServiceEntry[]>): Promise<void> {
  serviceDir(folder, '10-db', { start: `echo "start 10-db" >> ${log}`, status: `echo "status 10-db" >> ${log}; exit 91` });
  serviceDir(folder, '50-web', { status: `echo "status 50-web" >> ${log}; exit 91` });
  // No status round during the test: only the target changes may rescan.
  h = harness(testConfig(folder, {}, 600_000), undefined, listEntries);
  h.manager.start();
  await settle('Start');
  await waitFor(() => h!.manager.promotable(), 'the first status checks');
}

test('a service removed while the node is Failed is dropped at recovery, not started from memory', async () => {
  const log = join(work, 'events.log');
  await twoServicesStarted(log);
  await settle('Fail');
  rmSync(join(folder, '50-web'), { recursive: true });

  await settle('Start'); // koi recover: the runner sets the Start target at once
  await waitFor(() => h!.manager.promotable(), 'the status check after the restart');
  expect(h!.manager.summary()).toEqual([{ name: '10-db', state: 'Started' }]);
  expect(h!.failures).toEqual([]);
  // 50-web ran no event after its removal.
  const startsAfterFail = h!.reports.slice(h!.reports.findIndex((r) => r.event === 'failed')).filter((r) => r.service === '50-web');
  expect(startsAfterFail.map((r) => r.event)).toEqual(['failed', 'stop']);
  expect(h!.logger.find('info', 'service 50-web removed from the folder')).toHaveLength(1);
});

test('a scan already running when the target changes (listing taken before the removal) is followed by a fresh one', async () => {
  const log = join(work, 'events.log');
  const real = folderLister(folder);
  let hold: Promise<void> | null = null;
  // The listing is read, then the scan stalls until the test lets it go: its result predates the removal.
  const lister = async (): Promise<ServiceEntry[]> => {
    const entries = await real();
    if (hold) await hold;
    return entries;
  };
  await twoServicesStarted(log, lister);
  await settle('Fail');

  let release!: () => void;
  hold = new Promise<void>((resolve) => { release = resolve; });
  h!.manager.setTarget('Stop'); // no scan: Stop starts nothing
  h!.manager.setTarget('Demote'); // scan 1 reads the listing with 50-web, then waits
  await new Promise((r) => setTimeout(r, 50));
  rmSync(join(folder, '50-web'), { recursive: true });
  h!.manager.setTarget('Start'); // scan 1 is running: another must follow it
  expect(h!.manager.settled()).toBe(false);
  hold = null;
  release();
  await waitFor(() => h!.manager.settled(), 'services settled at Start');
  await waitFor(() => h!.manager.promotable(), 'the status check after the restart');
  expect(h!.manager.summary()).toEqual([{ name: '10-db', state: 'Started' }]);
  expect(h!.failures).toEqual([]);
});

test('a status whose service was removed after the last scan fails with a reason saying so', async () => {
  // The start removes the whole service: the status right after it (no rescan in between) finds nothing to run.
  serviceDir(folder, '50-web', { start: `rm -rf ${join(folder, '50-web')}`, status: 'exit 91' });
  h = harness(testConfig(folder, {}, 600_000));
  h.manager.start();
  h.manager.setTarget('Start');
  await waitFor(() => h!.failures.length > 0, 'the status failure');
  expect(h.failures[0]!.service).toBe('50-web');
  expect(h.failures[0]!.reason).toContain(
    `50-web: status failed (service 50-web was removed from the service folder after the last scan (${join(folder, '50-web')} is gone); spawn`);
});

test('a status whose script was removed after the last scan fails with a reason saying so', async () => {
  serviceDir(folder, '50-web', { start: 'rm -f status', status: 'exit 91' });
  h = harness(testConfig(folder, {}, 600_000));
  h.manager.start();
  h.manager.setTarget('Start');
  await waitFor(() => h!.failures.length > 0, 'the status failure');
  expect(h.failures[0]!.reason).toContain('50-web: status failed (the status script of 50-web vanished after the last scan; spawn');
});
