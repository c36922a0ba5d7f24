import type { Clock } from './clock';
import type { KoiConfig, PluginOptions } from './config';
import type { KoiHooks } from './hooks';
import type { NodeInspector } from './inspect';
import type { LogSink, Logger } from './logger';
import type { Cipher, ServiceExecutor, Transport } from './providers';

/** Type of one plugin option, as written in koi.conf or another config source. */
export type OptionType = 'string' | 'number' | 'integer' | 'boolean' | 'duration' | 'string[]';

/** Declares one option; the loader validates options against it with config-style errors. */
export interface OptionSpec {
  type: OptionType;
  description: string;
  required?: boolean;
  default?: string | number | boolean | string[];
  /** Inclusive bounds for number, integer and duration (ms). */
  min?: number;
  max?: number;
  /** Allowed values for strings. */
  enum?: readonly string[];
}

/** A plugin's option schema: unknown keys are errors. */
export type OptionsSchema = Record<string, OptionSpec>;

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
  readonly hooks: KoiHooks;
  readonly config: Readonly<KoiConfig>;
  /** Logger bound to `{ plugin: <name> }`. */
  readonly logger: Logger;
  readonly clock: Clock;
  /** This node's identity (id is a fresh UUID per process start). */
  readonly node: { readonly id: string; readonly name: string };
  readonly provide: ProviderRegistry;
  /** Read-only view of the running node: status documents and core counters (status pages, exporters). */
  readonly inspect: NodeInspector;
  /** Register cleanup; plugins close in reverse load order on shutdown. */
  onClose(fn: () => void | Promise<void>): void;
}

/** A koi plugin: built-in or a third party's `koi-plugin-*` package. */
export interface KoiPlugin<O extends PluginOptions = PluginOptions> {
  name: string;
  version?: string;
  /** Option schema; the loader validates before `apply` and fills defaults. */
  options?: OptionsSchema;
  /**
   * Checks beyond the schema (formats, options that go together), run on the
   * typed options after the schema passed; problems stop the start like
   * config errors (`file:line: plugins.<name>.<option>: problem`, exit 78).
   */
  checkOptions?(options: O): OptionProblem[];
  /** Tap hooks and register providers. A throw stops the daemon's start, naming the plugin. */
  apply(koi: KoiPluginContext, options: O): void | Promise<void>;
}

/** Identity helper that types a plugin object: `export default definePlugin({...})`. */
export function definePlugin<O extends PluginOptions = PluginOptions>(plugin: KoiPlugin<O>): KoiPlugin<O> {
  return plugin;
}
