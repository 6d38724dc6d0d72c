// The three outputs of a run: asvs-evidence.json (our schema), asvs-evidence.md, asvs-evidence.cdx.json (CycloneDX 1.6 attestation).
/* eslint-disable security/detect-non-literal-fs-filename -- a dev tool reading and writing the operator's own report and project files */
import { createHash, randomUUID } from 'node:crypto';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { ASVS_CHAPTERS, summaryLine, type Evidence, type RequirementStatus } from './evidence.js';
import { ASVS_REQUIREMENTS, ASVS_SOURCE } from './requirements.js';

const STATUS_LABEL: Readonly<Record<RequirementStatus, string>> = {
  verified: 'verified',
  failed: '**failed**',
  not_covered: 'not covered',
  not_applicable: 'not applicable',
  manual: 'manual',
};

function cell(text: string): string {
  return text.replace(/\|/g, '\\|').replace(/\r?\n/g, ' ');
}

/** The evidence as Markdown: the summary, then a table per chapter (id, level, title, status, tests). */
export function toMarkdown(evidence: Evidence): string {
  const lines = [
    '# ASVS 5.0.0 evidence',
    '',
    `${summaryLine(evidence)}.`,
    '',
    'A requirement is **verified** only when at least one test tagged with it ran and every such test passed;',
    'skipped tests never count. Titles are short paraphrases; the official text is at',
    `${ASVS_SOURCE}.`,
    '',
    '| level | verified | failed | not covered | not applicable | manual |',
    '|---|---|---|---|---|---|',
  ];
  for (const l of ['L1', 'L2', 'L3'] as const) {
    if (Number(l.slice(1)) > evidence.level) continue;
    const c = evidence.summary.byLevel[l];
    lines.push(`| ${l} | ${c.verified} | ${c.failed} | ${c.not_covered} | ${c.not_applicable} | ${c.manual} |`);
  }
  for (const [chapter, name] of Object.entries(ASVS_CHAPTERS)) {
    const rows = evidence.requirements.filter((r) => r.chapter === chapter);
    if (rows.length === 0) continue;
    lines.push(
      '',
      `## ${chapter} ${name}`,
      '',
      '| id | level | requirement (paraphrase) | status | evidence |',
      '|---|---|---|---|---|',
    );
    for (const r of rows) {
      const tests = r.tests.map((i) => evidence.tests[i]).filter((t) => t !== undefined);
      const shown = tests.slice(0, 3).map((t) => `${t.result === 'passed' ? '✓' : '✗'} ${t.title}`);
      if (tests.length > 3) shown.push(`and ${tests.length - 3} more`);
      const proof = r.note ?? (shown.length > 0 ? shown.join('<br>') : '');
      lines.push(`| ${r.id} | ${r.level} | ${cell(r.title)} | ${STATUS_LABEL[r.status]} | ${cell(proof)} |`);
    }
  }
  return `${lines.join('\n')}\n`;
}

function ref(id: string): string {
  return `asvs-5.0.0-${id}`;
}

/**
 * A CycloneDX 1.6 document with the standard under `definitions.standards` (every requirement,
 * three levels), and under `declarations` one claim per reported requirement, evidence per test,
 * counter-claims for failed tests and `conformance.score` = passed / mapped tests.
 */
export function toCycloneDx(evidence: Evidence, subject: { name: string; version: string }): object {
  const created = evidence.run.time;
  const claims: object[] = [];
  const evidenceItems: object[] = [];
  const map: object[] = [];
  const testRef = (i: number): string => `evidence-test-${i}`;
  const used = new Set<number>();
  for (const r of evidence.requirements) {
    const tests = r.tests.map((i) => ({ i, t: evidence.tests[i] })).filter((x) => x.t !== undefined);
    const passed = tests.filter((x) => x.t?.result === 'passed');
    const failed = tests.filter((x) => x.t?.result === 'failed');
    for (const x of tests) used.add(x.i);
    const claimRef = `claim-${r.id}`;
    claims.push({
      'bom-ref': claimRef,
      target: 'target-application',
      predicate: `${subject.name} meets ASVS 5.0.0 ${r.id} (${r.title})`,
      reasoning:
        r.status === 'not_applicable' || r.status === 'manual'
          ? `${r.status}: ${r.note ?? ''}`
          : `${passed.length} of ${tests.length} mapped tests passed`,
      evidence: passed.map((x) => testRef(x.i)),
      counterEvidence: failed.map((x) => testRef(x.i)),
    });
    const entry: Record<string, unknown> = {
      requirement: ref(r.id),
      claims: failed.length === 0 ? [claimRef] : [],
      counterClaims: failed.length > 0 ? [claimRef] : [],
      conformance: {
        score: tests.length === 0 ? 0 : passed.length / tests.length,
        rationale: `${r.status}: ${tests.length === 0 ? 'no executed test is mapped to this requirement' : `${passed.length} passed / ${tests.length} mapped`}`,
        mitigationStrategies: [],
      },
      confidence: { score: tests.length === 0 ? 0 : 1, rationale: 'automated tests of this run' },
    };
    map.push(entry);
  }
  for (const i of [...used].sort((a, b) => a - b)) {
    const t = evidence.tests[i];
    if (t === undefined) continue;
    const data: object[] = [
      {
        name: 'result',
        contents: { attachment: { content: `${t.result} in ${Math.round(t.durationMs)} ms (${t.file})` } },
      },
    ];
    if (t.transcript !== undefined)
      data.push({ name: 'transcript', contents: { attachment: { content: t.transcript } } });
    evidenceItems.push({ 'bom-ref': testRef(i), propertyName: 'test', description: t.title, data, created });
  }
  const levels = ([1, 2, 3] as const).map((level) => ({
    'bom-ref': ref(`L${level}`),
    identifier: `L${level}`,
    title: `Level ${level}`,
    requirements: ASVS_REQUIREMENTS.filter((r) => r.level <= level).map((r) => ref(r.id)),
  }));
  return {
    bomFormat: 'CycloneDX',
    specVersion: '1.6',
    serialNumber: `urn:uuid:${randomUUID()}`,
    version: 1,
    metadata: {
      timestamp: created,
      tools: { components: [{ type: 'application', name: '@portcullis/asvs', version: '0.1.0' }] },
      component: { type: 'application', 'bom-ref': 'target-application', name: subject.name, version: subject.version },
    },
    definitions: {
      standards: [
        {
          'bom-ref': 'asvs-5.0.0',
          name: 'OWASP Application Security Verification Standard',
          version: '5.0.0',
          owner: 'OWASP Foundation',
          description: 'Requirement titles are paraphrases; the official text is linked.',
          requirements: ASVS_REQUIREMENTS.map((r) => ({ 'bom-ref': ref(r.id), identifier: r.id, title: r.title })),
          levels,
          externalReferences: [{ type: 'documentation', url: ASVS_SOURCE }],
        },
      ],
    },
    declarations: {
      assessors: [{ 'bom-ref': 'assessor-ci', thirdParty: false, organization: { name: `${subject.name} CI` } }],
      attestations: [{ summary: summaryLine(evidence), assessor: 'assessor-ci', map }],
      claims,
      evidence: evidenceItems,
      targets: {
        components: [
          { type: 'application', 'bom-ref': 'target-component', name: subject.name, version: subject.version },
        ],
      },
    },
  };
}

/** Writes asvs-evidence.json, .md and .cdx.json into `dir`; returns their paths. */
export function writeEvidence(evidence: Evidence, dir: string, subject: { name: string; version: string }): string[] {
  mkdirSync(dir, { recursive: true });
  const files: [string, string][] = [
    ['asvs-evidence.json', `${JSON.stringify(evidence, null, 2)}\n`],
    ['asvs-evidence.md', toMarkdown(evidence)],
    ['asvs-evidence.cdx.json', `${JSON.stringify(toCycloneDx(evidence, subject), null, 2)}\n`],
  ];
  return files.map(([name, text]) => {
    const path = join(dir, name);
    writeFileSync(path, text);
    return path;
  });
}

/** SHA-256 (hex) of a file's bytes, for the run metadata. */
export function sha256Hex(bytes: Buffer): string {
  return createHash('sha256').update(bytes).digest('hex');
}
