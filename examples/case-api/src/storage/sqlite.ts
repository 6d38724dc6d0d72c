// SQLite repository (better-sqlite3): one connection, transactions serialised through a promise queue.
import { closeSync, mkdirSync, openSync } from 'node:fs';
import { dirname } from 'node:path';
import Database from 'better-sqlite3';
import { MIGRATIONS, SQL, type StatementName } from './sql.js';
import { makeStore } from './store.js';
import type { CaseStore, Repository } from './types.js';

// $1..$n → @p1..@pn, bound from an object: better-sqlite3 binds named parameters by name, so one
// placeholder may appear several times. This rewrites our constant statements once, never input.
function toSqlite(text: string): string {
  return text.replace(/\$(\d+)/g, '@p$1').replace(/ FOR UPDATE$/, '');
}

function bind(values: readonly unknown[]): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  values.forEach((v, i) => {
    out[`p${i + 1}`] = v;
  });
  return out;
}

/**
 * Opens (creating when needed) the SQLite database at `file` (":memory:" for tests) and migrates it.
 * @param file Path of the database file; its directory is created with mode 0700, a new file with
 * mode 0600 (SQLite gives its -wal and -shm files the database file's mode).
 */
export function openSqliteRepository(file: string): Repository {
  if (file !== ':memory:') {
    // eslint-disable-next-line security/detect-non-literal-fs-filename -- operator configuration (DATA_DIR), not request input
    mkdirSync(dirname(file), { recursive: true, mode: 0o700 });
    // Created here, owner-only, before SQLite would create it with the process umask (usually 0644).
    // eslint-disable-next-line security/detect-non-literal-fs-filename -- operator configuration (DATA_DIR), not request input
    closeSync(openSync(file, 'a', 0o600));
  }
  const db = new Database(file);
  db.pragma('journal_mode = WAL');
  db.pragma('foreign_keys = ON');
  for (const statement of MIGRATIONS) db.exec(statement);

  const prepared = new Map<StatementName, Database.Statement>();
  for (const [name, text] of Object.entries(SQL) as [StatementName, string][]) {
    prepared.set(name, db.prepare(toSqlite(text)));
  }

  const run = (name: StatementName, values: readonly unknown[]): Promise<Record<string, unknown>[]> => {
    const statement = prepared.get(name);
    if (statement === undefined) return Promise.reject(new Error(`case-api storage: unknown statement ${name}`));
    if (statement.reader) return Promise.resolve(statement.all(bind(values)) as Record<string, unknown>[]);
    statement.run(bind(values));
    return Promise.resolve([]);
  };
  const store: CaseStore = makeStore(run);

  // One connection: an async transaction must not interleave with another one (or with a read that
  // would see its uncommitted rows), so every unit of work waits for the previous one.
  let queue: Promise<unknown> = Promise.resolve();
  const exclusive = <T>(work: () => Promise<T>): Promise<T> => {
    const result = queue.then(work, work);
    queue = result.catch(() => undefined);
    return result;
  };

  const transaction = <T>(work: (tx: CaseStore) => Promise<T>): Promise<T> =>
    exclusive(async () => {
      db.exec('BEGIN IMMEDIATE');
      try {
        const result = await work(store);
        db.exec('COMMIT');
        return result;
      } catch (error) {
        if (db.inTransaction) db.exec('ROLLBACK');
        throw error;
      }
    });

  const read = <K extends keyof CaseStore>(key: K): CaseStore[K] => {
    const fn = store[key] as (...args: unknown[]) => Promise<unknown>;
    return ((...args: unknown[]) => exclusive(() => fn(...args))) as CaseStore[K];
  };

  return {
    kind: 'sqlite',
    transaction,
    migrate: () => Promise.resolve(),
    close: () =>
      exclusive(() => {
        db.close();
        return Promise.resolve();
      }),
    getCase: read('getCase'),
    getCaseForUpdate: read('getCaseForUpdate'),
    listCases: read('listCases'),
    allCases: read('allCases'),
    insertCase: read('insertCase'),
    updateCaseStatus: read('updateCaseStatus'),
    insertAudit: read('insertAudit'),
    listAudit: read('listAudit'),
    insertNote: read('insertNote'),
    getIdempotency: read('getIdempotency'),
    deleteExpiredIdempotency: read('deleteExpiredIdempotency'),
    insertIdempotency: read('insertIdempotency'),
    insertExport: read('insertExport'),
    getExport: read('getExport'),
    insertEvidence: read('insertEvidence'),
    listEvidence: read('listEvidence'),
    getEvidence: read('getEvidence'),
    sweepIdempotency: read('sweepIdempotency'),
    sweepExports: read('sweepExports'),
    getWebhook: read('getWebhook'),
    putWebhook: read('putWebhook'),
  };
}
