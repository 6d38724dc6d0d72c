// Shape checks at the boundary (zod): they reject malformed input with 422; they are not the security checks.
import { BadRequestError, ValidationError, type ValidationIssue } from '@portcullis/errors';
import { z } from 'zod';
import { CsvError, parseCsvStrict, type CsvRow } from '@portcullis/upload';
import { ACTIONS } from './domain.js';
import type { PageCursor } from './storage/index.js';

// PostgreSQL text cannot hold NUL (it would fail the query: a 500); SQLite can. Refuse it everywhere, the same way.
const NO_NUL = { error: 'must not contain NUL characters' } as const;
const text = () => z.string().refine((s) => !s.includes('\u0000'), NO_NUL);

/** POST /cases body. Unknown keys are refused (a typo must not be ignored silently). */
export const createCaseBody = z.strictObject({
  title: text().trim().min(1).max(200),
  description: text().max(5000).optional(),
});

/** POST /cases/:id/transitions body. An unknown action is a 422. */
export const transitionBody = z.strictObject({
  action: z.enum(ACTIONS),
  reason: text().trim().min(1).max(500),
});

/** POST /cases/:id/notes body. */
export const noteBody = z.strictObject({
  body: text().min(1).max(10_000),
});

const CURSOR_PAYLOAD = z.strictObject({
  c: z.iso.datetime(),
  i: z.uuid(),
});

/** Encodes a page position as an opaque base64url string. */
export function encodeCursor(cursor: PageCursor): string {
  return Buffer.from(JSON.stringify({ c: cursor.createdAt, i: cursor.id }), 'utf8').toString('base64url');
}

function decodeCursor(value: string): PageCursor | null {
  if (!/^[A-Za-z0-9_-]{1,200}$/.test(value)) return null;
  try {
    const parsed = CURSOR_PAYLOAD.safeParse(JSON.parse(Buffer.from(value, 'base64url').toString('utf8')));
    return parsed.success ? { createdAt: parsed.data.c, id: parsed.data.i } : null;
  } catch {
    return null;
  }
}

/** GET /cases query: limit 1..100 (default 20), optional opaque cursor. Anything else → 422. */
export function parseListQuery(query: unknown): { limit: number; after?: PageCursor } {
  const q = typeof query === 'object' && query !== null ? (query as Record<string, unknown>) : {};
  const issues: ValidationIssue[] = [];
  let limit = 20;
  const rawLimit = q['limit'];
  if (rawLimit !== undefined) {
    const n = typeof rawLimit === 'string' && /^\d{1,3}$/.test(rawLimit) ? Number(rawLimit) : Number.NaN;
    if (Number.isInteger(n) && n >= 1 && n <= 100) limit = n;
    else issues.push({ pointer: '/query/limit', message: 'must be a whole number from 1 to 100' });
  }
  let after: PageCursor | undefined;
  const rawCursor = q['cursor'];
  if (rawCursor !== undefined) {
    const decoded = typeof rawCursor === 'string' ? decodeCursor(rawCursor) : null;
    if (decoded === null) issues.push({ pointer: '/query/cursor', message: 'is not a cursor returned by this API' });
    else after = decoded;
  }
  if (issues.length > 0) throw new ValidationError('invalid list query', { issues });
  return after === undefined ? { limit } : { limit, after };
}

/** Idempotency-Key: 1..128 visible characters from a safe set; anything else is a 400. */
export function parseIdempotencyKey(value: unknown): string | undefined {
  if (value === undefined) return undefined;
  if (typeof value === 'string' && /^[A-Za-z0-9._:-]{1,128}$/.test(value)) return value;
  throw new BadRequestError('malformed Idempotency-Key', {
    code: 'invalid_idempotency_key',
    detail: 'Idempotency-Key must be 1 to 128 characters from A-Z a-z 0-9 . _ : -',
  });
}

/** Case ids are UUIDs; anything else cannot name a case, so it is simply not found. */
export function isCaseId(value: unknown): value is string {
  return typeof value === 'string' && z.uuid().safeParse(value).success;
}

/** Export names are generated (base32/base64url + ".csv"); anything else cannot name an export. */
export function isExportName(value: unknown): value is string {
  return typeof value === 'string' && /^[A-Za-z0-9_-]{1,64}\.csv$/.test(value);
}

/** Data rows an import may hold. */
export const MAX_IMPORT_ROWS = 1000;

/** Columns a row may have before the file is refused outright (rows with another count are reported per row). */
const MAX_IMPORT_COLUMNS = 100;
/** UTF-8 bytes a field may have before the file is refused outright (a description is at most 5000 characters). */
const MAX_IMPORT_FIELD_BYTES = 5000 * 4;

function csvRows(bytes: Uint8Array): readonly CsvRow[] {
  try {
    return parseCsvStrict(bytes, {
      header: ['title', 'description'],
      maxRows: MAX_IMPORT_ROWS,
      maxColumns: MAX_IMPORT_COLUMNS,
      maxFieldBytes: MAX_IMPORT_FIELD_BYTES,
    }).rows;
  } catch (error) {
    if (!(error instanceof CsvError)) throw error;
    if (error.reason === 'too_many_rows') {
      throw new ValidationError('too many rows', {
        issues: [{ pointer: '/rows', message: `more than ${MAX_IMPORT_ROWS} data rows` }],
      });
    }
    if (error.reason === 'header' || error.reason === 'empty') {
      throw new ValidationError('bad CSV header', {
        issues: [{ pointer: '/header', message: 'the first line must be exactly "title,description"' }],
      });
    }
    throw new ValidationError('invalid CSV', {
      issues: [{ pointer: '/csv', message: `line ${error.line}: ${error.problem}` }],
    });
  }
}

/**
 * Parses and validates an import with @portcullis/upload's parseCsvStrict (fatal UTF-8, no NUL, RFC 4180):
 * header "title,description", 1..1000 rows, each with 2 fields, title 1..200 after trimming, description ≤ 5000
 * (empty → null). Every bad row is reported (pointer /rows/N, N = 1-based data row); nothing is imported unless all
 * rows are valid.
 */
export function parseImport(bytes: Uint8Array): { title: string; description: string | null }[] {
  const rows = csvRows(bytes);
  if (rows.length === 0)
    throw new ValidationError('empty import', { issues: [{ pointer: '/rows', message: 'no data rows' }] });
  const issues: ValidationIssue[] = [];
  const out: { title: string; description: string | null }[] = [];
  rows.forEach((row, index) => {
    const n = index + 1;
    const [rawTitle, description] = row.fields;
    if (row.fields.length !== 2 || rawTitle === undefined || description === undefined) {
      issues.push({ pointer: `/rows/${n}`, message: `row ${n} (line ${row.line}) must have exactly 2 fields` });
      return;
    }
    const title = rawTitle.trim();
    if (title.length < 1 || title.length > 200) {
      issues.push({
        pointer: `/rows/${n}/title`,
        message: `row ${n} (line ${row.line}): title must be 1 to 200 characters`,
      });
    }
    if (description.length > 5000) {
      issues.push({
        pointer: `/rows/${n}/description`,
        message: `row ${n} (line ${row.line}): description must be at most 5000 characters`,
      });
    }
    out.push({ title, description: description === '' ? null : description });
  });
  if (issues.length > 0) throw new ValidationError('invalid import rows', { issues: issues.slice(0, 100) });
  return out;
}
