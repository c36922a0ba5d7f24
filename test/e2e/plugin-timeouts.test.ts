/**
 * A plugin whose taps never finish (issue 17 item 1), with real koinode
 * processes: its awaited taps are skipped after its `hook_timeout`, naming
 * it, so a promotion is delayed by at most that bound and SIGTERM always
 * ends the node.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { E2ECluster } from './harness';

jest.setTimeout(60_000);

/** Taps the hooks named in `on` with taps that never finish; records `<epoch s> <hook>` when each is called. */
const HANG_PLUGIN = `'use strict';
const fs = require('node:fs');
module.exports = {
  name: 'hang-test',
  options: {
    on: { type: 'string[]', description: 'hooks whose taps never finish', default: [] },
    record: { type: 'path', description: 'where calls are recorded', required: true },
  },
  apply(koi, o) {
    for (const hook of o.on) {
      koi.hooks[hook].tapPromise('a-name-the-tap-made-up', () => {
        fs.appendFileSync(o.record, (Date.now() / 1000) + ' ' + hook + '\\n');
        return new Promise(() => {});
      });
    }
  },
};
`;

function hangCluster(hooks: string[], tag: string): Promise<E2ECluster> {
  return E2ECluster.create({
    nodes: 1, quorum: 0, statusInterval: '500ms', tag,
    plugins: [`"../hang.js" {\n    on "${hooks.join(' ')}"\n    record ../calls.log\n    hook_timeout 1s\n  }`],
  });
}

function calls(c: E2ECluster): Array<{ time: number; hook: string }> {
  const file = path.join(c.dir, 'calls.log');
  if (!fs.existsSync(file)) return [];
  return fs.readFileSync(file, 'utf8').split('\n').filter(Boolean).map((l) => ({ time: Number(l.split(' ')[0]), hook: l.split(' ')[1] }));
}

describe('a tap that never finishes', () => {
  let c: E2ECluster | undefined;
  afterEach(async () => {
    await c?.close();
    c = undefined;
  });

  it('onPromote: the services are promoted within hook_timeout + a margin, the plugin named in the log; SIGTERM ends the node', async () => {
    c = await hangCluster(['onPromote'], 'koi-hang-promote');
    fs.writeFileSync(path.join(c.dir, 'hang.js'), HANG_PLUGIN);
    c.start();
    const called = await c.waitFor('onPromote called', () => calls(c!).find((x) => x.hook === 'onPromote'), 30_000);
    const promoted = await c.waitFor('promote ran', () => c!.events().find((e) => e.event === 'promote' && e.phase === 'begin'), 10_000);
    const waited = promoted.time - called.time;
    console.log(`onPromote tap hanging, hook_timeout 1s: promote began ${Math.round(waited * 1000)} ms after onPromote was called`);
    expect(waited).toBeGreaterThanOrEqual(0.95);
    expect(waited).toBeLessThan(2.5);
    expect(c.log('n1').some((l) => l.includes('plugin ../hang.js: onPromote tap did not finish within 1 s; skipped'))).toBe(true);
    const stopAt = Date.now();
    expect(await c.stop('n1', 'SIGTERM', 20_000)).toBe(0);
    expect(Date.now() - stopAt).toBeLessThan(8000);
  });

  it('onStart, onServiceEvent, onDemote and onShutdown: a SIGTERM during the start still ends the node, exit 0, within a bound', async () => {
    c = await hangCluster(['onStart', 'onServiceEvent', 'onDemote', 'onShutdown'], 'koi-hang-stop');
    fs.writeFileSync(path.join(c.dir, 'hang.js'), HANG_PLUGIN);
    c.start();
    await c.waitFor('onStart called', () => calls(c!).find((x) => x.hook === 'onStart'), 30_000, 20);
    const stopAt = Date.now();
    const code = await c.stop('n1', 'SIGTERM', 30_000);
    const tookMs = Date.now() - stopAt;
    console.log(`SIGTERM during a hanging onStart (hook_timeout 1s, onServiceEvent/onDemote/onShutdown hanging too): exit ${code} after ${tookMs} ms`);
    expect(code).toBe(0);
    expect(tookMs).toBeLessThan(12_000);
    const log = c.log('n1').join('\n');
    expect(log).toContain('plugin ../hang.js: onStart tap did not finish within 1 s; skipped');
    expect(log).toContain('plugin ../hang.js: onShutdown tap did not finish within 1 s; skipped');
  });
});
