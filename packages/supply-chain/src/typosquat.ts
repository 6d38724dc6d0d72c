// SC15: a direct dependency whose name is one or two edits away from a popular package it is not.
import type { Project } from './lockfile.js';
import { KNOWN_PACKAGES, POPULAR_PACKAGES } from './popular.js';
import type { Finding } from './types.js';

/** Damerau (optimal string alignment) distance, stopping early past `max`. */
export function editDistance(a: string, b: string, max: number): number {
  if (Math.abs(a.length - b.length) > max) return max + 1;
  const prev2: number[] = [];
  let prev: number[] = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    const row: number[] = [i];
    let best = i;
    for (let j = 1; j <= b.length; j++) {
      const cost = a[i - 1] === b[j - 1] ? 0 : 1;
      let d = Math.min((prev[j] ?? 0) + 1, (row[j - 1] ?? 0) + 1, (prev[j - 1] ?? 0) + cost);
      if (i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1]) d = Math.min(d, (prev2[j - 2] ?? 0) + 1);
      row.push(d);
      best = Math.min(best, d);
    }
    if (best > max) return max + 1;
    prev2.splice(0, prev2.length, ...prev);
    prev = row;
  }
  return prev[b.length] ?? max + 1;
}

/** How many edits a name of this length may be from a popular one before it is suspicious (short names collide by chance). */
function budget(name: string): number {
  const base = name.replace(/^@[^/]+\//, '');
  if (base.length < 4) return 0;
  return base.length < 7 ? 1 : 2;
}

/** The popular package a name imitates, or undefined. */
export function imitates(name: string, popular: readonly string[] = POPULAR_PACKAGES): string | undefined {
  const known = popular === POPULAR_PACKAGES ? KNOWN_SET : new Set(popular);
  if (known.has(name)) return undefined;
  const max = budget(name);
  if (max === 0) return undefined;
  const flat = name.replace(/[-_.]/g, '');
  for (const candidate of popular) {
    if (candidate.replace(/[-_.]/g, '') === flat) return candidate; // "lodash_" vs "lodash", "cross-env" vs "crossenv"
    if (editDistance(name, candidate, max) <= max) return candidate;
  }
  return undefined;
}

// Established names (the popular ones and the next tier) are never typosquats themselves.
const KNOWN_SET = new Set([...POPULAR_PACKAGES, ...KNOWN_PACKAGES]);

/** SC15 over the direct dependencies of the root and every workspace (internal workspace names excepted). */
export function checkTyposquats(project: Project, popular: readonly string[] = POPULAR_PACKAGES): Finding[] {
  const internal = new Set([...project.workspaces.values()].map((m) => m.name));
  const findings: Finding[] = [];
  const seen = new Set<string>();
  const manifests = [
    ['package.json', project.manifest] as const,
    ...[...project.workspaces].map(([k, m]) => [`${k}/package.json`, m] as const),
  ];
  for (const [file, manifest] of manifests) {
    for (const field of ['dependencies', 'devDependencies', 'optionalDependencies'] as const) {
      for (const [name, spec] of Object.entries(manifest[field] ?? {})) {
        // An alias ("express4": "npm:express@4") installs the package it names, which is checked instead.
        const real = spec.startsWith('npm:') ? spec.slice(4).replace(/@[^@]*$/, '') : name;
        if (internal.has(real) || seen.has(real)) continue;
        seen.add(real);
        const target = imitates(real, popular);
        if (target !== undefined) {
          findings.push({
            rule: 'SC15',
            severity: 'warning',
            file,
            where: `${field}.${name}`,
            package: real,
            message: `"${real}" is one or two edits from the much more downloaded "${target}": check it is the package you meant (typosquat)`,
          });
        }
      }
    }
  }
  return findings;
}
