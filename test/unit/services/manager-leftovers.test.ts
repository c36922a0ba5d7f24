/**
 * Issue 10 case 7: a koinode that crashed left services promoted (and
 * running). The next daemon's start-up sweep (recoverLeftovers) must demote
 * what is promoted, in descending priority, before the node takes part, and
 * adopt what runs, so it is neither started again nor stopped while the
 * runner is still Disconnected. Measured from the fake executor's events.
 */
import { stateOf } from './helpers';
import { managerRig, type ManagerRig } from './virtual-rig';

let rig: ManagerRig | undefined;
afterEach(async () => {
  await rig?.manager.close();
  rig = undefined;
});

/** What a crashed master leaves: 10-vip and 20-db promoted, 30-web running, 40-batch stopped. */
function crashedMaster(): ManagerRig {
  return managerRig((ex) => {
    ex.add('10-vip', { priority: 10, running: true, promoted: true });
    ex.add('20-db', { priority: 20, running: true, promoted: true });
    ex.add('30-web', { priority: 30, running: true });
    ex.add('40-batch', { priority: 40 });
  });
}

test('the sweep checks every status, then demotes leftovers in descending priority, before start()', async () => {
  rig = crashedMaster();
  const { manager, executor } = rig;
  await rig.until(manager.recoverLeftovers());
  expect(executor.sequence()).toEqual([
    '10-vip:status', '20-db:status', '30-web:status', '40-batch:status', // in parallel
    '20-db:demote', '10-vip:demote',
  ]);
  // The statuses ran side by side, the demotes one after the other.
  expect(new Set(executor.times('status')).size).toBe(1);
  expect(executor.times('demote', '10-vip')[0]).toBeGreaterThanOrEqual(executor.log.find((r) => r.service === '20-db' && r.event === 'demote' && r.phase === 'end')!.at);
  expect([...executor.services.values()].some((s) => s.promoted)).toBe(false);
  expect(manager.anyPromoted()).toBe(false);
  expect(manager.summary()).toEqual([
    { name: '10-vip', state: 'Started' }, { name: '20-db', state: 'Started' },
    { name: '30-web', state: 'Started' }, { name: '40-batch', state: 'Stopped' },
  ]);
  // One line per leftover found.
  expect(rig.logger.find('warn', 'start-up sweep:').map((r) => r.service)).toEqual(['10-vip', '20-db', '30-web']);
});

test('adopted services are neither stopped while Disconnected nor started again when the node goes Live', async () => {
  rig = crashedMaster();
  const { manager, executor } = rig;
  await rig.until(manager.recoverLeftovers());
  manager.start();
  manager.setContext({ state: 'Disconnected', promoted: false, masterName: '' });
  await rig.run(25_000); // two status rounds with the initial Stop target
  expect(executor.times('stop')).toEqual([]);
  manager.setContext({ state: 'Live', promoted: false, masterName: '' });
  manager.setTarget('Start');
  await rig.run(1000);
  expect(executor.sequence().filter((e) => e.endsWith(':start'))).toEqual(['40-batch:start']);
  expect(executor.times('start', '40-batch').length).toBe(1);
  expect(manager.settled()).toBe(true);
  expect(manager.promotable()).toBe(true);
});

test('the hold ends when the runner goes Stopped: it stops the adopted services', async () => {
  rig = crashedMaster();
  const { manager, executor } = rig;
  await rig.until(manager.recoverLeftovers());
  manager.start();
  await rig.run(100);
  manager.setContext({ state: 'Stopped', promoted: false, masterName: '' });
  await rig.run(1000);
  expect(executor.times('stop').length).toBe(3);
  expect(manager.settled()).toBe(true);
});

test('a leftover whose demote fails stays Promoted, and the first target demotes it again', async () => {
  rig = managerRig((ex) => {
    ex.add('10-vip', { priority: 10, running: true, promoted: true, failEvents: new Set(['demote']) });
  });
  const { manager, executor } = rig;
  await rig.until(manager.recoverLeftovers());
  expect(stateOf(manager, '10-vip')).toBe('Promoted');
  expect(manager.anyPromoted()).toBe(true);
  executor.services.get('10-vip')!.failEvents.clear();
  manager.start();
  await rig.run(1000);
  expect(executor.times('demote').length).toBe(2);
  expect(executor.services.get('10-vip')!.promoted).toBe(false);
});

test('in maintenance mode the sweep runs no script and says so', async () => {
  rig = managerRig((ex) => {
    ex.add('10-vip', { running: true, promoted: true });
  }, (config) => { config.node.maintenance = true; });
  await rig.until(rig.manager.recoverLeftovers());
  expect(rig.executor.sequence()).toEqual([]);
  expect(rig.logger.find('warn', 'start-up sweep skipped')).toHaveLength(1);
});

test('a service without a status script is left Stopped: its start runs as usual', async () => {
  rig = managerRig((ex) => {
    ex.add('50-null', { running: true, noStatus: true });
  });
  await rig.until(rig.manager.recoverLeftovers());
  expect(stateOf(rig.manager, '50-null')).toBe('Stopped');
  rig.manager.start();
  rig.manager.setTarget('Start');
  await rig.run(500);
  expect(rig.executor.times('start', '50-null').length).toBe(1);
});

test('status 0 ("OK") tells nothing about a stopped service: it is left Stopped and started as usual', async () => {
  rig = managerRig((ex) => {
    ex.add('60-ping', { statusCode: 0 });
  });
  await rig.until(rig.manager.recoverLeftovers());
  expect(stateOf(rig.manager, '60-ping')).toBe('Stopped');
  rig.manager.start();
  rig.manager.setTarget('Start');
  await rig.run(500);
  expect(rig.executor.times('start', '60-ping').length).toBe(1);
});
