// sendSafeFile: an Express download handler for req.params.name built on openSafeFile.
import type { IncomingMessage, ServerResponse } from 'node:http';
import { PathError } from './errors.js';
import { extensionOf } from './lexical.js';
import { openCompiled, OPEN_KEYS } from './open.js';
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
 * An Express handler that serves `req.params.name` from `baseDir` through openSafeFile, streaming
 * the opened handle with `Content-Type` from the extension allowlist, `Content-Length`,
 * `X-Content-Type-Options: nosniff` and `Content-Disposition: attachment`. Every refusal is a
 * PathError passed to `next(err)` (400 invalid_path, 403 forbidden_path, 404 not_found); mount
 * `errorHandler()` from @portcullis/errors after it.
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

  return function sendSafeFileHandler(req: SafeFileRequest, res: ServerResponse, next: SafeFileNext): void {
    const name = requestedName(req);
    openCompiled(base, name, compiled).then(
      (file) => {
        // The lexical rules guaranteed a string whose extension is in the allowlist.
        const last = (name as string).split('/').pop() ?? '';
        const type = contentTypes.get(extensionOf(last));
        if (type === undefined) {
          void file.handle.close().catch(() => undefined);
          next(new PathError('extension', 'No content type for the extension'));
          return;
        }
        res.statusCode = 200;
        res.setHeader('Content-Type', type);
        res.setHeader('Content-Length', file.size);
        res.setHeader('X-Content-Type-Options', 'nosniff');
        res.setHeader('Content-Disposition', contentDisposition(last));
        if (req.method === 'HEAD' || file.size === 0) {
          void file.handle.close().catch(() => undefined);
          res.end();
          return;
        }
        // Bounded by the size checked at open: a file growing meanwhile cannot overrun Content-Length.
        const stream = file.handle.createReadStream({ start: 0, end: file.size - 1, autoClose: true });
        stream.on('error', (error) => {
          if (res.headersSent) res.destroy();
          else next(error);
        });
        stream.on('end', () => {
          // Truncated since open: fewer bytes than Content-Length announced. Cut the connection so the
          // client sees a broken download, not a short file that looks complete (runs before pipe's end()).
          if (stream.bytesRead < file.size) res.destroy();
        });
        res.on('close', () => stream.destroy());
        stream.pipe(res);
      },
      (error: unknown) => {
        next(error);
      },
    );
  };
}
