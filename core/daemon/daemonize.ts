/**
 * `koinode --daemonize PIDFILE`: the parent checks the pid file and the
 * configuration, starts itself again detached (new session, stdio to
 * /dev/null), writes the child's pid, and exits 0 once the child reports
 * that the node started — or with the child's exit code and message if it
 * could not start.
 */
import { spawn } from 'node:child_process';
import { claimPidFile, removePidFile, writeClaimedPid } from './pidfile';

/** Set in the child's environment: the pid file to remove at exit. */
export const DAEMON_CHILD_ENV = 'KOI_DAEMON_PIDFILE';

export type ChildMessage = { type: 'ready'; pid: number } | { type: 'failed'; text: string; exitCode: number };

/**
 * Parent side. Resolves with the exit code of the parent. The pid file is
 * claimed (created exclusively, a stale one replaced with a line on stderr)
 * before the child starts; throws PidFileError when it cannot be.
 */
export async function daemonize(pidFile: string, script: string, args: string[]): Promise<number> {
  const claimed = claimPidFile(pidFile);
  for (const note of claimed.notes) process.stderr.write(`koinode: ${note}\n`);
  let child;
  try {
    child = spawn(process.execPath, [...process.execArgv, script, ...args], {
      detached: true,
      stdio: ['ignore', 'ignore', 'ignore', 'ipc'],
      env: { ...process.env, [DAEMON_CHILD_ENV]: pidFile },
    });
  } catch (err) {
    writeClaimedPid(claimed, process.pid);
    removePidFile(pidFile, process.pid);
    throw err;
  }
  if (child.pid === undefined) {
    writeClaimedPid(claimed, process.pid);
    removePidFile(pidFile, process.pid);
    process.stderr.write('koinode: could not start the daemon process\n');
    return 1;
  }
  const pid = child.pid;
  writeClaimedPid(claimed, pid);
  return new Promise<number>((resolve) => {
    const finish = (code: number): void => {
      child.removeAllListeners();
      if (child.connected) child.disconnect();
      child.unref();
      resolve(code);
    };
    child.on('message', (message: ChildMessage) => {
      if (message.type === 'ready') finish(0);
      else {
        process.stderr.write(`${message.text}\n`);
        removePidFile(pidFile, pid);
        finish(message.exitCode);
      }
    });
    child.on('exit', (code, signal) => {
      removePidFile(pidFile, pid);
      process.stderr.write(`koinode: the daemon process exited during start (${signal ?? `code ${code}`})\n`);
      finish(code ?? 1);
    });
  });
}

/** Child side: report to the parent, if there is one (resolves once the message is sent). */
export function tellParent(message: ChildMessage): Promise<void> {
  if (typeof process.send !== 'function' || !process.connected) return Promise.resolve();
  return new Promise((resolve) => {
    process.send?.(message, () => {
      if (process.connected) process.disconnect();
      resolve();
    });
  });
}
