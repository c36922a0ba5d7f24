/** Per-process CPU time and memory from /proc (Linux). */
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';

let clockTicks: number | undefined;

/** Clock ticks per second of /proc/<pid>/stat times (getconf CLK_TCK, 100 on Linux). */
export function clkTck(): number {
  if (clockTicks === undefined) clockTicks = Number(spawnSync('getconf', ['CLK_TCK'], { encoding: 'utf8' }).stdout?.trim()) || 100;
  return clockTicks;
}

export interface CpuTimes {
  /** utime, seconds. */
  user: number;
  /** stime, seconds. */
  system: number;
}

/**
 * utime and stime of a process (or, with `tid`, of one of its threads:
 * /proc/<pid>/task/<tid>/stat), in seconds.
 */
export function cpuTimes(pid: number, tid?: number): CpuTimes {
  const stat = fs.readFileSync(tid === undefined ? `/proc/${pid}/stat` : `/proc/${pid}/task/${tid}/stat`, 'utf8');
  // The command name (field 2) may hold spaces: split after its closing parenthesis.
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  // After the name: field 3 is index 0, so utime (14) is index 11 and stime (15) is index 12.
  return { user: Number(fields[11]) / clkTck(), system: Number(fields[12]) / clkTck() };
}

/** utime + stime of a process, in seconds. */
export function cpuSeconds(pid: number): number {
  const t = cpuTimes(pid);
  return t.user + t.system;
}

export interface Memory {
  rssKiB: number;
  hwmKiB: number;
}

export function memory(pid: number): Memory {
  const status = fs.readFileSync(`/proc/${pid}/status`, 'utf8');
  const field = (name: string): number => Number(new RegExp(`^${name}:\\s+(\\d+) kB`, 'm').exec(status)?.[1] ?? NaN);
  return { rssKiB: field('VmRSS'), hwmKiB: field('VmHWM') };
}
