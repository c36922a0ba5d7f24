import { createHooks } from '../../../core/hooks';
import { createTestLogger } from '../../helpers/logger';

describe('hook isolation (core/hooks.ts)', () => {
  it('a throwing sync tap is logged with its name and the other taps still run', () => {
    const capture = createTestLogger();
    const hooks = createHooks(capture.logger);
    const ran: string[] = [];
    hooks.onStateChange.tap('first', () => { ran.push('first'); });
    hooks.onStateChange.tap('broken-plugin', () => { throw new Error('oops'); });
    hooks.onStateChange.tap('last', () => { ran.push('last'); });
    expect(() => hooks.onStateChange.call({ from: 'Stopped', to: 'Live', reason: 'test' })).not.toThrow();
    expect(ran).toEqual(['first', 'last']);
    const [record] = capture.find('error', 'plugin broken-plugin failed in onStateChange: oops');
    expect(record).toMatchObject({ plugin: 'broken-plugin', hook: 'onStateChange', component: 'hooks' });
  });

  it('a rejecting promise tap does not stop a bail hook from asking the next tap', async () => {
    const capture = createTestLogger();
    const hooks = createHooks(capture.logger);
    hooks.onAdminCommand.tapPromise('rejects', async () => { throw new Error('nope'); });
    hooks.onAdminCommand.tapPromise('answers', async () => ({ exitCode: 0, text: 'ok' }));
    await expect(hooks.onAdminCommand.promise({ command: 'x', args: [], from: '' })).resolves.toEqual({ exitCode: 0, text: 'ok' });
    expect(capture.find('error', 'plugin rejects failed in onAdminCommand: nope')).toHaveLength(1);
  });

  it('a callback-style tap that errors is isolated too', async () => {
    const capture = createTestLogger();
    const hooks = createHooks(capture.logger);
    const ran: string[] = [];
    hooks.onShutdown.tapAsync('cb', (_info, done) => done(new Error('cb failed')));
    hooks.onShutdown.tapPromise('after', async () => { ran.push('after'); });
    await hooks.onShutdown.promise({ reason: 'test' });
    expect(ran).toEqual(['after']);
    expect(capture.find('error', 'plugin cb failed in onShutdown: cb failed')).toHaveLength(1);
  });
});
