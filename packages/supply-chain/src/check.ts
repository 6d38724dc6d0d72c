// checkSupplyChain(): runs every rule over a project directory and returns one report.
/* eslint-disable security/detect-non-literal-fs-filename -- a dev tool reading and writing the operator's own project files, at paths the operator names */
import { existsSync, readFileSync } from 'node:fs';
import { isAbsolute, join, resolve } from 'node:path';
import { applyBaseline, readBaseline } from './accept.js';
import {
  checkAdvisories,
  checkDangerous,
  checkSignatures,
  DANGEROUS_VERSIONS,
  type DangerousVersion,
} from './advisories.js';
import { checkLicenses, DEFAULT_LICENSES } from './licenses.js';
import {
  checkExactRuntime,
  checkIntegrity,
  checkInternalScope,
  checkLockPresent,
  checkResolved,
  readProject,
} from './lockfile.js';
import { writeSbom } from './sbom.js';
import { checkInstallScripts, checkNpmrc, readNpmrc } from './scripts-policy.js';
import { checkTyposquats } from './typosquat.js';
import { RULE_IDS, type Finding, type Report, type RuleId, type RuleStatus, type SbomDiff } from './types.js';

/** Options of {@link checkSupplyChain}. Paths are relative to `dir`. */
export interface CheckOptions {
  /** The project folder (with package.json and package-lock.json). @default process.cwd() */
  dir?: string | undefined;
  /** Registry whose host `resolved` URLs must use. @default the .npmrc `registry`, else https://registry.npmjs.org/ */
  registry?: string | undefined;
  /** Scope whose packages must be workspace links (SC5). @default "@portcullis" */
  scope?: string | undefined;
  /** Allowed licences (SPDX ids). @default MIT, ISC, BSD-2-Clause, BSD-3-Clause, Apache-2.0, 0BSD, BlueOak-1.0.0 */
  licenses?: readonly string[] | undefined;
  /** Where the SBOM is written (SC9); `false` skips it. @default "reports/sbom.cdx.json" */
  sbom?: string | false | undefined;
  /** A previous SBOM to diff against (SC9). */
  previous?: string | undefined;
  /** An OSV file (one record, an array, or { vulns }) matched offline (SC11). */
  advisories?: string | undefined;
  /** Make SC11 `unavailable` an error. @default false */
  requireAdvisories?: boolean | undefined;
  /** Run npm audit and npm audit signatures (network). @default false: offline */
  online?: boolean | undefined;
  /** Accepted findings (SC14). */
  baseline?: string | undefined;
  /** Extra known-dangerous entries (SC13), added to the built-in table. */
  dangerous?: readonly DangerousVersion[] | undefined;
  /** Time limit of each npm subprocess, in ms. @default 60000 */
  timeoutMs?: number | undefined;
  /** Today, for SC14 expiry. @default new Date() */
  now?: Date | undefined;
}

const VERSION = '0.1.0';

function statusOf(rule: RuleId, findings: readonly Finding[]): RuleStatus {
  const mine = findings.filter((f) => f.rule === rule && f.accepted === undefined);
  if (mine.some((f) => f.severity === 'error')) return 'fail';
  if (mine.length > 0) return 'warn';
  return 'pass';
}

function registryOf(dir: string, given: string | undefined): URL {
  const fromNpmrc = readNpmrc(dir)?.get('registry');
  return new URL(given ?? fromNpmrc ?? 'https://registry.npmjs.org/');
}

/** Runs SC1–SC15 over `options.dir`. Offline unless `online` is set. Never throws for findings; throws only for a folder without package.json. */
export async function checkSupplyChain(options: CheckOptions = {}): Promise<Report> {
  const dir = resolve(options.dir ?? process.cwd());
  if (!existsSync(join(dir, 'package.json'))) throw new Error(`@portcullis/supply-chain: no package.json in ${dir}`);
  const at = (p: string): string => (isAbsolute(p) ? p : join(dir, p));
  const project = readProject(dir);
  const timeoutMs = options.timeoutMs ?? 60_000;
  const statuses = Object.fromEntries(RULE_IDS.map((id) => [id, 'pass'])) as Record<RuleId, RuleStatus>;
  const notes: Partial<Record<RuleId, string>> = {};
  const findings: Finding[] = [...checkLockPresent(project)];
  if (project.lock !== undefined) {
    findings.push(
      ...checkIntegrity(project),
      ...checkResolved(project, registryOf(dir, options.registry)),
      ...checkInternalScope(project, options.scope ?? '@portcullis'),
      ...checkInstallScripts(project),
      ...checkLicenses(project, options.licenses ?? DEFAULT_LICENSES),
      ...checkDangerous(project, [...DANGEROUS_VERSIONS, ...(options.dangerous ?? [])]),
    );
  }
  findings.push(...checkExactRuntime(project), ...checkNpmrc(project), ...checkTyposquats(project));

  let sbomDiff: SbomDiff | undefined;
  if (options.sbom === false) {
    statuses.SC9 = 'skipped';
    notes.SC9 = 'SBOM not requested';
  } else if (project.lock !== undefined) {
    const out = options.sbom ?? 'reports/sbom.cdx.json';
    const result = await writeSbom(
      dir,
      at(out),
      out,
      options.previous === undefined ? undefined : at(options.previous),
      timeoutMs,
    );
    findings.push(...result.findings);
    sbomDiff = result.diff;
    if (result.findings.length === 0) notes.SC9 = `written to ${out}`;
  }

  const advisories = await checkAdvisories(project, {
    online: options.online ?? false,
    osvFile: options.advisories === undefined ? undefined : at(options.advisories),
    requireAdvisories: options.requireAdvisories ?? false,
    timeoutMs,
  });
  findings.push(...advisories.findings);
  const signatures = await checkSignatures(project, { online: options.online ?? false, timeoutMs });
  findings.push(...signatures.findings);

  let accepted = findings;
  if (options.baseline !== undefined) {
    const base = readBaseline(at(options.baseline), options.baseline, options.now ?? new Date());
    accepted = [...applyBaseline(findings, base.acceptances), ...base.findings];
  }
  for (const id of RULE_IDS) if (statuses[id] !== 'skipped') statuses[id] = statusOf(id, accepted);
  if (advisories.status === 'unavailable')
    statuses.SC11 = statusOf('SC11', accepted) === 'fail' ? 'fail' : 'unavailable';
  if (advisories.note !== undefined) notes.SC11 = advisories.note;
  if (signatures.status !== 'pass' || signatures.findings.length > 0) statuses.SC12 = signatures.status;
  if (signatures.note !== undefined) notes.SC12 = signatures.note;
  if (project.lock === undefined) {
    for (const id of ['SC2', 'SC3', 'SC5', 'SC6', 'SC9', 'SC10', 'SC13'] as const) {
      statuses[id] = 'skipped';
      notes[id] = 'no lockfile';
    }
  }
  const live = accepted.filter((f) => f.accepted === undefined);
  return {
    tool: { name: '@portcullis/supply-chain', version: VERSION },
    dir,
    statuses,
    notes,
    findings: accepted,
    errorCount: live.filter((f) => f.severity === 'error').length,
    warningCount: live.filter((f) => f.severity === 'warning').length,
    sbomDiff,
  };
}

/** Reads a JSON file of extra known-dangerous entries for SC13. */
export function readDangerousFile(path: string): DangerousVersion[] {
  return JSON.parse(readFileSync(path, 'utf8')) as DangerousVersion[];
}
