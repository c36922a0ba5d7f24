/**
 * An in-memory ServiceExecutor on an injected (virtual) clock, for tests of
 * the service manager and the runner. Each service has its own "reality"
 * (running, promoted) that only its events change — maintenance mode, which
 * runs no event, leaves it as it was — and a log of every event's begin and
 * end with the virtual time, so tests measure what the service layer did.
 */
import type {
  Clock, ServiceDefinition, ServiceEntry, ServiceEventName, ServiceEventRequest, ServiceEventResult, ServiceExecutor,
} from '../../../plugin-api';
import { SERVICE_EVENTS } from '../../../plugin-api';

export interface FakeService {
  priority: number | null;
  /** Duration of each event, ms (default `durationMs`). */
  durations: Partial<Record<ServiceEventName, number>>;
  /** Events that exit 1 until cleared. */
  failEvents: Set<ServiceEventName>;
  /** What the service really is (its status reports it: 90 promoted, 91 running, 92 stopped). */
  running: boolean;
  promoted: boolean;
  /** Overrides the status code while set. */
  statusCode: number | null;
  /** No status script: the manager presumes an instant 0. */
  noStatus: boolean;
}

export interface FakeEventRecord {
  at: number;
  service: string;
  event: ServiceEventName;
  phase: 'begin' | 'end';
  /** Exit code at `end`; -1 when aborted or timed out. */
  code: number;
  aborted?: boolean;
}

export class FakeExecutor implements ServiceExecutor {
  readonly kind = 'fake';
  readonly services = new Map<string, FakeService>();
  readonly log: FakeEventRecord[] = [];

  constructor(private readonly clock: Clock, private readonly durationMs = 10) {}

  add(name: string, options: Partial<FakeService> = {}): FakeService {
    const service: FakeService = {
      priority: null, durations: {}, failEvents: new Set(), running: false, promoted: false, statusCode: null, noStatus: false,
      ...options,
    };
    this.services.set(name, service);
    return service;
  }

  entries(): ServiceEntry[] {
    return [...this.services.keys()].map((name) => ({ name, path: `/fake/${name}`, isDirectory: true }));
  }

  /** Begin times of `event` (of `service`, or of any service). */
  times(event: ServiceEventName, service?: string): number[] {
    return this.log.filter((r) => r.phase === 'begin' && r.event === event && (service === undefined || r.service === service)).map((r) => r.at);
  }

  /** `service:event` of every event begun, in order. */
  sequence(): string[] {
    return this.log.filter((r) => r.phase === 'begin').map((r) => `${r.service}:${r.event}`);
  }

  async probe(entry: ServiceEntry): Promise<ServiceDefinition | null> {
    const service = this.services.get(entry.name);
    if (!service) return null;
    return {
      name: entry.name, priority: service.priority, path: entry.path, executor: this.kind,
      events: SERVICE_EVENTS.filter((e) => e !== 'status' || !service.noStatus), enabled: true, fingerprint: 'fake',
    };
  }

  run(request: ServiceEventRequest): Promise<ServiceEventResult> {
    const name = request.service.name;
    const service = this.services.get(name);
    const event = request.event;
    const started = this.clock.now();
    this.log.push({ at: started, service: name, event, phase: 'begin', code: 0 });
    // A promote holds the role from its first instant (an address is up before the script ends).
    if (service && event === 'promote') service.promoted = true;
    const finish = (code: number, extra: Partial<ServiceEventResult> = {}): ServiceEventResult => {
      this.log.push({ at: this.clock.now(), service: name, event, phase: 'end', code, aborted: extra.aborted });
      return { code, timedOut: false, aborted: false, durationMs: this.clock.now() - started, ...extra };
    };
    return new Promise((resolve) => {
      const timeout = this.clock.setTimeout(() => {
        request.signal.removeEventListener('abort', onAbort);
        this.clock.clear(done);
        resolve(finish(-1, { timedOut: true }));
      }, request.timeoutMs);
      const onAbort = (): void => {
        this.clock.clear(timeout);
        this.clock.clear(done);
        resolve(finish(-1, { aborted: true }));
      };
      request.signal.addEventListener('abort', onAbort, { once: true });
      const done = this.clock.setTimeout(() => {
        this.clock.clear(timeout);
        request.signal.removeEventListener('abort', onAbort);
        if (!service) return resolve(finish(1));
        if (service.failEvents.has(event)) return resolve(finish(1));
        if (event === 'status') {
          const code = service.statusCode ?? (service.promoted ? 90 : service.running ? 91 : 92);
          return resolve(finish(code));
        }
        if (event === 'start') service.running = true;
        if (event === 'demote') service.promoted = false;
        if (event === 'stop') {
          service.running = false;
          service.promoted = false;
        }
        resolve(finish(0));
      }, service?.durations[event] ?? this.durationMs);
    });
  }
}
