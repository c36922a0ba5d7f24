/**
 * Issue 10 case 10: maintenance mode presumes every event, so the manager's
 * states stop telling the truth. (a) When maintenance goes off, status is
 * checked at once (not at the next round, status_interval is 10 s here), a
 * service that really is still promoted on a non-master is demoted, and until
 * that check anyPromoted() stays true for what a presumed event "demoted".
 * (b) A real event running when maintenance goes on never becomes a node
 * failure. The fake executor keeps what each service really is.
 */
import type { TargetAction } from '../../../plugin-api';
import { stateOf } from './helpers';
import { managerRig, type ManagerRig } from './virtual-rig';

let rig: ManagerRig | undefined;
afterEach(async () => {
  await rig?.manager.close();
  rig = undefined;
});

async function settleAt(r: ManagerRig, target: TargetAction): Promise<void> {
  r.manager.setTarget(target);
  await r.run(1000);
  expect(r.manager.settled()).toBe(true);
}

function twoServices(configure?: Parameters<typeof managerRig>[1]): ManagerRig {
  return managerRig((ex) => {
    ex.add('10-vip', { priority: 10 });
    ex.add('20-db', { priority: 20 });
  }, configure);
}

const reallyPromoted = (r: ManagerRig): string[] => [...r.executor.services].filter(([, s]) => s.promoted).map(([n]) => n);

describe('(a) maintenance off after a presumed demote', () => {
  test('anyPromoted() holds through the presumed demote; maintenance off demotes at once', async () => {
    rig = twoServices();
    rig.manager.start();
    await settleAt(rig, 'Promote');
    rig.manager.setMaintenance(true);
    rig.manager.setTarget('Start'); // no longer master: the demote is only presumed
    await rig.run(500);
    expect(stateOf(rig.manager, '10-vip')).toBe('Started');
    expect(reallyPromoted(rig)).toEqual(['10-vip', '20-db']);
    expect(rig.manager.anyPromoted()).toBe(true); // the leader's guard must keep holding elections

    const off = rig.clock.now();
    rig.manager.setMaintenance(false);
    expect(rig.manager.anyPromoted()).toBe(true);
    await rig.run(500);
    const demotes = rig.executor.times('demote');
    expect(rig.executor.sequence().slice(-2)).toEqual(['20-db:demote', '10-vip:demote']);
    expect(Math.max(...demotes) - off).toBeLessThan(200); // not at the next round (10 s)
    expect(reallyPromoted(rig)).toEqual([]);
    expect(rig.manager.anyPromoted()).toBe(false);
    expect(rig.manager.settled()).toBe(true);
  });

  test('a presumed stop: the stopped service answering 90 is demoted, then really stopped', async () => {
    rig = twoServices();
    rig.manager.start();
    await settleAt(rig, 'Promote');
    rig.manager.setMaintenance(true);
    rig.manager.setTarget('Stop');
    await rig.run(500);
    expect(stateOf(rig.manager, '20-db')).toBe('Stopped');
    expect(rig.manager.anyPromoted()).toBe(true);
    rig.manager.setMaintenance(false);
    await rig.run(500);
    const after = rig.executor.sequence().slice(-4);
    expect(after.filter((e) => e.endsWith(':demote'))).toEqual(['20-db:demote', '10-vip:demote']);
    expect(after.filter((e) => e.endsWith(':stop'))).toEqual(['20-db:stop', '10-vip:stop']);
    expect(after.indexOf('10-vip:demote')).toBeLessThan(after.indexOf('10-vip:stop'));
    expect(rig.executor.services.get('10-vip')!.running).toBe(false);
    expect(rig.manager.anyPromoted()).toBe(false);
  });

  test('on the master a presumed promote is made real after maintenance', async () => {
    rig = twoServices();
    rig.manager.start();
    await settleAt(rig, 'Start');
    rig.manager.setMaintenance(true);
    rig.manager.setTarget('Promote');
    await rig.run(500);
    expect(stateOf(rig.manager, '20-db')).toBe('Promoted');
    expect(reallyPromoted(rig)).toEqual([]); // presumed: no script ran
    const off = rig.clock.now();
    rig.manager.setMaintenance(false);
    await rig.run(500);
    expect(reallyPromoted(rig)).toEqual(['10-vip', '20-db']);
    expect(Math.max(...rig.executor.times('promote')) - off).toBeLessThan(200);
  });

  test('nothing promoted before or during maintenance: anyPromoted() stays false', async () => {
    rig = twoServices();
    rig.manager.start();
    await settleAt(rig, 'Start');
    rig.manager.setMaintenance(true);
    await rig.run(25_000);
    expect(rig.manager.anyPromoted()).toBe(false);
    rig.manager.setMaintenance(false);
    expect(rig.manager.anyPromoted()).toBe(false);
  });
});

describe('(b) maintenance on while a real event runs', () => {
  test('a promote that fails after maintenance went on is no failure; the service is checked when it ends', async () => {
    rig = managerRig((ex) => {
      ex.add('10-vip', { priority: 10, durations: { promote: 2000 }, failEvents: new Set(['promote']) });
    });
    rig.manager.start();
    await settleAt(rig, 'Start');
    rig.manager.setTarget('Promote');
    await rig.run(500);
    rig.manager.setMaintenance(true);
    await rig.run(3000);
    expect(rig.failures).toEqual([]);
    expect(stateOf(rig.manager, '10-vip')).toBe('Promoted');
    expect(rig.manager.anyPromoted()).toBe(true);
    // The script took the address before it failed; the node stops being master after maintenance.
    rig.manager.setTarget('Start');
    rig.manager.setMaintenance(false);
    await rig.run(500);
    expect(rig.executor.services.get('10-vip')!.promoted).toBe(false);
    expect(rig.manager.anyPromoted()).toBe(false);
  });

  test('a promote aborted in maintenance (the node lost mastership) leaves no promoted service behind', async () => {
    rig = managerRig((ex) => {
      ex.add('10-vip', { priority: 10, durations: { promote: 2000 } });
    });
    rig.manager.start();
    await settleAt(rig, 'Start');
    rig.manager.setTarget('Promote');
    await rig.run(500);
    rig.manager.setMaintenance(true);
    rig.manager.setTarget('Start'); // aborts the promote; its demote is presumed
    await rig.run(500);
    expect(rig.executor.log.some((r) => r.event === 'promote' && r.aborted)).toBe(true);
    expect(rig.executor.services.get('10-vip')!.promoted).toBe(true);
    expect(rig.manager.anyPromoted()).toBe(true);
    rig.manager.setMaintenance(false);
    await rig.run(500);
    expect(rig.executor.services.get('10-vip')!.promoted).toBe(false);
    expect(rig.manager.anyPromoted()).toBe(false);
    expect(rig.failures).toEqual([]);
  });
});
