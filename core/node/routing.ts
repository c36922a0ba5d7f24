/**
 * A node's traffic, in and out: which component each decoded message goes
 * to (heartbeats to membership, health reports to the elector, state
 * updates to the runner, admin requests and responses to core/admin), and
 * encoding with the fallback for views too large for one datagram.
 */
import type { HealthReport, HeartBeat, InboundMessage, KoiMessage, Logger, StateUpdate } from '../../plugin-api';
import type { Elector } from '../elector/elector';
import type { Runner } from '../runner/runner';
import type { WireCodec } from '../wire/types';

/** Where routeMessage delivers; every target is the node's component as it is now. */
export interface RouteTargets {
  log: Logger;
  /** This node's id: riders addressed to it are delivered. */
  selfId: string;
  /** A peer's heartbeat (the node runs its stall check, then hands it to membership). */
  heartbeat(senderId: string, seq: number, message: HeartBeat, from: string): void;
  /** Membership notes that `senderId` reported from `from` (leader only). */
  noteReport(senderId: string, from: string, name: string): void;
  currentLeaderId(): string;
  elector: Elector | null;
  runner: Runner | null;
  adminHandler: ((inbound: InboundMessage) => Promise<boolean>) | null;
}

export function routeMessage(inbound: InboundMessage, t: RouteTargets): void {
  const { envelope, from } = inbound;
  const message = envelope.message;
  switch (message.kind) {
    case 'heartbeat':
      t.heartbeat(envelope.senderId, envelope.seq, message, from);
      // Riders after their heartbeat, as if they had come in datagrams of their own right behind it (same seq:
      // a runner orders updates by the sender's sequence, and nothing of that sender came in between).
      for (const rider of message.stateUpdates ?? []) {
        if (rider.runnerId === t.selfId) routeState(envelope.senderId, envelope.seq, rider.update, from, t);
      }
      if (message.health && message.health.leaderId === t.selfId) routeHealth(envelope.senderId, message.health.report, from, t);
      break;
    case 'health':
      routeHealth(envelope.senderId, message, from, t);
      break;
    case 'state':
      routeState(envelope.senderId, envelope.seq, message, from, t);
      break;
    case 'request':
    case 'response':
      if (!t.adminHandler) {
        t.log.debug({ from }, `admin ${message.kind} from ${from}: no admin handler`);
        break;
      }
      t.adminHandler(inbound).catch((err: unknown) => t.log.error({ err: String(err) }, `admin handler failed: ${String(err)}`));
      break;
    default: {
      const unreachable: never = message;
      t.log.warn(`unknown message ${String(unreachable)}`);
    }
  }
}

function routeHealth(senderId: string, report: HealthReport, from: string, t: RouteTargets): void {
  if (!t.elector) {
    t.log.debug({ from }, `health report from ${report.name} but this node is not the leader`);
    return;
  }
  t.noteReport(senderId, from, report.name);
  t.elector.handleHealth(senderId, report, from);
}

function routeState(senderId: string, seq: number, update: StateUpdate, from: string, t: RouteTargets): void {
  if (!t.runner) return;
  if (senderId !== t.currentLeaderId()) {
    t.log.debug({ from, sender: senderId }, `state update from ${update.leaderName}, which is not the followed leader: ignored`);
    return;
  }
  t.runner.handleState(senderId, seq, update);
}

/** Encode `message`; null (logged) when it cannot be. */
export function encodeForWire(codec: WireCodec, message: KoiMessage, log: Logger): Uint8Array | null {
  try {
    return codec.encode(message);
  } catch (err) {
    if (message.kind === 'heartbeat' && message.view && message.view.nodes.length > 0) {
      // A large cluster's view does not fit one datagram: send it without the node list.
      return encodeForWire(codec, { ...message, view: { ...message.view, nodes: message.view.nodes.slice(0, 1) } }, log);
    }
    log.error({ err: String(err), kind: message.kind }, `cannot send ${message.kind}: ${String(err)}`);
    return null;
  }
}
