/**
 * Read-only access to the running node for plugins that show or export its
 * state (status pages, metrics exporters). Nothing here changes the cluster.
 */
import type { AdminResult } from './hooks';

/** Admin commands `NodeInspector.query` runs: the read-only built-ins. */
export const READ_ONLY_ADMIN_COMMANDS = ['local', 'status', 'tree', 'failures', 'events'] as const;
export type ReadOnlyAdminCommand = (typeof READ_ONLY_ADMIN_COMMANDS)[number];

/** Numbers of the node's core that the status documents do not carry; they start at 0 with each node start. */
export interface NodeMetrics {
  /** Datagrams that passed the codec (authenticated, fresh, not a copy). */
  datagramsAccepted: number;
  /** Datagrams dropped, by reason (`auth-failed`, `replay`, `duplicate`, ... as in docs/wire.md). */
  datagramsRejected: Record<string, number>;
  /** Admin requests this node answered, by command (built-in names; any other command counts as `other`). */
  adminRequests: Record<string, number>;
  /** On a runner: ms left on its master lease (0 when it holds none); null on a node that is not a runner. */
  leaseRemainingMs: number | null;
}

export interface NodeInspector {
  /**
   * Answer a read-only admin command as `koi COMMAND ARGS` does when it asks
   * this node: `status` is forwarded to the leader, `status NODE` to that
   * node. `json` is the document `koi --json` prints (docs/client.md).
   * A command outside READ_ONLY_ADMIN_COMMANDS is answered with exit code 2;
   * before the node runs, with exit code 1.
   */
  query(command: ReadOnlyAdminCommand, args?: string[]): Promise<AdminResult>;
  /** The core's counters now; null while the node is not running (start-up, an in-process restart). */
  metrics(): NodeMetrics | null;
}
