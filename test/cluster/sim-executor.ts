/**
 * An in-memory ServiceExecutor for the simulator: services live in a table,
 * every event takes a (virtual) time and can be made to fail or hang; a
 * `status` reports 90 while promoted and 91 otherwise unless told to fail.
 * Also a cheap checksum "cipher" (real AES is too slow for hundreds of
 * schedules; the codec's framing, replay and duplicate rules still apply).
 */
import type {
  Cipher, Clock, ServiceDefinition, ServiceEntry, ServiceEventRequest, ServiceEventResult, ServiceExecutor,
} from '../../plugin-api';
import { SERVICE_EVENTS } from '../../plugin-api';

export interface SimServiceBehaviour {
  /** Event duration, ms. */
  durationMs: number;
  /** Events that fail (exit 1) until cleared. */
  failEvents: Set<string>;
  /** Events that never finish (until aborted or timed out). */
  hangEvents: Set<string>;
  /** The service's own idea of being promoted (what its status reports). */
  promoted: boolean;
}

export class SimExecutor implements ServiceExecutor {
  readonly kind = 'sim';
  readonly services = new Map<string, SimServiceBehaviour>();
  readonly log: Array<{ at: number; service: string; event: string; code: number }> = [];

  constructor(private readonly clock: Clock, names: string[] = ['10-ip', '20-app'], durationMs = 20) {
    for (const name of names) this.services.set(name, { durationMs, failEvents: new Set(), hangEvents: new Set(), promoted: false });
  }

  entries(): ServiceEntry[] {
    return [...this.services.keys()].map((name) => ({ name, path: `/sim/${name}`, isDirectory: true }));
  }

  async probe(entry: ServiceEntry): Promise<ServiceDefinition | null> {
    if (!this.services.has(entry.name)) return null;
    return {
      name: entry.name, priority: null, path: entry.path, executor: this.kind,
      events: [...SERVICE_EVENTS], enabled: true, fingerprint: 'sim',
    };
  }

  run(request: ServiceEventRequest): Promise<ServiceEventResult> {
    const behaviour = this.services.get(request.service.name);
    const started = this.clock.now();
    const finish = (code: number, extra: Partial<ServiceEventResult> = {}): ServiceEventResult => {
      this.log.push({ at: this.clock.now(), service: request.service.name, event: request.event, code });
      return { code, timedOut: false, aborted: false, durationMs: this.clock.now() - started, ...extra };
    };
    return new Promise((resolve) => {
      const hang = behaviour?.hangEvents.has(request.event) ?? false;
      const duration = behaviour?.durationMs ?? 0;
      const timeout = this.clock.setTimeout(() => {
        request.signal.removeEventListener('abort', onAbort);
        resolve(finish(-1, { timedOut: true }));
      }, request.timeoutMs);
      const onAbort = (): void => {
        this.clock.clear(timeout);
        this.clock.clear(done);
        resolve(finish(-1, { aborted: true }));
      };
      request.signal.addEventListener('abort', onAbort, { once: true });
      const done = hang ? undefined : this.clock.setTimeout(() => {
        this.clock.clear(timeout);
        request.signal.removeEventListener('abort', onAbort);
        if (behaviour?.failEvents.has(request.event)) return resolve(finish(1));
        if (request.event === 'status') return resolve(finish(behaviour?.promoted ? 90 : 91));
        if (behaviour && request.event === 'promote') behaviour.promoted = true;
        if (behaviour && (request.event === 'demote' || request.event === 'stop')) behaviour.promoted = false;
        resolve(finish(0));
      }, duration);
    });
  }
}

/** A trivial authenticated "cipher": plaintext followed by a 4-byte checksum over header and plaintext. */
export const checksumCipher: Cipher = {
  name: 'sim-checksum',
  overhead: 4,
  seal(header, plaintext) {
    const out = new Uint8Array(plaintext.length + 4);
    out.set(plaintext, 0);
    new DataView(out.buffer).setUint32(plaintext.length, checksum(header, plaintext));
    return out;
  },
  open(header, sealed) {
    if (sealed.length < 4) return null;
    const plaintext = sealed.subarray(0, sealed.length - 4);
    const sum = new DataView(sealed.buffer, sealed.byteOffset, sealed.byteLength).getUint32(sealed.length - 4);
    return sum === checksum(header, plaintext) ? plaintext : null;
  },
};

function checksum(header: Uint8Array, body: Uint8Array): number {
  let h = 0x811c9dc5;
  for (const part of [header, body]) {
    for (let i = 0; i < part.length; i++) h = Math.imul(h ^ part[i], 0x01000193) >>> 0;
  }
  return h >>> 0;
}
