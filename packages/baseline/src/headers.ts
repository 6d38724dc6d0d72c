// securityHeaders: helmet 8 configured per profile, computed once at creation and replayed per request.
import type { IncomingMessage, ServerResponse } from 'node:http';
import helmet, { type HelmetOptions } from 'helmet';
import { checkKeys, fail } from './options.js';

/** "api": JSON APIs (nothing may render or frame a response). "web": helmet's defaults, hardened. */
export type HeaderProfile = 'api' | 'web';

type Next = (err?: unknown) => void;

/** helmet's canonical option names (its aliases such as `hsts` are refused: one name per option). */
const HELMET_KEYS = [
  'contentSecurityPolicy',
  'crossOriginEmbedderPolicy',
  'crossOriginOpenerPolicy',
  'crossOriginResourcePolicy',
  'originAgentCluster',
  'referrerPolicy',
  'strictTransportSecurity',
  'xContentTypeOptions',
  'xDnsPrefetchControl',
  'xDownloadOptions',
  'xFrameOptions',
  'xPermittedCrossDomainPolicies',
  'xPoweredBy',
  'xXssProtection',
] as const;

/** Overrides of a profile: helmet's options by their canonical names, plus two headers helmet does not set. */
export type SecurityHeadersOverrides = Pick<HelmetOptions, (typeof HELMET_KEYS)[number]> & {
  /** Cache-Control value, or false to leave it to the routes. @default "no-store" for "api", unset for "web" */
  cacheControl?: string | false | undefined;
  /** Permissions-Policy value, or false to omit it. @default unset for "api", a deny-all list for "web" */
  permissionsPolicy?: string | false | undefined;
};

const API_CSP = {
  useDefaults: false,
  directives: { defaultSrc: ["'none'"], frameAncestors: ["'none'"], baseUri: ["'none'"], formAction: ["'none'"] },
} as const;

/** Powerful features a page rarely needs; "web" denies them all. */
export const RESTRICTIVE_PERMISSIONS_POLICY =
  'accelerometer=(), autoplay=(), camera=(), display-capture=(), encrypted-media=(), fullscreen=(), geolocation=(), gyroscope=(), hid=(), magnetometer=(), microphone=(), midi=(), payment=(), picture-in-picture=(), publickey-credentials-get=(), screen-wake-lock=(), serial=(), usb=(), xr-spatial-tracking=()';

const PROFILES: Readonly<
  Record<HeaderProfile, { helmet: HelmetOptions; cacheControl: string | false; permissionsPolicy: string | false }>
> = {
  api: {
    helmet: {
      contentSecurityPolicy: API_CSP,
      xFrameOptions: { action: 'deny' },
      referrerPolicy: { policy: 'no-referrer' },
      crossOriginResourcePolicy: { policy: 'same-origin' },
      crossOriginOpenerPolicy: { policy: 'same-origin' },
      strictTransportSecurity: { maxAge: 31_536_000, includeSubDomains: true },
    },
    cacheControl: 'no-store',
    permissionsPolicy: false,
  },
  web: {
    helmet: {
      contentSecurityPolicy: { useDefaults: true, directives: { baseUri: ["'none'"] } },
    },
    cacheControl: false,
    permissionsPolicy: RESTRICTIVE_PERMISSIONS_POLICY,
  },
};

function hasFunction(value: unknown, depth = 0): boolean {
  if (typeof value === 'function') return true;
  if (depth > 4 || typeof value !== 'object' || value === null) return false;
  return Object.values(value).some((v) => hasFunction(v, depth + 1));
}

function checkHeaderValue(name: string, value: unknown): string | false {
  if (value === false) return false;
  if (typeof value !== 'string' || value.length === 0 || /[\r\n]/.test(value)) {
    fail('securityHeaders', `"${name}" must be a non-empty single-line string or false`);
  }
  return value;
}

/** Runs a helmet middleware against a recording response and returns what it set and removed. */
function record(middleware: ReturnType<typeof helmet>): { set: [string, string][]; removed: string[] } {
  const set: [string, string][] = [];
  const removed: string[] = [];
  const fake = {
    setHeader(name: string, value: string | number | readonly string[]) {
      set.push([name, Array.isArray(value) ? value.join(', ') : String(value)]);
      return this;
    },
    removeHeader(name: string) {
      removed.push(name);
    },
  };
  let error: unknown;
  // helmet's static middlewares only call res.setHeader/removeHeader; record what they do once.
  const run = middleware as unknown as (req: object, res: object, next: (err?: unknown) => void) => void;
  run({}, fake, (err?: unknown) => {
    error = err;
  });
  if (error !== undefined)
    fail('securityHeaders', `helmet rejected the options: ${error instanceof Error ? error.message : 'unknown error'}`);
  return { set, removed };
}

/**
 * Security headers on helmet 8 for a profile, with optional overrides. The headers are computed once
 * at creation and replayed on every response (helmet itself is only re-run per request when a CSP
 * directive is a function, e.g. a nonce).
 */
export function securityHeaders(profile: HeaderProfile = 'api', overrides?: SecurityHeadersOverrides) {
  if (profile !== 'api' && profile !== 'web')
    fail('securityHeaders', `profile must be "api" or "web" (got ${JSON.stringify(profile)})`);
  const given = checkKeys('securityHeaders', overrides, [...HELMET_KEYS, 'cacheControl', 'permissionsPolicy']);
  const base = PROFILES[profile];
  const helmetOptions: Record<string, unknown> = { ...base.helmet };
  for (const key of HELMET_KEYS) {
    if (given[key] !== undefined) helmetOptions[key] = given[key];
  }
  const cacheControl =
    given['cacheControl'] === undefined ? base.cacheControl : checkHeaderValue('cacheControl', given['cacheControl']);
  const permissionsPolicy =
    given['permissionsPolicy'] === undefined
      ? base.permissionsPolicy
      : checkHeaderValue('permissionsPolicy', given['permissionsPolicy']);

  let middleware: ReturnType<typeof helmet>;
  try {
    middleware = helmet(helmetOptions);
  } catch (error) {
    fail('securityHeaders', `helmet rejected the options: ${error instanceof Error ? error.message : 'unknown error'}`);
  }
  const extra: [string, string][] = [];
  if (cacheControl !== false) extra.push(['Cache-Control', cacheControl]);
  if (permissionsPolicy !== false) extra.push(['Permissions-Policy', permissionsPolicy]);

  if (hasFunction(helmetOptions['contentSecurityPolicy'])) {
    return function securityHeadersDynamic(req: IncomingMessage, res: ServerResponse, next: Next): void {
      for (const [name, value] of extra) res.setHeader(name, value);
      res.removeHeader('X-Powered-By');
      middleware(req, res, next);
    };
  }

  const { set, removed } = record(middleware);
  const all = [...set, ...extra];
  const names = all.map(([name]) => name);
  const values = all.map(([, value]) => value);
  const toRemove = [...new Set([...removed, 'X-Powered-By'])];
  const count = names.length;

  return function securityHeadersMiddleware(_req: IncomingMessage, res: ServerResponse, next: Next): void {
    for (let i = 0; i < count; i++) res.setHeader(names[i] as string, values[i] as string);
    for (const name of toRemove) res.removeHeader(name);
    next();
  };
}
