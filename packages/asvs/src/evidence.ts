// The evidence model: test records in, one status per requirement out, with summaries per level and chapter.
import { ASVS_CHAPTERS, ASVS_REQUIREMENTS, type AsvsLevel, type AsvsRequirement } from './requirements.js';
import { expandPattern, isAsvsId } from './tags.js';

/** The result of one test as the report sees it. */
export type TestResult = 'passed' | 'failed' | 'skipped' | 'todo';

/** One test of the run. */
export interface TestRecord {
  readonly file: string;
  /** Full title (describe blocks and test name). */
  readonly title: string;
  readonly result: TestResult;
  readonly durationMs: number;
  /** ASVS ids the test is tagged with. */
  readonly ids: readonly string[];
  /** A request/response transcript (e.g. from @portcullis/testkit), already redacted. */
  readonly transcript?: string | undefined;
}

/** What a requirement's evidence says. */
export type RequirementStatus = 'verified' | 'failed' | 'not_covered' | 'not_applicable' | 'manual';

/** One requirement with its status and the tests behind it. */
export interface RequirementEvidence extends AsvsRequirement {
  readonly status: RequirementStatus;
  /** Indexes into `tests` of the passed/failed tests mapped to this requirement (skipped and todo never count). */
  readonly tests: readonly number[];
  /** The reason (not_applicable) or the document pointer (manual). */
  readonly note?: string | undefined;
}

/** Counts of each status. */
export type StatusCounts = Readonly<Record<RequirementStatus, number>>;

/** Options shared by the reporter and the CLI. */
export interface EvidenceOptions {
  /** Report requirements up to this level (levels are cumulative). @default 3 */
  level?: AsvsLevel | undefined;
  /** Requirement id or "Vn.*" pattern → the reason it does not apply. */
  notApplicable?: Readonly<Record<string, string>> | undefined;
  /** Requirement id or pattern → where the manual evidence is (a document and anchor). */
  manual?: Readonly<Record<string, string>> | undefined;
}

/** Facts about the run that produced the evidence. */
export interface RunMetadata {
  readonly time: string;
  readonly gitCommit?: string | undefined;
  readonly lockfileSha256?: string | undefined;
  readonly node: string;
  readonly packages: Readonly<Record<string, string>>;
}

/** The whole evidence document (schema `portcullis-asvs-evidence/1`). */
export interface Evidence {
  readonly schema: 'portcullis-asvs-evidence/1';
  readonly standard: { readonly name: 'OWASP ASVS'; readonly version: '5.0.0' };
  readonly level: AsvsLevel;
  readonly run: RunMetadata;
  readonly requirements: readonly RequirementEvidence[];
  readonly tests: readonly TestRecord[];
  readonly summary: {
    readonly byLevel: Readonly<Record<'L1' | 'L2' | 'L3', StatusCounts>>;
    readonly byChapter: Readonly<Record<string, StatusCounts>>;
    readonly total: StatusCounts;
  };
  /** Tests tagged with ids that are not ASVS 5.0.0 requirements. */
  readonly unknownIds: readonly { readonly test: number; readonly id: string }[];
}

function zero(): Record<RequirementStatus, number> {
  return { verified: 0, failed: 0, not_covered: 0, not_applicable: 0, manual: 0 };
}

function declared(map: Readonly<Record<string, string>> | undefined): Map<string, string> {
  const out = new Map<string, string>();
  for (const [pattern, note] of Object.entries(map ?? {})) {
    if (typeof note !== 'string' || note.trim() === '')
      throw new TypeError(`@portcullis/asvs: "${pattern.slice(0, 24)}" needs a reason or a document pointer`);
    for (const id of expandPattern(pattern)) out.set(id, note);
  }
  return out;
}

/** Validates the options at load: unknown ids and empty reasons throw. */
export function checkEvidenceOptions(options: EvidenceOptions): {
  notApplicable: Map<string, string>;
  manual: Map<string, string>;
  level: AsvsLevel;
} {
  const level = options.level ?? 3;
  if (level !== 1 && level !== 2 && level !== 3) throw new TypeError('@portcullis/asvs: "level" must be 1, 2 or 3');
  return { notApplicable: declared(options.notApplicable), manual: declared(options.manual), level };
}

/**
 * Builds the evidence: a requirement is `verified` when at least one test maps to it and every
 * mapped test passed, `failed` when any mapped test failed, else `not_applicable` / `manual` when
 * declared, else `not_covered`. Skipped and todo tests never count.
 */
export function buildEvidence(tests: readonly TestRecord[], options: EvidenceOptions, run: RunMetadata): Evidence {
  const { notApplicable, manual, level } = checkEvidenceOptions(options);
  const byId = new Map<string, number[]>();
  const unknownIds: { test: number; id: string }[] = [];
  tests.forEach((t, i) => {
    for (const id of new Set(t.ids)) {
      if (!isAsvsId(id)) {
        unknownIds.push({ test: i, id });
        continue;
      }
      if (t.result !== 'passed' && t.result !== 'failed') continue;
      byId.set(id, [...(byId.get(id) ?? []), i]);
    }
  });
  const requirements: RequirementEvidence[] = [];
  for (const r of ASVS_REQUIREMENTS) {
    if (r.level > level) continue;
    const mapped = byId.get(r.id) ?? [];
    let status: RequirementStatus;
    let note: string | undefined;
    if (mapped.some((i) => tests[i]?.result === 'failed')) status = 'failed';
    else if (mapped.length > 0) status = 'verified';
    else if (notApplicable.has(r.id)) [status, note] = ['not_applicable', notApplicable.get(r.id)];
    else if (manual.has(r.id)) [status, note] = ['manual', manual.get(r.id)];
    else status = 'not_covered';
    requirements.push({ ...r, status, tests: mapped, note });
  }
  const byLevel = { L1: zero(), L2: zero(), L3: zero() };
  const byChapter: Record<string, Record<RequirementStatus, number>> = {};
  const total = zero();
  for (const r of requirements) {
    byLevel[`L${r.level}`][r.status] += 1;
    byChapter[r.chapter] ??= zero();
    (byChapter[r.chapter] as Record<RequirementStatus, number>)[r.status] += 1;
    total[r.status] += 1;
  }
  return {
    schema: 'portcullis-asvs-evidence/1',
    standard: { name: 'OWASP ASVS', version: '5.0.0' },
    level,
    run,
    requirements,
    tests,
    summary: { byLevel, byChapter, total },
    unknownIds,
  };
}

/** `--fail-on`: `failed` (default: any failed requirement or unknown id) or `uncovered-l1` (also any L1 requirement not covered). */
export type FailOn = 'failed' | 'uncovered-l1';

/** The reasons the run should fail, empty when it passes. */
export function failures(evidence: Evidence, failOn: FailOn = 'failed'): string[] {
  const out: string[] = [];
  const failed = evidence.requirements.filter((r) => r.status === 'failed').map((r) => r.id);
  if (failed.length > 0) out.push(`failed requirements: ${failed.join(', ')}`);
  if (evidence.unknownIds.length > 0)
    out.push(`tests tagged with unknown ASVS ids: ${[...new Set(evidence.unknownIds.map((u) => u.id))].join(', ')}`);
  if (failOn === 'uncovered-l1') {
    const open = evidence.requirements.filter((r) => r.level === 1 && r.status === 'not_covered').map((r) => r.id);
    if (open.length > 0) out.push(`level 1 requirements not covered: ${open.join(', ')}`);
  }
  return out;
}

/** One line: verified / failed / not covered per level. */
export function summaryLine(evidence: Evidence): string {
  const parts = (['L1', 'L2', 'L3'] as const)
    .filter((l) => Number(l.slice(1)) <= evidence.level)
    .map((l) => {
      const c = evidence.summary.byLevel[l];
      return `${l} ${c.verified} verified, ${c.failed} failed, ${c.not_covered} not covered, ${c.not_applicable + c.manual} n/a or manual`;
    });
  return `ASVS 5.0.0: ${parts.join('; ')}`;
}

export { ASVS_CHAPTERS };
