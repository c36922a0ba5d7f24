import { diffConfig } from '../../../core/config/diff';
import { defaultConfig } from '../../../core/config/defaults';
import { RESTART_KEYS, type KoiConfig } from '../../../plugin-api/config';

const base = (): KoiConfig => ({
  ...defaultConfig(),
  cluster: { id: 13, password: 'p', quorum: 0, transport: [{ kind: 'ipv4', host: '127.0.0.1', port: 42012, raw: '127.0.0.1' }] },
  plugins: [
    { name: 'udp', options: {}, origin: { file: 'a.conf', line: 3 }, baseDir: '/etc/koi' },
    { name: 'example', options: { greeting: 'hi' }, origin: { file: 'a.conf', line: 4 }, baseDir: '/etc/koi' },
  ],
});

describe('diffConfig', () => {
  it('identical configurations: nothing changed, no restart', () => {
    expect(diffConfig(base(), base())).toEqual({ changed: [], restart: false });
  });

  it('live keys change without restart', () => {
    const next = base();
    next.node.loglevel = 'debug';
    next.cluster.quorum = 2;
    next.time.status_interval = 5_000;
    next.service.start_timeout = 1_000;
    expect(diffConfig(base(), next)).toEqual({
      changed: ['cluster.quorum', 'node.loglevel', 'service.start_timeout', 'time.status_interval'],
      restart: false,
    });
  });

  it.each([
    ['node.port', (c: KoiConfig) => { c.node.port = 1; }],
    ['node.elector', (c: KoiConfig) => { c.node.elector = false; }],
    ['node.runner', (c: KoiConfig) => { c.node.runner = true; }],
    ['node.reuse_address', (c: KoiConfig) => { c.node.reuse_address = true; }],
    ['node.increment_port', (c: KoiConfig) => { c.node.increment_port = true; }],
    ['cluster.id', (c: KoiConfig) => { c.cluster.id = 14; }],
    ['cluster.password', (c: KoiConfig) => { c.cluster.password = 'q'; }],
    ['cluster.transport', (c: KoiConfig) => { c.cluster.transport = []; }],
    ['service.folder', (c: KoiConfig) => { c.service.folder = '/srv'; }],
    ['node.admin_socket', (c: KoiConfig) => { c.node.admin_socket = '/run/koi-b/koi.sock'; }],
    ['node.admin_group', (c: KoiConfig) => { c.node.admin_group = 'koiadm'; }],
    ['node.journal', (c: KoiConfig) => { c.node.journal = '/srv/koi/events.jsonl'; }],
    ['node.state_file', (c: KoiConfig) => { c.node.state_file = '/srv/koi/state.json'; }],
    ['plugins.example', (c: KoiConfig) => { c.plugins[1].options = { greeting: 'ho' }; }],
    ['plugins.udp', (c: KoiConfig) => { c.plugins.shift(); }],
    ['plugins.new', (c: KoiConfig) => { c.plugins.push({ name: 'new', options: {} }); }],
    ['plugins', (c: KoiConfig) => { c.plugins.reverse(); }],
  ])('%s needs a restart', (key, change) => {
    const next = base();
    change(next);
    const diff = diffConfig(base(), next);
    expect(diff.changed).toEqual([key]);
    expect(diff.restart).toBe(true);
  });

  it('covers every RESTART_KEY of the plugin API', () => {
    const tested = ['node.port', 'node.elector', 'node.runner', 'node.reuse_address', 'node.increment_port', 'node.admin_socket', 'node.admin_group', 'node.journal',
      'node.state_file', 'cluster.transport', 'cluster.id', 'cluster.password', 'service.folder', 'plugins'];
    expect([...RESTART_KEYS].sort()).toEqual(tested.sort());
  });

  it('force_restart true restarts even when nothing else changed', () => {
    const next = base();
    next.node.force_restart = true;
    expect(diffConfig(base(), next)).toEqual({ changed: ['node.force_restart'], restart: true });
    const again = diffConfig(next, next);
    expect(again).toEqual({ changed: [], restart: true });
  });

  it('ignores how things were written: transport spelling, plugin origins, sources', () => {
    const next = base();
    next.cluster.transport = [{ kind: 'ipv4', host: '127.0.0.1', port: 42012, raw: '127.0.0.1:42012' }];
    next.plugins[0] = { ...next.plugins[0], origin: { file: 'b.conf', line: 9 } };
    next.sources = ['/other/koi.conf'];
    expect(diffConfig(base(), next)).toEqual({ changed: [], restart: false });
  });
});
