/**
 * Service names (SPEC §6): `[XX-]name` with an optional priority of one or
 * two digits, and the names the folder scan ignores.
 */
import { nameProblem } from '../security/names';

export interface ParsedServiceName {
  name: string;
  /** Priority from the `XX-` prefix, or null when the name has none. */
  priority: number | null;
}

const PRIORITY_PREFIX = /^(\d{1,2})-(.+)$/;

/** Split `10-virtualip` into its priority (10); `ping` has none. `123-x` is not a priority prefix. */
export function parseServiceName(name: string): ParsedServiceName {
  const match = PRIORITY_PREFIX.exec(name);
  if (!match) return { name, priority: null };
  return { name, priority: Number(match[1]) };
}

/**
 * Why an entry of the service folder is ignored, or null when it is a
 * service: names containing `.` (editor backups, `x.rpmsave`, hidden files),
 * ending in `~`, or of the form `#name#` (Emacs autosaves).
 */
export function ignoreReason(name: string): string | null {
  if (name.includes('.')) return 'name contains "."';
  if (name.endsWith('~')) return 'name ends in "~"';
  if (name.length >= 2 && name.startsWith('#') && name.endsWith('#')) return 'name is of the form #name#';
  const problem = nameProblem(name);
  return problem === null ? null : `not a valid service name: it ${problem}`;
}
