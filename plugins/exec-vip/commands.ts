/**
 * The system commands a `vip` service runs — iproute2's `ip`, `arping`
 * (Debian package arping), `ndisc6` (ndisc6) and `na6` (ipv6toolkit) — each
 * with a fixed PATH, an abort signal and a clear error when the command is
 * missing or fails.
 */
import { execFile } from 'node:child_process';
import { ErrorCode, KoiError } from '../../plugin-api';

const PATH = '/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin';

/** Which Debian package brings each command (for the "not installed" message). */
export const COMMAND_PACKAGES: Record<string, string> = { ip: 'iproute2', arping: 'arping', ndisc6: 'ndisc6', na6: 'ipv6toolkit' };

export interface CommandResult {
  code: number;
  stdout: string;
  stderr: string;
}

export class CommandError extends KoiError {
  constructor(message: string) {
    super(ErrorCode.VIP_COMMAND, message);
  }
}

/** Run `cmd args`; resolves with its exit code (non-zero included); rejects only when it cannot run or was aborted. */
export function runCommand(cmd: string, args: string[], signal?: AbortSignal, timeoutMs = 10_000): Promise<CommandResult> {
  return new Promise((resolve, reject) => {
    execFile(cmd, args, { env: { PATH, LC_ALL: 'C' }, signal, timeout: timeoutMs, encoding: 'utf8', maxBuffer: 4 * 1024 * 1024 }, (err, stdout, stderr) => {
      if (!err) return resolve({ code: 0, stdout, stderr });
      const e = err as NodeJS.ErrnoException & { code?: unknown; killed?: boolean; signal?: string };
      if (e.name === 'AbortError') return reject(new CommandError(`${cmd} aborted`));
      if (e.code === 'ENOENT') return reject(new CommandError(`${cmd} is not installed (Debian package ${COMMAND_PACKAGES[cmd] ?? cmd})`));
      if (typeof e.code === 'number') return resolve({ code: e.code, stdout, stderr });
      if (e.killed) return reject(new CommandError(`${cmd} ${args.join(' ')} did not finish within ${timeoutMs} ms`));
      reject(new CommandError(`${cmd} ${args.join(' ')}: ${e.message}`));
    });
  });
}

/** Run `cmd args` and require exit 0. */
export async function runChecked(cmd: string, args: string[], signal?: AbortSignal): Promise<string> {
  const r = await runCommand(cmd, args, signal);
  if (r.code !== 0) throw new CommandError(`${cmd} ${args.join(' ')} exited ${r.code}: ${(r.stderr || r.stdout).trim()}`);
  return r.stdout;
}
