// Advisories, signatures and the SBOM: what the check can look at, and honest "unavailable" when it cannot.
import { chmodSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { delimiter, join } from 'node:path';
import { afterAll, afterEach, beforeEach, describe, expect, it } from 'vitest';
import { checkSupplyChain, inOsvRange, parseSemver } from '../src/index.js';
import { baseSpec, cleanFixtures, writeFixture } from './fixture.js';

afterAll(cleanFixtures);

describe('SC11 advisories from an offline OSV file', () => {
  const record = (events: object[], versions: string[] = []) => ({
    id: 'GHSA-test-0001',
    summary: 'ReDoS in ms',
    affected: [{ package: { ecosystem: 'npm', name: 'ms' }, ranges: [{ type: 'SEMVER', events }], versions }],
  });
  it.each([
    ['a range that includes the locked version', [{ introduced: '0' }, { fixed: '2.1.4' }], [], true],
    ['a range fixed before the locked version', [{ introduced: '0' }, { fixed: '2.0.0' }], [], false],
    [
      'a range with last_affected at the locked version',
      [{ introduced: '2.0.0' }, { last_affected: '2.1.3' }],
      [],
      true,
    ],
    ['an explicit versions list', [], ['2.1.3'], true],
    ['another ecosystem of the same name', null, [], false],
  ])('%s', async (_name, events, versions, flagged) => {
    const spec = baseSpec();
    const osv =
      events === null
        ? { ...record([]), affected: [{ package: { ecosystem: 'PyPI', name: 'ms' }, versions: ['2.1.3'] }] }
        : record(events, versions);
    spec.files['osv.json'] = JSON.stringify([osv]);
    const report = await checkSupplyChain({ dir: writeFixture(spec), sbom: false, advisories: 'osv.json' });
    const hits = report.findings.filter((f) => f.rule === 'SC11');
    expect(hits.length).toBe(flagged ? 1 : 0);
    expect(report.statuses.SC11).toBe(flagged ? 'fail' : 'pass');
    if (flagged) expect(hits[0]?.message).toBe('ms@2.1.3 is affected by GHSA-test-0001: ReDoS in ms');
  });
});

describe('npm unreachable (a stub npm on PATH answering like the 405 advisory endpoint)', () => {
  let stubDir = '';
  let savedPath: string | undefined;
  beforeEach(() => {
    stubDir = mkdtempSync(join(tmpdir(), 'stub-npm-'));
    const stub = join(stubDir, 'npm');
    writeFileSync(
      stub,
      '#!/bin/sh\necho \'{"error":{"code":"E405","summary":"405 Method Not Allowed - POST /-/npm/v1/security/advisories/bulk"}}\'\necho "npm error code E405" >&2\nexit 1\n',
    );
    chmodSync(stub, 0o755);
    savedPath = process.env['PATH'];
    process.env['PATH'] = `${stubDir}${delimiter}${savedPath ?? ''}`;
  });
  afterEach(() => {
    process.env['PATH'] = savedPath;
    rmSync(stubDir, { recursive: true, force: true });
  });

  it('reports advisories "unavailable", never "pass", and signatures "unverifiable"', async () => {
    const report = await checkSupplyChain({ dir: writeFixture(baseSpec()), sbom: false, online: true });
    expect(report.statuses.SC11).toBe('unavailable');
    expect(report.notes.SC11).toMatch(/could not reach the advisory endpoint \(405 Method Not Allowed/);
    expect(report.statuses.SC12).toBe('unverifiable');
    expect(report.errorCount).toBe(0);
  });

  it('with --require-advisories, "unavailable" is an error', async () => {
    const report = await checkSupplyChain({
      dir: writeFixture(baseSpec()),
      sbom: false,
      online: true,
      requireAdvisories: true,
    });
    expect(report.errorCount).toBe(1);
    expect(report.findings[0]?.rule).toBe('SC11');
    expect(report.findings[0]?.message).toMatch(/advisories unavailable and --require-advisories is set/);
  });

  it('an SBOM that npm cannot write is an SC9 error', async () => {
    const report = await checkSupplyChain({ dir: writeFixture(baseSpec()) });
    expect(report.findings.map((f) => f.rule)).toEqual(['SC9']);
    expect(report.statuses.SC9).toBe('fail');
  });
});

describe('SC9 SBOM with the real npm (offline, from the lockfile) [ASVS V15.1.2]', () => {
  it('writes CycloneDX and diffs it against a previous SBOM', async () => {
    const dir = writeFixture(baseSpec());
    const first = await checkSupplyChain({ dir, sbom: 'reports/old.cdx.json' });
    expect(first.statuses.SC9).toBe('pass');
    const old = JSON.parse(readFileSync(join(dir, 'reports/old.cdx.json'), 'utf8')) as {
      bomFormat: string;
      components: { name: string; version: string }[];
    };
    expect(old.bomFormat).toBe('CycloneDX');
    expect(old.components.some((c) => c.name === 'ms' && c.version === '2.1.3')).toBe(true);
    // Pretend the previous SBOM had an older ms and a package that is gone now.
    old.components = old.components.map((c) => (c.name === 'ms' ? { ...c, version: '2.1.2' } : c));
    old.components.push({ name: 'left-pad', version: '1.3.0' });
    writeFileSync(join(dir, 'reports/old.cdx.json'), JSON.stringify(old));
    const second = await checkSupplyChain({ dir, previous: 'reports/old.cdx.json' });
    expect(second.sbomDiff?.removed).toEqual(['left-pad@1.3.0']);
    expect(second.sbomDiff?.changed).toEqual([{ name: 'ms', from: '2.1.2', to: '2.1.3' }]);
    expect(second.notes.SC9).toBe('written to reports/sbom.cdx.json');
  });
});

describe('semver and OSV ranges', () => {
  it('orders pre-releases below releases and compares numerically', () => {
    const v = (s: string) => parseSemver(s)!;
    expect(inOsvRange(v('1.0.0-rc.1'), [{ introduced: '0' }, { fixed: '1.0.0' }])).toBe(true);
    expect(inOsvRange(v('1.0.0'), [{ introduced: '0' }, { fixed: '1.0.0' }])).toBe(false);
    expect(inOsvRange(v('1.10.0'), [{ introduced: '1.9.0' }, { fixed: '1.10.1' }])).toBe(true);
    expect(inOsvRange(v('3.0.0'), [{ introduced: '1.0.0' }, { fixed: '2.0.0' }, { introduced: '2.5.0' }])).toBe(true);
    expect(parseSemver('1.2')).toBeUndefined();
  });
});
