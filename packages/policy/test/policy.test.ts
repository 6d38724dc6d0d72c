// definePolicy: option validation, the decision order, reasons, error mapping and the onDecision hook.
import { describe, expect, it, vi } from 'vitest';
import { ForbiddenError, NotFoundError, UnauthorizedError, isHttpError } from '@portcullis/errors';
import { definePolicy, type DecisionEvent, type DecisionReason } from '@portcullis/policy';
import {
  SECRET_NOTE,
  aCase,
  caseOptions,
  casePolicy,
  principal,
  type Case,
  type CaseAction,
  type Principal,
  withRules,
} from './fixtures.js';

const admin = principal('u-admin', ['admin']);
const reviewer = principal('u-rev', ['reviewer']);
const senior = principal('u-rev', ['senior_reviewer']);
const own = aCase();
const foreign = aCase({ tenantId: 't2' });

function thrown(fn: () => void): unknown {
  try {
    fn();
  } catch (err) {
    return err;
  }
  return undefined;
}

describe('definePolicy option validation', () => {
  const base = caseOptions();
  const bad: [string, Record<string, unknown>, RegExp][] = [
    [
      'an unknown key (typo)',
      { ...base, crossTenat: 'forbidden' },
      /"crossTenat" is not a known option \(got "forbidden"\); did you mean "crossTenant"\?/,
    ],
    [
      'missing tenantOfPrincipal',
      { ...base, tenantOfPrincipal: undefined },
      /"tenantOfPrincipal" must be a function \(got undefined\)/,
    ],
    [
      'tenantOfResource as a string',
      { ...base, tenantOfResource: 'tenantId' },
      /"tenantOfResource" must be a function \(got "tenantId"\)/,
    ],
    ['idOfPrincipal as null', { ...base, idOfPrincipal: null }, /"idOfPrincipal" must be a function \(got null\)/],
    ['idOfResource as a number', { ...base, idOfResource: 1 }, /"idOfResource" must be a function \(got 1\)/],
    ['onDecision as an object', { ...base, onDecision: {} }, /"onDecision" must be a function \(got an object\)/],
    [
      'crossTenant "allow"',
      { ...base, crossTenant: 'allow' },
      /"crossTenant" must be "not_found" or "forbidden" \(got "allow"\)/,
    ],
    ['crossTenant true', { ...base, crossTenant: true }, /"crossTenant" must be/],
    ['rules missing', { ...base, rules: undefined }, /"rules" must be an object/],
    ['rules as an array', { ...base, rules: [] }, /"rules" must be an object mapping .* \(got an empty array\)/],
    ['rules as a Map', { ...base, rules: new Map() }, /"rules" must be an object/],
    ['an empty rules object', { ...base, rules: {} }, /"rules" is empty/],
    [
      'a rule that is not a function',
      { ...base, rules: { CLOSE: true } },
      /"rules.CLOSE" must be a function .* \(got true\)/,
    ],
    ['an empty action name', { ...base, rules: { '': () => true } }, /empty action name/],
  ];
  it.each(bad)('throws a TypeError naming the option for %s', (_name, options, message) => {
    const err = thrown(() => definePolicy(options as never));
    expect(err).toBeInstanceOf(TypeError);
    expect((err as Error).message).toMatch(/^@portcullis\/policy: /);
    expect((err as Error).message).toMatch(message);
  });

  it.each([null, 'policy', 42, [], new Date()])('throws for options %s', (options) => {
    expect(() => definePolicy(options as never)).toThrow(
      /^@portcullis\/policy: "options" must be a plain object \(got /,
    );
  });

  it('throws for no options, naming the first required one', () => {
    expect(() => definePolicy(undefined as never)).toThrow(
      /^@portcullis\/policy: "tenantOfPrincipal" must be a function \(got undefined\); /,
    );
  });

  it('accepts frozen options and never mutates them', () => {
    const options = Object.freeze({ ...caseOptions(), rules: Object.freeze({ ...caseOptions().rules }) });
    const policy = definePolicy(options);
    expect(policy.can(admin, 'CLOSE', own)).toBe(true);
    expect(Object.isFrozen(policy)).toBe(true);
  });

  it('treats { crossTenant: undefined } like {} (not_found)', () => {
    const policy = definePolicy(caseOptions({ crossTenant: undefined, onDecision: undefined }));
    expect(
      (
        thrown(() => {
          policy.authorize(admin, 'CLOSE', foreign);
        }) as NotFoundError
      ).status,
    ).toBe(404);
  });

  it('copies the rules at creation: editing the rules object afterwards cannot open a hole', () => {
    const rules: Record<string, (p: Principal, c: Case) => boolean> = { CLOSE: () => false };
    const policy = definePolicy(withRules(rules));
    rules['CLOSE'] = () => true;
    rules['DELETE'] = () => true;
    expect(policy.can(admin, 'CLOSE', own)).toBe(false);
    expect(policy.explain(admin, 'DELETE', own).reason).toBe('no_rule');
    expect(policy.actions).toEqual(['CLOSE']);
  });
});

describe('decision order and reasons', () => {
  const policy = casePolicy();
  const cases: [string, Principal | undefined, string, Case, DecisionReason][] = [
    ['allows admin CLOSE in its tenant', admin, 'CLOSE', own, 'allowed'],
    ['denies without a principal before anything else', undefined, 'CLOSE', foreign, 'no_principal'],
    ['denies another tenant before consulting the rule (even for admin)', admin, 'CLOSE', foreign, 'cross_tenant'],
    ['denies an action without a rule', admin, 'DELETE', own, 'no_rule'],
    ['denies when the rule says no', reviewer, 'CLOSE', own, 'rule_denied'],
    ['denies "constructor" (inherited from Object.prototype)', admin, 'constructor', own, 'no_rule'],
    ['denies "__proto__"', admin, '__proto__', own, 'no_rule'],
    ['denies "toString"', admin, 'toString', own, 'no_rule'],
    ['denies "hasOwnProperty"', admin, 'hasOwnProperty', own, 'no_rule'],
  ];
  it.each(cases)('%s', (_name, p, action, resource, reason) => {
    const decision = policy.explain(p, action as CaseAction, resource);
    expect(decision).toEqual({ allowed: reason === 'allowed', reason, action });
    expect(policy.can(p, action as CaseAction, resource)).toBe(reason === 'allowed');
    expect(Object.isFrozen(decision)).toBe(true);
  });

  it('treats null like a missing principal', () => {
    expect(policy.explain(null, 'CLOSE', own).reason).toBe('no_principal');
  });

  it('does not call the rule for another tenant', () => {
    const rule = vi.fn(() => true);
    const p = definePolicy(withRules({ CLOSE: rule }));
    expect(p.can(admin, 'CLOSE', foreign)).toBe(false);
    expect(rule).not.toHaveBeenCalled();
  });

  const tenantFaults: [string, Partial<Parameters<typeof definePolicy<Principal, Case, CaseAction>>[0]>][] = [
    [
      'tenantOfPrincipal throws',
      {
        tenantOfPrincipal: () => {
          throw new Error('boom');
        },
      },
    ],
    ['tenantOfPrincipal returns ""', { tenantOfPrincipal: () => '' }],
    ['tenantOfPrincipal returns undefined', { tenantOfPrincipal: () => undefined as unknown as string }],
    [
      'tenantOfResource throws',
      {
        tenantOfResource: () => {
          throw new Error('boom');
        },
      },
    ],
    ['tenantOfResource returns a number', { tenantOfResource: () => 1 as unknown as string }],
    [
      'both tenants are undefined (undefined === undefined must not pass)',
      {
        tenantOfPrincipal: () => undefined as unknown as string,
        tenantOfResource: () => undefined as unknown as string,
      },
    ],
  ];
  it.each(tenantFaults)('fails closed as cross_tenant when %s', (_name, extra) => {
    const p = definePolicy(caseOptions(extra));
    expect(p.explain(admin, 'CLOSE', own)).toEqual({ allowed: false, reason: 'cross_tenant', action: 'CLOSE' });
  });

  const faultyRules: [string, (p: Principal, c: Case) => boolean][] = [
    [
      'throws an Error',
      () => {
        throw new Error('db down');
      },
    ],
    [
      'throws a non-Error',
      () => {
        // eslint-disable-next-line @typescript-eslint/only-throw-error -- a rule may throw anything; the policy must still deny
        throw 'nope';
      },
    ],
    ['returns a truthy string', () => 'yes' as unknown as boolean],
    ['returns 1', () => 1 as unknown as boolean],
    ['is async and resolves true', (() => Promise.resolve(true)) as unknown as () => boolean],
    ['is async and rejects', (() => Promise.reject(new Error('late'))) as unknown as () => boolean],
    ['reads a missing field', (p) => (p as unknown as { profile: { admin: boolean } }).profile.admin],
  ];
  it.each(faultyRules)('denies with rule_error when the rule %s (fails closed)', async (_name, rule) => {
    const p = definePolicy(withRules({ CLOSE: rule }));
    expect(p.explain(admin, 'CLOSE', own)).toEqual({ allowed: false, reason: 'rule_error', action: 'CLOSE' });
    expect(p.can(admin, 'CLOSE', own)).toBe(false);
    const err = thrown(() => {
      p.authorize(admin, 'CLOSE', own);
    });
    expect(err).toBeInstanceOf(ForbiddenError);
    await Promise.resolve(); // a rejected async rule must not surface as an unhandled rejection
  });
});

describe('policy.authorize error mapping', () => {
  const mapping: [
    string,
    Principal | undefined,
    string,
    Case,
    'not_found' | 'forbidden',
    number | undefined,
    string | undefined,
    unknown,
  ][] = [
    ['returns when allowed', senior, 'CLOSE', own, 'not_found', undefined, undefined, undefined],
    [
      '401 unauthorized without a principal',
      undefined,
      'CLOSE',
      own,
      'not_found',
      401,
      'unauthorized',
      UnauthorizedError,
    ],
    [
      '404 not_found for another tenant (default)',
      reviewer,
      'ESCALATE',
      foreign,
      'not_found',
      404,
      'not_found',
      NotFoundError,
    ],
    [
      '403 forbidden for another tenant with crossTenant "forbidden"',
      reviewer,
      'ESCALATE',
      foreign,
      'forbidden',
      403,
      'forbidden',
      ForbiddenError,
    ],
    ['403 forbidden when the rule denies', reviewer, 'CLOSE', own, 'not_found', 403, 'forbidden', ForbiddenError],
    ['403 forbidden for an unknown action', admin, 'PURGE', own, 'not_found', 403, 'forbidden', ForbiddenError],
  ];
  it.each(mapping)('%s', (_name, p, action, resource, crossTenant, status, code, type) => {
    const policy = definePolicy(caseOptions({ crossTenant }));
    const err = thrown(() => {
      policy.authorize(p, action as CaseAction, resource);
    });
    if (status === undefined) {
      expect(err).toBeUndefined();
      return;
    }
    expect(err).toBeInstanceOf(type as new () => Error);
    expect(isHttpError(err)).toBe(true);
    expect(err).toMatchObject({ status, code, expose: true, detail: undefined });
    // The log message names the reason; it is never rendered to the client.
    expect((err as Error).message).toMatch(/^@portcullis\/policy: denied "/);
  });

  it('sends a Bearer challenge with the 401', () => {
    const err = thrown(() => {
      casePolicy().authorize(undefined, 'CLOSE', own);
    }) as UnauthorizedError;
    expect(err.headers['WWW-Authenticate']).toBe('Bearer realm="api"');
  });

  it('renders a 404 for another tenant identical to a genuinely missing object', () => {
    const err = thrown(() => {
      casePolicy().authorize(admin, 'CLOSE', foreign);
    }) as NotFoundError;
    const missing = new NotFoundError();
    expect({ status: err.status, code: err.code, detail: err.detail, headers: err.headers }).toEqual({
      status: missing.status,
      code: missing.code,
      detail: missing.detail,
      headers: missing.headers,
    });
  });
});

describe('onDecision', () => {
  it('receives every decision from can, explain and authorize, with ids and never the objects', () => {
    const events: DecisionEvent<CaseAction>[] = [];
    const policy = casePolicy((e) => events.push(e));
    policy.can(admin, 'CLOSE', own);
    policy.explain(undefined, 'ESCALATE', own);
    thrown(() => {
      policy.authorize(reviewer, 'CLOSE', foreign);
    });
    policy.can(reviewer, 'CLOSE', own);
    policy.can(admin, 'NUKE' as CaseAction, own);
    expect(events).toEqual([
      {
        action: 'CLOSE',
        allowed: true,
        reason: 'allowed',
        principalId: 'u-admin',
        tenantId: 't1',
        resourceId: 'case-1',
      },
      { action: 'ESCALATE', allowed: false, reason: 'no_principal', resourceId: 'case-1' },
      {
        action: 'CLOSE',
        allowed: false,
        reason: 'cross_tenant',
        principalId: 'u-rev',
        tenantId: 't1',
        resourceId: 'case-1',
      },
      {
        action: 'CLOSE',
        allowed: false,
        reason: 'rule_denied',
        principalId: 'u-rev',
        tenantId: 't1',
        resourceId: 'case-1',
      },
      {
        action: 'NUKE',
        allowed: false,
        reason: 'no_rule',
        principalId: 'u-admin',
        tenantId: 't1',
        resourceId: 'case-1',
      },
    ]);
    for (const event of events) {
      expect(Object.isFrozen(event)).toBe(true);
      expect(Object.values(event)).not.toContain(own);
      expect(Object.values(event)).not.toContain(admin);
      expect(JSON.stringify(event)).not.toContain(SECRET_NOTE);
      for (const value of Object.values(event)) expect(['string', 'boolean']).toContain(typeof value);
    }
  });

  it('carries the request id of the context, so a denial joins the request log and the audit trail', () => {
    const events: DecisionEvent<CaseAction>[] = [];
    const policy = casePolicy((e) => events.push(e));
    policy.can(reviewer, 'CLOSE', own, { requestId: 'srv-1' });
    policy.explain(undefined, 'ESCALATE', own, { requestId: 'srv-2' });
    thrown(() => {
      policy.authorize(reviewer, 'CLOSE', foreign, { requestId: 'srv-3' });
    });
    expect(events.map((e) => [e.reason, e.requestId])).toEqual([
      ['rule_denied', 'srv-1'],
      ['no_principal', 'srv-2'],
      ['cross_tenant', 'srv-3'],
    ]);
  });

  it.each([
    ['no context', undefined],
    ['an empty id', { requestId: '' }],
    ['a number', { requestId: 7 as never }],
    ['an id over 128 characters', { requestId: 'x'.repeat(129) }],
    ['an undefined id', { requestId: undefined }],
  ])('leaves requestId out for %s', (_title, context) => {
    const events: DecisionEvent<CaseAction>[] = [];
    const policy = casePolicy((e) => events.push(e));
    expect(policy.can(admin, 'CLOSE', own, context)).toBe(true);
    expect(events).toHaveLength(1);
    expect(events[0]).not.toHaveProperty('requestId');
  });

  it('omits ids whose extractor is absent, throws or returns a non-string', () => {
    const events: DecisionEvent[] = [];
    const policy = definePolicy(
      caseOptions({
        idOfPrincipal: () => {
          throw new Error('no id');
        },
        idOfResource: undefined,
        onDecision: (e) => events.push(e),
      }),
    );
    policy.can(admin, 'CLOSE', own);
    expect(events).toEqual([{ action: 'CLOSE', allowed: true, reason: 'allowed', tenantId: 't1' }]);
  });

  it('propagates an error thrown by onDecision, so nothing proceeds on an unlogged decision', () => {
    const policy = casePolicy(() => {
      throw new Error('audit log down');
    });
    expect(() => policy.can(admin, 'CLOSE', own)).toThrow('audit log down');
    expect(() => {
      policy.authorize(admin, 'CLOSE', own);
    }).toThrow('audit log down');
  });
});
