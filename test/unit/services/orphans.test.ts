/**
 * The orphan reaper (plugins/exec-shell/orphans.ts) on real processes: a
 * script whose koinode is gone is ended; an application that script started
 * in a session of its own (setsid, as pg_ctl or nginx do) inherits the marks
 * but is not the script, and is left running; a script of a live daemon is
 * left alone too.
 */
import { spawn, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { daemonMarks, findOrphans, reapOrphans, DAEMON_PID_VARIABLE, DAEMON_STARTED_VARIABLE } from '../../../plugins/exec-shell/orphans';
import { groupAlive } from '../../../plugins/exec-shell/process-group';

const silent = { info: () => undefined, warn: () => undefined, error: () => undefined, debug: () => undefined, trace: () => undefined, fatal: () => undefined, child: () => silent } as never;
const started: number[] = [];
afterAll(() => {
  for (const pid of started) { try { process.kill(-pid, 'SIGKILL'); } catch { /* gone */ } try { process.kill(pid, 'SIGKILL'); } catch { /* gone */ } }
});

function waitFor<T>(what: string, probe: () => T | undefined, ms = 5000): Promise<T> {
  const until = Date.now() + ms;
  return new Promise((resolve, reject) => {
    const tick = (): void => {
      const v = probe();
      if (v !== undefined) resolve(v);
      else if (Date.now() > until) reject(new Error(`timed out waiting for ${what}`));
      else setTimeout(tick, 20);
    };
    tick();
  });
}

const linux = process.platform === 'linux' && spawnSync('setsid', ['--version']).status === 0;
(linux ? test : test.skip)('a dead daemon\'s script is ended; the application it started in its own session and a live daemon\'s script are not', async () => {
  const folder = fs.mkdtempSync(path.join(os.tmpdir(), 'koi-orphans-'));
  const service = path.join(folder, '10-db');
  fs.mkdirSync(service);
  const script = path.join(service, 'promote');
  const appPidFile = path.join(folder, 'app.pid');
  fs.writeFileSync(script, `#!/bin/sh\nsetsid sh -c 'echo $$ > "${appPidFile}"; exec sleep 300' &\nsleep 300\n`, { mode: 0o755 });
  // A "daemon" that has exited: its pid and start time name no live process.
  const gone = spawnSync('true');
  const deadMarks = { ...daemonMarks(service, script), [DAEMON_PID_VARIABLE]: String(gone.pid), [DAEMON_STARTED_VARIABLE]: '1' };
  const orphan = spawn(script, [], { detached: true, stdio: 'ignore', env: { ...process.env, ...deadMarks } });
  started.push(orphan.pid!);
  const appPid = await waitFor('the application pid', () => (fs.existsSync(appPidFile) ? Number(fs.readFileSync(appPidFile, 'utf8')) || undefined : undefined));
  started.push(appPid);
  // A script of this (live) process, under the same folder.
  const live = spawn(script, [], { detached: true, stdio: 'ignore', env: { ...process.env, ...daemonMarks(service, script) } });
  started.push(live.pid!);
  await waitFor('both scripts listed', () => (findOrphans(folder).length >= 1 ? true : undefined));

  expect(findOrphans(folder).map((o) => o.pgid)).toEqual([orphan.pid]);
  const ended = await reapOrphans({ servicesFolder: folder, killGraceMs: 500, log: silent });
  expect(ended).toHaveLength(1);
  expect(ended[0]).toContain(`process group ${orphan.pid}`);
  expect(groupAlive(orphan.pid!)).toBe(false);
  expect(groupAlive(appPid)).toBe(true); // the application keeps running
  expect(groupAlive(live.pid!)).toBe(true); // a live daemon's script keeps running
  fs.rmSync(folder, { recursive: true, force: true });
});
