// authorize(): Express middleware that resolves the principal, loads the resource tenant-scoped and applies the policy.
import type { NextFunction, Request, RequestHandler, Response } from 'express';
import { NotFoundError } from '@portcullis/errors';
import { checkOptions, optionError, type OptionKeys } from '@portcullis/errors/options';
import { policyInternals, type Policy } from './policy.js';

const PKG = '@portcullis/policy';

/** Options of authorize(). */
export interface AuthorizeOptions<P, R> {
  /**
   * Returns the principal of the request, typically the function made by principalFromClaims().
   * `undefined`/`null` → 401 "unauthorized"; a thrown HttpError is passed to `next(err)` as is.
   */
  principal: (req: Request) => P | null | undefined;
  /**
   * Loads the resource with a query scoped to `tenantId` (the principal's tenant), e.g.
   * `SELECT … WHERE id = $1 AND tenant_id = $2`. May be async. `null`/`undefined` → 404 "not_found";
   * a thrown error or rejection is passed to `next(err)`.
   */
  load: (req: Request, tenantId: string) => R | null | undefined | Promise<R | null | undefined>;
}

const AUTHORIZE_KEYS: OptionKeys<AuthorizeOptions<unknown, unknown>> = { principal: true, load: true };

/**
 * Express middleware (Express 4 and 5) for routes that want the check at the edge. On success the
 * resource is at `res.locals.resource` and the principal at `res.locals.principal`. Services should
 * still call `policy.authorize` themselves so the check holds however they are called.
 *
 * @throws TypeError at creation for a value that is not a definePolicy() policy, an action without a
 * rule in it, or bad/unknown options.
 */
export function authorize<P, R, A extends string>(
  policy: Policy<P, R, A>,
  action: A,
  options: AuthorizeOptions<P, R>,
): RequestHandler {
  const hooks = policyInternals<P, A>(policy);
  if (hooks === undefined) {
    throw optionError(
      PKG,
      'policy',
      'must be a policy made by definePolicy()',
      'pass what definePolicy() returned',
      policy,
    );
  }
  if (typeof action !== 'string' || !policy.actions.includes(action)) {
    throw optionError(
      PKG,
      'action',
      'has no rule in this policy',
      `use one of ${policy.actions.map((a) => JSON.stringify(a)).join(', ')}`,
      action,
    );
  }
  const o = checkOptions(PKG, options, AUTHORIZE_KEYS);
  const principalOf = o.principal as AuthorizeOptions<P, R>['principal'] | undefined;
  const load = o.load as AuthorizeOptions<P, R>['load'] | undefined;
  if (typeof principalOf !== 'function') {
    throw optionError(
      PKG,
      'principal',
      'must be a function (req) => principal',
      'e.g. principalFromClaims(schema)',
      principalOf,
    );
  }
  if (typeof load !== 'function') {
    throw optionError(
      PKG,
      'load',
      'must be a function (req, tenantId) => resource | null',
      'e.g. (req, tenantId) => repo.find(tenantId, req.params.id)',
      load,
    );
  }

  return function authorizeMiddleware(req: Request, res: Response, next: NextFunction): void {
    // req.id is set by @portcullis/logging's requestLogger (read structurally: no dependency on it).
    const requestId: unknown = 'id' in req ? req.id : undefined;
    const context = { requestId: typeof requestId === 'string' ? requestId : undefined };
    let principal: P | null | undefined;
    try {
      principal = principalOf(req);
    } catch (err) {
      next(err);
      return;
    }
    if (principal === undefined || principal === null) {
      next(hooks.toError(hooks.decideWithoutResource(principal, action, context)));
      return;
    }
    const tenantId = hooks.tenantOf(principal);
    if (tenantId === undefined) {
      // Without a tenant nothing can be loaded; this is a cross-tenant denial for every resource.
      next(hooks.toError(hooks.decideWithoutResource(principal, action, context)));
      return;
    }
    const who = principal;
    let loading: Promise<R | null | undefined>;
    try {
      loading = Promise.resolve(load(req, tenantId));
    } catch (err) {
      next(err);
      return;
    }
    loading.then(
      (resource) => {
        if (resource === undefined || resource === null) {
          next(new NotFoundError(`${PKG}: resource not found in the principal's tenant`, { code: 'not_found' }));
          return;
        }
        try {
          policy.authorize(who, action, resource, context);
        } catch (err) {
          next(err);
          return;
        }
        res.locals['resource'] = resource;
        res.locals['principal'] = who;
        next();
      },
      (err: unknown) => {
        next(err);
      },
    );
  };
}
