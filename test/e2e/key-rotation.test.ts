/**
 * Key files and zero-downtime key rotation on three real koinode processes
 * (127.0.0.1, quorum 2), each with its own key file (as on three machines):
 * `koi keygen` writes the first key; the rotation of docs/security.md is
 * done one node at a time with SIGHUP — add key 2 as secondary everywhere,
 * make it primary everywhere, remove key 1 — and the master stays, no
 * service event happens, no node logs a dropped datagram, and each node logs
 * its three key reloads. Then a node holding only the retired key is shut out.
 */
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { E2ECluster, KOI, sleep } from './harness';
import { readKeyFile } from '../../core/wire/keyfile';

jest.setTimeout(120_000);

let c: E2ECluster;
const NAMES = ['n1', 'n2', 'n3'];
const keyPath = (node: string): string => path.join(c.nodeDir(node), 'cluster.key');

function keygen(args: string[]): { code: number | null; stdout: string; stderr: string } {
  const r = spawnSync(process.execPath, [KOI, 'keygen', ...args], { encoding: 'utf8' });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

/** Replace a node's key file keeping mode 0600 (write a sibling, rename over). */
function writeKeys(node: string, lines: string[]): void {
  const tmp = `${keyPath(node)}.new`;
  fs.writeFileSync(tmp, `${lines.join('\n')}\n`, { mode: 0o600 });
  fs.renameSync(tmp, keyPath(node));
}

beforeAll(async () => {
  c = await E2ECluster.create({ nodes: 3, quorum: 2, keyFile: 'cluster.key', tag: 'koi-keys' });
  // `koi keygen` on the first node, the file copied to the others (as an operator would, with scp).
  const made = keygen([keyPath('n1')]);
  expect(made.code).toBe(0);
  for (const node of NAMES.slice(1)) fs.copyFileSync(keyPath('n1'), keyPath(node));
  for (const node of NAMES) fs.chmodSync(keyPath(node), 0o600);
  c.start();
});

afterAll(async () => {
  await c?.close();
});

test('koi keygen: mode 0600, key id 1, never overwrites; a printed line for rotation', () => {
  expect(fs.statSync(keyPath('n1')).mode & 0o777).toBe(0o600);
  expect(readKeyFile(keyPath('n1')).ids).toEqual([1]);
  const again = keygen([keyPath('n1')]);
  expect(again.code).toBe(1);
  expect(again.stderr).toContain('already exists');
  expect(keygen(['--id', '2']).stdout).toMatch(/^2 [A-Za-z0-9+/]{43}=\n$/);
  expect(keygen(['--id', '0']).code).toBe(2);
});

test('zero-downtime rotation 1 → 2, one node at a time: master stays, no service event, no dropped datagram', async () => {
  const before = await c.waitForMaster((v) => v.nodes.filter((n) => n.state !== 'Disconnected' && n.state !== 'Offline').length === 3, 40_000);
  await sleep(2000); // services settled
  const master = before.master.name;
  const eventsBefore = c.events().length;
  const logStart = new Map(NAMES.map((n) => [n, c.log(n).length]));
  const line1 = fs.readFileSync(keyPath('n1'), 'utf8').split('\n').find((l) => l.startsWith('1 '))!;
  const line2 = keygen(['--id', '2']).stdout.trim();
  const steps = [[line1, line2], [line2, line1], [line2]];
  for (const keys of steps) {
    for (const node of NAMES) {
      writeKeys(node, keys);
      c.signal(node, 'SIGHUP');
      await sleep(1500); // nodes on different key sets for a while: that is the point
    }
  }
  await sleep(2000);
  const after = await c.status();
  expect(after?.master?.name).toBe(master);
  expect(after?.nodes.filter((n) => n.state !== 'Disconnected' && n.state !== 'Offline').map((n) => n.name).sort()).toEqual(NAMES);
  expect(c.events().slice(eventsBefore)).toEqual([]);
  for (const node of NAMES) {
    const lines = c.log(node).slice(logStart.get(node));
    expect(lines.filter((l) => /dropped datagram/.test(l))).toEqual([]);
    expect(lines.filter((l) => /cluster keys reloaded/.test(l))).toHaveLength(3);
    expect(lines.filter((l) => /restarting the node|elected|promot/i.test(l))).toEqual([]);
  }
  expect(readKeyFile(keyPath('n3')).ids).toEqual([2]);
});

test('a node left on the retired key is shut out (its datagrams are dropped as an unknown key id)', async () => {
  const from = c.log('n1').length;
  writeKeys('n3', [keygen(['--id', '1']).stdout.trim()]);
  c.signal('n3', 'SIGHUP');
  await c.waitFor('n1 drops n3', async () => c.log('n1').slice(from).some((l) => /dropped datagram from 127\.0\.0\.1:\d+: auth-failed \(unknown key id 1/.test(l)), 15_000);
});
