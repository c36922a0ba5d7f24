/**
 * Default values of every configuration key (SPEC §7). The time section comes
 * from timing-defaults.ts, tuned as a whole (docs/architecture.md "Timings").
 */
import { hostname } from 'node:os';
import type { KoiConfig } from '../../plugin-api/config';
import { TIME_DEFAULTS } from './timing-defaults';

/** Default service folder; relative folders in a file resolve against that file's folder. */
export const DEFAULT_SERVICE_FOLDER = '/etc/koi/services';

/** Defaults of the fixed keys. `node.name` (host name) and `service.workingdir` (= folder) are derived. */
export const DEFAULTS = {
  node: {
    elector: true,
    runner: false,
    port: 42012,
    maintenance: false,
    loglevel: 'info',
    force_restart: false,
    reuse_address: false,
    increment_port: false,
    admin_socket: '/run/koi/koi.sock',
    admin_group: '',
    network_admin: 'read-only',
    admin_allow: '',
    journal: '/var/lib/koi/events.jsonl',
    state_file: '/var/lib/koi/state.json',
  },
  cluster: {
    id: 13,
    password: '',
    transport: '',
    quorum: 0,
  },
  service: {
    folder: DEFAULT_SERVICE_FOLDER,
    start_timeout: 360_000,
    stop_timeout: 360_000,
    status_timeout: 120_000,
    promote_timeout: 30_000,
    demote_timeout: 30_000,
    failed_timeout: 20_000,
    kill_grace: 5_000,
    auto_recover: 120,
    /** Each failure in a row doubles the wait (capped by time.auto_recover_max_time): no failover storm by default. */
    auto_recover_wait_factor: 2,
    strict_permissions: true,
    env_passthrough: '',
  },
  time: TIME_DEFAULTS,
} as const;

/** A complete configuration made of defaults only: what a lone node with no file runs with. */
export function defaultConfig(): KoiConfig {
  return {
    node: { name: hostname(), ...DEFAULTS.node },
    cluster: { id: DEFAULTS.cluster.id, password: DEFAULTS.cluster.password, key_file: undefined, salt: undefined, transport: [], quorum: DEFAULTS.cluster.quorum },
    service: { ...DEFAULTS.service, workingdir: DEFAULTS.service.folder },
    time: { ...TIME_DEFAULTS },
    plugins: [],
    sources: [],
  };
}
