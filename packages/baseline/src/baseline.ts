// secureBaseline: every Portcullis control in the right order, from one call, and the app settings it owns.
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { ErrorRequestHandler, Express, Request, RequestHandler } from 'express';
import { jwtAuth } from '@portcullis/auth';
import type { SecurityConfig } from '@portcullis/config';
import { strictCors } from '@portcullis/cors';
import { ForbiddenError, errorHandler, notFoundHandler } from '@portcullis/errors';
import { createLogger, requestLogger } from '@portcullis/logging';
import { rateLimit, trustProxy, type PresetOptions, type RateLimitMiddleware } from '@portcullis/ratelimit';
import { mergeAuthOptions, type AuthOverrides } from './auth-options.js';
import { csrfGuard } from './csrf.js';
import { isDangerousFindingId } from './dangerous.js';
import { assertDeploy, checkDeploy, type CheckDeployOptions, type DeployFinding } from './deploy.js';
import { securityHeaders, type SecurityHeadersOverrides } from './headers.js';
import { jsonBody, requireJson, type BodyTypeRoute } from './json.js';
import { checkOptions, describeValue, optionError, type OptionKeys } from '@portcullis/errors/options';
import { compileRoute, matchRoute, pathnameOf, type RouteSpec } from './routes.js';
import { tag, type Acknowledgement, type BaselineMeta, type CookiePolicy, type Piece } from './tags.js';
import type { BaselineErrorCode } from './errors.js';

type Next = (err?: unknown) => void;
type Logger = ReturnType<typeof createLogger>;
type AuthMiddleware = ((req: IncomingMessage, res: ServerResponse, next: Next) => void) & {
  ready?: () => Promise<void>;
};

/** Options of secureBaseline(). */
export interface SecureBaselineOptions {
  /** The result of loadSecurityConfig() from @portcullis/config. Required. */
  config: SecurityConfig;
  /**
   * jwtAuth options over those authOptionsFromConfig(config) derives (JWT_ISSUER, JWT_AUDIENCE,
   * JWT_ALGORITHMS, JWKS_URI / JWT_SECRET, ACCESS_TOKEN_MAX_TTL_SEC, JWT_VERIFIED_TOKEN_CACHE_*, JWT_DPOP /
   * PUBLIC_ORIGIN): what you pass wins, a key source you pass replaces the configuration's, and `dpop` is
   * merged one level deep (pass `{ dpop: { replay } }` to share a replay store). Or a ready jwtAuth
   * middleware. Required: authentication is never optional. `{}` takes everything from the config.
   */
  auth: AuthOverrides | AuthMiddleware;
  /** Routes reachable without a token; every other route requires one. @default [{ method: "GET", path: "/health" }] */
  publicRoutes?: RouteSpec[] | undefined;
  /**
   * Mount paths (e.g. "/assets") where an `express.static` registered before the baseline is meant to
   * serve files without a token; checkDeploy reports any other static handler before authentication.
   * @default []
   */
  publicStatic?: string[] | undefined;
  /**
   * Overrides of the limiter keyed by client address, before authentication (store, windowMs, limit,
   * storeTimeoutMs, dangerouslyAllowOnStoreError, …). @default name "ip", RATE_LIMIT_WINDOW_SEC / RATE_LIMIT_MAX, memory store
   */
  rateLimit?: PresetOptions | undefined;
  /**
   * Overrides of the limiter keyed by token subject, after authentication (public routes and requests
   * without a subject are not counted). Pass its own store (one store per limiter).
   * @default name "subject", RATE_LIMIT_SUBJECT_WINDOW_SEC / RATE_LIMIT_SUBJECT_MAX, memory store
   */
  subjectRateLimit?: PresetOptions | undefined;
  /** A logger from @portcullis/logging createLogger(). @default createLogger({ level: config.logLevel }) */
  logger?: Logger | undefined;
  /** Set when the app authenticates with cookies: turns csrfGuard on. An object describes the cookie for checkDeploy(). @default false */
  cookies?: boolean | CookiePolicy | undefined;
  /** Routes that take a body other than JSON, e.g. [{ method: "POST", path: "/import", types: ["text/csv"] }]. @default [] */
  bodyTypes?: BodyTypeRoute[] | undefined;
  /** Overrides of the "api" security headers profile (`dangerouslyDisable…` to remove a protective header). */
  headers?: SecurityHeadersOverrides | undefined;
  /** Routes not logged on success, as requestLogger's quietRoutes. @default ["GET /health"] */
  quietRoutes?: string[] | undefined;
  /**
   * `dangerously…` findings accepted on purpose, each with a reason of at least 10 characters:
   * `[{ id: "DEPLOY_DANGEROUSLY_DISABLE_CONTENT_SECURITY_POLICY", reason: "…" }]`. checkDeploy then
   * reports them as warnings carrying the reason instead of errors. @default []
   */
  acknowledge?: Acknowledgement[] | undefined;
}

/** What secureBaseline() returns. */
export interface SecureBaseline {
  /**
   * Applies the app settings the baseline owns and mounts the pipeline at the root: `trust proxy` from
   * TRUST_PROXY (validated; never "every address"), `x-powered-by` off, then `app.use(before)`. It
   * remembers the app for `checkDeploy()`. Call it once, before your routes; mount `after` after them.
   */
  install(app: Express): void;
  /** The pipeline, for custom layouts (then apply trust proxy and x-powered-by yourself): `app.use(baseline.before)`. */
  readonly before: RequestHandler[];
  /** Mount after your routes: `app.use(baseline.after)`. */
  readonly after: [RequestHandler, ErrorRequestHandler];
  /** The logger used by the pipeline. */
  readonly logger: Logger;
  /** checkDeploy() of the installed app with this baseline's config. Throws if install() was not called. */
  checkDeploy(options?: CheckDeployOptions): DeployFinding[];
  /** assertDeploy() of the installed app with this baseline's config. Throws if install() was not called. */
  assertDeploy(options?: CheckDeployOptions): DeployFinding[];
  /** Pre-warms the key set (remote JWKS); call before listen() so the first request does not wait. */
  ready(): Promise<void>;
  /** Stops both rate limiters' timers (and their stores'). */
  shutdown(): Promise<void>;
}

const OPTION_KEYS: OptionKeys<SecureBaselineOptions> = {
  config: true,
  auth: true,
  publicRoutes: true,
  publicStatic: true,
  rateLimit: true,
  subjectRateLimit: true,
  logger: true,
  cookies: true,
  bodyTypes: true,
  headers: true,
  quietRoutes: true,
  acknowledge: true,
};
const COOKIE_KEYS: OptionKeys<CookiePolicy> = { secure: true, httpOnly: true, sameSite: true };
const ACKNOWLEDGE_KEYS: OptionKeys<Acknowledgement> = { id: true, reason: true };

const MOUNT_SEGMENT = /^[A-Za-z0-9._~@-]+$/;
const isMountPath = (p: unknown): boolean =>
  typeof p === 'string' &&
  (p === '/' ||
    (p.startsWith('/') &&
      p
        .slice(1)
        .split('/')
        .every((s) => MOUNT_SEGMENT.test(s))));
const MIN_REASON = 10;

function isConfig(value: unknown): value is SecurityConfig {
  if (typeof value !== 'object' || value === null) return false;
  const c = value as Record<string, unknown>;
  return (
    typeof c['profile'] === 'string' &&
    Array.isArray(c['allowedOrigins']) &&
    typeof c['bodyLimit'] === 'number' &&
    typeof c['rateLimitMax'] === 'number' &&
    typeof c['rateLimitSubjectMax'] === 'number'
  );
}

function checkCookies(value: unknown): false | true | CookiePolicy {
  if (value === undefined || value === false) return false;
  if (value === true) return true;
  if (typeof value === 'object' && value !== null) {
    const c = value as Record<string, unknown>;
    checkOptions('baseline', value, COOKIE_KEYS, 'cookies');
    if (
      typeof c['secure'] !== 'boolean' ||
      typeof c['httpOnly'] !== 'boolean' ||
      !['strict', 'lax', 'none', false].includes(c['sameSite'] as string)
    ) {
      throw optionError(
        'baseline',
        'cookies',
        'must be true, false or { secure: boolean, httpOnly: boolean, sameSite: "strict" | "lax" | "none" | false }',
        'see the options table of the @portcullis/baseline README',
      );
    }
    return value as CookiePolicy;
  }
  throw optionError(
    'baseline',
    'cookies',
    'must be a boolean or a cookie policy object',
    'e.g. true, or { secure: true, httpOnly: true, sameSite: "lax" }',
    value,
  );
}

function checkAcknowledge(value: unknown): Acknowledgement[] {
  if (value === undefined) return [];
  if (!Array.isArray(value))
    throw optionError(
      'baseline',
      'acknowledge',
      `must be an array of { id, reason }`,
      'see the options table of the @portcullis/baseline README',
      value,
    );
  return value.map((entry: unknown) => {
    const { id, reason } = checkOptions('baseline', entry, ACKNOWLEDGE_KEYS, 'acknowledge');
    if (!isDangerousFindingId(id)) {
      throw optionError(
        'baseline',
        'acknowledge',
        `id ${describeValue(id)} is not a finding that can be acknowledged (only DEPLOY_DANGEROUSLY_… ids)`,
        'see the options table of the @portcullis/baseline README',
      );
    }
    if (typeof reason !== 'string' || reason.trim().length < MIN_REASON) {
      throw optionError(
        'baseline',
        'acknowledge',
        `${id} needs a "reason": a sentence of at least ${MIN_REASON} characters`,
        'see the options table of the @portcullis/baseline README',
      );
    }
    return Object.freeze({ id, reason: reason.trim() });
  });
}

function checkPublicStatic(value: unknown): string[] {
  if (value === undefined) return [];
  if (!Array.isArray(value) || !value.every(isMountPath)) {
    throw optionError(
      'baseline',
      'publicStatic',
      `must be an array of mount paths such as "/assets"`,
      'see the options table of the @portcullis/baseline README',
      value,
    );
  }
  return [...(value as string[])];
}

/** Copies the defined keys of a limiter override, refusing `key` (the baseline decides what a bucket is). */
function limiterOverrides(option: string, value: unknown): PresetOptions {
  if (value === undefined) return {};
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    throw optionError(
      'baseline',
      option,
      `must be an object of rate-limit options`,
      'see the options table of the @portcullis/baseline README',
      value,
    );
  }
  if ('key' in value && (value as { key?: unknown }).key !== undefined) {
    throw optionError(
      'baseline',
      `${option}.key`,
      `cannot be changed: the ${option === 'rateLimit' ? 'address' : 'subject'} is the key`,
      'see the options table of the @portcullis/baseline README',
    );
  }
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(value)) if (v !== undefined) out[k] = v;
  return out;
}

function hasSubject(req: Request): boolean {
  const subject = req.auth?.subject;
  return typeof subject === 'string' && subject !== '';
}

/**
 * Builds the whole pipeline: request id + logger → security headers ("api") → CORS → rate limit by
 * client address → CSRF (cookies only) → authentication on every route not declared public → rate
 * limit by token subject → content-type guard → JSON body. An unauthenticated request is refused
 * before its body is read. `after` is the 404 and the error handler. Mistakes throw here, at startup.
 */
export function secureBaseline(options: SecureBaselineOptions): SecureBaseline {
  const given = checkOptions('baseline', options, OPTION_KEYS);
  const config = given['config'];
  if (!isConfig(config))
    throw optionError(
      'baseline',
      'config',
      'must be the result of loadSecurityConfig() from @portcullis/config',
      'see the options table of the @portcullis/baseline README',
    );
  const authOption = given['auth'];
  if (
    authOption === undefined ||
    authOption === null ||
    (typeof authOption !== 'object' && typeof authOption !== 'function')
  ) {
    throw optionError(
      'baseline',
      'auth',
      'is required: jwtAuth options or a jwtAuth middleware (authentication is deny-by-default)',
      'see the options table of the @portcullis/baseline README',
    );
  }
  const cookies = checkCookies(given['cookies']);
  const publicSpecs = given['publicRoutes'] ?? [{ method: 'GET', path: '/health' }];
  if (!Array.isArray(publicSpecs))
    throw optionError(
      'baseline',
      'publicRoutes',
      `must be an array of { method, path }`,
      'see the options table of the @portcullis/baseline README',
      publicSpecs,
    );
  const publicRoutes = publicSpecs.map((spec: unknown) => compileRoute('secureBaseline', 'publicRoutes', spec));
  const publicStatic = checkPublicStatic(given['publicStatic']);
  const acknowledge = checkAcknowledge(given['acknowledge']);
  const quietRoutes = given['quietRoutes'] ?? ['GET /health'];

  const logger = (given['logger'] as Logger | undefined) ?? createLogger({ level: config.logLevel });
  const dangerous: string[] = [];
  let auth: AuthMiddleware;
  if (typeof authOption === 'function') auth = authOption as AuthMiddleware;
  else {
    const authOptions = mergeAuthOptions(config, authOption);
    if (authOptions.dangerouslyAllowHttpJwks === true) dangerous.push('dangerouslyAllowHttpJwks');
    auth = jwtAuth(authOptions);
  }

  const ipLimiter: RateLimitMiddleware = rateLimit({
    name: 'ip',
    windowMs: config.rateLimitWindowSec * 1000,
    limit: config.rateLimitMax,
    logger,
    ...limiterOverrides('rateLimit', given['rateLimit']),
    key: 'ip',
  });
  const subjectOverrides = limiterOverrides('subjectRateLimit', given['subjectRateLimit']);
  const userSkip = subjectOverrides.skip;
  const subjectLimiter: RateLimitMiddleware = rateLimit({
    name: 'subject',
    windowMs: config.rateLimitSubjectWindowSec * 1000,
    limit: config.rateLimitSubjectMax,
    logger,
    ...subjectOverrides,
    key: 'subject',
    // Public routes (and tokens without a subject) are not counted here; the address limit covers them.
    skip: (req) => !hasSubject(req) || (userSkip !== undefined && userSkip(req)),
  });

  const meta: BaselineMeta = Object.freeze({
    cookies,
    publicRoutes: Object.freeze(publicRoutes),
    publicStatic: Object.freeze(publicStatic),
    dangerous: Object.freeze(dangerous),
    acknowledge: Object.freeze(acknowledge),
  });
  const before: RequestHandler[] = [];
  const add = (fn: unknown, piece: Piece): void => {
    before.push(tag(fn as RequestHandler, piece, meta));
  };

  add(
    requestLogger({ logger, quietRoutes: quietRoutes as string[], trustIncomingRequestId: config.trustRequestId }),
    'requestLogger',
  );
  add(securityHeaders('api', given['headers'] as SecurityHeadersOverrides | undefined), 'securityHeaders');
  if (config.allowedOrigins.length > 0) {
    add(strictCors({ origins: [...config.allowedOrigins], credentials: cookies !== false }), 'cors');
  } else {
    // No cross-origin caller is allowed: no Access-Control-* header ever, preflights refused.
    add(function noCrossOrigin(req: IncomingMessage, res: ServerResponse, next: Next): void {
      res.setHeader('Vary', 'Origin');
      if (req.method === 'OPTIONS' && req.headers['access-control-request-method'] !== undefined) {
        next(
          new ForbiddenError<BaselineErrorCode>('CORS preflight refused: no allowed origins', {
            code: 'cors_rejected',
          }),
        );
        return;
      }
      next();
    }, 'cors');
  }
  add(ipLimiter, 'rateLimit');
  if (cookies !== false) add(csrfGuard({ trustedOrigins: [...config.allowedOrigins] }), 'csrfGuard');
  add(function authenticate(req: IncomingMessage, res: ServerResponse, next: Next): void {
    if (publicRoutes.length > 0) {
      const pathname = pathnameOf(req.url);
      for (const route of publicRoutes) {
        if (matchRoute(route, req.method, pathname)) {
          next();
          return;
        }
      }
    }
    auth(req, res, next);
  }, 'authenticate');
  add(subjectLimiter, 'subjectRateLimit');
  const bodyTypes = given['bodyTypes'] as BodyTypeRoute[] | undefined;
  add(requireJson(bodyTypes === undefined ? {} : { allow: bodyTypes }), 'requireJson');
  add(jsonBody({ limit: config.bodyLimit }), 'jsonBody');

  const after: [RequestHandler, ErrorRequestHandler] = [
    tag(notFoundHandler() as RequestHandler, 'notFound'),
    tag(errorHandler({ logger }) as ErrorRequestHandler, 'errorHandler'),
  ];

  let installed: Express | undefined;
  const installedApp = (): Express => {
    if (installed === undefined)
      throw optionError(
        'baseline',
        'checkDeploy()',
        'needs baseline.install(app) first',
        'call baseline.install(app) before checkDeploy()/assertDeploy()',
      );
    return installed;
  };

  return Object.freeze({
    install(app: Express): void {
      if (typeof app !== 'function' || typeof (app as Partial<Express>).set !== 'function') {
        throw optionError(
          'baseline',
          'install()',
          'needs an Express application',
          'pass the app: baseline.install(app)',
          app,
        );
      }
      if (installed !== undefined)
        throw optionError('baseline', 'install()', 'was already called', 'one baseline per app');
      // Validated by @portcullis/ratelimit: a hop count or proxy CIDRs, never "every address".
      if (config.trustProxy === false) app.set('trust proxy', false);
      else trustProxy(app, config.trustProxy);
      app.disable('x-powered-by');
      app.use(before);
      installed = app;
    },
    before,
    after,
    logger,
    checkDeploy(options?: CheckDeployOptions): DeployFinding[] {
      return checkDeploy(installedApp(), config, options);
    },
    assertDeploy(options?: CheckDeployOptions): DeployFinding[] {
      return assertDeploy(installedApp(), config, options);
    },
    async ready() {
      await auth.ready?.();
    },
    async shutdown() {
      await Promise.all([ipLimiter.shutdown(), subjectLimiter.shutdown()]);
    },
  });
}
