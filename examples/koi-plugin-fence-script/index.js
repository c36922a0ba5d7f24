'use strict';
/**
 * koi-plugin-fence-script: taps `onFence` (SPEC §5). When the leader is about
 * to promote a replacement for a master that went silent, koi calls this
 * plugin, which runs the configured script with the silent node's name and
 * addresses; exit status 0 means "fenced" (powered off, cut off the SAN,
 * removed from the switch...), anything else — or the timeout — means "not
 * fenced", and koi logs it and asks again on its next elector tick. Promotion
 * waits until a fence succeeds, as Pacemaker does with STONITH.
 *
 * The script gets:  argv: NODE_NAME ADDRESS...   env: KOI_FENCE_NODE_ID,
 * KOI_FENCE_NODE_NAME, KOI_FENCE_ADDRESSES (space separated),
 * KOI_FENCE_SILENT_MS. Its output goes to koi's log, line by line.
 *
 * @typedef {import('koi-ha/plugin-api').KoiPlugin<FenceOptions>} FencePlugin
 * @typedef {import('koi-ha/plugin-api').FenceRequest} FenceRequest
 * @typedef {import('koi-ha/plugin-api').FenceResult} FenceResult
 * @typedef {import('koi-ha/plugin-api').Logger} Logger
 * @typedef {{ script: string, timeout: number, kill_grace: number }} FenceOptions
 */
const { spawn } = require('node:child_process');
const path = require('node:path');

/** koi's node name rule (core/security/names.ts). */
const SAFE_NAME = /^[A-Za-z0-9._][A-Za-z0-9._-]{0,63}$/;

/** @type {FencePlugin} */
const plugin = {
  name: 'fence-script',
  version: '1.0.0',
  options: {
    script: { type: 'string', description: 'executable to run; relative paths resolve from the config file folder', required: true },
    timeout: { type: 'duration', description: 'give up (SIGTERM, then SIGKILL) after this long', default: 30000, min: 100 },
    kill_grace: { type: 'duration', description: 'time between SIGTERM and SIGKILL on timeout', default: 2000, min: 0 },
  },
  apply(koi, options) {
    const script = path.resolve(koi.config.sources.length > 0 ? path.dirname(koi.config.sources[koi.config.sources.length - 1]) : process.cwd(), options.script);
    /** @type {Set<import('node:child_process').ChildProcess>} */
    const running = new Set();
    koi.hooks.onFence.tapPromise('fence-script', (request) => runFence(script, request, options, koi.logger, running));
    koi.onClose(() => {
      for (const child of running) killGroup(child, 'SIGKILL');
    });
  },
};

/**
 * Run the script once for `request`; never rejects.
 * @param {string} script
 * @param {FenceRequest} request
 * @param {FenceOptions} options
 * @param {Logger} log
 * @param {Set<import('node:child_process').ChildProcess>} running
 * @returns {Promise<FenceResult>}
 */
function runFence(script, request, options, log, running) {
  // The name becomes the script's $1: never let it read as an option (`-rf`)
  // or carry control characters. koi validates names at config and on the
  // wire already; a plugin that runs commands checks again.
  if (!SAFE_NAME.test(request.name)) {
    return Promise.resolve({ ok: false, detail: `refusing to fence node ${JSON.stringify(request.name)}: not a valid node name (1-64 of A-Z a-z 0-9 . _ -, not starting with "-")` });
  }
  return new Promise((resolve) => {
    const started = Date.now();
    let settled = false;
    /** @param {FenceResult} result */
    const finish = (result) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      clearTimeout(killer);
      resolve(result);
    };
    let child;
    try {
      child = spawn(script, [request.name, ...request.addresses], {
        detached: true,
        stdio: ['ignore', 'pipe', 'pipe'],
        env: {
          ...process.env,
          KOI_FENCE_NODE_ID: request.nodeId,
          KOI_FENCE_NODE_NAME: request.name,
          KOI_FENCE_ADDRESSES: request.addresses.join(' '),
          KOI_FENCE_SILENT_MS: String(request.silentForMs),
        },
      });
    } catch (err) {
      resolve({ ok: false, detail: `cannot run ${script}: ${err instanceof Error ? err.message : String(err)}` });
      return;
    }
    running.add(child);
    const logLines = (stream, level) => {
      let rest = '';
      stream.setEncoding('utf8');
      stream.on('data', (chunk) => {
        const lines = (rest + chunk).split('\n');
        rest = lines.pop() ?? '';
        for (const line of lines) log[level]({ node: request.name }, `fence ${request.name}: ${line}`);
      });
      stream.on('end', () => { if (rest) log[level]({ node: request.name }, `fence ${request.name}: ${rest}`); });
    };
    logLines(child.stdout, 'info');
    logLines(child.stderr, 'warn');
    let killer;
    const timer = setTimeout(() => {
      killGroup(child, 'SIGTERM');
      killer = setTimeout(() => killGroup(child, 'SIGKILL'), options.kill_grace);
      finish({ ok: false, detail: `${script} timed out after ${options.timeout} ms` });
    }, options.timeout);
    child.on('error', (err) => {
      running.delete(child);
      finish({ ok: false, detail: `cannot run ${script}: ${err.message}` });
    });
    child.on('exit', (code, signal) => {
      running.delete(child);
      const took = Date.now() - started;
      if (code === 0) finish({ ok: true, detail: `${path.basename(script)} fenced ${request.name} in ${took} ms` });
      else finish({ ok: false, detail: `${path.basename(script)} exited with ${signal ? `signal ${signal}` : `code ${code}`} after ${took} ms` });
    });
  });
}

/**
 * Signal the script's whole process group (it may have started helpers).
 * @param {import('node:child_process').ChildProcess} child
 * @param {NodeJS.Signals} signal
 */
function killGroup(child, signal) {
  if (child.pid === undefined || child.exitCode !== null) return;
  try {
    process.kill(-child.pid, signal);
  } catch {
    // Already gone: nothing to signal.
  }
}

module.exports = plugin;
module.exports.default = plugin;
module.exports.runFence = runFence;
