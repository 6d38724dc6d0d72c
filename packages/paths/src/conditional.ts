// Validators, preconditions and byte ranges of sendSafeFile (RFC 9110 §8.8, §13, §14): pure functions over headers and an fstat.
import { createHash } from 'node:crypto';
import type { BigIntStats } from 'node:fs';

/** The validators of one opened file. */
export interface Validators {
  /** Strong entity tag, quoted: `"…"`. */
  readonly etag: string;
  /** IMF-fixdate of the modification time. */
  readonly lastModified: string;
  /** Modification time in whole seconds since the epoch (what Last-Modified can express). */
  readonly mtimeSec: number;
}

/**
 * A strong ETag from size, modification time (nanoseconds) and inode of the opened handle's fstat:
 * a replaced or rewritten file gets a new tag. Hashed, so the tag does not publish inode numbers or
 * sub-second times (RFC 9110 §8.8.3: the tag is opaque).
 */
export function validatorsOf(stat: BigIntStats): Validators {
  const digest = createHash('sha256').update(`${stat.ino}:${stat.size}:${stat.mtimeNs}`).digest('base64url');
  const mtimeSec = Number(stat.mtimeMs / 1000n);
  return {
    etag: `"${digest.slice(0, 27)}"`,
    lastModified: new Date(mtimeSec * 1000).toUTCString(),
    mtimeSec,
  };
}

const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];
// RFC 9110 §5.6.7: IMF-fixdate, and the obsolete RFC 850 and asctime forms a recipient must accept.
const IMF_FIXDATE =
  /^(?:Mon|Tue|Wed|Thu|Fri|Sat|Sun), (\d{2}) (Jan|Feb|Mar|Apr|May|Jun|Jul|Aug|Sep|Oct|Nov|Dec) (\d{4}) (\d{2}):(\d{2}):(\d{2}) GMT$/;
const RFC850_DATE =
  /^(?:Monday|Tuesday|Wednesday|Thursday|Friday|Saturday|Sunday), (\d{2})-(Jan|Feb|Mar|Apr|May|Jun|Jul|Aug|Sep|Oct|Nov|Dec)-(\d{2}) (\d{2}):(\d{2}):(\d{2}) GMT$/;
const ASCTIME_DATE =
  /^(?:Mon|Tue|Wed|Thu|Fri|Sat|Sun) (Jan|Feb|Mar|Apr|May|Jun|Jul|Aug|Sep|Oct|Nov|Dec) ( \d|\d{2}) (\d{2}):(\d{2}):(\d{2}) (\d{4})$/;

function toSeconds(year: number, month: string, day: number, h: number, m: number, s: number): number | undefined {
  const mon = MONTHS.indexOf(month);
  if (day < 1 || day > 31 || h > 23 || m > 59 || s > 60) return undefined;
  const ms = Date.UTC(year, mon, day, h, m, Math.min(s, 59));
  // 31 Feb rolls over into March: not a date.
  if (new Date(ms).getUTCDate() !== day) return undefined;
  return ms / 1000;
}

/**
 * Parses an HTTP-date (RFC 9110 §5.6.7) to whole seconds, or undefined when it is not one.
 * Stricter than Date.parse, which reads "1" or "2020" as dates.
 */
export function parseHttpDate(value: string | undefined, nowSec: number): number | undefined {
  if (value === undefined) return undefined;
  const text = value.trim();
  let m = IMF_FIXDATE.exec(text);
  if (m !== null) return toSeconds(Number(m[3]), m[2] ?? '', Number(m[1]), Number(m[4]), Number(m[5]), Number(m[6]));
  m = RFC850_DATE.exec(text);
  if (m !== null) {
    // A two-digit year more than 50 years ahead is the most recent past year with those digits.
    let year = 2000 + Number(m[3]);
    if (year > new Date(nowSec * 1000).getUTCFullYear() + 50) year -= 100;
    return toSeconds(year, m[2] ?? '', Number(m[1]), Number(m[4]), Number(m[5]), Number(m[6]));
  }
  m = ASCTIME_DATE.exec(text);
  if (m !== null) return toSeconds(Number(m[6]), m[1] ?? '', Number(m[2]), Number(m[3]), Number(m[4]), Number(m[5]));
  return undefined;
}

/**
 * Whether an If-Match / If-None-Match value lists `etag` (RFC 9110 §13.1.1, §13.1.2). `*` matches
 * (the file exists). Strong comparison ignores weak tags; weak comparison accepts `W/"…"` too. A
 * malformed list matches nothing.
 */
export function listMatches(header: string, etag: string, weak: boolean): boolean {
  const value = header.trim();
  if (value === '*') return true;
  let i = 0;
  while (i < value.length) {
    const c = value[i];
    if (c === ' ' || c === '\t' || c === ',') {
      i++;
      continue;
    }
    let isWeak = false;
    if (value.startsWith('W/', i)) {
      isWeak = true;
      i += 2;
    }
    if (value[i] !== '"') return false;
    const close = value.indexOf('"', i + 1);
    if (close === -1) return false;
    if (value.slice(i, close + 1) === etag && (weak || !isWeak)) return true;
    i = close + 1;
  }
  return false;
}

/** The headers the preconditions read. */
export interface ConditionalHeaders {
  readonly 'if-match'?: string | undefined;
  readonly 'if-none-match'?: string | undefined;
  readonly 'if-modified-since'?: string | undefined;
  readonly 'if-unmodified-since'?: string | undefined;
}

/** What the preconditions decide: serve, 304 Not Modified, or 412 Precondition Failed. */
export type Precondition = 'serve' | 'not_modified' | 'failed';

/** RFC 9110 §13.2.2: the order in which preconditions are evaluated. */
export function evaluatePreconditions(
  method: string | undefined,
  headers: ConditionalHeaders,
  v: Validators,
  nowSec: number,
): Precondition {
  const safe = method === 'GET' || method === 'HEAD';
  const ifMatch = headers['if-match'];
  if (ifMatch !== undefined) {
    if (!listMatches(ifMatch, v.etag, false)) return 'failed';
  } else {
    const since = parseHttpDate(headers['if-unmodified-since'], nowSec);
    if (since !== undefined && v.mtimeSec > since) return 'failed';
  }
  const ifNoneMatch = headers['if-none-match'];
  if (ifNoneMatch !== undefined) {
    if (listMatches(ifNoneMatch, v.etag, true)) return safe ? 'not_modified' : 'failed';
  } else if (safe) {
    const since = parseHttpDate(headers['if-modified-since'], nowSec);
    if (since !== undefined && v.mtimeSec <= since) return 'not_modified';
  }
  return 'serve';
}

/** The outcome of a Range header: no range (the whole file), an inclusive byte range, or unsatisfiable. */
export type RangeOutcome =
  | { readonly kind: 'whole' }
  | { readonly kind: 'partial'; readonly start: number; readonly end: number }
  | { readonly kind: 'unsatisfiable' };

const WHOLE: RangeOutcome = Object.freeze({ kind: 'whole' });
const UNSATISFIABLE: RangeOutcome = Object.freeze({ kind: 'unsatisfiable' });
const RANGES_PREFIX = /^bytes=/i;
const FIRST_LAST = /^(\d+)-(\d*)$/;
const SUFFIX = /^-(\d+)$/;

/**
 * Reads `Range: bytes=a-b | a- | -n` (RFC 9110 §14.1.2) against a file of `size` bytes. Several
 * ranges give the whole file (no multipart/byteranges); a malformed header or another unit is
 * ignored (the whole file, §14.2); a first byte at or past the end, or an empty suffix, is
 * unsatisfiable. Digits are read as Numbers: a huge value is simply past the end.
 */
export function parseRange(header: string | undefined, size: number): RangeOutcome {
  if (header === undefined || !RANGES_PREFIX.test(header)) return WHOLE;
  const specs = header
    .slice(6)
    .split(',')
    .map((s) => s.trim())
    .filter((s) => s !== '');
  if (specs.length !== 1) return WHOLE;
  const spec = specs[0] ?? '';
  const suffix = SUFFIX.exec(spec);
  if (suffix !== null) {
    const length = Number(suffix[1]);
    if (length === 0 || size === 0) return UNSATISFIABLE;
    return { kind: 'partial', start: Math.max(0, size - length), end: size - 1 };
  }
  const firstLast = FIRST_LAST.exec(spec);
  if (firstLast === null) return WHOLE;
  const first = Number(firstLast[1]);
  const last = firstLast[2] === '' ? Infinity : Number(firstLast[2]);
  if (last < first) return WHOLE; // an invalid range-spec (§14.1.1): ignored
  if (first >= size) return UNSATISFIABLE;
  return { kind: 'partial', start: first, end: Math.min(last, size - 1) };
}

/**
 * If-Range (RFC 9110 §13.1.5): the range applies only when the validator still matches: an
 * entity-tag by strong comparison, or a date equal to Last-Modified that is strong (the file was
 * last modified in an earlier second than now). Otherwise the whole file is sent.
 */
export function ifRangeAllows(ifRange: string | undefined, v: Validators, nowSec: number): boolean {
  if (ifRange === undefined) return true;
  const value = ifRange.trim();
  if (value.startsWith('"') || value.startsWith('W/')) return value === v.etag;
  const date = parseHttpDate(value, nowSec);
  return date !== undefined && date === v.mtimeSec && v.mtimeSec < nowSec;
}
