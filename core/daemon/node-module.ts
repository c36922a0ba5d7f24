/**
 * The daemon's view of KoiNode (core/node.ts). Loaded lazily so the daemon
 * builds and its start-up paths (config errors, plugin errors) work even in
 * a tree where the node is not there; tests inject a fake factory.
 */
import type { Cipher, Clock, KoiConfig, KoiHooks, Logger, ServiceExecutor, Transport } from '../../plugin-api';

/** What `koi reconfigure` and SIGHUP get back from a reload. */
export interface ReloadOutcome {
  ok: boolean;
  /** Why the configuration was refused, or warnings about an accepted one (`file:line: key: ...`). */
  problems?: string[];
  /** The change needs an in-process restart, which has begun. */
  restart?: boolean;
}

export interface NodeOptions {
  config: KoiConfig;
  clock: Clock;
  logger: Logger;
  hooks: KoiHooks;
  transport: Transport;
  cipher: Cipher;
  executors: ServiceExecutor[];
  identity: { id: string; name: string };
  /** Reload the configuration like SIGHUP (the admin `reconfigure` command calls it). */
  reload: () => Promise<ReloadOutcome>;
}

export interface DaemonNode {
  start(): Promise<void>;
  applyConfig(config: KoiConfig): Promise<void>;
  stop(reason: string): Promise<void>;
}

export interface ClusterCheck {
  errors: string[];
  warnings: string[];
}

export interface NodeModule {
  create(options: NodeOptions): DaemonNode;
  /** Timing-safety check of a configuration; errors refuse it like config errors. */
  checkClusterConfig(config: KoiConfig): ClusterCheck;
}

interface LoadedNodeExports {
  KoiNode?: (new (options: NodeOptions) => DaemonNode) & { checkClusterConfig?: (config: KoiConfig) => ClusterCheck };
  checkClusterConfig?: (config: KoiConfig) => ClusterCheck;
}

export class NodeModuleMissingError extends Error {
  readonly code = 'ENODEMODULE';
}

/** core/node's KoiNode behind the NodeModule interface. */
export function loadNodeModule(): NodeModule {
  let exported: LoadedNodeExports;
  try {
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    exported = require('../node') as LoadedNodeExports;
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    if (code !== 'MODULE_NOT_FOUND') throw err;
    throw new NodeModuleMissingError(`core/node is not available in this build: ${(err as Error).message.split('\n')[0]}`);
  }
  const KoiNode = exported.KoiNode;
  if (typeof KoiNode !== 'function') throw new NodeModuleMissingError('core/node does not export KoiNode');
  const check = exported.checkClusterConfig ?? KoiNode.checkClusterConfig?.bind(KoiNode) ?? loadClusterCheck();
  return {
    create: (options) => new KoiNode(options),
    checkClusterConfig: (config) => (check ? check(config) : { errors: [], warnings: [] }),
  };
}

/** The timing-safety check alone (core/node/cluster-check), or null when not built. */
export function loadClusterCheck(): ((config: KoiConfig) => ClusterCheck) | null {
  try {
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    const mod = require('../node/cluster-check') as { checkClusterConfig?: (config: KoiConfig) => ClusterCheck };
    return typeof mod.checkClusterConfig === 'function' ? mod.checkClusterConfig : null;
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'MODULE_NOT_FOUND') return null;
    throw err;
  }
}
