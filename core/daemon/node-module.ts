/**
 * The daemon's view of KoiNode (core/node.ts): the few methods it calls, so
 * tests can drive the Daemon with a fake node.
 */
import type { Cipher, Clock, KoiConfig, KoiHooks, Logger, ServiceExecutor, Transport } from '../../plugin-api';
import { KoiNode, checkClusterConfig } from '../node';

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
  /** Bind and run; fires `onStart` once up. */
  start(): Promise<void>;
  applyConfig(config: KoiConfig): Promise<void>;
  /** Graceful stop; fires `onShutdown` after the services are stopped. */
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

/** core/node's KoiNode behind the NodeModule interface (tests inject a fake instead). */
export function loadNodeModule(): NodeModule {
  return {
    create: (options) => new KoiNode(options),
    checkClusterConfig,
  };
}
