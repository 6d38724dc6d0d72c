// The role × action × status matrix through the HTTP API, from the policy table (not from src).
import request from 'supertest';
import { afterAll, beforeAll, describe, it } from 'vitest';
import { ACTIONS, STATUSES, type CaseAction, type CaseStatus } from '../src/domain.js';
import { testDatabases } from './db.js';
import { startHarness, type Harness } from './harness.js';

// The transition table of the issue, written out again so the test does not trust src/domain.ts.
const TABLE: Record<CaseAction, { from: CaseStatus[]; to: CaseStatus }> = {
  START_REVIEW: { from: ['OPEN', 'EVIDENCE_REQUESTED'], to: 'IN_REVIEW' },
  REQUEST_EVIDENCE: { from: ['IN_REVIEW'], to: 'EVIDENCE_REQUESTED' },
  ESCALATE: { from: ['IN_REVIEW'], to: 'ESCALATED' },
  APPROVE_CLOSURE: { from: ['IN_REVIEW', 'ESCALATED'], to: 'APPROVED_FOR_CLOSURE' },
  CLOSE: { from: ['APPROVED_FOR_CLOSURE'], to: 'CLOSED' },
  REOPEN: { from: ['CLOSED'], to: 'OPEN' },
};

interface Actor {
  readonly label: string;
  readonly roles: string[];
  /** Whom the case is assigned to: the actor itself, someone else, or nobody. */
  readonly assigned: 'self' | 'other' | 'none';
}

const ACTORS: Actor[] = [
  { label: 'reviewer (assigned)', roles: ['reviewer'], assigned: 'self' },
  { label: 'reviewer (unassigned case)', roles: ['reviewer'], assigned: 'none' },
  { label: "reviewer (another reviewer's case)", roles: ['reviewer'], assigned: 'other' },
  { label: 'senior_reviewer (assigned)', roles: ['senior_reviewer'], assigned: 'self' },
  { label: 'senior_reviewer (not assigned)', roles: ['senior_reviewer'], assigned: 'other' },
  { label: 'admin', roles: ['admin'], assigned: 'other' },
  { label: 'unknown role', roles: ['auditor'], assigned: 'none' },
];

function expected(actor: Actor, action: CaseAction, status: CaseStatus): number {
  const role = actor.roles[0];
  const visible = role === 'admin' || role === 'senior_reviewer' || (role === 'reviewer' && actor.assigned !== 'other');
  if (!visible) return 404;
  const allowed =
    role === 'admin' ||
    (['START_REVIEW', 'REQUEST_EVIDENCE', 'ESCALATE'].includes(action) &&
      (role === 'reviewer' || role === 'senior_reviewer')) ||
    (action === 'APPROVE_CLOSURE' && role === 'senior_reviewer') ||
    (action === 'CLOSE' && role === 'senior_reviewer' && actor.assigned === 'self');
  if (!allowed) return 403;
  return TABLE[action].from.includes(status) ? 200 : 409;
}

const CODES: Record<number, string> = { 403: 'forbidden', 404: 'not_found', 409: 'invalid_transition' };

describe.each(testDatabases)('transition matrix on $name [ASVS V8.2.1]', (database) => {
  let h: Harness;
  beforeAll(async () => {
    h = await startHarness(database);
  });
  afterAll(async () => {
    await h.close();
    await database.cleanup();
  });

  const rows = ACTORS.flatMap((actor) =>
    ACTIONS.flatMap((action) =>
      STATUSES.map((status) => ({ actor, action, status, want: expected(actor, action, status) })),
    ),
  );

  // Each row has its own case, so rows run concurrently (bounded by vitest's maxConcurrency).
  it.concurrent.for(rows)(
    '$actor.label $action from $status → $want',
    async ({ actor, action, status, want }, { expect }) => {
      const sub = `user-${actor.roles[0] ?? 'x'}`;
      const assignedReviewerId = actor.assigned === 'self' ? sub : actor.assigned === 'other' ? 'someone-else' : null;
      const c = await h.seed('t1', { status, assignedReviewerId });
      const token = await h.token(sub, 't1', actor.roles);
      const res = await request(h.server)
        .post(`/cases/${c.id}/transitions`)
        .set('Authorization', `Bearer ${token}`)
        .send({ action, reason: 'matrix' });
      expect(res.status).toBe(want);
      const audit = await h.repo.listAudit('t1', c.id);
      if (want === 200) {
        expect(res.body.status).toBe(TABLE[action].to);
        expect(res.body.assignedReviewerId).toBe(action === 'START_REVIEW' ? sub : assignedReviewerId);
        expect(audit).toHaveLength(1);
        expect(audit[0]).toMatchObject({ actor: sub, action, from: status, to: TABLE[action].to, reason: 'matrix' });
      } else {
        expect(res.body.code).toBe(CODES[want]);
        expect(audit).toHaveLength(0);
        expect((await h.repo.getCase('t1', c.id))?.status).toBe(status);
      }
    },
  );
});
