// secureBaseline: every Portcullis control in the right order, from one call.
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { ErrorRequestHandler, RequestHandler } from 'express';
import { jwtAuth, type JwtAuthOptions } from '@portcullis/auth';
import type { SecurityConfig } from '@portcullis/config';
import { strictCors } from '@portcullis/cors';
import { ForbiddenError, errorHandler, notFoundHandler } from '@portcullis/errors';
import { createLogger, requestLogger } from '@portcullis/logging';
import { apiLimiter, type PresetOptions } from '@portcullis/ratelimit';
import { csrfGuard } from './csrf.js';
import { securityHeaders, type SecurityHeadersOverrides } from './headers.js';
import { jsonBody, requireJson, type BodyTypeRoute } from './json.js';
import { checkKeys, fail, show } from './options.js';
import { compileRoute, matchRoute, pathnameOf, type RouteSpec } from './routes.js';
import { tag, type CookiePolicy } from './tags.js';

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
   * jwtAuth options (issuer, audience, algorithms and the key source default to the config's
   * JWT_ISSUER, JWT_AUDIENCE, JWT_ALGORITHMS, JWKS_URI / JWT_SECRET and ACCESS_TOKEN_MAX_TTL_SEC;
   * verifiedTokenCache to JWT_VERIFIED_TOKEN_CACHE_MAX_ENTRIES / _MAX_AGE_SEC when MAX_ENTRIES > 0),
   * or a ready jwtAuth middleware. Required: authentication is never optional.
   */
  auth: Partial<JwtAuthOptions> | AuthMiddleware;
  /** Routes reachable without a token; every other route requires one. @default [{ method: "GET", path: "/health" }] */
  publicRoutes?: RouteSpec[] | undefined;
  /** Rate-limit overrides (store, windowMs, limit, …) of the apiLimiter preset. @default config RATE_LIMIT_WINDOW_SEC / RATE_LIMIT_MAX, memory store */
  rateLimit?: PresetOptions | undefined;
  /** A logger from @portcullis/logging createLogger(). @default createLogger({ level: config.logLevel }) */
  logger?: Logger | undefined;
  /** Set when the app authenticates with cookies: turns csrfGuard on. An object describes the cookie for checkDeploy(). @default false */
  cookies?: boolean | CookiePolicy | undefined;
  /** Routes that take a body other than JSON, e.g. [{ method: "POST", path: "/import", types: ["text/csv"] }]. @default [] */
  bodyTypes?: BodyTypeRoute[] | undefined;
  /** Overrides of the "api" security headers profile. */
  headers?: SecurityHeadersOverrides | undefined;
  /** Routes not logged on success, as requestLogger's quietRoutes. @default ["GET /health"] */
  quietRoutes?: string[] | undefined;
}

/** What secureBaseline() returns. */
export interface SecureBaseline {
  /** Mount before your routes: `app.use(baseline.before)`. */
  readonly before: RequestHandler[];
  /** Mount after your routes: `app.use(baseline.after)`. */
  readonly after: [RequestHandler, ErrorRequestHandler];
  /** The logger used by the pipeline. */
  readonly logger: Logger;
  /** Pre-warms the key set (remote JWKS); call before listen() so the first request does not wait. */
  ready(): Promise<void>;
  /** Stops the rate limiter's timers (and its store's). */
  shutdown(): Promise<void>;
}

const OPTION_KEYS = [
  'config',
  'auth',
  'publicRoutes',
  'rateLimit',
  'logger',
  'cookies',
  'bodyTypes',
  'headers',
  'quietRoutes',
];

function isConfig(value: unknown): value is SecurityConfig {
  if (typeof value !== 'object' || value === null) return false;
  const c = value as Record<string, unknown>;
  return (
    typeof c['profile'] === 'string' &&
    Array.isArray(c['allowedOrigins']) &&
    typeof c['bodyLimit'] === 'number' &&
    typeof c['rateLimitMax'] === 'number'
  );
}

function authFromConfig(config: SecurityConfig, given: Partial<JwtAuthOptions>): JwtAuthOptions {
  const hasKeySource =
    given.jwksUri !== undefined ||
    given.jwks !== undefined ||
    given.publicKey !== undefined ||
    given.secret !== undefined;
  const options: Record<string, unknown> = {};
  if (config.jwtIssuer !== undefined) options['issuer'] = config.jwtIssuer;
  if (config.jwtAudience !== undefined) options['audience'] = config.jwtAudience;
  if (config.jwtAlgorithms.length > 0) options['algorithms'] = config.jwtAlgorithms;
  options['maxTokenLifetimeSec'] = config.accessTokenMaxTtlSec;
  // 0 is off. A config from an older @portcullis/config lacks both fields: undefined is off too, and
  // a missing max age is left to jwtAuth's default. Any other value goes to jwtAuth, which validates it.
  const cacheEntries: unknown = config.jwtVerifiedTokenCacheMaxEntries;
  if (cacheEntries !== undefined && cacheEntries !== 0) {
    const cacheAge: unknown = config.jwtVerifiedTokenCacheMaxAgeSec;
    options['verifiedTokenCache'] =
      cacheAge === undefined ? { maxEntries: cacheEntries } : { maxEntries: cacheEntries, maxAgeSec: cacheAge };
  }
  if (!hasKeySource) {
    if (config.jwksUri !== undefined) options['jwksUri'] = config.jwksUri;
    else if (config.jwtSecret !== undefined) options['secret'] = config.jwtSecret;
  }
  for (const [key, value] of Object.entries(given)) if (value !== undefined) options[key] = value;
  return options as unknown as JwtAuthOptions;
}

function checkCookies(value: unknown): false | true | CookiePolicy {
  if (value === undefined || value === false) return false;
  if (value === true) return true;
  if (typeof value === 'object' && value !== null) {
    const c = value as Record<string, unknown>;
    checkKeys('secureBaseline', value, ['secure', 'httpOnly', 'sameSite']);
    if (
      typeof c['secure'] !== 'boolean' ||
      typeof c['httpOnly'] !== 'boolean' ||
      !['strict', 'lax', 'none', false].includes(c['sameSite'] as string)
    ) {
      fail(
        'secureBaseline',
        '"cookies" must be true, false or { secure: boolean, httpOnly: boolean, sameSite: "strict" | "lax" | "none" | false }',
      );
    }
    return value as CookiePolicy;
  }
  return fail('secureBaseline', `"cookies" must be a boolean or a cookie policy object (got ${show(value)})`);
}

/**
 * Builds the whole pipeline: request id + logger → security headers ("api") → CORS → rate limit →
 * JSON body → content-type guard → CSRF (cookies only) → authentication on every route not declared
 * public. `after` is the 404 and the error handler. Configuration mistakes throw here, at startup.
 */
export function secureBaseline(options: SecureBaselineOptions): SecureBaseline {
  const given = checkKeys('secureBaseline', options, OPTION_KEYS);
  const config = given['config'];
  if (!isConfig(config))
    fail('secureBaseline', '"config" must be the result of loadSecurityConfig() from @portcullis/config');
  const authOption = given['auth'];
  if (
    authOption === undefined ||
    authOption === null ||
    (typeof authOption !== 'object' && typeof authOption !== 'function')
  ) {
    fail(
      'secureBaseline',
      '"auth" is required: jwtAuth options or a jwtAuth middleware (authentication is deny-by-default)',
    );
  }
  const cookies = checkCookies(given['cookies']);
  const publicSpecs = given['publicRoutes'] ?? [{ method: 'GET', path: '/health' }];
  if (!Array.isArray(publicSpecs))
    fail('secureBaseline', `"publicRoutes" must be an array of { method, path } (got ${show(publicSpecs)})`);
  const publicRoutes = publicSpecs.map((spec: unknown) => compileRoute('secureBaseline', 'publicRoutes', spec));
  const quietRoutes = given['quietRoutes'] ?? ['GET /health'];

  const logger = (given['logger'] as Logger | undefined) ?? createLogger({ level: config.logLevel });
  const auth: AuthMiddleware =
    typeof authOption === 'function' ? (authOption as AuthMiddleware) : jwtAuth(authFromConfig(config, authOption));

  const limiter = apiLimiter({
    windowMs: config.rateLimitWindowSec * 1000,
    limit: config.rateLimitMax,
    logger,
    ...(given['rateLimit'] as PresetOptions | undefined),
  });

  const before: RequestHandler[] = [];
  const add = (fn: unknown, piece: Parameters<typeof tag>[1], meta?: Parameters<typeof tag>[2]): void => {
    before.push(tag(fn as RequestHandler, piece, meta));
  };

  add(requestLogger({ logger, quietRoutes: quietRoutes as string[] }), 'requestLogger', { cookies });
  add(securityHeaders('api', given['headers'] as SecurityHeadersOverrides | undefined), 'securityHeaders');
  if (config.allowedOrigins.length > 0) {
    add(strictCors({ origins: [...config.allowedOrigins], credentials: cookies !== false }), 'cors');
  } else {
    // No cross-origin caller is allowed: no Access-Control-* header ever, preflights refused.
    add(function noCrossOrigin(req: IncomingMessage, res: ServerResponse, next: Next): void {
      res.setHeader('Vary', 'Origin');
      if (req.method === 'OPTIONS' && req.headers['access-control-request-method'] !== undefined) {
        next(new ForbiddenError('CORS preflight refused: no allowed origins', { code: 'cors_rejected' }));
        return;
      }
      next();
    }, 'cors');
  }
  add(limiter, 'rateLimit');
  add(jsonBody({ limit: config.bodyLimit }), 'jsonBody');
  const bodyTypes = given['bodyTypes'] as BodyTypeRoute[] | undefined;
  add(requireJson(bodyTypes === undefined ? {} : { allow: bodyTypes }), 'requireJson');
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

  const after: [RequestHandler, ErrorRequestHandler] = [
    tag(notFoundHandler() as RequestHandler, 'notFound'),
    tag(errorHandler({ logger }) as ErrorRequestHandler, 'errorHandler'),
  ];

  return Object.freeze({
    before,
    after,
    logger,
    async ready() {
      await auth.ready?.();
    },
    async shutdown() {
      await limiter.shutdown();
    },
  });
}
