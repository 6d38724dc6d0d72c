// Strict RFC 4180 CSV for untrusted bytes (fatal UTF-8, bounded rows/columns/fields) and formula-safe CSV output.
import { checkOptions, optionError, type OptionKeys } from '@portcullis/errors/options';
import { UploadError } from './errors.js';
import { intOption } from './options.js';

/** Options of {@link parseCsvStrict}. */
export interface ParseCsvOptions {
  /** The exact header the first record must be (same fields, same order, same case). */
  header: readonly string[];
  /** Most data rows (the header not counted). @default 1000 */
  maxRows?: number | undefined;
  /** Most fields in any record. @default header.length */
  maxColumns?: number | undefined;
  /** Largest field, in UTF-8 bytes. @default 65536 */
  maxFieldBytes?: number | undefined;
}

const CSV_KEYS: OptionKeys<ParseCsvOptions> = { header: true, maxRows: true, maxColumns: true, maxFieldBytes: true };

/** One data row with the 1-based physical line it starts on. */
export interface CsvRow {
  readonly line: number;
  readonly fields: readonly string[];
}

/** The result of {@link parseCsvStrict}. */
export interface CsvTable {
  readonly header: readonly string[];
  readonly rows: readonly CsvRow[];
}

/**
 * Why a CSV was refused (the `reason` of its {@link CsvError}): `not_utf8`, `nul`, `unterminated_quote`,
 * `quote_in_field`, `text_after_quote`, `bare_cr`, `too_many_rows`, `too_many_columns`, `field_too_large`,
 * `header`, `empty`.
 */
export type CsvRefusal =
  | 'not_utf8'
  | 'nul'
  | 'unterminated_quote'
  | 'quote_in_field'
  | 'text_after_quote'
  | 'bare_cr'
  | 'too_many_rows'
  | 'too_many_columns'
  | 'field_too_large'
  | 'header'
  | 'empty';

const MESSAGES: Readonly<Record<CsvRefusal, string>> = {
  not_utf8: 'the file is not valid UTF-8',
  nul: 'the file contains a NUL character',
  unterminated_quote: 'unterminated quoted field',
  quote_in_field: 'quote inside an unquoted field',
  text_after_quote: 'unexpected character after a closing quote',
  bare_cr: 'bare carriage return',
  too_many_rows: 'too many rows',
  too_many_columns: 'too many columns',
  field_too_large: 'a field is too large',
  header: 'the header does not match',
  empty: 'no header',
};

/** A refused CSV: 422 `upload_rejected`, with the line it was found on (messages never quote the content). */
export class CsvError extends UploadError {
  /** 1-based physical line (0 when the whole file is concerned). */
  readonly line: number;
  /** What was wrong. */
  declare readonly reason: CsvRefusal;
  /** A fixed, content-free description, e.g. "unterminated quoted field". */
  readonly problem: string;

  constructor(reason: CsvRefusal, line: number) {
    super('upload_rejected', reason, `CSV refused: ${MESSAGES[reason]} (line ${line})`);
    this.line = line;
    this.problem = MESSAGES[reason];
  }
}

const utf8 = new TextDecoder('utf-8', { fatal: true, ignoreBOM: false });

/**
 * Parses untrusted CSV bytes per RFC 4180: fatal UTF-8 decoding (a UTF-16 file, a lone byte ≥ 0x80 and overlong
 * forms are refused, never replaced), the UTF-8 BOM stripped, no NUL, CRLF or LF line breaks (a bare CR is
 * refused), quotes only around whole fields with `""` inside, blank lines skipped; the first record must equal
 * `header` exactly. Stops at the first problem, and at the first record past `maxRows`, so a huge body is not
 * materialised.
 *
 * @throws CsvError (422 `upload_rejected`) for a refused file; TypeError for bad options.
 */
export function parseCsvStrict(bytes: Uint8Array, options: ParseCsvOptions): CsvTable {
  const opts = checkOptions<ParseCsvOptions>('upload', options, CSV_KEYS);
  const header = opts.header;
  if (!Array.isArray(header) || header.length === 0 || !header.every((h) => typeof h === 'string')) {
    throw optionError(
      'upload',
      'header',
      'must be a non-empty array of strings',
      'pass e.g. ["title", "description"]',
      header,
    );
  }
  const expected = [...header];
  const maxRows = intOption('maxRows', opts.maxRows, 1000, 1, 10_000_000);
  const maxColumns = intOption('maxColumns', opts.maxColumns, expected.length, expected.length, 100_000);
  const maxFieldBytes = intOption('maxFieldBytes', opts.maxFieldBytes, 65_536, 1, 100 * 1024 * 1024);
  if (!(bytes instanceof Uint8Array))
    throw new TypeError('@portcullis/upload: parseCsvStrict needs bytes (Uint8Array)');
  if (bytes.includes(0)) throw new CsvError('nul', 0);
  let text: string;
  try {
    text = utf8.decode(bytes);
  } catch {
    throw new CsvError('not_utf8', 0);
  }
  const records = parseRecords(text, maxRows + 1, maxColumns, maxFieldBytes);
  const [first, ...rows] = records;
  if (first === undefined) throw new CsvError('empty', 1);
  if (first.fields.length !== expected.length || first.fields.some((f, i) => f !== expected[i])) {
    throw new CsvError('header', first.line);
  }
  return Object.freeze({ header: Object.freeze(expected), rows: Object.freeze(rows) });
}

function parseRecords(text: string, maxRecords: number, maxColumns: number, maxFieldBytes: number): CsvRow[] {
  const records: CsvRow[] = [];
  let fields: string[] = [];
  let field = '';
  let line = 1;
  let recordLine = 1;
  let inRecord = false;
  let i = 0;
  const n = text.length;
  // Field bytes are bounded while parsing: UTF-16 length is a lower bound of UTF-8 bytes, exact check at the end.
  const pushField = (): void => {
    if (field.length > maxFieldBytes || Buffer.byteLength(field, 'utf8') > maxFieldBytes) {
      throw new CsvError('field_too_large', recordLine);
    }
    fields.push(field);
    if (fields.length > maxColumns) throw new CsvError('too_many_columns', recordLine);
    field = '';
  };
  const endRecord = (): void => {
    pushField();
    // A blank line is not a record.
    if (!(fields.length === 1 && fields[0] === '')) {
      records.push(Object.freeze({ line: recordLine, fields: Object.freeze(fields) }));
      if (records.length > maxRecords) throw new CsvError('too_many_rows', recordLine);
    }
    fields = [];
    inRecord = false;
  };
  while (i < n) {
    const ch = text.charCodeAt(i);
    if (ch === 0x22 && field === '' && !fieldStarted(text, i)) {
      inRecord = true;
      const startLine = line;
      i += 1;
      let closed = false;
      while (i < n) {
        const q = text.charCodeAt(i);
        if (q === 0x22) {
          if (text.charCodeAt(i + 1) === 0x22) {
            field += '"';
            i += 2;
            continue;
          }
          closed = true;
          i += 1;
          break;
        }
        if (q === 0x0a) line += 1;
        field += text.charAt(i);
        i += 1;
        if (field.length > maxFieldBytes) throw new CsvError('field_too_large', startLine);
      }
      if (!closed) throw new CsvError('unterminated_quote', startLine);
      const after = text.charCodeAt(i);
      if (i < n && after !== 0x2c && after !== 0x0a && after !== 0x0d) throw new CsvError('text_after_quote', line);
      continue;
    }
    if (ch === 0x2c) {
      inRecord = true;
      pushField();
      i += 1;
      continue;
    }
    if (ch === 0x0d || ch === 0x0a) {
      if (ch === 0x0d) {
        if (text.charCodeAt(i + 1) !== 0x0a) throw new CsvError('bare_cr', line);
        i += 1;
      }
      i += 1;
      line += 1;
      endRecord();
      recordLine = line;
      continue;
    }
    if (ch === 0x22) throw new CsvError('quote_in_field', line);
    inRecord = true;
    field += text.charAt(i);
    i += 1;
    if (field.length > maxFieldBytes) throw new CsvError('field_too_large', recordLine);
  }
  if (inRecord) endRecord();
  return records;
}

// A quote opens a quoted field only at the field's start (after a comma, a line break or the text's start).
function fieldStarted(text: string, i: number): boolean {
  if (i === 0) return false;
  const prev = text.charCodeAt(i - 1);
  return prev !== 0x2c && prev !== 0x0a && prev !== 0x0d;
}

// OWASP CSV injection / ASVS V1.2.10: a cell starting with one of these (after any leading spaces) is run as a
// formula by spreadsheet software.
// eslint-disable-next-line no-control-regex -- matching control characters is the point
const FORMULA_START = /^ *[=+\-@\t\r\n\u0000]/u;

/** Prefixes a cell a spreadsheet would treat as a formula with a single quote, so it stays text. */
export function neutraliseCell(value: string): string {
  return FORMULA_START.test(value) ? `'${value}` : value;
}

/** A cell of {@link toCsvSafe}: strings as they are, numbers and booleans as text, null/undefined as empty. */
export type CsvCell = string | number | boolean | null | undefined;

function formatCell(value: CsvCell): string {
  const text = neutraliseCell(value === null || value === undefined ? '' : String(value));
  return `"${text.replaceAll('"', '""')}"`;
}

/**
 * Renders rows as RFC 4180 CSV (CRLF, every cell quoted, quotes doubled) with formula cells neutralised: a cell
 * starting with `=`, `+`, `-`, `@`, tab, CR, LF or NUL, also after leading spaces, gets a leading `'`.
 *
 * @example toCsvSafe([["title"], ["=cmd|' /C calc'!A0"]]) // '"title"\r\n"\'=cmd|\' /C calc\'!A0"\r\n'
 */
export function toCsvSafe(rows: readonly (readonly CsvCell[])[]): string {
  const given: unknown = rows;
  if (!Array.isArray(given)) throw new TypeError('@portcullis/upload: toCsvSafe needs an array of rows');
  return rows.map((row) => `${row.map(formatCell).join(',')}\r\n`).join('');
}
