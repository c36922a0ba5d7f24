/**
 * /metrics of the http plugin: a prom-client registry of its own (an
 * in-process restart applies the plugin again; the global registry would
 * refuse the second set of names). Gauges are read at scrape time from
 * the node (`koi.inspect`); counters and histograms count what the hooks
 * report while the plugin runs. Names: docs/observability.md.
 */
import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';
import { RUNNER_STATES, SERVICE_STATES } from '../../plugin-api';
import type { KoiHooks, NodeInspector } from '../../plugin-api';

/** Seconds; script events run from milliseconds (status) to minutes (a database start). */
export const SCRIPT_DURATION_BUCKETS = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 120, 300];
/** States a node can show in `koi status` (the cluster gauge lists each, zeros included, so a missing state reads 0). */
const DISPLAY_STATES = [...RUNNER_STATES, 'Disconnected', 'Elector', 'Other', 'Offline'].filter((s, i, all) => all.indexOf(s) === i);
/**
 * The event loop is sampled this often (ms) for nodejs_eventloop_lag_* (a timer of its own, waking the
 * process: prom-client's default is 10 ms). A stall shorter than this between two samples can go unseen
 * there, not by koi's own stall guard (it logs them). docs/performance.md "The http plugin: idle cost".
 */
const EVENT_LOOP_PRECISION_MS = 1000;

/** Local status document fields the metrics use (docs/client.md, `koi --json local`). */
interface LocalDoc {
  type: 'local';
  id: string;
  name: string;
  version: string;
  roles: { elector: boolean; runner: boolean };
  state: string;
  mode: string | null;
  leader: { id: string } | null;
  master: { id: string } | null;
  maintenance: boolean;
  quorum: { configured: number; seen: number; has: boolean };
  services: Array<{ name: string; state: string }>;
  failCount: number;
}

interface ClusterDoc {
  type: 'cluster';
  nodes: Array<{ state: string }>;
}

export interface KoiMetrics {
  registry: Registry;
  /** Read the node's state into the gauges, then render the text format. */
  render(): Promise<string>;
  readonly contentType: string;
}

/**
 * Process metrics (process_*, nodejs_*, event-loop lag) belong to the process, not to one
 * application of the plugin: collected once, so an in-process restart does not start a second
 * event-loop monitor.
 */
let processRegistry: Registry | null = null;
function processMetrics(): Registry {
  if (processRegistry === null) {
    processRegistry = new Registry();
    collectDefaultMetrics({ register: processRegistry, eventLoopMonitoringPrecision: EVENT_LOOP_PRECISION_MS });
    // Gauges named like counters (promtool refuses them); nodejs_active_handles{type} etc. carry the same by type.
    for (const name of ['nodejs_active_handles_total', 'nodejs_active_requests_total', 'nodejs_active_resources_total']) {
      processRegistry.removeSingleMetric(name);
    }
  }
  return processRegistry;
}

export function createMetrics(inspect: NodeInspector, hooks: KoiHooks, tapName: string): KoiMetrics {
  const registry = new Registry();
  const process = processMetrics();
  const registers = [registry];
  const gauge = <L extends string>(name: string, help: string, labelNames: readonly L[] = []): Gauge<L> =>
    new Gauge({ name, help, labelNames, registers });
  const counter = <L extends string>(name: string, help: string, labelNames: readonly L[] = []): Counter<L> =>
    new Counter({ name, help, labelNames, registers });

  // ---- read at scrape time ---------------------------------------------------------
  const info = gauge('koi_node_info', 'Always 1; labels name the node, its id (fresh per process start) and the koi version.', ['node', 'id', 'version']);
  const isLeader = gauge('koi_leader', '1 when this node is the cluster leader (the elector that elects the master).');
  const isMaster = gauge('koi_master', '1 when this node is the master (runs the promoted services).');
  const runnerState = gauge('koi_runner_state', '1 for the runner state this node is in, 0 for the others (runners only).', ['state']);
  const runnerMode = gauge('koi_runner_mode', '1 for the runner mode (Active may become master, Passive may not), 0 for the other.', ['mode']);
  const quorumSeen = gauge('koi_quorum_seen', 'Electors this node hears, itself included.');
  const quorumNeeded = gauge('koi_quorum_needed', 'Electors needed for quorum (cluster.quorum; 0 = quorum off).');
  const quorumHas = gauge('koi_quorum_has', '1 when this node sees quorum.');
  const maintenance = gauge('koi_maintenance', '1 while the cluster is in maintenance mode (no scripts run).');
  const failCount = gauge('koi_runner_failcount', 'Failures this runner has counted since the last reset (failcount_reset, koi recover).');
  const serviceState = gauge('koi_service_state', '1 for the state each service of this node is in, 0 for the others.', ['service', 'state']);
  const lease = gauge('koi_master_lease_remaining_seconds', 'Seconds left on this runner\'s master lease (0 when it holds none).');
  const clusterNodes = gauge('koi_cluster_nodes', 'Nodes in the leader\'s view by state (exported by the leader only).', ['state']);
  const datagramsAccepted = counter('koi_datagrams_accepted_total', 'Datagrams that passed authentication and the replay guard.');
  const datagramsRejected = counter('koi_datagrams_rejected_total', 'Datagrams dropped, by reason (auth-failed, replay, duplicate, ...).', ['reason']);
  const adminRequests = counter('koi_admin_requests_total', 'Admin requests this node answered, by command (other: not a built-in command).', ['command']);

  // ---- counted from hooks ----------------------------------------------------------
  const masterChanges = counter('koi_master_changes_total', 'Changes of the cluster master as this node saw them (to none included).');
  const failovers = counter('koi_failovers_total', 'The master moved to another node (failover or switchover) as this node saw it.');
  const leaderChanges = counter('koi_leader_changes_total', 'Changes of the cluster leader as this node saw them.');
  const promotions = counter('koi_promotions_total', 'Times this runner became master.');
  const demotions = counter('koi_demotions_total', 'Times this runner stopped being master.');
  const runnerFailures = counter('koi_runner_failures_total', 'Times this runner went to state Failed.');
  const eventFailures = counter('koi_service_event_failures_total', 'Service events (scripts) that failed: exit code, timeout, spawn error.', ['service', 'event']);
  const duration = new Histogram({
    name: 'koi_service_event_duration_seconds', help: 'Run time of service events (scripts, native modules) by service and event.',
    labelNames: ['service', 'event'] as const, buckets: SCRIPT_DURATION_BUCKETS, registers,
  });

  let lastMaster = '';
  hooks.onMasterChange.tap(tapName, (change) => {
    masterChanges.inc();
    if (change.masterId === '') return;
    if (lastMaster !== '' && change.masterId !== lastMaster) failovers.inc();
    lastMaster = change.masterId;
  });
  hooks.onLeaderChange.tap(tapName, () => leaderChanges.inc());
  hooks.onPromote.tapPromise(tapName, async () => promotions.inc());
  hooks.onDemote.tapPromise(tapName, async () => demotions.inc());
  hooks.onStateChange.tap(tapName, (change) => {
    if (change.to === 'Failed' && change.from !== 'Failed') runnerFailures.inc();
  });
  hooks.onServiceEvent.tapPromise(tapName, async (report) => {
    if (report.presumed) return;
    const labels = { service: report.service, event: report.event };
    duration.observe(labels, report.result.durationMs / 1000);
    if (!report.ok) eventFailures.inc(labels);
  });

  const setCounter = <L extends string>(c: Counter<L>, values: Record<string, number>, label: L): void => {
    c.reset();
    for (const [key, value] of Object.entries(values)) c.inc({ [label]: key } as Record<L, string>, value);
  };

  /** Read everything first, then reset and set in one synchronous step: a scrape never sees half-set gauges. */
  async function refresh(): Promise<void> {
    const local = (await inspect.query('local')).json as LocalDoc | undefined;
    const running = local?.type === 'local';
    // Answered here when this node leads, so no network round trip per scrape.
    const cluster = running && local.leader?.id === local.id ? (await inspect.query('status')).json as ClusterDoc | undefined : undefined;
    const core = inspect.metrics();
    for (const g of [info, isLeader, isMaster, runnerState, runnerMode, quorumSeen, quorumNeeded, quorumHas, maintenance,
      failCount, serviceState, lease, clusterNodes]) g.reset();
    if (core) {
      datagramsAccepted.reset();
      datagramsAccepted.inc(core.datagramsAccepted);
      setCounter(datagramsRejected, core.datagramsRejected, 'reason');
      setCounter(adminRequests, core.adminRequests, 'command');
      if (core.leaseRemainingMs !== null) lease.set(core.leaseRemainingMs / 1000);
    }
    if (!running) return; // not running (restart): only what the hooks counted
    info.set({ node: local.name, id: local.id, version: local.version }, 1);
    isLeader.set(local.leader?.id === local.id ? 1 : 0);
    isMaster.set(local.master?.id === local.id ? 1 : 0);
    quorumSeen.set(local.quorum.seen);
    quorumNeeded.set(local.quorum.configured);
    quorumHas.set(local.quorum.has ? 1 : 0);
    maintenance.set(local.maintenance ? 1 : 0);
    if (local.roles.runner) {
      for (const state of RUNNER_STATES) runnerState.set({ state }, local.state === state ? 1 : 0);
      for (const mode of ['Active', 'Passive']) runnerMode.set({ mode }, local.mode === mode ? 1 : 0);
      failCount.set(local.failCount);
      for (const service of local.services) {
        for (const state of SERVICE_STATES) serviceState.set({ service: service.name, state }, service.state === state ? 1 : 0);
      }
    }
    if (cluster?.type === 'cluster') {
      for (const state of DISPLAY_STATES) clusterNodes.set({ state }, cluster.nodes.filter((n) => n.state === state).length);
    }
  }

  return {
    registry,
    contentType: registry.contentType,
    async render() {
      await refresh();
      return `${await process.metrics()}${await registry.metrics()}`;
    },
  };
}
