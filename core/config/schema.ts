/**
 * Every configuration key: type, default, range, whether a change needs a
 * restart, and a one-line description. The loader validates against this
 * table and docs/configuration.md is generated from it (describe.ts), so
 * the two cannot drift apart.
 */
import { LOG_LEVELS } from '../../plugin-api/logger';
import { RESTART_KEYS } from '../../plugin-api/config';
import type { KoiConfig } from '../../plugin-api/config';
import { DEFAULTS } from './defaults';
import { formatDuration } from './durations';
import { TIMING_DEFAULTS, type TimingDefault } from './timing-defaults';

/** Log levels accepted in `node.loglevel` (pino's `fatal` is not a useful threshold). */
export const CONFIG_LOG_LEVELS = LOG_LEVELS.filter((level) => level !== 'fatal');

/** The value type of a key and its allowed range. */
export type KeyType =
  | { kind: 'boolean' }
  | { kind: 'integer'; min: number; max: number }
  /** A real number; `clamp` pulls out-of-range values into the range with a warning instead of an error. */
  | { kind: 'number'; min: number; max: number; clamp: boolean }
  /** Milliseconds; written as `500`, `250ms`, `1.5s`, `2m`, `1h`. */
  | { kind: 'duration'; min: number; max: number }
  | { kind: 'string'; minLength: number; maxLength: number }
  /** A file system path; relative paths resolve against the folder of the file that set them. `off`: the word `off` is kept as is. */
  | { kind: 'path'; off?: boolean }
  | { kind: 'enum'; values: readonly string[] }
  /** A transport list (transport-address.ts). */
  | { kind: 'transport' };

export type SectionName = 'node' | 'cluster' | 'service' | 'time';
export const SECTION_NAMES: readonly SectionName[] = ['node', 'cluster', 'service', 'time'];

/** One key of the schema. */
export interface KeySpec {
  section: SectionName;
  key: string;
  /** `section.key` */
  path: string;
  type: KeyType;
  /** The default as an operator reads it (docs, `koi` help). */
  defaultText: string;
  description: string;
  /** One koi.conf line setting the key (docs). */
  example: string;
  /** A change needs an in-process restart of the node (RESTART_KEYS). */
  restart: boolean;
}

const SECOND = 1_000;
const MINUTE = 60 * SECOND;
const HOUR = 60 * MINUTE;
const DAY = 24 * HOUR;

const bool = (): KeyType => ({ kind: 'boolean' });
const int = (min: number, max: number): KeyType => ({ kind: 'integer', min, max });
const dur = (min: number, max: number): KeyType => ({ kind: 'duration', min, max });

type Row = [key: string, type: KeyType, defaultText: string, description: string, example: string];

const NODE: Row[] = [
  ['name', { kind: 'string', minLength: 1, maxLength: 64 }, 'the host name', 'Name shown in status and logs; `koinode --name` overrides it. 1-64 characters from A-Z a-z 0-9 . _ -, not starting with `-`.', 'name "db-east-1"'],
  ['elector', bool(), String(DEFAULTS.node.elector), 'Take part in choosing the leader.', 'elector false'],
  ['runner', bool(), String(DEFAULTS.node.runner), 'Run services; may become master.', 'runner true'],
  ['port', int(1, 65535), String(DEFAULTS.node.port), 'UDP port the node listens on; also the port of transport entries that give none.', 'port 42100'],
  ['maintenance', bool(), String(DEFAULTS.node.maintenance), 'Start in maintenance mode: no scripts run, every event is presumed successful.', 'maintenance on'],
  ['loglevel', { kind: 'enum', values: CONFIG_LOG_LEVELS }, DEFAULTS.node.loglevel, 'Lowest level logged (`koinode --debug` sets debug).', 'loglevel debug'],
  ['force_restart', bool(), String(DEFAULTS.node.force_restart), 'On reload, restart the node in-process even if no restart key changed.', 'force_restart yes'],
  ['reuse_address', bool(), String(DEFAULTS.node.reuse_address), 'Open the UDP socket with SO_REUSEADDR.', 'reuse_address true'],
  ['increment_port', bool(), String(DEFAULTS.node.increment_port), 'When the port is busy, try port+1, port+2, ... .', 'increment_port true'],
  ['admin_socket', { kind: 'string', minLength: 1, maxLength: 107 }, DEFAULTS.node.admin_socket, 'Unix socket for `koi` on this machine (absolute path, or `off`); who may connect is set by its owner, group and mode (docs/security.md).', 'admin_socket /var/run/koi-db/koi.sock'],
  ['admin_group', { kind: 'string', minLength: 0, maxLength: 64 }, '"" (the daemon\'s user only)', 'Group (name or gid) whose members may use the admin socket (socket mode 0660).', 'admin_group koiadm'],
  ['network_admin', { kind: 'enum', values: ['full', 'read-only', 'off'] }, DEFAULTS.node.network_admin, 'What `koi` over the network may do here: `full`, `read-only` (status, local, tree, failures, events, commands, and plugin commands declared read-only) or `off`; requests forwarded by other nodes always pass.', 'network_admin full'],
  ['admin_allow', { kind: 'string', minLength: 0, maxLength: 4096 }, '"" (any source)', 'Addresses or CIDR blocks (comma-separated) that may send network admin requests.', 'admin_allow "10.0.0.0/24, fd00::/64"'],
  ['journal', { kind: 'path', off: true }, DEFAULTS.node.journal, 'This node\'s event journal (JSON lines, read by `koi events`): at most two files of 4 MiB (`<path>` and `<path>.1`), kept across restarts; `off` keeps events in memory only. A journal that cannot be written is logged and the node runs on.', 'journal /var/lib/koi-db/events.jsonl'],
  ['state_file', { kind: 'path', off: true }, DEFAULTS.node.state_file, 'What this node remembers across restarts: the master of the last view that named one (a few hundred bytes of JSON, rewritten when it changes and once a minute). A leader fences a silent master only if some node remembers it (docs/safety.md R8), and a restart would otherwise forget it; `off` forgets it at every restart. A file that cannot be written is logged and the node runs on.', 'state_file /var/lib/koi-db/state.json'],
];

const CLUSTER: Row[] = [
  ['id', int(1, 65535), String(DEFAULTS.cluster.id), 'Cluster id; packets with another id are ignored. Part of the encryption key.', 'id 7'],
  ['password', { kind: 'string', minLength: 0, maxLength: 1024 }, '"" (warns)', 'Shared secret (at least 12 characters); the traffic key is derived from it, the cluster id and cluster.salt. Use either password or key_file.', 'password "long shared secret"'],
  ['key_file', { kind: 'path' }, '(none)', 'Key file written by `koi keygen` (mode 0600, owned by root or the daemon user): the recommended alternative to password; several keys allow rotation without downtime.', 'key_file cluster.key'],
  ['salt', { kind: 'string', minLength: 0, maxLength: 256 }, '""', 'Extra salt of the password-based key derivation (the same on every node), so clusters with equal ids do not share one.', 'salt "k7Qm2x9"'],
  ['transport', { kind: 'transport' }, '"" (none: the node talks only to itself)', 'Addresses every node sends to: IPv4, IPv6, [IPv6]:port, multicast groups, host names.', 'transport "10.0.0.1, 10.0.0.2:42013, [fe80::2%eth1]"'],
  ['quorum', int(0, 255), String(DEFAULTS.cluster.quorum), 'Nodes (self included) a node must see to have quorum; 0 = off.', 'quorum 2'],
];

const SERVICE: Row[] = [
  ['folder', { kind: 'path' }, DEFAULTS.service.folder, 'Folder holding the services.', 'folder services'],
  ['workingdir', { kind: 'path' }, 'service.folder', 'Working directory of single-script services.', 'workingdir /var/lib/koi'],
  ['start_timeout', dur(1, DAY), '360s', 'Time allowed for a `start` event.', 'start_timeout 2m'],
  ['stop_timeout', dur(1, DAY), '360s', 'Time allowed for a `stop` event.', 'stop_timeout 90s'],
  ['status_timeout', dur(1, DAY), '120s', 'Time allowed for a `status` event.', 'status_timeout 30s'],
  ['promote_timeout', dur(1, DAY), '30s', 'Time allowed for a `promote` event.', 'promote_timeout 45s'],
  ['demote_timeout', dur(1, DAY), '30s', 'Time allowed for a `demote` event.', 'demote_timeout 45s'],
  ['failed_timeout', dur(1, DAY), '20s', 'Time allowed for a `failed` event.', 'failed_timeout 10s'],
  ['kill_grace', dur(0, 10 * MINUTE), '5s', 'After a timeout, time between SIGTERM and SIGKILL to the script\'s process group.', 'kill_grace 2s'],
  ['auto_recover', int(0, 1_000_000), String(DEFAULTS.service.auto_recover), 'Automatic recovery attempts after failures; 0 = off.', 'auto_recover 5'],
  ['auto_recover_wait_factor', { kind: 'number', min: 1, max: 8, clamp: true }, String(DEFAULTS.service.auto_recover_wait_factor), 'Recovery wait = time.auto_recover_time × factor^(failcount−1), at most time.auto_recover_max_time.', 'auto_recover_wait_factor 2'],
  ['strict_permissions', bool(), String(DEFAULTS.service.strict_permissions), 'Refuse service scripts and native modules that a user other than root or the daemon\'s can change (the file, its folder, the services folder: writable by others, by a non-root group, or owned by another user); `false` only warns.', 'strict_permissions false'],
  ['env_passthrough', { kind: 'string', minLength: 0, maxLength: 4096 }, '"" (none)', 'Daemon environment variables passed on to scripts and native services, besides the fixed minimal environment (docs/services.md).', 'env_passthrough "http_proxy JAVA_HOME"'],
];

const INTERVAL = dur(10, HOUR);
/** Heartbeats may be a little faster than the other intervals: the fast profile (examples/fast.conf) uses 8 ms. */
const HEARTBEAT = dur(5, HOUR);
const DELAY = dur(0, 7 * DAY);
const SPAN = dur(1, 7 * DAY);

/** The time keys: the description is what the key does and what its default trades (core/config/timing-defaults.ts). */
const TIME: Row[] = ([
  ['status_interval', INTERVAL, 'status_interval 5s'],
  ['cluster_update_interval', HEARTBEAT, 'cluster_update_interval 200ms'],
  ['state_update_interval', INTERVAL, 'state_update_interval 1s'],
  ['elector_tick_interval', INTERVAL, 'elector_tick_interval 250ms'],
  ['runner_tick_interval', INTERVAL, 'runner_tick_interval 250ms'],
  ['elector_lost_time', SPAN, 'elector_lost_time 5s'],
  ['elector_gone_time', SPAN, 'elector_gone_time 10m'],
  ['quorum_demote_time', SPAN, 'quorum_demote_time 15s'],
  ['leader_dead_time', dur(1, MINUTE), 'leader_dead_time 500ms'],
  ['master_dead_time', SPAN, 'master_dead_time 3s'],
  ['elector_startup_tolerance', DELAY, 'elector_startup_tolerance 1s'],
  ['initial_promotion_delay', DELAY, 'initial_promotion_delay 30s'],
  ['auto_recover_time', SPAN, 'auto_recover_time 20s'],
  ['auto_recover_max_time', SPAN, 'auto_recover_max_time 30m'],
  ['failcount_reset', SPAN, 'failcount_reset 1h'],
  ['failure_promotion_timeout', DELAY, 'failure_promotion_timeout 2m'],
  ['node_timeout', SPAN, 'node_timeout 2s'],
  ['master_lease', SPAN, 'master_lease 1500ms'],
  ['lease_margin', DELAY, 'lease_margin 500ms'],
] as const).map(([key, type, example]): Row => [key, type, '', timingDescription(key), example]);

function build(section: SectionName, rows: Row[]): KeySpec[] {
  return rows.map(([key, type, defaultText, description, example]) => {
    const path = `${section}.${key}`;
    return { section, key, path, type, defaultText, description, example, restart: RESTART_KEYS.includes(path) };
  });
}

/** The whole schema, in documentation order. */
export const CONFIG_SCHEMA: readonly KeySpec[] = [
  ...build('node', NODE),
  ...build('cluster', CLUSTER),
  ...build('service', SERVICE),
  ...build('time', TIME).map((spec) => ({ ...spec, defaultText: formatTimeDefault(spec.key) })),
];

function timingDescription(key: string): string {
  const row = (TIMING_DEFAULTS as Readonly<Record<string, TimingDefault>>)[key];
  if (row === undefined) throw new Error(`time.${key} has no entry in TIMING_DEFAULTS`);
  return `${row.does} ${row.trades}`;
}

function formatTimeDefault(key: string): string {
  const ms = (DEFAULTS.time as Readonly<Record<string, number>>)[key];
  if (ms === undefined) throw new Error(`time.${key} has no entry in TIME_DEFAULTS`);
  return formatDuration(ms);
}

/** Look a key up by section and name. */
export function findKeySpec(section: string, key: string): KeySpec | undefined {
  return CONFIG_SCHEMA.find((spec) => spec.section === section && spec.key === key);
}

/** The keys of one section. */
export function sectionKeys(section: SectionName): KeySpec[] {
  return CONFIG_SCHEMA.filter((spec) => spec.section === section);
}

/** Dotted paths of the keys of the four fixed sections (`node.port`, ...). */
export type ConfigKeyPath = { [S in SectionName]: `${S}.${keyof KoiConfig[S] & string}` }[SectionName];
