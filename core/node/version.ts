/** The koi package version (core/node in the source tree, dist/core/node when built). */
import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';

/** koi's name on npm (`koi` belongs to an unrelated package there); the commands stay `koi` and `koinode`. */
export const PACKAGE_NAME = 'koi-ha';

let cached: string | null = null;

export function koiVersion(): string {
  if (cached !== null) return cached;
  let dir = __dirname;
  for (let i = 0; i < 5; i++) {
    try {
      const pkg = JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8')) as { name?: string; version?: string };
      if (pkg.name === PACKAGE_NAME && pkg.version) return (cached = pkg.version);
    } catch {
      // Not here: try the parent folder.
    }
    dir = dirname(dir);
  }
  return (cached = 'unknown');
}
