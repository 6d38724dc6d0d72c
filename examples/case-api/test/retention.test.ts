// Retention on SQLite and PostgreSQL: expired idempotency keys are neither replayed nor a conflict, expired
// exports are 404.
import { randomUUID } from 'node:crypto';
import { unlink } from 'node:fs/promises';
import { join } from 'node:path';
import request from 'supertest';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { testDatabases } from './db.js';
import { startHarness, type Harness } from './harness.js';

const IDEMPOTENCY_TTL_SEC = 3600;
const EXPORT_TTL_SEC = 600;
const START = Date.parse('2026-03-01T00:00:00.000Z');

describe.each(testDatabases)('retention through the API on $name', (database) => {
  let h: Harness;
  let clock = START;
  let senior: string;
  let admin: string;
  const auth = (token: string) => ({ Authorization: `Bearer ${token}` });

  beforeAll(async () => {
    h = await startHarness(database, {}, undefined, {
      now: () => new Date(clock),
      retention: { idempotencyTtlSec: IDEMPOTENCY_TTL_SEC, exportTtlSec: EXPORT_TTL_SEC },
    });
    senior = await h.token('senior-r', 'tr', ['senior_reviewer']);
    admin = await h.token('admin-r', 'tr', ['admin']);
  });
  beforeEach(() => {
    clock = START;
  });
  afterAll(async () => {
    await h.close();
    await database.cleanup();
  });

  const transition = (caseId: string, key: string, action: string, reason: string) =>
    request(h.server).post(`/cases/${caseId}/transitions`).set(auth(senior)).set('Idempotency-Key', key).send({ action, reason });

  it('replay of an Idempotency-Key after IDEMPOTENCY_TTL_SEC: the same request is processed anew, not replayed', async () => {
    const c = await h.seed('tr');
    const key = `replay-${randomUUID()}`;
    const first = await transition(c.id, key, 'START_REVIEW', 'start');
    expect(first.status).toBe(200);
    expect((await transition(c.id, 'other-key', 'REQUEST_EVIDENCE', 'need docs')).status).toBe(200);

    clock += (IDEMPOTENCY_TTL_SEC + 1) * 1000;
    const late = await transition(c.id, key, 'START_REVIEW', 'start');
    expect(late.status).toBe(200);
    expect(late.headers['idempotent-replayed']).toBeUndefined();
    expect(late.body).toMatchObject({ status: 'IN_REVIEW', updatedAt: new Date(clock).toISOString() });
    expect(await h.repo.listAudit('tr', c.id)).toHaveLength(3);

    // The fresh record replaced the expired one in the same transaction: it replays from now on.
    const again = await transition(c.id, key, 'START_REVIEW', 'start');
    expect(again.status).toBe(200);
    expect(again.headers['idempotent-replayed']).toBe('true');
    expect(again.body).toEqual(late.body);
    expect(await h.repo.listAudit('tr', c.id)).toHaveLength(3);
  });

  it('an expired Idempotency-Key reused with another body is processed, not a 409 idempotency_conflict', async () => {
    const c = await h.seed('tr');
    const key = `conflict-${randomUUID()}`;
    expect((await transition(c.id, key, 'START_REVIEW', 'start')).status).toBe(200);

    clock += (IDEMPOTENCY_TTL_SEC + 1) * 1000;
    const other = await transition(c.id, key, 'ESCALATE', 'too hard');
    expect(other.status).toBe(200);
    expect(other.headers['idempotent-replayed']).toBeUndefined();
    expect(other.body.status).toBe('ESCALATED');
    expect((await h.repo.getCase('tr', c.id))?.status).toBe('ESCALATED');
  });

  it('a key within IDEMPOTENCY_TTL_SEC still replays, and another body with it is still 409 idempotency_conflict', async () => {
    const c = await h.seed('tr');
    const key = `fresh-${randomUUID()}`;
    const first = await transition(c.id, key, 'START_REVIEW', 'start');
    expect(first.status).toBe(200);

    clock += IDEMPOTENCY_TTL_SEC * 1000; // exactly the TTL: not older than it yet
    const replay = await transition(c.id, key, 'START_REVIEW', 'start');
    expect(replay.status).toBe(200);
    expect(replay.headers['idempotent-replayed']).toBe('true');
    expect(replay.body).toEqual(first.body);
    const conflict = await transition(c.id, key, 'ESCALATE', 'x');
    expect(conflict.status).toBe(409);
    expect(conflict.body.code).toBe('idempotency_conflict');
    expect(await h.repo.listAudit('tr', c.id)).toHaveLength(1);
  });

  it('an export older than EXPORT_TTL_SEC → 404 problem+json, even before the sweeper deleted it', async () => {
    const made = await request(h.server).post('/exports').set(auth(admin));
    expect(made.status).toBe(201);
    const name = (made.body as { name: string }).name;
    clock += EXPORT_TTL_SEC * 1000;
    expect((await request(h.server).get(`/exports/${name}`).set(auth(admin))).status).toBe(200);

    clock += 1000;
    const res = await request(h.server).get(`/exports/${name}`).set(auth(admin));
    expect(res.status).toBe(404);
    expect(res.headers['content-type']).toMatch(/^application\/problem\+json/);
    expect(res.body).toMatchObject({ status: 404, code: 'not_found' });
    expect(res.text).not.toContain('"id"');
  });

  it('an export whose file the sweeper deleted → 404 problem+json, never a 500', async () => {
    const made = await request(h.server).post('/exports').set(auth(admin));
    const name = (made.body as { name: string }).name;
    await unlink(join(h.exportsDir, name));
    const res = await request(h.server).get(`/exports/${name}`).set(auth(admin));
    expect(res.status).toBe(404);
    expect(res.headers['content-type']).toMatch(/^application\/problem\+json/);
    expect(res.body).toMatchObject({ status: 404, code: 'not_found' });
  });
});
