// Retention on SQLite and PostgreSQL: expired idempotency keys are neither replayed nor a conflict, expired
// exports are 404, and the sweeper bounds the database and the export directory without leaving it.
import { randomUUID } from 'node:crypto';
import { lstat, mkdir, mkdtemp, readFile, readdir, rm, symlink, unlink, utimes, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { generateFileName } from '@portcullis/paths';
import request from 'supertest';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it, vi } from 'vitest';
import {
  createRetentionSweeper,
  DEFAULT_EXPORT_TTL_SEC,
  DEFAULT_IDEMPOTENCY_TTL_SEC,
  MAX_SWEEP_INTERVAL_MS,
  sweepIntervalMs,
  type RetentionSweeperOptions,
} from '../src/retention.js';
import type { Repository } from '../src/storage/index.js';
import { testDatabases } from './db.js';
import { capturedLogger, startHarness, type Harness } from './harness.js';

const IDEMPOTENCY_TTL_SEC = 3600;
const EXPORT_TTL_SEC = 600;
const START = Date.parse('2026-03-01T00:00:00.000Z');

/** Sets a path's access and modification time to `ms` (epoch milliseconds). */
async function age(path: string, ms: number): Promise<void> {
  await utimes(path, ms / 1000, ms / 1000);
}

describe.each(testDatabases)('retention through the API on $name [ASVS V14.2.7]', (database) => {
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
    request(h.server)
      .post(`/cases/${caseId}/transitions`)
      .set(auth(senior))
      .set('Idempotency-Key', key)
      .send({ action, reason });

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

describe.each(testDatabases)('retention sweeper on $name [ASVS V14.2.7]', (database) => {
  let repo: Repository;
  let dir: string;
  let exportsDir: string;
  let log: ReturnType<typeof capturedLogger>;
  let clock = START;
  const sweeper = (extra: Partial<RetentionSweeperOptions> = {}) =>
    createRetentionSweeper({
      repo,
      exportsDir,
      logger: log.logger,
      idempotencyTtlSec: IDEMPOTENCY_TTL_SEC,
      exportTtlSec: EXPORT_TTL_SEC,
      now: () => new Date(clock),
      ...extra,
    });
  const at = (msBeforeStart: number) => new Date(START - msBeforeStart).toISOString();
  const EPOCH = new Date(0).toISOString();

  beforeEach(async () => {
    clock = START;
    repo = await database.open();
    dir = await mkdtemp(join(tmpdir(), 'case-api-retention-'));
    exportsDir = join(dir, 'exports');
    await mkdir(exportsDir, { mode: 0o700 });
    log = capturedLogger();
    return async () => {
      await repo.close();
      await rm(dir, { recursive: true, force: true });
    };
  });
  afterAll(() => database.cleanup());

  async function idempotency(tenantId: string, key: string, createdAt: string): Promise<void> {
    await repo.transaction((tx) =>
      tx.insertIdempotency(tenantId, 'u1', key, { requestHash: 'h', status: 200, body: '{}' }, createdAt),
    );
  }
  async function exportRecord(tenantId: string, name: string, createdAt: string): Promise<void> {
    await repo.transaction((tx) => tx.insertExport({ name, tenantId, createdBy: 'u1', createdAt, rowCount: 0 }));
  }

  it('deletes expired idempotency records and export records of every tenant, keeps fresh ones', async () => {
    await idempotency('t1', 'old', at((IDEMPOTENCY_TTL_SEC + 1) * 1000));
    await idempotency('t2', 'old', at((IDEMPOTENCY_TTL_SEC + 60) * 1000));
    await idempotency('t1', 'fresh', at((IDEMPOTENCY_TTL_SEC - 1) * 1000));
    await exportRecord('t1', 'old.csv', at((EXPORT_TTL_SEC + 1) * 1000));
    await exportRecord('t1', 'fresh.csv', at(1000));

    const result = await sweeper().sweep();
    expect(result).toEqual({ idempotencyRecords: 2, exportRecords: 1, exportFiles: 0, failures: 0 });
    expect(await repo.getIdempotency('t1', 'u1', 'old', EPOCH)).toBeNull();
    expect(await repo.getIdempotency('t2', 'u1', 'old', EPOCH)).toBeNull();
    expect(await repo.getIdempotency('t1', 'u1', 'fresh', EPOCH)).not.toBeNull();
    expect(await repo.getExport('t1', 'old.csv', EPOCH)).toBeNull();
    expect(await repo.getExport('t1', 'fresh.csv', EPOCH)).not.toBeNull();
    expect(log.lines().find((l) => l.msg === 'retention sweep')).toMatchObject({
      idempotencyRecords: 2,
      exportRecords: 1,
    });
  });

  it('one sweep deletes at most batchSize rows per table, oldest first; the next sweep takes the rest', async () => {
    for (let i = 0; i < 5; i++) await idempotency('t1', `k${i}`, at((IDEMPOTENCY_TTL_SEC + 10 - i) * 1000));
    const s = sweeper({ batchSize: 2 });
    expect((await s.sweep()).idempotencyRecords).toBe(2);
    expect(await repo.getIdempotency('t1', 'u1', 'k0', EPOCH)).toBeNull();
    expect(await repo.getIdempotency('t1', 'u1', 'k1', EPOCH)).toBeNull();
    expect(await repo.getIdempotency('t1', 'u1', 'k2', EPOCH)).not.toBeNull();
    expect(log.lines().some((l) => l.msg.includes('batch size') && l['step'] === 'idempotency_records')).toBe(true);
    expect((await s.sweep()).idempotencyRecords).toBe(2);
    expect((await s.sweep()).idempotencyRecords).toBe(1);
  });

  it('the lookup hides an expired record before any sweep; deleteExpiredIdempotency frees only an expired key', async () => {
    const notBefore = at(IDEMPOTENCY_TTL_SEC * 1000);
    await idempotency('t1', 'old', at((IDEMPOTENCY_TTL_SEC + 1) * 1000));
    await idempotency('t1', 'fresh', at(0));
    expect(await repo.getIdempotency('t1', 'u1', 'old', notBefore)).toBeNull();
    expect(await repo.getIdempotency('t1', 'u1', 'fresh', notBefore)).not.toBeNull();
    await repo.transaction(async (tx) => {
      await tx.deleteExpiredIdempotency('t1', 'u1', 'old', notBefore);
      await tx.deleteExpiredIdempotency('t1', 'u1', 'fresh', notBefore);
    });
    expect(await repo.getIdempotency('t1', 'u1', 'old', EPOCH)).toBeNull();
    expect(await repo.getIdempotency('t1', 'u1', 'fresh', EPOCH)).not.toBeNull();
    // A fresh record still holds its key: a second first request fails on the unique key (then replays).
    await expect(idempotency('t1', 'fresh', at(0))).rejects.toThrow();
  });

  it('a sweeper failure (database closed) is logged through the logger and never rejects', async () => {
    const s = sweeper();
    await repo.close();
    const result = await s.sweep();
    expect(result.failures).toBe(2);
    const errors = log.lines().filter((l) => l.msg === 'retention sweep failed');
    expect(errors.map((l) => l['step'])).toEqual(['idempotency_records', 'export_records']);
    expect(errors.every((l) => l.level === 50)).toBe(true);
    repo = await database.open(); // for the cleanup
  });
});

describe('retention sweeper: export files', () => {
  let dir: string;
  let exportsDir: string;
  let log: ReturnType<typeof capturedLogger>;
  const now = Date.now();
  const old = now - (EXPORT_TTL_SEC + 60) * 1000;
  const repo = {
    sweepIdempotency: () => Promise.resolve(0),
    sweepExports: () => Promise.resolve(0),
  } as unknown as Repository;
  const sweeper = (extra: Partial<RetentionSweeperOptions> = {}) =>
    createRetentionSweeper({
      repo,
      exportsDir,
      logger: log.logger,
      idempotencyTtlSec: IDEMPOTENCY_TTL_SEC,
      exportTtlSec: EXPORT_TTL_SEC,
      ...extra,
    });

  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), 'case-api-sweep-'));
    exportsDir = join(dir, 'exports');
    await mkdir(exportsDir, { mode: 0o700 });
    log = capturedLogger();
    return () => rm(dir, { recursive: true, force: true });
  });

  async function exportFile(mtimeMs: number): Promise<string> {
    const name = generateFileName('.csv');
    await writeFile(join(exportsDir, name), 'id\r\n', { mode: 0o600 });
    await age(join(exportsDir, name), mtimeMs);
    return name;
  }

  it('deletes export files older than EXPORT_TTL_SEC and keeps fresh ones', async () => {
    const stale = await exportFile(old);
    const fresh = await exportFile(now - 1000);
    expect((await sweeper().sweep()).exportFiles).toBe(1);
    expect(await readdir(exportsDir)).toEqual([fresh]);
    expect(await readdir(exportsDir)).not.toContain(stale);
  });

  it('a symlink planted in the export directory is not followed: its outside target survives', async () => {
    const secret = join(dir, 'secret.csv');
    await writeFile(secret, 'SECRET-SENTINEL', { mode: 0o600 });
    await age(secret, old);
    const planted = join(exportsDir, generateFileName('.csv'));
    await symlink(secret, planted);
    const dirLink = join(exportsDir, generateFileName('.csv'));
    await symlink(dir, dirLink);
    expect((await sweeper().sweep()).exportFiles).toBe(0);
    expect(await readFile(secret, 'utf8')).toBe('SECRET-SENTINEL');
    expect((await lstat(planted)).isSymbolicLink()).toBe(true);
    expect((await lstat(dirLink)).isSymbolicLink()).toBe(true);
    expect((await readdir(dir)).sort()).toEqual(['exports', 'secret.csv']);
  });

  it('ignores directories (even named like an export) and files the service did not name', async () => {
    const sub = join(exportsDir, generateFileName('.csv'));
    await mkdir(sub);
    const inner = join(sub, generateFileName('.csv'));
    await writeFile(inner, 'x');
    await age(inner, old);
    await age(sub, old);
    const foreign = ['notes.txt', '.hidden.csv', 'with space.csv', 'upload.CSV'];
    for (const f of foreign) {
      await writeFile(join(exportsDir, f), 'x');
      await age(join(exportsDir, f), old);
    }
    expect((await sweeper().sweep()).exportFiles).toBe(0);
    expect(await readFile(inner, 'utf8')).toBe('x');
    expect((await readdir(exportsDir)).length).toBe(foreign.length + 1);
  });

  it('deletes at most batchSize files per sweep', async () => {
    for (let i = 0; i < 3; i++) await exportFile(old);
    const s = sweeper({ batchSize: 2 });
    expect((await s.sweep()).exportFiles).toBe(2);
    expect(await readdir(exportsDir)).toHaveLength(1);
    expect((await s.sweep()).exportFiles).toBe(1);
  });

  it('a missing export directory is a logged failure, not a crash; the database steps still run', async () => {
    await rm(exportsDir, { recursive: true });
    const result = await sweeper().sweep();
    expect(result).toEqual({ idempotencyRecords: 0, exportRecords: 0, exportFiles: 0, failures: 1 });
    expect(log.lines().find((l) => l.msg === 'retention sweep failed')).toMatchObject({
      step: 'export_files',
      level: 50,
    });
  });
});

describe('retention sweeper: schedule and shutdown', () => {
  const log = capturedLogger();
  const counted = () => {
    const calls = { idempotency: 0 };
    const repo = {
      sweepIdempotency: () => {
        calls.idempotency += 1;
        return Promise.resolve(0);
      },
      sweepExports: () => Promise.resolve(0),
    } as unknown as Repository;
    return { calls, repo };
  };
  let dir: string;
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'case-api-sched-'));
  });
  afterAll(() => rm(dir, { recursive: true, force: true }));
  afterEach(() => {
    vi.useRealTimers();
    vi.restoreAllMocks();
  });

  it.each([
    [DEFAULT_IDEMPOTENCY_TTL_SEC, DEFAULT_EXPORT_TTL_SEC, MAX_SWEEP_INTERVAL_MS],
    [60, 604_800, 15_000],
    [604_800, 600, 150_000],
  ])('TTLs %i s / %i s → a sweep every %i ms (a quarter of the shorter, at most 15 min)', (idem, exp, interval) => {
    expect(sweepIntervalMs(idem, exp)).toBe(interval);
  });

  it("sweeps at start and then every interval on an unref'd timer; stop() clears it and no sweep follows", async () => {
    vi.useFakeTimers({ toFake: ['setInterval', 'clearInterval'] });
    const setSpy = vi.spyOn(globalThis, 'setInterval');
    const clearSpy = vi.spyOn(globalThis, 'clearInterval');
    const { calls, repo } = counted();
    const s = createRetentionSweeper({
      repo,
      exportsDir: dir,
      logger: log.logger,
      idempotencyTtlSec: 60,
      exportTtlSec: 60,
    });
    s.start();
    await s.sweep(); // joins the start-up sweep
    expect(calls.idempotency).toBe(1);
    expect(setSpy).toHaveBeenCalledTimes(1);
    const timer = setSpy.mock.results[0]?.value as NodeJS.Timeout;
    expect(timer.hasRef()).toBe(false);
    await vi.advanceTimersByTimeAsync(s.intervalMs);
    expect(calls.idempotency).toBe(2);

    await s.stop();
    expect(clearSpy).toHaveBeenCalledWith(timer);
    await vi.advanceTimersByTimeAsync(s.intervalMs * 3);
    expect(calls.idempotency).toBe(2);
    expect(await s.sweep()).toEqual({ idempotencyRecords: 0, exportRecords: 0, exportFiles: 0, failures: 0 });
    expect(calls.idempotency).toBe(2);
    expect(() => {
      s.start();
    }).toThrow(/already started/);
  });

  it('stop() waits for a sweep in progress (the database is closed after it)', async () => {
    let release: () => void = () => undefined;
    let finished = false;
    const repo = {
      sweepIdempotency: () =>
        new Promise<number>((resolve) => {
          release = () => {
            finished = true;
            resolve(0);
          };
        }),
      sweepExports: () => Promise.resolve(0),
    } as unknown as Repository;
    const s = createRetentionSweeper({
      repo,
      exportsDir: dir,
      logger: log.logger,
      idempotencyTtlSec: 60,
      exportTtlSec: 60,
    });
    s.start();
    const stopped = s.stop();
    let done = false;
    void stopped.then(() => (done = true));
    await new Promise((r) => setTimeout(r, 20));
    expect(done).toBe(false);
    release();
    await stopped;
    expect(finished).toBe(true);
  });

  it.each([
    ['idempotencyTtlSec', { idempotencyTtlSec: 0 }],
    ['exportTtlSec', { exportTtlSec: 1.5 }],
    ['batchSize', { batchSize: -1 }],
    ['idempotencyTtlSec', { idempotencyTtlSec: Number.NaN }],
  ])('refuses a bad %s at creation', (name, change) => {
    const { repo } = counted();
    expect(() =>
      createRetentionSweeper({
        repo,
        exportsDir: dir,
        logger: log.logger,
        idempotencyTtlSec: 60,
        exportTtlSec: 60,
        ...change,
      }),
    ).toThrow(new RegExp(`"${name}" must be a positive whole number`));
  });
});
