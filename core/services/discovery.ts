/**
 * Turns the entries of the service folder into service definitions: applies
 * the ignore rules (one warning per name, ever), and offers every entry to
 * the executors in order; the first that recognises it runs it.
 */
import type { Logger, ServiceDefinition, ServiceEntry, ServiceExecutor } from '../../plugin-api';
import { ignoreReason, parseServiceName } from './names';
import { escapeControl } from '../security/names';
import { errorMessage } from '../../plugin-api/errors';

export interface DiscoveredService {
  entry: ServiceEntry;
  definition: ServiceDefinition;
  executor: ServiceExecutor;
}

/**
 * Executors in the order entries are offered to them: every other kind in
 * registration order, `shell` last, because a directory without scripts is
 * a valid (null) shell service and would shadow a native service directory.
 */
export function orderExecutors(executors: readonly ServiceExecutor[]): ServiceExecutor[] {
  return [...executors.filter((e) => e.kind !== 'shell'), ...executors.filter((e) => e.kind === 'shell')];
}

export class ServiceDiscovery {
  private readonly executors: ServiceExecutor[];
  /** Names (or name+problem keys) already warned about: each warning is logged once. */
  private readonly warned = new Set<string>();

  constructor(executors: readonly ServiceExecutor[], private readonly log: Logger) {
    this.executors = orderExecutors(executors);
  }

  /** Names whose probe threw in the last `discover` (kept as they were by the manager, not dropped). */
  readonly probeErrors = new Set<string>();

  /** Recognise every entry; the result maps service name to what runs it. */
  async discover(entries: readonly ServiceEntry[]): Promise<Map<string, DiscoveredService>> {
    this.probeErrors.clear();
    const candidates = entries.filter((entry) => {
      const reason = ignoreReason(entry.name);
      if (reason === null) return true;
      this.warnOnce(`ignored:${entry.name}`, { entry: escapeControl(entry.path) }, `ignoring ${escapeControl(entry.path)}: ${reason}`);
      return false;
    });
    const found = await Promise.all(candidates.map((entry) => this.recognise(entry)));
    const services = new Map<string, DiscoveredService>();
    for (const service of found) if (service) services.set(service.entry.name, service);
    return services;
  }

  private async recognise(entry: ServiceEntry): Promise<DiscoveredService | null> {
    for (const executor of this.executors) {
      let definition: ServiceDefinition | null;
      try {
        definition = await executor.probe(entry, this.log.child({ service: entry.name, executor: executor.kind }));
      } catch (err) {
        this.probeErrors.add(entry.name);
        const message = errorMessage(err);
        this.warnOnce(`probe:${entry.name}:${executor.kind}:${message}`, { entry: entry.path, executor: executor.kind },
          `executor ${executor.kind} failed to probe ${entry.path}: ${message}`, 'error');
        continue;
      }
      if (!definition) continue;
      // The manager owns naming: the entry name and its priority prefix, whatever the executor said.
      const { priority } = parseServiceName(entry.name);
      return { entry, executor, definition: { ...definition, name: entry.name, priority, executor: executor.kind } };
    }
    this.warnOnce(`unrecognised:${entry.name}`, { entry: entry.path },
      `no service executor recognises ${entry.path} (kinds: ${this.executors.map((e) => e.kind).join(', ') || 'none'})`);
    return null;
  }

  private warnOnce(key: string, fields: object, msg: string, level: 'warn' | 'error' = 'warn'): void {
    if (this.warned.has(key)) return;
    this.warned.add(key);
    this.log[level](fields, msg);
  }
}
