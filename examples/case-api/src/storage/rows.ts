// Maps database rows to domain records, checking the shape instead of trusting a cast.
import {
  ACTIONS,
  EVIDENCE_AUDIT_ACTIONS,
  STATUSES,
  type AuditEvent,
  type CaseAction,
  type CaseRecord,
  type CaseStatus,
  type EvidenceAuditAction,
  type EvidenceRecord,
  type ExportRecord,
} from '../domain.js';
import type { IdempotencyRecord } from './types.js';

type Row = Record<string, unknown>;

function str(row: Row, key: string): string {
  const v = row[key];
  if (typeof v !== 'string') throw new TypeError(`case-api storage: column ${key} is not text`);
  return v;
}

function strOrNull(row: Row, key: string): string | null {
  const v = row[key];
  return v === null || v === undefined ? null : str(row, key);
}

function int(row: Row, key: string): number {
  const v = row[key];
  const n = typeof v === 'string' ? Number(v) : v;
  if (typeof n !== 'number' || !Number.isSafeInteger(n))
    throw new TypeError(`case-api storage: column ${key} is not an integer`);
  return n;
}

function status(row: Row, key: string): CaseStatus {
  const v = str(row, key);
  const found = STATUSES.find((s) => s === v);
  if (found === undefined) throw new TypeError(`case-api storage: column ${key} holds an unknown status`);
  return found;
}

function action(row: Row, key: string): CaseAction | EvidenceAuditAction {
  const v = str(row, key);
  const found = ACTIONS.find((s) => s === v) ?? EVIDENCE_AUDIT_ACTIONS.find((s) => s === v);
  if (found === undefined) throw new TypeError(`case-api storage: column ${key} holds an unknown action`);
  return found;
}

/** A row of `cases` → CaseRecord. */
export function toCase(row: Row): CaseRecord {
  return {
    id: str(row, 'id'),
    tenantId: str(row, 'tenantId'),
    title: str(row, 'title'),
    description: strOrNull(row, 'description'),
    status: status(row, 'status'),
    assignedReviewerId: strOrNull(row, 'assignedReviewerId'),
    createdAt: str(row, 'createdAt'),
    updatedAt: str(row, 'updatedAt'),
  };
}

/** A row of `audit_events` → AuditEvent. */
export function toAudit(row: Row): AuditEvent {
  return {
    id: str(row, 'id'),
    tenantId: str(row, 'tenantId'),
    caseId: str(row, 'caseId'),
    actor: str(row, 'actor'),
    action: action(row, 'action'),
    from: status(row, 'from'),
    to: status(row, 'to'),
    reason: str(row, 'reason'),
    requestId: strOrNull(row, 'requestId'),
    at: str(row, 'at'),
  };
}

/** A row of `idempotency_keys` → IdempotencyRecord. */
export function toIdempotency(row: Row): IdempotencyRecord {
  return { requestHash: str(row, 'requestHash'), status: int(row, 'status'), body: str(row, 'body') };
}

/** A row of `exports` → ExportRecord. */
export function toExport(row: Row): ExportRecord {
  return {
    name: str(row, 'name'),
    tenantId: str(row, 'tenantId'),
    createdBy: str(row, 'createdBy'),
    createdAt: str(row, 'createdAt'),
    rowCount: int(row, 'rowCount'),
  };
}

/** A row of `evidence` → EvidenceRecord. */
export function toEvidence(row: Row): EvidenceRecord {
  return {
    id: str(row, 'id'),
    tenantId: str(row, 'tenantId'),
    caseId: str(row, 'caseId'),
    storedName: str(row, 'storedName'),
    clientName: str(row, 'clientName'),
    size: int(row, 'size'),
    mime: str(row, 'mime'),
    sha256: str(row, 'sha256'),
    uploadedBy: str(row, 'uploadedBy'),
    createdAt: str(row, 'createdAt'),
  };
}

/** Bound parameters of each write, in placeholder order. */
export const params = {
  insertCase: (c: CaseRecord): unknown[] => [
    c.tenantId,
    c.id,
    c.title,
    c.description,
    c.status,
    c.assignedReviewerId,
    c.createdAt,
    c.updatedAt,
  ],
  insertAudit: (e: AuditEvent): unknown[] => [
    e.tenantId,
    e.id,
    e.caseId,
    e.actor,
    e.action,
    e.from,
    e.to,
    e.reason,
    e.requestId,
    e.at,
  ],
  insertExport: (r: ExportRecord): unknown[] => [r.tenantId, r.name, r.createdBy, r.createdAt, r.rowCount],
  insertEvidence: (r: EvidenceRecord): unknown[] => [
    r.tenantId,
    r.id,
    r.caseId,
    r.storedName,
    r.clientName,
    r.size,
    r.mime,
    r.sha256,
    r.uploadedBy,
    r.createdAt,
  ],
};
