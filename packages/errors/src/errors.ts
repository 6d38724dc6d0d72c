// HttpError and its subclasses: the one error family every Portcullis package reports request failures through.

/**
 * Stable machine-readable codes carried by Portcullis errors. Switch on these, never on messages.
 * The first group is this package's defaults; the rest are the codes other Portcullis packages use.
 */
export type ErrorCode =
  | 'bad_request'
  | 'unauthorized'
  | 'forbidden'
  | 'not_found'
  | 'conflict'
  | 'payload_too_large'
  | 'unsupported_media_type'
  | 'validation_failed'
  | 'rate_limited'
  | 'unavailable'
  | 'internal_error'
  // @portcullis/auth (RFC 6750)
  | 'invalid_request'
  | 'invalid_token'
  | 'token_expired'
  | 'token_not_yet_valid'
  | 'insufficient_scope'
  // @portcullis/policy
  | 'invalid_claims'
  // @portcullis/paths
  | 'invalid_path'
  | 'forbidden_path'
  // @portcullis/cors and @portcullis/baseline
  | 'cors_rejected'
  | 'csrf_rejected'
  | 'prototype_pollution'
  | 'duplicate_key'
  | 'too_deep';

/** Headers an error may set on the response. Anything else an error carries is dropped. */
export const ALLOWED_ERROR_HEADERS = ['WWW-Authenticate', 'Retry-After', 'Allow', 'DPoP-Nonce'] as const;
export type AllowedErrorHeader = (typeof ALLOWED_ERROR_HEADERS)[number];

/** Structural brand so that two installed copies of this package recognise each other's errors. */
export const HTTP_ERROR_BRAND: unique symbol = Symbol.for('@portcullis/errors.HttpError');

export interface HttpErrorOptions {
  /** Response headers; only WWW-Authenticate, Retry-After and Allow are kept. */
  headers?: Partial<Record<AllowedErrorHeader, string>>;
  /** Underlying error, kept for logs only; never rendered. */
  cause?: unknown;
  /** Client-facing detail; rendered only when the error is exposed (status < 500). */
  detail?: string;
}

const STATUS_TITLES: Readonly<Record<number, string>> = {
  400: 'Bad Request',
  401: 'Unauthorized',
  403: 'Forbidden',
  404: 'Not Found',
  405: 'Method Not Allowed',
  409: 'Conflict',
  413: 'Content Too Large',
  415: 'Unsupported Media Type',
  422: 'Unprocessable Content',
  429: 'Too Many Requests',
  500: 'Internal Server Error',
  503: 'Service Unavailable',
};

/** The standard reason phrase for a status, or a generic one by class. */
export function statusTitle(status: number): string {
  return STATUS_TITLES[status] ?? (status >= 500 ? 'Internal Server Error' : 'Error');
}

function pickHeaders(headers: HttpErrorOptions['headers']): Readonly<Partial<Record<AllowedErrorHeader, string>>> {
  const out: Partial<Record<AllowedErrorHeader, string>> = {};
  if (headers === undefined || headers === null || typeof headers !== 'object') return Object.freeze(out);
  for (const name of ALLOWED_ERROR_HEADERS) {
    const value = headers[name];
    // A header value with CR/LF would split the response (CWE-113); drop it.
    if (typeof value === 'string' && !/[\r\n]/.test(value)) out[name] = value;
  }
  return Object.freeze(out);
}

/**
 * An HTTP error with a status, a stable code and `expose` (true below 500).
 * Pass it to `next(err)`; `errorHandler()` renders it as application/problem+json.
 */
export class HttpError extends Error {
  readonly [HTTP_ERROR_BRAND] = true as const;
  /** HTTP status code, 400..599. */
  readonly status: number;
  /** Stable machine-readable code. */
  readonly code: string;
  /** Whether the message/detail may be shown to the client (status < 500). */
  readonly expose: boolean;
  /** Allowlisted response headers. */
  readonly headers: Readonly<Partial<Record<AllowedErrorHeader, string>>>;
  /** Client-facing detail, rendered only when exposed. */
  readonly detail: string | undefined;

  constructor(status: number, code: string, message?: string, options: HttpErrorOptions = {}) {
    const safeStatus = Number.isInteger(status) && status >= 400 && status <= 599 ? status : 500;
    super(message ?? statusTitle(safeStatus), options.cause === undefined ? undefined : { cause: options.cause });
    this.name = new.target.name;
    this.status = safeStatus;
    this.code = typeof code === 'string' && code.length > 0 ? code : 'internal_error';
    this.expose = safeStatus < 500;
    this.headers = pickHeaders(options.headers);
    this.detail = options.detail;
  }
}

/** True for any Portcullis HttpError, including one from another installed copy of this package. */
export function isHttpError(value: unknown): value is HttpError {
  if (value instanceof HttpError) return true;
  if (typeof value !== 'object' || value === null) return false;
  try {
    const v = value as Record<PropertyKey, unknown>;
    return (
      v[HTTP_ERROR_BRAND] === true &&
      typeof v['status'] === 'number' &&
      Number.isInteger(v['status']) &&
      v['status'] >= 400 &&
      v['status'] <= 599 &&
      typeof v['code'] === 'string'
    );
  } catch {
    return false;
  }
}

/** Options shared by every HttpError subclass: `code` overrides the default code. */
export type SubclassOptions = HttpErrorOptions & { code?: string };

/** 400 bad_request. */
export class BadRequestError extends HttpError {
  constructor(message?: string, options: SubclassOptions = {}) {
    super(400, options.code ?? 'bad_request', message ?? 'Bad Request', options);
  }
}

/** An RFC 6750 §3 Bearer challenge rendered into WWW-Authenticate. */
export interface AuthChallenge {
  /** Authentication scheme. @default "Bearer" */
  scheme?: string;
  /** Protection space. @default "api" */
  realm?: string;
  /** RFC 6750 error code: invalid_request, invalid_token or insufficient_scope. */
  error?: string;
  /** Human-readable description; keep it generic. */
  error_description?: string;
  /** Space-delimited scopes needed (insufficient_scope). */
  scope?: string;
  /** RFC 9449 §7.1: space-delimited JWS algorithms accepted for DPoP proofs (scheme "DPoP"). */
  algs?: string;
}

// RFC 6750 §3 restricts attribute values to %x20-21 / %x23-5B / %x5D-7E. Anything else is
// dropped, so a challenge can never carry a quote, a backslash or a line break into the header.
const CHALLENGE_VALUE = /^[\x20\x21\x23-\x5B\x5D-\x7E]*$/;
const SCHEME = /^[A-Za-z][A-Za-z0-9!#$%&'*+.^_`|~-]*$/;

/**
 * Renders a challenge as a WWW-Authenticate value, e.g. `Bearer realm="api", error="invalid_token"`.
 * Several challenges (RFC 9110 §11.6.1) are rendered in order, comma-separated:
 * `DPoP realm="api", algs="ES256", Bearer realm="api"`.
 */
export function renderChallenge(challenge: AuthChallenge | readonly AuthChallenge[] = {}): string {
  if (Array.isArray(challenge)) return (challenge as readonly AuthChallenge[]).map((c) => renderOne(c)).join(', ');
  return renderOne(challenge as AuthChallenge);
}

function renderOne(challenge: AuthChallenge): string {
  const scheme = challenge.scheme !== undefined && SCHEME.test(challenge.scheme) ? challenge.scheme : 'Bearer';
  const params: string[] = [];
  const add = (name: string, value: string | undefined): void => {
    if (value !== undefined && CHALLENGE_VALUE.test(value)) params.push(`${name}="${value}"`);
  };
  add('realm', challenge.realm ?? 'api');
  add('error', challenge.error);
  add('error_description', challenge.error_description);
  add('scope', challenge.scope);
  add('algs', challenge.algs);
  return params.length > 0 ? `${scheme} ${params.join(', ')}` : scheme;
}

/** Options of UnauthorizedError and ForbiddenError: the challenge replaces `headers`. */
export type ChallengeErrorOptions = Omit<SubclassOptions, 'headers'> & {
  /** One challenge, or several (e.g. DPoP and Bearer, RFC 9449 §7.2), rendered into one WWW-Authenticate value. */
  challenge?: AuthChallenge | readonly AuthChallenge[];
  /** RFC 9449 §8: a fresh server nonce sent as the `DPoP-Nonce` header (use_dpop_nonce). */
  dpopNonce?: string;
};

/** 401 with a WWW-Authenticate challenge. Code defaults to the challenge's error, else "unauthorized". */
export class UnauthorizedError extends HttpError {
  /** The (first) challenge rendered into WWW-Authenticate. */
  readonly challenge: Readonly<AuthChallenge>;
  constructor(message?: string, options: ChallengeErrorOptions = {}) {
    const given = options.challenge ?? {};
    const all = (Array.isArray(given) ? given : [given]) as readonly AuthChallenge[];
    const challenge = Object.freeze({ ...(all[0] ?? {}) });
    super(401, options.code ?? challenge.error ?? 'unauthorized', message ?? 'Unauthorized', {
      ...options,
      headers: {
        'WWW-Authenticate': renderChallenge(all.length > 1 ? all : challenge),
        ...(options.dpopNonce === undefined ? {} : { 'DPoP-Nonce': options.dpopNonce }),
      },
    });
    this.challenge = challenge;
  }
}

/** 403 forbidden (or insufficient_scope when given such a challenge). */
export class ForbiddenError extends HttpError {
  constructor(message?: string, options: Omit<SubclassOptions, 'headers'> & { challenge?: AuthChallenge } = {}) {
    super(403, options.code ?? options.challenge?.error ?? 'forbidden', message ?? 'Forbidden', {
      ...options,
      ...(options.challenge ? { headers: { 'WWW-Authenticate': renderChallenge(options.challenge) } } : {}),
    });
  }
}

/** 404 not_found; also used to hide objects of other tenants. */
export class NotFoundError extends HttpError {
  constructor(message?: string, options: SubclassOptions = {}) {
    super(404, options.code ?? 'not_found', message ?? 'Not Found', options);
  }
}

/** 409 conflict: invalid transition, idempotency clash. */
export class ConflictError extends HttpError {
  constructor(message?: string, options: SubclassOptions = {}) {
    super(409, options.code ?? 'conflict', message ?? 'Conflict', options);
  }
}

/** 413 payload_too_large. */
export class PayloadTooLargeError extends HttpError {
  constructor(message?: string, options: SubclassOptions = {}) {
    super(413, options.code ?? 'payload_too_large', message ?? 'Content Too Large', options);
  }
}

/** 415 unsupported_media_type. */
export class UnsupportedMediaTypeError extends HttpError {
  constructor(message?: string, options: SubclassOptions = {}) {
    super(415, options.code ?? 'unsupported_media_type', message ?? 'Unsupported Media Type', options);
  }
}

/** One validation problem: a JSON Pointer (RFC 6901) into the input and a message. */
export interface ValidationIssue {
  pointer: string;
  message: string;
}

/** 422 validation_failed; `issues` are rendered as the body's `errors`. */
export class ValidationError extends HttpError {
  /** The problems, each with a JSON Pointer into the input. */
  readonly issues: readonly ValidationIssue[];
  constructor(message?: string, options: SubclassOptions & { issues?: readonly ValidationIssue[] } = {}) {
    super(422, options.code ?? 'validation_failed', message ?? 'Validation failed', options);
    this.issues = Object.freeze(
      (options.issues ?? []).map((i) => Object.freeze({ pointer: i.pointer, message: i.message })),
    );
  }
}

/** Options of TooManyRequestsError and ServiceUnavailableError. */
export type RetryErrorOptions = Omit<SubclassOptions, 'headers'> & {
  /** Seconds until a retry may succeed; rendered as Retry-After (rounded up). */
  retryAfterSec?: number;
};

function retryAfter(sec: number | undefined): Partial<Record<AllowedErrorHeader, string>> {
  if (sec === undefined || !Number.isFinite(sec) || sec < 0) return {};
  return { 'Retry-After': String(Math.ceil(sec)) };
}

/** 429 rate_limited with Retry-After (seconds). */
export class TooManyRequestsError extends HttpError {
  constructor(message?: string, options: RetryErrorOptions = {}) {
    super(429, options.code ?? 'rate_limited', message ?? 'Too Many Requests', {
      ...options,
      headers: retryAfter(options.retryAfterSec),
    });
  }
}

/** 503 unavailable with Retry-After (seconds): a dependency is down, so the request is denied, never allowed. */
export class ServiceUnavailableError extends HttpError {
  constructor(message?: string, options: RetryErrorOptions = {}) {
    super(503, options.code ?? 'unavailable', message ?? 'Service Unavailable', {
      ...options,
      headers: retryAfter(options.retryAfterSec),
    });
  }
}
