/** Command-line options of the small benches (`--flag value`); curve.ts has a parser of its own for its many. */

/** The value after `flag`, or `fallback` when the flag is absent. */
export function optionArg(args: readonly string[], flag: string, fallback: string): string {
  const i = args.indexOf(flag);
  return i < 0 ? fallback : (args[i + 1] ?? '');
}

/** A positive number after `flag` (or `fallback`); anything else is an error naming the bench, the flag and the value. */
export function positiveArg(bench: string, args: readonly string[], flag: string, fallback: number, unit = ''): number {
  const text = optionArg(args, flag, String(fallback));
  const v = Number(text);
  if (!Number.isFinite(v) || v <= 0) throw new Error(`${bench}: ${flag} needs a positive number${unit ? ` of ${unit}` : ''}, got '${text}'`);
  return v;
}
