// Scope extraction from verified claims, and requireScopes(): 403 insufficient_scope per RFC 6750 §3.1.
import { optionError } from '@portcullis/errors/options';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { ForbiddenError, UnauthorizedError } from '@portcullis/errors';
import type { AuthInfo } from './types.js';

/** Realm an AuthInfo was issued under (a symbol key: invisible to JSON and Object.keys), so requireScopes() answers with the same realm. */
export const REALM: unique symbol = Symbol('@portcullis/auth.realm');

// RFC 6749 §3.3: scope-token = 1*( %x21 / %x23-5B / %x5D-7E )
const SCOPE_TOKEN = /^[\x21\x23-\x5B\x5D-\x7E]+$/;

function addSplit(out: string[], value: string): void {
  for (const s of value.split(' ')) if (s !== '') out.push(s);
}

/** Scopes from `scope` (space-delimited), `scp` (array, or string as some IdPs send) and `permissions` (array). */
export function scopesOf(claims: Readonly<Record<string, unknown>>): readonly string[] {
  const out: string[] = [];
  const { scope, scp, permissions } = claims;
  if (typeof scope === 'string') addSplit(out, scope);
  if (typeof scp === 'string') addSplit(out, scp);
  for (const list of [scp, permissions]) {
    if (Array.isArray(list)) for (const s of list as unknown[]) if (typeof s === 'string' && s !== '') out.push(s);
  }
  return Object.freeze(out.length > 1 ? [...new Set(out)] : out);
}

/** A middleware that lets the request through only when `req.auth.scopes` holds every one of `scopes`. */
export type RequireScopesMiddleware = (
  req: IncomingMessage,
  res: ServerResponse,
  next: (err?: unknown) => void,
) => void;

/**
 * Requires every listed scope on the verified token (mount after jwtAuth()).
 * Missing `req.auth` → 401; a missing scope → 403 insufficient_scope with
 * `WWW-Authenticate: Bearer realm="…", error="insufficient_scope", scope="…"`.
 * @param scopes one or more RFC 6749 scope tokens, e.g. requireScopes('cases:read')
 */
export function requireScopes(...scopes: string[]): RequireScopesMiddleware {
  if (scopes.length === 0) {
    throw optionError('auth', 'scopes', 'needs at least one scope', 'e.g. requireScopes("cases:read")', scopes);
  }
  (scopes as unknown[]).forEach((s, i) => {
    if (typeof s !== 'string' || !SCOPE_TOKEN.test(s)) {
      throw optionError(
        'auth',
        `scopes[${i}]`,
        'is not a valid scope token (RFC 6749 §3.3)',
        'use printable ASCII without spaces, quotes or backslashes',
        s,
      );
    }
  });
  const needed = Object.freeze([...new Set(scopes)]);
  const scopeAttr = needed.join(' ');
  return function requireScopesMiddleware(req, _res, next) {
    const auth = (req as IncomingMessage & { auth?: AuthInfo }).auth;
    if (typeof auth !== 'object' || auth === null || !Array.isArray(auth.scopes)) {
      next(
        new UnauthorizedError('auth: requireScopes() reached without a verified token', {
          challenge: { realm: 'api' },
        }),
      );
      return;
    }
    const tagged = (auth as { [REALM]?: unknown })[REALM];
    const realm = typeof tagged === 'string' ? tagged : 'api';
    const have = auth.scopes;
    for (const s of needed) {
      if (!have.includes(s)) {
        next(
          new ForbiddenError('auth: insufficient scope', {
            code: 'insufficient_scope',
            // RFC 9449 §7.1: a DPoP request is answered under the DPoP scheme.
            challenge: {
              ...(auth.scheme === 'DPoP' ? { scheme: 'DPoP' } : {}),
              realm,
              error: 'insufficient_scope',
              scope: scopeAttr,
            },
          }),
        );
        return;
      }
    }
    next();
  };
}
