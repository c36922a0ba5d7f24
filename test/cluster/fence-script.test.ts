/** The example fencing plugin runs a real script and reports its exit status. */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

// eslint-disable-next-line @typescript-eslint/no-require-imports
const { runFence } = require('../../examples/koi-plugin-fence-script/index.js') as {
  runFence(script: string, request: object, options: object, log: object, running: Set<unknown>): Promise<{ ok: boolean; detail: string }>;
};

const lines: string[] = [];
const log = { info: (_: object, m: string) => lines.push(m), warn: (_: object, m: string) => lines.push(m) };
const request = { nodeId: '00000000-0000-4000-8000-000000000001', name: 'db2', addresses: ['192.0.2.2:42012'], silentForMs: 2500 };
let dir = '';
beforeAll(() => { dir = mkdtempSync(join(tmpdir(), 'koi-fence-')); });
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function script(name: string, body: string): string {
  const file = join(dir, name);
  writeFileSync(file, `#!/bin/sh\n${body}\n`, { mode: 0o755 });
  return file;
}

test('exit 0 is a successful fence; the script gets the node name, addresses and environment', async () => {
  const file = script('ok.sh', 'echo "fencing $1 $2 $KOI_FENCE_NODE_ID $KOI_FENCE_SILENT_MS"; exit 0');
  const result = await runFence(file, request, { timeout: 5000, kill_grace: 100 }, log, new Set());
  expect(result.ok).toBe(true);
  expect(lines).toContain(`fence db2: fencing db2 192.0.2.2:42012 ${request.nodeId} 2500`);
});

test('a non-zero exit is a failed fence naming the code', async () => {
  const result = await runFence(script('no.sh', 'exit 3'), request, { timeout: 5000, kill_grace: 100 }, log, new Set());
  expect(result).toMatchObject({ ok: false });
  expect(result.detail).toContain('code 3');
});

test('a hanging script times out and its process group is killed', async () => {
  const result = await runFence(script('hang.sh', 'sleep 30'), request, { timeout: 200, kill_grace: 100 }, log, new Set());
  expect(result).toMatchObject({ ok: false });
  expect(result.detail).toContain('timed out after 200 ms');
});

test('a missing script is reported, not thrown', async () => {
  const result = await runFence(join(dir, 'missing.sh'), request, { timeout: 1000, kill_grace: 100 }, log, new Set());
  expect(result.ok).toBe(false);
  expect(result.detail).toContain('cannot run');
});

test('a node name that would read as an option (or carries control characters) never reaches the script', async () => {
  const marker = join(dir, 'ran-with-option');
  const file = script('record.sh', `echo "$1" > ${JSON.stringify(marker)}; exit 0`);
  for (const name of ['-rf', '--help', 'db\u001b[31m2']) {
    const result = await runFence(file, { ...request, name }, { timeout: 5000, kill_grace: 100 }, log, new Set());
    expect(result.ok).toBe(false);
    expect(result.detail).toContain('not a valid node name');
  }
  expect(require('node:fs').existsSync(marker)).toBe(false);
});
