// Log capture: note bodies, tokens and Authorization headers never reach the log; request ids do.
import request from 'supertest';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { testDatabases } from './db.js';
import { startHarness, type Harness } from './harness.js';

const database = testDatabases[0]!;

afterAll(async () => {
  await database.cleanup();
});

describe('what the logs hold [ASVS V16.2.5]', () => {
  let h: Harness;
  beforeAll(async () => {
    h = await startHarness(database);
  });
  afterAll(async () => {
    await h.close();
  });

  it('never logs note bodies, tokens or Authorization headers, and logs request ids', async () => {
    const token = await h.token('log-user', 't1', ['admin']);
    const [, , signature] = token.split('.');
    const c = await request(h.server)
      .post('/cases')
      .set('Authorization', `Bearer ${token}`)
      .set('X-Request-Id', 'log-req-1')
      .send({ title: 'log test' });
    expect(c.status).toBe(201);
    const note = await request(h.server)
      .post(`/cases/${c.body.id}/notes`)
      .set('Authorization', `Bearer ${token}`)
      .set('X-Request-Id', 'log-req-2')
      .send({ body: 'NOTE-BODY-SENTINEL-7f3a' });
    expect(note.status).toBe(201);
    // A note that fails validation (too long) must not land in the log either.
    const tooLong = await request(h.server)
      .post(`/cases/${c.body.id}/notes`)
      .set('Authorization', `Bearer ${token}`)
      .set('X-Request-Id', 'log-req-3')
      .send({ body: `NOTE-BODY-SENTINEL-7f3a${'x'.repeat(10_001)}` });
    expect(tooLong.status).toBe(422);
    // Malformed JSON quoting a secret, a bad token, a token in the query string, a Basic credential.
    const bad = await request(h.server)
      .post('/cases')
      .set('Authorization', `Bearer ${token}`)
      .set('Content-Type', 'application/json')
      .send('{"title": "NOTE-BODY-SENTINEL-7f3a"');
    expect(bad.status).toBe(400);
    const forged = await request(h.server)
      .get('/cases')
      .set('Authorization', `Bearer ${token.slice(0, -4)}AAAA`)
      .set('X-Request-Id', 'log-req-4');
    expect(forged.status).toBe(401);
    const query = await request(h.server).get(`/cases?access_token=${token}`);
    expect([400, 401]).toContain(query.status);
    const basic = await request(h.server).get('/cases').set('Authorization', 'Basic QkFTSUMtU0VOVElORUw6cHc=');
    expect(basic.status).toBe(401);

    const logs = h.logs();
    // Client ids are kept as clientRequestId only (the server generates every request id).
    expect(logs).toContain('"clientRequestId":"log-req-1"');
    expect(logs).not.toContain('"id":"log-req-1"');
    expect(logs).toContain(c.headers['x-request-id'] as string);
    expect(logs).toContain('log-req-2');
    expect(logs).toContain('log-req-4');
    expect(logs).not.toContain('NOTE-BODY-SENTINEL-7f3a');
    expect(logs).not.toContain(token);
    expect(logs).not.toContain(signature);
    expect(logs).not.toContain('QkFTSUMtU0VOVElORUw6cHc=');
    expect(logs.toLowerCase()).not.toContain('"authorization"');
    expect(logs).not.toContain('"d":');
  });

  it('logs an authorization denial with ids only, and the server request id (not the client X-Request-Id)', async () => {
    const reviewer = await h.token('denied-user', 't1', ['reviewer']);
    const c = await h.seed('t1', { status: 'CLOSED' });
    const res = await request(h.server)
      .post(`/cases/${c.id}/transitions`)
      .set('Authorization', `Bearer ${reviewer}`)
      .set('X-Request-Id', 'client-chosen-denial')
      .send({ action: 'REOPEN', reason: 'DENIAL-REASON-SENTINEL' });
    expect(res.status).toBe(403);
    const lines = h
      .logs()
      .split('\n')
      .filter((l) => l.includes('authorization denied'))
      .map((l) => JSON.parse(l) as { decision: Record<string, unknown> });
    const denial = lines.find((l) => l.decision['principalId'] === 'denied-user' && l.decision['resourceId'] === c.id);
    expect(denial?.decision).toMatchObject({
      action: 'REOPEN',
      allowed: false,
      requestId: res.headers['x-request-id'],
    });
    expect(denial?.decision['requestId']).not.toBe('client-chosen-denial');
    expect(h.logs()).not.toContain('DENIAL-REASON-SENTINEL');
  });
});

describe('TRUST_REQUEST_ID=true (behind a proxy that sets X-Request-Id) [ASVS V4.1.3]', () => {
  let h: Harness;
  beforeAll(async () => {
    h = await startHarness(database, { TRUST_REQUEST_ID: 'true' });
  });
  afterAll(async () => {
    await h.close();
  });

  it('adopts a valid incoming id into the audit rows, and replaces an invalid one', async () => {
    const token = await h.token('proxy-user', 't1', ['admin']);
    const c = await h.seed('t1');
    const res = await request(h.server)
      .post(`/cases/${c.id}/transitions`)
      .set('Authorization', `Bearer ${token}`)
      .set('X-Request-Id', 'proxy-id-0001')
      .send({ action: 'START_REVIEW', reason: 'x' });
    expect(res.status).toBe(200);
    expect(res.headers['x-request-id']).toBe('proxy-id-0001');
    expect((await h.repo.listAudit('t1', c.id)).map((e) => e.requestId)).toEqual(['proxy-id-0001']);
    const invalid = await request(h.server)
      .get('/cases')
      .set('Authorization', `Bearer ${token}`)
      .set('X-Request-Id', 'has space');
    expect(invalid.status).toBe(200);
    expect(invalid.headers['x-request-id']).toMatch(/^[0-9a-f-]{36}$/);
  });
});
