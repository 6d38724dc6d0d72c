// createService(deps) / createApp(deps): the case-tracker API on the Portcullis baseline. Everything it
// needs is injected.
import type { createLogger } from '@portcullis/logging';
import express, { type Express } from 'express';
import type { JwtAuthOptions } from '@portcullis/auth';
import { secureBaseline } from '@portcullis/baseline';
import type { SecurityConfig } from '@portcullis/config';
import { trustProxy, type RateLimitStore } from '@portcullis/ratelimit';
import { outboundRoutes, type OutboundOptions } from './outbound.js';
import { createCasePolicy } from './policy.js';
import { caseRoutes } from './routes.js';
import { CaseService } from './service.js';
import type { RetentionSettings } from './settings.js';
import type { Repository } from './storage/index.js';

/** The logger type of @portcullis/logging (a pino Logger with layered redaction). */
export type AppLogger = ReturnType<typeof createLogger>;

/** Everything the app needs; tests inject their own. */
export interface AppDeps {
  /** Result of loadSecurityConfig(). */
  readonly config: SecurityConfig;
  /** The database (SQLite or PostgreSQL), migrated. */
  readonly repo: Repository;
  /** A logger from @portcullis/logging createLogger(). */
  readonly logger: AppLogger;
  /** jwtAuth options: issuer, audience, algorithms and exactly one key source (dev JWKS or JWKS_URI). */
  readonly auth: JwtAuthOptions;
  /** Existing directory the export files live in. */
  readonly exportsDir: string;
  /** Clock. @default () => new Date() */
  readonly now?: (() => Date) | undefined;
  /** IDEMPOTENCY_TTL_SEC / EXPORT_TTL_SEC from loadSettings(). @default 86400 / 3600 seconds */
  readonly retention?: Partial<RetentionSettings> | undefined;
  /** URL import and webhooks: IMPORT_URL_HOSTS from loadSettings() plus egress overrides (tests). @default the URL import refuses every request; webhooks to public hosts over https */
  readonly outbound?: OutboundOptions | undefined;
  /** Rate-limit overrides: a Redis store for several instances, or a window/limit. @default memory store, config values */
  readonly rateLimit?:
    { store?: RateLimitStore | undefined; windowMs?: number | undefined; limit?: number | undefined } | undefined;
}

/** Public routes: everything else requires a valid token (deny by default). */
export const PUBLIC_ROUTES = [{ method: 'GET', path: '/health' }] as const;

/** The app plus the baseline's lifecycle: what a process that listens needs. */
export interface CaseApiService {
  readonly app: Express;
  /** Loads the key set (a remote JWKS) before listen(), so the first request does not wait for it. Rejects if it cannot. */
  readonly ready: () => Promise<void>;
  /** Stops the rate limiter's timers (and its store's); call on shutdown, after the server closed. */
  readonly shutdown: () => Promise<void>;
}

/** Builds the Express app. Does not listen. */
export function createApp(deps: AppDeps): Express {
  return createService(deps).app;
}

/** Builds the Express app and returns it with the baseline's ready() / shutdown(). Does not listen. */
export function createService(deps: AppDeps): CaseApiService {
  const app = express();
  app.disable('x-powered-by');
  // Refuses true / "*" (every client could spoof X-Forwarded-For and dodge the rate limit).
  if (deps.config.trustProxy !== false) trustProxy(app, deps.config.trustProxy);

  const policy = createCasePolicy(function logDenial(decision) {
    // Ids only (never the case or the claims): who was denied what, for the security log.
    if (!decision.allowed) deps.logger.info({ decision }, 'authorization denied');
  });
  // Created before listen(): the egress policies refuse this process's own listening sockets as targets.
  const outbound = outboundRoutes({
    policy,
    repo: deps.repo,
    logger: deps.logger,
    now: deps.now ?? (() => new Date()),
    options: deps.outbound,
  });
  const service = new CaseService({
    repo: deps.repo,
    policy,
    exportsDir: deps.exportsDir,
    now: deps.now,
    idempotencyTtlSec: deps.retention?.idempotencyTtlSec,
    exportTtlSec: deps.retention?.exportTtlSec,
    onTransition: outbound.onTransition,
  });

  // request id + logger → security headers → CORS → rate limit → JSON body → content-type guard →
  // authentication on every route not declared public (deny by default); after: 404 → error handler.
  const baseline = secureBaseline({
    config: deps.config,
    auth: deps.auth,
    logger: deps.logger,
    publicRoutes: PUBLIC_ROUTES.map((r) => ({ ...r })),
    // The CSV import is the one route whose body is not JSON; it parses (and limits) it itself.
    bodyTypes: [{ method: 'POST', path: '/cases/import', types: ['text/csv'] }],
    rateLimit: {
      ...(deps.rateLimit?.store === undefined ? {} : { store: deps.rateLimit.store }),
      ...(deps.rateLimit?.windowMs === undefined ? {} : { windowMs: deps.rateLimit.windowMs }),
      ...(deps.rateLimit?.limit === undefined ? {} : { limit: deps.rateLimit.limit }),
    },
  });
  app.use(baseline.before);
  app.get('/health', function health(_req, res) {
    res.json({ status: 'ok' });
  });
  app.use(outbound.router(service));
  app.use(caseRoutes(service, deps.exportsDir));
  app.use(baseline.after);
  return { app, ready: () => baseline.ready(), shutdown: () => baseline.shutdown() };
}
