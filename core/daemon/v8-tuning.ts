/**
 * V8 settings for the daemon process. koinode is idle almost all the time: a few dozen small datagrams a
 * second through code that never gets hot. V8's optimizing compiler (TurboFan) still compiles the
 * handful of functions that cross its budget, and keeps the compiler's zones and the optimized code
 * resident: measured on 3 idle nodes, `--no-opt` gives 54–55 MB instead of 59–60 MB per node at the same
 * or lower idle CPU (docs/performance.md "RSS"). The baseline compiler (Sparkplug) stays on, so hot
 * paths pay ≈ 2.2× (`npm run bench:codec`: 59 against 27 µs to encode and seal a 3-node heartbeat with
 * crypto-node; forged datagrams are still rejected at ≈ 19 µs each, the cipher being native). A cluster
 * that is busy rather than idle — many nodes, the pure-JS crypto-forge cipher, a scraped http plugin —
 * can have the compiler back with KOINODE_JIT=1.
 *
 * Setting the flag at run time works (Node keeps V8's flags writable); it applies to every function
 * compiled afterwards — and compiling the start-up code already costs most of the saving, so koinode sets
 * it before it loads anything else (apply-v8-tuning.ts).
 */
import { setFlagsFromString } from 'node:v8';

/** Environment variable that keeps V8's optimizing compiler on ("1"). */
export const JIT_ENV = 'KOINODE_JIT';

/** The V8 flags koinode sets unless JIT_ENV is "1". */
export const DAEMON_V8_FLAGS = ['--no-opt'] as const;

/** Apply DAEMON_V8_FLAGS unless the environment asks for the optimizing compiler; returns what was set. */
export function tuneV8ForDaemon(env: NodeJS.ProcessEnv = process.env, set: (flag: string) => void = setFlagsFromString): string[] {
  if (env[JIT_ENV] === '1') return [];
  for (const flag of DAEMON_V8_FLAGS) set(flag);
  return [...DAEMON_V8_FLAGS];
}
