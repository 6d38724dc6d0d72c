// The portcullis-supply CLI: formats, exit codes, SARIF shape, and this repository's own lockfile.
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { checkSupplyChain, runCli } from '../src/index.js';
import { baseSpec, cleanFixtures, entries, writeFixture } from './fixture.js';

afterAll(cleanFixtures);

function capture() {
  let out = '';
  let err = '';
  return {
    io: { stdout: { write: (t: string) => (out += t) }, stderr: { write: (t: string) => (err += t) } },
    out: () => out,
    err: () => err,
  };
}

describe('portcullis-supply check', () => {
  it('exits 0 on a clean project and prints every rule status', async () => {
    const c = capture();
    const code = await runCli(['check', '--dir', writeFixture(baseSpec()), '--no-sbom'], c.io);
    expect(code).toBe(0);
    expect(c.out()).toMatch(/SC11 unavailable/);
    expect(c.out()).toMatch(/^0 errors, 0 warnings$/m);
  });

  it('exits 1 on an error finding', async () => {
    const spec = baseSpec();
    delete entries(spec)['node_modules/ms']!['integrity'];
    const c = capture();
    expect(await runCli(['check', '--dir', writeFixture(spec), '--no-sbom'], c.io)).toBe(1);
    expect(c.out()).toMatch(/^SC2 error: node_modules\/ms has no integrity hash/m);
  });

  it('writes SARIF 2.1.0 with one rule per id and a result per finding', async () => {
    const spec = baseSpec();
    entries(spec)['node_modules/ms']!['license'] = 'GPL-3.0-only';
    const dir = writeFixture(spec);
    const c = capture();
    expect(
      await runCli(['check', '--dir', dir, '--no-sbom', '--format', 'sarif', '--output', join(dir, 'out.sarif')], c.io),
    ).toBe(1);
    const sarif = JSON.parse(readFileSync(join(dir, 'out.sarif'), 'utf8')) as {
      version: string;
      runs: { tool: { driver: { rules: { id: string }[] } }; results: { ruleId: string; level: string }[] }[];
    };
    expect(sarif.version).toBe('2.1.0');
    expect(sarif.runs[0]?.tool.driver.rules.map((r) => r.id)).toContain('SC10');
    expect(sarif.runs[0]?.results).toEqual([expect.objectContaining({ ruleId: 'SC10', level: 'error' })]);
  });

  it('prints JSON with the statuses', async () => {
    const c = capture();
    await runCli(['check', '--dir', writeFixture(baseSpec()), '--no-sbom', '--format', 'json'], c.io);
    const report = JSON.parse(c.out()) as { statuses: Record<string, string>; errorCount: number };
    expect(report.statuses['SC12']).toBe('unverifiable');
    expect(report.errorCount).toBe(0);
  });

  it.each([[['lint']], [['check', '--format', 'xml']], [['check', '--bogus']]])(
    'exits 2 on a usage error (%j)',
    async (argv) => {
      const c = capture();
      expect(await runCli(argv, c.io)).toBe(2);
      expect(c.err().length).toBeGreaterThan(0);
    },
  );
});

describe('lockfile-lint as an oracle for SC2/SC3 on the same fixtures [ASVS V15.2.4]', () => {
  const lint = (dir: string): number => {
    const bin = resolve(import.meta.dirname, '../../../node_modules/lockfile-lint/bin/lockfile-lint.js');
    try {
      execFileSync(
        process.execPath,
        [
          bin,
          '--path',
          join(dir, 'package-lock.json'),
          '--type',
          'npm',
          '--validate-https',
          '--allowed-hosts',
          'npm',
          '--validate-integrity',
          '--validate-package-names',
        ],
        { stdio: 'pipe' },
      );
      return 0;
    } catch {
      return 1;
    }
  };
  it.each([
    [
      'http resolved',
      (e: Record<string, Record<string, unknown>>) => {
        e['node_modules/ms']!['resolved'] = 'http://registry.npmjs.org/ms/-/ms-2.1.3.tgz';
      },
      1,
    ],
    [
      'foreign host',
      (e: Record<string, Record<string, unknown>>) => {
        e['node_modules/ms']!['resolved'] = 'https://registry.evil.example/ms/-/ms-2.1.3.tgz';
      },
      1,
    ],
    [
      'sha1 integrity with resolved',
      (e: Record<string, Record<string, unknown>>) => {
        e['node_modules/ms']!['resolved'] = 'https://registry.npmjs.org/ms/-/ms-2.1.3.tgz';
        e['node_modules/ms']!['integrity'] = `sha1-${'A'.repeat(27)}=`;
      },
      1,
    ],
    // Where they differ: lockfile-lint skips entries without `resolved`, so a missing integrity passes it.
    [
      'missing integrity without resolved',
      (e: Record<string, Record<string, unknown>>) => {
        delete e['node_modules/ms']!['integrity'];
      },
      0,
    ],
  ])('%s: both flag it, except where documented', async (_name, mutate, lockfileLintExit) => {
    const spec = baseSpec();
    mutate(entries(spec));
    const dir = writeFixture(spec);
    const ours = await checkSupplyChain({ dir, sbom: false });
    expect(ours.findings.some((f) => f.rule === 'SC2' || f.rule === 'SC3')).toBe(true);
    expect(lint(dir)).toBe(lockfileLintExit);
  });
});

describe('this repository', () => {
  it('has no error finding in its own lockfile and manifests', async () => {
    const report = await checkSupplyChain({ dir: resolve(import.meta.dirname, '../../..'), sbom: false });
    expect(report.findings.filter((f) => f.severity === 'error')).toEqual([]);
    expect(report.statuses.SC1).toBe('pass');
    expect(report.statuses.SC6).not.toBe('fail');
  });
});
