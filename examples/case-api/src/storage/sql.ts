// The SQL shared by both databases: fixed statements with bound parameters only, every one filtered by tenant_id
// (except the two retention sweeps, which take no input but the clock).
// Placeholders are written as $1..$n; the SQLite driver receives them rewritten to ?NNN (same numbering).

/** Schema, one statement per entry (idempotent). */
export const MIGRATIONS: readonly string[] = [
  `CREATE TABLE IF NOT EXISTS cases (
     tenant_id TEXT NOT NULL,
     id TEXT NOT NULL,
     title TEXT NOT NULL,
     description TEXT,
     status TEXT NOT NULL,
     assigned_reviewer_id TEXT,
     created_at TEXT NOT NULL,
     updated_at TEXT NOT NULL,
     PRIMARY KEY (tenant_id, id))`,
  `CREATE INDEX IF NOT EXISTS cases_page ON cases (tenant_id, created_at, id)`,
  `CREATE TABLE IF NOT EXISTS audit_events (
     tenant_id TEXT NOT NULL,
     id TEXT NOT NULL,
     case_id TEXT NOT NULL,
     actor TEXT NOT NULL,
     action TEXT NOT NULL,
     from_status TEXT NOT NULL,
     to_status TEXT NOT NULL,
     reason TEXT NOT NULL,
     request_id TEXT,
     at TEXT NOT NULL,
     PRIMARY KEY (tenant_id, id))`,
  `CREATE INDEX IF NOT EXISTS audit_by_case ON audit_events (tenant_id, case_id, at)`,
  `CREATE TABLE IF NOT EXISTS notes (
     tenant_id TEXT NOT NULL,
     id TEXT NOT NULL,
     case_id TEXT NOT NULL,
     author_id TEXT NOT NULL,
     body TEXT NOT NULL,
     created_at TEXT NOT NULL,
     PRIMARY KEY (tenant_id, id))`,
  `CREATE TABLE IF NOT EXISTS idempotency_keys (
     tenant_id TEXT NOT NULL,
     subject TEXT NOT NULL,
     idem_key TEXT NOT NULL,
     request_hash TEXT NOT NULL,
     status INTEGER NOT NULL,
     body TEXT NOT NULL,
     created_at TEXT NOT NULL,
     PRIMARY KEY (tenant_id, subject, idem_key))`,
  // created_at is an ISO 8601 UTC text of fixed width, so text order is time order; the sweeps range over it.
  `CREATE INDEX IF NOT EXISTS idempotency_by_age ON idempotency_keys (created_at)`,
  `CREATE TABLE IF NOT EXISTS exports (
     tenant_id TEXT NOT NULL,
     name TEXT NOT NULL,
     created_by TEXT NOT NULL,
     created_at TEXT NOT NULL,
     row_count INTEGER NOT NULL,
     PRIMARY KEY (tenant_id, name))`,
  `CREATE INDEX IF NOT EXISTS exports_by_age ON exports (created_at)`,
  // One webhook per tenant (PUT /webhook); the secret signs deliveries, so it is stored as given.
  `CREATE TABLE IF NOT EXISTS webhooks (
     tenant_id TEXT NOT NULL PRIMARY KEY,
     url TEXT NOT NULL,
     secret TEXT NOT NULL,
     updated_at TEXT NOT NULL)`,
  // Evidence files (issue 24): the row holds the generated stored name and the sniffed type, never a client path.
  `CREATE TABLE IF NOT EXISTS evidence (
     tenant_id TEXT NOT NULL,
     id TEXT NOT NULL,
     case_id TEXT NOT NULL,
     stored_name TEXT NOT NULL,
     client_name TEXT NOT NULL,
     size BIGINT NOT NULL,
     mime TEXT NOT NULL,
     sha256 TEXT NOT NULL,
     uploaded_by TEXT NOT NULL,
     created_at TEXT NOT NULL,
     PRIMARY KEY (tenant_id, id))`,
  `CREATE INDEX IF NOT EXISTS evidence_by_case ON evidence (tenant_id, case_id, created_at)`,
];

const CASE_COLUMNS = `id, tenant_id AS "tenantId", title, description, status,
  assigned_reviewer_id AS "assignedReviewerId", created_at AS "createdAt", updated_at AS "updatedAt"`;

const AUDIT_COLUMNS = `id, tenant_id AS "tenantId", case_id AS "caseId", actor, action, from_status AS "from",
  to_status AS "to", reason, request_id AS "requestId", at`;

const EVIDENCE_COLUMNS = `id, tenant_id AS "tenantId", case_id AS "caseId", stored_name AS "storedName",
  client_name AS "clientName", size, mime, sha256, uploaded_by AS "uploadedBy", created_at AS "createdAt"`;

/** Every statement the service runs. */
export const SQL = {
  getCase: `SELECT ${CASE_COLUMNS} FROM cases WHERE tenant_id = $1 AND id = $2`,
  // PostgreSQL: lock the row so concurrent transitions of one case serialise. SQLite has one writer
  // (BEGIN IMMEDIATE) and uses getCase's text instead.
  getCaseForUpdate: `SELECT ${CASE_COLUMNS} FROM cases WHERE tenant_id = $1 AND id = $2 FOR UPDATE`,
  // The reviewer filter and the cursor are always present as parameters; NULL switches them off,
  // so the statement text never depends on input.
  listCases: `SELECT ${CASE_COLUMNS} FROM cases
    WHERE tenant_id = $1
      AND (CAST($2 AS TEXT) IS NULL OR assigned_reviewer_id IS NULL OR assigned_reviewer_id = CAST($2 AS TEXT))
      AND (CAST($3 AS TEXT) IS NULL OR created_at > CAST($3 AS TEXT) OR (created_at = CAST($3 AS TEXT) AND id > CAST($4 AS TEXT)))
    ORDER BY created_at, id
    LIMIT $5`,
  allCases: `SELECT ${CASE_COLUMNS} FROM cases WHERE tenant_id = $1 ORDER BY created_at, id LIMIT $2`,
  insertCase: `INSERT INTO cases (tenant_id, id, title, description, status, assigned_reviewer_id, created_at, updated_at)
    VALUES ($1, $2, $3, $4, $5, $6, $7, $8)`,
  updateCaseStatus: `UPDATE cases SET status = $3, assigned_reviewer_id = $4, updated_at = $5
    WHERE tenant_id = $1 AND id = $2`,
  insertAudit: `INSERT INTO audit_events (tenant_id, id, case_id, actor, action, from_status, to_status, reason, request_id, at)
    VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)`,
  listAudit: `SELECT ${AUDIT_COLUMNS} FROM audit_events WHERE tenant_id = $1 AND case_id = $2 ORDER BY at, id`,
  insertNote: `INSERT INTO notes (tenant_id, id, case_id, author_id, body, created_at) VALUES ($1, $2, $3, $4, $5, $6)`,
  // A record created before $4 (now - IDEMPOTENCY_TTL_SEC) is expired: never returned, whether swept yet or not.
  getIdempotency: `SELECT request_hash AS "requestHash", status, body FROM idempotency_keys
    WHERE tenant_id = $1 AND subject = $2 AND idem_key = $3 AND created_at >= $4`,
  // Frees the key of an expired record so that a new first request can store its own (same transaction).
  deleteExpiredIdempotency: `DELETE FROM idempotency_keys
    WHERE tenant_id = $1 AND subject = $2 AND idem_key = $3 AND created_at < $4`,
  insertIdempotency: `INSERT INTO idempotency_keys (tenant_id, subject, idem_key, request_hash, status, body, created_at)
    VALUES ($1, $2, $3, $4, $5, $6, $7)`,
  insertExport: `INSERT INTO exports (tenant_id, name, created_by, created_at, row_count) VALUES ($1, $2, $3, $4, $5)`,
  // An export created before $3 (now - EXPORT_TTL_SEC) is expired: treated as absent (404) even before the sweep.
  getExport: `SELECT name, tenant_id AS "tenantId", created_by AS "createdBy", created_at AS "createdAt",
    row_count AS "rowCount" FROM exports WHERE tenant_id = $1 AND name = $2 AND created_at >= $3`,
  insertEvidence: `INSERT INTO evidence (tenant_id, id, case_id, stored_name, client_name, size, mime, sha256, uploaded_by, created_at)
    VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)`,
  listEvidence: `SELECT ${EVIDENCE_COLUMNS} FROM evidence WHERE tenant_id = $1 AND case_id = $2 ORDER BY created_at, id`,
  getEvidence: `SELECT ${EVIDENCE_COLUMNS} FROM evidence WHERE tenant_id = $1 AND case_id = $2 AND id = $3`,
  // Retention sweeps: at most $2 rows older than $1 per run, oldest first, through the created_at index.
  // A row-value IN keeps one text for both databases (no ctid/rowid); RETURNING only counts.
  sweepIdempotency: `DELETE FROM idempotency_keys WHERE (tenant_id, subject, idem_key) IN (
    SELECT tenant_id, subject, idem_key FROM idempotency_keys WHERE created_at < $1 ORDER BY created_at LIMIT $2)
    RETURNING 1 AS "n"`,
  sweepExports: `DELETE FROM exports WHERE (tenant_id, name) IN (
    SELECT tenant_id, name FROM exports WHERE created_at < $1 ORDER BY created_at LIMIT $2)
    RETURNING 1 AS "n"`,
  getWebhook: `SELECT url, secret FROM webhooks WHERE tenant_id = $1`,
  putWebhook: `INSERT INTO webhooks (tenant_id, url, secret, updated_at) VALUES ($1, $2, $3, $4)
    ON CONFLICT (tenant_id) DO UPDATE SET url = excluded.url, secret = excluded.secret, updated_at = excluded.updated_at`,
} as const;

/** Name of one statement. */
export type StatementName = keyof typeof SQL;
