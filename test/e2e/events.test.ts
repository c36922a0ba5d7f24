/**
 * Cluster events with three real koinode processes and the real `koi`
 * client: `koi events` following a survivor shows the failover after a
 * kill -9 of the master in order (master lost, election, new master) within
 * a second of each change; `koi events --since 1m` merges every live node's
 * journal in time order; a node killed and started again still has its
 * history (and its sequence numbers go on).
 */
import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import * as fs from 'node:fs';
import { E2ECluster, KOI, sleep, type MasterView } from './harness';

jest.setTimeout(90_000);

let c: E2ECluster;

beforeAll(async () => {
  c = await E2ECluster.create({ nodes: 3, quorum: 2, statusInterval: '500ms', tag: 'koi-e2e-events' });
  c.start();
});

afterAll(async () => {
  await c?.close();
});

/** One line `koi events` printed, with when the test read it. */
interface Seen { line: string; at: number }

/** `YYYY-MM-DD HH:MM:SS.mmm node kind message` → the event's wall time (local time, as printed). */
function eventTime(line: string): number {
  const m = /^(\d{4})-(\d\d)-(\d\d) (\d\d):(\d\d):(\d\d)\.(\d{3}) /.exec(line);
  if (!m) throw new Error(`not an event line: ${line}`);
  const [, y, mo, d, h, mi, s, ms] = m.map(Number);
  return new Date(y, mo - 1, d, h, mi, s, ms).getTime();
}

function follow(node: string, args: string[] = []): { child: ChildProcess; seen: Seen[]; stderr: () => string; exit: Promise<number | string> } {
  const child = spawn(process.execPath, [KOI, '-f', c.confPath(node), '-H', '127.0.0.1', '-p', String(c.ports.get(node)), 'events', ...args], {
    stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, NO_COLOR: '1' },
  });
  const seen: Seen[] = [];
  let partial = '';
  let err = '';
  child.stdout!.on('data', (chunk: Buffer) => {
    const parts = (partial + chunk.toString()).split('\n');
    partial = parts.pop() ?? '';
    for (const line of parts) if (line) seen.push({ line, at: Date.now() });
  });
  child.stderr!.on('data', (chunk: Buffer) => { err += chunk.toString(); });
  const exit = new Promise<number | string>((resolve) => child.once('exit', (code, signal) => resolve(code ?? signal ?? -1)));
  return { child, seen, stderr: () => err, exit };
}

let before: MasterView;
let successor: string;

test('koi events on a survivor shows the failover after kill -9 of the master, in order, each within a second', async () => {
  before = await c.waitForMaster((v) => v.nodes.filter((n) => n.state === 'Slave').length === 2, 40_000);
  const victim = before.master.name;
  // Follow the leader when it survives (it decides: `election` lines), else another survivor.
  const watcher = before.leader.name !== victim ? before.leader.name : c.nodes.map((n) => n.name).find((n) => n !== victim)!;
  const client = follow(watcher);
  await c.waitFor('koi events printing', () => client.seen.length > 0, 10_000);
  const printedBefore = client.seen.length;

  const killedAt = Date.now();
  c.signal(victim, 'SIGKILL');
  const after = await c.waitForMaster((v) => v.master.name !== victim, 30_000);
  successor = after.master.name;
  const lost = new RegExp(` (election|master) +no master \\(was ${victim}\\)`);
  const found = new RegExp(` (election|master) +master (elected|is) ${successor}`);
  await c.waitFor('the new master in koi events', () => client.seen.slice(printedBefore).some((s) => found.test(s.line)), 10_000);
  client.child.kill('SIGINT');
  expect(await client.exit).toBe(0); // Ctrl-C ends it cleanly

  const failover = client.seen.slice(printedBefore);
  const lines = failover.map((s) => s.line);
  const iLost = lines.findIndex((l) => lost.test(l));
  const iFound = lines.findIndex((l) => found.test(l));
  const iLeft = lines.findIndex((l) => new RegExp(` membership +node ${victim} left`).test(l));
  console.log(`koi events on ${watcher} after kill -9 of ${victim}:\n${lines.join('\n')}`);
  expect(iLost).toBeGreaterThanOrEqual(0);
  expect(iFound).toBeGreaterThan(iLost);
  expect(iLeft).toBeGreaterThanOrEqual(0);
  if (watcher === before.leader.name) expect(lines[iFound]).toMatch(/ election +master elected/);
  // Times: after the kill, in order, and each line printed well within a second or so of its event.
  const times = failover.map((s) => eventTime(s.line));
  expect(times[iLost]).toBeGreaterThanOrEqual(killedAt - 1000);
  expect([...times].sort((a, b) => a - b)).toEqual(times);
  // Only events after the kill: the first page of history (the last 10 events) may still be printing when it happens.
  const delays = failover.flatMap((s, i) => (times[i] >= killedAt ? [s.at - times[i]] : []));
  console.log(`koi events delay (event time to printed), ms: ${delays.join(', ')}; master lost ${times[iLost] - killedAt} ms and new master ${times[iFound] - killedAt} ms after the kill`);
  // The client polls every 400 ms: typically well under a second. The median, so that one stall of a busy
  // machine (2 shared cores) does not fail the test; a client that stops following still does.
  const median = [...delays].sort((a, b) => a - b)[Math.floor(delays.length / 2)];
  expect(median).toBeLessThan(1000);
  for (const delay of delays) expect(delay).toBeLessThan(5000);
});

test('koi events --since 1m merges the events of every live node in time order, each line naming its node', async () => {
  const survivors = c.runningNodes();
  const r = await c.koi(['events', '--since', '1m'], { node: survivors[0] });
  expect(r.code).toBe(0);
  const lines = r.stdout.trimEnd().split('\n');
  const nodes = new Set(lines.map((l) => l.split(' ')[2]));
  expect([...nodes].sort()).toEqual([...survivors].sort());
  const times = lines.map(eventTime);
  expect([...times].sort((a, b) => a - b)).toEqual(times);
  // Both survivors recorded the new master, each in its own words.
  for (const node of survivors) {
    expect(lines.some((l) => new RegExp(`^\\S+ \\S+ ${node} +(election|master|state) `).test(l) && l.includes(successor))).toBe(true);
  }
  expect(r.stderr).toContain(`not asked (not reachable): ${before.master.name}`);
  // Recorded at once: the new master's promote event against the promote script's own end time.
  const promoteEnd = c.events().filter((e) => e.node === successor && e.event === 'promote' && e.phase === 'end').pop()!.time * 1000;
  const promoteLine = lines.filter((l) => new RegExp(`^\\S+ \\S+ ${successor} +service +service 10-app promote ok`).test(l)).pop()!;
  const lag = eventTime(promoteLine) - promoteEnd;
  console.log(`promote recorded ${lag.toFixed(0)} ms after the script's last line`);
  expect(lag).toBeGreaterThanOrEqual(-5);
  expect(lag).toBeLessThan(500);
  // The same over the node's local admin socket (no password, no UDP).
  const local = execFileSync(process.execPath, [KOI, '-f', c.confPath(survivors[0]), '-S', c.adminSocket(survivors[0]), 'events', '--since', '1m'], { env: { ...process.env, NO_COLOR: '1' } }).toString();
  expect(new Set(local.trimEnd().split('\n').map((l) => l.split(' ')[2]))).toEqual(nodes);
  // --json: one event per line.
  const j = await c.koi(['events', '--since', '1m', '--json'], { node: survivors[0] });
  const events = j.stdout.trimEnd().split('\n').map((l) => JSON.parse(l) as { node: string; seq: number; time: number; kind: string });
  expect(events.length).toBe(lines.length);
  expect(events.every((e) => typeof e.seq === 'number' && typeof e.time === 'number' && e.kind.length > 0)).toBe(true);
});

test('a node killed and started again keeps its journal: the history before the kill is still there, sequence numbers go on', async () => {
  const victim = before.master.name;
  expect(fs.existsSync(c.journalPath(victim))).toBe(true);
  c.start(victim);
  await c.waitFor(`${victim} answering`, async () => (await c.local(victim)) !== undefined, 20_000);
  await sleep(300);
  const r = await c.koi(['events', victim, '--since', '5m', '--json'], { node: victim });
  expect(r.code).toBe(0);
  const events = r.stdout.trimEnd().split('\n').map((l) => JSON.parse(l) as { seq: number; kind: string; message: string; node: string });
  const starts = events.filter((e) => e.kind === 'node' && e.message === 'node started');
  expect(starts.length).toBe(2); // the first process's start and this one's
  const promoted = events.find((e) => e.kind === 'state' && e.message.startsWith('runner state Slave -> Master'));
  expect(promoted).toBeDefined(); // recorded by the process that was killed
  expect(promoted!.seq).toBeLessThan(starts[1].seq);
  const seqs = events.map((e) => e.seq);
  expect(seqs).toEqual(Array.from({ length: seqs.length }, (_, i) => seqs[0] + i));

  // A graceful stop: 'node stopping' first, then the runner's way down, all in the file when the process has exited.
  expect(await c.stop(victim, 'SIGTERM')).toBe(0);
  const onDisk = fs.readFileSync(c.journalPath(victim), 'utf8').trimEnd().split('\n').map((l) => JSON.parse(l) as { kind: string; message: string });
  const stopping = onDisk.findIndex((e) => e.kind === 'node' && e.message === 'node stopping: signal SIGTERM');
  expect(stopping).toBeGreaterThan(0);
  const after = onDisk.slice(stopping + 1).map((e) => `${e.kind}: ${e.message}`);
  console.log(`${victim}'s journal after SIGTERM:\n${after.join('\n')}`);
  expect(after.some((l) => /^state: runner state \w+ -> Stopped/.test(l))).toBe(true);
});

test('node.state_file: every node writes the master it sees, and a node started again remembers it (not itself)', async () => {
  const victim = before.master.name;
  // The victim was master when it was killed: its file named its own process, which its next process ignores
  // (its start-up sweep undoes what it left; it is never owed a fence).
  expect(c.log(victim).filter((l) => /remembering master /.test(l))).toEqual([]);
  const now = await c.waitForMaster(() => true, 20_000);
  for (const node of c.runningNodes()) {
    const saved = await c.waitFor(`${node}'s state file naming ${now.master.name}`, () => {
      try {
        const state = JSON.parse(fs.readFileSync(c.stateFilePath(node), 'utf8')) as { format: number; knownMaster: { id: string; name: string; wallAt: number } };
        return state.knownMaster.id === now.master.id ? state : undefined;
      } catch {
        return undefined;
      }
    }, 10_000, 100);
    expect(saved).toMatchObject({ format: 1, knownMaster: { id: now.master.id, name: now.master.name } });
    expect(Math.abs(saved.knownMaster.wallAt - Date.now())).toBeLessThan(120_000);
  }
  // The victim's second process followed the new master before its SIGTERM: its third remembers that one.
  const from = c.log(victim).length;
  c.start(victim);
  await c.waitFor(`${victim} answering`, async () => (await c.local(victim)) !== undefined, 20_000);
  const remembered = c.log(victim).slice(from).filter((l) => /remembering master /.test(l));
  expect(remembered).toHaveLength(1);
  expect(remembered[0]).toContain(`remembering master ${now.master.name} (${now.master.id})`);
});

test('an in-process restart (reload with force_restart) records the reload and the restart, and the numbers go on', async () => {
  const target = c.runningNodes().find((n) => n !== successor)!;
  c.writeConf(target, c.configText(c.spec(target)).replace(/^node \{\n/m, 'node {\n  force_restart true\n'));
  const answer = await c.koi(['reconfigure'], { node: target, timeoutMs: 5000 });
  expect(answer.code).toBe(0);
  const events = await c.waitFor('the restarted node recording again', async () => {
    const r = await c.koi(['events', target, '--since', '1m', '--json'], { node: successor });
    const list = r.code === 0 ? r.stdout.trimEnd().split('\n').map((l) => JSON.parse(l) as { seq: number; kind: string; message: string; data: Record<string, unknown> }) : [];
    const reload = list.findIndex((e) => e.kind === 'config');
    return reload >= 0 && list.slice(reload).some((e) => e.message === 'node started') ? list.slice(reload) : undefined;
  }, 20_000);
  expect(events[0].data).toMatchObject({ restart: true, changed: ['node.force_restart'] });
  expect(events.map((e) => e.message)).toEqual(expect.arrayContaining(['node stopping: configuration restart', 'node started']));
  const seqs = events.map((e) => e.seq);
  expect(seqs).toEqual(Array.from({ length: seqs.length }, (_, i) => seqs[0] + i));
});
