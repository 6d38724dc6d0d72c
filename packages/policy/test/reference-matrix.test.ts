// The reference service's authorization matrix (DESIGN.md §6), run through policyMatrix.
import { afterAll, beforeEach, describe, expect } from 'vitest';
import { policyMatrix, type MatrixRow } from '@portcullis/policy/testing';
import { aCase, casePolicy, principal, type Case, type CaseAction, type Principal } from './fixtures.js';

const policy = casePolicy();
const admin = principal('u-admin', ['admin']);
const reviewer = principal('u-rev', ['reviewer']);
const senior = principal('u-rev', ['senior_reviewer']);
const otherSenior = principal('u-other', ['senior_reviewer']);
const assigned = aCase({ assignedReviewerId: 'u-rev' });
const foreign = aCase({ id: 'case-9', tenantId: 't2', assignedReviewerId: 'u-rev' });
const actions: CaseAction[] = ['ESCALATE', 'REQUEST_EVIDENCE', 'CLOSE'];

type Row = MatrixRow<Principal, Case, CaseAction>;
const rows: Row[] = [
  // admin may do anything in its tenant
  ...actions.map((action): Row => ({ principal: admin, action, resource: assigned, expect: 'allow' })),
  // reviewer: ESCALATE / REQUEST_EVIDENCE yes, CLOSE no
  { principal: reviewer, action: 'ESCALATE', resource: assigned, expect: 'allow' },
  { principal: reviewer, action: 'REQUEST_EVIDENCE', resource: assigned, expect: 'allow' },
  { principal: reviewer, action: 'CLOSE', resource: assigned, expect: 'deny' },
  // senior reviewer: CLOSE only when assigned to the case
  { principal: senior, action: 'CLOSE', resource: assigned, expect: 'allow' },
  { principal: otherSenior, action: 'CLOSE', resource: assigned, expect: 'deny' },
  { principal: senior, action: 'ESCALATE', resource: assigned, expect: 'allow' },
  // anonymous: nothing
  ...actions.map((action): Row => ({ principal: undefined, action, resource: assigned, expect: 'unauthorized' })),
  // another tenant's case: hidden, whatever the role and even when "assigned" by id
  ...[admin, reviewer, senior].flatMap((p) =>
    actions.map((action): Row => ({ principal: p, action, resource: foreign, expect: 'not_found' })),
  ),
  // an action without a rule: denied, even for admin
  { principal: admin, action: 'DELETE' as CaseAction, resource: assigned, expect: 'deny' },
  {
    principal: senior,
    action: 'constructor' as CaseAction,
    resource: assigned,
    expect: 'deny',
    state: 'prototype-key',
  },
];

const titles: string[] = [];
describe('reference service policy [ASVS V8.2.1, V8.2.2]', () => {
  beforeEach((ctx) => {
    titles.push(ctx.task.name);
  });
  afterAll(() => {
    // One test per row, titled "<role> <action> <state> → <expect>".
    expect(titles).toHaveLength(rows.length);
    expect(titles).toContain('admin CLOSE unassigned → allow');
    expect(titles).toContain('senior_reviewer CLOSE unassigned → deny');
    expect(titles).toContain('anonymous ESCALATE case → unauthorized');
    expect(titles).toContain('reviewer CLOSE other-tenant → not_found');
    expect(titles).toContain('admin DELETE unassigned → deny');
    expect(titles).toContain('senior_reviewer constructor prototype-key → deny');
  });
  policyMatrix(policy, rows, {
    role: (p) => p.roles.join('+'),
    state: (c, p) =>
      c.tenantId !== 't1'
        ? 'other-tenant'
        : p === undefined
          ? 'case'
          : c.assignedReviewerId === p.sub
            ? 'assigned'
            : 'unassigned',
  });
});
