// csrfGuard: cross-site request forgery protection from Fetch Metadata and Origin, no tokens
// (the model of Go 1.25's net/http CrossOriginProtection).
import type { IncomingMessage, ServerResponse } from 'node:http';
import { parseOrigin } from '@portcullis/cors';
import { ForbiddenError } from '@portcullis/errors';
import { checkOptions, optionError, type OptionKeys } from '@portcullis/errors/options';
import type { BaselineErrorCode } from './errors.js';

type Next = (err?: unknown) => void;

/** Options of csrfGuard(). */
export interface CsrfGuardOptions {
  /** Origins allowed to send unsafe requests cross-site (e.g. your front end on another host). @default [] */
  trustedOrigins?: string[] | undefined;
}

const SAFE_METHODS = new Set(['GET', 'HEAD', 'OPTIONS']);

const CSRF_KEYS: OptionKeys<CsrfGuardOptions> = { trustedOrigins: true };

/**
 * For unsafe methods: allow when Sec-Fetch-Site is same-origin or none, or the Origin is trusted;
 * without Sec-Fetch-Site, allow when there is no Origin (not a browser) or the Origin's host is the
 * request's Host; otherwise 403 csrf_rejected. Mount it only when the app authenticates with cookies.
 */
export function csrfGuard(options?: CsrfGuardOptions) {
  const given = checkOptions('baseline', options, CSRF_KEYS);
  const list = given['trustedOrigins'] ?? [];
  if (!Array.isArray(list))
    throw optionError(
      'baseline',
      'trustedOrigins',
      `must be an array of origins`,
      'see the options table of the @portcullis/baseline README',
      list,
    );
  const trusted = new Set<string>();
  for (const entry of list as unknown[]) {
    const origin = parseOrigin(entry);
    if (origin === null)
      throw optionError(
        'baseline',
        'trustedOrigins',
        'entries must be origins',
        'e.g. "https://app.example.com" (scheme, host and port only)',
        entry,
      );
    trusted.add(origin);
  }

  function isTrusted(originHeader: string | undefined): boolean {
    if (originHeader === undefined || trusted.size === 0) return false;
    const origin = parseOrigin(originHeader);
    return origin !== null && trusted.has(origin);
  }

  return function csrfGuardMiddleware(req: IncomingMessage, _res: ServerResponse, next: Next): void {
    if (req.method === undefined || SAFE_METHODS.has(req.method)) {
      next();
      return;
    }
    const site = req.headers['sec-fetch-site'];
    const origin = req.headers.origin;
    if (site !== undefined) {
      if (site === 'same-origin' || site === 'none' || isTrusted(origin)) {
        next();
        return;
      }
    } else {
      // No Fetch Metadata: a non-browser client (no Origin either) or a pre-2020 browser.
      if (origin === undefined) {
        next();
        return;
      }
      const parsed = parseOrigin(origin);
      if (
        (parsed !== null &&
          req.headers.host !== undefined &&
          new URL(parsed).host === req.headers.host.toLowerCase()) ||
        isTrusted(origin)
      ) {
        next();
        return;
      }
    }
    next(
      new ForbiddenError<BaselineErrorCode>('cross-site request rejected', {
        code: 'csrf_rejected',
        detail: 'Cross-site requests are not allowed here.',
      }),
    );
  };
}
