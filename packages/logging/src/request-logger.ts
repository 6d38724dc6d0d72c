// requestLogger: pino-http with allowlist serializers, validated request ids and quiet routes.
import { randomUUID } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { LevelWithSilent, Logger } from 'pino';
import { pinoHttp } from 'pino-http';
import { checkOptions, optionError, type OptionKeys } from '@portcullis/errors/options';
import { portcullisLoggerConfig } from './logger.js';
import { CENSOR } from './names.js';
import { serializeError } from './serialize-error.js';
import { serializeRequest, serializeResponse } from './serializers.js';
import { originFormOf } from './scrub-text.js';

/** Options of {@link requestLogger}. */
export interface RequestLoggerOptions {
  /** A logger from {@link createLogger} (or one of its children). Required. */
  logger: Logger;
  /**
   * Routes not logged when they succeed (status < 400): `"GET /health"` (method and exact path)
   * or `"/health"` (any method). Paths are compared without the query string.
   * @default []
   */
  quietRoutes?: readonly string[] | undefined;
  /**
   * Adopt an incoming `X-Request-Id` as the request's id when it matches `/^[A-Za-z0-9._-]{1,128}$/`.
   * Turn it on only behind a proxy that sets the header itself (config TRUST_REQUEST_ID): a client
   * could otherwise choose the id written into logs and audit trails. When false (the default), the
   * server generates every id (`crypto.randomUUID()`) and a valid client value is only logged, as
   * `clientRequestId`.
   * @default false
   */
  trustIncomingRequestId?: boolean | undefined;
}

type NextFunction = (err?: unknown) => void;
type Req = IncomingMessage & { originalUrl?: string; route?: { path?: unknown }; baseUrl?: string };

const PKG = 'logging';
const OPTION_KEYS: OptionKeys<RequestLoggerOptions> = { logger: true, quietRoutes: true, trustIncomingRequestId: true };
/** Incoming request ids are accepted only in this shape: no spaces, quotes, newlines or JSON. */
export const SAFE_REQUEST_ID = /^[A-Za-z0-9._-]{1,128}$/;
const QUIET_METHOD = /^[A-Z]{1,16}$/;
const QUIET_PATH = /^\/[^\s?#]{0,2047}$/;
const MAX_SUBJECT = 256;
/** The valid X-Request-Id a client sent when it was not adopted, logged as `clientRequestId`. */
const clientIds = new WeakMap<IncomingMessage, string>();

// Path → the quiet methods for it ("*" for any): one lookup by path per request, no string building.
function compileQuietRoutes(value: unknown): Map<string, Set<string>> {
  const keys = new Map<string, Set<string>>();
  if (value === undefined) return keys;
  if (!Array.isArray(value)) {
    throw optionError(PKG, 'quietRoutes', 'must be an array of routes', 'e.g. ["GET /health"]', value);
  }
  for (const item of value as unknown[]) {
    const parts = typeof item === 'string' ? item.split(' ') : [];
    // "/health" quiets every method: "*" stands for any.
    const [method, path] = parts.length === 1 ? ['*', parts[0]] : parts;
    if (
      parts.length > 2 ||
      method === undefined ||
      path === undefined ||
      (method !== '*' && !QUIET_METHOD.test(method)) ||
      !QUIET_PATH.test(path)
    ) {
      throw optionError(
        PKG,
        'quietRoutes',
        'entries must look like "GET /health" or "/health"',
        'use an upper-case method, one space and a path',
        item,
      );
    }
    const methods = keys.get(path) ?? new Set<string>();
    methods.add(method);
    keys.set(path, methods);
  }
  return keys;
}

function pathOf(req: Req): string {
  const url = originFormOf(typeof req.originalUrl === 'string' ? req.originalUrl : (req.url ?? ''));
  const q = url.indexOf('?');
  return q === -1 ? url : url.slice(0, q);
}

function subjectOf(req: IncomingMessage): string | undefined {
  const auth = (req as { auth?: { subject?: unknown } }).auth;
  const subject = typeof auth === 'object' && auth !== null ? auth.subject : undefined;
  return typeof subject === 'string' && subject !== '' ? subject.slice(0, MAX_SUBJECT) : undefined;
}

function routeOf(req: Req): string | undefined {
  const path = req.route?.path;
  return typeof path === 'string' ? (typeof req.baseUrl === 'string' ? req.baseUrl : '') + path : undefined;
}

// Adds what is only known when the response ends; `entry` is pino-http's own fresh object.
function completion(req: IncomingMessage, entry: Record<string, unknown>): Record<string, unknown> {
  const route = routeOf(req);
  if (route !== undefined) entry.route = route;
  const subject = subjectOf(req);
  if (subject !== undefined) entry.subject = subject;
  const clientRequestId = clientIds.get(req);
  if (clientRequestId !== undefined) entry.clientRequestId = clientRequestId;
  return entry;
}

/**
 * Request logging middleware built on pino-http. For every request it:
 * 1. sets `req.id` (`crypto.randomUUID()`, or a valid incoming `X-Request-Id` when
 *    `trustIncomingRequestId` is on) and the `X-Request-Id` response header; a valid client id
 *    that is not adopted is bound to the request's log lines as `clientRequestId`;
 * 2. sets `req.log`, a child of `logger` bound to the allowlisted request (id, method, path,
 *    masked query, four safe headers);
 * 3. logs one line when the response ends: status, response time, route pattern and
 *    `req.auth.subject` when known — `info` below 400, `warn` for 4xx, `error` for 5xx and
 *    failures; quiet routes are skipped when they succeed.
 *
 * @param options - See {@link RequestLoggerOptions}; unknown keys throw a TypeError.
 * @returns The named middleware `portcullisRequestLogger`.
 */
export function requestLogger(options: RequestLoggerOptions) {
  const o = checkOptions(PKG, options, OPTION_KEYS);
  const logger = o.logger as Logger;
  const config = portcullisLoggerConfig(logger);
  if (config === undefined) {
    throw optionError(
      PKG,
      'logger',
      'must be a logger made by createLogger()',
      'a plain pino logger has no redaction layers',
      logger,
    );
  }
  const trust = o.trustIncomingRequestId ?? false;
  if (typeof trust !== 'boolean') {
    throw optionError(PKG, 'trustIncomingRequestId', 'must be a boolean', 'pass true or false', trust);
  }
  const quiet = compileQuietRoutes(o.quietRoutes);
  const hasQuiet = quiet.size > 0;

  function levelFor(req: IncomingMessage, res: ServerResponse, err?: Error): LevelWithSilent {
    const status = res.statusCode;
    if (err !== undefined || status >= 500) return 'error';
    if (status >= 400) return 'warn';
    if (hasQuiet) {
      const methods = quiet.get(pathOf(req));
      if (methods !== undefined && (methods.has('*') || methods.has(req.method ?? ''))) return 'silent';
    }
    return 'info';
  }

  const httpLogger = pinoHttp({
    logger,
    redact: { paths: [...config.requestRedactPaths], censor: CENSOR },
    wrapSerializers: false,
    serializers: { req: serializeRequest, res: serializeResponse, err: serializeError },
    genReqId: () => randomUUID(),
    customLogLevel: levelFor,
    customSuccessObject: (req: IncomingMessage, _res: ServerResponse, entry: Record<string, unknown>) =>
      completion(req, entry),
    customErrorObject: (req: IncomingMessage, _res: ServerResponse, _err: Error, entry: Record<string, unknown>) =>
      completion(req, entry),
  });

  return function portcullisRequestLogger(req: IncomingMessage, res: ServerResponse, next: NextFunction): void {
    const incoming = req.headers['x-request-id'];
    const valid = typeof incoming === 'string' && SAFE_REQUEST_ID.test(incoming);
    if (valid && trust) {
      req.id = incoming;
      res.setHeader('X-Request-Id', incoming);
      httpLogger(req, res, next);
      return;
    }
    const id = randomUUID();
    req.id = id;
    res.setHeader('X-Request-Id', id);
    if (!valid) {
      httpLogger(req, res, next);
      return;
    }
    // A client's own id is kept only as a correlation hint (clientRequestId), never as the request's id.
    clientIds.set(req, incoming);
    httpLogger(req, res, () => {
      req.log = req.log.child({ clientRequestId: incoming });
      next();
    });
  };
}
