'use strict';
/**
 * koi-plugin-example: a third-party koi plugin in plain CommonJS.
 * It needs nothing from koi at run time: the types come from `koi-ha/plugin-api`
 * through JSDoc, and koi is only a peer dependency.
 *
 * @typedef {import('koi-ha/plugin-api').KoiPlugin<ExampleOptions>} ExamplePlugin
 * @typedef {{ greeting: string, verbose: boolean }} ExampleOptions
 */

/** @type {ExamplePlugin} */
const plugin = {
  name: 'example',
  version: '1.0.0',
  options: {
    greeting: { type: 'string', description: 'what `koi hello` answers with', default: 'Hello' },
    verbose: { type: 'boolean', description: 'also log every runner state change', default: false },
  },
  apply(koi, options) {
    const log = koi.logger;

    koi.hooks.onStart.tapPromise('example', async (info) => {
      log.info({ nodeId: info.nodeId }, `example plugin running on ${info.name}`);
    });

    koi.hooks.onStateChange.tap('example', (change) => {
      if (options.verbose) log.info({ from: change.from, to: change.to }, `state ${change.from} -> ${change.to}: ${change.reason}`);
    });

    koi.hooks.onMasterChange.tap('example', (change) => {
      log.info({ master: change.masterName || '(none)' }, `master is now ${change.masterName || 'nobody'}`);
    });

    koi.hooks.onAdminCommand.tapPromise('example', async (call) => {
      if (call.command !== 'hello') return undefined;
      const text = `${options.greeting} from ${koi.node.name}`;
      return { exitCode: 0, text, json: { greeting: options.greeting, node: koi.node.name, nodeId: koi.node.id } };
    });

    koi.onClose(() => log.debug('example plugin closed'));
  },
};

module.exports = plugin;
