/**
 * Ownership and mode rules of service scripts: plugin-api/file-permissions.ts
 * (shared with the native executor). Kept here for the plugin's exports.
 */
import type { Stats } from 'node:fs';
import { daemonUid, ownerModeProblems } from '../../plugin-api';

export { daemonUid };

/** Problems of one script's ownership and mode; empty when it is safe. */
export function permissionProblems(stats: Pick<Stats, 'mode' | 'uid' | 'gid'>, uid: number): string[] {
  return ownerModeProblems(stats, uid);
}
