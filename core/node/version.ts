/** The koi package version (core/node in the source tree, dist/core/node when built). */
import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';

let cached: string | null = null;

export function koiVersion(): string {
  if (cached !== null) return cached;
  let dir = __dirname;
  for (let i = 0; i < 5; i++) {
    try {
      const pkg = JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8')) as { name?: string; version?: string };
      if (pkg.name === 'koi' && pkg.version) return (cached = pkg.version);
    } catch {
      // Not here: try the parent folder.
    }
    dir = dirname(dir);
  }
  return (cached = 'unknown');
}
