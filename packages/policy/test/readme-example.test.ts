// The README's route-to-service example, run as written (with an in-memory repository) on Express 5.
import express, { type Request } from 'express';
import request from 'supertest';
import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { NotFoundError, errorHandler } from '@portcullis/errors';
import { authorize, definePolicy, principalFromClaims, type DecisionEvent } from '@portcullis/policy';

interface Case {
  id: string;
  tenantId: string;
  assignedReviewerId: string | null;
  notes: string;
}
const store: Case[] = [
  { id: 'c1', tenantId: 't1', assignedReviewerId: 'u-senior', notes: 'secret' },
  { id: 'c2', tenantId: 't2', assignedReviewerId: 'u-senior', notes: 'secret' },
];
const repo = {
  findCase: (id: string, tenantId: string): Promise<Case | null> =>
    Promise.resolve(store.find((c) => c.id === id && c.tenantId === tenantId) ?? null),
  close: (c: Case) => ({ id: c.id, status: 'closed' }),
};
const logged: DecisionEvent[] = [];
const logger = { info: (obj: { decision: DecisionEvent }) => logged.push(obj.decision) };

const toPrincipal = principalFromClaims(
  z
    .object({
      sub: z.string().min(1),
      tenant_id: z.string().min(1),
      roles: z.array(z.enum(['reviewer', 'senior_reviewer', 'admin'])),
    })
    .transform((c) => ({ sub: c.sub, tenantId: c.tenant_id, roles: c.roles })),
);
type Principal = ReturnType<typeof toPrincipal>;

const is = (p: Principal, role: Principal['roles'][number]) => p.roles.includes(role);
const casePolicy = definePolicy({
  tenantOfPrincipal: (p: Principal) => p.tenantId,
  tenantOfResource: (c: Case) => c.tenantId,
  idOfPrincipal: (p) => p.sub,
  idOfResource: (c) => c.id,
  rules: {
    ESCALATE: (p) => is(p, 'admin') || is(p, 'reviewer') || is(p, 'senior_reviewer'),
    REQUEST_EVIDENCE: (p) => is(p, 'admin') || is(p, 'reviewer') || is(p, 'senior_reviewer'),
    CLOSE: (p, c) => is(p, 'admin') || (is(p, 'senior_reviewer') && c.assignedReviewerId === p.sub),
  },
  onDecision: (d) => {
    logger.info({ decision: d });
  },
});

async function closeCase(principal: Principal, id: string) {
  const c = await repo.findCase(id, principal.tenantId);
  if (c === null) throw new NotFoundError();
  casePolicy.authorize(principal, 'CLOSE', c);
  return repo.close(c);
}

const app = express();
app.use((req, _res, next) => {
  // Stands in for @portcullis/auth.
  const raw = req.headers['x-test-claims'];
  if (typeof raw === 'string') (req as Request & { auth?: unknown }).auth = { claims: JSON.parse(raw) as unknown };
  next();
});
app.post('/cases/:id/close-direct', async (req, res) => {
  res.json(await closeCase(toPrincipal(req), req.params.id));
});
app.post(
  '/cases/:id/close',
  authorize(casePolicy, 'CLOSE', {
    principal: toPrincipal,
    load: (req, tenantId) => repo.findCase(String(req.params['id']), tenantId),
  }),
  (_req, res) => {
    res.json(repo.close(res.locals['resource'] as Case));
  },
);
app.use(errorHandler());

const claims = (sub: string, roles: string[]) => JSON.stringify({ sub, tenant_id: 't1', roles });

describe('README example', () => {
  const rows: [string, string, string | undefined, number, string | undefined][] = [
    ['closes as the assigned senior reviewer', 'c1', claims('u-senior', ['senior_reviewer']), 200, undefined],
    ['forbids a reviewer', 'c1', claims('u-rev', ['reviewer']), 403, 'forbidden'],
    ["hides the other tenant's case", 'c2', claims('u-admin', ['admin']), 404, 'not_found'],
    ['rejects a request without a token', 'c1', undefined, 401, 'unauthorized'],
    ['rejects a token without tenant_id', 'c1', JSON.stringify({ sub: 'u', roles: ['admin'] }), 403, 'invalid_claims'],
  ];
  for (const path of ['close', 'close-direct']) {
    it.each(rows)(`${path}: %s`, async (_name, id, token, status, code) => {
      const req = request(app).post(`/cases/${id}/${path}`);
      const res = await (token === undefined ? req : req.set('x-test-claims', token));
      expect(res.status).toBe(status);
      if (code === undefined) expect(res.body).toEqual({ id: 'c1', status: 'closed' });
      else expect(res.body.code).toBe(code);
    });
  }

  it('logs decisions with ids only', async () => {
    logged.length = 0;
    await request(app)
      .post('/cases/c1/close')
      .set('x-test-claims', claims('u-rev', ['reviewer']));
    expect(logged).toEqual([
      {
        action: 'CLOSE',
        allowed: false,
        reason: 'rule_denied',
        principalId: 'u-rev',
        tenantId: 't1',
        resourceId: 'c1',
      },
    ]);
  });
});
