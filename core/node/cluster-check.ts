/**
 * Start-up check of the timing relations the cluster logic relies on
 * (docs/architecture.md "Timings"). Errors refuse the configuration like a
 * config error; warnings are logged.
 */
import type { KoiConfig } from '../../plugin-api';
import { ELECTION_LIMIT_TICKS, candidacyMs, electionMs, electionTimeoutMs } from '../config/timing-defaults';
import { ACK_WINDOW_TICKS, CLOCK_RATE_BOUND, ackWindowMs, freezeBoundMs, minimumLeaseMargin, stallBoundMs } from '../config/safety-bounds';
import { countConfiguredPeers } from '../elector/peers';

export interface ClusterCheck {
  errors: string[];
  warnings: string[];
}

export function checkClusterConfig(config: KoiConfig): ClusterCheck {
  const errors: string[] = [];
  const warnings: string[] = [];
  const t = config.time;
  const ackWindow = ackWindowMs(t.cluster_update_interval);
  const need = (ok: boolean, message: string): void => {
    if (!ok) errors.push(message);
  };
  const renewEvery = Math.min(t.elector_tick_interval, t.state_update_interval);
  need(t.master_lease >= 3 * renewEvery,
    `time.master_lease (${t.master_lease} ms) must be at least 3 × time.elector_tick_interval (${renewEvery} ms): the lease must survive a lost renewal`);
  need(t.master_lease > ackWindow,
    `time.master_lease (${t.master_lease} ms) must exceed ${ACK_WINDOW_TICKS} × time.cluster_update_interval (${ackWindow} ms), the window in which followers' answers count for the leader's quorum`);
  const minMargin = minimumLeaseMargin(t);
  need(t.lease_margin >= minMargin,
    `time.lease_margin (${t.lease_margin} ms) must be at least ${minMargin} ms for time.cluster_update_interval ${t.cluster_update_interval} ms and time.master_lease ${t.master_lease} ms: `
    + `it covers ${freezeBoundMs(t.cluster_update_interval)} ms of frozen clock and a ${stallBoundMs(t.cluster_update_interval)} ms loop stall a node may not notice, and clocks running ${CLOCK_RATE_BOUND * 100} % apart from real time over the lease (docs/safety.md R3)`);
  need(t.master_dead_time >= 3 * t.runner_tick_interval,
    `time.master_dead_time (${t.master_dead_time} ms) must be at least 3 × time.runner_tick_interval (${3 * t.runner_tick_interval} ms), or a lost report or two fails the master over`);
  need(t.master_dead_time >= ackWindow,
    `time.master_dead_time (${t.master_dead_time} ms) must be at least the ack window ${ackWindow} ms (${ACK_WINDOW_TICKS} × time.cluster_update_interval)`);
  need(t.node_timeout >= ackWindow,
    `time.node_timeout (${t.node_timeout} ms) must be at least ${ACK_WINDOW_TICKS} × time.cluster_update_interval (${ackWindow} ms)`);
  need(t.elector_gone_time >= t.elector_lost_time,
    `time.elector_gone_time (${t.elector_gone_time} ms) must not be shorter than time.elector_lost_time (${t.elector_lost_time} ms)`);
  const standAfter = electionTimeoutMs(t);
  if (t.leader_dead_time < standAfter) {
    warnings.push(`time.leader_dead_time (${t.leader_dead_time} ms) is shorter than ${ELECTION_LIMIT_TICKS} × time.cluster_update_interval: ${standAfter} ms is used (one or two lost heartbeats must not start an election)`);
  }
  // A leader stall shorter than leader_dead_time is ridden out, but the first timer after it runs before the
  // datagrams that waited: runners silent for master_dead_time are marked Disconnected (the master dropped and
  // taken back on its next report) and nodes silent for node_timeout leave the table — churn, not danger.
  if (standAfter >= t.master_dead_time - t.cluster_update_interval || standAfter >= t.node_timeout) {
    warnings.push(`time.leader_dead_time (${standAfter} ms) is not well below time.master_dead_time (${t.master_dead_time} ms) and time.node_timeout (${t.node_timeout} ms): a leader stall it rides out still drops the master (taken back at its next report) and the nodes it did not hear`);
  }
  const election = electionMs(t);
  if (t.elector_lost_time < election) {
    warnings.push(`time.elector_lost_time (${t.elector_lost_time} ms) is shorter than a leader election (${election} ms: time.leader_dead_time, then ${candidacyMs(t)} ms as candidate): expect elector-lost warnings on every leader change`);
  }
  const quorum = config.cluster.quorum;
  if (quorum > 0 && countConfiguredPeers(config.cluster.transport) === null) {
    warnings.push(`cluster.quorum ${quorum} is on but cluster.transport names no unicast peer (multicast only): koi cannot tell whether ${quorum} is a strict majority, so two masters cannot be ruled out`);
  }
  // Whether quorum is a strict majority of the *nodes* is checked once every configured peer was heard
  // (quorumMajorityWarning): the transport list alone cannot tell nodes from redundant addresses.
  return { errors, warnings };
}

/**
 * SPEC §3 guidance, checked once every configured peer has been heard and
 * the node count is known (a node listed with two addresses is one node).
 */
export function quorumMajorityWarning(quorum: number, nodes: number, elector: boolean): string {
  const majority = Math.floor(nodes / 2) + 1;
  if (quorum > 0 && quorum < majority) {
    return `cluster.quorum ${quorum} is not a strict majority of the ${nodes} nodes of cluster.transport (needs ${majority}): two masters cannot be ruled out in a partition`;
  }
  if (quorum > nodes) return `cluster.quorum ${quorum} is larger than the ${nodes} nodes of cluster.transport: the cluster never has quorum unless more nodes join`;
  if (quorum <= 0 && nodes > 2 && elector) return `cluster.quorum is off with ${nodes} nodes in cluster.transport: set it to ${majority} to rule out two masters in a partition`;
  return '';
}
