/**
 * Compile-time checks of the plugin API's types (tsd style): every
 * `@ts-expect-error` below must be an error, and everything else must
 * compile. test/types/types.test.ts compiles this file with tsc.
 */
import { definePlugin } from '../../plugin-api';
import type { InferOptions, KoiPlugin, OptionsSchema } from '../../plugin-api';

export const typed = definePlugin({
  name: 'typed',
  options: {
    greeting: { type: 'string', description: 'g', default: 'Hi' },
    level: { type: 'string', description: 'l', enum: ['low', 'high'], default: 'low' },
    window: { type: 'duration', description: 'w' },
    tags: { type: 'string[]', description: 't', default: [] },
    verbose: { type: 'boolean', description: 'v', required: true },
    db: { type: 'path', description: 'd', required: true },
  },
  apply(koi, options) {
    const g: string = options.greeting;
    const l: 'low' | 'high' = options.level;
    const w: number | undefined = options.window;
    const t: string[] = options.tags;
    const v: boolean = options.verbose;
    const d: string = options.db;
    // @ts-expect-error a misspelled option does not compile
    void options.greting;
    // @ts-expect-error greeting is a string, not a number
    const n: number = options.greeting;
    // @ts-expect-error an option with neither default nor required may be missing
    const w2: number = options.window;
    // @ts-expect-error 'medium' is not in the enum
    const l2: 'medium' = options.level;
    // @ts-expect-error the hooks cannot be replaced
    koi.hooks.onPromote = koi.hooks.onDemote;
    // @ts-expect-error the context cannot be changed either
    koi.baseDir = '/tmp';
    void [g, l, w, t, v, d, n, w2, l2];
  },
});

// @ts-expect-error an option spec needs a known type
definePlugin({ name: 'bad', options: { x: { type: 'text', description: 'x' } }, apply() {} });

// Without definePlugin (a plugin that imports only types): the same inference.
const schema = {
  greeting: { type: 'string', description: 'g', default: 'Hello' },
} as const satisfies OptionsSchema;
export const typeOnly: KoiPlugin<InferOptions<typeof schema>> = {
  name: 'type-only',
  options: schema,
  apply(_koi, options) {
    const s: string = options.greeting;
    // @ts-expect-error misspelled here too
    void options.greting;
    void s;
  },
};

// An options type declared as an interface works: no index signature needed.
interface ExplicitOptions {
  greeting: string;
}
export const explicit: KoiPlugin<ExplicitOptions> = {
  name: 'explicit',
  apply(_koi, options) {
    const s: string = options.greeting;
    void s;
  },
};
