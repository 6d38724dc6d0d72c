// Oracles the raw-input suites share: what must never appear in an answer.
import type { RawResponse } from '../target.js';

/** Stack frames, Node internals and absolute paths of a server's file system. */
const STACK = [
  /\n\s+at [^\n]+:\d+:\d+\)?/,
  /node:internal\//,
  /\/node_modules\//,
  /\b(?:\/home|\/usr|\/work|\/var|\/tmp|\/opt|\/srv|\/app)\/[\w.-]+\//,
  /[A-Z]:\\[\w .-]+\\/,
];
/** Database error signatures of SQLite, PostgreSQL, MySQL, MSSQL and Oracle. */
const SQL = [
  /SQLITE_[A-Z]+/,
  /syntax error at or near/i,
  /\bSqlState\b|\b(?:ER_[A-Z_]+)\b/,
  /Unclosed quotation mark/i,
  /\bORA-\d{5}\b/,
  /relation "[^"]+" does not exist/i,
];

/** The first leak in a response (body and header values), or undefined. */
export function findLeak(res: RawResponse, canaries: readonly string[]): string | undefined {
  const headerText = Object.entries(res.headers)
    .map(([n, v]) => `${n}: ${Array.isArray(v) ? v.join(', ') : String(v)}`)
    .join('\n');
  const text = `${headerText}\n\n${res.text}`;
  for (const c of canaries) if (c !== '' && text.includes(c)) return `the planted canary ${c.slice(0, 8)}… came back`;
  for (const re of STACK)
    if (re.test(res.text)) return `a stack trace or server path (${re.source.slice(0, 30)}) is in the body`;
  for (const re of SQL)
    if (re.test(res.text)) return `a database error signature (${re.source.slice(0, 30)}) is in the body`;
  return undefined;
}
