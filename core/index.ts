/**
 * koi as a library: embed a node, drive the daemon, or build tools on the
 * configuration and wire layers. Plugin authors need only `koi-ha/plugin-api`.
 */
export * from '../plugin-api';
export { KoiNode, checkClusterConfig } from './node';
export type { KoiNodeOptions, NodeStatus } from './node';
export { Daemon, DaemonError } from './daemon';
export type { DaemonOptions } from './daemon';
export { createHooks } from './hooks';
export { RealClock, VirtualClock } from './clock';
export { loadConfig, ConfigError, defaultConfig, diffConfig, parseDuration, parseTransportList } from './config';
export type { ConfigProblem, LoadedConfig } from './config';
export { PluginHost, PluginError } from './plugins';
export { createLogging } from './logging';
export { createWireCodec, WireError } from './wire/codec';
export { deriveClusterKey } from './wire/key';
export { createServiceManager } from './services';
