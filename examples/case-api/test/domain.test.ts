// The transition table and the viewing rule, as pure functions.
import { describe, expect, it } from 'vitest';
import {
  ACTIONS,
  STATUSES,
  canView,
  isCaseAction,
  nextStatus,
  type CaseAction,
  type CaseStatus,
} from '../src/domain.js';

const expected: Record<CaseAction, Partial<Record<CaseStatus, CaseStatus>>> = {
  START_REVIEW: { OPEN: 'IN_REVIEW', EVIDENCE_REQUESTED: 'IN_REVIEW' },
  REQUEST_EVIDENCE: { IN_REVIEW: 'EVIDENCE_REQUESTED' },
  ESCALATE: { IN_REVIEW: 'ESCALATED' },
  APPROVE_CLOSURE: { IN_REVIEW: 'APPROVED_FOR_CLOSURE', ESCALATED: 'APPROVED_FOR_CLOSURE' },
  CLOSE: { APPROVED_FOR_CLOSURE: 'CLOSED' },
  REOPEN: { CLOSED: 'OPEN' },
};

describe('transition table [ASVS V2.3.1]', () => {
  const rows = ACTIONS.flatMap((action) =>
    STATUSES.map((status) => ({ action, status, to: expected[action][status] ?? null })),
  );
  it.each(rows)('$action from $status → $to', ({ action, status, to }) => {
    expect(nextStatus(status, action)).toBe(to);
  });

  it.each(['close', '__proto__', 'constructor', 'toString', '', 42, null])('rejects %j as an action', (value) => {
    expect(isCaseAction(value)).toBe(false);
  });
});

describe('viewing rule', () => {
  const cases = [
    { roles: ['admin'], assigned: 'other', visible: true },
    { roles: ['senior_reviewer'], assigned: 'other', visible: true },
    { roles: ['reviewer'], assigned: null, visible: true },
    { roles: ['reviewer'], assigned: 'me', visible: true },
    { roles: ['reviewer'], assigned: 'other', visible: false },
    { roles: ['auditor'], assigned: null, visible: false },
    { roles: [], assigned: null, visible: false },
  ];
  it.each(cases)('roles $roles, assigned $assigned → visible $visible', ({ roles, assigned, visible }) => {
    expect(canView({ id: 'me', tenantId: 't1', roles }, { assignedReviewerId: assigned })).toBe(visible);
  });
});
