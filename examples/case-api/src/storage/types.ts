// The storage contract: every method takes the tenant id and every implementation uses bound parameters only.
import type { AuditEvent, CaseRecord, CaseStatus, ExportRecord, NoteRecord } from '../domain.js';

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
  getCase(tenantId: string, id: string): Promise<CaseRecord | null>;
  /** Like getCase, but locks the row until the transaction ends (PostgreSQL FOR UPDATE). */
  getCaseForUpdate(tenantId: string, id: string): Promise<CaseRecord | null>;
  listCases(tenantId: string, query: ListCasesQuery): Promise<CaseRecord[]>;
  /** Every case of the tenant, oldest first (for exports), at most `max` rows. */
  allCases(tenantId: string, max: number): Promise<CaseRecord[]>;
  insertCase(record: CaseRecord): Promise<void>;
  updateCaseStatus(
    tenantId: string,
    id: string,
    change: { status: CaseStatus; assignedReviewerId: string | null; updatedAt: string },
  ): Promise<void>;
  insertAudit(event: AuditEvent): Promise<void>;
  listAudit(tenantId: string, caseId: string): Promise<AuditEvent[]>;
  insertNote(note: NoteRecord): Promise<void>;
  getIdempotency(tenantId: string, subject: string, key: string): Promise<IdempotencyRecord | null>;
  insertIdempotency(tenantId: string, subject: string, key: string, record: IdempotencyRecord, at: string): Promise<void>;
  insertExport(record: ExportRecord): Promise<void>;
  getExport(tenantId: string, name: string): Promise<ExportRecord | null>;
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
