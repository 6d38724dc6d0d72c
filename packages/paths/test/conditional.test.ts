// Conditional requests and byte ranges of sendSafeFile (RFC 9110 §13, §14): status, headers and exact body bytes, Express 5 and 4.
import { rename, utimes, writeFile } from 'node:fs/promises';
import path from 'node:path';
import type { Express } from 'express';
import request from 'supertest';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { errorHandler } from '@portcullis/errors';
import { sendSafeFile } from '@portcullis/paths';
import { ifRangeAllows, listMatches, parseHttpDate, parseRange, type Validators } from '../src/conditional.js';
import { buildApp, expressFlavours } from '../../../test-support/express.js';
import { makeTree, type Tree } from './fixture.js';

const DIGITS = '0123456789abcdefghij'; // 20 bytes: each byte says where it is
const MTIME = new Date('2020-01-02T03:04:05Z');
const LAST_MODIFIED = 'Thu, 02 Jan 2020 03:04:05 GMT';
const ETAG_SHAPE = /^"[A-Za-z0-9_-]{27}"$/;

let tree: Tree;
beforeAll(async () => {
  tree = await makeTree();
  await writeFile(path.join(tree.base, 'digits.txt'), DIGITS);
  await utimes(path.join(tree.base, 'digits.txt'), MTIME, MTIME);
});
afterAll(async () => {
  await tree.cleanup();
});

/** Request headers of a case, given the file's current ETag. */
type Headers = (etag: string) => Record<string, string>;
interface Case {
  readonly title: string;
  readonly method?: 'GET' | 'HEAD';
  readonly headers: Headers;
  readonly status: number;
  /** Exact body; undefined for none. */
  readonly body: string | undefined;
  /** Expected response headers (lower-case names); `null` means absent. */
  readonly expect: Readonly<Record<string, string | null>>;
}

const WHOLE = {
  'content-length': '20',
  'accept-ranges': 'bytes',
  'content-range': null,
  'last-modified': LAST_MODIFIED,
  'content-type': 'text/plain; charset=utf-8',
};
const NOT_MODIFIED = {
  'last-modified': LAST_MODIFIED,
  'content-type': null,
  'content-length': null,
  'content-range': null,
  'content-disposition': null,
};
const partial = (start: number, end: number) => ({
  'content-length': String(end - start + 1),
  'content-range': `bytes ${start}-${end}/20`,
  'accept-ranges': 'bytes',
  'content-type': 'text/plain; charset=utf-8',
  'last-modified': LAST_MODIFIED,
});
const UNSATISFIABLE = { 'content-range': 'bytes */20', 'content-length': '0', 'accept-ranges': 'bytes', etag: null };
const none: Headers = () => ({});

const CASES: readonly Case[] = [
  { title: 'serves the whole file with validators', headers: none, status: 200, body: DIGITS, expect: WHOLE },
  // If-None-Match / If-Modified-Since → 304
  {
    title: 'answers 304 to If-None-Match with the current tag',
    headers: (e) => ({ 'If-None-Match': e }),
    status: 304,
    body: undefined,
    expect: NOT_MODIFIED,
  },
  {
    title: 'answers 304 to If-None-Match with the weak form of the tag (weak comparison)',
    headers: (e) => ({ 'If-None-Match': `W/${e}` }),
    status: 304,
    body: undefined,
    expect: NOT_MODIFIED,
  },
  {
    title: 'answers 304 to If-None-Match listing the tag among others',
    headers: (e) => ({ 'If-None-Match': `"a", W/"b",${e}` }),
    status: 304,
    body: undefined,
    expect: NOT_MODIFIED,
  },
  {
    title: 'answers 304 to If-None-Match: *',
    headers: () => ({ 'If-None-Match': '*' }),
    status: 304,
    body: undefined,
    expect: NOT_MODIFIED,
  },
  {
    title: 'serves the file when If-None-Match names another tag',
    headers: () => ({ 'If-None-Match': '"stale"' }),
    status: 200,
    body: DIGITS,
    expect: WHOLE,
  },
  {
    title: 'serves the file for a malformed If-None-Match',
    headers: (e) => ({ 'If-None-Match': e.slice(1) }),
    status: 200,
    body: DIGITS,
    expect: WHOLE,
  },
  {
    title: 'answers 304 to If-Modified-Since equal to Last-Modified',
    headers: () => ({ 'If-Modified-Since': LAST_MODIFIED }),
    status: 304,
    body: undefined,
    expect: NOT_MODIFIED,
  },
  {
    title: 'answers 304 to If-Modified-Since in the obsolete RFC 850 form',
    headers: () => ({ 'If-Modified-Since': 'Thursday, 02-Jan-20 03:04:05 GMT' }),
    status: 304,
    body: undefined,
    expect: NOT_MODIFIED,
  },
  {
    title: 'answers 304 to If-Modified-Since in the asctime form',
    headers: () => ({ 'If-Modified-Since': 'Thu Jan  2 03:04:05 2020' }),
    status: 304,
    body: undefined,
    expect: NOT_MODIFIED,
  },
  {
    title: 'serves the file when modified after If-Modified-Since',
    headers: () => ({ 'If-Modified-Since': 'Thu, 02 Jan 2020 03:04:04 GMT' }),
    status: 200,
    body: DIGITS,
    expect: WHOLE,
  },
  {
    title: 'ignores an If-Modified-Since that is not an HTTP-date',
    headers: () => ({ 'If-Modified-Since': '2030' }),
    status: 200,
    body: DIGITS,
    expect: WHOLE,
  },
  {
    title: 'lets If-None-Match take precedence over If-Modified-Since',
    headers: () => ({ 'If-None-Match': '"stale"', 'If-Modified-Since': LAST_MODIFIED }),
    status: 200,
    body: DIGITS,
    expect: WHOLE,
  },
  {
    title: 'answers 304 before looking at Range',
    headers: (e) => ({ 'If-None-Match': e, Range: 'bytes=0-4' }),
    status: 304,
    body: undefined,
    expect: NOT_MODIFIED,
  },
  // If-Match / If-Unmodified-Since → 412
  {
    title: 'serves the file when If-Match has the current tag',
    headers: (e) => ({ 'If-Match': e }),
    status: 200,
    body: DIGITS,
    expect: WHOLE,
  },
  {
    title: 'serves the file for If-Match: *',
    headers: () => ({ 'If-Match': '*' }),
    status: 200,
    body: DIGITS,
    expect: WHOLE,
  },
  {
    title: 'refuses with 412 an If-Match naming a replaced version',
    headers: () => ({ 'If-Match': '"stale"' }),
    status: 412,
    body: 'precondition_failed',
    expect: { 'content-type': 'application/problem+json; charset=utf-8', etag: null, 'content-range': null },
  },
  {
    title: 'refuses with 412 an If-Match with the weak tag (strong comparison)',
    headers: (e) => ({ 'If-Match': `W/${e}` }),
    status: 412,
    body: 'precondition_failed',
    expect: { etag: null },
  },
  {
    title: 'refuses with 412 an If-Unmodified-Since before the modification',
    headers: () => ({ 'If-Unmodified-Since': 'Thu, 02 Jan 2020 03:04:04 GMT' }),
    status: 412,
    body: 'precondition_failed',
    expect: { etag: null },
  },
  {
    title: 'serves the file when If-Unmodified-Since holds',
    headers: () => ({ 'If-Unmodified-Since': LAST_MODIFIED }),
    status: 200,
    body: DIGITS,
    expect: WHOLE,
  },
  {
    title: 'ignores If-Unmodified-Since when If-Match is present',
    headers: (e) => ({ 'If-Match': e, 'If-Unmodified-Since': 'Mon, 01 Jan 2001 00:00:00 GMT' }),
    status: 200,
    body: DIGITS,
    expect: WHOLE,
  },
  {
    title: 'refuses with 412 before looking at Range',
    headers: () => ({ 'If-Match': '"stale"', Range: 'bytes=0-4' }),
    status: 412,
    body: 'precondition_failed',
    expect: { 'content-range': null },
  },
  // Range → 206 / 416 / 200
  {
    title: 'serves bytes=0-4',
    headers: () => ({ Range: 'bytes=0-4' }),
    status: 206,
    body: '01234',
    expect: partial(0, 4),
  },
  {
    title: 'serves bytes=15-',
    headers: () => ({ Range: 'bytes=15-' }),
    status: 206,
    body: 'fghij',
    expect: partial(15, 19),
  },
  {
    title: 'serves bytes=-3',
    headers: () => ({ Range: 'bytes=-3' }),
    status: 206,
    body: 'hij',
    expect: partial(17, 19),
  },
  {
    title: 'serves a suffix longer than the file as the whole file in a 206',
    headers: () => ({ Range: 'bytes=-100' }),
    status: 206,
    body: DIGITS,
    expect: partial(0, 19),
  },
  {
    title: 'clamps a last byte past the end',
    headers: () => ({ Range: 'bytes=5-1000' }),
    status: 206,
    body: '56789abcdefghij',
    expect: partial(5, 19),
  },
  {
    title: 'serves the last single byte',
    headers: () => ({ Range: 'bytes=19-19' }),
    status: 206,
    body: 'j',
    expect: partial(19, 19),
  },
  {
    title: 'reads the range unit case-insensitively',
    headers: () => ({ Range: 'BYTES=0-0' }),
    status: 206,
    body: '0',
    expect: partial(0, 0),
  },
  {
    title: 'answers 416 with Content-Range bytes */size for a first byte past the end',
    headers: () => ({ Range: 'bytes=20-' }),
    status: 416,
    body: undefined,
    expect: UNSATISFIABLE,
  },
  {
    title: 'answers 416 for an empty suffix bytes=-0',
    headers: () => ({ Range: 'bytes=-0' }),
    status: 416,
    body: undefined,
    expect: UNSATISFIABLE,
  },
  {
    title: 'answers 416 for a first byte too large for a number',
    headers: () => ({ Range: `bytes=${'9'.repeat(400)}-` }),
    status: 416,
    body: undefined,
    expect: UNSATISFIABLE,
  },
  {
    title: 'serves the whole file for several ranges (no multipart)',
    headers: () => ({ Range: 'bytes=0-1, 5-6' }),
    status: 200,
    body: DIGITS,
    expect: WHOLE,
  },
  {
    title: 'serves the whole file for a range whose last byte is before its first',
    headers: () => ({ Range: 'bytes=5-1' }),
    status: 200,
    body: DIGITS,
    expect: WHOLE,
  },
  {
    title: 'serves the whole file for another range unit',
    headers: () => ({ Range: 'items=0-1' }),
    status: 200,
    body: DIGITS,
    expect: WHOLE,
  },
  {
    title: 'serves the whole file for a malformed range',
    headers: () => ({ Range: 'bytes=a-b' }),
    status: 200,
    body: DIGITS,
    expect: WHOLE,
  },
  // If-Range
  {
    title: 'serves the range when If-Range has the current tag',
    headers: (e) => ({ Range: 'bytes=0-4', 'If-Range': e }),
    status: 206,
    body: '01234',
    expect: partial(0, 4),
  },
  {
    title: 'serves the range when If-Range is the Last-Modified date',
    headers: () => ({ Range: 'bytes=0-4', 'If-Range': LAST_MODIFIED }),
    status: 206,
    body: '01234',
    expect: partial(0, 4),
  },
  {
    title: 'serves the whole file when If-Range names a replaced version',
    headers: () => ({ Range: 'bytes=0-4', 'If-Range': '"stale"' }),
    status: 200,
    body: DIGITS,
    expect: WHOLE,
  },
  {
    title: 'serves the whole file when If-Range has the weak tag (strong comparison)',
    headers: (e) => ({ Range: 'bytes=0-4', 'If-Range': `W/${e}` }),
    status: 200,
    body: DIGITS,
    expect: WHOLE,
  },
  {
    title: 'serves the whole file when If-Range is another date',
    headers: () => ({ Range: 'bytes=0-4', 'If-Range': 'Thu, 02 Jan 2020 03:04:06 GMT' }),
    status: 200,
    body: DIGITS,
    expect: WHOLE,
  },
  {
    title: 'ignores If-Range on an unsatisfiable range it rules out',
    headers: () => ({ Range: 'bytes=50-', 'If-Range': '"stale"' }),
    status: 200,
    body: DIGITS,
    expect: WHOLE,
  },
  // HEAD
  {
    title: 'answers HEAD with the headers of a GET and no body',
    method: 'HEAD',
    headers: none,
    status: 200,
    body: undefined,
    expect: WHOLE,
  },
  {
    title: 'answers HEAD with a Range with the whole-file headers (ranges are for GET)',
    method: 'HEAD',
    headers: () => ({ Range: 'bytes=0-4' }),
    status: 200,
    body: undefined,
    expect: WHOLE,
  },
  {
    title: 'answers HEAD with If-None-Match with 304',
    method: 'HEAD',
    headers: (e) => ({ 'If-None-Match': e }),
    status: 304,
    body: undefined,
    expect: NOT_MODIFIED,
  },
];

describe.each(expressFlavours)('sendSafeFile conditional requests and ranges on $name', (flavour) => {
  let app: Express;
  let etag: string;
  beforeAll(async () => {
    app = buildApp(flavour, (a) => {
      a.get('/files/:name', sendSafeFile(tree.base));
      a.get('/whole/:name', sendSafeFile(tree.base, { ranges: false }));
      a.use(errorHandler());
    });
    const first = await request(app).get('/files/digits.txt');
    etag = String(first.headers['etag']);
  });

  it('sends a strong, opaque ETag', () => {
    expect(etag).toMatch(ETAG_SHAPE);
  });

  it.each(CASES)('$title', async (c) => {
    const req = c.method === 'HEAD' ? request(app).head('/files/digits.txt') : request(app).get('/files/digits.txt');
    const res = await req.set(c.headers(etag)).buffer(true).parse(rawBody);
    expect(res.status).toBe(c.status);
    for (const [name, value] of Object.entries(c.expect)) {
      expect({ [name]: res.headers[name] }).toEqual({ [name]: value ?? undefined });
    }
    // Node's client never reads a body on HEAD (supertest leaves {}); it cannot carry one.
    const body = Buffer.isBuffer(res.body) ? res.body : Buffer.alloc(0);
    if (c.status === 412) {
      expect(JSON.parse(body.toString())).toMatchObject({ status: 412, code: c.body });
    } else {
      expect(body.toString('latin1')).toBe(c.body ?? '');
    }
    if (c.status === 200 || c.status === 206 || c.status === 304) expect(res.headers['etag']).toBe(etag);
    if (c.status === 200 || c.status === 206) {
      expect(res.headers['content-disposition']).toBe('attachment; filename="digits.txt"');
      expect(res.headers['x-content-type-options']).toBe('nosniff');
    }
  });

  it('serves the whole file and Accept-Ranges: none with ranges: false', async () => {
    const res = await request(app).get('/whole/digits.txt').set('Range', 'bytes=0-4').buffer(true).parse(rawBody);
    expect(res.status).toBe(200);
    expect((res.body as Buffer).toString()).toBe(DIGITS);
    expect(res.headers['accept-ranges']).toBe('none');
    expect(res.headers['content-range']).toBeUndefined();
    expect(res.headers['content-length']).toBe('20');
  });

  it('still answers conditional requests with ranges: false', async () => {
    const res = await request(app).get('/whole/digits.txt').set('If-None-Match', etag);
    expect(res.status).toBe(304);
    expect(res.text ?? '').toBe('');
  });

  it('answers 416 with bytes */0 for any range on an empty file', async () => {
    const res = await request(app).get('/files/empty.csv').set('Range', 'bytes=0-').buffer(true).parse(rawBody);
    expect(res.status).toBe(416);
    expect(res.headers['content-range']).toBe('bytes */0');
    expect((res.body as Buffer).length).toBe(0);
  });
});

describe('sendSafeFile ETag', () => {
  let app: Express;
  beforeAll(() => {
    app = buildApp(expressFlavours[0]!, (a) => {
      a.get('/files/:name', sendSafeFile(tree.base));
    });
  });
  const tagOf = async (name: string): Promise<string> =>
    String((await request(app).get(`/files/${name}`)).headers['etag']);

  it('is stable for an unchanged file and changes when the file is rewritten or replaced', async () => {
    const file = path.join(tree.base, 'tagged.txt');
    await writeFile(file, 'version-1');
    await utimes(file, MTIME, MTIME);
    const first = await tagOf('tagged.txt');
    expect(await tagOf('tagged.txt')).toBe(first);
    // Same size, same second, other nanoseconds: a rewrite in place is a new version.
    await writeFile(file, 'version-2');
    await utimes(file, new Date(MTIME.getTime() + 1), new Date(MTIME.getTime() + 1));
    const rewritten = await tagOf('tagged.txt');
    expect(rewritten).not.toBe(first);
    // Same content and times, another inode: a replaced file is a new version.
    const other = path.join(tree.base, 'tagged-new.txt');
    await writeFile(other, 'version-2');
    await utimes(other, new Date(MTIME.getTime() + 1), new Date(MTIME.getTime() + 1));
    await rename(other, file);
    const replaced = await tagOf('tagged.txt');
    expect(replaced).not.toBe(rewritten);
    expect([first, rewritten, replaced].every((t) => ETAG_SHAPE.test(t))).toBe(true);
  });
});

/** supertest parser keeping the body as exact bytes (on Node it is handed the IncomingMessage). */
function rawBody(res: request.Response, done: (err: Error | null, body: Buffer) => void): void {
  const stream = res as unknown as NodeJS.ReadableStream;
  const chunks: Buffer[] = [];
  stream.on('data', (c: Buffer) => chunks.push(c));
  stream.on('end', () => {
    done(null, Buffer.concat(chunks));
  });
}

describe('conditional parsers', () => {
  const NOW = Date.UTC(2026, 0, 1) / 1000;
  const V: Validators = { etag: '"abc"', lastModified: LAST_MODIFIED, mtimeSec: MTIME.getTime() / 1000 };

  it.each([
    ['Thu, 02 Jan 2020 03:04:05 GMT', MTIME.getTime() / 1000],
    ['Thursday, 02-Jan-20 03:04:05 GMT', MTIME.getTime() / 1000],
    ['Thu Jan  2 03:04:05 2020', MTIME.getTime() / 1000],
    ['Thu Jan 12 03:04:05 2020', Date.UTC(2020, 0, 12, 3, 4, 5) / 1000],
    // RFC 9110 §5.6.7: more than 50 years ahead means the previous century.
    ['Sunday, 06-Nov-94 08:49:37 GMT', Date.UTC(1994, 10, 6, 8, 49, 37) / 1000],
    ['Thu, 31 Dec 1998 23:59:60 GMT', Date.UTC(1998, 11, 31, 23, 59, 59) / 1000],
  ])('reads the HTTP-date %s', (text, seconds) => {
    expect(parseHttpDate(text, NOW)).toBe(seconds);
  });

  it.each([
    ['a year alone', '2020'],
    ['a number', '1'],
    ['ISO 8601', '2020-01-02T03:04:05Z'],
    ['a day that does not exist', 'Mon, 31 Feb 2020 00:00:00 GMT'],
    ['an hour 24', 'Thu, 02 Jan 2020 24:00:00 GMT'],
    ['a zone other than GMT', 'Thu, 02 Jan 2020 03:04:05 UTC'],
    ['lower-case month', 'Thu, 02 jan 2020 03:04:05 GMT'],
    ['trailing text', 'Thu, 02 Jan 2020 03:04:05 GMT; x'],
    ['an empty string', ''],
  ])('refuses %s as an HTTP-date', (_title, text) => {
    expect(parseHttpDate(text, NOW)).toBeUndefined();
  });

  it.each([
    ['"abc"', false, true],
    ['W/"abc"', false, false],
    ['W/"abc"', true, true],
    ['"x", "abc"', false, true],
    ['"x","y"', true, false],
    ['*', false, true],
    ['abc', true, false],
    ['"abc', true, false],
    ['"x", junk, "abc"', true, false],
    ['', true, false],
  ])('matches the tag list %s (weak: %s) → %s', (header, weak, expected) => {
    expect(listMatches(header, '"abc"', weak)).toBe(expected);
  });

  it.each([
    [undefined, 10, { kind: 'whole' }],
    ['bytes=0-0', 10, { kind: 'partial', start: 0, end: 0 }],
    ['bytes= 2-3 ', 10, { kind: 'partial', start: 2, end: 3 }],
    ['bytes=2-3,', 10, { kind: 'partial', start: 2, end: 3 }],
    ['bytes=0-', 0, { kind: 'unsatisfiable' }],
    ['bytes=-1', 0, { kind: 'unsatisfiable' }],
    ['bytes=-', 10, { kind: 'whole' }],
    ['bytes=', 10, { kind: 'whole' }],
    ['bytes=1-2-3', 10, { kind: 'whole' }],
    ['bytes=+1-2', 10, { kind: 'whole' }],
    ['bytes=0x1-2', 10, { kind: 'whole' }],
    ['bytes=1-2,3-4', 10, { kind: 'whole' }],
  ])('reads Range %s on %i bytes', (header, size, expected) => {
    expect(parseRange(header, size)).toEqual(expected);
  });

  it.each([
    [undefined, true],
    ['"abc"', true],
    ['W/"abc"', false],
    ['"other"', false],
    [LAST_MODIFIED, true],
    ['Thu, 02 Jan 2020 03:04:06 GMT', false],
    ['not a validator', false],
  ])('If-Range %s allows the range: %s', (value, expected) => {
    expect(ifRangeAllows(value, V, NOW)).toBe(expected);
  });

  it('refuses an If-Range date for a file modified in the current second (a weak validator)', () => {
    expect(ifRangeAllows(LAST_MODIFIED, V, V.mtimeSec)).toBe(false);
  });
});
