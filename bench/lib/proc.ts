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

let schedstat: boolean | undefined;

/**
 * Whether this kernel keeps /proc/<pid>/task/<tid>/schedstat (CONFIG_SCHED_INFO) with run times in it: older
 * kernels without delay accounting print zeros, so this process's own main thread, which has run, must read > 0.
 */
export function hasSchedstat(): boolean {
  if (schedstat === undefined) {
    try {
      schedstat = threadRuntimeSeconds(process.pid, process.pid) > 0;
    } catch {
      schedstat = false;
    }
  }
  return schedstat;
}

/**
 * Time every live thread of a process has run, in seconds, to the nanosecond: the first field of each
 * /proc/<pid>/task/<tid>/schedstat (the scheduler's own sum_exec_runtime), added up. utime and stime are in
 * clock ticks (10 ms), a whole per-mille of a core over a 10 s window: too coarse for idle daemons
 * (keepalived read as "no tick at all", koi's targets are 0.25–0.5 %). Not counted: threads that exited
 * during the window (a koinode's and keepalived's threads live as long as the process; one that exits makes a
 * window's difference too low, even negative), and children (keepalived's VRRP child is read on its own).
 */
export function runtimeSeconds(pid: number): number {
  let seconds = 0;
  for (const tid of fs.readdirSync(`/proc/${pid}/task`)) {
    try {
      seconds += threadRuntimeSeconds(pid, Number(tid));
    } catch {
      // the thread exited between the listing and the read
    }
  }
  return seconds;
}

/** Time one thread has run, in seconds: runtimeSeconds for a single thread (its main thread: tid = pid). */
export function threadRuntimeSeconds(pid: number, tid: number): number {
  return Number(fs.readFileSync(`/proc/${pid}/task/${tid}/schedstat`, 'utf8').split(' ')[0]) / 1e9;
}

/**
 * How often a thread went to sleep of its own accord (voluntary_ctxt_switches): for an event loop's thread,
 * one per wait in epoll, so the number of times it woke up (for a timer, a datagram, a signal).
 */
export function voluntarySwitches(pid: number, tid: number): number {
  const status = fs.readFileSync(`/proc/${pid}/task/${tid}/status`, 'utf8');
  return Number(/^voluntary_ctxt_switches:\s+(\d+)/m.exec(status)?.[1] ?? NaN);
}

/** CPU time of a process, in seconds: runtimeSeconds where the kernel has schedstat, else utime + stime. */
export function cpuSeconds(pid: number): number {
  if (hasSchedstat()) return runtimeSeconds(pid);
  const t = cpuTimes(pid);
  return t.user + t.system;
}

/** How cpuSeconds reads CPU on this machine, for a report's method text. */
export function cpuReadingText(): string {
  return hasSchedstat()
    ? 'the run time of every thread, to the nanosecond (/proc/<pid>/task/*/schedstat)'
    : 'utime + stime from /proc/<pid>/stat (clock ticks)';
}

/**
 * The smallest step of cpuSeconds, in seconds: 1 ns with schedstat, else one clock tick. With schedstat that holds
 * for threads asleep when read (an idle daemon's): a running thread's total is brought up to date only at the
 * scheduler's next event, so it may lag by up to a tick.
 */
export function cpuResolutionS(): number {
  return hasSchedstat() ? 1e-9 : 1 / clkTck();
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
