/**
 * The one place the service manager touches the file system: listing
 * `service.folder`. The simulator and tests inject their own lister.
 */
import { readdir, stat } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import type { ServiceEntry } from '../../plugin-api';
import { ServiceManagerError } from './errors';

/** List the entries of `folder` (symbolic links are followed to tell directories from files). */
export function folderLister(folder: string): () => Promise<ServiceEntry[]> {
  const base = resolve(folder);
  return async () => {
    let names: string[];
    try {
      names = await readdir(base);
    } catch (err) {
      throw new ServiceManagerError('folder', `cannot read service.folder ${base}: ${(err as Error).message}`);
    }
    const entries: ServiceEntry[] = [];
    for (const name of names.sort()) {
      const path = join(base, name);
      try {
        entries.push({ name, path, isDirectory: (await stat(path)).isDirectory() });
      } catch {
        // Vanished between readdir and stat, or a dangling link: not a service this round.
        continue;
      }
    }
    return entries;
  };
}
