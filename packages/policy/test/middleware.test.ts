// authorize() middleware through real Express 5 and 4 apps with errorHandler: status AND code for every threat.
import type { Request, RequestHandler } from 'express';
import request from 'supertest';
import { describe, expect, it, vi } from 'vitest';
import { ServiceUnavailableError, errorHandler } from '@portcullis/errors';
import { authorize, definePolicy, principalFromClaims, type DecisionEvent } from '@portcullis/policy';
import { expressFlavours, buildApp } from '../../../test-support/express.js';
import {
  PrincipalClaims,
  SECRET_NOTE,
  aCase,
  caseOptions,
  type Case,
  type CaseAction,
  type Principal,
} from './fixtures.js';

const CASES: Case[] = [
  aCase({ id: 'c1', tenantId: 't1', assignedReviewerId: 'u-senior' }),
  aCase({ id: 'c2', tenantId: 't2', assignedReviewerId: 'u-senior' }),
];

// Stands in for @portcullis/auth: puts verified claims at req.auth.claims (here from a test-only header).
const fakeAuth: RequestHandler = (req, _res, next) => {
  const raw = req.headers['x-test-claims'];
  if (typeof raw === 'string') (req as Request & { auth?: unknown }).auth = { claims: JSON.parse(raw) as unknown };
  next();
};
const claims = (sub: string, roles: string[], tenant = 't1') => JSON.stringify({ sub, tenant_id: tenant, roles });

/** A tenant-scoped repository lookup, as the reference service does it. */
const findCase = (id: string, tenantId: string): Case | null =>
  CASES.find((c) => c.id === id && c.tenantId === tenantId) ?? null;

describe.each(expressFlavours)('authorize middleware on $name [ASVS V8.2.1, V8.3.1]', (flavour) => {
  const events: DecisionEvent<CaseAction>[] = [];
  const policy = definePolicy(caseOptions({ onDecision: (e) => events.push(e) }));
  const loads: string[] = [];
  const reached = vi.fn();
  const app = buildApp(flavour, (a) => {
    a.use(flavour.json());
    a.use(fakeAuth);
    const principal = principalFromClaims(PrincipalClaims);
    const load = (req: Request, tenantId: string) => {
      loads.push(tenantId);
      return Promise.resolve(findCase(String(req.params['id']), tenantId));
    };
    a.post('/cases/:id/close', authorize(policy, 'CLOSE', { principal, load }), (_req, res) => {
      reached();
      const c = res.locals['resource'] as Case;
      const p = res.locals['principal'] as Principal;
      res.json({ id: c.id, by: p.sub });
    });
    // A buggy load that forgets the tenant filter: the policy's tenant wall still hides the case.
    a.post(
      '/unscoped/:id/close',
      authorize(policy, 'CLOSE', { principal, load: (req) => CASES.find((c) => c.id === req.params['id']) }),
      (_req, res) => {
        reached();
        res.json({ ok: true });
      },
    );
    a.post(
      '/broken/sync',
      authorize(policy, 'CLOSE', {
        principal,
        load: () => {
          throw new Error(`SELECT notes FROM cases -- ${SECRET_NOTE}`);
        },
      }),
      (_req, res) => {
        reached();
        res.json({ ok: true });
      },
    );
    a.post(
      '/broken/down',
      authorize(policy, 'CLOSE', {
        principal,
        load: () => Promise.reject(new ServiceUnavailableError('db down', { retryAfterSec: 5 })),
      }),
      (_req, res) => {
        reached();
        res.json({ ok: true });
      },
    );
    a.post(
      '/anonymous',
      authorize(policy, 'CLOSE', { principal: () => undefined, load: () => CASES[0] }),
      (_req, res) => {
        reached();
        res.json({ ok: true });
      },
    );
    a.post(
      '/tenantless',
      authorize(policy, 'CLOSE', {
        principal: () => ({ sub: 'x', tenantId: '', roles: ['admin'] }),
        load: () => CASES[0],
      }),
      (_req, res) => {
        reached();
        res.json({ ok: true });
      },
    );
    a.use(errorHandler());
  });

  const denials: [string, string, Record<string, string>, object, number, string][] = [
    ['rejects a request without verified claims', '/cases/c1/close', {}, {}, 401, 'unauthorized'],
    [
      'rejects claims without a tenant (invalid_claims, not 500)',
      '/cases/c1/close',
      { 'x-test-claims': JSON.stringify({ sub: 'u', roles: ['admin'] }) },
      {},
      403,
      'invalid_claims',
    ],
    [
      'rejects claims with an unknown role',
      '/cases/c1/close',
      { 'x-test-claims': claims('u', ['root']) },
      {},
      403,
      'invalid_claims',
    ],
    [
      'ignores roles and tenant sent in headers and body',
      '/cases/c1/close',
      { 'x-roles': 'admin', 'x-tenant-id': 't1' },
      { roles: ['admin'], tenant_id: 't1' },
      401,
      'unauthorized',
    ],
    [
      'forbids a reviewer closing a case',
      '/cases/c1/close',
      { 'x-test-claims': claims('u-rev', ['reviewer']) },
      {},
      403,
      'forbidden',
    ],
    [
      'forbids a senior reviewer closing an unassigned case',
      '/cases/c1/close',
      { 'x-test-claims': claims('u-other', ['senior_reviewer']) },
      {},
      403,
      'forbidden',
    ],
    [
      "hides another tenant's case from admin (404)",
      '/cases/c2/close',
      { 'x-test-claims': claims('u-admin', ['admin']) },
      {},
      404,
      'not_found',
    ],
    [
      "hides another tenant's case even when load forgets the tenant filter",
      '/unscoped/c2/close',
      { 'x-test-claims': claims('u-admin', ['admin']) },
      {},
      404,
      'not_found',
    ],
    [
      'answers 404 for a case that does not exist',
      '/cases/nope/close',
      { 'x-test-claims': claims('u-admin', ['admin']) },
      {},
      404,
      'not_found',
    ],
    [
      'does not leak a load error (500 generic)',
      '/broken/sync',
      { 'x-test-claims': claims('u-admin', ['admin']) },
      {},
      500,
      'internal_error',
    ],
    [
      'denies with 503 when the store is down',
      '/broken/down',
      { 'x-test-claims': claims('u-admin', ['admin']) },
      {},
      503,
      'unavailable',
    ],
    ['rejects when principal() returns undefined', '/anonymous', {}, {}, 401, 'unauthorized'],
    ['hides everything from a principal without a tenant', '/tenantless', {}, {}, 404, 'not_found'],
  ];
  it.each(denials)('%s', async (_name, path, headers, body, status, code) => {
    reached.mockClear();
    const res = await request(app).post(path).set(headers).send(body);
    expect(res.status).toBe(status);
    expect(res.body.code).toBe(code);
    expect(res.headers['content-type']).toBe('application/problem+json; charset=utf-8');
    expect(res.text).not.toContain(SECRET_NOTE);
    expect(res.text).not.toContain('SELECT');
    expect(reached).not.toHaveBeenCalled();
  });

  it('sends the Bearer challenge with 401 and Retry-After with 503', async () => {
    const unauth = await request(app).post('/cases/c1/close');
    expect(unauth.headers['www-authenticate']).toBe('Bearer realm="api"');
    const down = await request(app)
      .post('/broken/down')
      .set('x-test-claims', claims('u-admin', ['admin']));
    expect(down.headers['retry-after']).toBe('5');
  });

  it("answers another tenant's case exactly like a missing one", async () => {
    const foreign = await request(app)
      .post('/cases/c2/close')
      .set('x-test-claims', claims('u-admin', ['admin']));
    const missing = await request(app)
      .post('/cases/zzz/close')
      .set('x-test-claims', claims('u-admin', ['admin']));
    expect(foreign.status).toBe(404);
    expect(foreign.body).toEqual(missing.body);
  });

  it('lets the assigned senior reviewer close, with resource and principal on res.locals', async () => {
    events.length = 0;
    loads.length = 0;
    const res = await request(app)
      .post('/cases/c1/close')
      .set('x-test-claims', claims('u-senior', ['senior_reviewer']))
      .set('x-tenant-id', 't2');
    expect(res.status).toBe(200);
    expect(res.body).toEqual({ id: 'c1', by: 'u-senior' });
    // The load is scoped to the tenant from the verified claims, never the header.
    expect(loads).toEqual(['t1']);
    expect(events).toEqual([
      { action: 'CLOSE', allowed: true, reason: 'allowed', principalId: 'u-senior', tenantId: 't1', resourceId: 'c1' },
    ]);
  });

  it("reports req.id as the decision's requestId", async () => {
    const withId = definePolicy(caseOptions({ onDecision: (e) => seen.push(e) }));
    const seen: DecisionEvent<CaseAction>[] = [];
    const principal = principalFromClaims(PrincipalClaims);
    const a = buildApp(flavour, (x) => {
      x.use((req, _res, next) => {
        (req as Request & { id?: unknown }).id = 'server-id-1';
        next();
      });
      x.use(fakeAuth);
      x.post(
        '/cases/:id/close',
        authorize(withId, 'CLOSE', { principal, load: (req, t) => findCase(String(req.params['id']), t) }),
        (_req, res) => {
          res.json({ ok: true });
        },
      );
      x.use(errorHandler());
    });
    const res = await request(a)
      .post('/cases/c1/close')
      .set('x-test-claims', claims('u-rev', ['reviewer']));
    expect(res.status).toBe(403);
    expect(seen).toEqual([
      {
        action: 'CLOSE',
        allowed: false,
        reason: 'rule_denied',
        principalId: 'u-rev',
        tenantId: 't1',
        resourceId: 'c1',
        requestId: 'server-id-1',
      },
    ]);
  });

  it("reports the middleware's denials to onDecision, without a resource id when nothing was loaded", async () => {
    events.length = 0;
    await request(app).post('/anonymous');
    await request(app).post('/tenantless');
    await request(app)
      .post('/unscoped/c2/close')
      .set('x-test-claims', claims('u-admin', ['admin']));
    expect(events).toEqual([
      { action: 'CLOSE', allowed: false, reason: 'no_principal' },
      { action: 'CLOSE', allowed: false, reason: 'cross_tenant', principalId: 'x' },
      {
        action: 'CLOSE',
        allowed: false,
        reason: 'cross_tenant',
        principalId: 'u-admin',
        tenantId: 't1',
        resourceId: 'c2',
      },
    ]);
  });
});

describe('authorize option validation', () => {
  const policy = definePolicy(caseOptions());
  const principal = principalFromClaims(PrincipalClaims);
  const load = () => null;
  const bad: [string, () => unknown, RegExp][] = [
    [
      'a look-alike policy object',
      () => authorize({ ...policy }, 'CLOSE', { principal, load }),
      /^@portcullis\/policy: "policy" must be a policy made by definePolicy\(\) \(got an object\); /,
    ],
    [
      'no policy',
      () => authorize(undefined as never, 'CLOSE', { principal, load }),
      /"policy" must be a policy made by definePolicy\(\) \(got undefined\)/,
    ],
    [
      'an action with no rule (typo)',
      () => authorize(policy, 'CLSOE' as CaseAction, { principal, load }),
      /"action" has no rule in this policy \(got "CLSOE"\); use one of "ESCALATE", "REQUEST_EVIDENCE", "CLOSE"/,
    ],
    [
      'an inherited action name',
      () => authorize(policy, 'constructor' as CaseAction, { principal, load }),
      /"action" has no rule in this policy \(got "constructor"\)/,
    ],
    [
      'missing options',
      () => authorize(policy, 'CLOSE', undefined as never),
      /"principal" must be a function \(req\) => principal \(got undefined\)/,
    ],
    [
      'an unknown option',
      () => authorize(policy, 'CLOSE', { principal, load, tenant: 't1' } as never),
      /"tenant" is not a known option \(got "t1"\); use one of "principal", "load"/,
    ],
    [
      'principal not a function',
      () => authorize(policy, 'CLOSE', { principal: 'sub' as never, load }),
      /"principal" must be a function .* \(got "sub"\)/,
    ],
    [
      'load not a function',
      () => authorize(policy, 'CLOSE', { principal, load: null as never }),
      /"load" must be a function .* \(got null\)/,
    ],
  ];
  it.each(bad)('throws a TypeError at creation for %s', (_name, make, message) => {
    expect(make).toThrow(TypeError);
    expect(make).toThrow(message);
  });

  it('accepts frozen options and returns a named middleware', () => {
    const mw = authorize(policy, 'CLOSE', Object.freeze({ principal, load }));
    expect(mw.name).toBe('authorizeMiddleware');
  });
});
