// strictCors: the Express middleware. Matching and header strings are compiled once; `cors` answers allowed preflights.
import type { IncomingMessage, ServerResponse } from 'node:http';
import cors from 'cors';
import { ForbiddenError } from '@portcullis/errors';
import { compileOptions, type StrictCorsOptions } from './options.js';
import { matchOrigin } from './origin.js';
import { appendVary, varyFields } from './vary.js';

/** Stable codes of errors this package passes to `next(err)`. */
export type CorsErrorCode = 'cors_rejected';

/** The code of the 403 sent for a preflight from an origin that is not allowed. */
export const CORS_REJECTED: CorsErrorCode = 'cors_rejected';

/** Longest Origin value handed to `onReject`, in characters; longer values are cut (the header is attacker-controlled). */
export const REJECTED_ORIGIN_LOG_LENGTH = 256;

type NextFunction = (err?: unknown) => void;
type CorsHandler = (req: IncomingMessage, res: ServerResponse, next: NextFunction) => void;

/** The middleware returned by {@link strictCors}. */
export type StrictCorsMiddleware = (req: IncomingMessage, res: ServerResponse, next: NextFunction) => void;

const ORIGIN_VARY = varyFields(['Origin']);
// A preflight's answer depends on these request headers too (Fetch §3.2.5), and whether a request
// is a preflight at all depends on Access-Control-Request-Method: every OPTIONS response varies on all three.
const PREFLIGHT_VARY = varyFields(['Origin', 'Access-Control-Request-Method', 'Access-Control-Request-Headers']);

/**
 * Strict CORS allowlist middleware for Express 4 and 5. Answers preflights itself (no
 * `app.options(...)` route needed): 204 for an allowed origin, 403 problem+json with code
 * `cors_rejected` (through `next(err)`, so mount `errorHandler()` from `@portcullis/errors`)
 * for any other. Allowed requests get `Access-Control-Allow-Origin` set to the exact,
 * normalised allowed origin; every response gets `Vary: Origin`.
 *
 * A simple request from a disallowed origin still reaches your route: CORS only stops the
 * browser from letting the calling page read the answer. It is not authentication.
 *
 * @param options - See {@link StrictCorsOptions}. Validated now; a bad value throws a TypeError.
 * @returns A named middleware function, `strictCorsMiddleware`.
 * @throws TypeError naming the option (and, for origins, the entry) when the options are invalid or unsafe.
 */
export function strictCors(options: StrictCorsOptions): StrictCorsMiddleware {
  const compiled = compileOptions(options);
  const { origins, credentials, onReject } = compiled;
  const exposeHeader = compiled.exposedHeaders.join(',');

  // Everything `cors` sees is fixed here. A string `origin` makes it write that value verbatim
  // (no reflection, no matching of its own); an explicit allowedHeaders list (possibly empty)
  // stops it from reflecting Access-Control-Request-Headers; preflightContinue is off so it ends
  // the preflight with 204 and Content-Length: 0.
  const preflightBase = Object.freeze({
    methods: [...compiled.methods],
    allowedHeaders: [...compiled.allowedHeaders],
    exposedHeaders: [...compiled.exposedHeaders],
    credentials,
    maxAge: compiled.maxAgeSec,
    preflightContinue: false,
    optionsSuccessStatus: 204,
  });
  const preflightFor = (origin: string): CorsHandler => cors<IncomingMessage>({ ...preflightBase, origin });
  const exactPreflight = new Map<string, CorsHandler>();
  for (const origin of origins.exact) exactPreflight.set(origin, preflightFor(origin));

  const report = (origin: string, req: IncomingMessage): void => {
    if (onReject === undefined) return;
    try {
      onReject(origin.length > REJECTED_ORIGIN_LOG_LENGTH ? origin.slice(0, REJECTED_ORIGIN_LOG_LENGTH) : origin, req);
    } catch {
      // A failing log hook must not turn an attacker's request into a 500.
    }
  };

  return function strictCorsMiddleware(req: IncomingMessage, res: ServerResponse, next: NextFunction): void {
    const isOptions = req.method === 'OPTIONS';
    appendVary(res, isOptions ? PREFLIGHT_VARY : ORIGIN_VARY);
    const origin = req.headers.origin;
    if (origin === undefined) {
      next();
      return;
    }
    const allowed = matchOrigin(origins, origin);
    const isPreflight = isOptions && req.headers['access-control-request-method'] !== undefined;
    if (allowed === null) {
      report(origin, req);
      if (isPreflight) {
        next(
          new ForbiddenError('CORS preflight from a disallowed origin', {
            code: CORS_REJECTED,
            detail: 'This origin is not allowed to make cross-origin requests.',
          }),
        );
      } else {
        next();
      }
      return;
    }
    if (isPreflight) {
      (exactPreflight.get(allowed) ?? preflightFor(allowed))(req, res, next);
      return;
    }
    res.setHeader('Access-Control-Allow-Origin', allowed);
    if (credentials) res.setHeader('Access-Control-Allow-Credentials', 'true');
    if (exposeHeader !== '') res.setHeader('Access-Control-Expose-Headers', exposeHeader);
    next();
  };
}

/**
 * Compiles an allowlist into a pure matcher (the same one the middleware uses), for tests,
 * benchmarks and config checks. Validates exactly like {@link strictCors}.
 *
 * @param origins - Allowed origins, same syntax as `StrictCorsOptions.origins`.
 * @param options - `dangerouslyAllowHttpOrigins` as in strictCors. @default {}
 * @returns `(value) => normalisedAllowedOrigin | null`.
 */
export function createOriginMatcher(
  origins: readonly string[],
  options: { dangerouslyAllowHttpOrigins?: boolean } = {},
): (value: string | undefined) => string | null {
  const compiled = compileOptions({ origins, dangerouslyAllowHttpOrigins: options.dangerouslyAllowHttpOrigins });
  return function originMatcher(value: string | undefined): string | null {
    return typeof value === 'string' ? matchOrigin(compiled.origins, value) : null;
  };
}
