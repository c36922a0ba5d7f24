/**
 * `--flag value` argument parsing shared by the long-run scripts (fuzz, fuzz:live).
 * Each flag is declared with its kind; a bad or unknown flag is an Error naming
 * the script, the flag and the value, with the usage.
 */

/** `count`: an integer ≥ 1. `seed`: an integer ≥ 0, taken as uint32. A string array: one of those values. */
export type FlagKind = 'count' | 'seed' | readonly string[];

export type FlagValues<S extends Record<string, FlagKind>> = {
  [K in keyof S]?: S[K] extends readonly (infer V)[] ? V : number;
};

function usage(spec: Record<string, FlagKind>): string {
  const shape = (kind: FlagKind): string => (typeof kind === 'string' ? (kind === 'count' ? 'N' : 'S') : kind.join('|'));
  return Object.entries(spec).map(([flag, kind]) => `${flag} ${shape(kind)}`).join(', ');
}

/** Parse `argv` (flags and their values, in any order) against `spec`; flags not given are absent. */
export function parseFlags<S extends Record<string, FlagKind>>(script: string, argv: readonly string[], spec: S): FlagValues<S> {
  const out: Record<string, number | string> = {};
  for (let i = 0; i < argv.length; i += 2) {
    const flag = argv[i]!;
    const raw = argv[i + 1];
    const kind = Object.prototype.hasOwnProperty.call(spec, flag) ? spec[flag] : undefined;
    if (kind === undefined) throw new Error(`${script}: unknown argument '${flag}' (use ${usage(spec)})`);
    if (typeof kind !== 'string') {
      if (raw === undefined || !kind.includes(raw)) throw new Error(`${script}: ${flag} needs one of ${kind.join('|')}, got '${raw ?? ''}'`);
      out[flag] = raw;
      continue;
    }
    const value = Number(raw);
    const min = kind === 'count' ? 1 : 0;
    if (raw === undefined || raw.trim() === '' || !Number.isInteger(value) || value < min) {
      throw new Error(`${script}: ${flag} needs ${kind === 'count' ? 'a positive' : 'a non-negative'} integer, got '${raw ?? ''}'`);
    }
    out[flag] = kind === 'seed' ? value >>> 0 : value;
  }
  return out as FlagValues<S>;
}

/** xorshift32: a reproducible stream of uint32 from a seed (0 is taken as 1). */
export function xorshift32(seed: number): () => number {
  let s = seed || 1;
  return () => {
    s ^= s << 13; s >>>= 0;
    s ^= s >>> 17;
    s ^= s << 5; s >>>= 0;
    return s;
  };
}

/** `n` bytes from a uint32 stream such as xorshift32's. */
export function bytesFrom(next: () => number, n: number): Uint8Array {
  const b = new Uint8Array(n);
  for (let i = 0; i < n; i++) b[i] = next() & 0xff;
  return b;
}
