/**
 * Service names (SPEC §6): `[XX-]name` with an optional priority of one or
 * two digits, and the names the folder scan ignores.
 */
import { nameProblem } from '../../plugin-api/names';

export { parseServiceName, type ParsedServiceName } from '../../plugin-api/names';

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
