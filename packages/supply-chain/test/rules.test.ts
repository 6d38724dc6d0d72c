// Each supply-chain defect in a fixture lockfile is flagged with its rule id; the clean base has no finding.
import { afterAll, describe, expect, it } from 'vitest';
import { checkSupplyChain, type Finding, type Report } from '../src/index.js';
import { baseSpec, cleanFixtures, entries, SHA512, tarball, writeFixture, type FixtureSpec } from './fixture.js';

afterAll(cleanFixtures);

async function run(spec: FixtureSpec, extra: Parameters<typeof checkSupplyChain>[0] = {}): Promise<Report> {
  return checkSupplyChain({ dir: writeFixture(spec), sbom: false, ...extra });
}

const live = (report: Report): Finding[] => report.findings.filter((f) => f.accepted === undefined);

describe('the clean base', () => {
  it('has no finding, and offline advisories and signatures say they could not look (never "pass")', async () => {
    const report = await run(baseSpec());
    expect(report.findings).toEqual([]);
    expect(report.errorCount).toBe(0);
    expect(report.statuses.SC2).toBe('pass');
    expect(report.statuses.SC11).toBe('unavailable');
    expect(report.statuses.SC12).toBe('unverifiable');
    expect(report.statuses.SC9).toBe('skipped');
  });
});

type Mutation = (spec: FixtureSpec) => void;
const defects: [string, Mutation, Finding['rule'], Finding['severity'], RegExp][] = [
  [
    'a missing lockfile',
    (s) => {
      s.lock = undefined;
    },
    'SC1',
    'error',
    /package-lock\.json is missing/,
  ],
  [
    'lockfileVersion 2',
    (s) => {
      (s.lock as Record<string, unknown>)['lockfileVersion'] = 2;
    },
    'SC1',
    'error',
    /expected 3/,
  ],
  [
    'a dependency in package.json the lock does not record',
    (s) => {
      (s.workspaces['packages/lib']!['dependencies'] as Record<string, string>)['debug'] = '4.4.3';
    },
    'SC1',
    'error',
    /differ from package\.json: debug/,
  ],
  [
    'a missing integrity without resolved (lockfile-lint passes this)',
    (s) => {
      delete entries(s)['node_modules/ms']!['integrity'];
    },
    'SC2',
    'error',
    /no integrity hash/,
  ],
  [
    'a sha1 integrity',
    (s) => {
      entries(s)['node_modules/ms']!['integrity'] = `sha1-${'A'.repeat(27)}=`;
    },
    'SC2',
    'error',
    /sha1 integrity/,
  ],
  [
    'an http resolved URL',
    (s) => {
      entries(s)['node_modules/ms']!['resolved'] = tarball('ms', '2.1.3').replace('https:', 'http:');
    },
    'SC3',
    'error',
    /over http/,
  ],
  [
    'a git+ssh resolved',
    (s) => {
      entries(s)['node_modules/ms']!['resolved'] = 'git+ssh://git@github.com/vercel/ms.git#abc';
    },
    'SC3',
    'error',
    /resolved from git/,
  ],
  [
    'a foreign registry host',
    (s) => {
      entries(s)['node_modules/ms']!['resolved'] = 'https://registry.evil.example/ms/-/ms-2.1.3.tgz';
    },
    'SC3',
    'error',
    /not the registry registry\.npmjs\.org/,
  ],
  [
    'a tarball of another package under this name (alias confusion)',
    (s) => {
      entries(s)['node_modules/ms']!['resolved'] = tarball('ms-evil', '2.1.3');
    },
    'SC3',
    'error',
    /alias or name confusion/,
  ],
  [
    'a file: resolved',
    (s) => {
      entries(s)['node_modules/ms']!['resolved'] = 'file:../ms-2.1.3.tgz';
    },
    'SC3',
    'error',
    /local file system/,
  ],
  [
    'a ^ range in a publishable runtime dependency',
    (s) => {
      setLibDep(s, 'ms', '^2.1.3');
    },
    'SC4',
    'error',
    /"\^2\.1\.3" is not an exact version/,
  ],
  [
    'a file:../x runtime dependency',
    (s) => {
      setLibDep(s, 'ms', 'file:../x');
    },
    'SC4',
    'error',
    /"file:\.\.\/x" is not an exact version/,
  ],
  [
    'a registry tarball for a scoped internal name (dependency confusion)',
    (s) => {
      entries(s)['node_modules/@portcullis/core'] = {
        version: '9.9.9',
        resolved: tarball('@portcullis/core', '9.9.9'),
        integrity: SHA512,
        license: 'MIT',
      };
    },
    'SC5',
    'error',
    /dependency confusion/,
  ],
  [
    'an unapproved install script',
    (s) => {
      (s.root['allowScripts'] as Record<string, boolean>) = {};
    },
    'SC6',
    'error',
    /no allowScripts approval/,
  ],
  [
    'a name-only approval',
    (s) => {
      s.root['allowScripts'] = { esbuild: true };
    },
    'SC6',
    'warning',
    /approved by name only/,
  ],
  [
    'a stale approval',
    (s) => {
      s.root['allowScripts'] = { 'esbuild@0.27.7': true, 'left-pad@1.3.0': true };
    },
    'SC6',
    'warning',
    /stale allowScripts entry "left-pad@1\.3\.0"/,
  ],
  [
    'an .npmrc without strict-allow-scripts',
    (s) => {
      s.npmrc = 'min-release-age=3\n';
    },
    'SC7',
    'error',
    /does not set strict-allow-scripts=true/,
  ],
  [
    'no min-release-age',
    (s) => {
      s.npmrc = 'strict-allow-scripts=true\n';
    },
    'SC8',
    'warning',
    /min-release-age is not set/,
  ],
  [
    'a GPL licence in the runtime closure',
    (s) => {
      entries(s)['node_modules/ms']!['license'] = 'GPL-3.0-only';
    },
    'SC10',
    'error',
    /licensed GPL-3\.0-only/,
  ],
  [
    'a runtime package with no licence',
    (s) => {
      delete entries(s)['node_modules/ms']!['license'];
    },
    'SC10',
    'error',
    /declares no licence/,
  ],
  [
    'a known-dangerous package (node-serialize)',
    (s) => {
      addRuntime(s, 'node-serialize', '0.0.4');
    },
    'SC13',
    'error',
    /node-serialize@0\.0\.4 is known-dangerous/,
  ],
  [
    'a known-dangerous version (tar below 7.5.11)',
    (s) => {
      addRuntime(s, 'tar', '7.4.3');
    },
    'SC13',
    'error',
    /tar@7\.4\.3 is known-dangerous below 7\.5\.11/,
  ],
  [
    'a typosquat name (expres)',
    (s) => {
      (s.root['devDependencies'] as Record<string, string>)['expres'] = '1.0.0';
      syncRootLock(s);
      entries(s)['node_modules/expres'] = { version: '1.0.0', integrity: SHA512, dev: true, license: 'MIT' };
    },
    'SC15',
    'warning',
    /"expres" is one or two edits from the much more downloaded "express"/,
  ],
];

function setLibDep(s: FixtureSpec, name: string, spec: string): void {
  (s.workspaces['packages/lib']!['dependencies'] as Record<string, string>)[name] = spec;
  (entries(s)['packages/lib']!['dependencies'] as Record<string, string>)[name] = spec;
}
function addRuntime(s: FixtureSpec, name: string, version: string): void {
  setLibDep(s, name, version);
  entries(s)[`node_modules/${name}`] = { version, integrity: SHA512, license: 'MIT' };
}
function syncRootLock(s: FixtureSpec): void {
  entries(s)['']!['devDependencies'] = { ...(s.root['devDependencies'] as Record<string, string>) };
}

describe.each(defects)('flags %s', (_name, mutate, rule, severity, message) => {
  it(`with ${rule} (${severity}) and nothing else`, async () => {
    const spec = baseSpec();
    mutate(spec);
    const report = await run(spec);
    const mine = live(report).filter((f) => f.rule === rule);
    expect(mine.length).toBeGreaterThan(0);
    expect(mine[0]?.severity).toBe(severity);
    expect(mine.map((f) => f.message).join('\n')).toMatch(message);
    expect(report.statuses[rule]).toBe(severity === 'error' ? 'fail' : 'warn');
    expect(report.errorCount).toBe(
      severity === 'error' ? live(report).filter((f) => f.severity === 'error').length : 0,
    );
    // The defect is the only thing wrong: no other rule fires (a missing lockfile skips the lock rules).
    expect(new Set(live(report).map((f) => f.rule))).toEqual(new Set([rule]));
  });
});

it('flags a project without .npmrc with SC7 (error) and SC8 (warning)', async () => {
  const spec = baseSpec();
  spec.npmrc = undefined;
  const report = await run(spec);
  expect(live(report).map((f) => [f.rule, f.severity])).toEqual([
    ['SC7', 'error'],
    ['SC8', 'warning'],
  ]);
  expect(live(report)[0]?.message).toMatch(/there is no \.npmrc/);
});

describe('licences', () => {
  it('accepts an OR expression with one allowed alternative and refuses AND with a disallowed part', async () => {
    const or = baseSpec();
    entries(or)['node_modules/ms']!['license'] = '(MIT OR GPL-3.0-only)';
    expect((await run(or)).findings).toEqual([]);
    const and = baseSpec();
    entries(and)['node_modules/ms']!['license'] = '(MIT AND Zlib)';
    expect(live(await run(and)).map((f) => f.rule)).toEqual(['SC10']);
  });
  it('ignores dev-only packages and honours --licenses', async () => {
    const spec = baseSpec();
    entries(spec)['node_modules/typescript']!['license'] = 'GPL-2.0-only';
    expect((await run(spec)).findings).toEqual([]);
    const gpl = baseSpec();
    entries(gpl)['node_modules/ms']!['license'] = 'GPL-3.0-only';
    expect((await run(gpl, { licenses: ['MIT', 'GPL-3.0-only', 'Apache-2.0'] })).findings).toEqual([]);
  });
});

describe('acceptances (SC14)', () => {
  const today = new Date('2026-12-01T12:00:00Z');
  function withBaseline(accepted: unknown): FixtureSpec {
    const spec = baseSpec();
    entries(spec)['node_modules/ms']!['license'] = 'GPL-3.0-only';
    spec.files['accepted.json'] = JSON.stringify({ accepted });
    return spec;
  }
  it('a live acceptance with a reason and date turns the error into an accepted finding', async () => {
    const report = await run(
      withBaseline([
        { rule: 'SC10', package: 'ms', reason: 'legal review LR-12 allows GPL here', expires: '2027-01-31' },
      ]),
      { baseline: 'accepted.json', now: today },
    );
    expect(report.errorCount).toBe(0);
    expect(report.findings[0]?.accepted).toEqual({
      reason: 'legal review LR-12 allows GPL here',
      expires: '2027-01-31',
    });
    expect(report.statuses.SC10).toBe('pass');
  });
  it.each([
    [
      'an expired acceptance',
      [{ rule: 'SC10', package: 'ms', reason: 'legal review LR-12 allows GPL here', expires: '2026-11-30' }],
      /expired on 2026-11-30/,
    ],
    ['an acceptance without a reason', [{ rule: 'SC10', package: 'ms', expires: '2027-01-31' }], /needs a "reason"/],
    [
      'an acceptance without an expiry date',
      [{ rule: 'SC10', package: 'ms', reason: 'legal review LR-12 allows GPL here' }],
      /needs an "expires" date/,
    ],
    [
      'an acceptance of an unknown rule',
      [{ rule: 'SC99', reason: 'legal review LR-12 allows GPL here', expires: '2027-01-31' }],
      /"rule" must be one of/,
    ],
  ])('refuses %s (SC14 error) and keeps the finding an error', async (_name, accepted, message) => {
    const report = await run(withBaseline(accepted), { baseline: 'accepted.json', now: today });
    expect(live(report).find((f) => f.rule === 'SC14')?.message).toMatch(message);
    expect(live(report).some((f) => f.rule === 'SC10' && f.severity === 'error')).toBe(true);
    expect(report.statuses.SC14).toBe('fail');
  });
});
