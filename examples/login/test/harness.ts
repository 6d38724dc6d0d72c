// Builds the real app (createService) on a test database and an Express major, listening on loopback.
import { randomBytes } from 'node:crypto';
import type { Server } from 'node:http';
import { Writable } from 'node:stream';
import pg from 'pg';
import { loadSecurityConfig } from '@portcullis/config';
import { createLogger } from '@portcullis/logging';
import type { Redis } from 'ioredis';
import { serviceUrl } from '../../../test-support/services.js';
import type { ExpressFlavour } from '../../../test-support/express.js';
import { createService, type AppDeps, type LoginService } from '../src/app.js';
import { openPostgresStore, openSqliteStore, type Store } from '../src/storage/index.js';

/** A database the suites run against. */
export interface TestDatabase {
  readonly name: 'sqlite' | 'postgres';
  open(): Promise<Store>;
  cleanup(): Promise<void>;
}

const databaseUrl = serviceUrl('DATABASE_URL');

function postgres(url: string): TestDatabase {
  const schemas: string[] = [];
  return {
    name: 'postgres',
    async open() {
      // Random hex only: tests may build DDL, the app never does.
      const schema = `login_test_${randomBytes(6).toString('hex')}`;
      const client = new pg.Client({ connectionString: url });
      await client.connect();
      await client.query(`CREATE SCHEMA ${schema}`);
      await client.end();
      schemas.push(schema);
      return openPostgresStore({ connectionString: url, schema, max: 4 });
    },
    async cleanup() {
      const client = new pg.Client({ connectionString: url });
      await client.connect();
      for (const schema of schemas.splice(0)) await client.query(`DROP SCHEMA IF EXISTS ${schema} CASCADE`);
      await client.end();
    },
  };
}

/** SQLite, plus PostgreSQL when DATABASE_URL is set. */
export const testDatabases: readonly TestDatabase[] = [
  { name: 'sqlite', open: () => Promise.resolve(openSqliteStore(':memory:')), cleanup: () => Promise.resolve() },
  ...(databaseUrl === undefined ? [] : [postgres(databaseUrl)]),
];

/** Environment of the test profile. */
export function testEnv(extra: Record<string, string> = {}): Record<string, string> {
  return {
    APP_ENV: 'test',
    JWT_ISSUER: 'urn:portcullis:login:unused',
    JWT_AUDIENCE: 'urn:portcullis:login:unused',
    JWT_ALGORITHMS: 'ES256',
    RATE_LIMIT_MAX: '100000',
    LOG_LEVEL: 'info',
    ...extra,
  };
}

/** One running app. */
export interface Harness {
  readonly service: LoginService;
  readonly server: Server;
  readonly store: Store;
  logs(): string;
  close(): Promise<void>;
}

/** Starts the app on `store` with the given Express major; `deps` override the defaults. */
export async function startHarness(
  store: Store,
  flavour: ExpressFlavour,
  deps: Partial<AppDeps> = {},
  env: Record<string, string> = {},
): Promise<Harness> {
  const chunks: string[] = [];
  const destination = new Writable({
    write(chunk: Buffer, _enc, done) {
      chunks.push(chunk.toString('utf8'));
      done();
    },
  });
  const service = createService({
    config: loadSecurityConfig(testEnv(env)),
    store,
    logger: createLogger({ level: 'info', destination }),
    createExpress: flavour.create,
    limits: { perAddress: 100_000, perAccount: 100_000, registrations: 100_000 },
    ...deps,
  });
  const server = await new Promise<Server>((resolve) => {
    const s = service.app.listen(0, '127.0.0.1', () => {
      resolve(s);
    });
  });
  return {
    service,
    server,
    store,
    logs: () => chunks.join(''),
    async close() {
      server.closeAllConnections();
      await new Promise<void>((resolve) => {
        server.close(() => {
          resolve();
        });
      });
      await service.shutdown();
    },
  };
}

let seq = 0;
/** A fresh email address per call. */
export function newEmail(): string {
  seq += 1;
  return `user${seq}.${randomBytes(3).toString('hex')}@example.com`;
}

/** The session cookie (name=value) a response set, or undefined. */
export function sessionCookie(setCookie: string | string[] | undefined): string | undefined {
  const list = setCookie === undefined ? [] : Array.isArray(setCookie) ? setCookie : [setCookie];
  const found = list.find((c) => c.startsWith('__Host-session=') || c.startsWith('session='));
  return found?.split(';')[0];
}

/** A Redis client for tests, when REDIS_URL is set. */
export type { Redis };
