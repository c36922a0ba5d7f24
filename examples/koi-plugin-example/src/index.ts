/**
 * koi-plugin-example: a third-party koi plugin in TypeScript.
 *
 * It needs nothing from koi at run time: `import type` only (koi is an
 * optional peer dependency, and a plugin installed next to koi.conf has no
 * koi beside it). The options type is inferred from the schema, so a
 * misspelled option or a wrong type does not compile.
 */
import * as fs from 'node:fs';
import type { InferOptions, KoiPlugin, OptionsSchema } from 'koi-ha/plugin-api';

const options = {
  greeting: { type: 'string', description: 'what `koi hello` answers with', default: 'Hello' },
  verbose: { type: 'boolean', description: 'also log every runner state change', default: false },
  banner_file: { type: 'path', description: 'a file whose first line `koi hello` adds (relative to koi.conf\'s folder)' },
} as const satisfies OptionsSchema;

/** `{ greeting: string; verbose: boolean; banner_file?: string }`, from the schema. */
export type ExampleOptions = InferOptions<typeof options>;

const plugin: KoiPlugin<ExampleOptions> = {
  name: 'example',
  version: '2.0.0',
  koi: '>=0.1.0 <1',
  options,
  commands: [
    { name: 'hello', summary: 'a greeting from the node asked', readOnly: true },
    { name: 'roles', summary: 'the role each node plays, asked of every node', readOnly: true, runs: 'every' },
  ],
  apply(koi, opts) {
    const log = koi.logger;
    let state = 'Disconnected';

    koi.hooks.onStart.tapPromise('example', async (info) => {
      log.info({ nodeId: info.nodeId }, `example plugin running on ${info.name}`);
    });

    koi.hooks.onStateChange.tap('example', (change) => {
      state = change.to;
      if (opts.verbose) log.info({ from: change.from, to: change.to }, `state ${change.from} -> ${change.to}: ${change.reason}`);
    });

    koi.hooks.onMasterChange.tap('example', (change) => {
      log.info({ master: change.masterName || '(none)' }, `master is now ${change.masterName || 'nobody'}`);
    });

    koi.hooks.onAdminCommand.tapPromise('example', async (call) => {
      if (call.command === 'hello') {
        const banner = opts.banner_file ? fs.readFileSync(opts.banner_file, 'utf8').split('\n')[0] : '';
        const text = `${opts.greeting} from ${koi.node.name}${banner ? ` (${banner})` : ''}`;
        return { exitCode: 0, text, json: { greeting: opts.greeting, node: koi.node.name, nodeId: koi.node.id } };
      }
      if (call.command === 'roles') return { exitCode: 0, text: state, json: { state } };
      return undefined;
    });

    koi.onClose(() => log.debug('example plugin closed'));
  },
};

export default plugin;
