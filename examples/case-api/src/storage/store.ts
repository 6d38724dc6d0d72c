// One CaseStore over any driver that can run a named statement with bound parameters.
import type { AuditEvent, CaseRecord, EvidenceRecord, ExportRecord, NoteRecord } from '../domain.js';
import type { StatementName } from './sql.js';
import { params, toAudit, toCase, toEvidence, toExport, toIdempotency } from './rows.js';
import type { CaseStore, IdempotencyRecord, ListCasesQuery } from './types.js';

/** Runs one of the fixed statements with positional parameters and returns its rows. */
export type Runner = (name: StatementName, values: readonly unknown[]) => Promise<Record<string, unknown>[]>;

/** Builds the tenant-scoped store on top of a runner. */
export function makeStore(run: Runner): CaseStore {
  return {
    async getCase(tenantId, id) {
      const rows = await run('getCase', [tenantId, id]);
      return rows[0] === undefined ? null : toCase(rows[0]);
    },
    async getCaseForUpdate(tenantId, id) {
      const rows = await run('getCaseForUpdate', [tenantId, id]);
      return rows[0] === undefined ? null : toCase(rows[0]);
    },
    async listCases(tenantId: string, q: ListCasesQuery) {
      const rows = await run('listCases', [
        tenantId,
        q.visibleToReviewer ?? null,
        q.after?.createdAt ?? null,
        q.after?.id ?? null,
        q.limit,
      ]);
      return rows.map(toCase);
    },
    async allCases(tenantId, max) {
      return (await run('allCases', [tenantId, max])).map(toCase);
    },
    async insertCase(record: CaseRecord) {
      await run('insertCase', params.insertCase(record));
    },
    async updateCaseStatus(tenantId, id, change) {
      await run('updateCaseStatus', [tenantId, id, change.status, change.assignedReviewerId, change.updatedAt]);
    },
    async insertAudit(event: AuditEvent) {
      await run('insertAudit', params.insertAudit(event));
    },
    async listAudit(tenantId, caseId) {
      return (await run('listAudit', [tenantId, caseId])).map(toAudit);
    },
    async insertNote(note: NoteRecord) {
      await run('insertNote', [note.tenantId, note.id, note.caseId, note.authorId, note.body, note.createdAt]);
    },
    async getIdempotency(tenantId, subject, key, notBefore) {
      const rows = await run('getIdempotency', [tenantId, subject, key, notBefore]);
      return rows[0] === undefined ? null : toIdempotency(rows[0]);
    },
    async deleteExpiredIdempotency(tenantId, subject, key, before) {
      await run('deleteExpiredIdempotency', [tenantId, subject, key, before]);
    },
    async insertIdempotency(tenantId, subject, key, record: IdempotencyRecord, at) {
      await run('insertIdempotency', [tenantId, subject, key, record.requestHash, record.status, record.body, at]);
    },
    async insertExport(record: ExportRecord) {
      await run('insertExport', params.insertExport(record));
    },
    async getExport(tenantId, name, notBefore) {
      const rows = await run('getExport', [tenantId, name, notBefore]);
      return rows[0] === undefined ? null : toExport(rows[0]);
    },
    async insertEvidence(record: EvidenceRecord) {
      await run('insertEvidence', params.insertEvidence(record));
    },
    async listEvidence(tenantId, caseId) {
      return (await run('listEvidence', [tenantId, caseId])).map(toEvidence);
    },
    async getEvidence(tenantId, caseId, id) {
      const rows = await run('getEvidence', [tenantId, caseId, id]);
      return rows[0] === undefined ? null : toEvidence(rows[0]);
    },
    async sweepIdempotency(before, max) {
      return (await run('sweepIdempotency', [before, max])).length;
    },
    async sweepExports(before, max) {
      return (await run('sweepExports', [before, max])).length;
    },
    async getWebhook(tenantId) {
      const row = (await run('getWebhook', [tenantId]))[0];
      if (row === undefined || typeof row['url'] !== 'string' || typeof row['secret'] !== 'string') return null;
      return { url: row['url'], secret: row['secret'] };
    },
    async putWebhook(tenantId, record, at) {
      await run('putWebhook', [tenantId, record.url, record.secret, at]);
    },
  };
}
