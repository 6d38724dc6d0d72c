// PostgreSQL repository (pg): a pool, migrations under an advisory lock, transactions on one pooled client.
import pg from 'pg';
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

/** Connects to PostgreSQL. Call `migrate()` before use. */
export function openPostgresRepository(options: PostgresOptions): Repository {
  if (options.schema !== undefined && !SCHEMA_NAME.test(options.schema)) {
    throw new TypeError(`case-api: "schema" must match ${String(SCHEMA_NAME)} (got ${JSON.stringify(options.schema)})`);
  }
  const pool = new pg.Pool({
    connectionString: options.connectionString,
    max: options.max ?? 10,
    ...(options.schema === undefined ? {} : { options: `-c search_path=${options.schema}` }),
  });
  // An idle client's error (the server restarting) must not crash the process; the next query fails instead.
  pool.on('error', () => undefined);

  const runner = (client: pg.Pool | pg.PoolClient) =>
    async (name: StatementName, values: readonly unknown[]): Promise<Record<string, unknown>[]> => {
      const result = await client.query<Record<string, unknown>>({ name: `case_api_${name}`, text: SQL[name], values: [...values] });
      return result.rows;
    };
  const store: CaseStore = makeStore(runner(pool));

  return {
    ...store,
    kind: 'postgres',
    async transaction<T>(work: (tx: CaseStore) => Promise<T>): Promise<T> {
      const client = await pool.connect();
      try {
        await client.query('BEGIN');
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
