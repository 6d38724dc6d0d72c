// The storage contract: every method takes the tenant id and every implementation uses bound parameters only.
import type { AuditEvent, CaseRecord, CaseStatus, EvidenceRecord, ExportRecord, NoteRecord } from '../domain.js';

/** A tenant's webhook: where transition events go and the secret they are signed with. */
export interface WebhookRecord {
  readonly url: string;
  readonly secret: string;
}

/** Position after which the next page starts (keyset pagination on createdAt, id). */
export interface PageCursor {
  readonly createdAt: string;
  readonly id: string;
}

/** Options of {@link CaseStore.listCases}. */
export interface ListCasesQuery {
  /** Rows to return, 1..101 (the service asks one more than the page size to know if there is a next page). */
  readonly limit: number;
  /** Start after this position. */
  readonly after?: PageCursor | undefined;
  /** When set, only unassigned cases and cases assigned to this subject (the reviewer viewing rule). */
  readonly visibleToReviewer?: string | undefined;
}

/** A stored idempotent response, scoped to tenant + subject + key. */
export interface IdempotencyRecord {
  /** SHA-256 (hex) of the canonical request. */
  readonly requestHash: string;
  readonly status: number;
  /** The JSON body of the first response. */
  readonly body: string;
}

/** What a transaction can read and write. Every call is scoped by tenant id. */
export interface CaseStore {
  /** The case `id` of `tenantId`, or null (another tenant's case is null too). */
  getCase(tenantId: string, id: string): Promise<CaseRecord | null>;
  /** Like getCase, but locks the row until the transaction ends (PostgreSQL FOR UPDATE). */
  getCaseForUpdate(tenantId: string, id: string): Promise<CaseRecord | null>;
  /** One page of the tenant's cases, oldest first, filtered for a reviewer when asked. */
  listCases(tenantId: string, query: ListCasesQuery): Promise<CaseRecord[]>;
  /** Every case of the tenant, oldest first (for exports), at most `max` rows. */
  allCases(tenantId: string, max: number): Promise<CaseRecord[]>;
  /** Inserts a case (its tenantId is part of the record). */
  insertCase(record: CaseRecord): Promise<void>;
  /** Sets status, assignment and updatedAt of the tenant's case. */
  updateCaseStatus(
    tenantId: string,
    id: string,
    change: { status: CaseStatus; assignedReviewerId: string | null; updatedAt: string },
  ): Promise<void>;
  /** Appends one audit event. There is no statement that updates or deletes one. */
  insertAudit(event: AuditEvent): Promise<void>;
  /** The audit events of the tenant's case, oldest first. */
  listAudit(tenantId: string, caseId: string): Promise<AuditEvent[]>;
  /** Stores a sensitive note (never read back by the API). */
  insertNote(note: NoteRecord): Promise<void>;
  /**
   * The stored response for tenant + subject + key, or null. A record created before `notBefore`
   * (ISO 8601 UTC: now minus the idempotency TTL) is expired and returned as null, swept or not.
   */
  getIdempotency(tenantId: string, subject: string, key: string, notBefore: string): Promise<IdempotencyRecord | null>;
  /** Deletes the record of tenant + subject + key if it was created before `before` (expired); a fresh one stays. */
  deleteExpiredIdempotency(tenantId: string, subject: string, key: string, before: string): Promise<void>;
  /** Stores the response of a first request; a second insert of the same key fails (unique key). */
  insertIdempotency(
    tenantId: string,
    subject: string,
    key: string,
    record: IdempotencyRecord,
    at: string,
  ): Promise<void>;
  /** Records an export file as owned by the record's tenant. */
  insertExport(record: ExportRecord): Promise<void>;
  /**
   * The tenant's export record named `name`, or null. A record created before `notBefore` (ISO 8601
   * UTC: now minus the export TTL) is expired and returned as null, swept or not.
   */
  getExport(tenantId: string, name: string, notBefore: string): Promise<ExportRecord | null>;
  /** Records an evidence file of the record's tenant and case. */
  insertEvidence(record: EvidenceRecord): Promise<void>;
  /** The evidence of the tenant's case, oldest first. */
  listEvidence(tenantId: string, caseId: string): Promise<EvidenceRecord[]>;
  /** One evidence record of the tenant's case, or null (another tenant's or another case's is null too). */
  getEvidence(tenantId: string, caseId: string, id: string): Promise<EvidenceRecord | null>;
  /** Deletes at most `max` idempotency records created before `before` (every tenant), oldest first; returns how many. */
  sweepIdempotency(before: string, max: number): Promise<number>;
  /** Deletes at most `max` export records created before `before` (every tenant), oldest first; returns how many. */
  sweepExports(before: string, max: number): Promise<number>;
  /** The tenant's webhook, or null. */
  getWebhook(tenantId: string): Promise<WebhookRecord | null>;
  /** Sets (or replaces) the tenant's webhook. */
  putWebhook(tenantId: string, record: WebhookRecord, at: string): Promise<void>;
}

/** A database: reads outside transactions, writes inside one. */
export interface Repository extends CaseStore {
  /** Runs `work` in one transaction: committed when it resolves, rolled back when it rejects. */
  transaction<T>(work: (tx: CaseStore) => Promise<T>): Promise<T>;
  /** Creates the tables (idempotent). */
  migrate(): Promise<void>;
  /** Releases connections. */
  close(): Promise<void>;
  /** "sqlite" or "postgres", for logs and tests. */
  readonly kind: 'sqlite' | 'postgres';
}
