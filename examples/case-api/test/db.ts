// Test databases: SQLite always, PostgreSQL too when DATABASE_URL is set (one fresh schema per run).
import { randomBytes } from 'node:crypto';
import pg from 'pg';
import { serviceUrl } from '../../../test-support/services.js';
import { openPostgresRepository, openSqliteRepository, type Repository } from '../src/storage/index.js';

/** A database the suites run against. */
export interface TestDatabase {
  readonly name: 'sqlite' | 'postgres';
  /** Opens a fresh, migrated, empty repository. */
  open(): Promise<Repository>;
  /** Drops what open() created. */
  cleanup(): Promise<void>;
}

const databaseUrl = serviceUrl('DATABASE_URL');

function sqlite(): TestDatabase {
  return {
    name: 'sqlite',
    open: async () => {
      const repo = openSqliteRepository(':memory:');
      await repo.migrate();
      return repo;
    },
    cleanup: () => Promise.resolve(),
  };
}

function postgres(url: string): TestDatabase {
  const schemas: string[] = [];
  return {
    name: 'postgres',
    open: async () => {
      // Schema names come from random hex only; tests may build DDL, the service never does.
      const schema = `case_api_test_${randomBytes(6).toString('hex')}`;
      const client = new pg.Client({ connectionString: url });
      await client.connect();
      await client.query(`CREATE SCHEMA ${schema}`);
      await client.end();
      schemas.push(schema);
      const repo = openPostgresRepository({ connectionString: url, schema, max: 4 });
      await repo.migrate();
      return repo;
    },
    cleanup: async () => {
      const client = new pg.Client({ connectionString: url });
      await client.connect();
      for (const schema of schemas.splice(0)) await client.query(`DROP SCHEMA IF EXISTS ${schema} CASCADE`);
      await client.end();
    },
  };
}

/** SQLite, plus PostgreSQL when DATABASE_URL is set. Use with describe.each(testDatabases). */
export const testDatabases: readonly TestDatabase[] =
  databaseUrl === undefined ? [sqlite()] : [sqlite(), postgres(databaseUrl)];
