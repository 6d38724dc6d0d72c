// @portcullis/policy/testing: policyMatrix registers one vitest test per row of an authorization matrix.
import { isHttpError } from '@portcullis/errors';
import { describe, expect, it } from 'vitest';
import type { Policy } from './policy.js';
import { checkOptions, optionError, type OptionKeys } from '@portcullis/errors/options';

const PKG = '@portcullis/policy/testing';

/** The observable outcome of `policy.authorize`: allowed, 403, 404 or 401. */
export type MatrixExpectation = 'allow' | 'deny' | 'not_found' | 'unauthorized';

/** One row of a policy matrix. */
export interface MatrixRow<P, R, A extends string> {
  /** The caller; `undefined` is an anonymous request. */
  principal: P | undefined;
  /** The action checked; may be a string the policy does not know ("unknown action"). */
  action: A;
  /** The resource acted on. */
  resource: R;
  /** The outcome: "allow", "deny" (403), "not_found" (404) or "unauthorized" (401). */
  expect: MatrixExpectation;
  /** The `<role>` part of the title. @default options.role(principal), else "anonymous" / "principal" */
  role?: string | undefined;
  /** The `<state>` part of the title. @default options.state(resource, principal), else "resource" */
  state?: string | undefined;
}

/** Options of policyMatrix(). */
export interface MatrixOptions<P, R> {
  /** Wraps the rows in `describe(name, …)`. @default none (tests registered in the current suite) */
  describe?: string | undefined;
  /** Derives `<role>` from a (present) principal when a row has no `role`, e.g. `(p) => p.roles.join('+')`. */
  role?: ((principal: P) => string) | undefined;
  /** Derives `<state>` when a row has no `state`, e.g. `(c, p) => c.assignedReviewerId === p?.sub ? 'assigned' : 'unassigned'`. */
  state?: ((resource: R, principal: P | undefined) => string) | undefined;
}

const EXPECTATIONS: ReadonlySet<string> = new Set(['allow', 'deny', 'not_found', 'unauthorized']);
const OPTION_KEYS: OptionKeys<MatrixOptions<unknown, unknown>> = { describe: true, role: true, state: true };

// Not Array.isArray in place: it narrows a typed readonly array to any[].
function isNonEmptyArray(value: unknown): boolean {
  return Array.isArray(value) && value.length > 0;
}

/**
 * What `policy.authorize(principal, action, resource)` amounts to: "allow" when it returns, else the
 * status of the HttpError it throws (401 → "unauthorized", 404 → "not_found", 403 → "deny"). Anything
 * else is rethrown, so an unexpected error fails the test instead of passing as a denial.
 */
export function outcomeOf<P, R, A extends string>(
  policy: Policy<P, R, A>,
  principal: P | undefined,
  action: A,
  resource: R,
): MatrixExpectation {
  try {
    policy.authorize(principal, action, resource);
    return 'allow';
  } catch (err) {
    if (isHttpError(err)) {
      if (err.status === 401) return 'unauthorized';
      if (err.status === 404) return 'not_found';
      if (err.status === 403) return 'deny';
    }
    throw err;
  }
}

/** The title of a row: `<role> <action> <state> → <expect>`. */
export function matrixTitle<P, R, A extends string>(
  row: MatrixRow<P, R, A>,
  options: MatrixOptions<P, R> = {},
): string {
  const role =
    row.role ??
    (row.principal === undefined
      ? 'anonymous'
      : options.role !== undefined
        ? options.role(row.principal)
        : 'principal');
  const state = row.state ?? (options.state !== undefined ? options.state(row.resource, row.principal) : 'resource');
  return `${role} ${row.action} ${state} → ${row.expect}`;
}

/**
 * Registers one vitest test per row, titled `<role> <action> <state> → <expect>` (a repeated title gets
 * ` #2`, ` #3`…). Each test checks `policy.authorize` gives the expected outcome and that
 * `can`/`explain` agree with it. Call it at the top level of a test file or inside `describe`.
 *
 * `<role>` is `row.role`, else `options.role(principal)`, else "anonymous" (no principal) or
 * "principal". `<state>` is `row.state`, else `options.state(resource, principal)`, else "resource".
 *
 * @throws TypeError when the rows or options are malformed (at collection time, failing the file).
 */
export function policyMatrix<P, R, A extends string>(
  policy: Policy<P, R, A>,
  rows: readonly MatrixRow<P, R, A>[],
  options: MatrixOptions<P, R> = {},
): void {
  if (typeof policy !== 'object' || policy === null || typeof policy.authorize !== 'function') {
    throw optionError(
      PKG,
      'policy',
      'must be a policy made by definePolicy()',
      'pass what definePolicy() returned',
      policy,
    );
  }
  if (!isNonEmptyArray(rows)) {
    throw optionError(
      PKG,
      'rows',
      'must be a non-empty array',
      'pass rows of { principal, action, resource, expect }',
      rows,
    );
  }
  checkOptions(PKG, options, OPTION_KEYS);
  rows.forEach((row, index) => {
    if (typeof row !== 'object' || row === null) {
      throw optionError(PKG, `rows[${index}]`, 'must be an object', 'use { principal, action, resource, expect }', row);
    }
    if (typeof row.action !== 'string') {
      throw optionError(PKG, `rows[${index}].action`, 'must be a string', 'name an action of the policy', row.action);
    }
    if (!EXPECTATIONS.has(row.expect)) {
      throw optionError(
        PKG,
        `rows[${index}].expect`,
        'must be "allow", "deny", "not_found" or "unauthorized"',
        'pick the outcome the row proves',
        row.expect,
      );
    }
  });

  const register = (): void => {
    const seen = new Map<string, number>();
    for (const row of rows) {
      const base = matrixTitle(row, options);
      const count = (seen.get(base) ?? 0) + 1;
      seen.set(base, count);
      const title = count === 1 ? base : `${base} #${count}`;
      it(title, () => {
        const decision = policy.explain(row.principal, row.action, row.resource);
        const outcome = outcomeOf(policy, row.principal, row.action, row.resource);
        expect(outcome, `decision reason: ${decision.reason}`).toBe(row.expect);
        expect(policy.can(row.principal, row.action, row.resource)).toBe(row.expect === 'allow');
        expect(decision.allowed).toBe(row.expect === 'allow');
      });
    }
  };
  if (options.describe === undefined) register();
  else describe(options.describe, register);
}
