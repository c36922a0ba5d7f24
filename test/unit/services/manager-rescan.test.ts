/**
 * A target that starts services rescans the folder first: a service removed
 * since the last status round (e.g. while the node was Failed, then
 * `koi recover`) is dropped, not "started" from memory and then failed by its
 * status. An event whose service or script vanished says so in its reason.
 */
import { rmSync } from 'node:fs';
import { join } from 'node:path';
import type { ServiceEntry } from '../../../plugin-api';
import { folderLister } from '../../../core/services/folder';
import { harness, serviceDir, testConfig, useServiceFixture, waitFor } from './helpers';

const fx = useServiceFixture();

/** A started node with `10-db` (start, status) and `50-web` (status only: its start is an instant success). */
async function twoServicesStarted(log: string, listEntries?: () => Promise<ServiceEntry[]>): Promise<void> {
  serviceDir(fx.folder, '10-db', { start: `echo "start 10-db" >> ${log}`, status: `echo "status 10-db" >> ${log}; exit 91` });
  serviceDir(fx.folder, '50-web', { status: `echo "status 50-web" >> ${log}; exit 91` });
  // No status round during the test: only the target changes may rescan.
  fx.h = harness(testConfig(fx.folder, {}, 600_000), undefined, listEntries);
  fx.h.manager.start();
  await fx.settle('Start');
  await waitFor(() => fx.h!.manager.promotable(), 'the first status checks');
}

test('a service removed while the node is Failed is dropped at recovery, not started from memory', async () => {
  const log = join(fx.work, 'events.log');
  await twoServicesStarted(log);
  await fx.settle('Fail');
  rmSync(join(fx.folder, '50-web'), { recursive: true });

  await fx.settle('Start'); // koi recover: the runner sets the Start target at once
  await waitFor(() => fx.h!.manager.promotable(), 'the status check after the restart');
  expect(fx.h!.manager.summary()).toEqual([{ name: '10-db', state: 'Started' }]);
  expect(fx.h!.failures).toEqual([]);
  // 50-web ran no event after its removal.
  const startsAfterFail = fx.h!.reports.slice(fx.h!.reports.findIndex((r) => r.event === 'failed')).filter((r) => r.service === '50-web');
  expect(startsAfterFail.map((r) => r.event)).toEqual(['failed', 'stop']);
  expect(fx.h!.logger.find('info', 'service 50-web removed from the folder')).toHaveLength(1);
});

test('a scan already running when the target changes (listing taken before the removal) is followed by a fresh one', async () => {
  const log = join(fx.work, 'events.log');
  const real = folderLister(fx.folder);
  let hold: Promise<void> | null = null;
  // The listing is read, then the scan stalls until the test lets it go: its result predates the removal.
  const lister = async (): Promise<ServiceEntry[]> => {
    const entries = await real();
    if (hold) await hold;
    return entries;
  };
  await twoServicesStarted(log, lister);
  await fx.settle('Fail');

  let release!: () => void;
  hold = new Promise<void>((resolve) => { release = resolve; });
  fx.h!.manager.setTarget('Stop'); // no scan: Stop starts nothing
  fx.h!.manager.setTarget('Demote'); // scan 1 reads the listing with 50-web, then waits
  await new Promise((r) => setTimeout(r, 50));
  rmSync(join(fx.folder, '50-web'), { recursive: true });
  fx.h!.manager.setTarget('Start'); // scan 1 is running: another must follow it
  expect(fx.h!.manager.settled()).toBe(false);
  hold = null;
  release();
  await waitFor(() => fx.h!.manager.settled(), 'services settled at Start');
  await waitFor(() => fx.h!.manager.promotable(), 'the status check after the restart');
  expect(fx.h!.manager.summary()).toEqual([{ name: '10-db', state: 'Started' }]);
  expect(fx.h!.failures).toEqual([]);
});

test('a status whose service was removed after the last scan fails with a reason saying so', async () => {
  // The start removes the whole service: the status right after it (no rescan in between) finds nothing to run.
  serviceDir(fx.folder, '50-web', { start: `rm -rf ${join(fx.folder, '50-web')}`, status: 'exit 91' });
  fx.h = harness(testConfig(fx.folder, {}, 600_000));
  fx.h.manager.start();
  fx.h.manager.setTarget('Start');
  await waitFor(() => fx.h!.failures.length > 0, 'the status failure');
  expect(fx.h.failures[0]!.service).toBe('50-web');
  expect(fx.h.failures[0]!.reason).toContain(
    `50-web: status failed (service 50-web was removed from the service folder after the last scan (${join(fx.folder, '50-web')} is gone); spawn`);
});

test('a status whose script was removed after the last scan fails with a reason saying so', async () => {
  serviceDir(fx.folder, '50-web', { start: 'rm -f status', status: 'exit 91' });
  fx.h = harness(testConfig(fx.folder, {}, 600_000));
  fx.h.manager.start();
  fx.h.manager.setTarget('Start');
  await waitFor(() => fx.h!.failures.length > 0, 'the status failure');
  expect(fx.h.failures[0]!.reason).toContain('50-web: status failed (the status script of 50-web vanished after the last scan; spawn');
});
