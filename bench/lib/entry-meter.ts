/**
 * Preloaded into koinode processes by `npm run bench:entry` (node --require): CPU time spent in koi's entry
 * points and in the pieces under them, by process.cpuUsage() around each call (≈ 1 µs a call). Counters are
 * cumulative (calls, µs); they are written as JSON to $KOI_ENTRY_METER_DIR/<pid>.json every second, and the
 * bench diffs two readings. Nested calls count in their own row and in every row above them.
 */
import { writeFileSync } from 'node:fs';
import Module from 'node:module';
import { join } from 'node:path';

export interface EntryCounter {
  calls: number;
  cpuUs: number;
}

/** One reading: the process's total CPU and each wrapped function's, cumulative since start. */
export interface MeterReading {
  pid: number;
  totalCpuUs: number;
  entries: Record<string, EntryCounter>;
}

/** What is wrapped: exported class → methods of its prototype. */
const TARGETS: Record<string, { label: string; methods: string[] }> = {
  KoiNode: { label: 'node', methods: ['receive', 'clusterTick', 'broadcast', 'sendTo'] },
  Membership: { label: 'membership', methods: ['handleHeartbeat', 'tick'] },
  Elector: { label: 'elector', methods: ['tick', 'renewMaster', 'handleHealth'] },
  Runner: { label: 'runner', methods: ['tick', 'handleState'] },
};

const counters: Record<string, EntryCounter> = {};

function wrap(owner: Record<string, unknown>, method: string, label: string): void {
  const original = owner[method];
  if (typeof original !== 'function') return;
  const counter = (counters[label] ??= { calls: 0, cpuUs: 0 });
  owner[method] = function metered(this: unknown, ...args: unknown[]): unknown {
    const start = process.cpuUsage();
    try {
      return (original as (...a: unknown[]) => unknown).apply(this, args);
    } finally {
      const used = process.cpuUsage(start);
      counter.calls++;
      counter.cpuUs += used.user + used.system;
    }
  };
}

const wrapped = new WeakSet<object>();

function instrument(exports: Record<string, unknown>): void {
  for (const [name, target] of Object.entries(TARGETS)) {
    const cls = exports[name] as { prototype?: Record<string, unknown> } | undefined;
    const proto = cls?.prototype;
    if (!proto || wrapped.has(proto)) continue;
    wrapped.add(proto);
    for (const m of target.methods) wrap(proto, m, `${target.label}.${m}`);
  }
  // The codec is made by a factory: wrap what it returns, and the cipher it is given.
  const factory = exports.createWireCodec as ((o: { cipher: Record<string, unknown> }) => Record<string, unknown>) | undefined;
  if (factory && !wrapped.has(factory)) {
    const metered = (options: { cipher: Record<string, unknown> }) => {
      if (!wrapped.has(options.cipher)) {
        wrapped.add(options.cipher);
        wrap(options.cipher, 'seal', 'cipher.seal');
        wrap(options.cipher, 'open', 'cipher.open');
      }
      const codec = factory(options);
      wrap(codec, 'encode', 'codec.encode');
      wrap(codec, 'decode', 'codec.decode');
      return codec;
    };
    wrapped.add(metered);
    exports.createWireCodec = metered;
  }
}

const dir = process.env.KOI_ENTRY_METER_DIR;
if (dir) {
  const moduleApi = Module as unknown as { _load: (request: string, parent: unknown, isMain: boolean) => unknown };
  const load = moduleApi._load;
  moduleApi._load = function loadAndInstrument(request: string, parent: unknown, isMain: boolean): unknown {
    const exports = load.call(this, request, parent, isMain);
    if (exports && typeof exports === 'object') instrument(exports as Record<string, unknown>);
    return exports;
  };
  const file = join(dir, `${process.pid}.json`);
  setInterval(() => {
    const total = process.cpuUsage();
    const reading: MeterReading = { pid: process.pid, totalCpuUs: total.user + total.system, entries: counters };
    writeFileSync(file, JSON.stringify(reading));
  }, 1000).unref();
}

/** Per entry point between two readings of one process: calls a second, µs a call, % of a core. */
export function entryRows(before: MeterReading, after: MeterReading, seconds: number): Array<{ entry: string; perSecond: number; usPerCall: number; percent: number }> {
  return Object.entries(after.entries)
    .map(([entry, b]) => {
      const a = before.entries[entry] ?? { calls: 0, cpuUs: 0 };
      const calls = b.calls - a.calls;
      const cpuUs = b.cpuUs - a.cpuUs;
      return { entry, perSecond: calls / seconds, usPerCall: calls > 0 ? cpuUs / calls : 0, percent: cpuUs / 1e4 / seconds };
    })
    .filter((r) => r.perSecond > 0)
    .sort((x, y) => y.percent - x.percent);
}
