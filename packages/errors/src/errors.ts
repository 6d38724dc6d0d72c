// HttpError and its subclasses: the one error family every Portcullis package reports request failures through.
import { STATUS_CODES } from 'node:http';

/**
 * The codes of this package's own classes. Every other Portcullis package exports the union of the
 * codes it produces (`AuthErrorCode`, `PathErrorCode`, …) and types its errors with it; switch on
 * codes, never on messages.
 */
export type StandardErrorCode =
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
  | 'internal_error';

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

/**
 * The problem `title` for a status: the reason phrase of `node:http`'s `STATUS_CODES` for 400–599
 * ("Bad Gateway", "Gone", "Precondition Failed"; "Client Error" / "Server Error" for a status Node
 * has no phrase for). A status outside 400–599 is treated as 500.
 */
export function statusTitle(status: number): string {
  const safe = Number.isInteger(status) && status >= 400 && status <= 599 ? status : 500;
  return STATUS_CODES[safe] ?? (safe >= 500 ? 'Server Error' : 'Client Error');
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
 * An HTTP error with a status, a stable code and `expose` (true below 500). `Code` is the union of
 * codes the raising package produces, so `switch (err.code)` narrows.
 * Pass it to `next(err)`; `errorHandler()` renders it as application/problem+json.
 */
export class HttpError<Code extends string = string> extends Error {
  readonly [HTTP_ERROR_BRAND] = true as const;
  /** HTTP status code, 400..599 (anything else given to the constructor becomes 500). */
  readonly status: number;
  /** Stable machine-readable code. */
  readonly code: Code;
  /** Whether the message/detail may be shown to the client (status < 500). */
  readonly expose: boolean;
  /** Allowlisted response headers. */
  readonly headers: Readonly<Partial<Record<AllowedErrorHeader, string>>>;
  /** Client-facing detail, rendered only when exposed. */
  readonly detail: string | undefined;

  constructor(status: number, code: Code, message?: string, options: HttpErrorOptions = {}) {
    const safeStatus = Number.isInteger(status) && status >= 400 && status <= 599 ? status : 500;
    super(message ?? statusTitle(safeStatus), options.cause === undefined ? undefined : { cause: options.cause });
    this.name = new.target.name;
    this.status = safeStatus;
    this.code = (typeof code === 'string' && code.length > 0 ? code : 'internal_error') as Code;
    this.expose = safeStatus < 500;
    this.headers = pickHeaders(options.headers);
    this.detail = options.detail;
  }

  /** Read-only alias of `status`, for code written against http-errors (`err.statusCode`). */
  get statusCode(): number {
    return this.status;
  }
}

function hasShape(value: object): boolean {
  const v = value as Record<PropertyKey, unknown>;
  const status = v['status'];
  return (
    v[HTTP_ERROR_BRAND] === true &&
    typeof status === 'number' &&
    Number.isInteger(status) &&
    status >= 400 &&
    status <= 599 &&
    typeof v['code'] === 'string'
  );
}

/**
 * True for any Portcullis HttpError, including one from another installed copy of this package
 * (recognised by the global brand and a 4xx/5xx status with a string code). Never throws: a
 * revoked `Proxy` or an object whose getters throw is simply not an HttpError.
 *
 * With `code` (one code or a list) it is true only for those codes and narrows `err.code` to them:
 * `if (isHttpError(err, ['token_expired', 'invalid_token'])) switch (err.code) { … }`.
 */
export function isHttpError(value: unknown): value is HttpError;
export function isHttpError<const Code extends string>(
  value: unknown,
  code: Code | readonly Code[],
): value is HttpError<Code>;
export function isHttpError(value: unknown, code?: string | readonly string[]): boolean {
  if (typeof value !== 'object' || value === null) return false;
  try {
    if (!(value instanceof HttpError) && !hasShape(value)) return false;
    if (code === undefined) return true;
    const actual = (value as { code: unknown }).code;
    return typeof code === 'string' ? actual === code : code.some((c) => c === actual);
  } catch {
    return false;
  }
}

/** Options shared by every HttpError subclass: `code` overrides the default code. */
export type SubclassOptions<Code extends string = string> = HttpErrorOptions & { code?: Code };

/** 400 bad_request. */
export class BadRequestError<Code extends string = 'bad_request'> extends HttpError<Code> {
  constructor(message?: string, options: SubclassOptions<Code> = {}) {
    super(400, options.code ?? ('bad_request' as Code), message ?? 'Bad Request', options);
  }
}

/** An RFC 6750 §3 Bearer challenge rendered into WWW-Authenticate. */
export interface AuthChallenge<ChallengeCode extends string = string> {
  /** Authentication scheme. @default "Bearer" */
  scheme?: string;
  /** Protection space. @default "api" */
  realm?: string;
  /** RFC 6750 error code: invalid_request, invalid_token or insufficient_scope. */
  error?: ChallengeCode;
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

/**
 * Options of UnauthorizedError: the challenge replaces `headers`. Without `code` the code is the
 * (first) challenge's `error`, so both are typed by the same `Code`.
 */
export type ChallengeErrorOptions<Code extends string = string> = Omit<SubclassOptions<Code>, 'headers'> & {
  /** One challenge, or several (e.g. DPoP and Bearer, RFC 9449 §7.2), rendered into one WWW-Authenticate value. */
  challenge?: AuthChallenge<Code> | readonly AuthChallenge<Code>[];
  /** RFC 9449 §8: a fresh server nonce sent as the `DPoP-Nonce` header (use_dpop_nonce). */
  dpopNonce?: string;
};

/** 401 with a WWW-Authenticate challenge. Code defaults to the challenge's error, else "unauthorized". */
export class UnauthorizedError<Code extends string = 'unauthorized'> extends HttpError<Code> {
  /** The (first) challenge rendered into WWW-Authenticate. */
  readonly challenge: Readonly<AuthChallenge>;
  constructor(message?: string, options: ChallengeErrorOptions<Code> = {}) {
    const given = options.challenge ?? {};
    const all = (Array.isArray(given) ? given : [given]) as readonly AuthChallenge<Code>[];
    const challenge = Object.freeze({ ...(all[0] ?? {}) });
    super(401, options.code ?? challenge.error ?? ('unauthorized' as Code), message ?? 'Unauthorized', {
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
export class ForbiddenError<Code extends string = 'forbidden'> extends HttpError<Code> {
  constructor(
    message?: string,
    options: Omit<SubclassOptions<Code>, 'headers'> & { challenge?: AuthChallenge<Code> } = {},
  ) {
    super(403, options.code ?? options.challenge?.error ?? ('forbidden' as Code), message ?? 'Forbidden', {
      ...options,
      ...(options.challenge ? { headers: { 'WWW-Authenticate': renderChallenge(options.challenge) } } : {}),
    });
  }
}

/** 404 not_found; also used to hide objects of other tenants. */
export class NotFoundError<Code extends string = 'not_found'> extends HttpError<Code> {
  constructor(message?: string, options: SubclassOptions<Code> = {}) {
    super(404, options.code ?? ('not_found' as Code), message ?? 'Not Found', options);
  }
}

/** 409 conflict: invalid transition, idempotency clash. */
export class ConflictError<Code extends string = 'conflict'> extends HttpError<Code> {
  constructor(message?: string, options: SubclassOptions<Code> = {}) {
    super(409, options.code ?? ('conflict' as Code), message ?? 'Conflict', options);
  }
}

/** 413 payload_too_large. */
export class PayloadTooLargeError<Code extends string = 'payload_too_large'> extends HttpError<Code> {
  constructor(message?: string, options: SubclassOptions<Code> = {}) {
    super(413, options.code ?? ('payload_too_large' as Code), message ?? 'Content Too Large', options);
  }
}

/** 415 unsupported_media_type. */
export class UnsupportedMediaTypeError<Code extends string = 'unsupported_media_type'> extends HttpError<Code> {
  constructor(message?: string, options: SubclassOptions<Code> = {}) {
    super(415, options.code ?? ('unsupported_media_type' as Code), message ?? 'Unsupported Media Type', options);
  }
}

/** One validation problem: a JSON Pointer (RFC 6901) into the input and a message. */
export interface ValidationIssue {
  pointer: string;
  message: string;
}

/** 422 validation_failed; `issues` are rendered as the body's `errors`. */
export class ValidationError<Code extends string = 'validation_failed'> extends HttpError<Code> {
  /** The problems, each with a JSON Pointer into the input. */
  readonly issues: readonly ValidationIssue[];
  constructor(message?: string, options: SubclassOptions<Code> & { issues?: readonly ValidationIssue[] } = {}) {
    super(422, options.code ?? ('validation_failed' as Code), message ?? 'Validation failed', options);
    this.issues = Object.freeze(
      (options.issues ?? []).map((i) => Object.freeze({ pointer: i.pointer, message: i.message })),
    );
  }
}

/** Options of TooManyRequestsError and ServiceUnavailableError. */
export type RetryErrorOptions<Code extends string = string> = Omit<SubclassOptions<Code>, 'headers'> & {
  /** Seconds until a retry may succeed; rendered as Retry-After (rounded up). */
  retryAfterSec?: number;
};

function retryAfter(sec: number | undefined): Partial<Record<AllowedErrorHeader, string>> {
  if (sec === undefined || !Number.isFinite(sec) || sec < 0) return {};
  return { 'Retry-After': String(Math.ceil(sec)) };
}

/** 429 rate_limited with Retry-After (seconds). */
export class TooManyRequestsError<Code extends string = 'rate_limited'> extends HttpError<Code> {
  constructor(message?: string, options: RetryErrorOptions<Code> = {}) {
    super(429, options.code ?? ('rate_limited' as Code), message ?? 'Too Many Requests', {
      ...options,
      headers: retryAfter(options.retryAfterSec),
    });
  }
}

/** 503 unavailable with Retry-After (seconds): a dependency is down, so the request is denied, never allowed. */
export class ServiceUnavailableError<Code extends string = 'unavailable'> extends HttpError<Code> {
  constructor(message?: string, options: RetryErrorOptions<Code> = {}) {
    super(503, options.code ?? ('unavailable' as Code), message ?? 'Service Unavailable', {
      ...options,
      headers: retryAfter(options.retryAfterSec),
    });
  }
}
