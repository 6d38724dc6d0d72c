// Log capture: note bodies, tokens and Authorization headers never reach the log; request ids do.
import request from 'supertest';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { testDatabases } from './db.js';
import { startHarness, type Harness } from './harness.js';

const database = testDatabases[0]!;

describe('what the logs hold', () => {
  let h: Harness;
  beforeAll(async () => {
    h = await startHarness(database);
  });
  afterAll(async () => {
    await h.close();
    await database.cleanup();
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
    expect(logs).toContain('log-req-1');
    expect(logs).toContain('log-req-2');
    expect(logs).toContain('log-req-4');
    expect(logs).not.toContain('NOTE-BODY-SENTINEL-7f3a');
    expect(logs).not.toContain(token);
    expect(logs).not.toContain(signature);
    expect(logs).not.toContain('QkFTSUMtU0VOVElORUw6cHc=');
    expect(logs.toLowerCase()).not.toContain('"authorization"');
    expect(logs).not.toContain('"d":');
  });

  it('logs an authorization denial with ids only', async () => {
    const reviewer = await h.token('denied-user', 't1', ['reviewer']);
    const c = await h.seed('t1', { status: 'CLOSED' });
    const res = await request(h.server)
      .post(`/cases/${c.id}/transitions`)
      .set('Authorization', `Bearer ${reviewer}`)
      .send({ action: 'REOPEN', reason: 'DENIAL-REASON-SENTINEL' });
    expect(res.status).toBe(403);
    const lines = h
      .logs()
      .split('\n')
      .filter((l) => l.includes('authorization denied'));
    expect(lines.some((l) => l.includes('"denied-user"') && l.includes(c.id) && l.includes('REOPEN'))).toBe(true);
    expect(h.logs()).not.toContain('DENIAL-REASON-SENTINEL');
  });
});
