/**
 * Script permission checks (SPEC §6, beyond the original): a script that
 * someone else can change runs with the daemon's rights, so it is warned
 * about, or refused with `service.strict_permissions true`.
 */
import type { Stats } from 'node:fs';

/** Problems of one script's ownership and mode; empty when it is safe. */
export function permissionProblems(stats: Pick<Stats, 'mode' | 'uid'>, daemonUid: number): string[] {
  const problems: string[] = [];
  const mode = stats.mode & 0o777;
  const writable = [(mode & 0o020) !== 0 ? 'group' : '', (mode & 0o002) !== 0 ? 'others' : ''].filter(Boolean);
  if (writable.length > 0) problems.push(`writable by ${writable.join(' and ')} (mode ${mode.toString(8).padStart(4, '0')})`);
  if (stats.uid !== 0 && stats.uid !== daemonUid) problems.push(`owned by uid ${stats.uid}, not root or the daemon's uid ${daemonUid}`);
  return problems;
}

/** The daemon's uid (-1 where the platform has none, so only root-owned scripts pass). */
export function daemonUid(): number {
  return typeof process.getuid === 'function' ? process.getuid() : -1;
}
