// definePolicy: a deny-by-default decision function over (principal, action, resource) with a tenant wall in front of the rules.
import { ForbiddenError, NotFoundError, UnauthorizedError } from '@portcullis/errors';
import { checkOptions, describeValue, isPlainObject, optionError, type OptionKeys } from '@portcullis/errors/options';

/** Why a decision came out the way it did. Stable strings: switch on them. */
export type DecisionReason = 'allowed' | 'no_principal' | 'cross_tenant' | 'no_rule' | 'rule_denied' | 'rule_error';

/** The outcome of one check. */
export interface Decision<A extends string = string> {
  /** True only when every step passed and the rule returned exactly `true`. */
  readonly allowed: boolean;
  /** Which step decided. */
  readonly reason: DecisionReason;
  /** The action that was checked (as passed in, even when unknown to the policy). */
  readonly action: A;
}

/**
 * What `onDecision` receives: the decision plus identifiers, never the principal or resource objects
 * (they may hold sensitive fields such as notes or e-mail addresses). Ids are present only when the
 * corresponding extractor is configured and returned a non-empty string.
 */
export interface DecisionEvent<A extends string = string> extends Decision<A> {
  /** From `idOfPrincipal(principal)`. */
  readonly principalId?: string;
  /** From `tenantOfPrincipal(principal)`: the tenant of the caller. */
  readonly tenantId?: string;
  /** From `idOfResource(resource)`. */
  readonly resourceId?: string;
  /**
   * The id of the request the decision was made for (`context.requestId`; the `authorize()` middleware
   * passes `req.id`), so a denial can be joined to the request log and the audit trail.
   */
  readonly requestId?: string;
}

/** Where a decision is made, for `onDecision` only: it never changes the decision. */
export interface DecisionContext {
  /** The server's id of the current request (`req.id` from @portcullis/logging), at most 128 characters. */
  readonly requestId?: string | undefined;
}

/** One rule: may `principal` do the action to `resource`? Only a returned `true` allows. */
export type Rule<P, R> = (principal: P, resource: R) => boolean;

/** How a resource of another tenant is answered. */
export type CrossTenantMode = 'not_found' | 'forbidden';

/** Options of definePolicy(). */
export interface PolicyOptions<P, R, A extends string> {
  /** The tenant of a principal (from verified claims). Must return a non-empty string; anything else denies. */
  tenantOfPrincipal: (principal: P) => string;
  /** The tenant a resource belongs to. Must return a non-empty string; anything else denies. */
  tenantOfResource: (resource: R) => string;
  /** The id of a principal, for `onDecision` only. @default none (no principalId in events) */
  idOfPrincipal?: ((principal: P) => string) | undefined;
  /** The id of a resource, for `onDecision` only. @default none (no resourceId in events) */
  idOfResource?: ((resource: R) => string) | undefined;
  /** One predicate per action. An action without an own rule here is denied ("no_rule"). */
  rules: { readonly [K in A]: Rule<P, R> };
  /**
   * How another tenant's resource is reported by `authorize`: "not_found" (404, hides that the object
   * exists) or "forbidden" (403). `can`/`explain` deny either way with reason "cross_tenant".
   * @default "not_found"
   */
  crossTenant?: CrossTenantMode | undefined;
  /**
   * Called synchronously with every decision (can, explain, authorize, the middleware), for an audit or
   * decision log. Receives ids only, never the objects. If it throws, the error propagates out of the
   * call that made the decision, so nothing proceeds on an unlogged decision.
   * @default none
   */
  onDecision?: ((event: DecisionEvent<A>) => void) | undefined;
}

/** A compiled policy. Made by definePolicy(); immutable. */
export interface Policy<P, R, A extends string = string> {
  /** The actions that have a rule, in definition order. */
  readonly actions: readonly A[];
  /** True when `principal` may do `action` to `resource`. Never throws because of a rule. */
  can(principal: P | null | undefined, action: A, resource: R, context?: DecisionContext): boolean;
  /** The full decision, with the reason. */
  explain(principal: P | null | undefined, action: A, resource: R, context?: DecisionContext): Decision<A>;
  /**
   * Returns when allowed; otherwise throws an HttpError for `next(err)`: UnauthorizedError (401
   * "unauthorized") without a principal, NotFoundError (404 "not_found") or ForbiddenError (403
   * "forbidden") for another tenant per `crossTenant`, ForbiddenError (403 "forbidden") when no rule,
   * the rule says no, or the rule threw.
   */
  authorize(principal: P | null | undefined, action: A, resource: R, context?: DecisionContext): void;
}

/** Internal hooks the middleware needs (tenant of a principal, deciding before a resource is loaded). */
export interface PolicyInternals<P, A extends string> {
  tenantOf(principal: P): string | undefined;
  /** Decides (and reports) without a resource: used when the principal is missing or has no tenant. */
  decideWithoutResource(principal: P | null | undefined, action: A, context?: DecisionContext): Decision<A>;
  toError(decision: Decision<A>): Error;
}

const internals = new WeakMap<object, unknown>();

/** Internal: the hooks of a policy made by definePolicy, or undefined for anything else. */
export function policyInternals<P, A extends string>(policy: unknown): PolicyInternals<P, A> | undefined {
  if (typeof policy !== 'object' || policy === null) return undefined;
  return internals.get(policy) as PolicyInternals<P, A> | undefined;
}

const PKG = 'policy';
const OPTION_KEYS: OptionKeys<PolicyOptions<unknown, unknown, string>> = {
  tenantOfPrincipal: true,
  tenantOfResource: true,
  idOfPrincipal: true,
  idOfResource: true,
  rules: true,
  crossTenant: true,
  onDecision: true,
};
const FUNCTION_FIX: Readonly<Record<string, string>> = {
  tenantOfPrincipal: 'e.g. (principal) => principal.tenantId',
  tenantOfResource: 'e.g. (resource) => resource.tenantId',
  idOfPrincipal: 'e.g. (principal) => principal.sub',
  idOfResource: 'e.g. (resource) => resource.id',
  onDecision: 'e.g. (event) => audit.write(event)',
};
const NO_RESOURCE: unique symbol = Symbol('no resource');

function requireFunction(options: Readonly<Record<string, unknown>>, name: string, optional: boolean): void {
  const value = options[name];
  if (value === undefined && optional) return;
  if (typeof value !== 'function') {
    throw optionError(PKG, name, 'must be a function', FUNCTION_FIX[name] ?? 'pass a function', value);
  }
}

const MAX_REQUEST_ID = 128;

// Only a non-empty, bounded string is reported; anything else (a number, an object, a huge string) is left out.
function requestIdOf(context: DecisionContext | undefined): string | undefined {
  if (typeof context !== 'object' || context === null) return undefined;
  const id: unknown = context.requestId;
  return typeof id === 'string' && id.length > 0 && id.length <= MAX_REQUEST_ID ? id : undefined;
}

// A tenant or id is usable only as a non-empty string; a thrown error or any other value counts as absent.
function safeId<T>(fn: ((value: T) => string) | undefined, value: T): string | undefined {
  if (fn === undefined) return undefined;
  try {
    const id: unknown = fn(value);
    return typeof id === 'string' && id.length > 0 ? id : undefined;
  } catch {
    return undefined;
  }
}

/**
 * Defines a deny-by-default policy. Options are validated and the rules copied once, here; later
 * changes to the caller's `rules` object have no effect.
 *
 * Decision order: principal present → same tenant → an own rule for the action → the rule returns
 * exactly `true`. A rule that throws (or returns anything but a boolean) denies with "rule_error".
 *
 * @throws TypeError naming the option when the options are invalid or contain an unknown key.
 */
export function definePolicy<P, R, A extends string>(options: PolicyOptions<P, R, A>): Policy<P, R, A> {
  const raw: Readonly<Record<string, unknown>> = checkOptions(PKG, options, OPTION_KEYS);
  requireFunction(raw, 'tenantOfPrincipal', false);
  requireFunction(raw, 'tenantOfResource', false);
  requireFunction(raw, 'idOfPrincipal', true);
  requireFunction(raw, 'idOfResource', true);
  requireFunction(raw, 'onDecision', true);

  const crossTenant = raw['crossTenant'] ?? 'not_found';
  if (crossTenant !== 'not_found' && crossTenant !== 'forbidden') {
    throw optionError(PKG, 'crossTenant', 'must be "not_found" or "forbidden"', 'omit it for "not_found"', crossTenant);
  }

  const rulesOption = raw['rules'];
  if (!isPlainObject(rulesOption)) {
    throw optionError(
      PKG,
      'rules',
      'must be an object mapping each action to a predicate',
      'e.g. { read: (principal, resource) => true }',
      rulesOption,
    );
  }
  // A Map, not the object: `rules["constructor"]` or `rules["__proto__"]` must never find an inherited function.
  const rules = new Map<string, Rule<P, R>>();
  for (const action of Object.keys(rulesOption)) {
    const rule = rulesOption[action];
    if (action.length === 0) throw optionError(PKG, 'rules', 'has an empty action name', 'name every action');
    if (typeof rule !== 'function') {
      throw optionError(
        PKG,
        `rules.${action.slice(0, 64)}`,
        'must be a function (principal, resource) => boolean',
        'e.g. (principal, resource) => principal.sub === resource.ownerId',
        rule,
      );
    }
    rules.set(action, rule as Rule<P, R>);
  }
  if (rules.size === 0) {
    throw optionError(
      PKG,
      'rules',
      'is empty, so every action would be denied',
      'add one rule per action',
      rulesOption,
    );
  }

  const tenantOfPrincipal = options.tenantOfPrincipal;
  const tenantOfResource = options.tenantOfResource;
  const idOfPrincipal = options.idOfPrincipal;
  const idOfResource = options.idOfResource;
  const onDecision = options.onDecision;
  const actions = Object.freeze([...rules.keys()] as A[]);

  function report(
    principal: P | null | undefined,
    resource: R | typeof NO_RESOURCE,
    action: A,
    allowed: boolean,
    reason: DecisionReason,
    context: DecisionContext | undefined,
  ): Decision<A> {
    const decision: Decision<A> = Object.freeze({ allowed, reason, action });
    if (onDecision === undefined) return decision;
    const event: { -readonly [K in keyof DecisionEvent<A>]: DecisionEvent<A>[K] } = { action, allowed, reason };
    if (principal !== undefined && principal !== null) {
      const principalId = safeId(idOfPrincipal, principal);
      if (principalId !== undefined) event.principalId = principalId;
      const tenantId = safeId(tenantOfPrincipal, principal);
      if (tenantId !== undefined) event.tenantId = tenantId;
    }
    if (resource !== NO_RESOURCE) {
      const resourceId = safeId(idOfResource, resource);
      if (resourceId !== undefined) event.resourceId = resourceId;
    }
    const requestId = requestIdOf(context);
    if (requestId !== undefined) event.requestId = requestId;
    onDecision(Object.freeze(event));
    return decision;
  }

  function evaluate(
    principal: P | null | undefined,
    action: A,
    resource: R | typeof NO_RESOURCE,
    context: DecisionContext | undefined,
  ): Decision<A> {
    if (principal === undefined || principal === null)
      return report(principal, resource, action, false, 'no_principal', context);
    const principalTenant = safeId(tenantOfPrincipal, principal);
    const resourceTenant = resource === NO_RESOURCE ? undefined : safeId(tenantOfResource, resource);
    if (principalTenant === undefined || resourceTenant === undefined || principalTenant !== resourceTenant) {
      return report(principal, resource, action, false, 'cross_tenant', context);
    }
    const rule = typeof action === 'string' ? rules.get(action) : undefined;
    if (rule === undefined) return report(principal, resource, action, false, 'no_rule', context);
    let verdict: unknown;
    try {
      verdict = rule(principal, resource as R);
    } catch {
      return report(principal, resource, action, false, 'rule_error', context);
    }
    if (verdict === true) return report(principal, resource, action, true, 'allowed', context);
    if (verdict === false) return report(principal, resource, action, false, 'rule_denied', context);
    // An async rule returns a promise: that is a bug, not a yes. Silence its rejection so it cannot crash the process.
    if (typeof verdict === 'object' && verdict !== null && typeof (verdict as { then?: unknown }).then === 'function') {
      (verdict as Promise<unknown>).then(undefined, () => undefined);
    }
    return report(principal, resource, action, false, 'rule_error', context);
  }

  function toError(decision: Decision<A>): Error {
    const message = `@portcullis/policy: denied ${describeValue(decision.action)} (${decision.reason})`;
    switch (decision.reason) {
      case 'no_principal':
        return new UnauthorizedError(message, { code: 'unauthorized' });
      case 'cross_tenant':
        return crossTenant === 'not_found'
          ? new NotFoundError(message, { code: 'not_found' })
          : new ForbiddenError(message, { code: 'forbidden' });
      default:
        return new ForbiddenError(message, { code: 'forbidden' });
    }
  }

  const policy: Policy<P, R, A> = Object.freeze({
    actions,
    can(principal: P | null | undefined, action: A, resource: R, context?: DecisionContext): boolean {
      return evaluate(principal, action, resource, context).allowed;
    },
    explain(principal: P | null | undefined, action: A, resource: R, context?: DecisionContext): Decision<A> {
      return evaluate(principal, action, resource, context);
    },
    authorize(principal: P | null | undefined, action: A, resource: R, context?: DecisionContext): void {
      const decision = evaluate(principal, action, resource, context);
      if (!decision.allowed) throw toError(decision);
    },
  });

  const hooks: PolicyInternals<P, A> = {
    tenantOf: (principal) => safeId(tenantOfPrincipal, principal),
    decideWithoutResource: (principal, action, context) => evaluate(principal, action, NO_RESOURCE, context),
    toError,
  };
  internals.set(policy, hooks);
  return policy;
}
