/**
 * An in-memory ServiceExecutor for the simulator: services live in a table,
 * every event takes a (virtual) time and can be made to fail or hang; a
 * `status` reports 90 while promoted, 92 while not started (or stopped) and 91 otherwise, unless told to fail.
 *
 * It is also the nemesis' witness: per service it records the *promoted
 * interval*, from the start of a promote script to the end of the demote or
 * stop script that undid it, in shared virtual time. The invariants read
 * these, never the runner's own flags. Scripts are separate processes: they
 * run on the node's clock (rate, VM freeze) but go on while the daemon is
 * SIGSTOPped or crashed; the daemon learns of the result when it runs again.
 * The executor outlives a crash (`SimCluster.restart` hands it to the new
 * incarnation), so services left promoted stay promoted.
 *
 * Also a cheap checksum "cipher" (real AES is too slow for hundreds of
 * schedules; the codec's framing, replay and duplicate rules still apply).
 */
import type {
  Cipher, Clock, ServiceDefinition, ServiceEntry, ServiceEventRequest, ServiceEventResult, ServiceExecutor,
} from '../../plugin-api';
import { SERVICE_EVENTS } from '../../plugin-api';

export interface SimServiceBehaviour {
  /** Event duration, ms (promote and demote may differ, see SimDurations). */
  durationMs: number;
  promoteMs: number;
  demoteMs: number;
  /** Events that fail (exit 1) until cleared. */
  failEvents: Set<string>;
  /** Events that never finish (until aborted or timed out). */
  hangEvents: Set<string>;
  /** The service's own idea of being promoted (what its status reports). */
  promoted: boolean;
  /** The service runs (started and not stopped): status answers 92 otherwise, as a real stopped service. */
  running: boolean;
  /** Shared time the current promoted interval began (promote script start), null when not promoted. */
  openSince: number | null;
}

export interface SimDurations {
  /** Every event but promote and demote, ms. */
  otherMs: number;
  promoteMs: number;
  demoteMs: number;
}

/** A finished promoted interval of one service on one node (shared virtual time). */
export interface PromotedInterval {
  service: string;
  start: number;
  end: number;
}

export interface ExecutorWitness {
  /** A promote script of `service` starts (the service may be active from now on). */
  promoteStart(service: string, at: number): void;
  /** `service` is no longer promoted (demote/stop done, failed promote, power off). */
  promotedEnd(service: string, interval: PromotedInterval): void;
  /** A demote or stop script of a promoted `service` starts. */
  demoteStart(service: string, at: number): void;
}

/** A node clock that can run service scripts (PausableClock); a plain Clock runs them as timers. */
type ScriptClock = Clock & { setScriptTimeout?: (fn: () => void, ms: number) => ReturnType<Clock['setTimeout']> };

export class SimExecutor implements ServiceExecutor {
  readonly kind = 'sim';
  readonly services = new Map<string, SimServiceBehaviour>();
  readonly log: Array<{ at: number; service: string; event: string; code: number }> = [];
  readonly intervals: PromotedInterval[] = [];
  witness: ExecutorWitness | null = null;
  /** Bumped at power off: scripts still running are gone. */
  private generation = 0;
  /** Scripts running now, with the daemon clock that started them and how to kill them (SIGTERM). */
  private readonly running = new Set<{ clock: ScriptClock; kill: () => void; demoting: boolean }>();

  constructor(
    private clock: ScriptClock,
    names: string[] = ['10-ip', '20-app'],
    durations: number | SimDurations = 20,
    /** Shared (wall of the virtual) time for the witness; defaults to the node clock. */
    private readonly sharedNow: () => number = () => clock.now(),
  ) {
    const d = typeof durations === 'number' ? { otherMs: durations, promoteMs: durations, demoteMs: durations } : durations;
    for (const name of names) {
      this.services.set(name, {
        durationMs: d.otherMs, promoteMs: d.promoteMs, demoteMs: d.demoteMs, failEvents: new Set(), hangEvents: new Set(), promoted: false, running: false, openSince: null,
      });
    }
  }

  /** The node restarted: scripts of the new incarnation run on its clock. */
  setClock(clock: ScriptClock): void {
    this.clock = clock;
  }

  /** The machine lost power: every service is gone at once, running scripts too. */
  powerOff(): void {
    this.generation++;
    this.running.clear();
    for (const [name, behaviour] of this.services) {
      behaviour.promoted = false;
      behaviour.running = false;
      this.close(name, behaviour);
    }
  }

  /** The new daemon ends the scripts a dead one left running (plugins/exec-shell/orphans.ts). */
  async reapOrphans(): Promise<string[]> {
    const orphans = [...this.running].filter((r) => r.clock !== this.clock);
    for (const orphan of orphans) orphan.kill();
    return orphans.map(() => 'orphan');
  }

  /** A demote or stop script of a promoted service runs now. */
  demoting(): boolean {
    return [...this.running].some((r) => r.demoting);
  }

  /** Services whose promoted interval is open now. */
  openServices(): string[] {
    return [...this.services].filter(([, b]) => b.openSince !== null).map(([name]) => name);
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

  private close(name: string, behaviour: SimServiceBehaviour): void {
    if (behaviour.openSince === null) return;
    const interval = { service: name, start: behaviour.openSince, end: this.sharedNow() };
    behaviour.openSince = null;
    this.intervals.push(interval);
    this.witness?.promotedEnd(name, interval);
  }

  run(request: ServiceEventRequest): Promise<ServiceEventResult> {
    const name = request.service.name;
    const behaviour = this.services.get(name);
    const clock = this.clock;
    const generation = this.generation;
    const started = clock.now();
    const event = request.event;
    if (behaviour && event === 'promote' && behaviour.openSince === null) {
      behaviour.openSince = this.sharedNow();
      this.witness?.promoteStart(name, behaviour.openSince);
    }
    // The node's demote chain began: a demote of any service (one whose promote was aborted included, its
    // interval already closed), or the stop of a promoted one.
    const chainBegins = event === 'demote' ? [...this.services.values()].some((b) => b.openSince !== null) : event === 'stop' && behaviour?.openSince !== null;
    if (behaviour && chainBegins) this.witness?.demoteStart(name, this.sharedNow());
    const record = (code: number): void => {
      this.log.push({ at: clock.now(), service: name, event, code });
    };
    const result = (code: number, extra: Partial<ServiceEventResult> = {}): ServiceEventResult => (
      { code, timedOut: false, aborted: false, durationMs: clock.now() - started, ...extra });
    /** The script was killed (timeout, abort): a promote that did not finish left nothing active. */
    const killed = (): void => {
      if (behaviour && event === 'promote' && !behaviour.promoted) this.close(name, behaviour);
    };
    return new Promise((resolve) => {
      // Killed by the next daemon: the one awaiting this result is dead, so nothing is resolved.
      const entry = {
        clock,
        demoting: (event === 'demote' || event === 'stop') && behaviour?.openSince !== null && behaviour?.openSince !== undefined,
        kill: (): void => {
          this.running.delete(entry);
          clock.clear(timeout);
          clock.clear(done);
          killed();
          record(-1);
        },
      };
      this.running.add(entry);
      const hang = behaviour?.hangEvents.has(event) ?? false;
      const duration = !behaviour ? 0 : event === 'promote' ? behaviour.promoteMs : event === 'demote' ? behaviour.demoteMs : behaviour.durationMs;
      const timeout = clock.setTimeout(() => {
        this.running.delete(entry);
        request.signal.removeEventListener('abort', onAbort);
        clock.clear(done);
        killed();
        record(-1);
        resolve(result(-1, { timedOut: true }));
      }, request.timeoutMs);
      const onAbort = (): void => {
        this.running.delete(entry);
        clock.clear(timeout);
        clock.clear(done);
        killed();
        record(-1);
        resolve(result(-1, { aborted: true }));
      };
      request.signal.addEventListener('abort', onAbort, { once: true });
      // The script ends on its own (even while the daemon is stopped); the daemon hears of it when it runs.
      const scriptTimer = clock.setScriptTimeout?.bind(clock) ?? clock.setTimeout.bind(clock);
      const done = hang ? undefined : scriptTimer(() => {
        this.running.delete(entry);
        if (generation !== this.generation) return;
        let code = 0;
        if (behaviour?.failEvents.has(event)) code = 1;
        else if (event === 'status') code = behaviour?.promoted ? 90 : behaviour?.running === false ? 92 : 91;
        else if (behaviour && event === 'start') behaviour.running = true;
        else if (behaviour && event === 'promote') {
          behaviour.promoted = true;
          behaviour.running = true;
        } else if (behaviour && (event === 'demote' || event === 'stop')) {
          behaviour.promoted = false;
          if (event === 'stop') behaviour.running = false;
          this.close(name, behaviour);
        }
        if (code === 1) killed();
        record(code);
        const deliver = (): void => {
          clock.clear(timeout);
          request.signal.removeEventListener('abort', onAbort);
          resolve(result(code));
        };
        if (clock.setScriptTimeout) clock.setTimeout(deliver, 0);
        else deliver();
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
