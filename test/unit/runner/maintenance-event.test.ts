/**
 * Issue 10 case 10(b) with the runner: maintenance switched on while the
 * master's promote runs, and that promote then fails (the operator is working
 * on the application). Before: the node went Failed, its `failed` and `stop`
 * were only presumed, and the address stayed up on a Failed node. Now the
 * node stays master, and when maintenance ends the service's status decides.
 */
import { runnerRig, type RunnerRig } from './harness';

let rig: RunnerRig | undefined;
afterEach(async () => {
  await rig?.close();
  rig = undefined;
});

test('a promote failing after maintenance went on does not fail the node; after maintenance the master holds the role', async () => {
  const r = runnerRig((config) => { config.service.auto_recover = 3; }, (executor) => {
    executor.add('10-vip', { priority: 10, durations: { promote: 2000 }, failEvents: new Set(['promote']) });
  });
  rig = r;
  r.runner.start();
  r.runner.leaderKnown(true);
  await r.run(1000);
  r.name('node-a');
  await r.run(500);
  expect(r.executor.times('promote')).toHaveLength(1);
  r.name('node-a', true); // maintenance on while the promote runs
  for (let i = 0; i < 10; i++) {
    await r.run(1000);
    r.name('node-a', true);
  }
  expect(r.logger.find('info', 'Transition[Master -> Failed]')).toEqual([]);
  expect(r.logger.find('error', 'service failed')).toEqual([]);
  expect(r.health.at(-1)).toMatchObject({ state: 'Master', promoted: true });

  r.executor.services.get('10-vip')!.failEvents.clear(); // the operator is done
  r.name('node-a', false);
  await r.run(1000);
  // It really holds the role (the failed promote had taken the address): status 90 on the master, kept.
  expect(r.executor.services.get('10-vip')!.promoted).toBe(true);
  expect(r.runner.state).toBe('Master');
  expect(r.executor.sequence().filter((e) => !e.endsWith(':status'))).toEqual(['10-vip:start', '10-vip:promote']);
});
