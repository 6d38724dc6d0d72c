// EgressError: the one error every refused or failed outbound request reports through, and its single client answer.
import { HttpError } from '@portcullis/errors';

/**
 * Why an outbound request was refused or failed, for logs and for `switch`:
 * - `egress_protocol`: the URL's scheme is not in `protocols` (data:, file:, blob:, ftp:, ws: never are).
 * - `egress_port`: the port is not in `ports`.
 * - `egress_host`: the URL does not parse, or its host is not in `hosts`.
 * - `egress_userinfo`: the URL carries `user:password@`.
 * - `egress_address`: an address the host is, resolves to or connected to is not public (or denied).
 * - `egress_dns`: the name did not resolve (NXDOMAIN, no A/AAAA answer, resolver failure).
 * - `egress_redirect`: a redirect was refused (too many, https→http, unusable Location, body not replayable).
 * - `egress_timeout`: dnsMs, connectMs, headersMs, bodyMs or totalMs elapsed.
 * - `egress_too_large`: the response body (decoded) is larger than `maxResponseBytes`.
 * - `egress_connect`: the connection or TLS handshake failed, or a connect option (socketPath, localAddress) was refused.
 */
export type EgressErrorCode =
  | 'egress_protocol'
  | 'egress_port'
  | 'egress_host'
  | 'egress_userinfo'
  | 'egress_address'
  | 'egress_dns'
  | 'egress_redirect'
  | 'egress_timeout'
  | 'egress_too_large'
  | 'egress_connect';

/** Every {@link EgressErrorCode}, in a stable order. */
export const EGRESS_ERROR_CODES: readonly EgressErrorCode[] = Object.freeze([
  'egress_protocol',
  'egress_port',
  'egress_host',
  'egress_userinfo',
  'egress_address',
  'egress_dns',
  'egress_redirect',
  'egress_timeout',
  'egress_too_large',
  'egress_connect',
]);

const CODES = new Set<string>(EGRESS_ERROR_CODES);

/** The code of the one client answer every egress failure maps to. */
export const UPSTREAM_REFUSED = 'upstream_refused';

/** The client-facing codes of this package: the one answer of {@link EgressError.toHttpError}. */
export type EgressHttpErrorCode = typeof UPSTREAM_REFUSED;

/**
 * An outbound request refused by the egress policy or failed on the way. `code` and `message` are
 * for logs (the message never contains a URL's query); it is not an HttpError, so passing it to
 * `next(err)` by mistake renders a generic 500. Use {@link EgressError.toHttpError} to answer a
 * client: every code maps to the same 422 `upstream_refused`, so the API is no oracle for which
 * internal hosts or ports exist.
 */
export class EgressError extends Error {
  /** Why the request was refused or failed. */
  readonly code: EgressErrorCode;

  /**
   * @param code - why the request was refused; an unknown code becomes `egress_connect`.
   * @param message - log-only text; must not contain a URL's query.
   * @param options - `cause`: an underlying error, kept for logs only.
   */
  constructor(code: EgressErrorCode, message?: string, options: { cause?: unknown } = {}) {
    super(message ?? `Outbound request refused (${code})`, options.cause === undefined ? undefined : options);
    this.name = 'EgressError';
    this.code = CODES.has(code) ? code : 'egress_connect';
  }

  /** The one client answer: 422 `upstream_refused` with a fixed detail, whatever the code. */
  toHttpError(): HttpError<EgressHttpErrorCode> {
    return new HttpError<EgressHttpErrorCode>(422, UPSTREAM_REFUSED, 'Upstream refused', {
      detail: 'The URL could not be fetched.',
      cause: this,
    });
  }
}

/** True for an {@link EgressError} (also one wrapped as the `cause` of fetch's `TypeError`). */
export function isEgressError(value: unknown): value is EgressError {
  return value instanceof EgressError;
}
