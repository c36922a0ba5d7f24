/**
 * Signalling and inspecting a script's process group. Every event runs in a
 * group of its own (spawned detached), so a timeout can reach the script's
 * children and grandchildren too.
 */
import { readdirSync, readFileSync } from 'node:fs';

export interface GroupMember {
  pid: number;
  ppid: number;
  /** Kernel state letter: R, S, D, Z (zombie), ... */
  state: string;
}

/** Send `signal` to every process of group `pgid`; false when the group no longer exists. */
export function signalGroup(pgid: number, signal: NodeJS.Signals | 0): boolean {
  try {
    process.kill(-pgid, signal);
    return true;
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ESRCH') return false;
    throw err;
  }
}

const HAS_PROC = (() => {
  try {
    readFileSync('/proc/self/stat');
    return true;
  } catch {
    return false;
  }
})();

/**
 * Members of group `pgid` from /proc (Linux), or null where /proc is not
 * available. Zombies are listed too (state `Z`).
 */
export function groupMembers(pgid: number): GroupMember[] | null {
  if (!HAS_PROC) return null;
  const members: GroupMember[] = [];
  for (const name of readdirSync('/proc')) {
    if (!/^\d+$/.test(name)) continue;
    let stat: string;
    try {
      stat = readFileSync(`/proc/${name}/stat`, 'latin1');
    } catch {
      continue; // exited while we looked
    }
    // "pid (comm) S ppid pgrp ...": comm may hold spaces and parentheses, so split after the last ')'.
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    if (Number(fields[2]) !== pgid) continue;
    members.push({ pid: Number(name), ppid: Number(fields[1]), state: fields[0] ?? '?' });
  }
  return members;
}

/**
 * True while some process of the group is alive (not a zombie). Zombies are
 * dead: reaping them is their parent's (or init's) job.
 */
export function groupAlive(pgid: number): boolean {
  const members = groupMembers(pgid);
  if (members === null) return signalGroup(pgid, 0);
  return members.some((m) => m.state !== 'Z');
}
