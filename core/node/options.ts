/**
 * What a KoiNode is built from (KoiNodeOptions: config, clock, transport,
 * cipher, executors, and the factories tests and the simulator replace) and
 * the small types of its public surface. Types only.
 */
import type { DeclaredCommand } from '../admin/commands';
import type {
  Cipher, Clock, InboundMessage, KoiConfig, KoiHooks, Logger, ServiceEntry, ServiceExecutor, Transport,
} from '../../plugin-api';
import type { SafetyRule } from '../safety-rules';
import type { ServiceManager, ServiceManagerOptions } from '../services/types';
import type { WireCodec, WireCodecOptions } from '../wire/types';
import type { MachineMemory } from './machine-memory';

export interface ReloadOutcome {
  ok: boolean;
  problems?: string[];
  restart?: boolean;
}

export interface KoiNodeOptions {
  config: KoiConfig;
  clock: Clock;
  logger: Logger;
  hooks: KoiHooks;
  transport: Transport;
  cipher: Cipher;
  executors: ServiceExecutor[];
  identity: { id: string; name: string };
  /** Reload the configuration like SIGHUP (the admin `reconfigure` command). */
  reload?: () => Promise<ReloadOutcome>;
  /** Wire codec factory (default: core/wire createWireCodec). */
  codecFactory?: (opts: WireCodecOptions) => WireCodec;
  /** Service manager factory (default: core/services createServiceManager). */
  serviceManagerFactory?: (opts: ServiceManagerOptions) => ServiceManager;
  /** Lists the service folder (the simulator injects its own). */
  listEntries?: () => Promise<ServiceEntry[]>;
  /** Do not answer `koi` requests (the simulator); default false. */
  noAdmin?: boolean;
  /** Sequence counter shared by every in-process restart of this node id (core/daemon.ts); default fresh. */
  sequence?: { last: number };
  /**
   * What an in-process restart (same id) keeps besides the sequence counter: whether this node ever saw
   * the cluster with a master (with quorum off, a restarted former master must not wait out
   * initial_promotion_delay again).
   */
  memory?: { sawMaster: boolean };
  /** Open the local admin socket (`node.admin_socket`); the daemon sets it, tests and the simulator do not. */
  localAdmin?: boolean;
  /** Keep the on-disk event journal (`node.journal`); the daemon sets it, tests and the simulator do not (events stay in memory). */
  journal?: boolean;
  /**
   * What the machine remembers across restarts (the last master seen, R8): the daemon passes its
   * `node.state_file`, the simulator one per machine; default nothing.
   */
  machineMemory?: MachineMemory;
  /**
   * The node cannot go on and the process should end with `exitCode` (a
   * duplicate node name); the daemon shuts down gracefully. Without it the
   * node stops itself.
   */
  onFatal?: (message: string, exitCode: number) => void;
  /** Admin commands the loaded plugins declare (routing, read-only access, `koi commands`). */
  commands?: () => readonly DeclaredCommand[];
  /** Simulator teeth run only (scripts/chaos-teeth.ts): safety rules to turn off. Never set in a real node. */
  disabledSafetyRules?: readonly SafetyRule[];
}

/** Handler for admin requests and responses (core/admin's endpoint); true when consumed. */
export type AdminMessageHandler = (inbound: InboundMessage) => Promise<boolean>;
