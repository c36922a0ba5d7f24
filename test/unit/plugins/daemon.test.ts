/**
 * The Daemon in-process with a fake node: start, live reload, a refused
 * reload keeping the old config, in-process restart, shutdown order, and
 * start failures with their exit codes.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { RealClock } from '../../../core/clock';
import { Daemon, DaemonError, startFailure } from '../../../core/daemon';
import type { DaemonNode, NodeModule, NodeOptions } from '../../../core/daemon';
import type { KoiConfig } from '../../../plugin-api';
import { tempDir, writeFiles } from './fixtures';

const fakeProviders = `
const events = (global.__koiDaemonEvents = global.__koiDaemonEvents || []);
module.exports = { name: 'fake-providers', options: { tag: { type: 'string', description: 't', default: 'x' } }, apply(koi, o) {
  events.push('apply ' + o.tag);
  koi.provide.transport({ name: 'fake', maxDatagramSize: 1400, start: async () => {}, broadcast() {}, sendTo() {}, localAddresses: () => [], close: async () => {} });
  koi.provide.cipher({ name: 'plain', overhead: 0, seal: (h, p) => p, open: (h, s) => s });
  koi.provide.executor({ kind: 'fake', probe: async () => null, run: async () => ({ code: 0, timedOut: false, aborted: false, durationMs: 0 }) });
  koi.hooks.onShutdown.tapPromise('fake-providers', async (i) => { events.push('onShutdown ' + i.reason); });
  koi.hooks.onConfigReload.tapPromise('fake-providers', async (r) => { events.push('onConfigReload restart=' + r.restart); });
  koi.onClose(() => { events.push('close ' + o.tag); });
} };`;

function conf(opts: { port?: number; loglevel?: string; extra?: string; plugin?: string } = {}): string {
  return `node {
  name testnode
  port ${opts.port ?? 42100}
  loglevel ${opts.loglevel ?? 'info'}
  ${opts.extra ?? ''}
}
cluster {
  id 7
  password "secret-password"
  transport "127.0.0.1"
}
service {
  folder services
}
plugins {
  ${opts.plugin ?? '"./fake-providers.js" { tag one }'}
}
`;
}

function fakeNodeModule(events: string[], nodes: Array<{ options: NodeOptions; applied: KoiConfig[] }>): NodeModule {
  return {
    create(options) {
      const record = { options, applied: [] as KoiConfig[] };
      nodes.push(record);
      const node: DaemonNode = {
        start: async () => { events.push(`node${nodes.length} start`); },
        applyConfig: async (c) => { record.applied.push(c); events.push(`node${nodes.length} apply`); },
        // Like KoiNode: stop the services, then fire onShutdown (the node owns onStart/onShutdown).
        stop: async (reason) => {
          events.push(`node stop (${reason})`);
          await options.hooks.onShutdown.promise({ reason });
        },
      };
      return node;
    },
    checkClusterConfig: (config) => (config.cluster.id === 666
      ? { errors: ['cluster.id: 666 is refused by the timing check'], warnings: [] }
      : { errors: [], warnings: [] }),
  };
}

async function until(predicate: () => boolean, ms = 3000): Promise<void> {
  const started = Date.now();
  while (!predicate()) {
    if (Date.now() - started > ms) throw new Error('condition not reached');
    await new Promise((r) => setTimeout(r, 10));
  }
}

describe('Daemon', () => {
  let dir: string;
  let confFile: string;
  let logFile: string;
  let events: string[];
  const g = global as unknown as { __koiDaemonEvents: string[] };

  beforeEach(() => {
    dir = tempDir('daemon');
    confFile = path.join(dir, 'koi.conf');
    logFile = path.join(dir, 'koi.log');
    fs.mkdirSync(path.join(dir, 'services'));
    writeFiles(dir, { 'fake-providers.js': fakeProviders });
    g.__koiDaemonEvents = events = [];
  });
  afterEach(() => fs.rmSync(dir, { recursive: true, force: true }));

  const makeDaemon = (nodes: Array<{ options: NodeOptions; applied: KoiConfig[] }> = []) => new Daemon({
    files: [confFile], cwd: dir, log: [`file:${logFile}`], clock: new RealClock(), defaults: false, nodeModule: fakeNodeModule(events, nodes),
  });

  it('starts, reloads live, refuses a broken file keeping the old config, restarts in-process, shuts down in order', async () => {
    fs.writeFileSync(confFile, conf());
    const nodes: Array<{ options: NodeOptions; applied: KoiConfig[] }> = [];
    const daemon = makeDaemon(nodes);
    await daemon.start();
    expect(events).toEqual(['apply one', 'node1 start']);
    expect(nodes[0].options.identity).toEqual({ id: daemon.identity.id, name: 'testnode' });
    expect(daemon.identity.id).toMatch(/^[0-9a-f-]{36}$/);

    // A live change: applyConfig + onConfigReload, no restart.
    fs.writeFileSync(confFile, conf({ loglevel: 'debug' }));
    await expect(nodes[0].options.reload()).resolves.toMatchObject({ ok: true, restart: false });
    expect(nodes[0].applied.map((c) => c.node.loglevel)).toEqual(['debug']);
    expect(events.slice(-2)).toEqual(['node1 apply', 'onConfigReload restart=false']);

    // A broken file: every problem reported as file:line, the old config kept.
    fs.writeFileSync(confFile, conf({ port: 0, extra: 'bogus 1' }));
    const refused = await daemon.reload();
    expect(refused.ok).toBe(false);
    expect(refused.problems).toEqual(expect.arrayContaining([
      expect.stringMatching(new RegExp(`^${confFile}:3: node.port: `)),
      expect.stringMatching(new RegExp(`^${confFile}:5: node.bogus: unknown key`)),
    ]));
    expect(daemon.config?.node.loglevel).toBe('debug');
    expect(nodes[0].applied).toHaveLength(1);

    // A timing-check error is refused the same way.
    fs.writeFileSync(confFile, conf().replace('id 7', 'id 666'));
    await expect(daemon.reload()).resolves.toEqual({ ok: false, problems: ['cluster.id: 666 is refused by the timing check'] });

    // A restart key: the reload answers at once, the restart follows.
    fs.writeFileSync(confFile, conf({ port: 42101, plugin: '"./fake-providers.js" { tag two }' }));
    await expect(daemon.reload()).resolves.toMatchObject({ ok: true, restart: true });
    await until(() => events.includes('node2 start'));
    expect(events.slice(events.indexOf('onConfigReload restart=true'))).toEqual([
      'onConfigReload restart=true', 'node stop (configuration restart)', 'onShutdown configuration restart', 'close one', 'apply two', 'node2 start',
    ]);
    expect(daemon.config?.node.port).toBe(42101);
    expect(nodes[1].options.identity.id).toBe(daemon.identity.id);

    await daemon.shutdown('signal SIGTERM');
    expect(events.slice(-3)).toEqual(['node stop (signal SIGTERM)', 'onShutdown signal SIGTERM', 'close two']);
    const log = fs.readFileSync(logFile, 'utf8');
    expect(log).toMatch(/INFO  \[daemon\] koinode testnode starting/);
    expect(log).toMatch(/ERROR \[daemon\] reload refused: .*node\.bogus: unknown key/);
    expect(log).toMatch(/restarting the node in-process/);
    expect(log).toMatch(/koinode stopped/);
  });

  it('a reload with a bad plugin option or a missing plugin is refused before anything changes (issue 17 item 2)', async () => {
    fs.writeFileSync(confFile, conf());
    const nodes: Array<{ options: NodeOptions; applied: KoiConfig[] }> = [];
    const daemon = makeDaemon(nodes);
    await daemon.start();
    fs.writeFileSync(confFile, conf({ plugin: '"./fake-providers.js" {\n    tag 1\n    colour red\n  }' }));
    const refused = await daemon.reload();
    expect(refused).toEqual({ ok: false, problems: [expect.stringContaining(`${confFile}:18: plugins../fake-providers.js.colour: unknown option (known: tag)`)] });
    fs.writeFileSync(confFile, conf({ plugin: '"./fake-providers.js" { tag one }\n  nosuch {}' }));
    const missing = await daemon.reload();
    expect(missing.ok).toBe(false);
    expect(missing.problems?.[0]).toMatch(new RegExp(`^${confFile}:17: plugin nosuch: not found`));
    // Nothing stopped, nothing restarted, the old configuration runs on.
    await new Promise((r) => setTimeout(r, 100));
    expect(events).toEqual(['apply one', 'node1 start']);
    expect(nodes).toHaveLength(1);
    await daemon.shutdown('test');
  });

  it('a missing plugin fails the start with exit 1 naming it; bad options exit 78 with file:line', async () => {
    fs.writeFileSync(confFile, conf({ plugin: 'nosuch {}' }));
    const err = await makeDaemon().start().then(() => null, (e: unknown) => startFailure(e));
    expect(err).toBeInstanceOf(DaemonError);
    expect(err?.exitCode).toBe(1);
    expect(err?.message).toMatch(/^plugin nosuch: not found; looked in: built-in .*koi-plugin-nosuch/);

    fs.writeFileSync(confFile, conf({ plugin: '"./fake-providers.js" {\n    tag 1\n    colour red\n  }' }));
    const bad = await makeDaemon().start().then(() => null, (e: unknown) => startFailure(e));
    expect(bad?.exitCode).toBe(78);
    expect(bad?.message).toContain(`${confFile}:18: plugins../fake-providers.js.colour: unknown option`);
    expect(events).toEqual([]);
  });

  it('a config error exits 78 with the config problems; a timing error too', async () => {
    fs.writeFileSync(confFile, conf({ port: 70000 }));
    const err = await makeDaemon().start().then(() => null, (e: unknown) => startFailure(e));
    expect(err?.exitCode).toBe(78);
    expect(err?.message).toMatch(new RegExp(`^${confFile}:3: node.port: `));
    fs.writeFileSync(confFile, conf().replace('id 7', 'id 666'));
    const timing = await makeDaemon().start().then(() => null, (e: unknown) => startFailure(e));
    expect(timing).toMatchObject({ exitCode: 78, message: 'cluster.id: 666 is refused by the timing check' });
  });

  it('a config file holding the password that others can read is warned about in the log at start and again on reload', async () => {
    fs.writeFileSync(confFile, conf());
    fs.chmodSync(confFile, 0o644);
    const daemon = makeDaemon();
    await daemon.start();
    const line = `${confFile} holds the cluster password and is readable by group and others (mode 0644); anyone who can read it controls the cluster: chmod 600 ${confFile}`;
    const count = (): number => fs.readFileSync(logFile, 'utf8').split('\n').filter((l) => l.includes(line) && l.includes('WARN')).length;
    await until(() => count() === 1);
    await daemon.reload();
    await until(() => count() === 2);
    fs.chmodSync(confFile, 0o600);
    await daemon.reload();
    await daemon.shutdown('test');
    expect(count()).toBe(2);
  });
});
