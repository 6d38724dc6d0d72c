// @portcullis/policy/testing: outcomes, titles, validation, and the main entry staying free of vitest.
import { readFileSync, readdirSync } from 'node:fs';
import { afterAll, beforeEach, describe, expect, it } from 'vitest';
import { definePolicy } from '@portcullis/policy';
import { matrixTitle, outcomeOf, policyMatrix, type MatrixRow } from '@portcullis/policy/testing';
import { aCase, caseOptions, casePolicy, principal, type Case, type CaseAction, type Principal } from './fixtures.js';

const policy = casePolicy();
const admin = principal('u-admin', ['admin']);

describe('outcomeOf', () => {
  it.each([
    ['allow', admin, 'CLOSE', aCase()],
    ['unauthorized', undefined, 'CLOSE', aCase()],
    ['not_found', admin, 'CLOSE', aCase({ tenantId: 't9' })],
    ['deny', principal('u', ['reviewer']), 'CLOSE', aCase()],
  ] as const)('reports %s', (expected, p, action, resource) => {
    expect(outcomeOf(policy, p, action, resource)).toBe(expected);
  });

  it('reports a cross-tenant denial as "deny" under crossTenant "forbidden"', () => {
    const forbidding = definePolicy(caseOptions({ crossTenant: 'forbidden' }));
    expect(outcomeOf(forbidding, admin, 'CLOSE', aCase({ tenantId: 't9' }))).toBe('deny');
  });

  it('rethrows anything that is not a 401/403/404, so a broken audit hook fails the matrix', () => {
    const broken = casePolicy(() => {
      throw new Error('audit down');
    });
    expect(() => outcomeOf(broken, admin, 'CLOSE', aCase())).toThrow('audit down');
  });

  it('catches a wrong expectation (the row would fail)', () => {
    const row: MatrixRow<Principal, Case, CaseAction> = {
      principal: principal('u', ['reviewer']),
      action: 'CLOSE',
      resource: aCase(),
      expect: 'allow',
    };
    expect(outcomeOf(policy, row.principal, row.action, row.resource)).not.toBe(row.expect);
  });
});

describe('matrixTitle', () => {
  const row = (extra: Partial<MatrixRow<Principal, Case, CaseAction>>): MatrixRow<Principal, Case, CaseAction> => ({
    principal: admin,
    action: 'CLOSE',
    resource: aCase(),
    expect: 'allow',
    ...extra,
  });
  it.each([
    ['defaults', row({}), {}, 'principal CLOSE resource → allow'],
    ['anonymous', row({ principal: undefined, expect: 'unauthorized' }), {}, 'anonymous CLOSE resource → unauthorized'],
    [
      'derived role and state',
      row({}),
      { role: (p: Principal) => p.roles.join('+'), state: (c: Case) => c.status },
      'admin CLOSE open → allow',
    ],
    [
      'row fields win over options',
      row({ role: 'boss', state: 'closed' }),
      { role: () => 'x', state: () => 'y' },
      'boss CLOSE closed → allow',
    ],
  ])('%s', (_name, r, options, title) => {
    expect(matrixTitle(r, options)).toBe(title);
  });
});

describe('policyMatrix validation', () => {
  const good: MatrixRow<Principal, Case, CaseAction> = {
    principal: admin,
    action: 'CLOSE',
    resource: aCase(),
    expect: 'allow',
  };
  const bad: [string, () => void, RegExp][] = [
    [
      'no policy',
      () => {
        policyMatrix(null as never, [good]);
      },
      /"policy" must be a policy made by definePolicy\(\) \(got null\)/,
    ],
    [
      'no rows',
      () => {
        policyMatrix(policy, []);
      },
      /"rows" must be a non-empty array/,
    ],
    [
      'rows not an array',
      () => {
        policyMatrix(policy, good as never);
      },
      /"rows" must be a non-empty array/,
    ],
    [
      'a null row',
      () => {
        policyMatrix(policy, [null as never]);
      },
      /"rows\[0\]" must be an object \(got null\)/,
    ],
    [
      'an action that is not a string',
      () => {
        policyMatrix(policy, [{ ...good, action: 1 as never }]);
      },
      /"rows\[0\]\.action" must be a string \(got 1\)/,
    ],
    [
      'a misspelt expectation',
      () => {
        policyMatrix(policy, [{ ...good, expect: 'allowed' as never }]);
      },
      /"rows\[0\]\.expect" must be "allow", "deny", "not_found" or "unauthorized" \(got "allowed"\)/,
    ],
    [
      'an unknown option',
      () => {
        policyMatrix(policy, [good], { title: 'x' } as never);
      },
      /^@portcullis\/policy\/testing: "title" is not a known option \(got "x"\)/,
    ],
    [
      'options not an object',
      () => {
        policyMatrix(policy, [good], null as never);
      },
      /"options" must be a plain object \(got null\)/,
    ],
  ];
  it.each(bad)('throws a TypeError for %s', (_name, fn, message) => {
    expect(fn).toThrow(TypeError);
    expect(fn).toThrow(message);
  });
});

// Registered tests: a describe option, and repeated titles made unique.
const names: string[] = [];
describe('policyMatrix registration', () => {
  beforeEach((ctx) => {
    names.push(`${ctx.task.suite?.name ?? ''} / ${ctx.task.name}`);
  });
  afterAll(() => {
    expect(names).toEqual([
      'matrix rows / principal CLOSE resource → allow',
      'matrix rows / principal CLOSE resource → allow #2',
      'matrix rows / anonymous ESCALATE resource → unauthorized',
    ]);
  });
  policyMatrix(
    policy,
    [
      { principal: admin, action: 'CLOSE', resource: aCase(), expect: 'allow' },
      { principal: principal('u-rev', ['senior_reviewer']), action: 'CLOSE', resource: aCase(), expect: 'allow' },
      { principal: undefined, action: 'ESCALATE', resource: aCase(), expect: 'unauthorized' },
    ],
    { describe: 'matrix rows' },
  );
});

describe('entry points', () => {
  it('keeps vitest out of every source file but testing.ts', () => {
    const dir = new URL('../src/', import.meta.url);
    const offenders = readdirSync(dir)
      .filter((f) => f.endsWith('.ts') && f !== 'testing.ts')
      .filter((f) => /from ['"]vitest['"]/.test(readFileSync(new URL(f, dir), 'utf8')));
    expect(offenders).toEqual([]);
  });
});
