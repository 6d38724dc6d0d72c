// checkDeploy / assertDeploy: a pre-deploy self-check of an Express app, like Django's `check --deploy`.
import type { SecurityConfig } from '@portcullis/config';
import { describeLimiter } from '@portcullis/ratelimit';
import { PIECES, metaOf, pieceOf, type Piece } from './tags.js';

/** One finding of checkDeploy(). */
export interface DeployFinding {
  /** Stable id, e.g. "DEPLOY_ROUTE_AFTER_ERROR_HANDLER", or a @portcullis/config rule id such as "SEC_DEBUG_ON". */
  id: string;
  /** "error" blocks a deploy (assertDeploy throws); "warning" should be looked at. */
  severity: 'error' | 'warning';
  /** What is wrong and how to fix it. */
  message: string;
  /** The OWASP ASVS 4.0.3 requirement it relates to. */
  asvs?: string;
}

/** Options of checkDeploy(). */
export interface CheckDeployOptions {
  /** How many instances (replicas) will run. @default INSTANCES or REPLICAS from the environment, else 1 */
  instances?: number | undefined;
}

interface Layer {
  name?: string;
  handle?: unknown;
  route?: unknown;
}

type AppLike = { get(name: string): unknown; router?: { stack?: Layer[] }; _router?: { stack?: Layer[] } };

const MISSING: Readonly<Record<(typeof PIECES)[number], { id: string; message: string; asvs: string }>> = {
  requestLogger: {
    id: 'DEPLOY_MISSING_REQUEST_LOGGER',
    message: 'no request logger: requests are not traced and not logged',
    asvs: 'V7.1.3',
  },
  securityHeaders: {
    id: 'DEPLOY_MISSING_SECURITY_HEADERS',
    message: 'no security headers middleware: responses lack CSP, HSTS, nosniff, frame protection',
    asvs: 'V14.4.1',
  },
  cors: { id: 'DEPLOY_MISSING_CORS', message: 'no strict CORS middleware', asvs: 'V14.5.3' },
  rateLimit: {
    id: 'DEPLOY_MISSING_RATE_LIMIT',
    message: 'no rate limiter: brute force and floods are unlimited',
    asvs: 'V11.1.4',
  },
  jsonBody: {
    id: 'DEPLOY_MISSING_JSON_BODY',
    message: 'no strict JSON body parser (size, depth, prototype keys)',
    asvs: 'V13.1.1',
  },
  requireJson: {
    id: 'DEPLOY_MISSING_CONTENT_TYPE_GUARD',
    message: 'no content-type guard: form posts reach JSON handlers',
    asvs: 'V13.1.5',
  },
  csrfGuard: { id: 'DEPLOY_MISSING_CSRF', message: 'cookie authentication without csrfGuard', asvs: 'V4.2.2' },
  authenticate: {
    id: 'DEPLOY_MISSING_AUTH',
    message: 'no deny-by-default authentication before the routes',
    asvs: 'V4.1.3',
  },
};

function stackOf(app: AppLike): Layer[] | undefined {
  try {
    // Express 5 exposes `app.router`; Express 4 keeps `app._router` (absent until the first route).
    const router = 'router' in app && app.router !== undefined ? app.router : app._router;
    return Array.isArray(router?.stack) ? router.stack : undefined;
  } catch {
    return undefined;
  }
}

function handlerName(layer: Layer): string {
  const handle = layer.handle;
  return typeof handle === 'function' ? handle.name : (layer.name ?? '');
}

function instancesFromEnv(): number {
  const raw = process.env['INSTANCES'] ?? process.env['REPLICAS'];
  const n = raw === undefined ? 1 : Number(raw);
  return Number.isInteger(n) && n > 0 ? n : 1;
}

/**
 * Inspects the app's router stack and the loaded configuration and lists what is missing or unsafe.
 * Mount everything (baseline, routes, `after`) before calling it.
 */
export function checkDeploy(app: unknown, config: SecurityConfig, options: CheckDeployOptions = {}): DeployFinding[] {
  const findings: DeployFinding[] = [];
  const add = (id: string, severity: DeployFinding['severity'], message: string, asvs?: string): void => {
    findings.push(asvs === undefined ? { id, severity, message } : { id, severity, message, asvs });
  };
  if (typeof app !== 'function' || typeof (app as unknown as AppLike).get !== 'function') {
    throw new TypeError('@portcullis/baseline: checkDeploy: "app" must be an Express application');
  }
  const express = app as unknown as AppLike;
  const stack = stackOf(express) ?? [];

  // 1. The pipeline: pieces present, in order, routes before the 404 and error handler.
  const positions = new Map<Piece, number>();
  let cookies: unknown = false;
  let firstRoute = -1;
  let lastRoute = -1;
  let notFound = -1;
  let errorAt = -1;
  stack.forEach((layer, index) => {
    const piece = pieceOf(layer.handle);
    if (piece !== undefined && !positions.has(piece)) positions.set(piece, index);
    const meta = metaOf(layer.handle);
    if (meta !== undefined) cookies = meta.cookies;
    const name = handlerName(layer);
    const isRoute = layer.route !== undefined || name === 'router' || name === 'mounted_app';
    if (isRoute) {
      if (firstRoute === -1) firstRoute = index;
      lastRoute = index;
    }
    if (piece === 'notFound' || name === 'portcullisNotFound') notFound = notFound === -1 ? index : notFound;
    if (piece === 'errorHandler' || name === 'portcullisErrorHandler') errorAt = errorAt === -1 ? index : errorAt;
  });

  for (const piece of PIECES) {
    if (piece === 'csrfGuard' && cookies === false) continue;
    if (!positions.has(piece)) {
      const m = MISSING[piece];
      add(m.id, 'error', `${m.message}. Mount secureBaseline(...).before before the routes.`, m.asvs);
    }
  }
  let previous = -1;
  for (const piece of PIECES) {
    const at = positions.get(piece);
    if (at === undefined) continue;
    if (at < previous) {
      add(
        'DEPLOY_PIPELINE_ORDER',
        'error',
        `"${piece}" runs out of order; the pipeline order is ${PIECES.join(' → ')}.`,
        'V1.4.1',
      );
      break;
    }
    previous = at;
  }
  const authAt = positions.get('authenticate');
  if (authAt !== undefined && firstRoute !== -1 && firstRoute < authAt) {
    add(
      'DEPLOY_ROUTE_BEFORE_AUTH',
      'error',
      'a route is registered before authentication: it is reachable without a token. Register routes after baseline.before.',
      'V4.1.3',
    );
  }
  if (errorAt === -1) {
    add(
      'DEPLOY_MISSING_ERROR_HANDLER',
      'error',
      "no Portcullis error handler: Express's default prints stack traces outside production. Mount baseline.after last.",
      'V7.4.1',
    );
  }
  if (notFound === -1)
    add(
      'DEPLOY_MISSING_NOT_FOUND',
      'warning',
      "no 404 handler: unmatched routes get Express's HTML 404. Mount baseline.after last.",
      'V7.4.1',
    );
  const end = Math.min(notFound === -1 ? Infinity : notFound, errorAt === -1 ? Infinity : errorAt);
  if (lastRoute !== -1 && lastRoute > end) {
    add(
      'DEPLOY_ROUTE_AFTER_ERROR_HANDLER',
      'error',
      'a route is registered after the 404/error handler and can never be reached as intended. Register routes before baseline.after.',
      'V1.4.1',
    );
  }

  // 2. Settings of the app.
  const trustProxy = express.get('trust proxy');
  if (trustProxy === true || trustProxy === '*') {
    add(
      'DEPLOY_TRUST_PROXY_ANY',
      'error',
      '"trust proxy" is true, so every client can spoof X-Forwarded-For and dodge rate limits. Use trustProxy(app, hops or CIDRs).',
      'V14.1.1',
    );
  }
  if (express.get('x-powered-by') === true) {
    add(
      'DEPLOY_X_POWERED_BY',
      'warning',
      'x-powered-by is enabled; call app.disable("x-powered-by") (securityHeaders removes the header, but disable it at the source).',
      'V14.3.3',
    );
  }

  // 3. The configuration.
  if (config.profile !== 'production') {
    add(
      'DEPLOY_NOT_PRODUCTION',
      'error',
      `the configuration was loaded in the "${config.profile}" profile; set NODE_ENV=production (and no APP_ENV) for a deployment.`,
      'V14.3.2',
    );
  }
  for (const warning of config.warnings) {
    add(
      warning.rule,
      'error',
      `${warning.key}: ${warning.message}. ${warning.hint}`,
      warning.rule === 'SEC_DEBUG_ON' ? 'V14.3.2' : undefined,
    );
  }
  const seen = new Set(config.warnings.map((w) => w.rule));
  if (config.debug && !seen.has('SEC_DEBUG_ON'))
    add('SEC_DEBUG_ON', 'error', 'DEBUG is on; turn it off in production.', 'V14.3.2');
  if (config.allowedOrigins.some((o) => o === '*' || o === 'null') && !seen.has('SEC_CORS_WILDCARD')) {
    add('SEC_CORS_WILDCARD', 'error', 'ALLOWED_ORIGINS contains "*" or "null"; list exact origins.', 'V14.5.3');
  }

  // 4. Rate limiting across instances.
  const instances = options.instances ?? instancesFromEnv();
  const limiterAt = positions.get('rateLimit');
  const limiter = limiterAt === undefined ? undefined : describeLimiter(stack[limiterAt]?.handle);
  if (limiter !== undefined && !limiter.shared && instances > 1) {
    add(
      'DEPLOY_MEMORY_RATE_LIMIT_STORE',
      'error',
      `the rate limiter "${limiter.name}" counts in memory while ${instances} instances are declared: each instance allows the full limit. Pass a redisStore.`,
      'V11.1.4',
    );
  }

  // 5. Cookies.
  if (cookies !== false) {
    if (cookies === true) {
      add(
        'DEPLOY_COOKIE_POLICY_UNKNOWN',
        'warning',
        'cookies: true without a cookie policy; pass cookies: { secure, httpOnly, sameSite } so the flags can be checked.',
        'V3.4.1',
      );
    } else {
      const policy = cookies as { secure: boolean; httpOnly: boolean; sameSite: string | false };
      const missing = [
        !policy.secure && 'Secure',
        !policy.httpOnly && 'HttpOnly',
        (policy.sameSite === false || policy.sameSite === 'none') && 'SameSite=Lax/Strict',
      ].filter(Boolean);
      if (missing.length > 0)
        add('DEPLOY_COOKIE_FLAGS', 'error', `the authentication cookie lacks ${missing.join(', ')}.`, 'V3.4.1');
    }
  }
  return findings;
}

/** Throws an Error listing every error finding of checkDeploy(); returns the findings otherwise. */
export function assertDeploy(app: unknown, config: SecurityConfig, options?: CheckDeployOptions): DeployFinding[] {
  const findings = checkDeploy(app, config, options);
  const errors = findings.filter((f) => f.severity === 'error');
  if (errors.length > 0) {
    const error = new Error(
      `@portcullis/baseline: deploy check failed:\n${errors.map((f) => `  - ${f.id}: ${f.message}`).join('\n')}`,
    );
    Object.defineProperty(error, 'findings', { value: findings, enumerable: true });
    throw error;
  }
  return findings;
}
