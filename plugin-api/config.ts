import type { LogLevel } from './logger';

/** One entry of `cluster.transport`, parsed (SPEC §7). */
export interface TransportAddress {
  /** How the address was recognised. `hostname` is resolved through DNS by the transport. */
  kind: 'ipv4' | 'ipv6' | 'multicast4' | 'multicast6' | 'hostname';
  /** Address or host name, without brackets. */
  host: string;
  /** Port; the node's own port when the entry gave none. */
  port: number;
  /** The entry as written. */
  raw: string;
}

/** Where a configuration value came from, for error messages (`file:line`). */
export interface ConfigOrigin {
  file: string;
  line: number;
}

/** Options of one plugin as written in the `plugins` section (values already typed). */
export type PluginOptions = Record<string, unknown>;

/** One entry of the `plugins` section, in the order written. */
export interface PluginEntry {
  /** Name as written: `udp`, `example`, `@acme/fence`, `koi-plugin-x`, `./local-plugin`. */
  name: string;
  options: PluginOptions;
  /** Where the entry was written. */
  origin?: ConfigOrigin;
  /** Where each option was written, by option key. */
  optionOrigins?: Record<string, ConfigOrigin>;
  /** Folder of the config file that named the plugin; relative names and packages resolve from here. */
  baseDir?: string;
}

/**
 * The whole, validated configuration with defaults applied. Keys keep the
 * koi.conf spelling (snake_case). Durations are milliseconds.
 */
export interface KoiConfig {
  node: {
    /** Node name (`--name`, else the host name). */
    name: string;
    elector: boolean;
    runner: boolean;
    port: number;
    maintenance: boolean;
    loglevel: LogLevel;
    force_restart: boolean;
    reuse_address: boolean;
    increment_port: boolean;
    /** Unix socket for local admin (absolute path), or `off`. */
    admin_socket: string;
    /** Group (name or gid) allowed to use the admin socket; '' = the daemon's user only. */
    admin_group: string;
    /** What `koi` over the network may do: everything, read-only commands, or nothing. */
    network_admin: 'full' | 'read-only' | 'off';
    /** Sources (addresses, CIDR blocks) allowed to send network admin requests; '' = any. */
    admin_allow: string;
    /** This node's event journal (absolute path; `<path>.1` after rotation), or `off`. */
    journal: string;
    /** What this machine remembers across restarts (the last master seen; absolute path), or `off`. */
    state_file: string;
  };
  cluster: {
    id: number;
    password: string;
    /** Key file (`koi keygen`): the alternative to `password`; exactly one of them. */
    key_file?: string;
    /** Extra KDF salt for the password route (the same on every node). */
    salt?: string;
    /** Set by the loader from the key file's contents (not secret): a reload sees a rotated key file as a change. */
    key_digest?: string;
    transport: TransportAddress[];
    quorum: number;
  };
  service: {
    folder: string;
    workingdir: string;
    start_timeout: number;
    stop_timeout: number;
    status_timeout: number;
    promote_timeout: number;
    demote_timeout: number;
    failed_timeout: number;
    /** Grace between SIGTERM and SIGKILL when an event times out. */
    kill_grace: number;
    auto_recover: number;
    auto_recover_wait_factor: number;
    /**
     * Refuse service scripts and native modules (and their folders up to the
     * services folder) that someone other than root or the daemon's user can
     * change; false only warns.
     */
    strict_permissions: boolean;
    /** Names of daemon environment variables passed on to scripts and native services, space separated. */
    env_passthrough: string;
  };
  time: {
    status_interval: number;
    cluster_update_interval: number;
    state_update_interval: number;
    elector_tick_interval: number;
    runner_tick_interval: number;
    elector_lost_time: number;
    elector_gone_time: number;
    quorum_demote_time: number;
    /** An elector that heard no leader this long stands for election (at least 4 heartbeats). */
    leader_dead_time: number;
    master_dead_time: number;
    elector_startup_tolerance: number;
    initial_promotion_delay: number;
    auto_recover_time: number;
    /** The growing recovery wait never exceeds this. */
    auto_recover_max_time: number;
    failcount_reset: number;
    failure_promotion_timeout: number;
    /** A node not heard from within this time is dropped from the node table. */
    node_timeout: number;
    /** A master demotes itself when it has not heard a quorate leader for this long (SPEC §3). */
    master_lease: number;
    /** Extra silence the leader waits beyond the lease before promoting a replacement. */
    lease_margin: number;
  };
  /** Plugins to load, in order. */
  plugins: PluginEntry[];
  /** The files this configuration was read from, in order. */
  sources: string[];
}

/** Keys whose change needs an in-process restart of the node (SPEC §7). */
export const RESTART_KEYS: readonly string[] = [
  'node.port', 'node.elector', 'node.runner', 'node.reuse_address', 'node.increment_port', 'node.admin_socket', 'node.admin_group', 'node.journal', 'node.state_file',
  'cluster.transport', 'cluster.id', 'cluster.password', 'service.folder', 'plugins',
];
