// One store over SQLite (default) or PostgreSQL (DATABASE_URL), through a Runner of named statements.
import { closeSync, mkdirSync, openSync } from 'node:fs';
import { dirname } from 'node:path';
import Database from 'better-sqlite3';
import pg from 'pg';
import { ServiceUnavailableError } from '@portcullis/errors';
import { MIGRATIONS, SQL, type StatementName } from './sql.js';

/** Runs one of the fixed statements with positional parameters and returns its rows. */
export type Runner = (name: StatementName, values: readonly unknown[]) => Promise<Record<string, unknown>[]>;

/** A user row. */
export interface UserRecord {
  readonly id: string;
  readonly email: string;
  readonly passwordHash: string;
  readonly createdAt: string;
}

/** A session row: times in epoch milliseconds; the id itself is never stored. */
export interface SessionRecord {
  readonly idHash: string;
  readonly userId: string;
  readonly createdAt: number;
  readonly lastSeenAt: number;
}

/** What the app needs from a database. */
export interface Store {
  readonly kind: 'sqlite' | 'postgres';
  insertUser(user: UserRecord): Promise<boolean>;
  userByEmail(email: string): Promise<UserRecord | undefined>;
  userById(id: string): Promise<UserRecord | undefined>;
  /** Replaces the hash only if it is still `oldHash` (rehash on login). */
  updatePasswordHash(id: string, oldHash: string, newHash: string): Promise<void>;
  changePassword(id: string, newHash: string, at: string): Promise<void>;
  insertSession(session: SessionRecord): Promise<void>;
  getSession(idHash: string): Promise<SessionRecord | undefined>;
  touchSession(idHash: string, at: number): Promise<void>;
  deleteSession(idHash: string): Promise<void>;
  /** Deletes every session of the user except `keepIdHash`. */
  deleteUserSessions(userId: string, keepIdHash: string): Promise<void>;
  /** Deletes sessions last seen at or before `idleBefore` or created at or before `createdBefore` (epoch ms). */
  sweepSessions(idleBefore: number, createdBefore: number): Promise<void>;
  close(): Promise<void>;
}

function toUser(row: Record<string, unknown> | undefined): UserRecord | undefined {
  if (row === undefined) return undefined;
  return {
    id: String(row['id']),
    email: String(row['email']),
    passwordHash: String(row['password_hash']),
    createdAt: String(row['created_at']),
  };
}

function toSession(row: Record<string, unknown> | undefined): SessionRecord | undefined {
  if (row === undefined) return undefined;
  return {
    idHash: String(row['id_hash']),
    userId: String(row['user_id']),
    createdAt: Number(row['created_at']),
    lastSeenAt: Number(row['last_seen_at']),
  };
}

function isUniqueViolation(error: unknown): boolean {
  const code = typeof error === 'object' && error !== null ? (error as { code?: unknown }).code : undefined;
  return code === '23505' || code === 'SQLITE_CONSTRAINT_UNIQUE' || code === 'SQLITE_CONSTRAINT_PRIMARYKEY';
}

function makeStore(kind: Store['kind'], run: Runner, close: () => Promise<void>): Store {
  return {
    kind,
    async insertUser(user) {
      try {
        await run('insertUser', [user.id, user.email, user.passwordHash, user.createdAt]);
        return true;
      } catch (error) {
        if (isUniqueViolation(error)) return false;
        throw error;
      }
    },
    userByEmail: async (email) => toUser((await run('userByEmail', [email]))[0]),
    userById: async (id) => toUser((await run('userById', [id]))[0]),
    async updatePasswordHash(id, oldHash, newHash) {
      await run('updatePasswordHash', [id, oldHash, newHash]);
    },
    async changePassword(id, newHash, at) {
      await run('changePassword', [id, newHash, at]);
    },
    async insertSession(s) {
      await run('insertSession', [s.idHash, s.userId, s.createdAt]);
    },
    getSession: async (idHash) => toSession((await run('getSession', [idHash]))[0]),
    async touchSession(idHash, at) {
      await run('touchSession', [idHash, at]);
    },
    async deleteSession(idHash) {
      await run('deleteSession', [idHash]);
    },
    async deleteUserSessions(userId, keep) {
      await run('deleteUserSessions', [userId, keep]);
    },
    async sweepSessions(idleBefore, createdBefore) {
      await run('sweepSessions', [idleBefore, createdBefore]);
    },
    close,
  };
}

/** Opens (creating, owner-only) and migrates the SQLite file; ":memory:" for tests. */
export function openSqliteStore(file: string): Store {
  if (file !== ':memory:') {
    // eslint-disable-next-line security/detect-non-literal-fs-filename -- operator configuration (DATA_DIR), not request input
    mkdirSync(dirname(file), { recursive: true, mode: 0o700 });
    // eslint-disable-next-line security/detect-non-literal-fs-filename -- operator configuration (DATA_DIR), not request input
    closeSync(openSync(file, 'a', 0o600));
  }
  const db = new Database(file);
  db.pragma('journal_mode = WAL');
  db.pragma('foreign_keys = ON');
  for (const statement of MIGRATIONS) db.exec(statement);
  const prepared = new Map<StatementName, Database.Statement>();
  for (const [name, text] of Object.entries(SQL) as [StatementName, string][]) {
    // $1..$n → @p1..@pn (bound by name, so a placeholder may repeat); constant text only.
    prepared.set(name, db.prepare(text.replace(/\$(\d+)/g, '@p$1')));
  }
  const run: Runner = (name, values) => {
    const statement = prepared.get(name);
    if (statement === undefined) return Promise.reject(new Error(`login storage: unknown statement ${name}`));
    const bound: Record<string, unknown> = {};
    values.forEach((v, i) => (bound[`p${i + 1}`] = v));
    try {
      if (statement.reader) return Promise.resolve(statement.all(bound) as Record<string, unknown>[]);
      statement.run(bound);
      return Promise.resolve([]);
    } catch (error) {
      return Promise.reject(error instanceof Error ? error : new Error('sqlite failure'));
    }
  };
  return makeStore('sqlite', run, () => {
    db.close();
    return Promise.resolve();
  });
}

/** Options of openPostgresStore. */
export interface PostgresOptions {
  readonly connectionString: string;
  /** search_path schema (tests use a fresh one), /^[a-z_][a-z0-9_]{0,62}$/. @default the server's */
  readonly schema?: string | undefined;
  /** Pool size. @default 10 */
  readonly max?: number | undefined;
}

// Connection-level failures: the database is unavailable, so the request is denied with 503 (fail closed).
function isUnavailable(error: unknown): boolean {
  const code = typeof error === 'object' && error !== null ? (error as { code?: unknown }).code : undefined;
  if (
    typeof code === 'string' &&
    (/^E(CONNREFUSED|CONNRESET|TIMEDOUT|HOSTUNREACH|PIPE)$/.test(code) ||
      code.startsWith('08') ||
      code.startsWith('57P'))
  )
    return true;
  return error instanceof Error && /Connection terminated|timeout exceeded when trying to connect/.test(error.message);
}

/** Connects to PostgreSQL and migrates (under an advisory lock, so several instances may start at once). */
export async function openPostgresStore(options: PostgresOptions): Promise<Store> {
  if (options.schema !== undefined && !/^[a-z_][a-z0-9_]{0,62}$/.test(options.schema))
    throw new TypeError('login: "schema" must match /^[a-z_][a-z0-9_]{0,62}$/');
  const pool = new pg.Pool({
    connectionString: options.connectionString,
    max: options.max ?? 10,
    connectionTimeoutMillis: 5000,
    statement_timeout: 10_000,
    ...(options.schema === undefined ? {} : { options: `-c search_path=${options.schema}` }),
  });
  pool.on('error', () => undefined);
  const client = await pool.connect();
  try {
    await client.query('BEGIN');
    await client.query('SELECT pg_advisory_xact_lock($1)', [724_311_903]);
    for (const statement of MIGRATIONS) await client.query(statement);
    await client.query('COMMIT');
  } catch (error) {
    await client.query('ROLLBACK').catch(() => undefined);
    throw error;
  } finally {
    client.release();
  }
  const run: Runner = async (name, values) => {
    try {
      const result = await pool.query<Record<string, unknown>>({
        name: `login_${name}`,
        text: SQL[name],
        values: [...values],
      });
      return result.rows;
    } catch (error) {
      if (isUnavailable(error))
        throw new ServiceUnavailableError('database unavailable', { cause: error, retryAfterSec: 5 });
      throw error;
    }
  };
  return makeStore('postgres', run, () => pool.end());
}

/** PostgreSQL when `databaseUrl` is set, else the SQLite file. */
export async function openStore(databaseUrl: string | undefined, sqliteFile: string): Promise<Store> {
  return databaseUrl === undefined || databaseUrl === ''
    ? openSqliteStore(sqliteFile)
    : openPostgresStore({ connectionString: databaseUrl });
}
