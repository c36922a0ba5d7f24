/**
 * A bench profile as koinode would read it: a 3-node koi.conf with the
 * profile's `time` section, loaded by the real loader, and the start-up
 * checks' verdict on it (test/unit/bench/*.test.ts).
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { loadConfig } from '../../../core/config/loader';
import type { KoiConfig } from '../../../plugin-api';
import { checkClusterConfig } from '../../../core/node/cluster-check';
import { timeSectionText, type Profile } from '../../../bench/lib/profiles';

/** A temporary folder for the test's files, removed after the describe block. */
export function tempDirEachSuite(prefix: string): () => string {
  let dir = '';
  beforeAll(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), prefix));
  });
  afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));
  return () => dir;
}

/** Write `profile` into `dir` as a koi.conf, load it, and run koinode's cluster checks on it. */
export async function profileConfig(dir: string, profile: Profile): Promise<{ config: KoiConfig; errors: string[] }> {
  const file = path.join(dir, `${profile.name.replace(/[^a-z0-9-]+/gi, '-')}.conf`);
  fs.writeFileSync(file, [
    'cluster {',
    '  transport "127.0.0.1:24001 127.0.0.1:24002 127.0.0.1:24003"',
    '  quorum 2',
    '  password "bench-profile-test-secret"',
    '}',
    timeSectionText(profile.time),
  ].join('\n'), { mode: 0o600 });
  const { config } = await loadConfig({ files: [file] });
  return { config, errors: checkClusterConfig(config).errors };
}
