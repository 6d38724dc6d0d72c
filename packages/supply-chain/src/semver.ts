// Just enough SemVer 2.0 for advisories: parse, compare, and OSV "SEMVER" range events.

export interface SemVer {
  readonly major: number;
  readonly minor: number;
  readonly patch: number;
  readonly pre: readonly (string | number)[];
}

// eslint-disable-next-line security/detect-unsafe-regex -- anchored, no nested quantifiers; input is a lockfile version
const PATTERN = /^v?(\d+)\.(\d+)\.(\d+)(?:-([0-9A-Za-z.-]+))?(?:\+[0-9A-Za-z.-]+)?$/;

/** Parses `1.2.3`, `1.2.3-rc.1+build`; undefined for anything else. */
export function parseSemver(text: string): SemVer | undefined {
  const m = PATTERN.exec(text.trim());
  if (m === null) return undefined;
  const pre = m[4] === undefined ? [] : m[4].split('.').map((p) => (/^\d+$/.test(p) ? Number(p) : p));
  return { major: Number(m[1]), minor: Number(m[2]), patch: Number(m[3]), pre };
}

/** Negative, zero or positive as `a` is below, equal to or above `b` (SemVer §11 precedence). */
export function compareSemver(a: SemVer, b: SemVer): number {
  for (const k of ['major', 'minor', 'patch'] as const) if (a[k] !== b[k]) return a[k] - b[k];
  if (a.pre.length === 0 || b.pre.length === 0) return b.pre.length - a.pre.length;
  for (let i = 0; i < Math.max(a.pre.length, b.pre.length); i++) {
    const x = a.pre[i];
    const y = b.pre[i];
    if (x === undefined) return -1;
    if (y === undefined) return 1;
    if (x === y) continue;
    if (typeof x === 'number' && typeof y === 'number') return x - y;
    if (typeof x === 'number') return -1;
    if (typeof y === 'number') return 1;
    return x < y ? -1 : 1;
  }
  return 0;
}

/** One OSV range event. */
export interface OsvEvent {
  readonly introduced?: string;
  readonly fixed?: string;
  readonly last_affected?: string;
}

/** True when `version` falls in the affected intervals an OSV SEMVER event list describes. */
export function inOsvRange(version: SemVer, events: readonly OsvEvent[]): boolean {
  let affected = false;
  const ordered = [...events].sort((a, b) => {
    const va = parseSemver(a.introduced === '0' ? '0.0.0' : (a.introduced ?? a.fixed ?? a.last_affected ?? '0.0.0'));
    const vb = parseSemver(b.introduced === '0' ? '0.0.0' : (b.introduced ?? b.fixed ?? b.last_affected ?? '0.0.0'));
    return va !== undefined && vb !== undefined ? compareSemver(va, vb) : 0;
  });
  for (const event of ordered) {
    if (event.introduced !== undefined) {
      const at = parseSemver(event.introduced === '0' ? '0.0.0' : event.introduced);
      if (at !== undefined && compareSemver(version, at) >= 0) affected = true;
    } else if (event.fixed !== undefined) {
      const at = parseSemver(event.fixed);
      if (at !== undefined && compareSemver(version, at) >= 0) affected = false;
    } else if (event.last_affected !== undefined) {
      const at = parseSemver(event.last_affected);
      if (at !== undefined && compareSemver(version, at) > 0) affected = false;
    }
  }
  return affected;
}
