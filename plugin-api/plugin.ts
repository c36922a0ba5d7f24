import type { Clock } from './clock';
import type { KoiConfig, PluginOptions } from './config';
import type { KoiHooks } from './hooks';
import type { NodeInspector } from './inspect';
import type { LogSink, Logger } from './logger';
import type { Cipher, ServiceExecutor, Transport } from './providers';
import type { Keyring } from './cluster-keys';

/**
 * Type of one plugin option, as written in koi.conf or another config source.
 * `path` is a file or folder, resolved against the folder of the config file
 * that set it (relative paths never depend on the daemon's working directory).
 */
export type OptionType = 'string' | 'number' | 'integer' | 'boolean' | 'duration' | 'string[]' | 'path';

/** Declares one option; the loader validates options against it with config-style errors. */
export interface OptionSpec {
  type: OptionType;
  description: string;
  required?: boolean;
  /** Written like a koi.conf value (`'5s'` for a duration). */
  default?: string | number | boolean | readonly string[];
  /** Inclusive bounds for number and integer; for durations, ms or a duration text (`'10m'`). */
  min?: number | string;
  max?: number | string;
  /** Allowed values for strings and string lists. */
  enum?: readonly string[];
}

/** A plugin's option schema: unknown keys are errors. */
export type OptionsSchema = Readonly<Record<string, OptionSpec>>;

/** The TypeScript type of one option's value after validation. */
export type OptionValue<S extends OptionSpec> =
  S['type'] extends 'boolean' ? boolean
    : S['type'] extends 'number' | 'integer' | 'duration' ? number
      : S['type'] extends 'string[]' ? Array<S extends { enum: readonly (infer E)[] } ? E : string>
        : S['type'] extends 'string' ? (S extends { enum: readonly (infer E)[] } ? E : string)
          : S['type'] extends 'path' ? string
            : unknown;

/** An option is always present after validation when it is required or has a default. */
type AlwaysSet<S> = S extends { required: true } ? true : S extends { default: string | number | boolean | readonly string[] } ? true : false;

type Simplify<T> = { [K in keyof T]: T[K] } & {};

/**
 * The options object `apply` receives for a schema: required and defaulted
 * options are set, the others optional; enums become string unions. So a
 * misspelled option or a wrong type is a compile error (docs/plugins.md).
 */
export type InferOptions<S extends OptionsSchema> = Simplify<
  { -readonly [K in keyof S as AlwaysSet<S[K]> extends true ? K : never]: OptionValue<S[K]> }
  & { -readonly [K in keyof S as AlwaysSet<S[K]> extends true ? never : K]?: OptionValue<S[K]> }
>;

/** A problem `checkOptions` found: reported like a bad option, at the line of `option` (else of the plugin). */
export interface OptionProblem {
  option?: string;
  problem: string;
}

/** Where a plugin registers what it provides. */
export interface ProviderRegistry {
  /** The transport (single slot). */
  transport(transport: Transport): void;
  /** The cipher (single slot). */
  cipher(cipher: Cipher): void;
  /** A log sink (any number). */
  logSink(sink: LogSink): void;
  /** A service executor (one per kind). */
  executor(executor: ServiceExecutor): void;
}

/** What a plugin's `apply` receives. */
export interface KoiPluginContext {
  /** Every hook, frozen: tap them, never replace them. */
  readonly hooks: Readonly<KoiHooks>;
  readonly config: Readonly<KoiConfig>;
  /** Logger bound to `{ plugin: <name> }`. */
  readonly logger: Logger;
  readonly clock: Clock;
  /** This node's identity (id is a fresh UUID per process start). */
  readonly node: { readonly id: string; readonly name: string };
  readonly provide: ProviderRegistry;
  /** Read-only view of the running node: status documents and core counters (status pages, exporters). */
  readonly inspect: NodeInspector;
  /** Folder of the config file that named the plugin: resolve your own relative paths against it (`path` options already are). */
  readonly baseDir: string;
  /**
   * The cluster's keys for a cipher: read from `cluster.key_file`, or derived
   * from `cluster.password`, `cluster.id` and `cluster.salt` with PBKDF2-SHA256
   * and `iterations`. Throws a message naming the problem (weak password,
   * unreadable key file). Pass the new config's cluster on a reload.
   */
  clusterKeyring(cluster: Readonly<KoiConfig['cluster']>, iterations: number): Keyring;
  /** Register cleanup; plugins close in reverse load order on shutdown. */
  onClose(fn: () => void | Promise<void>): void;
}

/** Where a plugin-declared admin command runs (the forwarding of built-in commands is reused). */
export type CommandRoute = 'here' | 'leader' | 'every';

/**
 * An admin command a plugin adds. It is listed in `koi --help` and in the
 * answer to an unknown command; `readOnly` ones are allowed under
 * `node.network_admin read-only`. The plugin answers it in `onAdminCommand`.
 */
export interface PluginCommand {
  name: string;
  /** Argument synopsis, e.g. `[NODE]` (empty: no arguments). */
  usage?: string;
  /** One line for `koi --help`. */
  summary: string;
  /** Changes nothing (default false: the command counts as changing the cluster). */
  readOnly?: boolean;
  /** `here` (default): the node asked; `leader`: forwarded to the leader; `every`: every node, answers joined. */
  runs?: CommandRoute;
}

/** A koi plugin: built-in or a third party's `koi-plugin-*` package. */
export interface KoiPlugin<O = PluginOptions> {
  name: string;
  version?: string;
  /** The koi versions this plugin works with, an npm range (`^0.1.0`, `>=0.1 <0.3`); checked at load. */
  koi?: string;
  /** Plugins (by name) that must be loaded before this one; checked at load. */
  dependencies?: readonly string[];
  /** Option schema; the loader validates before `apply` and fills defaults. */
  options?: OptionsSchema;
  /**
   * Checks beyond the schema (formats, options that go together), run on the
   * typed options after the schema passed; problems stop the start like
   * config errors (`file:line: plugins.<name>.<option>: problem`, exit 78).
   */
  checkOptions?(options: O): OptionProblem[];
  /** Admin commands this plugin answers in `onAdminCommand`. */
  commands?: readonly PluginCommand[];
  /** Tap hooks and register providers. A throw stops the daemon's start, naming the plugin. */
  apply(koi: KoiPluginContext, options: O): void | Promise<void>;
}

/** A plugin as `definePlugin` takes it: the options type comes from the schema. */
export interface PluginDefinition<S extends OptionsSchema> extends Omit<KoiPlugin, 'options' | 'checkOptions' | 'apply'> {
  options?: S;
  checkOptions?(options: InferOptions<S>): OptionProblem[];
  apply(koi: KoiPluginContext, options: InferOptions<S>): void | Promise<void>;
}

/**
 * Identity helper that types a plugin object, inferring the options type
 * from the schema: `export default definePlugin({ options: { greeting: { type: 'string', ... } }, apply(koi, o) { o.greeting } })`.
 */
// eslint-disable-next-line @typescript-eslint/no-empty-object-type
export function definePlugin<const S extends OptionsSchema = {}>(plugin: PluginDefinition<S>): KoiPlugin<InferOptions<S>> {
  return plugin as KoiPlugin<InferOptions<S>>;
}
