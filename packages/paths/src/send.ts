// sendSafeFile: an Express download handler for req.params.name built on openSafeFile; it owns every handle it opens.
import type { IncomingMessage, ServerResponse } from 'node:http';
import { pipeline } from 'node:stream';
import { PathError } from './errors.js';
import { extensionOf } from './lexical.js';
import { closeQuietly, openCompiled, OPEN_KEYS, type OpenedFile } from './open.js';
import {
  checkBaseDir,
  compileOpenOptions,
  EXTENSION,
  readOptions,
  show,
  typeError,
  type OpenSafeFileOptions,
} from './options.js';

/** Options of sendSafeFile: those of openSafeFile plus `contentTypes`. */
export interface SendSafeFileOptions extends OpenSafeFileOptions {
  /**
   * Extension → Content-Type. Replaces the defaults (not merged). Only these extensions are served:
   * `allowedExtensions` defaults to its keys and, when given, must be a subset of them.
   * @default { ".csv": "text/csv; charset=utf-8", ".txt": "text/plain; charset=utf-8", ".json": "application/json",
   *   ".pdf": "application/pdf", ".png": "image/png", ".jpg": "image/jpeg" }
   */
  contentTypes?: Readonly<Record<string, string>> | undefined;
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

function compileContentTypes(value: unknown): ReadonlyMap<string, string> {
  const fn = 'sendSafeFile';
  if (value === undefined) return new Map(Object.entries(DEFAULT_CONTENT_TYPES));
  if (typeof value !== 'object' || value === null || Array.isArray(value) || Object.keys(value).length === 0) {
    throw typeError(
      fn,
      `"contentTypes" must be a non-empty object such as { ".csv": "text/csv" } (got ${show(value)})`,
    );
  }
  const out = new Map<string, string>();
  for (const [ext, type] of Object.entries(value as Record<string, unknown>)) {
    if (!EXTENSION.test(ext)) throw typeError(fn, `"contentTypes" keys must look like ".csv" (got ${show(ext)})`);
    if (typeof type !== 'string' || !MEDIA_TYPE.test(type)) {
      throw typeError(
        fn,
        `"contentTypes" values must be media types such as "text/csv" (got ${show(type)} for ${ext})`,
      );
    }
    const key = ext.toLowerCase();
    if (out.has(key)) throw typeError(fn, `"contentTypes" lists ${key} twice (keys are case-insensitive)`);
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
 * Streams `file` into `res` and hands the handle's ownership to the stream: pipeline destroys the
 * read stream (autoClose closes the handle) when the response closes, fails or finishes, and the
 * socket's "close" covers a queued pipelined response that never closes itself.
 */
function streamBody(req: SafeFileRequest, res: ServerResponse, file: OpenedFile, start: number, end: number): void {
  const expected = end - start + 1;
  const stream = file.handle.createReadStream({ start, end, autoClose: true });
  const socket = req.socket;
  const onSocketClose = (): void => {
    stream.destroy();
  };
  socket.once('close', onSocketClose);
  stream.once('end', () => {
    // Truncated since open: fewer bytes than Content-Length announced. Cut the connection so the
    // client sees a broken download, not a short file that looks complete (runs before pipeline's end()).
    if (stream.bytesRead < expected) res.destroy();
  });
  pipeline(stream, res, () => {
    // Success, client abort or read error: pipeline has destroyed what needed destroying (a response
    // whose headers are out can only be cut). Nothing is reported: the response is no longer ours.
    socket.removeListener('close', onSocketClose);
  });
}

/**
 * An Express handler that serves `req.params.name` from `baseDir` through openSafeFile, streaming
 * the opened handle with `Content-Type` from the extension allowlist, `Content-Length`,
 * `X-Content-Type-Options: nosniff` and `Content-Disposition: attachment`. Every refusal is a
 * PathError passed to `next(err)` (400 invalid_path, 403 forbidden_path, 404 not_found); mount
 * `errorHandler()` from @portcullis/errors after it.
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
  const fn = 'sendSafeFile';
  const base = checkBaseDir(fn, baseDir);
  const opts = readOptions(fn, options, [...OPEN_KEYS, 'contentTypes']);
  const contentTypes = compileContentTypes(opts['contentTypes']);
  const rules = compileOpenOptions(fn, opts);
  if (rules.allowedExtensions !== undefined) {
    for (const ext of rules.allowedExtensions) {
      if (!contentTypes.has(ext)) {
        throw typeError(
          fn,
          `"allowedExtensions" has ${ext} but "contentTypes" has no type for it; add it to "contentTypes"`,
        );
      }
    }
  }
  const compiled = { ...rules, allowedExtensions: rules.allowedExtensions ?? new Set(contentTypes.keys()) };

  function plan(req: SafeFileRequest, file: OpenedFile, last: string, type: string): Plan {
    const headers: [string, string | number][] = [
      ['Content-Type', type],
      ['Content-Length', file.size],
      ['X-Content-Type-Options', 'nosniff'],
      ['Content-Disposition', contentDisposition(last)],
    ];
    const withBody = req.method !== 'HEAD' && file.size > 0;
    return { status: 200, headers, body: withBody ? { start: 0, end: file.size - 1 } : undefined };
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
    // From here this function owns file.handle until streamBody hands it to the read stream.
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
      streamBody(req, res, file, answer.body.start, answer.body.end);
      handedOver = true;
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
