// Runs events of the `vip` executor INSIDE a network namespace for the netns tests:
//   ip netns exec NS node test/netns/vip-driver.js '<json>'
// json: { service: '/path/to/10-vip', steps: [{ event, promoted?, timeoutMs? } | { sleep: ms } | { run: [cmd, ...args] } | { close: true }] }
// Prints one JSON line per log record ({ log, msg }) and per event result ({ event, code, error, ... }).
'use strict';
require('./ts-register');
const { basename } = require('node:path');
const { execFileSync } = require('node:child_process');
const { RealClock } = require('../../core/clock.ts');
const { createVipExecutor } = require('../../plugins/exec-vip/executor.ts');

const input = JSON.parse(process.argv[2]);
const out = (obj) => process.stdout.write(JSON.stringify(obj) + '\n');
const logAt = (level) => (o, m) => out({ log: level, msg: typeof o === 'string' ? o : m, time: Date.now() });
const logger = {
  trace() {}, debug() {}, info: logAt('info'), warn: logAt('warn'), error: logAt('error'), fatal: logAt('fatal'),
  child() { return logger; },
};

async function main() {
  const executor = createVipExecutor({ clock: new RealClock(), announceIntervalMs: input.announceIntervalMs });
  const definition = await executor.probe({ name: basename(input.service), path: input.service, isDirectory: true }, logger);
  out({ probed: definition });
  if (!definition) return;
  for (const step of input.steps) {
    if (step.sleep) {
      await new Promise((r) => setTimeout(r, step.sleep));
      continue;
    }
    if (step.run) {
      execFileSync(step.run[0], step.run.slice(1), { stdio: 'ignore' });
      continue;
    }
    if (step.close) {
      await executor.close();
      out({ closed: true, time: Date.now() });
      continue;
    }
    const started = Date.now();
    const result = await executor.run({
      service: definition, event: step.event, env: { KOI_IS_PROMOTED: step.promoted ? '1' : '0' }, cwd: input.service,
      timeoutMs: step.timeoutMs ?? 10000, killGraceMs: 1000, signal: new AbortController().signal, log: logger,
    });
    out({ event: step.event, started, ...result });
  }
}

main().catch((err) => {
  out({ fatal: String(err && err.stack) });
  process.exitCode = 1;
});
