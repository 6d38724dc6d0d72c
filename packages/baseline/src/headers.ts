// securityHeaders: helmet 8 configured per profile, computed once at creation and replayed per request.
import type { IncomingMessage, ServerResponse } from 'node:http';
import { isPlainObject, optionError } from '@portcullis/errors/options';
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

const DISABLE_DEFAULT_SRC: unknown = helmet.contentSecurityPolicy.dangerouslyDisableDefaultSrc;
const NONCE_FIX = 'use strings such as "\'self\'" and functions (req, res) => string, e.g. a nonce';

/**
 * Checks the CSP directives the way helmet will use them, so a value helmet cannot use is refused
 * here, naming the directive, instead of failing per request or rendering "[object Object]".
 * Returns whether any directive holds a function (in an array or a Set): then the header is
 * computed per request, so a nonce is never frozen into a replayed header.
 */
function checkCsp(csp: unknown): boolean {
  if (csp === undefined || typeof csp === 'boolean') return false;
  if (!isPlainObject(csp)) {
    throw optionError(
      'baseline',
      'contentSecurityPolicy',
      'must be false or helmet CSP options',
      'pass { directives: { … } }',
      csp,
    );
  }
  const directives = csp['directives'];
  if (directives === undefined) return false;
  if (!isPlainObject(directives)) {
    throw optionError(
      'baseline',
      'contentSecurityPolicy.directives',
      'must be a plain object of directive names to values',
      `e.g. { scriptSrc: ["'self'"] }`,
      directives,
    );
  }
  let dynamic = false;
  for (const [name, value] of Object.entries(directives)) {
    if (value === null || typeof value === 'string' || value === DISABLE_DEFAULT_SRC) continue;
    const option = `contentSecurityPolicy.directives.${name}`;
    if (!Array.isArray(value) && !(value instanceof Set)) {
      throw optionError(
        'baseline',
        option,
        'must be a string, an array or a Set, or null',
        NONCE_FIX + ', in an array',
        value,
      );
    }
    for (const entry of value as Iterable<unknown>) {
      if (typeof entry === 'function') dynamic = true;
      else if (typeof entry !== 'string')
        throw optionError('baseline', option, 'holds a value helmet cannot use', NONCE_FIX, entry);
    }
  }
  return dynamic;
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
 * directive holds a function, in an array or a Set, e.g. a nonce). A directive value helmet cannot
 * use is refused here, naming the directive. X-Powered-By is always removed (`xPoweredBy: false`
 * included).
 */
export function securityHeaders(profile: HeaderProfile = 'api', overrides?: SecurityHeadersOverrides) {
  if (profile !== 'api' && profile !== 'web')
    fail('securityHeaders', `profile must be "api" or "web" (got ${JSON.stringify(profile)})`);
  const given = checkKeys('securityHeaders', overrides, [...HELMET_KEYS, 'cacheControl', 'permissionsPolicy']);
  const xPoweredBy = given['xPoweredBy'];
  if (xPoweredBy !== undefined && typeof xPoweredBy !== 'boolean') {
    throw optionError(
      'baseline',
      'xPoweredBy',
      'must be a boolean',
      'X-Powered-By is always removed; leave the option out or pass false',
      xPoweredBy,
    );
  }
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

  const dynamicCsp = checkCsp(helmetOptions['contentSecurityPolicy']);
  let middleware: ReturnType<typeof helmet>;
  try {
    middleware = helmet(helmetOptions);
  } catch (error) {
    fail('securityHeaders', `helmet rejected the options: ${error instanceof Error ? error.message : 'unknown error'}`);
  }
  const extra: [string, string][] = [];
  if (cacheControl !== false) extra.push(['Cache-Control', cacheControl]);
  if (permissionsPolicy !== false) extra.push(['Permissions-Policy', permissionsPolicy]);

  if (dynamicCsp) {
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
