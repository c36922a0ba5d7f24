/**
 * Issue 15's idle-CPU targets, % of one core per node, for the two profiles it names: the one place the
 * benches (run, curve, floor, heartbeat) read them from.
 */
export const IDLE_CPU_TARGETS = {
  default: { target: 0.5, stretch: 0.25 },
  fast: { target: 2 },
} as const;

/** A CPU budget in % of a core as µs of CPU per second. */
export function budgetUsPerS(pct: number): number {
  return pct * 1e4;
}
