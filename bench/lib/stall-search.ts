/**
 * The longest stall a cluster survives, by experiment: stall durations
 * double from `startMs` until one fails (or `maxMs` passed), then the gap
 * between the largest pass and the smallest failure is bisected
 * (geometrically) until their ratio is at most 1 + `precision`. A duration
 * passes only when `repeats` trials in a row at it pass. The trial itself
 * (stall something for `ms`, then judge what users saw) is the caller's.
 */
export interface TrialOutcome {
  ok: boolean;
  /** The stall as it really happened (SIGSTOP → SIGCONT), ms. */
  actualMs: number;
  /** What happened, for the log and the report ("no change", "n2 promoted", ...). */
  what: string;
}

export interface StallTrial extends TrialOutcome {
  ms: number;
}

export interface StallSearchOptions {
  startMs: number;
  maxMs: number;
  /** Stop bisecting once smallest failure / largest pass ≤ 1 + precision. */
  precision: number;
  repeats: number;
  /** Below this, a failing start is not halved further. */
  minMs?: number;
}

export interface StallSearchResult {
  /** The largest stall that passed every time; null when even the shortest tried failed. */
  largestPassMs: number | null;
  /** The smallest stall that failed; null when none failed up to maxMs (the tolerance is at least largestPassMs). */
  smallestFailMs: number | null;
  trials: StallTrial[];
}

export async function searchStallTolerance(
  trial: (ms: number) => Promise<TrialOutcome>,
  options: StallSearchOptions,
): Promise<StallSearchResult> {
  if (!(options.startMs > 0) || !(options.maxMs >= options.startMs)) throw new Error(`stall search: need 0 < startMs ≤ maxMs, got ${options.startMs} and ${options.maxMs}`);
  if (!(options.precision > 0)) throw new Error(`stall search: precision must be > 0, got ${options.precision}`);
  const trials: StallTrial[] = [];
  const passes = async (ms: number): Promise<boolean> => {
    for (let i = 0; i < Math.max(1, options.repeats); i++) {
      const outcome = await trial(ms);
      trials.push({ ms, ...outcome });
      if (!outcome.ok) return false;
    }
    return true;
  };
  let pass: number | null = null;
  let fail: number | null = null;
  // Up by doubling from the start.
  for (let ms = options.startMs; ms <= options.maxMs; ms *= 2) {
    if (await passes(ms)) {
      pass = ms;
    } else {
      fail = ms;
      break;
    }
  }
  // The start itself failed: down by halving.
  const minMs = options.minMs ?? 5;
  if (pass === null && fail !== null) {
    for (let ms = Math.floor(fail / 2); ms >= minMs; ms = Math.floor(ms / 2)) {
      if (await passes(ms)) {
        pass = ms;
        break;
      }
      fail = ms;
    }
  }
  if (pass === null || fail === null) return { largestPassMs: pass, smallestFailMs: fail, trials };
  while (fail / pass > 1 + options.precision) {
    const mid = Math.round(Math.sqrt(pass * fail));
    if (mid <= pass || mid >= fail) break;
    if (await passes(mid)) pass = mid;
    else fail = mid;
  }
  return { largestPassMs: pass, smallestFailMs: fail, trials };
}

/** "≥ 6400 ms", "120 ms (fails at 140 ms)", "< 5 ms". */
export function describeTolerance(r: Pick<StallSearchResult, 'largestPassMs' | 'smallestFailMs'>): string {
  if (r.largestPassMs === null) return `< ${r.smallestFailMs} ms`;
  if (r.smallestFailMs === null) return `≥ ${r.largestPassMs} ms`;
  return `${r.largestPassMs} ms (fails at ${r.smallestFailMs} ms)`;
}
