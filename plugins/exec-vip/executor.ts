/**
 * The `vip` executor: a service directory holding a file named `vip` is a
 * floating address that follows the master (docs/services.md, "Virtual IP
 * services").
 *
 * | event   | does |
 * | ---     | --- |
 * | promote | duplicate-address check of every address not held yet (refuses when another host answers), adds them, then announces them in the background (gratuitous ARP / unsolicited NA, `arp_count`/`na_count` times, a second apart) |
 * | demote, stop | stops the announcements, removes every address wherever it is held |
 * | status  | master: 90 with every address held, else 91 (koi promotes again); not master: 90 while any address is held (a leftover: koi demotes it away), else 0 |
 * | start, failed | nothing (failed is followed by stop) |
 */
import { readFile, stat } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import {
  StatusCode, type Clock, type Logger, type ServiceDefinition, type ServiceEntry, type ServiceEventName,
  type ServiceEventRequest, type ServiceEventResult, type ServiceExecutor,
} from '../../plugin-api';
import { checkCodeFile, daemonUid, describeProblems, ErrorCode, KoiError, parseServiceName } from '../../plugin-api';
import { CommandError } from './commands';
import { addAddress, holders, hostAddresses, interfaceFor, macOf, removeAddress, type HostAddress } from './iproute';
import { announceOnce, duplicateHolder } from './neighbours';
import { parseVipFile, VIP_DEFAULTS, VipFileError, type VipAddress, type VipConfig } from './vip-file';
import { errorMessage } from '../../plugin-api';

export const VIP_FILE = 'vip';
const EVENTS: ServiceEventName[] = ['status', 'promote', 'demote', 'stop'];

export interface VipExecutorOptions {
  clock: Clock;
  /** Refuse a `vip` file others can change (default true; read at every probe). False: warn only. */
  strictPermissions?: () => boolean;
  /** The services folder: where the ownership checks stop (default: the folder holding the service directory). */
  servicesFolder?: () => string;
  /** uid the file may belong to besides root; defaults to the daemon's. */
  uid?: number;
  /** Gap between two announcements (default VIP_DEFAULTS.announceIntervalMs). */
  announceIntervalMs?: number;
}

interface ParsedFile {
  fingerprint: string;
  config: VipConfig | null;
  error: string | null;
}

/** Thrown inside an event: its message is the event's failure reason. */
/** An event refused before any command ran (no interface for the VIP, a duplicate address). */
class VipEventError extends KoiError {
  constructor(message: string) {
    super(ErrorCode.VIP_COMMAND, message);
  }
}

export function createVipExecutor(options: VipExecutorOptions): VipExecutor {
  return new VipExecutor(options);
}

export class VipExecutor implements ServiceExecutor {
  readonly kind = 'vip';
  private readonly files = new Map<string, ParsedFile>();
  /** Running announcements by service path; aborted by demote/stop/close. */
  private readonly announcers = new Map<string, { controller: AbortController; done: Promise<void> }>();
  private readonly warned = new Set<string>();
  private readonly uid: number;

  constructor(private readonly options: VipExecutorOptions) {
    this.uid = options.uid ?? daemonUid();
  }

  async probe(entry: ServiceEntry, log: Logger): Promise<ServiceDefinition | null> {
    if (!entry.isDirectory) return null;
    const file = join(entry.path, VIP_FILE);
    const stats = await stat(file).catch(() => null);
    if (!stats?.isFile()) return null;
    const disabled = await stat(join(entry.path, 'disabled')).catch(() => null);
    let fingerprint = `${file}:${stats.size}:${Math.trunc(stats.mtimeMs)}${disabled ? '|disabled' : ''}`;
    const refusal = this.permissionRefusal(file, this.options.servicesFolder?.() ?? dirname(entry.path), log);
    if (refusal !== null) {
      fingerprint += '|refused';
      this.files.set(file, { fingerprint, config: null, error: refusal });
    } else {
      await this.parse(file, fingerprint, log);
    }
    // A file with errors still is this executor's service: every event fails naming them.
    return {
      name: entry.name, priority: parseServiceName(entry.name).priority, path: file, executor: this.kind,
      events: [...EVENTS], enabled: disabled === null, fingerprint,
    };
  }

  async run(request: ServiceEventRequest): Promise<ServiceEventResult> {
    const started = performance.now();
    const result = (code: number, extra: Partial<ServiceEventResult> = {}): ServiceEventResult => ({
      code, timedOut: false, aborted: false, durationMs: performance.now() - started, ...extra,
    });
    if (!EVENTS.includes(request.event)) return result(0);
    const parsed = this.files.get(request.service.path);
    if (!parsed?.config) return result(-1, { error: parsed?.error ?? `${request.service.path} is not loaded` });
    if (request.signal.aborted) return result(-1, { aborted: true });

    const controller = new AbortController();
    let timedOut = false;
    const timer = setTimeout(() => {
      timedOut = true;
      controller.abort();
    }, request.timeoutMs);
    const onAbort = (): void => controller.abort();
    request.signal.addEventListener('abort', onAbort, { once: true });
    try {
      const code = await this.handle(request, parsed.config, controller.signal);
      return result(code);
    } catch (err) {
      const message = errorMessage(err);
      if (timedOut) return result(-1, { timedOut: true, error: `${request.event} timed out after ${request.timeoutMs} ms` });
      if (request.signal.aborted) return result(-1, { aborted: true });
      request.log.error({ err: message }, `${request.event} failed: ${message}`);
      return result(1, { error: message });
    } finally {
      clearTimeout(timer);
      request.signal.removeEventListener('abort', onAbort);
    }
  }

  /** Stop every announcement (plugin close). */
  async close(): Promise<void> {
    const running = [...this.announcers.values()];
    for (const a of running) a.controller.abort();
    await Promise.all(running.map((a) => a.done));
  }

  private async handle(request: ServiceEventRequest, config: VipConfig, signal: AbortSignal): Promise<number> {
    switch (request.event) {
      case 'status': return this.status(request, config, signal);
      case 'promote': await this.promote(request, config, signal); return 0;
      default: await this.release(request, config, signal); return 0;
    }
  }

  private async status(request: ServiceEventRequest, config: VipConfig, signal: AbortSignal): Promise<number> {
    const host = await hostAddresses(signal);
    const held = config.addresses.filter((vip) => holders(host, vip).length > 0);
    if (request.env.KOI_IS_PROMOTED === '1') return held.length === config.addresses.length ? StatusCode.MASTER : StatusCode.SLAVE;
    if (held.length > 0) {
      request.log.warn({ addresses: held.map((v) => v.text) },
        `${held.map((v) => v.address).join(', ')} held on this node, which is not master: answering 90 so koi removes ${held.length === 1 ? 'it' : 'them'}`);
      return StatusCode.MASTER;
    }
    return StatusCode.OK;
  }

  private async promote(request: ServiceEventRequest, config: VipConfig, signal: AbortSignal): Promise<void> {
    const host = await hostAddresses(signal);
    const plan = config.addresses.map((vip) => {
      const held = holders(host, vip);
      const iface = config.interface ?? held[0]?.interface ?? interfaceFor(host, vip);
      if (!iface) {
        throw new VipEventError(`no interface of this host has an IPv${vip.family} subnet containing ${vip.address} `
          + `(${config.file}:${vip.line}): set "interface" in ${config.file}`);
      }
      return { vip, iface, present: held.some((h) => h.interface === iface) };
    });
    // Duplicate checks in parallel: each costs about dad_timeout, and only for addresses not held yet.
    const duplicates = await Promise.all(plan.filter((p) => !p.present).map(async (p) => {
      const mac = await duplicateHolder(p.vip, p.iface, config.dadTimeoutMs, signal);
      return mac ? `refusing to take ${p.vip.address}: ${mac} already answers for it on ${p.iface} (duplicate address)` : null;
    }));
    const refused = duplicates.filter((d): d is string => d !== null);
    if (refused.length > 0) throw new VipEventError(refused.join('; '));
    for (const p of plan.filter((x) => !x.present)) {
      await addAddress(p.vip, p.iface, config.label, signal);
      request.log.info({ address: p.vip.text, interface: p.iface }, `added ${p.vip.text} on ${p.iface}`);
    }
    this.startAnnouncing(request, config, plan.map((p) => ({ vip: p.vip, iface: p.iface })), host);
  }

  private async release(request: ServiceEventRequest, config: VipConfig, signal: AbortSignal): Promise<void> {
    await this.stopAnnouncing(request.service.path);
    const host = await hostAddresses(signal);
    for (const vip of config.addresses) {
      for (const h of holders(host, vip)) {
        await removeAddress(vip, h.interface, h.prefix, signal);
        request.log.info({ address: vip.text, interface: h.interface }, `removed ${vip.address}/${h.prefix} from ${h.interface}`);
      }
    }
  }

  /** Announce each address count times, a second apart, without holding up the promote. */
  private startAnnouncing(request: ServiceEventRequest, config: VipConfig, targets: Array<{ vip: VipAddress; iface: string }>, host: HostAddress[]): void {
    const key = request.service.path;
    this.announcers.get(key)?.controller.abort();
    const controller = new AbortController();
    const interval = this.options.announceIntervalMs ?? VIP_DEFAULTS.announceIntervalMs;
    const log = request.log;
    const one = async ({ vip, iface }: { vip: VipAddress; iface: string }): Promise<void> => {
      const count = vip.family === 4 ? config.arpCount : config.naCount;
      const mac = macOf(host, iface);
      for (let i = 0; i < count && !controller.signal.aborted; i++) {
        if (i > 0) await this.sleep(interval, controller.signal);
        if (controller.signal.aborted) return;
        try {
          await announceOnce(vip, iface, mac, controller.signal);
        } catch (err) {
          if (controller.signal.aborted) return;
          const message = errorMessage(err);
          // The address is up; only the neighbours' caches are slower to follow. Loud, but not a failure.
          log.error({ address: vip.text, err: message }, `cannot announce ${vip.address}: ${message}`);
          if (err instanceof CommandError) return;
        }
      }
    };
    const done = Promise.all(targets.map(one)).then(() => {
      if (this.announcers.get(key)?.controller === controller) this.announcers.delete(key);
    });
    this.announcers.set(key, { controller, done });
  }

  private async stopAnnouncing(key: string): Promise<void> {
    const running = this.announcers.get(key);
    if (!running) return;
    running.controller.abort();
    await running.done;
  }

  private sleep(ms: number, signal: AbortSignal): Promise<void> {
    return new Promise((resolve) => {
      const handle = this.options.clock.setTimeout(() => {
        signal.removeEventListener('abort', onAbort);
        resolve();
      }, ms);
      const onAbort = (): void => {
        this.options.clock.clear(handle);
        resolve();
      };
      signal.addEventListener('abort', onAbort, { once: true });
    });
  }

  private async parse(file: string, fingerprint: string, log: Logger): Promise<void> {
    const known = this.files.get(file);
    if (known?.fingerprint === fingerprint) return;
    let parsed: ParsedFile;
    try {
      parsed = { fingerprint, config: parseVipFile(await readFile(file, 'utf8'), file), error: null };
      if (known) log.info({ file }, `reloaded ${file}`);
    } catch (err) {
      const message = err instanceof VipFileError ? err.problems.join('; ') : `cannot read ${file}: ${(err as Error).message}`;
      parsed = { fingerprint, config: null, error: message };
      log.error({ file }, `bad vip file: ${message}`);
    }
    this.files.set(file, parsed);
  }

  /** In strict mode (the default), why `file` must not be used (logged once); otherwise null, with a warning once. */
  private permissionRefusal(file: string, root: string, log: Logger): string | null {
    const problems = checkCodeFile(file, root, { uid: this.uid });
    if (problems.length === 0) return null;
    const text = describeProblems(problems);
    if (this.options.strictPermissions?.() ?? true) {
      const why = `refused to use ${file}: unsafe ownership or mode: ${text} (it decides which addresses the daemon takes; service.strict_permissions is on)`;
      this.logOnce(`refuse:${file}:${text}`, () => log.error({ file }, why));
      return why;
    }
    this.logOnce(`perm:${file}:${text}`, () => log.warn({ file }, `insecure vip file ${file}: ${text} (used anyway: service.strict_permissions is false)`));
    return null;
  }

  private logOnce(key: string, write: () => void): void {
    if (this.warned.has(key)) return;
    this.warned.add(key);
    write();
  }
}
