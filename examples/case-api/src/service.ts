// The use cases: every one takes the verified principal and enforces the policy itself, whoever calls it.
import { createHash, randomUUID } from 'node:crypto';
import { writeFile } from 'node:fs/promises';
import { ConflictError, NotFoundError } from '@portcullis/errors';
import { generateFileName, resolveSafePath } from '@portcullis/paths';
import { toCsvSafe } from '@portcullis/upload';
import {
  assignsActor,
  nextStatus,
  seesAllCases,
  type AuditEvent,
  type CaseAction,
  type CaseRecord,
  type ExportRecord,
  type Principal,
} from './domain.js';
import type { CasePolicy, PolicyResource } from './policy.js';
import {
  checkPositiveInteger,
  DEFAULT_EXPORT_TTL_SEC,
  DEFAULT_IDEMPOTENCY_TTL_SEC,
  expiredBefore,
} from './retention.js';
import type { CaseStore, PageCursor, Repository } from './storage/index.js';

/** Dependencies of the service. */
export interface CaseServiceDeps {
  readonly repo: Repository;
  readonly policy: CasePolicy;
  /** Directory the export files are written to (must exist). */
  readonly exportsDir: string;
  /** Current time. @default () => new Date() */
  readonly now?: (() => Date) | undefined;
  /** Age after which an idempotency record is expired: never replayed, never a conflict, seconds. @default 86400 */
  readonly idempotencyTtlSec?: number | undefined;
  /** Age after which an export cannot be downloaded any more (404), seconds. @default 3600 */
  readonly exportTtlSec?: number | undefined;
  /** Called with the audit event of each committed transition (not for replays), e.g. to send webhooks. Must not throw (a throw is swallowed). */
  readonly onTransition?: ((event: AuditEvent) => void) | undefined;
}

/** Input of a transition (already shape-validated). */
export interface TransitionInput {
  readonly action: CaseAction;
  readonly reason: string;
}

/** A response the transition produced (or replayed from the idempotency store). */
export interface TransitionResult {
  readonly status: number;
  /** JSON text of the body, exactly as first sent. */
  readonly body: string;
  /** True when this is a replay of a stored response. */
  readonly replayed: boolean;
}

/** Rows an export holds at most. */
export const MAX_EXPORT_ROWS = 100_000;

/** Columns of an export, in order. Notes are never exported. */
export const EXPORT_COLUMNS = [
  'id',
  'title',
  'description',
  'status',
  'assignedReviewerId',
  'createdAt',
  'updatedAt',
] as const;

const tenantScope = (principal: Principal): PolicyResource => ({
  tenantId: principal.tenantId,
  assignedReviewerId: null,
});

function isUniqueViolation(error: unknown): boolean {
  if (typeof error !== 'object' || error === null) return false;
  const code = (error as { code?: unknown }).code;
  return code === '23505' || code === 'SQLITE_CONSTRAINT_PRIMARYKEY' || code === 'SQLITE_CONSTRAINT_UNIQUE';
}

/** The case service. */
export class CaseService {
  readonly #repo: Repository;
  readonly #policy: CasePolicy;
  readonly #exportsDir: string;
  readonly #now: () => Date;
  readonly #idempotencyTtlSec: number;
  readonly #exportTtlSec: number;
  readonly #onTransition: ((event: AuditEvent) => void) | undefined;

  constructor(deps: CaseServiceDeps) {
    this.#onTransition = deps.onTransition;
    this.#repo = deps.repo;
    this.#policy = deps.policy;
    this.#exportsDir = deps.exportsDir;
    this.#now = deps.now ?? (() => new Date());
    this.#idempotencyTtlSec = deps.idempotencyTtlSec ?? DEFAULT_IDEMPOTENCY_TTL_SEC;
    this.#exportTtlSec = deps.exportTtlSec ?? DEFAULT_EXPORT_TTL_SEC;
    checkPositiveInteger('CaseService', 'idempotencyTtlSec', this.#idempotencyTtlSec);
    checkPositiveInteger('CaseService', 'exportTtlSec', this.#exportTtlSec);
  }

  #timestamp(): string {
    return this.#now().toISOString();
  }

  // A case the caller may not view is reported exactly like one that does not exist (404).
  async #visibleCase(store: CaseStore, principal: Principal, id: string, lock = false): Promise<CaseRecord> {
    const found = lock
      ? await store.getCaseForUpdate(principal.tenantId, id)
      : await store.getCase(principal.tenantId, id);
    if (found === null || !this.#policy.can(principal, 'VIEW', found))
      throw new NotFoundError('case not found or not visible');
    return found;
  }

  /** One page of the cases the caller may view, oldest first. */
  async listCases(
    principal: Principal,
    page: { limit: number; after?: PageCursor | undefined },
  ): Promise<{ items: CaseRecord[]; next: PageCursor | null }> {
    this.#policy.authorize(principal, 'VIEW', tenantScope(principal));
    const rows = await this.#repo.listCases(principal.tenantId, {
      limit: page.limit + 1,
      after: page.after,
      visibleToReviewer: seesAllCases(principal) ? undefined : principal.id,
    });
    const items = rows.slice(0, page.limit).filter((c) => this.#policy.can(principal, 'VIEW', c));
    const last = items.at(-1);
    return {
      items,
      next: rows.length > page.limit && last !== undefined ? { createdAt: last.createdAt, id: last.id } : null,
    };
  }

  /** Creates a case in the caller's tenant, status OPEN. */
  async createCase(
    principal: Principal,
    input: { title: string; description?: string | undefined },
  ): Promise<CaseRecord> {
    this.#policy.authorize(principal, 'CREATE', tenantScope(principal));
    const at = this.#timestamp();
    const record: CaseRecord = {
      id: randomUUID(),
      tenantId: principal.tenantId,
      title: input.title,
      description: input.description ?? null,
      status: 'OPEN',
      assignedReviewerId: null,
      createdAt: at,
      updatedAt: at,
    };
    await this.#repo.transaction((tx) => tx.insertCase(record));
    return record;
  }

  /** Creates every row in one transaction (all or nothing). Rows are already validated. */
  async importCases(
    principal: Principal,
    rows: readonly { title: string; description: string | null }[],
  ): Promise<number> {
    this.#policy.authorize(principal, 'IMPORT', tenantScope(principal));
    const at = this.#timestamp();
    await this.#repo.transaction(async (tx) => {
      for (const row of rows) {
        await tx.insertCase({
          id: randomUUID(),
          tenantId: principal.tenantId,
          title: row.title,
          description: row.description,
          status: 'OPEN',
          assignedReviewerId: null,
          createdAt: at,
          updatedAt: at,
        });
      }
    });
    return rows.length;
  }

  /** The case, or 404 when unknown, another tenant's, or not visible to the caller. */
  async getCase(principal: Principal, id: string): Promise<CaseRecord> {
    return this.#visibleCase(this.#repo, principal, id);
  }

  /**
   * Applies a transition: one transaction holds the case update, its audit event and the idempotency record.
   * With `idempotencyKey`, a retry with the same body returns the stored response and writes nothing; the
   * same key with another request → 409 idempotency_conflict. Keys are scoped to tenant + subject. A record
   * older than the idempotency TTL is expired: treated as absent (no replay, no conflict) and replaced.
   */
  async transition(
    principal: Principal,
    id: string,
    input: TransitionInput,
    context: { idempotencyKey?: string | undefined; requestId?: string | undefined },
  ): Promise<TransitionResult> {
    const requestHash = createHash('sha256')
      .update(JSON.stringify(['transition', id, input.action, input.reason]))
      .digest('hex');
    const attempt = (): Promise<TransitionResult & { event?: AuditEvent }> =>
      this.#repo.transaction(async (tx) => {
        // Lock first, so a concurrent retry waits here and then sees the stored response.
        const locked = await tx.getCaseForUpdate(principal.tenantId, id);
        const key = context.idempotencyKey;
        // Checked in the lookup itself, so an expired record is absent whether or not the sweeper ran yet.
        const notBefore = expiredBefore(this.#now(), this.#idempotencyTtlSec);
        if (key !== undefined) {
          const stored = await tx.getIdempotency(principal.tenantId, principal.id, key, notBefore);
          if (stored !== null) {
            if (stored.requestHash !== requestHash) {
              throw new ConflictError('idempotency key reused with another request', {
                code: 'idempotency_conflict',
                detail: 'This Idempotency-Key was already used with a different request.',
              });
            }
            return { status: stored.status, body: stored.body, replayed: true };
          }
        }
        if (locked === null || !this.#policy.can(principal, 'VIEW', locked))
          throw new NotFoundError('case not found or not visible');
        this.#policy.authorize(principal, input.action, locked);
        const to = nextStatus(locked.status, input.action);
        if (to === null) {
          throw new ConflictError(`transition ${input.action} not allowed from ${locked.status}`, {
            code: 'invalid_transition',
            detail: `The action ${input.action} is not allowed from status ${locked.status}.`,
          });
        }
        const at = this.#timestamp();
        const updated: CaseRecord = {
          ...locked,
          status: to,
          assignedReviewerId: assignsActor(input.action) ? principal.id : locked.assignedReviewerId,
          updatedAt: at,
        };
        await tx.updateCaseStatus(principal.tenantId, id, {
          status: to,
          assignedReviewerId: updated.assignedReviewerId,
          updatedAt: at,
        });
        const event: AuditEvent = {
          id: randomUUID(),
          tenantId: principal.tenantId,
          caseId: id,
          actor: principal.id,
          action: input.action,
          from: locked.status,
          to,
          reason: input.reason,
          requestId: context.requestId ?? null,
          at,
        };
        await tx.insertAudit(event);
        const body = JSON.stringify(updated);
        if (key !== undefined) {
          // An expired record still holds the unique key: replace it in this transaction. A fresh one
          // (a concurrent first request) is kept, so the insert fails and the retry below replays it.
          await tx.deleteExpiredIdempotency(principal.tenantId, principal.id, key, notBefore);
          await tx.insertIdempotency(principal.tenantId, principal.id, key, { requestHash, status: 200, body }, at);
        }
        return { status: 200, body, replayed: false, event };
      });
    let result: TransitionResult & { event?: AuditEvent };
    try {
      result = await attempt();
    } catch (error) {
      // Two first requests with one key raced on different cases: the loser replays or conflicts.
      if (!isUniqueViolation(error)) throw error;
      result = await attempt();
    }
    // After the commit, never inside it: a listener can neither delay nor fail the transition.
    if (result.event !== undefined && this.#onTransition !== undefined) {
      try {
        this.#onTransition(result.event);
      } catch {
        // swallowed on purpose (see onTransition)
      }
    }
    return { status: result.status, body: result.body, replayed: result.replayed };
  }

  /** The case's audit events, oldest first. */
  async listAudit(principal: Principal, id: string): Promise<AuditEvent[]> {
    const found = await this.#visibleCase(this.#repo, principal, id);
    this.#policy.authorize(principal, 'READ_AUDIT', found);
    return this.#repo.listAudit(principal.tenantId, id);
  }

  /** Stores a sensitive note. The body is never logged, returned or exported. */
  async addNote(
    principal: Principal,
    id: string,
    body: string,
  ): Promise<{ id: string; caseId: string; authorId: string; createdAt: string }> {
    return this.#repo.transaction(async (tx) => {
      const found = await this.#visibleCase(tx, principal, id);
      this.#policy.authorize(principal, 'ADD_NOTE', found);
      const note = {
        id: randomUUID(),
        tenantId: principal.tenantId,
        caseId: id,
        authorId: principal.id,
        body,
        createdAt: this.#timestamp(),
      };
      await tx.insertNote(note);
      return { id: note.id, caseId: id, authorId: principal.id, createdAt: note.createdAt };
    });
  }

  /** Writes a CSV of the tenant's cases under a generated name and records who owns it. */
  async createExport(principal: Principal): Promise<ExportRecord> {
    this.#policy.authorize(principal, 'EXPORT', tenantScope(principal));
    const cases = await this.#repo.allCases(principal.tenantId, MAX_EXPORT_ROWS);
    const csv = toCsvSafe([
      EXPORT_COLUMNS,
      ...cases.map((c) => [c.id, c.title, c.description, c.status, c.assignedReviewerId, c.createdAt, c.updatedAt]),
    ]);
    const name = generateFileName('.csv');
    // The name is ours, but it still goes through the same resolution as a download (must not exist yet).
    const target = await resolveSafePath(this.#exportsDir, name, { mustExist: false, allowedExtensions: ['.csv'] });
    // eslint-disable-next-line security/detect-non-literal-fs-filename -- target comes from resolveSafePath on a generated name
    await writeFile(target, csv, { flag: 'wx', mode: 0o600 });
    const record: ExportRecord = {
      name,
      tenantId: principal.tenantId,
      createdBy: principal.id,
      createdAt: this.#timestamp(),
      rowCount: cases.length,
    };
    await this.#repo.transaction((tx) => tx.insertExport(record));
    return record;
  }

  /** Checks that the caller's tenant made export `name` within the export TTL (else 404) before the file is served. */
  async authorizeExportDownload(principal: Principal, name: string): Promise<ExportRecord> {
    const record = await this.#repo.getExport(principal.tenantId, name, expiredBefore(this.#now(), this.#exportTtlSec));
    if (record === null) throw new NotFoundError('export not found for this tenant');
    this.#policy.authorize(principal, 'EXPORT', {
      id: record.name,
      tenantId: record.tenantId,
      assignedReviewerId: null,
    });
    return record;
  }
}
