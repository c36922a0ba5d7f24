/**
 * Human-readable renderings of admin documents. The server puts the plain
 * rendering in `AdminResponse.text`; the client re-renders from the JSON
 * document (so it can colour it, and so an answer whose text was dropped to
 * fit one datagram still reads well).
 */
import type { ClusterEvent, ClusterEventKind, DisplayState, ServiceState } from '../../plugin-api';
import type {
  AdminDocument, ClusterNodeStatus, ClusterStatus, FailureRecord, LocalStatus, NodeFlagName, NodeRef, QuorumInfo,
  ServiceInfo,
} from './schema';
import { escapeControl } from '../security/names';

export interface FormatOptions {
  /** ANSI colours. */
  color: boolean;
}

const PLAIN: FormatOptions = { color: false };

const ANSI = {
  reset: '\u001b[0m', bold: '\u001b[1m', dim: '\u001b[2m', red: '\u001b[31m', green: '\u001b[32m',
  yellow: '\u001b[33m', blue: '\u001b[34m', cyan: '\u001b[36m', gray: '\u001b[90m',
} as const;
type Paint = keyof typeof ANSI;

function paint(opts: FormatOptions, text: string, ...styles: Paint[]): string {
  if (!opts.color || styles.length === 0) return text;
  return `${styles.map((s) => ANSI[s]).join('')}${text}${ANSI.reset}`;
}

// eslint-disable-next-line no-control-regex
const ANSI_PATTERN = /\u001b\[[0-9;]*m/g;
/** Width of a string as shown on a terminal (ANSI codes take no room). */
export function visibleWidth(text: string): number {
  return text.replace(ANSI_PATTERN, '').length;
}

function pad(text: string, width: number): string {
  return text + ' '.repeat(Math.max(0, width - visibleWidth(text)));
}

/**
 * A copy of `value` with control characters in every string escaped
 * (`\x1b`, `\n`): names, reasons and addresses come from other nodes and
 * scripts, and must not move the cursor, recolour or forge lines on the
 * operator's terminal — whatever slipped past the name checks. `keepLines`
 * leaves newlines in free text (plugin output, result details).
 */
function clean<T>(value: T, keepLines = false): T {
  if (typeof value === 'string') return escapeControl(value, { keepLines }) as T;
  if (Array.isArray(value)) return value.map((item) => clean(item, keepLines)) as T;
  if (value !== null && typeof value === 'object') {
    const out: Record<string, unknown> = {};
    for (const [key, item] of Object.entries(value)) out[key] = clean(item, keepLines);
    return out as T;
  }
  return value;
}

function stateStyles(state: DisplayState): Paint[] {
  switch (state) {
    case 'Master': return ['bold', 'green'];
    case 'Slave': return ['green'];
    case 'Live': return ['cyan'];
    case 'Stopped': return ['yellow'];
    case 'Disconnected': return ['gray'];
    case 'Failed': return ['bold', 'red'];
    case 'Elector': return ['blue'];
    case 'Other': return ['gray'];
    case 'Offline': return ['bold', 'red'];
    default: {
      const unknown: never = state;
      return unknown;
    }
  }
}

function serviceStyles(state: ServiceState): Paint[] {
  switch (state) {
    case 'Promoted': return ['bold', 'green'];
    case 'Started': return ['green'];
    case 'Starting': case 'Promoting': case 'Demoting': case 'Stopping': return ['yellow'];
    case 'Stopped': return ['gray'];
    case 'Failed': case 'Failing': return ['bold', 'red'];
    default: {
      const unknown: never = state;
      return unknown;
    }
  }
}

/** `0.4s`, `12s`, `5m 3s`, `2h 5m`, `3d 4h`. */
export function formatDuration(ms: number): string {
  if (!Number.isFinite(ms) || ms < 0) return '-';
  if (ms < 10_000) return `${(Math.floor(ms / 100) / 10).toFixed(1)}s`;
  const s = Math.floor(ms / 1000);
  if (s < 60) return `${s}s`;
  const m = Math.floor(s / 60);
  if (m < 60) return `${m}m ${s % 60}s`;
  const h = Math.floor(m / 60);
  if (h < 24) return `${h}h ${m % 60}m`;
  return `${Math.floor(h / 24)}d ${h % 24}h`;
}

/** Local wall time `YYYY-MM-DD HH:MM:SS`. */
export function formatTimestamp(epochMs: number): string {
  const d = new Date(epochMs);
  const two = (n: number): string => String(n).padStart(2, '0');
  return `${d.getFullYear()}-${two(d.getMonth() + 1)}-${two(d.getDate())} ${two(d.getHours())}:${two(d.getMinutes())}:${two(d.getSeconds())}`;
}

function onOff(value: boolean): string {
  return value ? 'on' : 'off';
}

function nodeName(ref: NodeRef | null): string {
  return ref ? ref.name : '-';
}

export function formatQuorum(q: QuorumInfo): string {
  if (q.configured <= 0) return `off (${q.seen} node${q.seen === 1 ? '' : 's'} seen)`;
  return `${q.seen} seen, ${q.configured} needed ${q.has ? '(has quorum)' : '(NO QUORUM)'}`;
}

const FLAG_LETTERS: ReadonlyArray<[NodeFlagName, string]> = [['Elector', 'E'], ['Runner', 'R'], ['Leader', 'L'], ['Failed', 'F']];
/** Flags as fixed letters, `-` for an unset flag: `ERL-`. */
export function flagLetters(flags: readonly NodeFlagName[]): string {
  return FLAG_LETTERS.map(([flag, letter]) => (flags.includes(flag) ? letter : '-')).join('');
}

/** A service's state as shown: `disabled` for one kept stopped by a `disabled` file. */
function serviceState(s: ServiceInfo): string {
  return s.disabled ? 'disabled' : s.state;
}

function serviceList(services: readonly ServiceInfo[], opts: FormatOptions, stale = false): string {
  if (services.length === 0) return '-';
  // A node not heard: its last reported states, greyed and marked, never shown as current (like crm_mon's UNCLEAN).
  if (stale) return paint(opts, `${services.map((s) => `${s.name}:${serviceState(s)}`).join(' ')} (stale)`, 'gray');
  return services.map((s) => `${s.name}:${s.disabled ? paint(opts, 'disabled', 'yellow') : paint(opts, s.state, ...serviceStyles(s.state))}`).join(' ');
}

/** A node's state as shown: OFFLINE in capitals, as crm_mon does. */
function stateText(state: DisplayState): string {
  return state === 'Offline' ? 'OFFLINE' : state;
}

/** `No master: why` and, for each runner that is not a candidate, why not. */
function noMasterLines(status: ClusterStatus, opts: FormatOptions): string[] {
  const why = status.noMaster;
  if (status.master || !why) return [];
  const loud = why.code === 'failover-halted' || why.code === 'no-quorum' || why.code === 'no-electable-runner';
  const lines = [`No master: ${paint(opts, why.message, ...(loud ? ['bold', 'red'] as Paint[] : ['yellow'] as Paint[]))}`];
  for (const r of why.runners) lines.push(`  ${paint(opts, r.node.name, 'bold')} not electable: ${r.reason}`);
  return lines;
}

/** The lines a failing script wrote, indented under what they explain. */
function outputLines(output: readonly string[] | undefined, indent: string, opts: FormatOptions): string[] {
  return (output ?? []).map((line) => `${indent}${paint(opts, `| ${line}`, 'dim')}`);
}

function table(headers: string[], rows: string[][]): string[] {
  const widths = headers.map((h, i) => Math.max(visibleWidth(h), ...rows.map((r) => visibleWidth(r[i] ?? ''))));
  const line = (cells: string[]): string => cells.map((c, i) => (i === cells.length - 1 ? c : pad(c, widths[i]))).join('  ').trimEnd();
  return [line(headers), ...rows.map(line)];
}

/** `koi status`: a summary, then one row per node (like crm_mon / pcs status). */
export function formatClusterStatus(raw: ClusterStatus, opts: FormatOptions = PLAIN): string {
  const status = clean(raw);
  const lines: string[] = [];
  const master = status.master ? paint(opts, status.master.name, 'bold', 'green') : paint(opts, 'none', 'yellow');
  lines.push(`Cluster ${status.clusterId}: leader ${paint(opts, status.leader.name, 'bold')}, master ${master}`);
  const maintenance = status.maintenance ? paint(opts, 'ON', 'bold', 'yellow') : 'off';
  const manual = status.manualMaster ? paint(opts, 'ON', 'bold', 'yellow') : 'off';
  lines.push(...noMasterLines(status, opts));
  if (status.master && status.masterPending) lines.push(`Master not promoted yet: ${paint(opts, status.masterPending.message, 'yellow')}`);
  lines.push(`Maintenance: ${maintenance}  Manual master: ${manual}  Target master: ${nodeName(status.targetMaster)}  Quorum: ${formatQuorum(status.quorum)}`);
  lines.push('');
  const rows = status.nodes.map((n) => [
    paint(opts, n.name, 'bold'),
    paint(opts, stateText(n.state), ...stateStyles(n.state)),
    n.mode ?? '-',
    flagLetters(n.flags),
    addressCell(n),
    n.id === status.leader.id ? 'self' : n.state === 'Offline' || n.state === 'Disconnected' ? `${formatDuration(n.lastSeenAgoMs)} ago` : formatDuration(n.lastSeenAgoMs),
    n.uptimeMs === null ? '-' : formatDuration(n.uptimeMs),
    failureCell(n),
    serviceList(n.services, opts, n.servicesStale === true),
  ]);
  // Configured peers never heard: a row each, so a machine that never came up is not invisible either.
  for (const address of status.unheard ?? []) {
    rows.push([paint(opts, '?', 'bold'), paint(opts, 'OFFLINE', ...stateStyles('Offline')), '-', '----', address, 'never', '-', '-', '-']);
  }
  lines.push(...table(['NODE', 'STATE', 'MODE', 'FLAGS', 'ADDRESS', 'LAST SEEN', 'UPTIME', 'FAILS', 'SERVICES'], rows));
  if (status.nodes.length === 0) lines.push('(no nodes)');
  lines.push('');
  lines.push('FLAGS: E elector, R runner, L leader, F failed');
  return lines.join('\n');
}

/** Where the leader heard the node; for a silent one, every address tried. */
function addressCell(n: ClusterNodeStatus): string {
  const tried = n.addressesTried ?? [];
  if (tried.length > 1) return tried.join(',');
  return n.address ?? tried[0] ?? '-';
}

function failureCell(n: ClusterNodeStatus): string {
  if (n.failCount === 0 && !n.lastFailure) return '0';
  return n.lastFailure ? `${n.failCount} (${formatDuration(n.lastFailure.agoMs)} ago)` : String(n.failCount);
}

/** `koi tree`: cluster → nodes → services. */
export function formatTree(raw: ClusterStatus, opts: FormatOptions = PLAIN): string {
  const status = clean(raw);
  const lines: string[] = [];
  const parts = [`leader ${status.leader.name}`, `master ${status.master ? status.master.name : 'none'}`];
  if (!status.master && status.noMaster) parts.push(`no master: ${status.noMaster.message}`);
  if (status.master && status.masterPending) parts.push(`not promoted yet: ${status.masterPending.message}`);
  if (status.maintenance) parts.push('MAINTENANCE');
  if (status.manualMaster) parts.push('manual master');
  if (status.targetMaster) parts.push(`target ${status.targetMaster.name}`);
  lines.push(`${paint(opts, `cluster ${status.clusterId}`, 'bold')} (${parts.join(', ')})`);
  status.nodes.forEach((node, i) => {
    const last = i === status.nodes.length - 1;
    const tags: string[] = [];
    if (node.flags.includes('Leader')) tags.push('leader');
    if (node.roles.elector && !node.roles.runner) tags.push('elector only');
    if (node.state === 'Offline' || node.state === 'Disconnected') tags.push(`silent for ${formatDuration(node.lastSeenAgoMs)}`);
    // Passive is worth saying only where it is news: a Stopped runner is always Passive.
    const mode = node.mode && node.mode !== 'Active' && node.state !== 'Stopped' ? ` (${node.mode})` : '';
    const header = [
      paint(opts, node.name, 'bold'),
      paint(opts, stateText(node.state), ...stateStyles(node.state)) + mode,
      tags.length ? `[${tags.join(', ')}]` : '',
      paint(opts, addressCell(node) === '-' ? '' : addressCell(node), 'dim'),
    ].filter((s) => s.length > 0).join('  ');
    lines.push(`${last ? '└── ' : '├── '}${header}`);
    const indent = last ? '    ' : '│   ';
    const nameWidth = Math.max(0, ...node.services.map((s) => s.name.length));
    const children = node.services.map((svc) => (node.servicesStale
      ? paint(opts, `${pad(svc.name, nameWidth)}  ${serviceState(svc)} (stale)`, 'gray')
      : `${pad(svc.name, nameWidth)}  ${svc.disabled ? paint(opts, 'disabled', 'yellow') : paint(opts, svc.state, ...serviceStyles(svc.state))}`));
    if (node.lastFailure) children.push(paint(opts, `last failure ${formatDuration(node.lastFailure.agoMs)} ago: ${node.lastFailure.reason}`, 'red'));
    children.forEach((child, j) => lines.push(`${indent}${j === children.length - 1 ? '└── ' : '├── '}${child}`));
  });
  for (const address of status.unheard ?? []) lines.push(`    ${paint(opts, '?', 'bold')}  ${paint(opts, 'OFFLINE', ...stateStyles('Offline'))}  [never heard]  ${address}`);
  return lines.join('\n');
}

/** `koi local` and `koi status NODE`. */
export function formatLocalStatus(raw: LocalStatus, opts: FormatOptions = PLAIN): string {
  const local = clean(raw);
  const roles = [local.roles.elector ? 'elector' : '', local.roles.runner ? 'runner' : ''].filter(Boolean).join(', ') || 'none';
  const state = paint(opts, local.state, ...stateStyles(local.state))
    + (local.mode ? ` (${local.mode})` : '')
    + (local.target ? `, target ${local.target}` : '')
    + (local.stopped ? ', stopped by hand' : '');
  const rows: Array<[string, string]> = [
    ['state', state],
    ['roles', roles + (local.electionMode ? `; election mode ${local.electionMode}` : '')],
    ['leader', nodeName(local.leader)],
    ['master', nodeName(local.master)],
    ['maintenance', onOff(local.maintenance)],
    ['quorum', formatQuorum(local.quorum)],
    ['uptime', formatDuration(local.uptimeMs)],
    ['addresses', addressesText(local)],
    ['failures', local.lastFailure
      ? `${local.failCount}, last ${formatDuration(local.lastFailure.agoMs)} ago: ${local.lastFailure.reason}`
      : String(local.failCount)],
    ['version', local.version],
  ];
  const lines = [`${paint(opts, local.name, 'bold')}  ${paint(opts, local.id, 'dim')}`];
  for (const [key, value] of rows) {
    lines.push(`  ${pad(`${key}:`, 13)}${value}`);
    if (key === 'failures') lines.push(...outputLines(local.lastFailure?.output, `  ${' '.repeat(13)}`, opts));
  }
  lines.push('  services:');
  if (local.services.length === 0) lines.push('    (none)');
  const width = Math.max(0, ...local.services.map((s) => s.name.length));
  for (const s of local.services) {
    lines.push(`    ${pad(s.name, width)}  ${s.disabled ? paint(opts, `disabled (${s.state})`, 'yellow') : paint(opts, s.state, ...serviceStyles(s.state))}`);
  }
  return lines.join('\n');
}

/** Bound addresses; a wildcard is followed by where peers reach the node (its cluster.transport entry). */
function addressesText(local: LocalStatus): string {
  const bound = local.addresses.join(', ') || '-';
  const reach = local.clusterAddresses ?? [];
  if (reach.length === 0 || reach.every((a) => local.addresses.includes(a))) return bound;
  return `${reach.join(', ')} (listening on ${bound})`;
}

/** `koi failures`: time, node, reason; under each, the last lines its script wrote. */
export function formatFailures(raw: readonly FailureRecord[], opts: FormatOptions = PLAIN): string {
  if (raw.length === 0) return 'no failures recorded';
  const failures = clean(raw);
  const rows = failures.map((f) => [
    formatTimestamp(f.atMs),
    `${formatDuration(f.agoMs)} ago`,
    paint(opts, f.node.name, 'bold'),
    paint(opts, f.reason, 'red'),
  ]);
  const [header, ...lines] = table(['TIME', 'AGO', 'NODE', 'REASON'], rows);
  return [header, ...lines.flatMap((line, i) => [line, ...outputLines(failures[i].output, '    ', opts)])].join('\n');
}

/** Local wall time with milliseconds, `YYYY-MM-DD HH:MM:SS.mmm` (events of one second keep their order visible). */
export function formatEventTime(epochMs: number): string {
  return `${formatTimestamp(epochMs)}.${String(Math.floor(epochMs % 1000)).padStart(3, '0')}`;
}

const EVENT_KIND_STYLES: Partial<Record<ClusterEventKind, Paint[]>> = {
  election: ['bold', 'green'], master: ['green'], leader: ['cyan'], failure: ['bold', 'red'], fence: ['bold', 'yellow'],
  'failover-halt': ['bold', 'red'], admin: ['blue'], config: ['blue'], node: ['gray'], membership: ['gray'],
};

/** One event as `koi events` prints it: time, node, kind, message; a failing script's output below it. */
export function formatEvent(raw: ClusterEvent, opts: FormatOptions = PLAIN): string {
  const event = clean(raw);
  const failed = event.kind === 'service' && event.data.ok === false;
  const kindStyles = failed ? ['red' as Paint] : EVENT_KIND_STYLES[event.kind] ?? [];
  const line = `${formatEventTime(event.time)} ${paint(opts, event.node, 'bold')} ${paint(opts, event.kind.padEnd(10), ...kindStyles)} ${event.message}`;
  const output = Array.isArray(event.data.output) ? event.data.output.map(String) : undefined;
  return [line, ...outputLines(output, '    ', opts)].join('\n');
}

export function formatEvents(events: readonly ClusterEvent[], opts: FormatOptions = PLAIN): string {
  return events.length === 0 ? 'no events' : events.map((e) => formatEvent(e, opts)).join('\n');
}

/**
 * Render a document. `command` picks between renderings of the same type
 * (`tree` and `status` both carry a cluster document).
 */
/** Help lines for commands: `  name USAGE  summary`, plugin commands marked with their plugin. */
export function formatCommandList(commands: ReadonlyArray<{ name: string; usage: string; summary: string; readOnly?: boolean; plugin?: string }>): string {
  const heads = commands.map((c) => escapeControl(`${c.name}${c.usage ? ` ${c.usage}` : ''}`));
  const width = Math.max(0, ...heads.map((h) => h.length));
  return commands.map((c, i) => `  ${heads[i].padEnd(width)}  ${escapeControl(c.summary)}${c.plugin ? ` (plugin ${escapeControl(c.plugin)}${c.readOnly ? ', read-only' : ''})` : ''}`).join('\n');
}

export function formatDocument(doc: AdminDocument, command: string, opts: FormatOptions = PLAIN): string {
  switch (doc.type) {
    case 'cluster': return command === 'tree' ? formatTree(doc, opts) : formatClusterStatus(doc, opts);
    case 'local': return formatLocalStatus(doc, opts);
    case 'failures': return formatFailures(doc.failures, opts);
    case 'result': {
      const result = clean(doc, true);
      return [result.message, ...result.details.map((d) => `  ${d}`)].join('\n');
    }
    case 'error': {
      const error = clean(doc, true);
      const lines = [`error: ${error.error}`];
      if (error.knownNodes) lines.push(`known nodes: ${error.knownNodes.length ? error.knownNodes.map((n) => escapeControl(n)).join(', ') : '(none)'}`);
      if (error.usage) lines.push(`usage: ${error.usage}`);
      return lines.join('\n');
    }
    case 'plugin': return escapeControl(doc.text, { keepLines: true });
    case 'events': return formatEvents(doc.events, opts);
    case 'commands': return formatCommandList(doc.commands);
    default: {
      const unknown: never = doc;
      return String(unknown);
    }
  }
}
