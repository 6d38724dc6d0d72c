// errorHandler and notFoundHandler: render any thrown value as RFC 9457 problem+json without leaking it.
import { validateHeaderValue, type IncomingMessage, type ServerResponse } from 'node:http';
import {
  ALLOWED_ERROR_HEADERS,
  HttpError,
  NotFoundError,
  ValidationError,
  isHttpError,
  statusTitle,
  type AllowedErrorHeader,
  type ValidationIssue,
} from './errors.js';
import { checkOptions, optionError, type OptionKeys } from './options.js';

/** The least a logger must offer; pino loggers qualify. */
export interface ErrorLogger {
  error(obj: object, msg?: string): void;
  warn?(obj: object, msg?: string): void;
  info?(obj: object, msg?: string): void;
}

/** Options of errorHandler(). */
export interface ErrorHandlerOptions {
  /** Where 5xx details go when the request has no `req.log`. Without either, details are dropped (never console). */
  logger?: ErrorLogger;
}

/** The problem+json body. */
export interface ProblemBody {
  type: 'about:blank';
  title: string;
  status: number;
  code: string;
  requestId?: string;
  instance?: string;
  detail?: string;
  errors?: ValidationIssue[];
}

type NextFunction = (err?: unknown) => void;
type Req = IncomingMessage & { id?: unknown; log?: unknown };

const OPTION_KEYS: OptionKeys<ErrorHandlerOptions> = { logger: true };
const SAFE_REQUEST_ID = /^[A-Za-z0-9._-]{1,128}$/;
const PROBLEM_TYPE = 'application/problem+json; charset=utf-8';
// Headers an earlier middleware or the failed handler may have set that belong to the success
// response: a session cookie or a redirect must not ride on an error, nor a body header describe a
// body we are replacing. Security headers, Vary, CORS, X-Request-Id, RateLimit*, Retry-After stay.
const SUCCESS_ONLY_HEADERS = [
  'set-cookie',
  'location',
  'content-disposition',
  'content-encoding',
  'content-language',
  'content-length',
  'content-range',
  'content-type',
  'etag',
  'last-modified',
  'link',
  'refresh',
];
// What the client gets when the problem document itself cannot be built or sent.
const FIXED_500 = '{"type":"about:blank","title":"Internal Server Error","status":500,"code":"internal_error"}';

interface Mapped {
  error: HttpError;
  /** True when the value was not one we recognise: it is logged as a 500. */
  unknown: boolean;
}

// body-parser (via http-errors) marks its errors with `type`; the status it chose is not trusted,
// only the type, and the message is never used (entity.parse.failed quotes the request body).
const BODY_PARSER_TYPES: Readonly<Record<string, () => HttpError>> = {
  'entity.parse.failed': () =>
    new HttpError(400, 'bad_request', 'Malformed JSON body', { detail: 'The request body could not be parsed.' }),
  'entity.verify.failed': () => new HttpError(400, 'bad_request', 'Body verification failed'),
  'request.aborted': () => new HttpError(400, 'bad_request', 'Request aborted'),
  'request.size.invalid': () => new HttpError(400, 'bad_request', 'Request size did not match Content-Length'),
  'entity.too.large': () => new HttpError(413, 'payload_too_large', 'Request body too large'),
  'encoding.unsupported': () => new HttpError(415, 'unsupported_media_type', 'Unsupported content encoding'),
  'charset.unsupported': () => new HttpError(415, 'unsupported_media_type', 'Unsupported charset'),
};

function safeGet(obj: object, key: string): unknown {
  try {
    return (obj as Record<string, unknown>)[key];
  } catch {
    return undefined;
  }
}

function escapePointerToken(token: PropertyKey): string {
  return String(token).replace(/~/g, '~0').replace(/\//g, '~1');
}

function zodIssues(value: object): ValidationIssue[] | undefined {
  if (safeGet(value, 'name') !== 'ZodError') return undefined;
  const issues = safeGet(value, 'issues');
  if (!Array.isArray(issues)) return undefined;
  const out: ValidationIssue[] = [];
  for (const issue of issues.slice(0, 100)) {
    if (typeof issue !== 'object' || issue === null) continue;
    const path = safeGet(issue as object, 'path');
    const message = safeGet(issue as object, 'message');
    const tokens = Array.isArray(path) ? path.filter((p) => typeof p === 'string' || typeof p === 'number') : [];
    out.push({
      pointer: tokens.map((t) => `/${escapePointerToken(t)}`).join(''),
      message: typeof message === 'string' ? message.slice(0, 500) : 'Invalid value',
    });
  }
  return out;
}

function mapError(value: unknown): Mapped {
  if (isHttpError(value)) return { error: value, unknown: false };
  if (typeof value === 'object' && value !== null) {
    const type = safeGet(value, 'type');
    if (typeof type === 'string' && Object.hasOwn(BODY_PARSER_TYPES, type)) {
      const make = BODY_PARSER_TYPES[type];
      if (make) return { error: make(), unknown: false };
    }
    // The router's decodeURIComponent failure on a route parameter (malformed %-encoding).
    if (value instanceof URIError && safeGet(value, 'status') === 400) {
      return { error: new HttpError(400, 'bad_request', 'Malformed URL encoding'), unknown: false };
    }
    const issues = zodIssues(value);
    if (issues !== undefined) {
      return { error: new ValidationError('Validation failed', { issues }), unknown: false };
    }
  }
  return { error: new HttpError(500, 'internal_error', 'Internal Server Error'), unknown: true };
}

/** Maps any thrown value onto an HttpError. Unknown values (and values that throw when looked at) become a generic 500. */
export function toHttpError(value: unknown): Mapped {
  try {
    return mapError(value);
  } catch {
    return { error: new HttpError(500, 'internal_error', 'Internal Server Error'), unknown: true };
  }
}

// Why a branded value could not be rendered; our own words, safe to log.
class Unrenderable extends Error {}

/** The fields of an error, each read once and checked, so a look-alike cannot change them between reads. */
interface Snapshot {
  status: number;
  code: string;
  reason: string | undefined;
  detail: string | undefined;
  headers: [AllowedErrorHeader, string][];
  issues: ValidationIssue[] | undefined;
}

function snapshot(error: HttpError): Snapshot {
  const status: unknown = error.status;
  if (typeof status !== 'number' || !Number.isInteger(status) || status < 400 || status > 599) {
    throw new Unrenderable('status is not an integer 400-599');
  }
  const code: unknown = error.code;
  if (typeof code !== 'string' || code.length === 0) throw new Unrenderable('code is not a non-empty string');
  const expose: unknown = error.expose;
  if (typeof expose !== 'boolean') throw new Unrenderable('expose is not a boolean');
  const detail: unknown = error.detail;
  if (detail !== undefined && typeof detail !== 'string') throw new Unrenderable('detail is not a string');
  const message: unknown = error.message;
  const headers: unknown = error.headers;
  if (typeof headers !== 'object' || headers === null) throw new Unrenderable('headers is not an object');
  const picked: [AllowedErrorHeader, string][] = [];
  for (const name of ALLOWED_ERROR_HEADERS) {
    const value: unknown = (headers as Record<string, unknown>)[name];
    if (value === undefined) continue;
    // A line break would split the response (CWE-113); Node refuses other control characters.
    if (typeof value !== 'string' || /[\r\n]/.test(value)) throw new Unrenderable(`${name} is not a one-line string`);
    validateHeaderValue(name, value);
    picked.push([name, value]);
  }
  let issues: ValidationIssue[] | undefined;
  if (status === 422) {
    const list: unknown = (error as HttpError & { issues?: unknown }).issues;
    if (list !== undefined) {
      if (!Array.isArray(list)) throw new Unrenderable('issues is not an array');
      issues = list.map((item: unknown) => {
        const pointer: unknown = typeof item === 'object' && item !== null ? (item as ValidationIssue).pointer : 0;
        const text: unknown = typeof item === 'object' && item !== null ? (item as ValidationIssue).message : 0;
        if (typeof pointer !== 'string' || typeof text !== 'string') throw new Unrenderable('an issue is malformed');
        return { pointer, message: text };
      });
    }
  }
  return {
    status,
    code,
    reason: typeof message === 'string' ? message : undefined,
    // A 5xx never shows its detail, whatever its `expose` says.
    detail: expose && status < 500 ? detail : undefined,
    headers: picked,
    issues,
  };
}

function bodyOf(snap: Snapshot, requestId: string | undefined): ProblemBody {
  const body: ProblemBody = {
    type: 'about:blank',
    title: statusTitle(snap.status),
    status: snap.status,
    code: snap.code,
  };
  if (requestId !== undefined) {
    body.requestId = requestId;
    body.instance = `urn:request:${requestId}`;
  }
  if (snap.detail !== undefined) body.detail = snap.detail;
  if (snap.issues !== undefined) body.errors = snap.issues;
  return body;
}

/**
 * Builds the problem+json body for an HttpError. Throws a TypeError for a value that carries the
 * brand but not the shape (a header with a line break, a non-boolean `expose`, …); `errorHandler()`
 * answers such a value with the fixed 500 body.
 */
export function problemBody(error: HttpError, requestId?: string): ProblemBody {
  try {
    return bodyOf(snapshot(error), requestId);
  } catch (failure) {
    throw new TypeError(`@portcullis/errors: cannot render the error (${reasonOf(failure)})`, { cause: failure });
  }
}

function reasonOf(failure: unknown): string {
  if (failure instanceof Unrenderable) return failure.message;
  return 'reading it threw';
}

function requestIdOf(req: Req): string | undefined {
  const id = safeGet(req, 'id');
  return typeof id === 'string' && SAFE_REQUEST_ID.test(id) ? id : undefined;
}

function isLogger(value: unknown): value is ErrorLogger {
  try {
    return typeof value === 'object' && value !== null && typeof (value as ErrorLogger).error === 'function';
  } catch {
    return false;
  }
}

function describeThrown(value: unknown): object {
  try {
    if (value instanceof Error) return { err: value };
  } catch {
    // A revoked Proxy throws on instanceof.
  }
  return { thrownType: value === null ? 'null' : typeof value };
}

function log(logger: ErrorLogger | undefined, snap: Snapshot, original: unknown, requestId: string | undefined): void {
  if (logger === undefined) return;
  const base = { requestId, status: snap.status, code: snap.code };
  try {
    if (snap.status >= 500) {
      logger.error({ ...describeThrown(original), ...base }, 'request failed');
    } else {
      // 4xx: the code is enough; never the body, never the thrown object's fields.
      const entry = { ...base, reason: snap.reason };
      if (logger.info) logger.info(entry, 'request rejected');
      else if (logger.warn) logger.warn(entry, 'request rejected');
    }
  } catch {
    // An error whose getters throw while the logger serialises it: log the facts without it, once.
    if (snap.status < 500) return;
    try {
      logger.error({ ...base, thrownType: 'unserialisable' }, 'request failed');
    } catch {
      // A logger that throws must not break the response.
    }
  }
}

function logFailure(logger: ErrorLogger | undefined, failure: unknown, requestId: string | undefined): void {
  if (logger === undefined) return;
  try {
    logger.error(
      { requestId, status: 500, code: 'internal_error', renderFailure: reasonOf(failure) },
      'error handler could not render the error; sent the fixed 500',
    );
  } catch {
    // Nothing more can be done; the fixed body still goes out.
  }
}

function sendFixed(req: IncomingMessage, res: ServerResponse): void {
  try {
    if (res.headersSent) {
      if (!res.writableEnded) res.destroy();
      return;
    }
    for (const name of SUCCESS_ONLY_HEADERS) res.removeHeader(name);
    res.statusCode = 500;
    res.setHeader('Content-Type', PROBLEM_TYPE);
    res.setHeader('Cache-Control', 'no-store');
    res.setHeader('Content-Length', Buffer.byteLength(FIXED_500));
    res.end(req.method === 'HEAD' ? undefined : FIXED_500);
  } catch {
    try {
      res.destroy();
    } catch {
      // The socket is gone already.
    }
  }
}

/**
 * Express error middleware: renders every error as application/problem+json, with the same
 * behaviour whatever NODE_ENV says. Mount it last. It never throws and never hands the error on to
 * Express's default handler: when the problem document cannot be built or sent, the client gets
 * the fixed body `{"type":"about:blank","title":"Internal Server Error","status":500,"code":"internal_error"}`.
 */
export function errorHandler(options?: ErrorHandlerOptions) {
  const o = checkOptions('errors', options, OPTION_KEYS);
  const fallbackLogger = o.logger;
  if (fallbackLogger !== undefined && !isLogger(fallbackLogger)) {
    throw optionError(
      'errors',
      'logger',
      'must have an error(obj, msg) method',
      'pass a pino logger or { error(obj, msg) {…} }',
      fallbackLogger,
    );
  }
  const optionLogger: ErrorLogger | undefined = fallbackLogger;

  return function portcullisErrorHandler(
    err: unknown,
    req: IncomingMessage,
    res: ServerResponse,
    _next: NextFunction,
  ): void {
    const request = req as Req;
    const reqLog = safeGet(request, 'log');
    const logger = isLogger(reqLog) ? reqLog : optionLogger;
    const requestId = requestIdOf(request);
    let logged = false;
    try {
      const snap = snapshot(mapError(err).error);
      const payload = JSON.stringify(bodyOf(snap, requestId));
      logged = true;
      log(logger, snap, err, requestId);
      if (res.headersSent) {
        // Part of a response is out: nothing valid can follow. Cut the connection so the client
        // sees a truncated response rather than a success.
        if (!res.writableEnded) res.destroy();
        return;
      }
      for (const name of SUCCESS_ONLY_HEADERS) res.removeHeader(name);
      res.statusCode = snap.status;
      res.setHeader('Content-Type', PROBLEM_TYPE);
      res.setHeader('Cache-Control', 'no-store');
      res.setHeader('Content-Length', Buffer.byteLength(payload));
      for (const [name, value] of snap.headers) res.setHeader(name, value);
      res.end(request.method === 'HEAD' ? undefined : payload);
    } catch (failure) {
      if (!logged) logFailure(logger, failure, requestId);
      sendFixed(request, res);
    }
  };
}

/** Final middleware for unmatched routes: 404 problem+json, code not_found. */
export function notFoundHandler() {
  return function portcullisNotFound(_req: IncomingMessage, _res: ServerResponse, next: NextFunction): void {
    next(new NotFoundError());
  };
}
