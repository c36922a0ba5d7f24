/**
 * The native executor (SPEC §6, beyond): runs services written as JS/TS
 * modules. A native service is a directory holding `service.js`,
 * `service.cjs` or `service.mjs` (the first found, in that order) whose
 * export is a NativeService. Same states, ordering, timeouts and status
 * codes as scripts; the event function gets an AbortSignal that fires on
 * timeout or when a stop request cancels the event.
 */
import { stat } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import type { Stats } from 'node:fs';
import {
  SERVICE_EVENTS, type Logger, type NativeService, type NativeServiceContext, type ServiceDefinition, type ServiceEntry,
  type ServiceEventRequest, type ServiceEventResult, type ServiceExecutor,
} from '../../plugin-api';
import { parseServiceName, checkCodeFile, daemonUid, describeProblems, scriptEnvironment } from '../../plugin-api';
import { loadNativeService } from './loader';

/** Module file names recognised in a service directory, in order of preference. */
export const NATIVE_MODULE_FILES = ['service.js', 'service.cjs', 'service.mjs'] as const;

interface LoadedModule {
  fingerprint: string;
  service: NativeService | null;
  /** Why the module could not be loaded (every event then fails with it). */
  error: string | null;
}

export interface NativeExecutorOptions {
  /**
   * Refuse to load a module that someone other than root or the daemon's
   * user can change — the module, its folder, the services folder (default
   * true; read at every probe so reloads apply). False: warn only.
   */
  strictPermissions?: () => boolean;
  /** The services folder: where the ownership checks stop (default: the folder holding the service directory). */
  servicesFolder?: () => string;
  /** Daemon variables passed on besides the minimal environment (`service.env_passthrough`). */
  envPassthrough?: () => readonly string[];
  /** uid modules may belong to besides root; defaults to the daemon's. */
  uid?: number;
}

export function createNativeExecutor(options: NativeExecutorOptions = {}): ServiceExecutor {
  return new NativeExecutor(options);
}

class NativeExecutor implements ServiceExecutor {
  readonly kind = 'native';
  /** Loaded modules by file; reloaded when the fingerprint changes. */
  private readonly modules = new Map<string, LoadedModule>();
  private readonly warned = new Set<string>();
  private readonly uid: number;

  constructor(private readonly options: NativeExecutorOptions) {
    this.uid = options.uid ?? daemonUid();
  }

  async probe(entry: ServiceEntry, log: Logger): Promise<ServiceDefinition | null> {
    if (!entry.isDirectory) return null;
    const found = await findModule(entry.path);
    if (!found) return null;
    const [file, stats] = found;
    const disabled = await stat(join(entry.path, 'disabled')).catch(() => null);
    let fingerprint = `${file}:${stats.size}:${Math.trunc(stats.mtimeMs)}${disabled ? '|disabled' : ''}`;
    // Checked before every load: a module is code run inside the daemon, with its rights.
    const refusal = this.permissionRefusal(file, this.options.servicesFolder?.() ?? dirname(entry.path), log);
    let loaded: LoadedModule;
    if (refusal === null) loaded = await this.load(file, fingerprint, log);
    else {
      fingerprint += '|refused';
      loaded = { fingerprint, service: null, error: refusal };
      this.modules.set(file, loaded);
    }
    // A module that cannot load still is this executor's service: every event fails, naming the error.
    const events = loaded.service ? SERVICE_EVENTS.filter((e) => typeof loaded.service?.[e] === 'function') : [...SERVICE_EVENTS];
    return {
      name: entry.name, priority: parseServiceName(entry.name).priority, path: file, executor: this.kind,
      events, enabled: disabled === null, fingerprint,
    };
  }

  async run(request: ServiceEventRequest): Promise<ServiceEventResult> {
    const started = performance.now();
    const elapsed = (): number => performance.now() - started;
    const loaded = this.modules.get(request.service.path);
    if (!loaded || !loaded.service) {
      return { code: -1, timedOut: false, aborted: false, error: loaded?.error ?? `${request.service.path} is not loaded`, durationMs: elapsed() };
    }
    const service = loaded.service;
    const fn = service[request.event] as ((ctx: NativeServiceContext) => Promise<unknown>) | undefined;
    if (typeof fn !== 'function') return { code: 0, timedOut: false, aborted: false, durationMs: elapsed() };
    if (request.signal.aborted) return { code: -1, timedOut: false, aborted: true, durationMs: elapsed() };

    const controller = new AbortController();
    // The same variables a script gets: the minimal environment with the KOI_* variables over it.
    const env = Object.freeze(scriptEnvironment(request.env, this.options.envPassthrough?.() ?? []));
    const ctx: NativeServiceContext = { env, signal: controller.signal, log: request.log };
    return new Promise<ServiceEventResult>((resolve) => {
      let timedOut = false;
      let aborted = false;
      let settled = false;
      let graceTimer: NodeJS.Timeout | undefined;
      const finish = (result: Omit<ServiceEventResult, 'durationMs' | 'timedOut' | 'aborted'>): void => {
        if (settled) return;
        settled = true;
        clearTimeout(timer);
        clearTimeout(graceTimer);
        request.signal.removeEventListener('abort', onAbort);
        resolve({ ...result, timedOut, aborted, durationMs: elapsed() });
      };
      // Like SIGTERM then SIGKILL for scripts: abort the signal, give the function the grace period
      // to return, then stop waiting for it (a promise cannot be killed; it is left to settle on its own).
      const cancel = (why: string): void => {
        if (controller.signal.aborted) return;
        request.log.warn({ graceMs: request.killGraceMs }, `${why}: aborting the ${request.event} function`);
        controller.abort(new Error(why));
        graceTimer = setTimeout(() => {
          request.log.error(`${request.event} did not return within ${request.killGraceMs} ms of being aborted; no longer waiting for it`);
          finish({ code: -1 });
        }, request.killGraceMs);
      };
      const timer = setTimeout(() => {
        timedOut = true;
        cancel(`${request.event} timed out after ${request.timeoutMs} ms`);
      }, request.timeoutMs);
      const onAbort = (): void => {
        aborted = true;
        cancel(`${request.event} aborted`);
      };
      request.signal.addEventListener('abort', onAbort, { once: true });

      let call: Promise<unknown>;
      try {
        call = Promise.resolve(fn.call(service, ctx));
      } catch (err) {
        call = Promise.reject(err);
      }
      call.then((value) => {
        if (timedOut || aborted) return finish({ code: -1 });
        if (request.event !== 'status') return finish({ code: 0 });
        if (typeof value === 'number' && Number.isInteger(value)) return finish({ code: value });
        finish({ code: -1, error: `status returned ${describeValue(value)}, expected an integer status code` });
      }, (err: unknown) => {
        const message = errorMessage(err);
        if (!timedOut && !aborted) request.log.error({ err: message }, `${request.event} threw: ${message}`);
        finish({ code: timedOut || aborted ? -1 : 1, error: timedOut || aborted ? undefined : `threw: ${message}` });
      });
    });
  }

  /** In strict mode (the default), why `file` must not be loaded (logged once); otherwise null, with a warning once. */
  private permissionRefusal(file: string, root: string, log: Logger): string | null {
    const problems = checkCodeFile(file, root, { uid: this.uid });
    if (problems.length === 0) return null;
    const text = describeProblems(problems);
    const fields = { file, problems: problems.map((p) => `${p.file}: ${p.problem}`) };
    if (this.options.strictPermissions?.() ?? true) {
      const why = `refused to load native service ${file}: unsafe ownership or mode: ${text} (service.strict_permissions is on: fix the owner/mode, or set it false to only warn)`;
      this.logOnce(`refuse:${file}:${text}`, () => log.error(fields, why));
      return why;
    }
    this.logOnce(`perm:${file}:${text}`, () => log.warn(fields, `insecure native service module ${file}: ${text} (loaded anyway: service.strict_permissions is false)`));
    return null;
  }

  private logOnce(key: string, write: () => void): void {
    if (this.warned.has(key)) return;
    this.warned.add(key);
    write();
  }

  private async load(file: string, fingerprint: string, log: Logger): Promise<LoadedModule> {
    const known = this.modules.get(file);
    if (known && known.fingerprint === fingerprint) return known;
    let loaded: LoadedModule;
    try {
      loaded = { fingerprint, service: await loadNativeService(file, fingerprint), error: null };
      if (known) log.info({ file }, `reloaded native service module ${file}`);
    } catch (err) {
      const message = errorMessage(err);
      loaded = { fingerprint, service: null, error: `cannot load native service: ${message}` };
      const key = `${fingerprint}`;
      if (!this.warned.has(key)) {
        this.warned.add(key);
        log.error({ file, err: message }, `cannot load native service ${file}: ${message}`);
      }
    }
    this.modules.set(file, loaded);
    return loaded;
  }
}

async function findModule(dir: string): Promise<[string, Stats] | null> {
  for (const name of NATIVE_MODULE_FILES) {
    const file = join(dir, name);
    const stats = await stat(file).catch(() => null);
    if (stats?.isFile()) return [file, stats];
  }
  return null;
}

function describeValue(value: unknown): string {
  if (value === undefined) return 'nothing';
  if (typeof value === 'number') return String(value);
  return typeof value;
}

/** The message of a thrown value; realm-independent (a module may throw another realm's Error). */
function errorMessage(err: unknown): string {
  if (typeof err === 'object' && err !== null && typeof (err as { message?: unknown }).message === 'string') {
    return (err as { message: string }).message;
  }
  return String(err);
}
