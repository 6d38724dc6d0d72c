// The authorization rules of the case tracker, on @portcullis/policy: deny by default, tenant first.
import { definePolicy, type DecisionContext, type DecisionEvent, type Policy } from '@portcullis/policy';
import { canView, hasRole, isMember, seesAllCases, type CaseAction, type Principal } from './domain.js';

/** What a rule looks at: the tenant and the assigned reviewer of a case (or just a tenant for tenant-wide actions). */
export interface PolicyResource {
  readonly id?: string;
  readonly tenantId: string;
  readonly assignedReviewerId: string | null;
}

/** Every action the policy decides: the transitions plus reading and writing around a case. */
export type PolicyAction =
  | CaseAction
  | 'VIEW'
  | 'CREATE'
  | 'IMPORT'
  | 'ADD_NOTE'
  | 'READ_AUDIT'
  | 'EXPORT'
  // The two actions that make the server send requests out (URL import, tenant webhook): admin only.
  | 'IMPORT_URL'
  | 'MANAGE_WEBHOOK'
  // Evidence files of a case (issue 24).
  | 'UPLOAD_EVIDENCE'
  | 'READ_EVIDENCE';

// Evidence (issue 24): the case's assigned reviewer, senior reviewers and admins of the tenant.
const evidenceHandler = (p: Principal, c: PolicyResource): boolean =>
  hasRole(p, 'admin') ||
  hasRole(p, 'senior_reviewer') ||
  (hasRole(p, 'reviewer') && c.assignedReviewerId !== null && c.assignedReviewerId === p.id);

const reviewerOrAbove = (p: Principal): boolean =>
  hasRole(p, 'admin') || hasRole(p, 'reviewer') || hasRole(p, 'senior_reviewer');

/** The case tracker's policy (DESIGN.md §6, issue 12). */
export type CasePolicy = Policy<Principal, PolicyResource, PolicyAction>;

/**
 * Builds the policy. `onDecision` receives ids only (never the case or the claims), for the decision log.
 * Admin may do anything in its tenant; the tenant check runs before any rule, so no rule sees another tenant.
 */
export function createCasePolicy(onDecision?: (event: DecisionEvent<PolicyAction>) => void): CasePolicy {
  const policy = definePolicy<Principal, PolicyResource, PolicyAction>({
    tenantOfPrincipal: (p) => p.tenantId,
    tenantOfResource: (r) => r.tenantId,
    idOfPrincipal: (p) => p.id,
    idOfResource: (r) => r.id ?? '',
    crossTenant: 'not_found',
    onDecision,
    rules: {
      START_REVIEW: reviewerOrAbove,
      REQUEST_EVIDENCE: reviewerOrAbove,
      ESCALATE: reviewerOrAbove,
      APPROVE_CLOSURE: (p) => hasRole(p, 'admin') || hasRole(p, 'senior_reviewer'),
      CLOSE: (p, c) => hasRole(p, 'admin') || (hasRole(p, 'senior_reviewer') && c.assignedReviewerId === p.id),
      REOPEN: (p) => hasRole(p, 'admin'),
      VIEW: (p, c) => canView(p, c),
      ADD_NOTE: (p, c) => canView(p, c),
      READ_AUDIT: (p, c) => canView(p, c),
      CREATE: (p) => isMember(p),
      IMPORT: (p) => isMember(p),
      EXPORT: (p) => seesAllCases(p),
      IMPORT_URL: (p) => hasRole(p, 'admin'),
      MANAGE_WEBHOOK: (p) => hasRole(p, 'admin'),
      UPLOAD_EVIDENCE: evidenceHandler,
      READ_EVIDENCE: evidenceHandler,
    },
  });
  // Every decision event carries the request id of the principal acting, so the service's calls need no context.
  const contextOf = (p: Principal | null | undefined): DecisionContext => ({ requestId: p?.requestId });
  const bound: CasePolicy = {
    actions: policy.actions,
    can: (p, action, r, context) => policy.can(p, action, r, context ?? contextOf(p)),
    explain: (p, action, r, context) => policy.explain(p, action, r, context ?? contextOf(p)),
    authorize: (p, action, r, context) => {
      policy.authorize(p, action, r, context ?? contextOf(p));
    },
  };
  return Object.freeze(bound);
}
