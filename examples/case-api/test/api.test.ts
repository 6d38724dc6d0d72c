// The endpoints end to end on SQLite and PostgreSQL: shapes, validation, tenant isolation, idempotency,
// injection payloads as data, imports and exports.
import { lstat, readdir, symlink, unlink } from 'node:fs/promises';
import { join } from 'node:path';
import request from 'supertest';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { testDatabases } from './db.js';
import { startHarness, type Harness } from './harness.js';

// notBefore for lookups that ignore retention.
const EPOCH = new Date(0).toISOString();

const SQL_INJECTIONS = [
  "' OR '1'='1",
  "'; DROP TABLE cases; --",
  "' UNION SELECT id, tenant_id, title, description, status, assigned_reviewer_id, created_at, updated_at FROM cases --",
  "1' -- ",
  "1'/*",
  '1; DELETE FROM cases',
  "x'); DROP TABLE audit_events; --",
  '" OR ""="',
];

describe.each(testDatabases)('case API on $name', (database) => {
  let h: Harness;
  let admin1: string;
  let admin2: string;
  let senior1: string;
  let reviewerA: string;
  let reviewerB: string;
  const auth = (token: string) => ({ Authorization: `Bearer ${token}` });

  beforeAll(async () => {
    h = await startHarness(database);
    admin1 = await h.token('admin-1', 't1', ['admin']);
    admin2 = await h.token('admin-2', 't2', ['admin']);
    senior1 = await h.token('senior-1', 't1', ['senior_reviewer']);
    reviewerA = await h.token('rev-a', 't1', ['reviewer']);
    reviewerB = await h.token('rev-b', 't1', ['reviewer']);
  });
  afterAll(async () => {
    await h.close();
    await database.cleanup();
  });

  describe('health and creation', () => {
    it('GET /health answers without a token', async () => {
      const res = await request(h.server).get('/health');
      expect(res.status).toBe(200);
      expect(res.body).toEqual({ status: 'ok' });
    });

    it('POST /cases → 201 with the case JSON, status OPEN, title trimmed', async () => {
      const res = await request(h.server)
        .post('/cases')
        .set(auth(reviewerA))
        .send({ title: '  Broken login  ', description: 'details' });
      expect(res.status).toBe(201);
      expect(Object.keys(res.body as object).sort()).toEqual([
        'assignedReviewerId',
        'createdAt',
        'description',
        'id',
        'status',
        'tenantId',
        'title',
        'updatedAt',
      ]);
      expect(res.body).toMatchObject({
        tenantId: 't1',
        title: 'Broken login',
        description: 'details',
        status: 'OPEN',
        assignedReviewerId: null,
      });
      const got = await request(h.server).get(`/cases/${res.body.id}`).set(auth(reviewerA));
      expect(got.status).toBe(200);
      expect(got.body).toEqual(res.body);
    });

    const badBodies: [string, unknown][] = [
      ['an empty title', { title: '   ' }],
      ['a 201-character title', { title: 'x'.repeat(201) }],
      ['a 5001-character description', { title: 'ok', description: 'x'.repeat(5001) }],
      ['a missing title', { description: 'x' }],
      ['a numeric title', { title: 42 }],
      ['an unknown field', { title: 'ok', tenantId: 't2' }],
      ['a status chosen by the client', { title: 'ok', status: 'CLOSED' }],
      ['an array', [{ title: 'ok' }]],
    ];
    it.each(badBodies)('POST /cases rejects %s with 422 [ASVS V2.2.1, V2.2.2]', async (_label, body) => {
      const res = await request(h.server)
        .post('/cases')
        .set(auth(reviewerA))
        .send(body as object);
      expect(res.status).toBe(422);
      expect(res.body.code).toBe('validation_failed');
    });

    it('a tenant_id in the body cannot move the case to another tenant', async () => {
      const res = await request(h.server).post('/cases').set(auth(admin1)).send({ title: 'mine', tenantId: 't2' });
      expect(res.status).toBe(422);
      expect(await h.repo.listCases('t2', { limit: 100 })).toEqual([]);
    });
  });

  describe('pagination', () => {
    it.each(['0', '101', 'abc', '-1', '1.5', '1e2', ''])('limit=%j → 422', async (limit) => {
      const res = await request(h.server).get('/cases').query({ limit }).set(auth(admin1));
      expect(res.status).toBe(422);
      expect(res.body.code).toBe('validation_failed');
      expect(res.body.errors[0].pointer).toBe('/query/limit');
    });

    it('limit given twice (an array) → 422', async () => {
      const res = await request(h.server).get('/cases?limit=1&limit=2').set(auth(admin1));
      expect(res.status).toBe(422);
    });

    it.each(['not-a-cursor', 'eyJjIjoxfQ', Buffer.from('{"c":"x","i":"y"}').toString('base64url')])(
      'cursor %j → 422',
      async (cursor) => {
        const res = await request(h.server).get('/cases').query({ cursor }).set(auth(admin1));
        expect(res.status).toBe(422);
        expect(res.body.errors[0].pointer).toBe('/query/cursor');
      },
    );

    it('walks every case of the tenant once, with limits 1 and 100 accepted', async () => {
      for (let i = 0; i < 5; i++) await h.seed('t3');
      const ids: string[] = [];
      const token = await h.token('admin-3', 't3', ['admin']);
      let cursor: string | null = null;
      do {
        const res: request.Response = await request(h.server)
          .get('/cases')
          .query(cursor === null ? { limit: '2' } : { limit: '2', cursor })
          .set(auth(token));
        expect(res.status).toBe(200);
        expect(res.body.items.length).toBeLessThanOrEqual(2);
        ids.push(...(res.body as { items: { id: string }[] }).items.map((c) => c.id));
        cursor = res.body.nextCursor;
      } while (cursor !== null);
      expect(ids).toHaveLength(5);
      expect(new Set(ids).size).toBe(5);
      expect((await request(h.server).get('/cases?limit=1').set(auth(token))).body.items).toHaveLength(1);
      expect((await request(h.server).get('/cases?limit=100').set(auth(token))).body.items).toHaveLength(5);
      expect((await request(h.server).get('/cases').set(auth(token))).body.items).toHaveLength(5);
    });
  });

  describe('viewing rules', () => {
    it("a reviewer reading another reviewer's case → 404, its own and unassigned → 200", async () => {
      const theirs = await h.seed('t1', { assignedReviewerId: 'rev-b', status: 'IN_REVIEW' });
      const mine = await h.seed('t1', { assignedReviewerId: 'rev-a', status: 'IN_REVIEW' });
      const open = await h.seed('t1');
      const denied = await request(h.server).get(`/cases/${theirs.id}`).set(auth(reviewerA));
      expect(denied.status).toBe(404);
      expect(denied.body.code).toBe('not_found');
      expect((await request(h.server).get(`/cases/${theirs.id}/audit`).set(auth(reviewerA))).status).toBe(404);
      expect(
        (await request(h.server).post(`/cases/${theirs.id}/notes`).set(auth(reviewerA)).send({ body: 'x' })).status,
      ).toBe(404);
      expect((await request(h.server).get(`/cases/${theirs.id}`).set(auth(reviewerB))).status).toBe(200);
      expect((await request(h.server).get(`/cases/${mine.id}`).set(auth(reviewerA))).status).toBe(200);
      expect((await request(h.server).get(`/cases/${open.id}`).set(auth(reviewerA))).status).toBe(200);
      expect((await request(h.server).get(`/cases/${theirs.id}`).set(auth(senior1))).status).toBe(200);

      const listed: string[] = [];
      let cursor: string | null = null;
      do {
        const res: request.Response = await request(h.server)
          .get('/cases')
          .query(cursor === null ? { limit: '100' } : { limit: '100', cursor })
          .set(auth(reviewerA));
        listed.push(
          ...(res.body as { items: { assignedReviewerId: string | null }[] }).items.map(
            (c) => c.assignedReviewerId ?? 'none',
          ),
        );
        cursor = res.body.nextCursor;
      } while (cursor !== null);
      expect(listed).not.toContain('rev-b');
      expect(listed).toContain('rev-a');
    });

    it('a token with no known role sees nothing and may do nothing', async () => {
      const c = await h.seed('t1');
      const nobody = await h.token('nobody', 't1', ['auditor']);
      expect((await request(h.server).get(`/cases/${c.id}`).set(auth(nobody))).status).toBe(404);
      const list = await request(h.server).get('/cases').set(auth(nobody));
      expect(list.status).toBe(403);
      expect(list.body.code).toBe('forbidden');
      const create = await request(h.server).post('/cases').set(auth(nobody)).send({ title: 'x' });
      expect(create.status).toBe(403);
    });
  });

  describe('cross-tenant access → 404 [ASVS V8.4.1, V8.2.2]', () => {
    it('read, write, transition, audit, note and export download of tenant t1 from tenant t2', async () => {
      const c = await h.seed('t1', { status: 'IN_REVIEW', assignedReviewerId: 'senior-1' });
      const exportRes = await request(h.server).post('/exports').set(auth(admin1));
      expect(exportRes.status).toBe(201);
      const attempts = [
        request(h.server).get(`/cases/${c.id}`).set(auth(admin2)),
        request(h.server).get(`/cases/${c.id}/audit`).set(auth(admin2)),
        request(h.server).post(`/cases/${c.id}/notes`).set(auth(admin2)).send({ body: 'x' }),
        request(h.server)
          .post(`/cases/${c.id}/transitions`)
          .set(auth(admin2))
          .send({ action: 'ESCALATE', reason: 'x' }),
        request(h.server).get(`/exports/${exportRes.body.name}`).set(auth(admin2)),
      ];
      for (const res of await Promise.all(attempts)) {
        expect(res.status).toBe(404);
        expect(res.body.code).toBe('not_found');
      }
      const list = await request(h.server).get('/cases?limit=100').set(auth(admin2));
      expect((list.body as { items: { id: string }[] }).items.map((x) => x.id)).not.toContain(c.id);
      expect((await h.repo.getCase('t1', c.id))?.status).toBe('IN_REVIEW');
      expect(await h.repo.listAudit('t1', c.id)).toEqual([]);
    });
  });

  describe('transitions [ASVS V2.3.1]', () => {
    it('an unknown action → 422; a missing or too long reason → 422', async () => {
      const c = await h.seed('t1');
      for (const body of [
        { action: 'DELETE', reason: 'x' },
        { action: 'start_review', reason: 'x' },
        { action: 'START_REVIEW' },
        { action: 'START_REVIEW', reason: 'x'.repeat(501) },
        { action: 'START_REVIEW', reason: '  ' },
      ]) {
        const res = await request(h.server).post(`/cases/${c.id}/transitions`).set(auth(admin1)).send(body);
        expect(res.status).toBe(422);
        expect(res.body.code).toBe('validation_failed');
      }
    });

    it('an idempotent retry returns the first response and writes one audit event', async () => {
      const c = await h.seed('t1');
      const send = (key: string, reason: string) =>
        request(h.server)
          .post(`/cases/${c.id}/transitions`)
          .set(auth(reviewerA))
          .set('Idempotency-Key', key)
          .send({ action: 'START_REVIEW', reason });
      const first = await send('retry-1', 'start');
      expect(first.status).toBe(200);
      const second = await send('retry-1', 'start');
      expect(second.status).toBe(200);
      expect(second.body).toEqual(first.body);
      expect(second.headers['idempotent-replayed']).toBe('true');
      expect(await h.repo.listAudit('t1', c.id)).toHaveLength(1);

      const conflict = await send('retry-1', 'another reason');
      expect(conflict.status).toBe(409);
      expect(conflict.body.code).toBe('idempotency_conflict');
      expect(await h.repo.listAudit('t1', c.id)).toHaveLength(1);
    });

    it('concurrent retries with one key still write one audit event', async () => {
      const c = await h.seed('t1');
      const send = () =>
        request(h.server)
          .post(`/cases/${c.id}/transitions`)
          .set(auth(senior1))
          .set('Idempotency-Key', 'race-1')
          .send({ action: 'START_REVIEW', reason: 'race' });
      const results = await Promise.all([send(), send(), send()]);
      expect(results.map((r) => r.status)).toEqual([200, 200, 200]);
      expect(await h.repo.listAudit('t1', c.id)).toHaveLength(1);
    });

    it('two different transitions racing from one status: one wins, the other gets 409', async () => {
      const c = await h.seed('t1', { status: 'IN_REVIEW', assignedReviewerId: 'senior-1' });
      const send = (action: string) =>
        request(h.server).post(`/cases/${c.id}/transitions`).set(auth(senior1)).send({ action, reason: 'race' });
      // Each action is only valid from IN_REVIEW, so once one is applied every other one must fail.
      const results = await Promise.all([
        send('ESCALATE'),
        send('REQUEST_EVIDENCE'),
        send('ESCALATE'),
        send('REQUEST_EVIDENCE'),
      ]);
      expect(results.map((r) => r.status).sort()).toEqual([200, 409, 409, 409]);
      const audit = await h.repo.listAudit('t1', c.id);
      expect(audit).toHaveLength(1);
      expect(audit[0]?.from).toBe('IN_REVIEW');
      expect((await h.repo.getCase('t1', c.id))?.status).toBe(audit[0]?.to);
    });

    it('idempotency keys are scoped to the subject and the tenant', async () => {
      const c1 = await h.seed('t1');
      const c2 = await h.seed('t1');
      const a = await request(h.server)
        .post(`/cases/${c1.id}/transitions`)
        .set(auth(reviewerA))
        .set('Idempotency-Key', 'shared')
        .send({ action: 'START_REVIEW', reason: 'a' });
      const b = await request(h.server)
        .post(`/cases/${c2.id}/transitions`)
        .set(auth(reviewerB))
        .set('Idempotency-Key', 'shared')
        .send({ action: 'START_REVIEW', reason: 'b' });
      expect(a.status).toBe(200);
      expect(b.status).toBe(200);
      expect(b.body.id).toBe(c2.id);
      expect(b.body.assignedReviewerId).toBe('rev-b');
    });

    it.each(['', 'a b', 'x'.repeat(129), 'a/b', 'k;drop', '%00'])(
      'a malformed Idempotency-Key %j → 400',
      async (key) => {
        const c = await h.seed('t1');
        const res = await request(h.server)
          .post(`/cases/${c.id}/transitions`)
          .set(auth(admin1))
          .set('Idempotency-Key', key)
          .send({ action: 'START_REVIEW', reason: 'x' });
        expect(res.status).toBe(400);
        expect(res.body.code).toBe('invalid_idempotency_key');
        expect(await h.repo.listAudit('t1', c.id)).toEqual([]);
      },
    );

    it('GET /cases/:id/audit lists actor, action, from, to, reason, the server request id (never a client X-Request-Id) and at', async () => {
      const c = await h.seed('t1');
      const res = await request(h.server)
        .post(`/cases/${c.id}/transitions`)
        .set(auth(senior1))
        .set('X-Request-Id', 'req-audit-1')
        .send({ action: 'START_REVIEW', reason: 'looking' });
      expect(res.status).toBe(200);
      const serverId = res.headers['x-request-id'] as string;
      expect(serverId).toMatch(/^[0-9a-f-]{36}$/);
      const audit = await request(h.server).get(`/cases/${c.id}/audit`).set(auth(senior1));
      expect(audit.status).toBe(200);
      expect(audit.body.items).toEqual([
        {
          actor: 'senior-1',
          action: 'START_REVIEW',
          from: 'OPEN',
          to: 'IN_REVIEW',
          reason: 'looking',
          requestId: serverId,
          at: expect.any(String),
        },
      ]);
    });
  });

  describe('notes', () => {
    it('POST /cases/:id/notes → 201 without echoing the body', async () => {
      const c = await h.seed('t1');
      const res = await request(h.server)
        .post(`/cases/${c.id}/notes`)
        .set(auth(reviewerA))
        .send({ body: 'NOTE-SENTINEL-1' });
      expect(res.status).toBe(201);
      expect(res.body).toMatchObject({ caseId: c.id, authorId: 'rev-a' });
      expect(JSON.stringify(res.body)).not.toContain('NOTE-SENTINEL-1');
    });
    it.each([
      ['empty', ''],
      ['over 10000 characters', 'x'.repeat(10_001)],
    ])('a note body %s → 422', async (_l, body) => {
      const c = await h.seed('t1');
      const res = await request(h.server).post(`/cases/${c.id}/notes`).set(auth(reviewerA)).send({ body });
      expect(res.status).toBe(422);
    });
  });

  describe('NUL characters', () => {
    it.each([
      ['a title', '/cases', { title: 'a\u0000b' }],
      ['a description', '/cases', { title: 'ok', description: 'a\u0000b' }],
    ])('in %s → 422, never a database error', async (_l, path, body) => {
      const res = await request(h.server).post(path).set(auth(admin1)).send(body);
      expect(res.status).toBe(422);
    });
    it('in a transition reason, a note and an import row → 422', async () => {
      const c = await h.seed('t1');
      expect(
        (
          await request(h.server)
            .post(`/cases/${c.id}/transitions`)
            .set(auth(admin1))
            .send({ action: 'START_REVIEW', reason: 'a\u0000' })
        ).status,
      ).toBe(422);
      expect(
        (await request(h.server).post(`/cases/${c.id}/notes`).set(auth(admin1)).send({ body: 'a\u0000' })).status,
      ).toBe(422);
      const imp = await request(h.server)
        .post('/cases/import')
        .set(auth(admin1))
        .set('Content-Type', 'text/csv')
        .send('title,description\na\u0000,b\n');
      expect(imp.status).toBe(422);
      // parseCsvStrict refuses a NUL anywhere in the file, before any row is read.
      expect(imp.body.errors[0].pointer).toBe('/csv');
    });
  });

  describe('SQL injection payloads are data [ASVS V1.2.4]', () => {
    it.each(SQL_INJECTIONS)('%j in path ids, query, cursor and body fields', async (payload) => {
      const before = (await h.repo.listCases('t1', { limit: 101 })).length;
      const enc = encodeURIComponent(payload);
      const responses = await Promise.all([
        request(h.server).get(`/cases/${enc}`).set(auth(admin1)),
        request(h.server).get(`/cases/${enc}/audit`).set(auth(admin1)),
        request(h.server)
          .post(`/cases/${enc}/transitions`)
          .set(auth(admin1))
          .send({ action: 'START_REVIEW', reason: payload }),
        request(h.server).post(`/cases/${enc}/notes`).set(auth(admin1)).send({ body: payload }),
        request(h.server).get(`/exports/${enc}`).set(auth(admin1)),
      ]);
      for (const res of responses) {
        expect(res.status).toBe(404);
        expect(res.body.code).toBe('not_found');
      }
      for (const query of [
        { limit: payload },
        { cursor: payload },
        { cursor: Buffer.from(payload).toString('base64url') },
      ]) {
        const res = await request(h.server).get('/cases').query(query).set(auth(admin1));
        expect(res.status).toBe(422);
      }
      const created = await request(h.server)
        .post('/cases')
        .set(auth(admin1))
        .send({ title: payload, description: payload });
      expect(created.status).toBe(201);
      expect(created.body.title).toBe(payload.trim());
      const transitioned = await request(h.server)
        .post(`/cases/${created.body.id}/transitions`)
        .set(auth(admin1))
        .set('Idempotency-Key', `sqli-${SQL_INJECTIONS.indexOf(payload)}`)
        .send({ action: 'START_REVIEW', reason: payload });
      expect(transitioned.status).toBe(200);
      // Exactly one more row: nothing deleted, nothing extra, every table still answers.
      expect((await h.repo.listCases('t1', { limit: 101 })).length).toBe(before + 1);
      expect(await h.repo.listAudit('t1', (created.body as { id: string }).id)).toHaveLength(1);
      expect(
        await h.repo.getIdempotency('t1', 'admin-1', `sqli-${SQL_INJECTIONS.indexOf(payload)}`, EPOCH),
      ).not.toBeNull();
      expect(await h.repo.listCases('t2', { limit: 101 })).toEqual([]);
    });
  });

  describe('exports [ASVS V1.2.10, V5.3.2]', () => {
    it('POST /exports → 201 { name }; GET returns the CSV with formulas neutralised and without notes', async () => {
      const token = await h.token('admin-x', 'tx', ['admin']);
      const c = await request(h.server)
        .post('/cases')
        .set(auth(token))
        .send({ title: '=HYPERLINK("http://evil.example","x")', description: '+cmd' });
      await request(h.server).post('/cases').set(auth(token)).send({ title: '@SUM(A1)', description: '-2+3' });
      await request(h.server).post(`/cases/${c.body.id}/notes`).set(auth(token)).send({ body: 'EXPORT-NOTE-SENTINEL' });
      const made = await request(h.server).post('/exports').set(auth(token));
      expect(made.status).toBe(201);
      expect(Object.keys(made.body as object)).toEqual(['name']);
      expect(made.body.name).toMatch(/^[A-Za-z0-9_-]{20,}\.csv$/);
      const file = await request(h.server)
        .get(`/exports/${made.body.name}`)
        .set(auth(token))
        .buffer(true)
        .parse((res, cb) => {
          let text = '';
          res.on('data', (d: Buffer) => (text += d.toString('utf8')));
          res.on('end', () => {
            cb(null, text);
          });
        });
      expect(file.status).toBe(200);
      expect(file.headers['content-type']).toBe('text/csv; charset=utf-8');
      expect(file.headers['content-disposition']).toContain('attachment');
      const text = file.body as string;
      expect(text).toContain(`"'=HYPERLINK(""http://evil.example"",""x"")"`);
      expect(text).toContain(`"'+cmd"`);
      expect(text).toContain(`"'@SUM(A1)"`);
      expect(text).toContain(`"'-2+3"`);
      expect(text).not.toContain('EXPORT-NOTE-SENTINEL');
      expect(text.split('\r\n')[0]).toBe(
        '"id","title","description","status","assignedReviewerId","createdAt","updatedAt"',
      );
    });

    it('a reviewer may neither create nor download exports (403)', async () => {
      const made = await request(h.server).post('/exports').set(auth(admin1));
      const create = await request(h.server).post('/exports').set(auth(reviewerA));
      expect(create.status).toBe(403);
      const get = await request(h.server).get(`/exports/${made.body.name}`).set(auth(reviewerA));
      expect(get.status).toBe(403);
    });

    const TRAVERSALS = [
      '../package.json',
      '..%2Fpackage.json',
      '..%252F..%252Fetc%252Fpasswd',
      '%2e%2e%2f%2e%2e%2fetc%2fpasswd',
      '..\\..\\etc\\passwd',
      '%2Fetc%2Fpasswd',
      'C:%5CWindows%5Cwin.ini',
      '.env',
      'x%00.csv',
      '%EF%BC%8E%EF%BC%8E%EF%BC%8F',
      'CON',
      'dev-signing-key.json',
      '..%2Fdev-signing-key.json',
      '..%2Fcase-api.sqlite',
    ];
    it.each(TRAVERSALS)('GET /exports/%s never serves another file', async (name) => {
      const res = await request(h.server).get(`/exports/${name}`).set(auth(admin1));
      expect([400, 403, 404]).toContain(res.status);
      expect(res.headers['content-type']).toMatch(/^application\/problem\+json/);
      expect(JSON.stringify(res.body)).not.toContain('"kty"');
    });

    it('only generated files are written, with mode 0600', async () => {
      await request(h.server).post('/exports').set(auth(admin1));
      const files = await readdir(h.exportsDir);
      expect(files.length).toBeGreaterThan(0);
      for (const f of files) {
        expect(f).toMatch(/^[A-Za-z0-9_-]+\.csv$/);
        expect((await lstat(join(h.exportsDir, f))).mode & 0o777).toBe(0o600);
      }
    });

    it('an export file swapped for a symlink out of the exports directory is refused by @portcullis/paths', async () => {
      const made = await request(h.server).post('/exports').set(auth(admin1));
      const name = (made.body as { name: string }).name;
      await unlink(join(h.exportsDir, name));
      await symlink(join(h.dataDir, 'dev-signing-key.json'), join(h.exportsDir, name));
      const res = await request(h.server).get(`/exports/${name}`).set(auth(admin1));
      expect(res.status).toBe(403);
      expect(res.body.code).toBe('forbidden_path');
      expect(res.text).not.toContain('"kty"');
    });
  });

  describe('CSV import', () => {
    const csv = (text: string, token: string, type = 'text/csv') =>
      request(h.server).post('/cases/import').set(auth(token)).set('Content-Type', type).send(text);

    it('imports every row in one go → 201 { created }', async () => {
      const token = await h.token('admin-i', 'ti', ['admin']);
      const res = await csv('title,description\r\n"Quoted, title","multi\nline"\r\nplain,\r\n', token);
      expect(res.status).toBe(201);
      expect(res.body).toEqual({ created: 2 });
      const rows = await h.repo.listCases('ti', { limit: 10 });
      expect(rows.map((r) => [r.title, r.description, r.status])).toEqual(
        expect.arrayContaining([
          ['Quoted, title', 'multi\nline', 'OPEN'],
          ['plain', null, 'OPEN'],
        ]),
      );
    });

    it('a bad row → 422 naming the rows, and nothing is imported', async () => {
      const token = await h.token('admin-j', 'tj', ['admin']);
      const res = await csv(
        `title,description\nok,fine\n,missing title\nalso ok,x\n${'y'.repeat(201)},too long\n`,
        token,
      );
      expect(res.status).toBe(422);
      expect((res.body as { errors: { pointer: string }[] }).errors.map((e) => e.pointer)).toEqual([
        '/rows/2/title',
        '/rows/4/title',
      ]);
      expect(await h.repo.listCases('tj', { limit: 10 })).toEqual([]);
    });

    it.each([
      ['a wrong header', 'name,description\nx,y\n', '/header'],
      ['a row with 3 fields', 'title,description\nx,y,z\n', '/rows/1'],
      ['an unterminated quote', 'title,description\n"x,y\n', '/csv'],
      ['no data rows', 'title,description\n', '/rows'],
      ['1001 rows', `title,description\n${'t,d\n'.repeat(1001)}`, '/rows'],
    ])('%s → 422', async (_label, text, pointer) => {
      const token = await h.token('admin-k', 'tk', ['admin']);
      const res = await csv(text, token);
      expect(res.status).toBe(422);
      expect(res.body.errors[0].pointer).toBe(pointer);
      expect(await h.repo.listCases('tk', { limit: 10 })).toEqual([]);
    });

    it('1000 rows are accepted', async () => {
      const token = await h.token('admin-l', 'tl', ['admin']);
      const res = await csv(`title,description\n${'t,d\n'.repeat(1000)}`, token);
      expect(res.status).toBe(201);
      expect(res.body.created).toBe(1000);
    });

    it('a body over 1 MB → 413', async () => {
      const res = await csv(`title,description\n${'x'.repeat(1024 * 1024 + 10)},d\n`, admin1);
      expect(res.status).toBe(413);
      expect(res.body.code).toBe('payload_too_large');
    });

    it('a JSON body → 415', async () => {
      const res = await request(h.server)
        .post('/cases/import')
        .set(auth(admin1))
        .send({ title: 'x', description: 'y' });
      expect(res.status).toBe(415);
      expect(res.body.code).toBe('unsupported_media_type');
    });

    it.each(['text/plain', 'application/x-www-form-urlencoded', 'multipart/form-data; boundary=x'])(
      'Content-Type %s → 415',
      async (type) => {
        const res = await csv('title,description\nx,y\n', admin1, type);
        expect(res.status).toBe(415);
        expect(res.body.code).toBe('unsupported_media_type');
      },
    );

    it('JSON endpoints refuse text/csv and form bodies with 415', async () => {
      const res = await request(h.server)
        .post('/cases')
        .set(auth(admin1))
        .set('Content-Type', 'text/plain')
        .send('{"title":"x"}');
      expect(res.status).toBe(415);
    });
  });
});
