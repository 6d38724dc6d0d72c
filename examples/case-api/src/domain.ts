// The case domain: statuses, actions, the transition table and the records the service stores.

/** Every status a case can be in. */
export const STATUSES = [
  'OPEN',
  'IN_REVIEW',
  'EVIDENCE_REQUESTED',
  'ESCALATED',
  'APPROVED_FOR_CLOSURE',
  'CLOSED',
] as const;
/** A case status. */
export type CaseStatus = (typeof STATUSES)[number];

/** Every transition action. */
export const ACTIONS = ['START_REVIEW', 'REQUEST_EVIDENCE', 'ESCALATE', 'APPROVE_CLOSURE', 'CLOSE', 'REOPEN'] as const;
/** A transition action. */
export type CaseAction = (typeof ACTIONS)[number];

/** Audit actions that record evidence uploads and downloads (status unchanged: from = to). */
export const EVIDENCE_AUDIT_ACTIONS = ['UPLOAD_EVIDENCE', 'DOWNLOAD_EVIDENCE'] as const;
/** An evidence audit action. */
export type EvidenceAuditAction = (typeof EVIDENCE_AUDIT_ACTIONS)[number];

/** Roles carried in the verified `roles` claim. Other strings are ignored. */
export const ROLES = ['reviewer', 'senior_reviewer', 'admin'] as const;
/** A role the service understands. */
export type Role = (typeof ROLES)[number];

interface TransitionRule {
  readonly from: readonly CaseStatus[];
  readonly to: CaseStatus;
  /** START_REVIEW assigns the actor as the case's reviewer. */
  readonly assignsActor: boolean;
}

/** The transition table (DESIGN.md §6). Anything not listed here is an invalid transition (409). */
export const TRANSITIONS: Readonly<Record<CaseAction, TransitionRule>> = Object.freeze({
  START_REVIEW: { from: ['OPEN', 'EVIDENCE_REQUESTED'], to: 'IN_REVIEW', assignsActor: true },
  REQUEST_EVIDENCE: { from: ['IN_REVIEW'], to: 'EVIDENCE_REQUESTED', assignsActor: false },
  ESCALATE: { from: ['IN_REVIEW'], to: 'ESCALATED', assignsActor: false },
  APPROVE_CLOSURE: { from: ['IN_REVIEW', 'ESCALATED'], to: 'APPROVED_FOR_CLOSURE', assignsActor: false },
  CLOSE: { from: ['APPROVED_FOR_CLOSURE'], to: 'CLOSED', assignsActor: false },
  REOPEN: { from: ['CLOSED'], to: 'OPEN', assignsActor: false },
});

/** True when `value` is one of the known actions (own keys only: "__proto__" is not an action). */
export function isCaseAction(value: unknown): value is CaseAction {
  return typeof value === 'string' && (ACTIONS as readonly string[]).includes(value);
}

/** The status after `action` from `status`, or null when the table does not allow it. */
export function nextStatus(status: CaseStatus, action: CaseAction): CaseStatus | null {
  const rule = TRANSITIONS[action];
  return rule.from.includes(status) ? rule.to : null;
}

/** Whether applying `action` makes the actor the assigned reviewer. */
export function assignsActor(action: CaseAction): boolean {
  return TRANSITIONS[action].assignsActor;
}

/** A case as stored and as returned by the API. Notes are stored apart and never part of it. */
export interface CaseRecord {
  readonly id: string;
  readonly tenantId: string;
  readonly title: string;
  readonly description: string | null;
  readonly status: CaseStatus;
  readonly assignedReviewerId: string | null;
  /** ISO 8601 UTC timestamp. */
  readonly createdAt: string;
  /** ISO 8601 UTC timestamp. */
  readonly updatedAt: string;
}

/** One audit event: written in the same transaction as the transition it records. */
export interface AuditEvent {
  readonly id: string;
  readonly tenantId: string;
  readonly caseId: string;
  /** The subject (`sub`) that performed the action. */
  readonly actor: string;
  readonly action: CaseAction | EvidenceAuditAction;
  readonly from: CaseStatus;
  readonly to: CaseStatus;
  readonly reason: string;
  readonly requestId: string | null;
  /** ISO 8601 UTC timestamp. */
  readonly at: string;
}

/** A sensitive note: stored, never logged, never exported, never returned in case JSON. */
export interface NoteRecord {
  readonly id: string;
  readonly tenantId: string;
  readonly caseId: string;
  readonly authorId: string;
  readonly body: string;
  readonly createdAt: string;
}

/** An export file record: the server-generated file name, owned by one tenant. */
export interface ExportRecord {
  readonly name: string;
  readonly tenantId: string;
  readonly createdBy: string;
  readonly createdAt: string;
  readonly rowCount: number;
}

/** An evidence file of a case: stored under a generated name by @portcullis/upload, its sniffed type recorded. */
export interface EvidenceRecord {
  /** The generated id (26 base32 characters): also the stored file's name without extension. */
  readonly id: string;
  readonly tenantId: string;
  readonly caseId: string;
  /** The stored file name, `<id>.<ext>`, inside EVIDENCE_DIR. */
  readonly storedName: string;
  /** The client's file name, sanitised, for display only. */
  readonly clientName: string;
  /** Bytes. */
  readonly size: number;
  /** The sniffed media type. */
  readonly mime: string;
  /** SHA-256 of the content, hex. */
  readonly sha256: string;
  /** The subject that uploaded it. */
  readonly uploadedBy: string;
  /** ISO 8601 UTC timestamp. */
  readonly createdAt: string;
}

/** The authenticated caller, built from verified JWT claims only. */
export interface Principal {
  /** The token's `sub`. */
  readonly id: string;
  /** The token's `tenant_id`. */
  readonly tenantId: string;
  /** The token's `roles`, as given (unknown roles grant nothing). */
  readonly roles: readonly string[];
  /** The server's id of the request acting (`req.id`, never a client header): for decision logs. */
  readonly requestId?: string | undefined;
}

/** True when the principal carries `role`. */
export function hasRole(principal: Principal, role: Role): boolean {
  return principal.roles.includes(role);
}

/** True when the principal carries at least one role the service understands. */
export function isMember(principal: Principal): boolean {
  return ROLES.some((r) => principal.roles.includes(r));
}

/** Admins and senior reviewers see every case of their tenant. */
export function seesAllCases(principal: Principal): boolean {
  return hasRole(principal, 'admin') || hasRole(principal, 'senior_reviewer');
}

/**
 * Viewing rule (same tenant assumed, checked separately): admins and senior reviewers see every case;
 * a reviewer sees unassigned cases and cases assigned to them; anyone else sees nothing.
 */
export function canView(principal: Principal, c: Pick<CaseRecord, 'assignedReviewerId'>): boolean {
  if (seesAllCases(principal)) return true;
  if (hasRole(principal, 'reviewer')) return c.assignedReviewerId === null || c.assignedReviewerId === principal.id;
  return false;
}
