/**
 * Start-up check of the timing relations the cluster logic relies on
 * (docs/architecture.md "Timings"). Errors refuse the configuration like a
 * config error; warnings are logged.
 */
import type { KoiConfig } from '../../plugin-api';
import { ACK_WINDOW_TICKS, ELECTION_LIMIT_TICKS } from '../config/timing-defaults';
import { countConfiguredPeers } from '../elector/peers';

export interface ClusterCheck {
  errors: string[];
  warnings: string[];
}

export function checkClusterConfig(config: KoiConfig): ClusterCheck {
  const errors: string[] = [];
  const warnings: string[] = [];
  const t = config.time;
  const ackWindow = ACK_WINDOW_TICKS * t.cluster_update_interval;
  const need = (ok: boolean, message: string): void => {
    if (!ok) errors.push(message);
  };
  const renewEvery = Math.min(t.elector_tick_interval, t.state_update_interval);
  need(t.master_lease >= 3 * renewEvery,
    `time.master_lease (${t.master_lease} ms) must be at least 3 × time.elector_tick_interval (${renewEvery} ms): the lease must survive a lost renewal`);
  need(t.master_lease > ackWindow,
    `time.master_lease (${t.master_lease} ms) must exceed ${ACK_WINDOW_TICKS} × time.cluster_update_interval (${ackWindow} ms), the window in which followers' answers count for the leader's quorum`);
  need(t.lease_margin >= 2 * t.cluster_update_interval,
    `time.lease_margin (${t.lease_margin} ms) must be at least 2 × time.cluster_update_interval (${2 * t.cluster_update_interval} ms): it covers message delay and the stall detector`);
  need(t.master_dead_time >= 3 * t.runner_tick_interval,
    `time.master_dead_time (${t.master_dead_time} ms) must be at least 3 × time.runner_tick_interval (${3 * t.runner_tick_interval} ms), or a lost report or two fails the master over`);
  need(t.master_dead_time >= ackWindow,
    `time.master_dead_time (${t.master_dead_time} ms) must be at least the ack window ${ackWindow} ms (${ACK_WINDOW_TICKS} × time.cluster_update_interval)`);
  need(t.node_timeout >= ackWindow,
    `time.node_timeout (${t.node_timeout} ms) must be at least ${ACK_WINDOW_TICKS} × time.cluster_update_interval (${ackWindow} ms)`);
  need(t.elector_gone_time >= t.elector_lost_time,
    `time.elector_gone_time (${t.elector_gone_time} ms) must not be shorter than time.elector_lost_time (${t.elector_lost_time} ms)`);
  if (t.elector_lost_time < ELECTION_LIMIT_TICKS * 2 * t.cluster_update_interval) {
    warnings.push(`time.elector_lost_time (${t.elector_lost_time} ms) is shorter than a leader election (${ELECTION_LIMIT_TICKS * 2} × time.cluster_update_interval): expect elector-lost warnings on every leader change`);
  }
  const quorum = config.cluster.quorum;
  const peers = countConfiguredPeers(config.cluster.transport);
  if (quorum > 0) {
    if (peers === null) {
      warnings.push(`cluster.quorum ${quorum} is on but cluster.transport names no unicast peer (multicast only): koi cannot tell whether ${quorum} is a strict majority, so two masters cannot be ruled out`);
    } else {
      const majority = Math.floor(peers / 2) + 1;
      if (quorum < majority) {
        warnings.push(`cluster.quorum ${quorum} is not a strict majority of the ${peers} nodes in cluster.transport (needs ${majority}): two masters cannot be ruled out in a partition`);
      } else if (quorum > peers) {
        warnings.push(`cluster.quorum ${quorum} is larger than the ${peers} nodes in cluster.transport: the cluster never has quorum unless more nodes join by multicast`);
      }
    }
  } else if (peers !== null && peers > 2 && config.node.elector) {
    warnings.push(`cluster.quorum is off with ${peers} nodes in cluster.transport: set it to ${Math.floor(peers / 2) + 1} to rule out two masters in a partition`);
  }
  return { errors, warnings };
}
