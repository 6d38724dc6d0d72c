// SC11 (advisories: npm audit or an offline OSV file), SC12 (registry signatures), SC13 (known-dangerous versions).
/* eslint-disable security/detect-non-literal-fs-filename -- a dev tool reading and writing the operator's own project files, at paths the operator names */
import { readFileSync } from 'node:fs';
import { entryName, isRegistryEntry, type Project } from './lockfile.js';
import { runNpm } from './npm.js';
import { compareSemver, inOsvRange, parseSemver, type OsvEvent } from './semver.js';
import type { Finding, RuleStatus } from './types.js';

/** A rule's outcome when it may be unable to look. */
export interface Outcome {
  readonly status: RuleStatus;
  readonly note?: string | undefined;
  readonly findings: readonly Finding[];
}

interface Installed {
  readonly key: string;
  readonly name: string;
  readonly version: string;
}

function installed(project: Project): Installed[] {
  const out: Installed[] = [];
  for (const [key, entry] of Object.entries(project.lock?.packages ?? {})) {
    if (isRegistryEntry(key, entry) && typeof entry.version === 'string')
      out.push({ key, name: entryName(key, entry), version: entry.version });
  }
  return out;
}

interface OsvRecord {
  readonly id?: unknown;
  readonly summary?: unknown;
  readonly affected?: readonly {
    readonly package?: { readonly ecosystem?: unknown; readonly name?: unknown };
    readonly ranges?: readonly { readonly type?: unknown; readonly events?: readonly OsvEvent[] }[];
    readonly versions?: readonly unknown[];
  }[];
}

/** Matches OSV records (npm ecosystem; SEMVER ranges or explicit versions) against the locked versions. */
export function matchOsv(project: Project, records: readonly OsvRecord[]): Finding[] {
  const findings: Finding[] = [];
  const byName = new Map<string, Installed[]>();
  for (const item of installed(project)) byName.set(item.name, [...(byName.get(item.name) ?? []), item]);
  for (const record of records) {
    const id = typeof record.id === 'string' ? record.id : 'unknown advisory';
    for (const affected of record.affected ?? []) {
      if (affected.package?.ecosystem !== 'npm' || typeof affected.package.name !== 'string') continue;
      for (const item of byName.get(affected.package.name) ?? []) {
        const version = parseSemver(item.version);
        if (version === undefined) continue;
        const listed = (affected.versions ?? []).includes(item.version);
        const ranged = (affected.ranges ?? []).some((r) => r.type === 'SEMVER' && inOsvRange(version, r.events ?? []));
        if (listed || ranged) {
          const summary = typeof record.summary === 'string' ? `: ${record.summary.slice(0, 120)}` : '';
          findings.push({
            rule: 'SC11',
            severity: 'error',
            file: 'package-lock.json',
            where: item.key,
            package: item.name,
            version: item.version,
            message: `${item.name}@${item.version} is affected by ${id}${summary}`,
          });
        }
      }
    }
  }
  return findings;
}

/** Reads an OSV file: one record, an array of records, or `{ vulns: [...] }` (OSV query batch shape). */
export function readOsvFile(path: string): OsvRecord[] {
  const data = JSON.parse(readFileSync(path, 'utf8')) as unknown;
  if (Array.isArray(data)) return data as OsvRecord[];
  if (typeof data === 'object' && data !== null && Array.isArray((data as { vulns?: unknown }).vulns))
    return (data as { vulns: OsvRecord[] }).vulns;
  return [data as OsvRecord];
}

interface AuditJson {
  readonly error?: { readonly code?: unknown; readonly summary?: unknown };
  readonly vulnerabilities?: Readonly<
    Record<string, { readonly severity?: unknown; readonly range?: unknown; readonly via?: readonly unknown[] }>
  >;
}

/**
 * SC11. Offline (the default) npm audit is not run; with `online` it is, and an endpoint that cannot
 * be reached or answers an error makes the status `unavailable`, never `pass`. An OSV file is matched
 * offline. `requireAdvisories` makes `unavailable` an error.
 */
export async function checkAdvisories(
  project: Project,
  options: { online: boolean; osvFile?: string | undefined; requireAdvisories: boolean; timeoutMs: number },
): Promise<Outcome> {
  const findings: Finding[] = [];
  let looked = false;
  const notes: string[] = [];
  if (options.osvFile !== undefined) {
    findings.push(...matchOsv(project, readOsvFile(options.osvFile)));
    looked = true;
    notes.push(`matched offline against ${options.osvFile}`);
  }
  if (options.online) {
    const result = await runNpm(['audit', '--json', '--package-lock-only'], project.dir, options.timeoutMs);
    let parsed: AuditJson | undefined;
    try {
      parsed = JSON.parse(result.stdout) as AuditJson;
    } catch {
      parsed = undefined;
    }
    if (
      parsed === undefined ||
      parsed.error !== undefined ||
      (result.error !== undefined && parsed.vulnerabilities === undefined)
    ) {
      const summary = parsed?.error?.summary;
      const why = typeof summary === 'string' ? summary : (result.error ?? 'no JSON answer');
      notes.push(`npm audit could not reach the advisory endpoint (${why.split('\n')[0]?.slice(0, 120) ?? ''})`);
    } else {
      looked = true;
      notes.push('npm audit answered');
      for (const [name, vuln] of Object.entries(parsed.vulnerabilities ?? {})) {
        const severity = typeof vuln.severity === 'string' ? vuln.severity : 'unknown';
        findings.push({
          rule: 'SC11',
          severity: severity === 'low' || severity === 'info' ? 'warning' : 'error',
          file: 'package-lock.json',
          package: name,
          message: `npm audit: ${name} ${typeof vuln.range === 'string' ? vuln.range : ''} has a ${severity} advisory`,
        });
      }
    }
  } else if (options.osvFile === undefined) {
    notes.push('offline: npm audit not attempted (pass --online, or --advisories <osv.json>)');
  }
  if (!looked) {
    if (options.requireAdvisories) {
      findings.push({
        rule: 'SC11',
        severity: 'error',
        file: 'package-lock.json',
        message: `advisories unavailable and --require-advisories is set: ${notes.join('; ')}`,
      });
    }
    return { status: 'unavailable', note: notes.join('; '), findings };
  }
  return { status: findings.some((f) => f.severity === 'error') ? 'fail' : 'pass', note: notes.join('; '), findings };
}

/** SC12: `npm audit signatures` only with `online`; any failure is `unverifiable`, never faked. */
export async function checkSignatures(
  project: Project,
  options: { online: boolean; timeoutMs: number },
): Promise<Outcome> {
  if (!options.online)
    return { status: 'unverifiable', note: 'offline: npm audit signatures not attempted', findings: [] };
  const result = await runNpm(['audit', 'signatures'], project.dir, options.timeoutMs);
  if (result.error === undefined && /verified registry signature/i.test(result.stdout)) {
    return {
      status: 'pass',
      note: result.stdout
        .split('\n')
        .find((l) => /verified/i.test(l))
        ?.trim(),
      findings: [],
    };
  }
  if (/invalid|missing/i.test(result.stdout) && result.error !== undefined && /signature/i.test(result.stdout)) {
    return {
      status: 'fail',
      note: 'npm audit signatures reported invalid or missing signatures',
      findings: [
        {
          rule: 'SC12',
          severity: 'error',
          file: 'package-lock.json',
          message: `npm audit signatures: ${result.stdout.trim().split('\n').slice(0, 3).join(' ').slice(0, 300)}`,
        },
      ],
    };
  }
  return {
    status: 'unverifiable',
    note: `npm audit signatures did not answer (${(result.error ?? 'no verification line').slice(0, 120)})`,
    findings: [],
  };
}

/** One entry of the known-dangerous table. */
export interface DangerousVersion {
  readonly name: string;
  /** Versions below this one are dangerous; undefined = every version. */
  readonly below?: string | undefined;
  readonly why: string;
  /** When the entry was added (the table is a dated snapshot, not an advisory feed). */
  readonly since: string;
}

/** SC13's table, as of its dates. Extend it with `--dangerous <file.json>`. */
export const DANGEROUS_VERSIONS: readonly DangerousVersion[] = Object.freeze([
  {
    name: 'node-serialize',
    why: 'unserialize() evaluates functions in the input (remote code execution), unmaintained',
    since: '2026-11-01',
  },
  { name: 'serialize-to-js', below: '3.0.1', why: 'deserialize() evaluates its input', since: '2026-11-01' },
  {
    name: 'ip',
    why: 'isPublic()/isPrivate() misclassify addresses (SSRF checks pass for internal hosts); unmaintained',
    since: '2026-11-01',
  },
  {
    name: 'multer',
    below: '2.1.1',
    why: 'crafted multipart requests crash the process or leak descriptors',
    since: '2026-11-01',
  },
  {
    name: 'tar',
    below: '7.5.11',
    why: 'path traversal and symlink writes outside the extraction folder',
    since: '2026-11-01',
  },
  {
    name: 'js-yaml',
    below: '4.1.1',
    why: 'load() before v4 runs unsafe schemas; prototype pollution in merge keys before 4.1.1',
    since: '2026-11-01',
  },
  {
    name: 'event-stream',
    below: '4.0.0',
    why: 'release 3.3.6 carried the flatmap-stream backdoor',
    since: '2026-11-01',
  },
]);

/** SC13: locked versions listed in the known-dangerous table. */
export function checkDangerous(project: Project, table: readonly DangerousVersion[] = DANGEROUS_VERSIONS): Finding[] {
  const findings: Finding[] = [];
  for (const item of installed(project)) {
    for (const rule of table) {
      if (rule.name !== item.name) continue;
      const version = parseSemver(item.version);
      const limit = rule.below === undefined ? undefined : parseSemver(rule.below);
      const hit = limit === undefined || version === undefined || compareSemver(version, limit) < 0;
      if (hit) {
        findings.push({
          rule: 'SC13',
          severity: 'error',
          file: 'package-lock.json',
          where: item.key,
          package: item.name,
          version: item.version,
          message: `${item.name}@${item.version} is known-dangerous${rule.below === undefined ? '' : ` below ${rule.below}`}: ${rule.why} (table entry of ${rule.since})`,
        });
      }
    }
  }
  return findings;
}
