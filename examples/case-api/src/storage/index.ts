// Picks the database: PostgreSQL when a URL is given, else a SQLite file.
import { openPostgresRepository } from './postgres.js';
import { openSqliteRepository } from './sqlite.js';
import type { Repository } from './types.js';

export type { Repository, CaseStore, ListCasesQuery, PageCursor, IdempotencyRecord, WebhookRecord } from './types.js';
export { openPostgresRepository, type PostgresOptions } from './postgres.js';
export { openSqliteRepository } from './sqlite.js';

/** Opens and migrates PostgreSQL when `databaseUrl` is set, else the SQLite file `sqliteFile`. */
export async function openRepository(databaseUrl: string | undefined, sqliteFile: string): Promise<Repository> {
  const repo =
    databaseUrl === undefined || databaseUrl === ''
      ? openSqliteRepository(sqliteFile)
      : openPostgresRepository({ connectionString: databaseUrl });
  await repo.migrate();
  return repo;
}
