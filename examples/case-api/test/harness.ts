// Builds the real app (createApp) on a test database with a temporary DATA_DIR, a captured log and dev tokens.
import { mkdtemp, mkdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import type { Server } from 'node:http';
import type { Express } from 'express';
import { loadSecurityConfig } from '@portcullis/config';
import { createLogger } from '@portcullis/logging';
import type { RateLimitStore } from '@portcullis/ratelimit';
import { createApp, type AppLogger } from '../src/app.js';
import type { OutboundOptions } from '../src/outbound.js';
import { DEV_AUDIENCE, DEV_ISSUER, loadOrCreateDevKeys, signDevToken, type DevKeys } from '../src/devkeys.js';
import type { CaseRecord } from '../src/domain.js';
import type { RetentionSettings } from '../src/settings.js';
import type { Repository } from '../src/storage/index.js';
import type { TestDatabase } from './db.js';

/** One running test app. */
export interface Harness {
  readonly app: Express;
  /** The app listening on 127.0.0.1 (an ephemeral port): pass it to supertest's request(). */
  readonly server: Server;
  readonly repo: Repository;
  readonly keys: DevKeys;
  readonly dataDir: string;
  readonly exportsDir: string;
  /** EVIDENCE_DIR of this app (mode 0700). */
  readonly evidenceDir: string;
  /** The app's logger (writes into logs()). */
  readonly logger: AppLogger;
  /** Everything the logger wrote. */
  logs(): string;
  /** A valid development token. */
  token(sub: string, tenantId: string, roles: readonly string[]): Promise<string>;
  /** Inserts a case directly (to reach any status quickly). */
  seed(tenantId: string, extra?: Partial<CaseRecord>): Promise<CaseRecord>;
  close(): Promise<void>;
}

/** Environment of the test profile, with the dev issuer. */
export function testEnv(extra: Record<string, string> = {}): Record<string, string> {
  return {
    APP_ENV: 'test',
    JWT_ISSUER: DEV_ISSUER,
    JWT_AUDIENCE: DEV_AUDIENCE,
    JWT_ALGORITHMS: 'ES256',
    ALLOWED_ORIGINS: 'http://127.0.0.1:4000',
    RATE_LIMIT_MAX: '100000',
    RATE_LIMIT_SUBJECT_MAX: '100000',
    LOG_LEVEL: 'info',
    ...extra,
  };
}

let seq = 0;

/** What createApp gets besides the defaults: the service's clock and retention. */
export interface HarnessOptions {
  readonly now?: (() => Date) | undefined;
  readonly retention?: Partial<RetentionSettings> | undefined;
  /** URL import and webhook settings (loopback stand-ins in allowAddresses). */
  readonly outbound?: OutboundOptions | undefined;
}

/** A debug-level logger from @portcullis/logging that records its output: the raw text and the parsed JSON lines. */
export function capturedLogger(): {
  logger: AppLogger;
  text: () => string;
  lines: () => { level: number; msg: string; [k: string]: unknown }[];
} {
  const chunks: string[] = [];
  const destination = new Writable({
    write(chunk: Buffer, _enc, done) {
      chunks.push(chunk.toString('utf8'));
      done();
    },
  });
  const logger = createLogger({ level: 'debug', destination });
  const text = (): string => chunks.join('');
  return {
    logger,
    text,
    lines: () =>
      text()
        .split('\n')
        .filter((l) => l !== '')
        .map((l) => JSON.parse(l) as { level: number; msg: string }),
  };
}

/** Starts the app on `database`. */
export async function startHarness(
  database: TestDatabase,
  env: Record<string, string> = {},
  rateLimitStore?: RateLimitStore,
  options: HarnessOptions = {},
): Promise<Harness> {
  const dataDir = await mkdtemp(join(tmpdir(), 'case-api-test-'));
  const exportsDir = join(dataDir, 'exports');
  await mkdir(exportsDir, { mode: 0o700 });
  const evidenceDir = join(dataDir, 'evidence');
  await mkdir(evidenceDir, { mode: 0o700 });
  const { keys } = await loadOrCreateDevKeys(dataDir);
  const config = loadSecurityConfig(testEnv(env));
  const { logger, text } = capturedLogger();
  const repo = await database.open();
  const app = createApp({
    config,
    repo,
    logger,
    auth: { jwks: keys.jwks },
    exportsDir,
    evidenceDir,
    now: options.now,
    retention: options.retention,
    outbound: options.outbound,
    rateLimit: { store: rateLimitStore },
  });
  const server = await new Promise<Server>((resolve) => {
    const s = app.listen(0, '127.0.0.1', () => {
      resolve(s);
    });
  });
  const tokens = new Map<string, Promise<string>>();
  return {
    app,
    server,
    repo,
    keys,
    dataDir,
    exportsDir,
    evidenceDir,
    logger,
    logs: text,
    token(sub, tenantId, roles) {
      const cacheKey = JSON.stringify([sub, tenantId, roles]);
      let t = tokens.get(cacheKey);
      if (t === undefined) {
        t = signDevToken(keys, { sub, tenantId, roles });
        tokens.set(cacheKey, t);
      }
      return t;
    },
    async seed(tenantId, extra = {}) {
      seq += 1;
      const at = new Date(Date.UTC(2026, 0, 1) + seq * 1000).toISOString();
      const record: CaseRecord = {
        id: crypto.randomUUID(),
        tenantId,
        title: `seeded ${seq}`,
        description: null,
        status: 'OPEN',
        assignedReviewerId: null,
        createdAt: at,
        updatedAt: at,
        ...extra,
      };
      await repo.transaction((tx) => tx.insertCase(record));
      return record;
    },
    async close() {
      server.closeAllConnections();
      await new Promise<void>((resolve) => {
        server.close(() => {
          resolve();
        });
      });
      await repo.close();
      await rm(dataDir, { recursive: true, force: true });
    },
  };
}
