// principalFromClaims: a typed principal from verified JWT claims only (req.auth.claims), validated with zod.
import type { IncomingMessage } from 'node:http';
import { ForbiddenError, UnauthorizedError } from '@portcullis/errors';
import type { ZodType, output } from 'zod';
import { optionError } from '@portcullis/errors/options';

const PKG = '@portcullis/policy';

/** Stable codes of the errors thrown by the function principalFromClaims returns. */
export type ClaimsErrorCode = 'unauthorized' | 'invalid_claims';

/**
 * Makes `(req) => principal` from a zod schema of the verified claims that `@portcullis/auth` puts at
 * `req.auth.claims`. Roles and tenant come only from there, never from headers, query or body.
 *
 * The returned function throws (for `next(err)`; the `authorize` middleware does that for you):
 * - `UnauthorizedError` (401, code "unauthorized") when the request carries no verified claims;
 * - `ForbiddenError` (403, code "invalid_claims") when the claims do not match the schema (the token is
 *   genuine but does not carry what this API needs, e.g. no `tenant_id`). Never a 500.
 *
 * @param schema A synchronous zod schema; its output is the principal.
 * @throws TypeError at creation when `schema` is not a zod schema.
 */
export function principalFromClaims<S extends ZodType>(schema: S): (req: IncomingMessage) => output<S> {
  if (
    typeof schema !== 'object' ||
    schema === null ||
    typeof (schema as { safeParse?: unknown }).safeParse !== 'function'
  ) {
    throw optionError(
      PKG,
      'schema',
      'must be a zod schema',
      'e.g. z.object({ sub: z.string(), tenant_id: z.string() })',
      schema,
    );
  }
  return function principalFromRequest(req: IncomingMessage): output<S> {
    // Read structurally so this package does not depend on @portcullis/auth's declaration of req.auth.
    const auth = (req as { auth?: { claims?: unknown } }).auth;
    const claims = typeof auth === 'object' && auth !== null ? auth.claims : undefined;
    if (claims === undefined || claims === null) {
      throw new UnauthorizedError(`${PKG}: no verified claims on the request (is @portcullis/auth mounted?)`, {
        code: 'unauthorized',
      });
    }
    let result: ReturnType<S['safeParse']>;
    try {
      result = schema.safeParse(claims) as ReturnType<S['safeParse']>;
    } catch (cause) {
      // An async refinement throws here on every request: deny, do not 500.
      throw new ForbiddenError(`${PKG}: the claims schema threw (async refinements are not supported)`, {
        code: 'invalid_claims',
        cause,
      });
    }
    if (!result.success) {
      const paths = result.error.issues.map((issue) => issue.path.map(String).join('.') || '(root)');
      throw new ForbiddenError(`${PKG}: verified claims do not match the principal schema at ${paths.join(', ')}`, {
        code: 'invalid_claims',
        detail: 'The access token does not carry the claims this API requires.',
      });
    }
    return result.data as output<S>;
  };
}
