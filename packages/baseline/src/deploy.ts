// checkDeploy / assertDeploy: a pre-deploy self-check of an Express app, like Django's `check --deploy`.
import type { SecurityConfig } from '@portcullis/config';
import { describeLimiter } from '@portcullis/ratelimit';
import { DANGEROUS_FINDINGS, WHAT_IT_TURNS_OFF, type DangerousOption } from './dangerous.js';
import { matchRoute, type CompiledRoute } from './routes.js';
import {
  allLayers,
  handlerName,
  kindOf,
  mountPathOf,
  responds,
  routesOf,
  stackOf,
  type Layer,
  type RouteInfo,
} from './stack.js';
import { PIECES, dangerousOf, metaOf, pieceOf, type BaselineMeta, type Piece } from './tags.js';

/** One finding of checkDeploy(). */
export interface DeployFinding {
  /** Stable id, e.g. "DEPLOY_ROUTE_BEFORE_AUTH", or a @portcullis/config rule id such as "SEC_DEBUG_ON". */
  id: string;
  /** "error" blocks a deploy (assertDeploy throws); "warning" should be looked at. */
  severity: 'error' | 'warning';
  /** What is wrong, naming the route or middleware. */
  message: string;
  /** How to fix it. */
  fix: string;
  /** The OWASP ASVS 4.0.3 requirement it relates to. */
  asvs?: string;
  /** The reason given in `acknowledge` for an accepted `dangerously…` finding (then a warning). */
  acknowledged?: string;
}

/** Options of checkDeploy(). */
export interface CheckDeployOptions {
  /** How many instances (replicas) will run. @default INSTANCES or REPLICAS from the environment, else 1 */
  instances?: number | undefined;
}

type AppLike = { get(name: string): unknown };

const MOUNT = 'Call baseline.install(app) before your routes (or mount baseline.before first).';

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
    message: 'no rate limiter by client address: floods and brute force are unlimited',
    asvs: 'V11.1.4',
  },
  csrfGuard: { id: 'DEPLOY_MISSING_CSRF', message: 'cookie authentication without csrfGuard', asvs: 'V4.2.2' },
  authenticate: {
    id: 'DEPLOY_MISSING_AUTH',
    message: 'no deny-by-default authentication before the routes',
    asvs: 'V4.1.3',
  },
  subjectRateLimit: {
    id: 'DEPLOY_MISSING_SUBJECT_RATE_LIMIT',
    message: 'no rate limiter by token subject: one user can use the budget of everyone behind their address',
    asvs: 'V11.1.4',
  },
  requireJson: {
    id: 'DEPLOY_MISSING_CONTENT_TYPE_GUARD',
    message: 'no content-type guard: form posts reach JSON handlers',
    asvs: 'V13.1.5',
  },
  jsonBody: {
    id: 'DEPLOY_MISSING_JSON_BODY',
    message: 'no strict JSON body parser (size, depth, prototype keys)',
    asvs: 'V13.1.1',
  },
};

/**
 * Public addresses a trust-proxy setting must not trust: any of them trusted means a client
 * connecting from the internet can choose its own X-Forwarded-For, so its own address.
 */
export const PUBLIC_PROBE_ADDRESSES: readonly string[] = Object.freeze([
  '8.8.8.8',
  '1.1.1.1',
  '9.9.9.9',
  '52.95.110.1',
  '104.16.0.1',
  '185.199.108.153',
  '::ffff:8.8.8.8',
  '2001:4860:4860::8888',
  '2606:4700:4700::1111',
  '2a00:1450:4001:830::200e',
  '2620:fe::fe',
]);

function instancesFromEnv(): number {
  const raw = process.env['INSTANCES'] ?? process.env['REPLICAS'];
  const n = raw === undefined ? 1 : Number(raw);
  return Number.isInteger(n) && n > 0 ? n : 1;
}

function describeLayer(layer: Layer): string {
  const name = handlerName(layer);
  const mount = mountPathOf(layer);
  return `${name === '' ? 'an anonymous middleware' : `middleware "${name}"`}${mount === undefined || mount === '/' ? '' : ` at ${mount}`}`;
}

function describeRoute(route: RouteInfo): string {
  return `${route.methods.length === 0 ? '?' : route.methods.join(',')} ${route.path}`;
}

// A route registered with app.get('/health') is public when a public route declares exactly it.
function isPublicRoute(route: RouteInfo, publicRoutes: readonly CompiledRoute[]): boolean {
  if (route.methods.length === 0 || route.methods.includes('ALL')) return false;
  // Parameters stand for one segment: "/cases/:id" is probed with a literal segment.
  if (!/^\/[A-Za-z0-9._~@:/-]*$/.test(route.path)) return false;
  const probe = route.path.replace(/:[A-Za-z_][A-Za-z0-9_]*/g, 'x');
  return route.methods.every((method) =>
    publicRoutes.some(
      (p) => matchRoute(p, method, probe) && p.segments.length === route.path.split('/').filter(Boolean).length,
    ),
  );
}

function within(path: string, prefix: string): boolean {
  return path === prefix || path.startsWith(`${prefix}/`);
}

/** The address of the public sample the compiled trust function trusts at the first hop, if any. */
function trustedPublicAddress(app: AppLike): string | undefined {
  let fn: unknown;
  try {
    fn = app.get('trust proxy fn');
  } catch {
    return undefined;
  }
  if (typeof fn !== 'function') return undefined;
  for (const address of PUBLIC_PROBE_ADDRESSES) {
    try {
      if ((fn as (addr: string, hop: number) => unknown)(address, 0) === true) return address;
    } catch {
      // A throwing custom function trusts nothing we can observe.
    }
  }
  return undefined;
}

/**
 * Inspects the app's router stack (Express 4 `app._router.stack`, Express 5 `app.router.stack`), its
 * settings and the loaded configuration, and lists what is missing or unsafe. Mount everything
 * (baseline, routes, `after`) before calling it.
 */
export function checkDeploy(app: unknown, config: SecurityConfig, options: CheckDeployOptions = {}): DeployFinding[] {
  const findings: DeployFinding[] = [];
  const add = (finding: DeployFinding): void => {
    findings.push(finding);
  };
  if (typeof app !== 'function' || typeof (app as unknown as AppLike).get !== 'function') {
    throw new TypeError('@portcullis/baseline: checkDeploy: "app" must be an Express application');
  }
  const express = app as unknown as AppLike;
  const stack = stackOf(app);
  const production = config.profile === 'production';

  // 1. The pipeline: pieces present, in order.
  const positions = new Map<Piece, number>();
  let meta: BaselineMeta | undefined;
  stack.forEach((layer, index) => {
    const piece = pieceOf(layer.handle);
    if (piece !== undefined && !positions.has(piece)) positions.set(piece, index);
    meta ??= metaOf(layer.handle);
  });
  const cookies = meta?.cookies ?? false;
  const publicRoutes = meta?.publicRoutes ?? [];
  const publicStatic = meta?.publicStatic ?? [];

  for (const piece of PIECES) {
    if (piece === 'csrfGuard' && cookies === false) continue;
    if (!positions.has(piece)) {
      const m = MISSING[piece];
      add({ id: m.id, severity: 'error', message: `${m.message}.`, fix: MOUNT, asvs: m.asvs });
    }
  }
  let previous = -1;
  for (const piece of PIECES) {
    const at = positions.get(piece);
    if (at === undefined) continue;
    if (at < previous) {
      add({
        id: 'DEPLOY_PIPELINE_ORDER',
        severity: 'error',
        message: `"${piece}" runs out of order; the pipeline order is ${PIECES.join(' → ')}.`,
        fix: 'Mount baseline.before as one array, unchanged (baseline.install(app) does).',
        asvs: 'V1.4.1',
      });
      break;
    }
    previous = at;
  }

  // 2. What runs before authentication, and where the baseline is mounted.
  const authAt = positions.get('authenticate');
  const firstPiece = Math.min(...positions.values());
  if (authAt !== undefined) {
    stack.slice(0, authAt).forEach((layer, index) => {
      if (pieceOf(layer.handle) !== undefined) return;
      const kind = kindOf(layer);
      const where = index < firstPiece ? 'before the baseline' : 'inside the baseline, before authentication';
      if (kind === 'route' || kind === 'router') {
        for (const route of routesOf(layer)) {
          if (isPublicRoute(route, publicRoutes)) continue;
          add({
            id: 'DEPLOY_ROUTE_BEFORE_AUTH',
            severity: 'error',
            message: `route ${describeRoute(route)} is registered ${where}: it is reachable without a token and is not a declared public route.`,
            fix: 'Register it after baseline.install(app), or declare it in publicRoutes if it must be public.',
            asvs: 'V4.1.3',
          });
        }
      } else if (kind === 'app') {
        add({
          id: 'DEPLOY_ROUTE_BEFORE_AUTH',
          severity: 'error',
          message: `a mounted app at ${mountPathOf(layer) ?? '?'} is registered ${where}: its routes are reachable without a token.`,
          fix: 'Mount sub-apps after baseline.install(app).',
          asvs: 'V4.1.3',
        });
      } else if (kind === 'static') {
        const mount = mountPathOf(layer) ?? '/';
        if (publicStatic.includes(mount)) return;
        add({
          id: 'DEPLOY_STATIC_BEFORE_AUTH',
          severity: 'error',
          message: `express.static / serve-static at ${mount} is mounted ${where}: every file under it is served without a token.`,
          fix: `Mount it after baseline.install(app), or declare it public with publicStatic: ["${mount}"].`,
          asvs: 'V4.1.3',
        });
      } else if (kind === 'bodyParser') {
        add({
          id: 'DEPLOY_BODY_PARSER_BEFORE_AUTH',
          severity: 'error',
          message: `body parser "${handlerName(layer)}" runs ${where}: unauthenticated clients make the server read and parse bodies.`,
          fix: 'Remove it: the baseline parses JSON after authentication (bodyTypes for other types, parsed on the route).',
          asvs: 'V13.1.1',
        });
      } else if (kind === 'middleware' && responds(layer)) {
        add({
          id: 'DEPLOY_ROUTE_BEFORE_AUTH',
          severity: 'error',
          message: `${describeLayer(layer)} answers requests (it takes no next) and runs ${where}: it is reachable without a token.`,
          fix: 'Register it after baseline.install(app), or turn it into a route declared in publicRoutes.',
          asvs: 'V4.1.3',
        });
      } else if (kind === 'middleware') {
        add({
          id: 'DEPLOY_MIDDLEWARE_BEFORE_AUTH',
          severity: 'warning',
          message: `${describeLayer(layer)} runs ${where}: anything it answers is answered without a token.`,
          fix: 'Register it after baseline.install(app) unless it must see unauthenticated requests.',
          asvs: 'V4.1.3',
        });
      }
    });
    const prefix = mountPathOf(stack[authAt] ?? {});
    if (prefix !== undefined && prefix !== '/') {
      const outside = stack.flatMap((layer, index) => {
        const kind = kindOf(layer);
        if (index === authAt || pieceOf(layer.handle) !== undefined) return [];
        if (kind === 'route' || kind === 'router')
          return routesOf(layer)
            .filter((r) => !within(r.path, prefix))
            .map(describeRoute);
        if (kind === 'app' || kind === 'static') {
          const mount = mountPathOf(layer) ?? '/';
          return within(mount, prefix) ? [] : [describeLayer(layer)];
        }
        return [];
      });
      if (outside.length > 0) {
        add({
          id: 'DEPLOY_BASELINE_UNDER_PREFIX',
          severity: 'error',
          message: `the baseline is mounted under ${prefix}, but ${outside.slice(0, 5).join('; ')}${outside.length > 5 ? ` and ${outside.length - 5} more` : ''} lie outside it: they get no authentication, headers or limits.`,
          fix: 'Mount the baseline at the root (baseline.install(app)); public routes go in publicRoutes.',
          asvs: 'V4.1.3',
        });
      }
    }
  }

  // 3. The end of the stack: routes before the 404 and the error handler, the error handler last.
  let notFound = -1;
  let errorAt = -1;
  stack.forEach((layer, index) => {
    const piece = pieceOf(layer.handle);
    const name = handlerName(layer);
    if ((piece === 'notFound' || name === 'portcullisNotFound') && notFound === -1) notFound = index;
    if ((piece === 'errorHandler' || name === 'portcullisErrorHandler') && errorAt === -1) errorAt = index;
  });
  if (errorAt === -1) {
    add({
      id: 'DEPLOY_MISSING_ERROR_HANDLER',
      severity: 'error',
      message:
        "no Portcullis error handler: Express's default handler answers errors (stack traces outside production).",
      fix: 'Mount baseline.after last: app.use(baseline.after).',
      asvs: 'V7.4.1',
    });
  }
  if (notFound === -1) {
    add({
      id: 'DEPLOY_MISSING_NOT_FOUND',
      severity: 'warning',
      message: "no 404 handler: unmatched routes get Express's HTML 404.",
      fix: 'Mount baseline.after last: app.use(baseline.after).',
      asvs: 'V7.4.1',
    });
  }
  const end = Math.min(notFound === -1 ? Infinity : notFound, errorAt === -1 ? Infinity : errorAt);
  stack.forEach((layer, index) => {
    if (index <= end) return;
    const kind = kindOf(layer);
    if (pieceOf(layer.handle) === 'errorHandler' || index === errorAt) return;
    if (kind === 'route' || kind === 'router' || kind === 'app' || kind === 'static') {
      const names = kind === 'route' || kind === 'router' ? routesOf(layer).map(describeRoute) : [describeLayer(layer)];
      add({
        id: 'DEPLOY_ROUTE_AFTER_ERROR_HANDLER',
        severity: 'error',
        message: `${names.join('; ') || describeLayer(layer)} is registered after the 404/error handler and never runs as intended.`,
        fix: 'Register routes before app.use(baseline.after).',
        asvs: 'V1.4.1',
      });
    } else if (index > errorAt && errorAt !== -1 && kind !== 'internal') {
      add({
        id: 'DEPLOY_ERROR_HANDLER_NOT_LAST',
        severity: 'error',
        message: `${describeLayer(layer)} is registered after the Portcullis error handler, so the error handler is not last.`,
        fix: 'Mount baseline.after last: nothing after app.use(baseline.after).',
        asvs: 'V7.4.1',
      });
    }
  });

  // 4. Settings of the app.
  const trustProxy = express.get('trust proxy');
  if (trustProxy === true) {
    add({
      id: 'DEPLOY_TRUST_PROXY_ANY',
      severity: 'error',
      message: '"trust proxy" is true, so every client can spoof X-Forwarded-For and choose its own address.',
      fix: 'Set TRUST_PROXY to your proxies (CIDRs) and let baseline.install(app) apply it.',
      asvs: 'V14.1.1',
    });
  } else {
    const trusted = trustedPublicAddress(express);
    if (trusted !== undefined && typeof trustProxy === 'number') {
      add({
        id: 'DEPLOY_TRUST_PROXY_HOPS',
        severity: 'warning',
        message: `"trust proxy" is a hop count (${trustProxy}): whatever address connects is trusted as a proxy (e.g. ${trusted}), so a client that reaches the app directly chooses its own address.`,
        fix: 'Prefer the CIDRs of your proxies in TRUST_PROXY (e.g. 10.0.0.0/8), or make sure nothing reaches the app except through them.',
        asvs: 'V14.1.1',
      });
    } else if (trusted !== undefined) {
      add({
        id: 'DEPLOY_TRUST_PROXY_PUBLIC',
        severity: 'error',
        message: `"trust proxy" (${typeof trustProxy === 'function' ? 'a function' : JSON.stringify(trustProxy)}) trusts the public address ${trusted}: a client from the internet chooses its own X-Forwarded-For, so its own rate-limit bucket.`,
        fix: 'Trust only your proxies: TRUST_PROXY=<their CIDRs>, applied by baseline.install(app).',
        asvs: 'V14.1.1',
      });
    }
  }
  if (express.get('x-powered-by') === true) {
    add({
      id: 'DEPLOY_X_POWERED_BY',
      severity: 'warning',
      message: 'x-powered-by is enabled (securityHeaders removes the header, but it is set at the source).',
      fix: 'baseline.install(app) disables it; or app.disable("x-powered-by").',
      asvs: 'V14.3.3',
    });
  }

  // 5. The configuration.
  if (!production) {
    add({
      id: 'DEPLOY_NOT_PRODUCTION',
      severity: 'error',
      message: `the configuration was loaded in the "${config.profile}" profile.`,
      fix: 'Set NODE_ENV=production (and no APP_ENV) for a deployment.',
      asvs: 'V14.3.2',
    });
  }
  for (const warning of config.warnings) {
    add({
      id: warning.rule,
      severity: 'error',
      message: `${warning.key}: ${warning.message}.`,
      fix: warning.hint,
      ...(warning.rule === 'SEC_DEBUG_ON' ? { asvs: 'V14.3.2' } : {}),
    });
  }
  const seen = new Set(config.warnings.map((w) => w.rule));
  if (config.debug && !seen.has('SEC_DEBUG_ON'))
    add({
      id: 'SEC_DEBUG_ON',
      severity: 'error',
      message: 'DEBUG is on.',
      fix: 'Turn it off in production.',
      asvs: 'V14.3.2',
    });
  if (config.allowedOrigins.some((o) => o === '*' || o === 'null') && !seen.has('SEC_CORS_WILDCARD')) {
    add({
      id: 'SEC_CORS_WILDCARD',
      severity: 'error',
      message: 'ALLOWED_ORIGINS contains "*" or "null".',
      fix: 'List exact origins.',
      asvs: 'V14.5.3',
    });
  }

  // 6. Rate limiting across instances.
  const instances = options.instances ?? instancesFromEnv();
  for (const piece of ['rateLimit', 'subjectRateLimit'] as const) {
    const at = positions.get(piece);
    const limiter = at === undefined ? undefined : describeLimiter(stack[at]?.handle);
    if (limiter !== undefined && !limiter.shared && instances > 1) {
      add({
        id: 'DEPLOY_MEMORY_RATE_LIMIT_STORE',
        severity: 'error',
        message: `the rate limiter "${limiter.name}" counts in memory while ${instances} instances are declared: each instance allows the full limit.`,
        fix: `Pass a Redis store: ${piece === 'rateLimit' ? 'rateLimit' : 'subjectRateLimit'}: { store: redisStore(client) }.`,
        asvs: 'V11.1.4',
      });
    }
  }

  // 7. dangerously… options in use.
  const used = new Map<DangerousOption, string>();
  for (const option of meta?.dangerous ?? []) {
    if (Object.hasOwn(DANGEROUS_FINDINGS, option)) used.set(option as DangerousOption, 'authentication');
  }
  for (const layer of allLayers(stack)) {
    for (const option of dangerousOf(layer.handle)) {
      if (Object.hasOwn(DANGEROUS_FINDINGS, option)) used.set(option as DangerousOption, describeLayer(layer));
    }
    const limiter = describeLimiter(layer.handle);
    if (limiter?.onStoreError === 'allow') used.set('dangerouslyAllowOnStoreError', `rate limiter "${limiter.name}"`);
  }
  for (const [option, where] of used) {
    const id = DANGEROUS_FINDINGS[option];
    const acknowledged = meta?.acknowledge.find((a) => a.id === id)?.reason;
    const message = `${option} is in use (${where}): ${WHAT_IT_TURNS_OFF[option]}.`;
    const fix = `Remove ${option}, or accept it with acknowledge: [{ id: "${id}", reason: "…" }].`;
    if (acknowledged !== undefined) {
      add({ id, severity: 'warning', message, fix, asvs: 'V14.1.1', acknowledged });
    } else {
      add({ id, severity: production ? 'error' : 'warning', message, fix, asvs: 'V14.1.1' });
    }
  }

  // 8. Cookies.
  if (cookies !== false) {
    if (cookies === true) {
      add({
        id: 'DEPLOY_COOKIE_POLICY_UNKNOWN',
        severity: 'warning',
        message: 'cookies: true without a cookie policy, so the flags cannot be checked.',
        fix: 'Pass cookies: { secure, httpOnly, sameSite }.',
        asvs: 'V3.4.1',
      });
    } else {
      const missing = [
        !cookies.secure && 'Secure',
        !cookies.httpOnly && 'HttpOnly',
        (cookies.sameSite === false || cookies.sameSite === 'none') && 'SameSite=Lax/Strict',
      ].filter(Boolean);
      if (missing.length > 0)
        add({
          id: 'DEPLOY_COOKIE_FLAGS',
          severity: 'error',
          message: `the authentication cookie lacks ${missing.join(', ')}.`,
          fix: 'Set the flags on the cookie and in the cookies option.',
          asvs: 'V3.4.1',
        });
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
      `@portcullis/baseline: deploy check failed:\n${errors.map((f) => `  - ${f.id}: ${f.message} Fix: ${f.fix}`).join('\n')}`,
    );
    Object.defineProperty(error, 'findings', { value: findings, enumerable: true });
    throw error;
  }
  return findings;
}
