// portcullis-scan end to end over a fixture tree: SARIF compared with the expected file, text report, exit codes.
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { main } from '../src/cli.js';
import { formatSarif, formatText, readBaseline, scan } from '../src/scan.js';

const fixture = join(import.meta.dirname, 'fixtures', 'scan');
const expectedFile = join(import.meta.dirname, 'fixtures', 'scan.expected.sarif.json');
const now = new Date('2026-06-01T00:00:00Z');

/** The SARIF with the machine-specific root and the package version replaced. */
function normalise(sarif: object): unknown {
  const text = JSON.stringify(sarif)
    .split(`${new URL(`file://${fixture}`).href}/`)
    .join('file:///FIXTURE/');
  const parsed = JSON.parse(text) as { runs: { tool: { driver: { version: string } } }[] };
  for (const run of parsed.runs) run.tool.driver.version = 'X';
  return parsed;
}

describe('portcullis-scan over the fixture tree', () => {
  it('produces the expected SARIF 2.1.0 (findings, inline suppressions with reasons, baseline acceptances)', async () => {
    const result = await scan({ cwd: fixture, baseline: 'baseline.json', now });
    const actual = normalise(formatSarif(result, fixture));
    if (process.env['UPDATE_SARIF'] === '1') writeFileSync(expectedFile, `${JSON.stringify(actual, null, 2)}\n`);
    expect(actual).toEqual(JSON.parse(readFileSync(expectedFile, 'utf8')));
  });

  it('flags the shell exec through promisify, the unjustified /* eslint-disable */ and the expired baseline entry', async () => {
    const result = await scan({ cwd: fixture, baseline: 'baseline.json', now });
    const active = result.findings
      .filter((f) => f.suppressed === undefined && f.accepted === undefined)
      .map((f) => `${f.file}:${f.line} ${f.ruleId}`);
    expect(active).toEqual([
      'baseline.json:1 portcullis-scan/baseline-expired',
      'lib/tmp.cjs:3 @portcullis/no-tmp-race',
      'src/run.js:5 @portcullis/no-shell-exec',
      'src/unjustified.ts:1 portcullis-scan/unjustified-suppression',
      'src/unjustified.ts:2 portcullis-scan/unjustified-suppression',
    ]);
    expect(result.exitCode).toBe(1);
    const text = formatText(result);
    expect(text).toContain(
      'Suppressions (1):\n  src/run.js:7  @portcullis/no-shell-exec -- the command is one entry of a constant table',
    );
    expect(text).toContain(
      'Accepted by baseline (1):\n  src/db.ts:5  @portcullis/no-sql-string -- legacy report query',
    );
  });

  it('without the baseline the SQL finding is active', async () => {
    const result = await scan({ cwd: fixture, patterns: ['src/db.ts'] });
    expect(result.findings.map((f) => f.ruleId)).toEqual(['@portcullis/no-sql-string']);
    expect(result.exitCode).toBe(1);
  });

  it('a clean file exits 0 and a warning alone does not fail', async () => {
    expect((await scan({ cwd: fixture, patterns: ['src/other.ts'] })).exitCode).toBe(0);
    expect((await scan({ cwd: fixture, patterns: ['lib/tmp.cjs'] })).exitCode).toBe(0);
  });

  it('the CLI writes SARIF to --output and returns 1 on an error finding; 2 on a bad --format', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'eslintp-scan-'));
    const out = join(dir, 'out.sarif');
    expect(await main(['src', '--format', 'sarif', '--output', out], fixture)).toBe(1);
    const sarif = JSON.parse(readFileSync(out, 'utf8')) as { version: string };
    expect(sarif.version).toBe('2.1.0');
    expect(await main(['--format', 'xml'], fixture)).toBe(2);
  });
});

describe('baseline file validation', () => {
  const bad: [string, unknown][] = [
    ['no findings list', {}],
    ['an entry without a reason', { findings: [{ rule: 'no-sql-string', file: 'a.ts', expires: '2099-01-01' }] }],
    [
      'an entry with a blank reason',
      { findings: [{ rule: 'no-sql-string', file: 'a.ts', reason: ' ', expires: '2099-01-01' }] },
    ],
    ['an entry without an expiry', { findings: [{ rule: 'no-sql-string', file: 'a.ts', reason: 'r' }] }],
    [
      'an expiry that is not a date',
      { findings: [{ rule: 'no-sql-string', file: 'a.ts', reason: 'r', expires: 'next year' }] },
    ],
    [
      'a non-integer line',
      { findings: [{ rule: 'no-sql-string', file: 'a.ts', reason: 'r', expires: '2099-01-01', line: 1.5 }] },
    ],
  ];
  it.each(bad)('refuses %s', (_name, content) => {
    const dir = mkdtempSync(join(tmpdir(), 'eslintp-baseline-'));
    writeFileSync(join(dir, 'b.json'), JSON.stringify(content));
    expect(() => readBaseline(join(dir, 'b.json'))).toThrow(/baseline/);
  });
  it('refuses a file that is not JSON', () => {
    const dir = mkdtempSync(join(tmpdir(), 'eslintp-baseline-'));
    writeFileSync(join(dir, 'b.json'), '{');
    expect(() => readBaseline(join(dir, 'b.json'))).toThrow(/not readable JSON/);
  });
});
