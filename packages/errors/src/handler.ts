// errorHandler and notFoundHandler: render any thrown value as RFC 9457 problem+json without leaking it.
import type { IncomingMessage, ServerResponse } from 'node:http';
import {
  ALLOWED_ERROR_HEADERS,
  HttpError,
  NotFoundError,
  ValidationError,
  isHttpError,
  statusTitle,
  type ValidationIssue,
} from './errors.js';

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

const OPTION_KEYS = new Set(['logger']);
const SAFE_REQUEST_ID = /^[A-Za-z0-9._-]{1,128}$/;
const PROBLEM_TYPE = 'application/problem+json; charset=utf-8';
// Headers an earlier middleware may have set for a body we are now replacing.
const STALE_HEADERS = [
  'content-disposition',
  'content-encoding',
  'content-length',
  'content-range',
  'etag',
  'last-modified',
];

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

/** Maps any thrown value onto an HttpError. Unknown values become a generic 500. */
export function toHttpError(value: unknown): Mapped {
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

/** Builds the problem+json body for an HttpError. */
export function problemBody(error: HttpError, requestId?: string): ProblemBody {
  const body: ProblemBody = {
    type: 'about:blank',
    title: statusTitle(error.status),
    status: error.status,
    code: error.code,
  };
  if (requestId !== undefined) {
    body.requestId = requestId;
    body.instance = `urn:request:${requestId}`;
  }
  if (error.expose && typeof error.detail === 'string') body.detail = error.detail;
  if (error.status === 422) {
    const issues = (error as HttpError & { issues?: unknown }).issues;
    if (Array.isArray(issues))
      body.errors = issues.map((i: ValidationIssue) => ({ pointer: i.pointer, message: i.message }));
  }
  return body;
}

function requestIdOf(req: Req): string | undefined {
  const id = safeGet(req, 'id');
  return typeof id === 'string' && SAFE_REQUEST_ID.test(id) ? id : undefined;
}

function isLogger(value: unknown): value is ErrorLogger {
  return typeof value === 'object' && value !== null && typeof (value as ErrorLogger).error === 'function';
}

function describeThrown(value: unknown): object {
  if (value instanceof Error) return { err: value };
  return { thrownType: value === null ? 'null' : typeof value };
}

function log(logger: ErrorLogger | undefined, mapped: Mapped, original: unknown, requestId: string | undefined): void {
  if (logger === undefined) return;
  try {
    const { error } = mapped;
    if (error.status >= 500) {
      logger.error(
        { ...describeThrown(original), requestId, status: error.status, code: error.code },
        'request failed',
      );
    } else {
      // 4xx: the code is enough; never the body, never the thrown object's fields.
      const entry = { requestId, status: error.status, code: error.code, reason: error.message };
      if (logger.info) logger.info(entry, 'request rejected');
      else if (logger.warn) logger.warn(entry, 'request rejected');
    }
  } catch {
    // A logger that throws (or an error whose getters throw while serialising) must not break the response.
  }
}

/**
 * Express error middleware: renders every error as application/problem+json, with the same
 * behaviour whatever NODE_ENV says. Mount it last.
 */
export function errorHandler(options: ErrorHandlerOptions = {}) {
  if (typeof options !== 'object' || options === null) {
    throw new TypeError('@portcullis/errors: errorHandler options must be an object');
  }
  for (const key of Object.keys(options)) {
    if (!OPTION_KEYS.has(key)) throw new TypeError(`@portcullis/errors: unknown option "${key}" for errorHandler`);
  }
  const fallbackLogger = options.logger;
  if (fallbackLogger !== undefined && !isLogger(fallbackLogger)) {
    throw new TypeError('@portcullis/errors: "logger" must have an error(obj, msg) method');
  }

  return function portcullisErrorHandler(
    err: unknown,
    req: IncomingMessage,
    res: ServerResponse,
    _next: NextFunction,
  ): void {
    const request = req as Req;
    const mapped = toHttpError(err);
    const requestId = requestIdOf(request);
    const reqLog = safeGet(request, 'log');
    log(isLogger(reqLog) ? reqLog : fallbackLogger, mapped, err, requestId);

    if (res.headersSent) {
      // Part of a response is out: nothing valid can follow. Cut the connection so the client
      // sees a truncated response rather than a success.
      if (!res.writableEnded) res.destroy();
      return;
    }
    const { error } = mapped;
    const payload = JSON.stringify(problemBody(error, requestId));
    for (const name of STALE_HEADERS) res.removeHeader(name);
    res.statusCode = error.status;
    res.setHeader('Content-Type', PROBLEM_TYPE);
    res.setHeader('Cache-Control', 'no-store');
    res.setHeader('Content-Length', Buffer.byteLength(payload));
    for (const name of ALLOWED_ERROR_HEADERS) {
      const value = error.headers[name];
      if (value !== undefined) res.setHeader(name, value);
    }
    res.end(request.method === 'HEAD' ? undefined : payload);
  };
}

/** Final middleware for unmatched routes: 404 problem+json, code not_found. */
export function notFoundHandler() {
  return function portcullisNotFound(_req: IncomingMessage, _res: ServerResponse, next: NextFunction): void {
    next(new NotFoundError());
  };
}
