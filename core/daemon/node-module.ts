/**
 * The daemon's view of KoiNode (core/node.ts): the few methods it calls, so
 * tests can drive the Daemon with a fake node.
 */
import type { KoiConfig, NodeInspector } from '../../plugin-api';
import { KoiNode, checkClusterConfig, type ClusterCheck, type KoiNodeOptions, type ReloadOutcome } from '../node';

export type { ClusterCheck, ReloadOutcome };

/** What the daemon passes to a node: KoiNode's options without the simulator's injections, `reload` required. */
export type NodeOptions = Omit<KoiNodeOptions, 'codecFactory' | 'serviceManagerFactory' | 'listEntries' | 'reload'>
  & { reload: NonNullable<KoiNodeOptions['reload']> };

export interface DaemonNode {
  /** Bind and run; fires `onStart` once up. */
  start(): Promise<void>;
  applyConfig(config: KoiConfig): Promise<void>;
  /** Graceful stop; fires `onShutdown` after the services are stopped. */
  stop(reason: string): Promise<void>;
  /** Read-only access for plugins (`koi.inspect`); a node without it leaves them answering "not running". */
  inspector?(): NodeInspector;
}

export interface NodeModule {
  create(options: NodeOptions): DaemonNode;
  /** Timing-safety check of a configuration; errors refuse it like config errors. */
  checkClusterConfig(config: KoiConfig): ClusterCheck;
}

/** core/node's KoiNode behind the NodeModule interface (tests inject a fake instead). */
export function loadNodeModule(): NodeModule {
  return {
    create: (options) => new KoiNode(options),
    checkClusterConfig,
  };
}
