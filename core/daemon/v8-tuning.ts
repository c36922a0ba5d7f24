/**
 * V8's optimizing compiler (TurboFan) for the daemon process: off while the node is mostly idle, on when
 * its configuration makes it busy.
 *
 * An idle koinode handles a few dozen small datagrams a second through code that never gets hot, yet
 * TurboFan still compiles what crosses its budget — the start-up code above all — and keeps the result
 * resident. Measured on 3 idle nodes at the defaults (≈ 80 datagrams sent and received a second each):
 * 54–55 MB per node without it against 59–60 MB with it, at the same idle CPU. The more datagrams, the
 * more the optimized hot path is worth: ≈ 160 a second (3 nodes at a 25 ms interval) cost the same either
 * way, 5 nodes at the defaults (≈ 160) ≈ 9 % more CPU without it, the fast profile (≈ 400) ≈ 55 % more
 * (docs/performance.md "RSS"). So koinode starts with the compiler off (apply-v8-tuning.ts: before any
 * module is compiled, or most of the saving is lost) and turns it on once a configuration gives more than
 * JIT_ABOVE_DATAGRAMS_PER_S; KOINODE_JIT=1 or 0 decides instead. The baseline compiler (Sparkplug) is
 * always on. The switch is one way: once on, the compiler stays on until koinode restarts (turning it off
 * would not free what it compiled, and flipping V8's flags back and forth is not what they are made for).
 * `--no-maglev` too: Node 20 has Maglev off anyway, newer Node versions turn it on by default and it would
 * take TurboFan's place (the figures above are Node 20's).
 */
import { setFlagsFromString } from 'node:v8';
import type { KoiConfig, Logger } from '../../plugin-api';
import { countConfiguredPeers } from '../elector/peers';

/** Environment variable: "1" keeps V8's optimizing compiler on, "0" keeps it off, whatever the configuration. */
export const JIT_ENV = 'KOINODE_JIT';

/** Above this many datagrams a second (sent + received, by configuration) the optimizing compiler is on. */
export const JIT_ABOVE_DATAGRAMS_PER_S = 120;

/** Peers assumed when `cluster.transport` does not list the nodes (multicast only): the smallest quorum cluster. */
const ASSUMED_PEERS = 2;

type SetFlag = (flag: string) => void;

/** KOINODE_JIT=1: the compiler on from the start, whatever the configuration. */
const jitForced = (env: NodeJS.ProcessEnv): boolean => env[JIT_ENV] === '1';

/** The flags that turn the optimizing compilers off at start, and the one that turns TurboFan back on. */
export const COMPILER_OFF_FLAGS = ['--no-turbofan', '--no-maglev'] as const;
export const COMPILER_ON_FLAG = '--turbofan';

/** At process start, before anything else is loaded: the compilers off unless KOINODE_JIT=1. */
export function tuneV8AtStart(env: NodeJS.ProcessEnv = process.env, set: SetFlag = setFlagsFromString): boolean {
  const jit = jitForced(env);
  if (!jit) for (const flag of COMPILER_OFF_FLAGS) set(flag);
  return jit;
}

/**
 * Heartbeats sent to and received from every peer: what a node handles a second when idle. Peers are the
 * destinations of `cluster.transport` other than this node (countConfiguredPeers: a peer listed with two
 * addresses on different hosts counts twice — it is sent to twice, too).
 */
export function configuredDatagramRate(config: KoiConfig): number {
  const nodes = countConfiguredPeers(config.cluster.transport);
  const peers = nodes === null ? ASSUMED_PEERS : Math.max(0, nodes - 1);
  return (2 * peers * 1000) / config.time.cluster_update_interval;
}

/** Whether the optimizing compiler should run for `config`, and why (for the log). */
export function compilerChoice(config: KoiConfig, env: NodeJS.ProcessEnv = process.env): { jit: boolean; why: string } {
  if (jitForced(env)) return { jit: true, why: `${JIT_ENV}=1` };
  if (env[JIT_ENV] === '0') return { jit: false, why: `${JIT_ENV}=0` };
  const rate = Math.round(configuredDatagramRate(config));
  return rate > JIT_ABOVE_DATAGRAMS_PER_S
    ? { jit: true, why: `≈ ${rate} datagrams a second by configuration, above ${JIT_ABOVE_DATAGRAMS_PER_S}` }
    : { jit: false, why: `≈ ${rate} datagrams a second by configuration, at most ${JIT_ABOVE_DATAGRAMS_PER_S}` };
}

/**
 * Follows the configuration (start, reload, restart): turns the compiler on, and logs it, the first time a
 * configuration asks for it. The process starts in the state tuneV8AtStart left.
 */
export class CompilerTuning {
  private jit: boolean;
  private warned = false;

  constructor(private readonly env: NodeJS.ProcessEnv = process.env, private readonly set: SetFlag = setFlagsFromString) {
    this.jit = jitForced(env);
  }

  apply(config: KoiConfig, log: Logger | null): boolean {
    const value = this.env[JIT_ENV];
    if (value !== undefined && value !== '' && value !== '0' && value !== '1' && !this.warned) {
      this.warned = true;
      log?.warn(`${JIT_ENV}=${value} ignored: 1 keeps V8's optimizing compiler on, 0 keeps it off; anything else leaves the choice to the configuration`);
    }
    const choice = compilerChoice(config, this.env);
    if (choice.jit && !this.jit) {
      this.set(COMPILER_ON_FLAG);
      this.jit = true;
      log?.info({ jit: true }, `V8 optimizing compiler on: ${choice.why} (docs/performance.md "RSS")`);
    }
    return this.jit;
  }
}
