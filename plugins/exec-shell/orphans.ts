/**
 * Scripts a dead daemon left running (issue 10 case 7). A koinode that
 * crashes leaves its event scripts running (they are detached process
 * groups); a promote among them may finish after the next daemon's start-up
 * sweep asked the service its status, and leave it promoted on a node that
 * is not the master. So before the sweep, the new daemon ends them.
 *
 * Every script is marked in its environment with the daemon that ran it
 * (`KOI_DAEMON_PID`, and its start time in clock ticks, which tells a
 * reused pid apart), its service entry (`KOI_SERVICE_PATH`) and the script
 * run (`KOI_SCRIPT`). An orphan is a process-group leader still running
 * (pid = pgid) whose command line runs that very script (`/bin/sh SCRIPT`,
 * or SCRIPT itself) — not an application it started, which inherits the
 * marks and may lead a group of its own (setsid: pg_ctl, nginx,
 * start-stop-daemon) — whose daemon is gone and whose service lies under
 * our services folder.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { resolve, sep } from 'node:path';
import type { OrphanContext } from '../../plugin-api';
import { groupAlive, signalGroup } from './process-group';

export const DAEMON_PID_VARIABLE = 'KOI_DAEMON_PID';
export const DAEMON_STARTED_VARIABLE = 'KOI_DAEMON_STARTED';
export const SERVICE_PATH_VARIABLE = 'KOI_SERVICE_PATH';
export const SCRIPT_VARIABLE = 'KOI_SCRIPT';

const POLL_MS = 20;
/** After SIGKILL, how long to wait for the kernel to remove the group. */
const AFTER_KILL_WAIT_MS = 2000;

export interface Orphan {
  pgid: number;
  daemonPid: number;
  service: string;
  event: string;
}

/** Start time of process `pid` in clock ticks since boot (field 22 of /proc/PID/stat), or null when it is gone. */
export function processStartTime(pid: number): string | null {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'latin1');
    return stat.slice(stat.lastIndexOf(')') + 2).split(' ')[19] ?? null;
  } catch {
    return null;
  }
}

/** The marks this daemon puts in every script's environment. */
export function daemonMarks(servicePath: string, script: string): Record<string, string> {
  return {
    [DAEMON_PID_VARIABLE]: String(process.pid),
    [DAEMON_STARTED_VARIABLE]: processStartTime(process.pid) ?? '',
    [SERVICE_PATH_VARIABLE]: servicePath,
    [SCRIPT_VARIABLE]: script,
  };
}

/** The process runs `script` (as its program or its interpreter's first argument), not something the script started. */
function runsScript(pid: number, script: string): boolean {
  try {
    const argv = readFileSync(`/proc/${pid}/cmdline`, 'latin1').split('\0');
    // SCRIPT itself, or an interpreter running it (`/bin/sh SCRIPT`, `/bin/sh -e SCRIPT`, `bash SCRIPT` via env).
    return argv.slice(0, 3).includes(script);
  } catch {
    return false;
  }
}

function readEnvironment(pid: number): Map<string, string> | null {
  try {
    const raw = readFileSync(`/proc/${pid}/environ`, 'latin1');
    const env = new Map<string, string>();
    for (const entry of raw.split('\0')) {
      const eq = entry.indexOf('=');
      if (eq > 0) env.set(entry.slice(0, eq), entry.slice(eq + 1));
    }
    return env;
  } catch {
    return null; // gone, or not ours to read
  }
}

function isGroupLeaderRunning(pid: number): boolean {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'latin1');
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return Number(fields[2]) === pid && fields[0] !== 'Z';
  } catch {
    return false;
  }
}

/** Event scripts under `servicesFolder` whose daemon is gone (empty where /proc is missing). */
export function findOrphans(servicesFolder: string): Orphan[] {
  let pids: string[];
  try {
    pids = readdirSync('/proc').filter((name) => /^\d+$/.test(name));
  } catch {
    return [];
  }
  const folder = resolve(servicesFolder) + sep;
  const orphans: Orphan[] = [];
  for (const name of pids) {
    const pid = Number(name);
    if (pid === process.pid || !isGroupLeaderRunning(pid)) continue;
    const env = readEnvironment(pid);
    const daemonPid = Number(env?.get(DAEMON_PID_VARIABLE));
    const servicePath = env?.get(SERVICE_PATH_VARIABLE);
    if (!env || !Number.isInteger(daemonPid) || daemonPid <= 0 || servicePath === undefined) continue;
    if (!resolve(servicePath).startsWith(folder)) continue;
    const script = env.get(SCRIPT_VARIABLE);
    if (script === undefined || !runsScript(pid, script)) continue;
    const daemonStarted = env.get(DAEMON_STARTED_VARIABLE);
    // Its daemon still runs (this one, or another koinode sharing the folder): not an orphan.
    if (processStartTime(daemonPid) === daemonStarted) continue;
    orphans.push({ pgid: pid, daemonPid, service: env.get('KOI_SERVICE') ?? servicePath, event: env.get('KOI_EVENT') ?? '?' });
  }
  return orphans;
}

const sleep = (ms: number): Promise<void> => new Promise((done) => setTimeout(done, ms));

async function waitGone(pgid: number, ms: number): Promise<boolean> {
  const deadline = performance.now() + ms;
  while (groupAlive(pgid)) {
    if (performance.now() > deadline) return false;
    await sleep(POLL_MS);
  }
  return true;
}

/** End every orphan's process group: SIGTERM, SIGKILL after the grace; one line per orphan. */
export async function reapOrphans(context: OrphanContext): Promise<string[]> {
  const orphans = findOrphans(context.servicesFolder);
  return Promise.all(orphans.map(async (orphan) => {
    const what = `${orphan.event} of ${orphan.service} (process group ${orphan.pgid}) left running by koinode pid ${orphan.daemonPid}, which is gone`;
    context.log.warn({ pgid: orphan.pgid, service: orphan.service, event: orphan.event, daemonPid: orphan.daemonPid },
      `ending ${what}: SIGTERM`);
    signalGroup(orphan.pgid, 'SIGTERM');
    if (await waitGone(orphan.pgid, context.killGraceMs)) return `ended ${what}`;
    context.log.warn({ pgid: orphan.pgid }, `process group ${orphan.pgid} still alive after ${context.killGraceMs} ms: SIGKILL`);
    signalGroup(orphan.pgid, 'SIGKILL');
    if (await waitGone(orphan.pgid, AFTER_KILL_WAIT_MS)) return `killed ${what}`;
    context.log.error({ pgid: orphan.pgid }, `process group ${orphan.pgid} survived SIGKILL`);
    return `could not end ${what}`;
  }));
}
