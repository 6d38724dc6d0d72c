// AsvsReporter: a vitest reporter that turns the run's tagged tests into the ASVS evidence files.
import { resolve } from 'node:path';
import {
  buildEvidence,
  checkEvidenceOptions,
  failures,
  summaryLine,
  type EvidenceOptions,
  type FailOn,
  type TestRecord,
} from './evidence.js';
import { runMetadata } from './metadata.js';
import { writeEvidence } from './outputs.js';
import { idsFromMeta, idsFromTags, idsFromTitle } from './tags.js';

/** Options of {@link AsvsReporter}. */
export interface AsvsReporterOptions extends EvidenceOptions {
  /** Folder for asvs-evidence.{json,md,cdx.json}. @default "reports" */
  out?: string | undefined;
  /** `failed` (default) or `uncovered-l1`: what makes the reporter fail the run. */
  failOn?: FailOn | undefined;
  /** Name and version of what is attested. @default the root package.json's, else "application" */
  subject?: { name: string; version: string } | undefined;
  /** Where the summary line goes. @default process.stdout */
  log?: ((line: string) => void) | undefined;
}

// The parts of vitest's reporter API this reporter reads (vitest 4: TestModule / TestCase).
interface TestCaseLike {
  readonly type: 'test';
  readonly name: string;
  readonly fullName: string;
  readonly tags?: readonly string[];
  readonly module: { readonly moduleId: string };
  result(): { readonly state: string };
  meta(): unknown;
  diagnostic(): { readonly duration?: number } | undefined;
}
interface TestModuleLike {
  readonly moduleId: string;
  readonly children: { allTests(): Iterable<TestCaseLike> };
}

function resultOf(state: string): TestRecord['result'] {
  if (state === 'passed') return 'passed';
  if (state === 'failed') return 'failed';
  return state === 'pending' ? 'todo' : 'skipped';
}

/** A vitest test case as a TestRecord (ids from tags, meta and the title, de-duplicated). */
export function recordFromTestCase(test: TestCaseLike, root: string): TestRecord {
  const meta = test.meta();
  const ids = [...new Set([...idsFromTags(test.tags), ...idsFromMeta(meta), ...idsFromTitle(test.fullName)])];
  const transcript =
    typeof (meta as { transcript?: unknown } | null)?.transcript === 'string'
      ? (meta as { transcript: string }).transcript
      : undefined;
  const file = test.module.moduleId.startsWith(root)
    ? test.module.moduleId.slice(root.length + 1)
    : test.module.moduleId;
  return {
    file,
    title: test.fullName,
    result: resultOf(test.result().state),
    durationMs: test.diagnostic()?.duration ?? 0,
    ids,
    transcript,
  };
}

/**
 * Vitest reporter: `reporters: ['default', new AsvsReporter({ level: 2, out: 'reports' })]`.
 * Unknown ids in `notApplicable` / `manual` throw here, when the configuration loads.
 */
export class AsvsReporter {
  private readonly options: AsvsReporterOptions;
  private root = process.cwd();

  constructor(options: AsvsReporterOptions = {}) {
    checkEvidenceOptions(options);
    if (options.failOn !== undefined && options.failOn !== 'failed' && options.failOn !== 'uncovered-l1') {
      throw new TypeError('@portcullis/asvs: "failOn" must be "failed" or "uncovered-l1"');
    }
    this.options = options;
  }

  onInit(vitest: { config: { root: string } }): void {
    this.root = vitest.config.root;
  }

  onTestRunEnd(modules: readonly TestModuleLike[]): void {
    const records: TestRecord[] = [];
    for (const m of modules) for (const t of m.children.allTests()) records.push(recordFromTestCase(t, this.root));
    const run = runMetadata(this.root);
    const evidence = buildEvidence(records, this.options, run);
    const subject = this.options.subject ?? {
      name: Object.keys(run.packages)[0] ?? 'application',
      version: Object.values(run.packages)[0] ?? '0.0.0',
    };
    writeEvidence(evidence, resolve(this.root, this.options.out ?? 'reports'), subject);
    const log = this.options.log ?? ((line: string) => process.stdout.write(`${line}\n`));
    log(summaryLine(evidence));
    const problems = failures(evidence, this.options.failOn);
    for (const p of problems) log(`ASVS: ${p}`);
    if (problems.length > 0) process.exitCode = 1;
  }
}
