/**
 * Before a runner joins (SPEC §6): it listens for a leader's heartbeat to
 * learn whether the cluster is in maintenance (then no script runs, not
 * even the start-up sweep's status checks), for up to one election
 * timeout. Only heartbeats are read meanwhile; a duplicate name is still
 * caught.
 */
import { NodeFlag, type Clock, type HeartBeat, type Logger } from '../../plugin-api';
import type { RejectLogger } from '../wire/reject-logger';
import type { WireCodec } from '../wire/types';

export interface JoinListenerOptions {
  self: { id: string; name: string };
  clock: Clock;
  codec: WireCodec;
  rejectLog: RejectLogger;
  log: Logger;
  /** A heartbeat from another node carries this node's name. */
  nameClash(otherId: string, from: string, otherUptimeMs: number): void;
  /** The leader's view says the cluster is in maintenance. */
  maintenance(): void;
}

export class JoinListener {
  /** Set while `waitForView` waits. */
  private viewHeard: (() => void) | null = null;
  /** When a leader's heartbeat (Leader flag and view) was last heard (-Infinity: none): the election counts silence from it. */
  lastLeaderHeardAt = -Infinity;

  constructor(private readonly opts: JoinListenerOptions) {}

  /**
   * Up to `timeoutMs` (one election timeout: a leader's heartbeat reaches every configured address
   * every cluster_update_interval): long enough to hear a leader that exists, short for a cold start.
   */
  waitForView(timeoutMs: number): Promise<void> {
    return new Promise((resolve) => {
      const timer = this.opts.clock.setTimeout(() => {
        this.viewHeard = null;
        resolve();
      }, timeoutMs);
      this.viewHeard = () => {
        this.opts.clock.clear(timer);
        this.viewHeard = null;
        resolve();
      };
    });
  }

  /** One datagram received before joining: only learn whether the cluster is in maintenance from a leader's heartbeat. */
  receive(data: Uint8Array, from: string): void {
    const result = this.opts.codec.decode(data, from);
    if (!result.ok) {
      this.opts.rejectLog(result, from);
      return;
    }
    const message = result.envelope.message;
    if (message.kind === 'heartbeat' && message.name === this.opts.self.name && result.envelope.senderId !== this.opts.self.id) {
      this.opts.nameClash(result.envelope.senderId, from, message.uptimeMs);
    }
    if (message.kind !== 'heartbeat' || !message.view) return;
    this.leaderView(message);
  }

  private leaderView(message: HeartBeat): void {
    if ((message.flags & NodeFlag.Leader) !== 0) this.lastLeaderHeardAt = this.opts.clock.now();
    if (message.view?.maintenance) {
      this.opts.log.info(`cluster in maintenance (leader ${message.name}): no script runs here, the start-up sweep included`);
      this.opts.maintenance();
    }
    this.viewHeard?.();
  }
}
