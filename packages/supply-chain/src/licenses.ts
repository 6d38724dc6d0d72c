// SC10: the licences of the runtime closure of publishable packages, against an allowlist (SPDX expressions).
import { entryName, type LockEntry, type Project } from './lockfile.js';
import type { Finding } from './types.js';

/** The licences allowed by default. */
export const DEFAULT_LICENSES: readonly string[] = Object.freeze([
  'MIT',
  'ISC',
  'BSD-2-Clause',
  'BSD-3-Clause',
  'Apache-2.0',
  '0BSD',
  'BlueOak-1.0.0',
]);

type Token = '(' | ')' | 'AND' | 'OR' | 'WITH' | { id: string };

function tokenize(expression: string): Token[] | undefined {
  const out: Token[] = [];
  for (const raw of expression.replace(/[()]/g, ' $& ').split(/\s+/)) {
    if (raw === '') continue;
    const upper = raw.toUpperCase();
    if (raw === '(' || raw === ')') out.push(raw);
    else if (upper === 'AND' || upper === 'OR' || upper === 'WITH') out.push(upper);
    else if (/^[A-Za-z0-9.+-]+$/.test(raw)) out.push({ id: raw });
    else return undefined;
  }
  return out;
}

/**
 * True when an SPDX licence expression is satisfiable with the allowed licences: `A OR B` needs
 * one, `A AND B` needs both, `A WITH exception` needs A. Malformed expressions are not allowed.
 */
export function licenseAllowed(expression: string, allowed: ReadonlySet<string>): boolean {
  const tokens = tokenize(expression);
  if (tokens === undefined || tokens.length === 0) return false;
  let i = 0;
  const primary = (): boolean | undefined => {
    const t = tokens[i++];
    if (t === '(') {
      const value = or();
      if (tokens[i++] !== ')') return undefined;
      return value;
    }
    if (typeof t !== 'object') return undefined;
    const ok = allowed.has(t.id) || allowed.has(t.id.replace(/\+$/, ''));
    if (tokens[i] === 'WITH') {
      i += 1;
      if (typeof tokens[i++] !== 'object') return undefined;
    }
    return ok;
  };
  const and = (): boolean | undefined => {
    let value = primary();
    while (tokens[i] === 'AND') {
      i += 1;
      const right = primary();
      value = value === undefined || right === undefined ? undefined : value && right;
    }
    return value;
  };
  const or = (): boolean | undefined => {
    let value = and();
    while (tokens[i] === 'OR') {
      i += 1;
      const right = and();
      value = value === undefined || right === undefined ? undefined : value || right;
    }
    return value;
  };
  const result = or();
  return result === true && i === tokens.length;
}

function licenseOf(entry: LockEntry): string | undefined {
  if (typeof entry.license === 'string') return entry.license;
  return undefined;
}

/** Resolves `name` as Node would from the lockfile key `from`: nearest node_modules up the tree. */
function resolveKey(packages: Readonly<Record<string, LockEntry>>, from: string, name: string): string | undefined {
  let base = from;
  for (;;) {
    const candidate = base === '' ? `node_modules/${name}` : `${base}/node_modules/${name}`;
    if (packages[candidate] !== undefined) return candidate;
    if (base === '') return undefined;
    const at = base.lastIndexOf('/node_modules/');
    base = at === -1 ? '' : base.slice(0, at);
  }
}

/** Lockfile keys of everything the given workspaces need at run time (dependencies, optional dependencies, required peers). */
export function runtimeClosure(project: Project, roots: readonly string[]): Set<string> {
  const packages = project.lock?.packages ?? {};
  const seen = new Set<string>();
  const queue = [...roots];
  while (queue.length > 0) {
    const key = queue.pop();
    if (key === undefined || seen.has(key)) continue;
    seen.add(key);
    const entry = packages[key];
    if (entry === undefined) continue;
    if (entry.link === true && typeof entry.resolved === 'string') {
      queue.push(entry.resolved);
      continue;
    }
    // Optional peers (vite's lightningcss, say) are only there when the consumer installs them.
    const peers = Object.keys(entry.peerDependencies ?? {}).filter(
      (n) => entry.peerDependenciesMeta?.[n]?.optional !== true,
    );
    const deps = [...peers, ...Object.keys({ ...entry.optionalDependencies, ...entry.dependencies })];
    for (const name of deps) {
      const found = resolveKey(packages, key, name);
      if (found !== undefined) queue.push(found);
    }
  }
  return seen;
}

/** SC10: every registry package in the runtime closure of the publishable workspaces has an allowed licence. */
export function checkLicenses(project: Project, allowedList: readonly string[]): Finding[] {
  const allowed = new Set(allowedList);
  const roots = [...project.workspaces].filter(([, m]) => m.private !== true).map(([k]) => k);
  if (project.manifest.private !== true) roots.push('');
  const findings: Finding[] = [];
  for (const key of [...runtimeClosure(project, roots)].sort()) {
    if (!key.includes('node_modules/')) continue;
    const entry = project.lock?.packages[key];
    if (entry === undefined || entry.link === true) continue;
    const license = licenseOf(entry);
    const name = entryName(key, entry);
    if (license === undefined) {
      findings.push({
        rule: 'SC10',
        severity: 'error',
        file: 'package-lock.json',
        where: key,
        package: name,
        version: entry.version,
        message: `${name}@${entry.version ?? '?'} declares no licence: nobody may use it until its terms are known`,
      });
    } else if (!licenseAllowed(license, allowed)) {
      findings.push({
        rule: 'SC10',
        severity: 'error',
        file: 'package-lock.json',
        where: key,
        package: name,
        version: entry.version,
        message: `${name}@${entry.version ?? '?'} is licensed ${license.slice(0, 80)}, not in the allowlist (${allowedList.join(', ')})`,
      });
    }
  }
  return findings;
}
