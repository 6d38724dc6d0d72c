// RFC 4180 CSV: a strict parser for imports and a writer that neutralises spreadsheet formulas in exports.

/** A CSV syntax problem, with the 1-based physical line it starts on. */
export interface CsvSyntaxError {
  readonly line: number;
  readonly message: string;
}

/** Result of parsing: the records (each a list of fields) with the line each record starts on. */
export type CsvParseResult =
  | { readonly ok: true; readonly records: readonly { readonly line: number; readonly fields: readonly string[] }[] }
  | { readonly ok: false; readonly error: CsvSyntaxError };

/**
 * Parses RFC 4180 text: fields separated by commas, records by CRLF (LF accepted), fields optionally
 * quoted with `"` and `""` as an escaped quote; quoted fields may hold commas and line breaks.
 * A stray quote inside an unquoted field, text after a closing quote and an unterminated quote are errors
 * (never guessed around). A final line break is optional. Stops with an error once more than
 * `maxRecords` records are seen, so a huge body is not fully materialised.
 */
export function parseCsv(text: string, maxRecords: number): CsvParseResult {
  const records: { line: number; fields: string[] }[] = [];
  let fields: string[] = [];
  let field = '';
  let line = 1;
  let recordLine = 1;
  let inRecord = false;
  let i = 0;
  const n = text.length;
  // A leading UTF-8 byte order mark is not part of the header.
  if (text.charCodeAt(0) === 0xfeff) i = 1;
  if (i >= n) return { ok: true, records };

  const endRecord = (): boolean => {
    fields.push(field);
    records.push({ line: recordLine, fields });
    fields = [];
    field = '';
    inRecord = false;
    return records.length <= maxRecords;
  };

  while (i < n) {
    const ch = text.charAt(i);
    if (ch === '"' && field === '') {
      inRecord = true;
      // Quoted field: read to the closing quote.
      const startLine = line;
      i += 1;
      let closed = false;
      while (i < n) {
        const q = text.charAt(i);
        if (q === '"') {
          if (text[i + 1] === '"') {
            field += '"';
            i += 2;
            continue;
          }
          closed = true;
          i += 1;
          break;
        }
        if (q === '\n') line += 1;
        field += q;
        i += 1;
      }
      if (!closed) return { ok: false, error: { line: startLine, message: 'unterminated quoted field' } };
      const after = text[i];
      if (after !== undefined && after !== ',' && after !== '\n' && after !== '\r') {
        return { ok: false, error: { line, message: 'unexpected character after a closing quote' } };
      }
      continue;
    }
    if (ch === ',') {
      inRecord = true;
      fields.push(field);
      field = '';
      i += 1;
      continue;
    }
    if (ch === '\r' || ch === '\n') {
      if (ch === '\r') {
        if (text[i + 1] !== '\n') return { ok: false, error: { line, message: 'bare carriage return' } };
        i += 1;
      }
      i += 1;
      line += 1;
      if (!endRecord()) return { ok: false, error: { line: recordLine, message: `more than ${maxRecords} records` } };
      recordLine = line;
      continue;
    }
    if (ch === '"') return { ok: false, error: { line, message: 'quote inside an unquoted field' } };
    inRecord = true;
    field += ch;
    i += 1;
  }
  if (inRecord) endRecord();
  if (records.length > maxRecords) {
    return { ok: false, error: { line: recordLine, message: `more than ${maxRecords} records` } };
  }
  return { ok: true, records };
}

// OWASP "CSV injection": a cell starting with one of these is run as a formula by spreadsheet software.
const FORMULA_START = new Set(['=', '+', '-', '@', '\t', '\r']);

/** Prefixes a cell that a spreadsheet would treat as a formula with a single quote, so it stays text. */
export function neutraliseCell(value: string): string {
  const first = value[0];
  return first !== undefined && FORMULA_START.has(first) ? `'${value}` : value;
}

/** Quotes a cell per RFC 4180 (every cell is quoted; inner quotes doubled) after neutralising formulas. */
export function formatCell(value: string | null): string {
  const text = neutraliseCell(value ?? '');
  return `"${text.replaceAll('"', '""')}"`;
}

/** Renders a header and rows as CSV text with CRLF line endings. */
export function writeCsv(header: readonly string[], rows: readonly (readonly (string | null)[])[]): string {
  const lines = [header.map(formatCell).join(',')];
  for (const row of rows) lines.push(row.map(formatCell).join(','));
  return `${lines.join('\r\n')}\r\n`;
}
