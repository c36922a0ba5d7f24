/**
 * The shell executor: runs services made of executable scripts (SPEC §6).
 *
 * - A directory service holds any of the scripts `start stop status promote
 *   demote failed` (a missing one is instant success; an empty directory is
 *   a null service). A `disabled` file disables it.
 * - A single-script service is one executable file, called with the event
 *   name as its first argument.
 *
 * Every event runs in its own process group; a timeout or an abort sends
 * SIGTERM to the whole group, then SIGKILL after the grace period.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { constants as fsConstants, existsSync } from 'node:fs';
import { access, stat } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import type { Stats } from 'node:fs';
import {
  SERVICE_EVENTS, type Logger, type ServiceDefinition, type ServiceEntry, type ServiceEventName,
  type ServiceEventRequest, type ServiceEventResult, type ServiceExecutor, type OrphanContext,
} from '../../plugin-api';
import { parseServiceName, checkCodeFile, daemonUid, describeProblems, scriptEnvironment } from '../../plugin-api';
import { LineSplitter } from './lines';
import { OutputTail } from './output-tail';
import { groupAlive, signalGroup } from './process-group';
import { daemonMarks, reapOrphans } from './orphans';

export interface ShellExecutorOptions {
  /**
   * Refuse scripts that someone other than root or the daemon's user can
   * change — the script, its folder, the services folder (read at every
   * use: config reloads apply). False: warn only.
   */
  strictPermissions: () => boolean;
  /** The services folder: where the ownership checks stop (default: the folder holding the service entry). */
  servicesFolder?: () => string;
  /** Daemon variables passed on to scripts besides the minimal environment (`service.env_passthrough`). */
  envPassthrough?: () => readonly string[];
  /** Logger for warnings that are not about one event (permissions, unusable scripts). */
  logger: Logger;
  /** uid scripts may belong to besides root; defaults to the daemon's. */
  uid?: number;
}

/** How often a killed group is checked for survivors. */
const GROUP_POLL_MS = 20;
/** How long to wait, after SIGKILL, for the kernel to remove a killed group. */
const AFTER_KILL_WAIT_MS = 2000;
/** How long to wait after a normal exit for stdout/stderr to close (a backgrounded daemon may keep them open). */
const DRAIN_WAIT_MS = 200;

export function createShellExecutor(options: ShellExecutorOptions): ServiceExecutor {
  return new ShellExecutor(options);
}

class ShellExecutor implements ServiceExecutor {
  readonly kind = 'shell';
  private readonly warned = new Set<string>();
  private readonly uid: number;

  constructor(private readonly options: ShellExecutorOptions) {
    this.uid = options.uid ?? daemonUid();
  }

  async probe(entry: ServiceEntry, log: Logger): Promise<ServiceDefinition | null> {
    const { priority } = parseServiceName(entry.name);
    if (!entry.isDirectory) {
      const stats = await stat(entry.path);
      if (!stats.isFile()) return null;
      if (!(await isExecutable(entry.path))) {
        this.warnOnce(`noexec:${entry.path}`, log, `${entry.path} is not executable: not a service (chmod +x to make it a single-script service)`);
        return null;
      }
      this.permissionRefusal(entry.path, this.rootOf(entry.path), log);
      return {
        name: entry.name, priority, path: entry.path, executor: this.kind,
        events: [...SERVICE_EVENTS], enabled: true, fingerprint: fingerprintOf([['script', stats]]),
      };
    }
    const events: ServiceEventName[] = [];
    const parts: Array<[string, Stats]> = [];
    for (const event of SERVICE_EVENTS) {
      const script = join(entry.path, event);
      const stats = await stat(script).catch(() => null);
      if (!stats) continue;
      parts.push([event, stats]);
      if (!stats.isFile()) {
        this.warnOnce(`notfile:${script}`, log, `${script} is not a regular file: ignored, ${event} counts as instant success`);
        continue;
      }
      if (!(await isExecutable(script))) {
        this.warnOnce(`noexec:${script}`, log, `${script} is not executable: ignored, ${event} counts as instant success`);
        continue;
      }
      this.permissionRefusal(script, this.rootOf(entry.path), log);
      events.push(event);
    }
    const disabled = await stat(join(entry.path, 'disabled')).catch(() => null);
    if (disabled) parts.push(['disabled', disabled]);
    return {
      name: entry.name, priority, path: entry.path, executor: this.kind,
      events, enabled: disabled === null, fingerprint: fingerprintOf(parts),
    };
  }

  async run(request: ServiceEventRequest): Promise<ServiceEventResult> {
    const started = performance.now();
    const single = !(await stat(request.service.path).then((s) => s.isDirectory(), () => false));
    const script = single ? request.service.path : join(request.service.path, request.event);
    const args = single ? [request.event] : [];
    const refusal = this.permissionRefusal(script, this.rootOf(request.service.path), request.log);
    if (refusal) {
      return { code: -1, timedOut: false, aborted: false, error: refusal, durationMs: performance.now() - started };
    }
    if (request.signal.aborted) {
      return { code: -1, timedOut: false, aborted: true, durationMs: performance.now() - started };
    }
    // Marked with this daemon, so the next one can end the script if this one dies first (orphans.ts).
    const env = { ...scriptEnvironment(request.env, this.options.envPassthrough?.() ?? []), ...daemonMarks(request.service.path, script) };
    return runScript(script, args, env, request, started);
  }

  reapOrphans(context: OrphanContext): Promise<string[]> {
    return reapOrphans(context);
  }

  /** Where the ownership checks of `entryPath`'s scripts stop. */
  private rootOf(entryPath: string): string {
    return this.options.servicesFolder?.() ?? dirname(entryPath);
  }

  /**
   * Check `script`, its folders up to `root`: in strict mode, why it must
   * not run (logged as an error once); otherwise null, with a warning once.
   */
  private permissionRefusal(script: string, root: string, log: Logger): string | null {
    if (!existsSync(script)) return null; // spawn reports the missing file
    const problems = checkCodeFile(script, root, { uid: this.uid });
    if (problems.length === 0) return null;
    const text = describeProblems(problems);
    const strict = this.options.strictPermissions();
    if (strict) {
      const why = `refused to run ${script}: unsafe ownership or mode: ${text} (service.strict_permissions is on: fix the owner/mode, or set it false to only warn)`;
      this.logOnce(`refuse:${script}:${text}`, log, 'error', why, { script, problems: problems.map((p) => `${p.file}: ${p.problem}`) });
      return why;
    }
    this.logOnce(`perm:${script}:${text}`, log, 'warn', `insecure service script ${script}: ${text} (runs anyway: service.strict_permissions is false)`,
      { script, problems: problems.map((p) => `${p.file}: ${p.problem}`) });
    return null;
  }

  private logOnce(key: string, log: Logger, level: 'warn' | 'error', msg: string, fields: object): void {
    if (this.warned.has(key)) return;
    this.warned.add(key);
    (log ?? this.options.logger)[level](fields, msg);
  }

  private warnOnce(key: string, log: Logger, msg: string, fields: object = {}): void {
    if (this.warned.has(key)) return;
    this.warned.add(key);
    (log ?? this.options.logger).warn(fields, msg);
  }
}

async function isExecutable(path: string): Promise<boolean> {
  return access(path, fsConstants.X_OK).then(() => true, () => false);
}

function fingerprintOf(parts: Array<[string, Stats]>): string {
  return parts.map(([name, s]) => `${name}:${s.size}:${Math.trunc(s.mtimeMs)}:${(s.mode & 0o7777).toString(8)}:${s.uid}`).join('|');
}

/** Spawn one event and settle it: exit, timeout, or abort (then the group is killed). */
function runScript(
  script: string, args: string[], env: Record<string, string>, request: ServiceEventRequest, started: number,
): Promise<ServiceEventResult> {
  const log = request.log;
  return new Promise((resolve) => {
    let child: ChildProcess;
    try {
      child = spawn(script, args, {
        cwd: request.cwd,
        env, // the minimal environment (docs/services.md), never the daemon's whole one
        detached: true, // own process group: a timeout reaches every descendant
        stdio: ['ignore', 'pipe', 'pipe'],
      });
    } catch (err) {
      resolve({ code: -1, timedOut: false, aborted: false, error: (err as Error).message, durationMs: performance.now() - started });
      return;
    }
    const pgid = child.pid;
    let timedOut = false;
    let aborted = false;
    let killing = false;
    let settled = false;
    let killTimer: NodeJS.Timeout | undefined;
    let pollTimer: NodeJS.Timeout | undefined;

    const tail = new OutputTail();
    const out = new LineSplitter((line) => {
      tail.add(line);
      log.info({ stream: 'stdout' }, line);
    });
    const err = new LineSplitter((line) => {
      tail.add(line);
      log.warn({ stream: 'stderr' }, line);
    });
    child.stdout?.on('data', (chunk: Buffer) => out.push(chunk));
    child.stderr?.on('data', (chunk: Buffer) => err.push(chunk));
    let openStreams = 2;
    const streamClosed = (): void => {
      openStreams -= 1;
      if (openStreams === 0) {
        out.end();
        err.end();
      }
    };
    child.stdout?.on('close', streamClosed);
    child.stderr?.on('close', streamClosed);

    const finish = (result: Omit<ServiceEventResult, 'durationMs'>): void => {
      if (settled) return;
      settled = true;
      clearTimeout(timeoutTimer);
      clearTimeout(killTimer);
      clearTimeout(pollTimer);
      request.signal.removeEventListener('abort', onAbort);
      // Lines still in the splitters (no final newline) belong to the tail too.
      if (openStreams > 0) {
        out.end();
        err.end();
      }
      resolve({ ...result, durationMs: performance.now() - started, output: tail.get() });
    };

    const terminate = (why: string, level: 'info' | 'warn'): void => {
      if (killing || pgid === undefined) return;
      killing = true;
      log[level](`${why}: SIGTERM to process group ${pgid}`);
      signalGroup(pgid, 'SIGTERM');
      killTimer = setTimeout(() => {
        if (groupAlive(pgid)) {
          log.warn({ pgid }, `process group ${pgid} still alive after ${request.killGraceMs} ms: SIGKILL`);
          signalGroup(pgid, 'SIGKILL');
        }
      }, request.killGraceMs);
    };

    const timeoutTimer = setTimeout(() => {
      timedOut = true;
      terminate(`${request.event} timed out after ${request.timeoutMs} ms`, 'warn');
    }, request.timeoutMs);
    const onAbort = (): void => {
      aborted = true;
      // An abort is koi's own decision (a stop request, shutdown): routine, not a warning.
      terminate(`${request.event} aborted`, 'info');
    };
    request.signal.addEventListener('abort', onAbort, { once: true });

    child.on('error', (error) => {
      // Spawn failures (ENOENT, EACCES) arrive here, without an exit.
      if (child.pid === undefined) finish({ code: -1, timedOut, aborted, error: error.message });
      else log.error({ err: error.message }, `${script}: ${error.message}`);
    });

    child.on('exit', (code, signal) => {
      const exitCode = code ?? -1;
      if (signal) log.warn({ signal }, `${request.event} ended by ${signal}`);
      if (!killing || pgid === undefined) {
        clearTimeout(timeoutTimer);
        request.signal.removeEventListener('abort', onAbort);
        // A normal exit: processes the script left running in its group (a daemon it started) are its business.
        // Wait briefly for the output pipes so the last lines are logged before the result.
        if (openStreams === 0) finish({ code: exitCode, timedOut, aborted });
        else {
          const drained = (): void => { if (openStreams === 0) finish({ code: exitCode, timedOut, aborted }); };
          child.stdout?.on('close', drained);
          child.stderr?.on('close', drained);
          pollTimer = setTimeout(() => finish({ code: exitCode, timedOut, aborted }), DRAIN_WAIT_MS);
        }
        return;
      }
      // Killed: the event is over only when nothing of its group survives.
      const deadline = performance.now() + request.killGraceMs + AFTER_KILL_WAIT_MS;
      const poll = (): void => {
        if (!groupAlive(pgid)) {
          finish({ code: exitCode, timedOut, aborted });
          return;
        }
        if (performance.now() > deadline) {
          log.error({ pgid }, `process group ${pgid} survived SIGKILL; giving up waiting for it`);
          finish({ code: exitCode, timedOut, aborted });
          return;
        }
        pollTimer = setTimeout(poll, GROUP_POLL_MS);
      };
      poll();
    });
  });
}
