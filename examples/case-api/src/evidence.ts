// Evidence use cases (issue 24): who may attach, list and download a case's evidence files, with an audit event each.
import { randomUUID } from 'node:crypto';
import { unlink } from 'node:fs/promises';
import { NotFoundError, ValidationError } from '@portcullis/errors';
import type { UploadedFile } from '@portcullis/upload';
import type { AuditEvent, CaseRecord, EvidenceAuditAction, EvidenceRecord, Principal } from './domain.js';
import type { CasePolicy } from './policy.js';
import type { CaseStore, Repository } from './storage/index.js';

/** What the API shows of an evidence file. */
export interface EvidenceView {
  readonly id: string;
  readonly clientName: string;
  readonly size: number;
  readonly mime: string;
  readonly sha256: string;
  readonly uploadedBy: string;
  readonly at: string;
}

/** Dependencies of the evidence service. */
export interface EvidenceServiceDeps {
  readonly repo: Repository;
  readonly policy: CasePolicy;
  /** Current time. @default () => new Date() */
  readonly now?: (() => Date) | undefined;
}

/** Evidence ids are the generated stored-name stems: 26 lower-case base32 characters. */
export function isEvidenceId(value: unknown): value is string {
  return typeof value === 'string' && /^[a-z2-7]{26}$/.test(value);
}

const view = (r: EvidenceRecord): EvidenceView => ({
  id: r.id,
  clientName: r.clientName,
  size: r.size,
  mime: r.mime,
  sha256: r.sha256,
  uploadedBy: r.uploadedBy,
  at: r.createdAt,
});

async function discard(files: readonly UploadedFile[]): Promise<void> {
  // eslint-disable-next-line security/detect-non-literal-fs-filename -- paths the upload guard generated
  await Promise.all(files.map((f) => unlink(f.path).catch(() => undefined)));
}

/** The evidence service. Every method takes the verified principal and checks the policy itself. */
export class EvidenceService {
  readonly #repo: Repository;
  readonly #policy: CasePolicy;
  readonly #now: () => Date;

  constructor(deps: EvidenceServiceDeps) {
    this.#repo = deps.repo;
    this.#policy = deps.policy;
    this.#now = deps.now ?? (() => new Date());
  }

  // A case the caller may not view is reported exactly like one that does not exist (404); then the action (403).
  async #case(store: CaseStore, principal: Principal, caseId: string, action: 'UPLOAD_EVIDENCE' | 'READ_EVIDENCE') {
    const found = await store.getCase(principal.tenantId, caseId);
    if (found === null || !this.#policy.can(principal, 'VIEW', found)) {
      throw new NotFoundError('case not found or not visible');
    }
    this.#policy.authorize(principal, action, found);
    return found;
  }

  #audit(principal: Principal, c: CaseRecord, action: EvidenceAuditAction, evidenceId: string, requestId?: string) {
    const event: AuditEvent = {
      id: randomUUID(),
      tenantId: principal.tenantId,
      caseId: c.id,
      actor: principal.id,
      action,
      from: c.status,
      to: c.status,
      reason: `evidence ${evidenceId}`,
      requestId: requestId ?? null,
      at: this.#now().toISOString(),
    };
    return event;
  }

  /** Checked before the body is read: an unauthorised upload is refused without storing a byte. */
  async authorizeUpload(principal: Principal, caseId: string): Promise<void> {
    await this.#case(this.#repo, principal, caseId, 'UPLOAD_EVIDENCE');
  }

  /**
   * Records the stored files and one audit event per file in one transaction (checked again inside it).
   * If that fails, the stored files are removed, so no file exists without its record.
   */
  async recordUploads(
    principal: Principal,
    caseId: string,
    files: readonly UploadedFile[],
    requestId?: string,
  ): Promise<EvidenceView[]> {
    try {
      if (files.length === 0) {
        throw new ValidationError('no evidence file', {
          issues: [{ pointer: '/evidence', message: 'attach at least one file in the field "evidence"' }],
        });
      }
      return await this.#repo.transaction(async (tx) => {
        const found = await this.#case(tx, principal, caseId, 'UPLOAD_EVIDENCE');
        const at = this.#now().toISOString();
        const out: EvidenceView[] = [];
        for (const f of files) {
          const record: EvidenceRecord = {
            id: f.id,
            tenantId: principal.tenantId,
            caseId,
            storedName: f.storedName,
            clientName: f.clientName,
            size: f.size,
            mime: f.mime,
            sha256: f.sha256,
            uploadedBy: principal.id,
            createdAt: at,
          };
          await tx.insertEvidence(record);
          await tx.insertAudit(this.#audit(principal, found, 'UPLOAD_EVIDENCE', f.id, requestId));
          out.push(view(record));
        }
        return out;
      });
    } catch (error) {
      await discard(files);
      throw error;
    }
  }

  /** The case's evidence, oldest first. */
  async list(principal: Principal, caseId: string): Promise<EvidenceView[]> {
    await this.#case(this.#repo, principal, caseId, 'READ_EVIDENCE');
    return (await this.#repo.listEvidence(principal.tenantId, caseId)).map(view);
  }

  /** The record of one evidence file, after the policy and an audit event of the download. */
  async authorizeDownload(
    principal: Principal,
    caseId: string,
    evidenceId: string,
    requestId?: string,
  ): Promise<EvidenceRecord> {
    return this.#repo.transaction(async (tx) => {
      const found = await this.#case(tx, principal, caseId, 'READ_EVIDENCE');
      const record = await tx.getEvidence(principal.tenantId, caseId, evidenceId);
      if (record === null) throw new NotFoundError('evidence not found');
      await tx.insertAudit(this.#audit(principal, found, 'DOWNLOAD_EVIDENCE', evidenceId, requestId));
      return record;
    });
  }
}
