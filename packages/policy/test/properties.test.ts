// Property tests: the tenant wall and fail-closed rules hold for any principal, resource and rule.
import fc from 'fast-check';
import { describe, it } from 'vitest';
import { definePolicy } from '@portcullis/policy';

interface P {
  sub: string;
  tenant: string;
  roles: string[];
}
interface R {
  id: string;
  tenant: string;
}

const tenant = fc.string({ minLength: 1, maxLength: 12 });
const principalArb = (t: fc.Arbitrary<string>) =>
  fc.record({
    sub: fc.string({ minLength: 1 }),
    tenant: t,
    roles: fc.array(fc.constantFrom('reviewer', 'senior_reviewer', 'admin')),
  });
const resourceArb = (t: fc.Arbitrary<string>) => fc.record({ id: fc.string({ minLength: 1 }), tenant: t });
// Rules that say yes, no, or anything at all, decided by the data.
const ruleArb = fc.oneof(
  fc.constant(() => true),
  fc.constant(() => false),
  fc.func(fc.boolean()),
);
const actionArb = fc.constantFrom('READ', 'CLOSE', 'ESCALATE', 'constructor', '__proto__', 'toString');

function policyWith(rules: Record<string, (p: P, r: R) => boolean>, crossTenant: 'not_found' | 'forbidden') {
  return definePolicy<P, R, string>({
    tenantOfPrincipal: (p) => p.tenant,
    tenantOfResource: (r) => r.tenant,
    rules,
    crossTenant,
  });
}

describe('tenant isolation properties [ASVS V8.4.1, V8.2.2]', () => {
  it('can() is always false across tenants, whatever the rules say', () => {
    fc.assert(
      fc.property(
        principalArb(tenant),
        resourceArb(tenant),
        fc.dictionary(actionArb, ruleArb, { minKeys: 1 }),
        actionArb,
        fc.constantFrom('not_found' as const, 'forbidden' as const),
        (p, r, rules, action, crossTenant) => {
          fc.pre(p.tenant !== r.tenant);
          // READ always says yes: the tenant wall must hold even against a rule that allows everything.
          const policy = policyWith({ ...rules, READ: () => true }, crossTenant);
          const decision = policy.explain(p, action, r);
          return !policy.can(p, action, r) && !decision.allowed && decision.reason === 'cross_tenant';
        },
      ),
      { numRuns: 500 },
    );
  });

  it('an allow-everything policy still refuses another tenant with 404 through authorize()', () => {
    fc.assert(
      fc.property(principalArb(tenant), resourceArb(tenant), (p, r) => {
        fc.pre(p.tenant !== r.tenant);
        const policy = policyWith({ READ: () => true }, 'not_found');
        try {
          policy.authorize(p, 'READ', r);
          return false;
        } catch (err) {
          return (
            (err as { status?: number; code?: string }).status === 404 &&
            (err as { code?: string }).code === 'not_found'
          );
        }
      }),
      { numRuns: 300 },
    );
  });
});

describe('fail-closed rule properties [ASVS V16.5.3]', () => {
  it('a rule that throws never allows, whatever it throws and whoever asks', () => {
    fc.assert(
      fc.property(principalArb(fc.constant('t')), resourceArb(fc.constant('t')), fc.anything(), (p, r, thrownValue) => {
        const policy = policyWith(
          {
            READ: () => {
              throw thrownValue;
            },
          },
          'not_found',
        );
        const decision = policy.explain(p, 'READ', r);
        return !policy.can(p, 'READ', r) && decision.reason === 'rule_error';
      }),
      { numRuns: 300 },
    );
  });

  it('a rule returning anything but true never allows', () => {
    fc.assert(
      fc.property(
        fc.anything().filter((v) => v !== true),
        (verdict) => {
          const policy = policyWith({ READ: () => verdict as boolean }, 'not_found');
          return !policy.can({ sub: 's', tenant: 't', roles: [] }, 'READ', { id: 'r', tenant: 't' });
        },
      ),
      { numRuns: 300 },
    );
  });

  it('no action name reaches an inherited property of the rules object', () => {
    fc.assert(
      fc.property(fc.string(), (action) => {
        fc.pre(action !== 'READ');
        const policy = policyWith({ READ: () => true }, 'not_found');
        return (
          policy.explain({ sub: 's', tenant: 't', roles: [] }, action, { id: 'r', tenant: 't' }).reason === 'no_rule'
        );
      }),
      { numRuns: 300 },
    );
  });
});
