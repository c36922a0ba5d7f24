/**
 * Does a version satisfy an npm-style range? Enough of npm's grammar for a
 * plugin's `koi` field: `||` alternatives, space-separated comparators
 * (`>=0.1.0 <0.3`), `^` and `~`, x-ranges (`0.x`, `1.2.*`, `*`), hyphen
 * ranges (`1.0 - 2.0`) and exact versions. Pre-release tags compare below
 * their release, as in npm (without npm's opt-in rule for pre-releases).
 */

type Version = [number, number, number, string];
type Partial3 = [number | null, number | null, number | null, string];

const PARTIAL = /^v?(\d+|[xX*])(?:\.(\d+|[xX*]))?(?:\.(\d+|[xX*]))?(?:-([0-9A-Za-z.-]+))?(?:\+[0-9A-Za-z.-]+)?$/;

function parsePartial(text: string): Partial3 | null {
  const m = PARTIAL.exec(text.trim());
  if (!m) return null;
  const part = (s: string | undefined): number | null => (s === undefined || /^[xX*]$/.test(s) ? null : Number(s));
  const major = part(m[1]);
  const minor = major === null ? null : part(m[2]);
  const patch = minor === null ? null : part(m[3]);
  return [major, minor, patch, m[4] ?? ''];
}

export function parseVersion(text: string): Version | null {
  const p = parsePartial(text);
  if (!p || p[0] === null || p[1] === null || p[2] === null) return null;
  return [p[0], p[1], p[2], p[3]];
}

function compare(a: Version, b: Version): number {
  for (let i = 0; i < 3; i++) if (a[i] !== b[i]) return (a[i] as number) - (b[i] as number);
  if (a[3] === b[3]) return 0;
  if (a[3] === '') return 1;
  if (b[3] === '') return -1;
  return a[3] < b[3] ? -1 : 1;
}

type Test = (v: Version) => boolean;
const lowest = (p: Partial3): Version => [p[0] ?? 0, p[1] ?? 0, p[2] ?? 0, p[3]];

/** The first version above a partial one (`1.2` → `1.3.0`, `1` → `2.0.0`). */
function above(p: Partial3): Version {
  if (p[0] === null) return [Infinity, 0, 0, ''];
  if (p[1] === null) return [p[0] + 1, 0, 0, ''];
  if (p[2] === null) return [p[0], p[1] + 1, 0, ''];
  return [p[0], p[1], p[2] + 1, ''];
}

function comparator(token: string): Test | null {
  const m = /^(\^|~>?|>=|<=|>|<|=)?\s*(.+)$/.exec(token);
  if (!m) return null;
  const op = m[1] ?? '';
  const p = parsePartial(m[2]);
  if (!p) return null;
  const lo = lowest(p);
  const between = (from: Version, to: Version): Test => (v) => compare(v, from) >= 0 && compare(v, to) < 0;
  switch (op) {
    case '^': {
      const [major, minor, patch] = p;
      const to: Version = major !== 0 || major === null || minor === null ? above([major, null, null, ''])
        : minor !== 0 || patch === null ? above([0, minor, null, '']) : above([0, 0, patch, '']);
      return between(lo, to);
    }
    case '~':
    case '~>':
      return between(lo, above(p[1] === null ? [p[0], null, null, ''] : [p[0], p[1], null, '']));
    case '>=': return (v) => compare(v, lo) >= 0;
    case '>': return p[2] === null ? (v) => compare(v, above(p)) >= 0 : (v) => compare(v, lo) > 0;
    case '<': return (v) => compare(v, lo) < 0;
    case '<=': return p[2] === null ? (v) => compare(v, above(p)) < 0 : (v) => compare(v, lo) <= 0;
    default: return p[2] === null ? between(lo, above(p)) : (v) => compare(v, lo) === 0;
  }
}

/** Whether `version` satisfies `range`; throws on a range it cannot read. */
export function satisfies(version: string, range: string): boolean {
  const v = parseVersion(version);
  if (!v) throw new Error(`"${version}" is not a version`);
  return range.split('||').some((alternative) => {
    const text = alternative.trim();
    if (text === '' || text === '*') return true;
    const hyphen = /^(\S+)\s+-\s+(\S+)$/.exec(text);
    const tokens = hyphen ? [`>=${hyphen[1]}`, `<=${hyphen[2]}`] : text.replace(/(\^|~>?|>=|<=|>|<|=)\s+/g, '$1').split(/\s+/);
    return tokens.every((token) => {
      const test = comparator(token);
      if (!test) throw new Error(`"${range}" is not a version range (cannot read "${token}")`);
      return test(v);
    });
  });
}

/** Whether a range can be read at all (for a clear load error). */
export function validRange(range: string): boolean {
  try {
    satisfies('0.0.0', range);
    return true;
  } catch {
    return false;
  }
}
