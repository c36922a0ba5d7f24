export { PluginError } from './errors';
export type { PluginErrorReason } from './errors';
export { PluginHost, DEFAULT_PLUGINS } from './host';
export type { DefaultPlugins, LoadedPlugin, LogSinkTarget, NodeProviders, PluginHostOptions, PluginOrigin } from './host';
export { resolvePlugin, packageNameFor, builtinFile, BUILTIN_PLUGIN_DIR, DAEMON_ROOT } from './resolve';
export type { ResolvedPlugin, ResolveOptions, PluginSource } from './resolve';
export { importPluginModule, pluginFromExports } from './load';
export { validatePluginOptions, coerceOption } from './options';
export type { OptionsResult } from './options';
