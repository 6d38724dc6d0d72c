// The repositories: tenant scoping, keyset pagination, transactions, injection payloads as data.
import { randomUUID } from 'node:crypto';
import { mkdtemp, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeEach, describe, expect, it } from 'vitest';
import type { CaseRecord } from '../src/domain.js';
import { openPostgresRepository, openRepository, type Repository } from '../src/storage/index.js';
import { toCase } from '../src/storage/rows.js';
import { testDatabases } from './db.js';

// notBefore for lookups that ignore retention.
const EPOCH = new Date(0).toISOString();

const INJECTIONS = [
  "' OR '1'='1",
  "'; DROP TABLE cases; --",
  "' UNION SELECT * FROM notes --",
  '1; DELETE FROM cases',
  "x' /*",
  '%',
  '_',
];

function makeCase(tenantId: string, n: number, extra: Partial<CaseRecord> = {}): CaseRecord {
  const at = new Date(Date.UTC(2026, 0, 1, 0, 0, n)).toISOString();
  return {
    id: randomUUID(),
    tenantId,
    title: `case ${n}`,
    description: null,
    status: 'OPEN',
    assignedReviewerId: null,
    createdAt: at,
    updatedAt: at,
    ...extra,
  };
}

describe.each(testDatabases)('repository on $name', (database) => {
  let repo: Repository;
  beforeEach(async () => {
    repo = await database.open();
    return () => repo.close();
  });
  afterAll(() => database.cleanup());

  it("never returns another tenant's case", async () => {
    const c = makeCase('t1', 1);
    await repo.transaction((tx) => tx.insertCase(c));
    expect(await repo.getCase('t1', c.id)).toEqual(c);
    expect(await repo.getCase('t2', c.id)).toBeNull();
    expect(await repo.listCases('t2', { limit: 10 })).toEqual([]);
  });

  it('pages with a keyset cursor without gaps or repeats', async () => {
    const all = Array.from({ length: 7 }, (_, i) => makeCase('t1', i));
    await repo.transaction(async (tx) => {
      for (const c of all) await tx.insertCase(c);
    });
    const seen: string[] = [];
    let after: { createdAt: string; id: string } | undefined;
    for (;;) {
      const page = await repo.listCases('t1', { limit: 3, after });
      seen.push(...page.map((c) => c.id));
      const last = page.at(-1);
      if (page.length < 3 || last === undefined) break;
      after = { createdAt: last.createdAt, id: last.id };
    }
    expect(seen).toEqual(all.map((c) => c.id));
  });

  it('applies the reviewer visibility filter in the query', async () => {
    await repo.transaction(async (tx) => {
      await tx.insertCase(makeCase('t1', 1));
      await tx.insertCase(makeCase('t1', 2, { assignedReviewerId: 'me' }));
      await tx.insertCase(makeCase('t1', 3, { assignedReviewerId: 'other' }));
    });
    const mine = await repo.listCases('t1', { limit: 10, visibleToReviewer: 'me' });
    expect(mine.map((c) => c.title)).toEqual(['case 1', 'case 2']);
  });

  it('rolls the whole transaction back when one write fails', async () => {
    const c = makeCase('t1', 1);
    await expect(
      repo.transaction(async (tx) => {
        await tx.insertCase(makeCase('t1', 2));
        await tx.insertCase(c);
        await tx.insertCase(c); // duplicate primary key
      }),
    ).rejects.toThrow();
    expect(await repo.listCases('t1', { limit: 10 })).toEqual([]);
  });

  it.each(INJECTIONS)('treats %j as data in every parameter', async (payload) => {
    const c = makeCase('t1', 1, { title: payload, description: payload });
    await repo.transaction((tx) => tx.insertCase(c));
    expect(await repo.getCase('t1', payload)).toBeNull();
    expect(await repo.getCase(payload, c.id)).toBeNull();
    expect(await repo.listCases(payload, { limit: 10 })).toEqual([]);
    expect((await repo.listCases('t1', { limit: 10, visibleToReviewer: payload })).map((x) => x.id)).toEqual([c.id]);
    expect(await repo.listCases('t1', { limit: 10, after: { createdAt: `9${payload}`, id: payload } })).toEqual([]);
    expect(await repo.getExport('t1', payload, EPOCH)).toBeNull();
    expect(await repo.getIdempotency('t1', payload, payload, EPOCH)).toBeNull();
    expect(await repo.getIdempotency('t1', 'u1', 'k1', payload)).toBeNull();
    await repo.transaction((tx) => tx.deleteExpiredIdempotency(payload, payload, payload, payload));
    expect(await repo.sweepIdempotency(payload, 10)).toBe(0);
    expect(await repo.sweepExports(payload, 10)).toBe(0);
    const stored = await repo.getCase('t1', c.id);
    expect(stored?.title).toBe(payload);
    expect(await repo.listCases('t1', { limit: 10 })).toHaveLength(1);
  });

  it('stores audit events and idempotency records per tenant and subject', async () => {
    const c = makeCase('t1', 1);
    await repo.transaction(async (tx) => {
      await tx.insertCase(c);
      await tx.insertAudit({
        id: randomUUID(),
        tenantId: 't1',
        caseId: c.id,
        actor: 'u1',
        action: 'START_REVIEW',
        from: 'OPEN',
        to: 'IN_REVIEW',
        reason: 'r',
        requestId: 'req-1',
        at: c.createdAt,
      });
      await tx.insertIdempotency('t1', 'u1', 'k1', { requestHash: 'h', status: 200, body: '{}' }, c.createdAt);
    });
    expect(await repo.listAudit('t1', c.id)).toHaveLength(1);
    expect(await repo.listAudit('t2', c.id)).toHaveLength(0);
    expect(await repo.getIdempotency('t1', 'u1', 'k1', EPOCH)).toEqual({ requestHash: 'h', status: 200, body: '{}' });
    expect(await repo.getIdempotency('t1', 'u2', 'k1', EPOCH)).toBeNull();
    expect(await repo.getIdempotency('t2', 'u1', 'k1', EPOCH)).toBeNull();
  });
});

describe('repository selection and row checks', () => {
  it('openRepository without DATABASE_URL opens a SQLite file in a 0700 directory, readable by the owner only (0600, -wal too)', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'case-api-repo-'));
    try {
      const repo = await openRepository(undefined, join(dir, 'data', 'db.sqlite'));
      expect(repo.kind).toBe('sqlite');
      expect((await stat(join(dir, 'data'))).mode & 0o777).toBe(0o700);
      expect((await stat(join(dir, 'data', 'db.sqlite'))).mode & 0o777).toBe(0o600);
      expect((await stat(join(dir, 'data', 'db.sqlite-wal'))).mode & 0o777).toBe(0o600);
      await repo.close();
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });

  it.each(['public; DROP SCHEMA x', 'Upper', '1abc', '', 'a'.repeat(64)])('refuses the schema name %j', (schema) => {
    expect(() => openPostgresRepository({ connectionString: 'postgres://127.0.0.1/x', schema })).toThrow(TypeError);
  });

  it.each([
    ['an unknown status', { status: 'DELETED' }],
    ['a numeric title', { title: 1 }],
    ['a missing id', { id: undefined }],
  ])('a stored row with %s is refused, never passed on', (_label, change) => {
    const row = {
      id: 'x',
      tenantId: 't',
      title: 't',
      description: null,
      status: 'OPEN',
      assignedReviewerId: null,
      createdAt: 'a',
      updatedAt: 'b',
      ...change,
    };
    expect(() => toCase(row)).toThrow(TypeError);
  });
});
