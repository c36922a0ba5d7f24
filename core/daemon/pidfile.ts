/**
 * The pid file of `koinode --daemonize PIDFILE`.
 *
 * Created with O_CREAT|O_EXCL|O_NOFOLLOW: a file or symbolic link someone
 * planted at the path (a sticky /tmp, a group-writable /run/koi) is never
 * followed or truncated. A pid file left by a koinode that died is replaced
 * (with a line saying so); one naming a live koinode refuses the start.
 */
import * as fs from 'node:fs';
import path from 'node:path';
import { ErrorCode, KoiError } from '../../plugin-api/errors';

export class PidFileError extends KoiError {
  constructor(message: string) {
    super(ErrorCode.PID_FILE, message);
  }
}

const { O_CREAT, O_EXCL, O_NOFOLLOW, O_RDONLY, O_WRONLY } = fs.constants;

/** The pid a pid file names, or null when it is missing, a symbolic link, or holds no number. */
export function readPidFile(file: string): number | null {
  let text: string;
  try {
    const fd = fs.openSync(file, O_RDONLY | O_NOFOLLOW);
    try {
      text = fs.readFileSync(fd, 'utf8');
    } finally {
      fs.closeSync(fd);
    }
  } catch {
    return null;
  }
  const trimmed = text.trim();
  if (!/^\d+$/.test(trimmed)) return null;
  const pid = Number(trimmed);
  return Number.isSafeInteger(pid) && pid > 0 ? pid : null;
}

export function processAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/**
 * Whether live process `pid` is a koinode, from its command line
 * (/proc/PID/cmdline: some argument is `koinode`, `koinode.js` or `koinode.ts`).
 * Where /proc cannot tell, assume it is (refusing a start beats two daemons).
 */
export function isKoinode(pid: number): boolean {
  let cmdline: string;
  try {
    cmdline = fs.readFileSync(`/proc/${pid}/cmdline`, 'latin1');
  } catch {
    return !fs.existsSync('/proc/self/cmdline');
  }
  return cmdline.split('\0').some((arg) => /^koinode(\.[cm]?[jt]s)?$/.test(path.basename(arg)));
}

/** Why the pid file blocks a start (PidFileError), or what replacing it means (a line), or null (no file). */
function inspect(file: string, self: number): string | null {
  let stats: fs.Stats;
  try {
    stats = fs.lstatSync(file);
  } catch {
    return null;
  }
  if (stats.isSymbolicLink()) {
    let target = '?';
    try {
      target = fs.readlinkSync(file);
    } catch {
      // keep '?'
    }
    throw new PidFileError(`pid file ${file} is a symbolic link (to ${target}); refusing to follow it — remove it if it is not yours, or choose a pid file in a directory only root can write (e.g. /run/koinode.pid)`);
  }
  if (!stats.isFile()) throw new PidFileError(`pid file ${file} exists and is not a regular file; refusing to use it`);
  const pid = readPidFile(file);
  if (pid === null) return `replacing pid file ${file}: it holds no pid`;
  if (pid === self) return `replacing stale pid file ${file}: it names this process (${pid}), left from before a reboot`;
  if (!processAlive(pid)) return `replacing stale pid file ${file}: process ${pid} is not running`;
  if (isKoinode(pid)) {
    throw new PidFileError(`koinode is already running as process ${pid} (pid file ${file}); stop it first (kill ${pid})`);
  }
  return `replacing stale pid file ${file}: process ${pid} is running but is not a koinode`;
}

/**
 * Refuse early (PidFileError) when the pid file names a live koinode or is
 * not a plain file; returns the line to print when it would be replaced.
 * Changes nothing on disk.
 */
export function checkPidFile(file: string, self = process.pid): string | null {
  return inspect(file, self);
}

/** Kept for callers of the old name: throws when the pid file blocks a start. */
export function assertPidFileFree(file: string): void {
  inspect(file, process.pid);
}

export interface ClaimedPidFile {
  /** Open for writing; `writeClaimedPid` fills it. */
  fd: number;
  /** Lines worth telling the operator (a stale file replaced). */
  notes: string[];
}

/**
 * Create the pid file exclusively (O_CREAT|O_EXCL|O_NOFOLLOW, mode 0644),
 * replacing a stale one. Throws PidFileError when a live koinode holds it,
 * when the path is a symbolic link or not a regular file, or when it cannot
 * be created.
 */
export function claimPidFile(file: string, self = process.pid): ClaimedPidFile {
  const notes: string[] = [];
  for (let attempt = 0; attempt < 5; attempt++) {
    try {
      const fd = fs.openSync(file, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW, 0o644);
      fs.fchmodSync(fd, 0o644); // whatever the umask
      return { fd, notes };
    } catch (err) {
      const code = (err as NodeJS.ErrnoException).code;
      if (code !== 'EEXIST' && code !== 'ELOOP') {
        throw new PidFileError(`cannot create pid file ${file}: ${(err as Error).message}`);
      }
    }
    const note = inspect(file, self);
    if (note !== null) {
      notes.push(note);
      try {
        fs.unlinkSync(file); // unlink never follows a link
      } catch (err) {
        if ((err as NodeJS.ErrnoException).code !== 'ENOENT') {
          throw new PidFileError(`cannot remove stale pid file ${file}: ${(err as Error).message}`);
        }
      }
    }
  }
  throw new PidFileError(`pid file ${file} keeps reappearing; is another koinode starting?`);
}

/** Write `pid` into a claimed pid file and close it. */
export function writeClaimedPid(claimed: ClaimedPidFile, pid: number): void {
  try {
    fs.writeSync(claimed.fd, `${pid}\n`);
  } finally {
    fs.closeSync(claimed.fd);
  }
}

/** Create the pid file safely and write `pid` (claimPidFile + writeClaimedPid). Returns the notes. */
export function writePidFile(file: string, pid: number): string[] {
  const claimed = claimPidFile(file, pid);
  writeClaimedPid(claimed, pid);
  return claimed.notes;
}

/** Remove the pid file if it still names `pid` (a symbolic link is never read, nor removed). */
export function removePidFile(file: string, pid: number): void {
  if (readPidFile(file) === pid) {
    try {
      fs.unlinkSync(file);
    } catch {
      // gone already
    }
  }
}
