// End to end: a real vitest run and a real node:test run produce the evidence files; CycloneDX validates.
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { Ajv } from 'ajv';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildEvidence, recordsFromJunit, runCli, toCycloneDx, toMarkdown, type Evidence } from '../src/index.js';

const fixture = join(import.meta.dirname, 'fixtures/run');
const require = createRequire(import.meta.url);
// ajv-formats is CommonJS with a default export that NodeNext types do not call: load it as CommonJS.
const addFormats = require('ajv-formats') as (ajv: Ajv) => Ajv;
const vitestBin = join(dirname(require.resolve('vitest/package.json')), 'vitest.mjs');
const out = mkdtempSync(join(tmpdir(), 'asvs-run-'));
let run: { status: number | null; stdout: string; stderr: string };
afterAll(() => {
  rmSync(out, { recursive: true, force: true });
});

function runFixture(env: Record<string, string>): { status: number | null; stdout: string; stderr: string } {
  const r = spawnSync(process.execPath, [vitestBin, 'run', '--config', join(fixture, 'vitest.config.mjs')], {
    cwd: fixture,
    env: { ...process.env, ...env, CI: '1', FORCE_COLOR: '0' },
    encoding: 'utf8',
    timeout: 150_000,
  });
  return { status: r.status, stdout: r.stdout, stderr: r.stderr };
}

beforeAll(() => {
  run = runFixture({ ASVS_OUT: out });
}, 160_000);

const evidence = (): Evidence => JSON.parse(readFileSync(join(out, 'asvs-evidence.json'), 'utf8')) as Evidence;
const statusOf = (id: string) => evidence().requirements.find((r) => r.id === id)?.status;

describe('AsvsReporter on a real vitest run', () => {
  it('fails the run because a mapped test failed, and prints the summary line', () => {
    expect(run.status).toBe(1);
    expect(run.stdout).toMatch(/ASVS 5\.0\.0: L1 \d+ verified/);
    expect(run.stdout).toMatch(/ASVS: failed requirements: V8\.4\.1/);
  });
  it('reads tags, a describe tag, test meta and title suffixes', () => {
    expect(statusOf('V9.1.2')).toBe('verified');
    expect(statusOf('V9.2.1')).toBe('verified');
    expect(statusOf('V9.2.3')).toBe('verified');
    expect(statusOf('V9.1.1')).toBe('verified');
  });
  it('one failing test fails a requirement that another test passes; skipped tests never count', () => {
    expect(statusOf('V8.4.1')).toBe('failed');
    expect(statusOf('V9.1.3')).toBe('not_covered');
    expect(statusOf('V17.1.1')).toBe('not_applicable');
  });
  it('records evidence per test and the run metadata', () => {
    const e = evidence();
    const test = e.tests.find((x) => x.title === 'passes with a tag');
    expect(test).toMatchObject({ result: 'passed', ids: ['V9.1.2'], file: 'tagged.fixture.mjs' });
    expect(e.run.node).toBe(process.version);
    expect(e.run.lockfileSha256 ?? '').toMatch(/^$|^[0-9a-f]{64}$/);
  });
  it('writes Markdown with a table per chapter', () => {
    const md = readFileSync(join(out, 'asvs-evidence.md'), 'utf8');
    expect(md).toMatch(/^# ASVS 5\.0\.0 evidence/);
    expect(md).toMatch(
      /\| V9\.1\.2 \| 1 \| Only allowlisted token algorithms, never none \| verified \| ✓ passes with a tag \|/,
    );
    expect(md).toMatch(/\| V8\.4\.1 \| 2 \| .* \| \*\*failed\*\* \|/);
  });
  it('refuses a test tagged with an id that is not in ASVS 5.0.0 (strict tags)', () => {
    const bad = runFixture({ ASVS_OUT: join(out, 'unknown'), FIXTURE_UNKNOWN: '1' });
    expect(bad.status).not.toBe(0);
    expect(`${bad.stdout}${bad.stderr}`).toMatch(/asvs:V99\.1\.1/);
  }, 160_000);
});

describe('CycloneDX 1.6 attestation', () => {
  it('validates against the CycloneDX 1.6 JSON schema', () => {
    const schemaDir = join(dirname(require.resolve('@cyclonedx/cyclonedx-library/package.json')), 'res/schema');
    const load = (name: string) => JSON.parse(readFileSync(join(schemaDir, name), 'utf8')) as object;
    const ajv = new Ajv({ strict: false, allErrors: true });
    addFormats(ajv);
    // The bom schema refers to its siblings by file name, relative to its own $id.
    for (const name of ['spdx.SNAPSHOT.schema.json', 'jsf-0.82.SNAPSHOT.schema.json']) {
      ajv.addSchema({ ...load(name), $id: `http://cyclonedx.org/schema/${name}` });
    }
    const validate = ajv.compile(load('bom-1.6.SNAPSHOT.schema.json'));
    const doc = JSON.parse(readFileSync(join(out, 'asvs-evidence.cdx.json'), 'utf8')) as object;
    const ok = validate(doc);
    expect(validate.errors ?? []).toEqual([]);
    expect(ok).toBe(true);
  });
  it('has one claim per requirement, counter-claims for failures and score = passed / mapped', () => {
    const doc = JSON.parse(readFileSync(join(out, 'asvs-evidence.cdx.json'), 'utf8')) as {
      definitions: { standards: { requirements: unknown[] }[] };
      declarations: {
        claims: unknown[];
        attestations: { map: { requirement: string; counterClaims: string[]; conformance: { score: number } }[] }[];
      };
    };
    expect(doc.definitions.standards[0]?.requirements).toHaveLength(345);
    expect(doc.declarations.claims).toHaveLength(345);
    const failed = doc.declarations.attestations[0]?.map.find((m) => m.requirement === 'asvs-5.0.0-V8.4.1');
    expect(failed?.counterClaims).toEqual(['claim-V8.4.1']);
    expect(failed?.conformance.score).toBe(0.5);
  });
});

describe('JUnit XML', () => {
  it('from vitest: the same statuses as the reporter', () => {
    const records = recordsFromJunit(readFileSync(join(out, 'junit.xml'), 'utf8'));
    const e = buildEvidence(records, {}, { time: 'x', node: 'x', packages: {} });
    expect(e.requirements.find((r) => r.id === 'V9.1.1')?.status).toBe('verified');
    expect(records.find((r) => r.title.endsWith('is skipped with a tag'))?.result).toBe('skipped');
  });
  it('from node --test --test-reporter=junit, through the CLI', () => {
    const xml = join(out, 'node.xml');
    try {
      execFileSync(
        process.execPath,
        ['--test', '--test-reporter=junit', `--test-reporter-destination=${xml}`, join(fixture, 'node-test.junit.mjs')],
        { stdio: 'pipe' },
      );
    } catch {
      // One fixture test fails on purpose: node exits 1.
    }
    let stdout = '';
    const code = runCli(
      ['report', '--junit', xml, '--out', join(out, 'cli')],
      { stdout: { write: (s: string) => (stdout += s) }, stderr: { write: () => true } },
      out,
    );
    expect(code).toBe(1);
    expect(stdout).toMatch(/ASVS: failed requirements: V8\.4\.1/);
    const e = JSON.parse(readFileSync(join(out, 'cli/asvs-evidence.json'), 'utf8')) as Evidence;
    expect(e.requirements.find((r) => r.id === 'V9.1.2')?.status).toBe('verified');
    expect(e.requirements.find((r) => r.id === 'V9.1.3')?.status).toBe('not_covered');
    expect(e.tests.find((t) => t.ids.includes('V9.1.2'))?.title).toBe('node suite > passes [ASVS V9.1.2]');
  });
  it('CLI usage errors exit 2', () => {
    const io = { stdout: { write: () => true }, stderr: { write: () => true } };
    expect(runCli(['report'], io)).toBe(2);
    expect(runCli(['report', '--junit', 'x.xml', '--fail-on', 'never'], io)).toBe(2);
  });
});

describe('golden Markdown', () => {
  it('renders a fixed evidence exactly', () => {
    const e = buildEvidence(
      [{ file: 'a.test.ts', title: 'refuses alg none', result: 'passed', durationMs: 3, ids: ['V9.1.2'] }],
      { level: 1, notApplicable: { 'V4.4.1': 'no WebSockets' } },
      { time: '2026-12-01T00:00:00.000Z', node: 'v20', packages: {} },
    );
    const md = toMarkdown(e);
    expect(md).toBe(readFileSync(join(import.meta.dirname, 'fixtures/golden.md'), 'utf8'));
    expect(toCycloneDx(e, { name: 'x', version: '1' })).toMatchObject({ bomFormat: 'CycloneDX', specVersion: '1.6' });
  });
});
