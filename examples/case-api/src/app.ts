// createService(deps) / createApp(deps): the case-tracker API on the Portcullis baseline. Everything it
// needs is injected.
import type { createLogger } from '@portcullis/logging';
import express, { type Express } from 'express';
import { secureBaseline, type AuthOverrides, type DeployFinding } from '@portcullis/baseline';
import type { SecurityConfig } from '@portcullis/config';
import type { PresetOptions } from '@portcullis/ratelimit';
import { outboundRoutes, type OutboundOptions } from './outbound.js';
import { createCasePolicy } from './policy.js';
import { EvidenceService } from './evidence.js';
import { evidenceRoutes } from './evidence-routes.js';
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
  /**
   * Additions to the jwtAuth options the baseline derives from the config (authOptionsFromConfig): the
   * development key set `{ jwks }` when there is no JWKS_URI, a shared DPoP replay store `{ dpop: { replay } }`.
   * @default {} (everything from the config)
   */
  readonly auth?: AuthOverrides | undefined;
  /** Existing directory the export files live in. */
  readonly exportsDir: string;
  /** EVIDENCE_DIR: existing directory with mode 0700 for evidence files; without it the evidence routes are absent. */
  readonly evidenceDir?: string | undefined;
  /** Clock. @default () => new Date() */
  readonly now?: (() => Date) | undefined;
  /** IDEMPOTENCY_TTL_SEC / EXPORT_TTL_SEC from loadSettings(). @default 86400 / 3600 seconds */
  readonly retention?: Partial<RetentionSettings> | undefined;
  /** URL import and webhooks: IMPORT_URL_HOSTS from loadSettings() plus egress overrides (tests). @default the URL import refuses every request; webhooks to public hosts over https */
  readonly outbound?: OutboundOptions | undefined;
  /** Overrides of the limiter by client address (before authentication): a Redis store for several instances. @default memory store, RATE_LIMIT_* */
  readonly rateLimit?: PresetOptions | undefined;
  /** Overrides of the limiter by token subject (after authentication): its own Redis store. @default memory store, RATE_LIMIT_SUBJECT_* */
  readonly subjectRateLimit?: PresetOptions | undefined;
}

/** Public routes: everything else requires a valid token (deny by default). */
export const PUBLIC_ROUTES = [{ method: 'GET', path: '/health' }] as const;

/** The app plus the baseline's lifecycle: what a process that listens needs. */
export interface CaseApiService {
  readonly app: Express;
  /** Loads the key set (a remote JWKS) before listen(), so the first request does not wait for it. Rejects if it cannot. */
  readonly ready: () => Promise<void>;
  /** Stops the rate limiters' timers (and their stores'); call on shutdown, after the server closed. */
  readonly shutdown: () => Promise<void>;
  /** The baseline's deploy self-check of this app with its config (see @portcullis/baseline checkDeploy). */
  readonly checkDeploy: () => DeployFinding[];
}

/** Builds the Express app. Does not listen. */
export function createApp(deps: AppDeps): Express {
  return createService(deps).app;
}

/** Builds the Express app and returns it with the baseline's ready() / shutdown(). Does not listen. */
export function createService(deps: AppDeps): CaseApiService {
  const app = express();
  const policy = createCasePolicy(function logDenial(decision) {
    // Ids only (never the case or the claims): who was denied what, for the security log. The event's
    // requestId is the server's id of the request, the one in the request log and the audit rows.
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

  // request id + logger → security headers → CORS → rate limit by address → authentication on every
  // route not declared public (deny by default) → rate limit by subject → content-type guard → JSON body;
  // after: 404 → error handler. install() also applies TRUST_PROXY and turns x-powered-by off.
  const baseline = secureBaseline({
    config: deps.config,
    auth: deps.auth ?? {},
    logger: deps.logger,
    publicRoutes: PUBLIC_ROUTES.map((r) => ({ ...r })),
    // The CSV import is the one route whose body is not JSON; it parses (and limits) it itself.
    bodyTypes: [
      { method: 'POST', path: '/cases/import', types: ['text/csv'] },
      // Evidence uploads: parsed (and limited) by @portcullis/upload on that route only.
      { method: 'POST', path: '/cases/:id/evidence', types: ['multipart/form-data'] },
    ],
    rateLimit: deps.rateLimit,
    subjectRateLimit: deps.subjectRateLimit,
  });
  baseline.install(app);
  app.get('/health', function health(_req, res) {
    res.json({ status: 'ok' });
  });
  app.use(outbound.router(service));
  app.use(caseRoutes(service, deps.exportsDir));
  if (deps.evidenceDir !== undefined) {
    app.use(evidenceRoutes(new EvidenceService({ repo: deps.repo, policy, now: deps.now }), deps.evidenceDir));
  }
  app.use(baseline.after);
  return {
    app,
    ready: () => baseline.ready(),
    shutdown: () => baseline.shutdown(),
    checkDeploy: () => baseline.checkDeploy(),
  };
}
