// The reference service's policy (DESIGN.md §6), shared by the tests.
import { z } from 'zod';
import { definePolicy, type DecisionEvent, type PolicyOptions, type Rule } from '@portcullis/policy';

export const Role = z.enum(['reviewer', 'senior_reviewer', 'admin']);
export type Role = z.infer<typeof Role>;

/** Verified claims → principal, as the case API builds it. */
export const PrincipalClaims = z
  .object({ sub: z.string().min(1), tenant_id: z.string().min(1), roles: z.array(Role) })
  .transform((c) => ({ sub: c.sub, tenantId: c.tenant_id, roles: c.roles }));
export type Principal = z.output<typeof PrincipalClaims>;

export interface Case {
  id: string;
  tenantId: string;
  status: 'open' | 'escalated' | 'closed';
  assignedReviewerId: string | null;
  notes: string;
}

export type CaseAction = 'ESCALATE' | 'REQUEST_EVIDENCE' | 'CLOSE';

const has = (p: Principal, role: Role): boolean => p.roles.includes(role);
const isReviewer = (p: Principal): boolean => has(p, 'reviewer') || has(p, 'senior_reviewer');

export const caseRules = {
  ESCALATE: (p: Principal) => has(p, 'admin') || isReviewer(p),
  REQUEST_EVIDENCE: (p: Principal) => has(p, 'admin') || isReviewer(p),
  CLOSE: (p: Principal, c: Case) => has(p, 'admin') || (has(p, 'senior_reviewer') && c.assignedReviewerId === p.sub),
};

export function caseOptions(
  extra: Partial<PolicyOptions<Principal, Case, CaseAction>> = {},
): PolicyOptions<Principal, Case, CaseAction> {
  return {
    tenantOfPrincipal: (p) => p.tenantId,
    tenantOfResource: (c) => c.tenantId,
    idOfPrincipal: (p) => p.sub,
    idOfResource: (c) => c.id,
    rules: caseRules,
    ...extra,
  };
}

export function casePolicy(onDecision?: (event: DecisionEvent<CaseAction>) => void) {
  return definePolicy(caseOptions(onDecision === undefined ? {} : { onDecision }));
}

export const SECRET_NOTE = 'patient-7 diagnosis: confidential';

export function principal(sub: string, roles: Role[], tenantId = 't1'): Principal {
  return { sub, tenantId, roles };
}

export function aCase(overrides: Partial<Case> = {}): Case {
  return {
    id: 'case-1',
    tenantId: 't1',
    status: 'open',
    assignedReviewerId: 'u-rev',
    notes: SECRET_NOTE,
    ...overrides,
  };
}

/** The case policy's extractors with other rules (any action names). */
export function withRules<A extends string>(rules: { readonly [K in A]: Rule<Principal, Case> }): PolicyOptions<
  Principal,
  Case,
  A
> {
  return {
    tenantOfPrincipal: (p) => p.tenantId,
    tenantOfResource: (c) => c.tenantId,
    idOfPrincipal: (p) => p.sub,
    idOfResource: (c) => c.id,
    rules,
  };
}
