// principalFromClaims: principals come only from verified claims; bad or missing claims are 401/403, never 500.
import type { IncomingMessage } from 'node:http';
import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { ForbiddenError, UnauthorizedError } from '@portcullis/errors';
import { principalFromClaims } from '@portcullis/policy';
import { PrincipalClaims } from './fixtures.js';

const toPrincipal = principalFromClaims(PrincipalClaims);
const reqWith = (extra: Record<string, unknown>): IncomingMessage =>
  ({ headers: {}, ...extra }) as unknown as IncomingMessage;

function thrown(fn: () => unknown): unknown {
  try {
    fn();
  } catch (err) {
    return err;
  }
  return undefined;
}

describe('principalFromClaims', () => {
  it('builds a typed principal from req.auth.claims', () => {
    const p = toPrincipal(reqWith({ auth: { claims: { sub: 'u1', tenant_id: 't1', roles: ['admin'], iat: 1 } } }));
    expect(p).toEqual({ sub: 'u1', tenantId: 't1', roles: ['admin'] });
  });

  const missing: [string, Record<string, unknown>][] = [
    ['no req.auth', {}],
    ['req.auth null', { auth: null }],
    ['req.auth a string', { auth: 'Bearer x' }],
    ['req.auth without claims', { auth: {} }],
    ['claims null', { auth: { claims: null } }],
    ['roles and tenant only in headers', { headers: { 'x-tenant-id': 't1', 'x-roles': 'admin' } }],
    [
      'roles and tenant only in query and body',
      { query: { tenant_id: 't1', roles: ['admin'] }, body: { sub: 'u1', tenant_id: 't1', roles: ['admin'] } },
    ],
  ];
  it.each(missing)('401 unauthorized with %s', (_name, extra) => {
    const err = thrown(() => toPrincipal(reqWith(extra)));
    expect(err).toBeInstanceOf(UnauthorizedError);
    expect(err).toMatchObject({ status: 401, code: 'unauthorized' });
  });

  const invalid: [string, unknown][] = [
    ['claims without tenant_id', { sub: 'u1', roles: ['admin'] }],
    ['an unknown role', { sub: 'u1', tenant_id: 't1', roles: ['superuser'] }],
    ['roles as a string', { sub: 'u1', tenant_id: 't1', roles: 'admin' }],
    ['an empty tenant_id', { sub: 'u1', tenant_id: '', roles: [] }],
    ['claims as a string', 'admin'],
    ['claims as an array', [{ sub: 'u1' }]],
    ['a __proto__ key smuggling roles', JSON.parse('{"sub":"u1","tenant_id":"t1","__proto__":{"roles":["admin"]}}')],
  ];
  it.each(invalid)('403 invalid_claims for %s', (_name, claims) => {
    const err = thrown(() => toPrincipal(reqWith({ auth: { claims } })));
    expect(err).toBeInstanceOf(ForbiddenError);
    expect(err).toMatchObject({ status: 403, code: 'invalid_claims', expose: true });
    expect((err as ForbiddenError).detail).toBe('The access token does not carry the claims this API requires.');
  });

  it('403 invalid_claims (not 500) when the schema has an async refinement', () => {
    const asyncSchema = z.object({ sub: z.string() }).refine(() => Promise.resolve(true));
    const err = thrown(() => principalFromClaims(asyncSchema)(reqWith({ auth: { claims: { sub: 'u1' } } })));
    expect(err).toMatchObject({ status: 403, code: 'invalid_claims' });
  });

  it.each([null, undefined, 'schema', {}, () => true])('throws a TypeError at creation for schema %s', (schema) => {
    expect(() => principalFromClaims(schema as never)).toThrow(
      /^@portcullis\/policy: "schema" must be a zod schema \(got .*\); e\.g\. z\.object/,
    );
  });
});
