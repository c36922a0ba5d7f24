/** The pid file of `koinode --daemonize PIDFILE`. */
import * as fs from 'node:fs';

export class PidFileError extends Error {
  readonly code = 'EPIDFILE';
}

/** The pid a pid file names, or null when it is missing or holds no number. */
export function readPidFile(file: string): number | null {
  let text: string;
  try {
    text = fs.readFileSync(file, 'utf8');
  } catch {
    return null;
  }
  const pid = Number.parseInt(text.trim(), 10);
  return Number.isInteger(pid) && pid > 0 ? pid : null;
}

export function processAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/** Refuse when the pid file names a live process (another koinode, probably). */
export function assertPidFileFree(file: string): void {
  const pid = readPidFile(file);
  if (pid !== null && processAlive(pid)) {
    throw new PidFileError(`pid file ${file} names process ${pid}, which is running; is koinode already running? (remove the file if not)`);
  }
}

export function writePidFile(file: string, pid: number): void {
  fs.writeFileSync(file, `${pid}\n`, { mode: 0o644 });
}

/** Remove the pid file if it still names `pid`. */
export function removePidFile(file: string, pid: number): void {
  if (readPidFile(file) === pid) {
    try {
      fs.unlinkSync(file);
    } catch {
      // gone already
    }
  }
}
