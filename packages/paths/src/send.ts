// sendSafeFile: an Express download handler for req.params.name built on openSafeFile; it owns every handle it opens.
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { ReadStream } from 'node:fs';
import { pipeline } from 'node:stream/promises';
import { checkOptions, optionError, type OptionKeys } from '@portcullis/errors/options';
import {
  evaluatePreconditions,
  ifRangeAllows,
  parseRange,
  validatorsOf,
  type ConditionalHeaders,
  type RangeOutcome,
} from './conditional.js';
import { PathError, PreconditionFailedError } from './errors.js';
import { extensionOf } from './lexical.js';
import { closeQuietly, openCompiled, type OpenedFile } from './open.js';
import { checkBaseDir, compileOpenOptions, EXTENSION, OPEN_KEYS, type OpenSafeFileOptions } from './options.js';

/** Options of sendSafeFile: those of openSafeFile plus `contentTypes`. */
export interface SendSafeFileOptions extends OpenSafeFileOptions {
  /**
   * Extension → Content-Type. Replaces the defaults (not merged). Only these extensions are served:
   * `allowedExtensions` defaults to its keys and, when given, must be a subset of them.
   * @default { ".csv": "text/csv; charset=utf-8", ".txt": "text/plain; charset=utf-8", ".json": "application/json",
   *   ".pdf": "application/pdf", ".png": "image/png", ".jpg": "image/jpeg" }
   */
  contentTypes?: Readonly<Record<string, string>> | undefined;
  /**
   * Serve byte ranges: `Range: bytes=a-b | a- | -n` on GET gets a 206 with `Content-Range`, an
   * unsatisfiable one a 416 with `Content-Range: bytes *\/<size>`, and `Accept-Ranges: bytes` is sent.
   * `false`: every request gets the whole file and `Accept-Ranges: none`.
   * @default true
   */
  ranges?: boolean | undefined;
  /**
   * `Content-Disposition: attachment` is always sent (a download, never rendered inline). `true`:
   * the download is named after the served file. A function receives the served file's name (its
   * last segment) and returns the name the browser should save it under, e.g. a title from your
   * database; the result is cleaned (control characters and path separators removed, at most 255
   * characters; an empty result falls back to the file's name) and encoded as RFC 6266 `filename*`
   * (RFC 8187) with an ASCII `filename` fallback, so no name can inject a header. A function that
   * throws or returns a non-string is a server fault (500 through `next(err)`).
   * @default true
   */
  attachment?: true | ((name: string) => string) | undefined;
}

/** The default extension → Content-Type allowlist of sendSafeFile. */
export const DEFAULT_CONTENT_TYPES: Readonly<Record<string, string>> = Object.freeze({
  '.csv': 'text/csv; charset=utf-8',
  '.txt': 'text/plain; charset=utf-8',
  '.json': 'application/json',
  '.pdf': 'application/pdf',
  '.png': 'image/png',
  '.jpg': 'image/jpeg',
});

// type/subtype with optional parameters; no CR/LF or other control characters can pass.
const TOKEN = '[A-Za-z0-9!#$&^_.+-]+';
const MEDIA_TYPE = new RegExp(`^${TOKEN}/${TOKEN}(?:; ?${TOKEN}=(?:${TOKEN}|"[A-Za-z0-9 ._+-]*"))*$`);

/** The request as far as this handler reads it; Express's Request satisfies it. */
export type SafeFileRequest = IncomingMessage & { params?: unknown };
/** Express's next(). */
export type SafeFileNext = (err?: unknown) => void;
/** The handler returned by sendSafeFile. */
export type SafeFileHandler = (req: SafeFileRequest, res: ServerResponse, next: SafeFileNext) => void;

const SEND_KEYS: OptionKeys<SendSafeFileOptions> = { ...OPEN_KEYS, contentTypes: true, ranges: true, attachment: true };

function compileContentTypes(value: unknown): ReadonlyMap<string, string> {
  if (value === undefined) return new Map(Object.entries(DEFAULT_CONTENT_TYPES));
  if (typeof value !== 'object' || value === null || Array.isArray(value) || Object.keys(value).length === 0) {
    throw optionError('paths', 'contentTypes', 'must be a non-empty object', 'e.g. { ".csv": "text/csv" }', value);
  }
  const out = new Map<string, string>();
  for (const [ext, type] of Object.entries(value as Record<string, unknown>)) {
    if (!EXTENSION.test(ext))
      throw optionError(
        'paths',
        'contentTypes',
        'keys must look like ".csv"',
        'one leading dot, then letters, digits, "_" or "-"',
        ext,
      );
    if (typeof type !== 'string' || !MEDIA_TYPE.test(type)) {
      throw optionError('paths', 'contentTypes', `value for ${ext} must be a media type`, 'e.g. "text/csv"', type);
    }
    const key = ext.toLowerCase();
    if (out.has(key))
      throw optionError('paths', 'contentTypes', `lists ${key} twice`, 'keys are case-insensitive: keep one');
    out.set(key, type);
  }
  return out;
}

// RFC 5987 attr-char: encodeURIComponent leaves ' ( ) * and ! unescaped; ' ( ) * are not attr-chars.
function encodeExtValue(value: string): string {
  return encodeURIComponent(value).replace(/['()*]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`);
}

/**
 * `attachment; filename="…"` with an ASCII fallback (no quote, backslash, % or non-ASCII) and, when
 * the name needs it, `filename*=UTF-8''…` (RFC 6266 §4.3, RFC 8187).
 */
export function contentDisposition(name: string): string {
  const fallback = name.replace(/[^\x20-\x7e]|["\\%]/g, '_');
  const header = `attachment; filename="${fallback}"`;
  return fallback === name ? header : `${header}; filename*=UTF-8''${encodeExtValue(name)}`;
}

function requestedName(req: SafeFileRequest): unknown {
  const params = req.params;
  if (typeof params !== 'object' || params === null) return undefined;
  const name: unknown = (params as Record<string, unknown>)['name'];
  // Express 5 gives a "/{*name}" wildcard as an array of already-decoded segments.
  if (Array.isArray(name)) return name.every((s) => typeof s === 'string') ? name.join('/') : undefined;
  return name;
}

/** A header Node gives as a string (repeated lines joined); an array (never for these) counts as absent. */
function oneHeader(value: string | string[] | undefined): string | undefined {
  return typeof value === 'string' ? value : undefined;
}

function compileRanges(value: unknown): boolean {
  if (value === undefined) return true;
  if (typeof value !== 'boolean') {
    throw optionError('paths', 'ranges', 'must be true or false', 'omit it to serve byte ranges', value);
  }
  return value;
}

const MAX_DOWNLOAD_NAME = 255; // code points

/**
 * Cleans a download name built from user data (a title may be anything) instead of failing the
 * request: C0/C1 controls, DEL and path separators dropped, lone surrogates replaced, trimmed,
 * at most 255 code points.
 */
export function cleanDownloadName(chosen: string): string {
  let out = '';
  let count = 0;
  for (const ch of chosen) {
    const cp = ch.codePointAt(0) ?? 0;
    if (cp < 0x20 || (cp >= 0x7f && cp <= 0x9f) || ch === '/' || ch === '\\') continue;
    // Iterating a string pairs surrogates: one left alone here is a lone surrogate.
    out += cp >= 0xd800 && cp <= 0xdfff ? '\uFFFD' : ch;
    if (++count === MAX_DOWNLOAD_NAME) break;
  }
  return out.trim();
}

/** The download name for a served file: the file's own name, or the cleaned result of the option's function. */
function compileAttachment(value: unknown): (name: string) => string {
  if (value === undefined || value === true) return (name) => name;
  if (typeof value !== 'function') {
    throw optionError(
      'paths',
      'attachment',
      'must be true or a function (name) => string',
      'omit it to name downloads after the file; files are always sent as attachments',
      value,
    );
  }
  const choose = value as (name: string) => unknown;
  return function downloadName(name: string): string {
    const chosen = choose(name);
    if (typeof chosen !== 'string') {
      throw new TypeError('@portcullis/paths: the "attachment" function must return a string');
    }
    const clean = cleanDownloadName(chosen);
    return clean === '' ? name : clean;
  };
}

/**
 * True once the response is no longer ours to write: started or finished by someone else, destroyed,
 * or its connection gone. A pipelined response still queued behind another one never emits "close"
 * and never becomes `destroyed` when the client resets, so the socket is checked too.
 */
function responseGone(req: SafeFileRequest, res: ServerResponse): boolean {
  return res.headersSent || res.writableEnded || res.destroyed || req.socket.destroyed;
}

/** What one request gets: status, headers, and the byte range to stream (undefined: no body). */
interface Plan {
  readonly status: number;
  readonly headers: readonly (readonly [string, string | number])[];
  readonly body: { readonly start: number; readonly end: number } | undefined;
}

/**
 * Streams into `res` from a read stream that owns the handle (autoClose). pipeline destroys the
 * stream, closing the handle, when the response closes or fails; the socket's "close" covers a
 * queued pipelined response, which never closes itself. Never rejects.
 */
async function sendStream(
  req: SafeFileRequest,
  res: ServerResponse,
  stream: ReadStream,
  expected: number,
): Promise<void> {
  const socket = req.socket;
  const onSocketClose = (): void => {
    stream.destroy();
  };
  socket.once('close', onSocketClose);
  try {
    // end: false, so that a short file is never ended like a complete one.
    await pipeline(stream, res, { end: false });
    // Truncated since open: fewer bytes than Content-Length announced. Cut the connection so the
    // client sees a broken download, not a short file that looks complete (logged as aborted).
    if (stream.bytesRead < expected) res.destroy();
    else res.end();
  } catch {
    // Client gone or a read error: pipeline destroyed both; a response whose headers are out can
    // only be cut. Nothing is reported: the response is no longer ours.
  } finally {
    socket.removeListener('close', onSocketClose);
  }
}

/**
 * An Express handler that serves `req.params.name` from `baseDir` through openSafeFile, streaming
 * the opened handle with `Content-Type` from the extension allowlist, `Content-Length`,
 * `Accept-Ranges`, a strong `ETag` and `Last-Modified` (from the handle's fstat),
 * `X-Content-Type-Options: nosniff` and `Content-Disposition: attachment`.
 *
 * Conditional requests (RFC 9110 §13): `If-None-Match` / `If-Modified-Since` that hold give 304;
 * `If-Match` / `If-Unmodified-Since` that fail give a PreconditionFailedError (412) through
 * `next(err)`. Ranges (RFC 9110 §14, GET only, unless `ranges: false`): one range gives 206 with
 * `Content-Range`, an unsatisfiable one 416 with `Content-Range: bytes *\/<size>` (answered here:
 * an error handler drops that header), several ranges the whole file; `If-Range` is honoured. HEAD
 * gets the headers of a GET without a body.
 *
 * Every refusal of the name is a PathError passed to `next(err)` (400 invalid_path, 403
 * forbidden_path, 404 not_found); mount `errorHandler()` from @portcullis/errors after it.
 *
 * Every handle it opens is closed on every path (served, refused, HEAD, client gone). Once the
 * response has been started or finished by someone else, or the client has gone, it touches
 * nothing: it closes the handle and returns, and never calls `next(err)`.
 *
 * @example app.get('/exports/:name', sendSafeFile('/srv/app/exports', { contentTypes: { '.csv': 'text/csv' } }))
 * @param baseDir - absolute, server-chosen directory.
 * @param options - see {@link SendSafeFileOptions}.
 * @throws TypeError at creation for a bad `baseDir` or options.
 */
export function sendSafeFile(baseDir: string, options?: SendSafeFileOptions): SafeFileHandler {
  const base = checkBaseDir(baseDir);
  const opts = checkOptions('paths', options, SEND_KEYS);
  const contentTypes = compileContentTypes(opts['contentTypes']);
  const ranges = compileRanges(opts['ranges']);
  const downloadName = compileAttachment(opts['attachment']);
  const rules = compileOpenOptions(opts);
  if (rules.allowedExtensions !== undefined) {
    for (const ext of rules.allowedExtensions) {
      if (!contentTypes.has(ext)) {
        throw optionError(
          'paths',
          'allowedExtensions',
          `has ${ext} but "contentTypes" has no type for it`,
          'add it to "contentTypes"',
        );
      }
    }
  }
  const compiled = { ...rules, allowedExtensions: rules.allowedExtensions ?? new Set(contentTypes.keys()) };

  /** The answer for one request, from its conditional and Range headers; a failed precondition throws. */
  function plan(req: SafeFileRequest, file: OpenedFile, last: string, type: string): Plan {
    const v = validatorsOf(file.stat);
    const nowSec = Math.floor(Date.now() / 1000);
    const h = req.headers;
    const conditional: ConditionalHeaders = {
      'if-match': h['if-match'],
      'if-none-match': h['if-none-match'],
      'if-modified-since': h['if-modified-since'],
      'if-unmodified-since': h['if-unmodified-since'],
    };
    const precondition = evaluatePreconditions(req.method, conditional, v, nowSec);
    if (precondition === 'failed') throw new PreconditionFailedError('If-Match or If-Unmodified-Since failed');
    if (precondition === 'not_modified') {
      // RFC 9110 §15.4.5: the validators a cache needs to refresh its copy, no representation headers.
      return {
        status: 304,
        headers: [
          ['ETag', v.etag],
          ['Last-Modified', v.lastModified],
        ],
        body: undefined,
      };
    }
    // Range handling is defined for GET only (RFC 9110 §14.2); HEAD gets the headers of the whole file.
    let range: RangeOutcome = { kind: 'whole' };
    if (ranges && req.method === 'GET' && ifRangeAllows(oneHeader(h['if-range']), v, nowSec)) {
      range = parseRange(req.headers.range, file.size);
    }
    const acceptRanges: [string, string] = ['Accept-Ranges', ranges ? 'bytes' : 'none'];
    if (range.kind === 'unsatisfiable') {
      return {
        status: 416,
        headers: [['Content-Range', `bytes */${file.size}`], acceptRanges, ['Content-Length', 0]],
        body: undefined,
      };
    }
    const [status, start, end] = range.kind === 'partial' ? [206, range.start, range.end] : [200, 0, file.size - 1];
    const headers: [string, string | number][] = [
      ['Content-Type', type],
      ['Content-Length', end - start + 1],
      acceptRanges,
      ['ETag', v.etag],
      ['Last-Modified', v.lastModified],
      ['X-Content-Type-Options', 'nosniff'],
      ['Content-Disposition', contentDisposition(downloadName(last))],
    ];
    if (status === 206) headers.push(['Content-Range', `bytes ${start}-${end}/${file.size}`]);
    const withBody = req.method !== 'HEAD' && end >= start;
    return { status, headers, body: withBody ? { start, end } : undefined };
  }

  async function serve(req: SafeFileRequest, res: ServerResponse, next: SafeFileNext): Promise<void> {
    // Answered or abandoned before we start (a handler that responded, a client gone): open nothing.
    if (responseGone(req, res)) return;
    const name = requestedName(req);
    let file: OpenedFile;
    try {
      file = await openCompiled(base, name, compiled);
    } catch (error) {
      // A refusal or a server fault, reported only while the response is still ours.
      if (!responseGone(req, res)) next(error);
      return;
    }
    // From here this function owns file.handle until it hands it to the read stream.
    let handedOver = false;
    try {
      // The lexical rules guaranteed a string whose extension is in the allowlist.
      const last = (name as string).split('/').pop() ?? '';
      const type = contentTypes.get(extensionOf(last));
      if (type === undefined) throw new PathError('extension', 'No content type for the extension');
      const answer = plan(req, file, last, type);
      // Checked after every await and right before the first write: nothing below awaits, so the
      // response cannot be taken over between this check and the headers.
      if (responseGone(req, res)) return;
      res.statusCode = answer.status;
      for (const [header, value] of answer.headers) res.setHeader(header, value);
      if (answer.body === undefined) {
        res.end();
        return;
      }
      const { start, end } = answer.body;
      const stream = file.handle.createReadStream({ start, end, autoClose: true });
      handedOver = true;
      await sendStream(req, res, stream, end - start + 1);
    } catch (error) {
      if (!responseGone(req, res)) next(error);
    } finally {
      if (!handedOver) await closeQuietly(file.handle);
    }
  }

  return function sendSafeFileHandler(req: SafeFileRequest, res: ServerResponse, next: SafeFileNext): void {
    // Every failure inside serve() is passed to next() or, once the response is gone, dropped; the
    // catch only guards against a next() that throws, which must not become an unhandled rejection.
    serve(req, res, next).catch(() => undefined);
  };
}
