/**
 * Issue 10 case 7 on real koinode processes (127.0.0.1, quorum 2): SIGKILL
 * of the master leaves its service promoted (a state file says so, and its
 * status answers 90). Restarted, the node must demote it before it takes part:
 * the demote script's own timestamps come before the node's "started" line and
 * before any peer logs the new incarnation as joined; and it never promotes
 * again while another node is master.
 */
import fs from 'node:fs';
import path from 'node:path';
import { E2ECluster, type NodeSpec } from './harness';

jest.setTimeout(120_000);

let c: E2ECluster | undefined;
afterEach(async () => {
  await c?.close();
  c = undefined;
});

/** `10-db`: start/promote/demote/stop keep files in `<dir>/state-<node>`; status reads them (90 / 91 / 92). */
function writeStatefulService(serviceDir: string, node: NodeSpec, cluster: E2ECluster): void {
  const dir = path.join(serviceDir, '10-db');
  const state = path.join(cluster.dir, `state-${node.name}`);
  fs.mkdirSync(dir, { recursive: true });
  fs.mkdirSync(state, { recursive: true });
  const rec = (event: string): string => `rec() { echo "$(date +%s.%N) $KOI_NODE_NAME $KOI_SERVICE ${event} $1" >> "${cluster.eventsFile}"; }`;
  const scripts: Record<string, string[]> = {
    start: [rec('start'), 'rec begin', `touch "${state}/running"`, 'rec end'],
    promote: [rec('promote'), 'rec begin', `touch "${state}/promoted"`, 'rec end'],
    demote: [rec('demote'), 'rec begin', 'echo "demote-script-ran"', `rm -f "${state}/promoted"`, 'rec end'],
    stop: [rec('stop'), 'rec begin', `rm -f "${state}/promoted" "${state}/running"`, 'rec end'],
    status: [`[ -f "${state}/promoted" ] && exit 90`, `[ -f "${state}/running" ] && exit 91`, 'exit 92'],
  };
  for (const [event, lines] of Object.entries(scripts)) {
    fs.writeFileSync(path.join(dir, event), `#!/bin/sh\n${lines.join('\n')}\nexit 0\n`, { mode: 0o755 });
  }
}

/** Epoch seconds of a log line's leading local `HH:MM:SS.mmm` (the test does not run across midnight). */
function lineTime(line: string): number {
  const m = /^(\d\d):(\d\d):(\d\d)\.(\d\d\d)/.exec(line);
  if (!m) throw new Error(`no time in log line: ${line}`);
  const d = new Date();
  d.setHours(Number(m[1]), Number(m[2]), Number(m[3]), Number(m[4]));
  return d.getTime() / 1000;
}

test('a master killed with SIGKILL demotes its leftover promotion on restart, before it takes part', async () => {
  c = await E2ECluster.create({ nodes: 3, quorum: 2, statusInterval: '10s', writeServices: writeStatefulService, tag: 'koi-leftovers' });
  const cluster = c;
  cluster.start();
  const before = await cluster.waitForMaster((v) => v.nodes.filter((n) => n.state === 'Slave').length === 2
    && v.nodes.find((n) => n.name === v.master.name)?.services.every((s) => s.state === 'Promoted') === true, 40_000);
  const victim = before.master.name;
  const promotedFile = path.join(cluster.dir, `state-${victim}`, 'promoted');
  expect(fs.existsSync(promotedFile)).toBe(true);

  cluster.signal(victim, 'SIGKILL');
  await cluster.waitForMaster((v) => v.master.name !== victim, 30_000);
  expect(fs.existsSync(promotedFile)).toBe(true); // nobody demoted it: the process died

  const restartedAt = Date.now() / 1000;
  const logLinesBefore = cluster.log(victim).length;
  cluster.start(victim);
  await cluster.waitFor(`${victim} back as a slave`, async () => {
    const v = await cluster.status();
    return v?.nodes.some((n) => n.name === victim && n.state === 'Slave') ? v : undefined;
  }, 30_000);

  const demotes = cluster.events().filter((e) => e.node === victim && e.event === 'demote' && e.time > restartedAt);
  expect(demotes.map((e) => e.phase)).toEqual(['begin', 'end']);
  const demoteEnd = demotes[1].time;
  expect(fs.existsSync(promotedFile)).toBe(false);

  // Its own log: the demote's output comes before "node <victim> (...) started" (heartbeats start just before it).
  const own = cluster.log(victim).slice(logLinesBefore);
  const demoteLine = own.findIndex((l) => l.includes('demote-script-ran'));
  const startedLine = own.findIndex((l) => l.includes(`node ${victim} (`) && l.includes(') started'));
  expect(demoteLine).toBeGreaterThanOrEqual(0);
  expect(startedLine).toBeGreaterThan(demoteLine);
  expect(own.filter((l) => l.includes('start-up sweep:') && l.includes('left promoted'))).toHaveLength(1);

  // The peers: the first time either logs the new incarnation as joined is after the demote ended.
  const joined = cluster.nodes.filter((n) => n.name !== victim).flatMap((n) => cluster.log(n.name))
    .filter((l) => l.includes(`node ${victim} (`) && l.includes('joined')).map(lineTime).filter((t) => t >= restartedAt - 1);
  expect(joined.length).toBeGreaterThan(0);
  expect(Math.min(...joined)).toBeGreaterThanOrEqual(demoteEnd - 0.001);

  // Never promoted again while another node is master.
  await new Promise((resolve) => setTimeout(resolve, 3000));
  expect(cluster.events().filter((e) => e.node === victim && e.event === 'promote' && e.time > restartedAt)).toEqual([]);
  console.log(`${victim}: demote ended ${Math.round((demoteEnd - restartedAt) * 1000)} ms after restart; first joined log ${Math.round((Math.min(...joined) - demoteEnd) * 1000)} ms after it`);
});

/** Like writeStatefulService, but promote takes `promoteSeconds` before it marks the service promoted. */
function slowPromoteService(promoteSeconds: number) {
  return (serviceDir: string, node: NodeSpec, cluster: E2ECluster): void => {
    writeStatefulService(serviceDir, node, cluster);
    const state = path.join(cluster.dir, `state-${node.name}`);
    const rec = `rec() { echo "$(date +%s.%N) $KOI_NODE_NAME $KOI_SERVICE promote $1" >> "${cluster.eventsFile}"; }`;
    fs.writeFileSync(path.join(serviceDir, '10-db', 'promote'),
      `#!/bin/sh\n${rec}\nrec begin\nsleep ${promoteSeconds}\ntouch "${state}/promoted"\nrec end\nexit 0\n`, { mode: 0o755 });
  };
}

test('a promote still running when its koinode is SIGKILLed is ended by the restarted koinode before its sweep (it never completes)', async () => {
  const PROMOTE_S = 6;
  c = await E2ECluster.create({ nodes: 3, quorum: 2, statusInterval: '10s', writeServices: slowPromoteService(PROMOTE_S), tag: 'koi-orphans' });
  const cluster = c;
  cluster.start();
  const begun = await cluster.waitFor('a first promote to begin', async () =>
    cluster.events().find((e) => e.event === 'promote' && e.phase === 'begin'), 40_000);
  const victim = begun.node;
  await cluster.stop(victim, 'SIGKILL');
  const logLinesBefore = cluster.log(victim).length;
  cluster.start(victim); // well before the orphaned promote's sleep ends
  await cluster.waitFor(`${victim} back as a slave`, async () => {
    const v = await cluster.status();
    return v?.nodes.some((n) => n.name === victim && n.state === 'Slave') ? v : undefined;
  }, 30_000);
  // Past the moment the orphan would have finished: it never did, and its service is not promoted.
  await new Promise((resolve) => setTimeout(resolve, (begun.time + PROMOTE_S + 2 - Date.now() / 1000) * 1000));
  const ends = cluster.events().filter((e) => e.node === victim && e.event === 'promote' && e.phase === 'end' && e.time < begun.time + PROMOTE_S + 1);
  expect(ends).toEqual([]);
  expect(fs.existsSync(path.join(cluster.dir, `state-${victim}`, 'promoted'))).toBe(false);
  const own = cluster.log(victim).slice(logLinesBefore);
  const ended = own.findIndex((l) => l.includes('ending promote of 10-db') && l.includes('which is gone'));
  const started = own.findIndex((l) => l.includes(`node ${victim} (`) && l.includes(') started'));
  expect(ended).toBeGreaterThanOrEqual(0);
  expect(started).toBeGreaterThan(ended);
});
