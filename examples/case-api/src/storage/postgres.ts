// PostgreSQL repository (pg): a pool, migrations under an advisory lock, transactions on one pooled client.
import pg from 'pg';
import { ServiceUnavailableError } from '@portcullis/errors';
import { MIGRATIONS, SQL, type StatementName } from './sql.js';
import { makeStore } from './store.js';
import type { CaseStore, Repository } from './types.js';

// Any fixed 64-bit number: serialises migrations when several instances start at once.
const MIGRATION_LOCK = 724_311_902;

/** Options of {@link openPostgresRepository}. */
export interface PostgresOptions {
  /** postgres:// connection string. */
  connectionString: string;
  /**
   * Schema to use through the connection's search_path (a connection parameter, not SQL); tests use a
   * fresh schema per run. Must match /^[a-z_][a-z0-9_]{0,62}$/. @default the server's search_path
   */
  schema?: string | undefined;
  /** Pool size. @default 10 */
  max?: number | undefined;
}

const SCHEMA_NAME = /^[a-z_][a-z0-9_]{0,62}$/;

// Connection-level failures (refused, reset, timed out, server shutting down, SQLSTATE classes 08 and 57P):
// the database is unavailable, so the request is denied with 503 + Retry-After (fail closed), not a 500.
function isUnavailable(error: unknown): boolean {
  if (typeof error !== 'object' || error === null) return false;
  const code = (error as { code?: unknown }).code;
  if (
    typeof code === 'string' &&
    (/^(ECONNREFUSED|ECONNRESET|ETIMEDOUT|EHOSTUNREACH|ENOTFOUND|EPIPE)$/.test(code) ||
      code.startsWith('08') ||
      code.startsWith('57P'))
  ) {
    return true;
  }
  const message = error instanceof Error ? error.message : '';
  return /Connection terminated|timeout exceeded when trying to connect|Client has encountered a connection error/.test(
    message,
  );
}

async function guarded<T>(work: () => Promise<T>): Promise<T> {
  try {
    return await work();
  } catch (error) {
    if (isUnavailable(error))
      throw new ServiceUnavailableError('database unavailable', { cause: error, retryAfterSec: 5 });
    throw error;
  }
}

/** Connects to PostgreSQL. Call `migrate()` before use. */
export function openPostgresRepository(options: PostgresOptions): Repository {
  if (options.schema !== undefined && !SCHEMA_NAME.test(options.schema)) {
    throw new TypeError(`case-api: "schema" must match ${String(SCHEMA_NAME)} (got ${JSON.stringify(options.schema)})`);
  }
  const pool = new pg.Pool({
    connectionString: options.connectionString,
    max: options.max ?? 10,
    // A hung database must not hang requests: bounded connect and statement times (milliseconds).
    connectionTimeoutMillis: 5000,
    statement_timeout: 10_000,
    ...(options.schema === undefined ? {} : { options: `-c search_path=${options.schema}` }),
  });
  // An idle client's error (the server restarting) must not crash the process; the next query fails instead.
  pool.on('error', () => undefined);

  const runner =
    (client: pg.Pool | pg.PoolClient) =>
    async (name: StatementName, values: readonly unknown[]): Promise<Record<string, unknown>[]> => {
      const result = await guarded(() =>
        client.query<Record<string, unknown>>({ name: `case_api_${name}`, text: SQL[name], values: [...values] }),
      );
      return result.rows;
    };
  const store: CaseStore = makeStore(runner(pool));

  return {
    ...store,
    kind: 'postgres',
    async transaction<T>(work: (tx: CaseStore) => Promise<T>): Promise<T> {
      const client = await guarded(() => pool.connect());
      try {
        await guarded(() => client.query('BEGIN'));
        const result = await work(makeStore(runner(client)));
        await client.query('COMMIT');
        return result;
      } catch (error) {
        await client.query('ROLLBACK').catch(() => undefined);
        throw error;
      } finally {
        client.release();
      }
    },
    async migrate() {
      const client = await pool.connect();
      try {
        await client.query('BEGIN');
        await client.query('SELECT pg_advisory_xact_lock($1)', [MIGRATION_LOCK]);
        for (const statement of MIGRATIONS) await client.query(statement);
        await client.query('COMMIT');
      } catch (error) {
        await client.query('ROLLBACK').catch(() => undefined);
        throw error;
      } finally {
        client.release();
      }
    },
    async close() {
      await pool.end();
    },
  };
}
