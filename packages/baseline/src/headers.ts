// securityHeaders: helmet 8 configured per profile, computed once at creation and replayed per request.
import type { IncomingMessage, ServerResponse } from 'node:http';
import helmet, { type HelmetOptions } from 'helmet';
import { checkOptions, isPlainObject, optionError, type OptionKeys } from '@portcullis/errors/options';
import { markDangerous } from './tags.js';

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

/**
 * The headers whose removal turns a browser protection off: `false` is refused for them, and only
 * their `dangerouslyDisable…` option removes them (checkDeploy reports each one in production).
 */
export const PROTECTIVE_HEADERS = {
  contentSecurityPolicy: 'dangerouslyDisableContentSecurityPolicy',
  strictTransportSecurity: 'dangerouslyDisableStrictTransportSecurity',
  xFrameOptions: 'dangerouslyDisableXFrameOptions',
  xContentTypeOptions: 'dangerouslyDisableXContentTypeOptions',
  crossOriginResourcePolicy: 'dangerouslyDisableCrossOriginResourcePolicy',
  crossOriginOpenerPolicy: 'dangerouslyDisableCrossOriginOpenerPolicy',
} as const;
type Protective = keyof typeof PROTECTIVE_HEADERS;
/** A `dangerouslyDisable…` option of securityHeaders(). */
export type DangerousHeaderOption = (typeof PROTECTIVE_HEADERS)[Protective];

/** The `dangerouslyDisable…` switches: `true` removes the header (CSP, HSTS, X-Frame-Options, nosniff, CORP, COOP). */
export type DangerousHeaderOverrides = {
  /** Send no Content-Security-Policy at all. Reported by checkDeploy in production. @default false */
  dangerouslyDisableContentSecurityPolicy?: boolean | undefined;
  /** Send no Strict-Transport-Security (browsers may then use http). Reported by checkDeploy in production. @default false */
  dangerouslyDisableStrictTransportSecurity?: boolean | undefined;
  /** Send no X-Frame-Options (clickjacking). Reported by checkDeploy in production. @default false */
  dangerouslyDisableXFrameOptions?: boolean | undefined;
  /** Send no X-Content-Type-Options: nosniff (MIME sniffing). Reported by checkDeploy in production. @default false */
  dangerouslyDisableXContentTypeOptions?: boolean | undefined;
  /** Send no Cross-Origin-Resource-Policy. Reported by checkDeploy in production. @default false */
  dangerouslyDisableCrossOriginResourcePolicy?: boolean | undefined;
  /** Send no Cross-Origin-Opener-Policy. Reported by checkDeploy in production. @default false */
  dangerouslyDisableCrossOriginOpenerPolicy?: boolean | undefined;
};

/**
 * Overrides of a profile: helmet's options by their canonical names (without `false` for the
 * protective headers: use the `dangerouslyDisable…` options), plus two headers helmet does not set.
 */
export type SecurityHeadersOverrides = Omit<Pick<HelmetOptions, (typeof HELMET_KEYS)[number]>, Protective> & {
  [K in Protective]?: Exclude<HelmetOptions[K], false> | undefined;
} & DangerousHeaderOverrides & {
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
    throw optionError(
      'baseline',
      name,
      'must be a non-empty single-line string or false',
      'e.g. "no-store", or false to leave the header out',
      value,
    );
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
    throw optionError(
      'baseline',
      'overrides',
      `were rejected by helmet (${error instanceof Error ? error.message : 'unknown error'})`,
      "check them against helmet 8's options",
    );
  return { set, removed };
}

// helmet's canonical names, the dangerously… switches and our two headers: the allowed keys of the overrides.
const HEADER_KEYS = Object.fromEntries(
  [...HELMET_KEYS, ...Object.values(PROTECTIVE_HEADERS), 'cacheControl', 'permissionsPolicy'].map((k) => [k, true]),
) as OptionKeys<SecurityHeadersOverrides>;

/**
 * Security headers on helmet 8 for a profile, with optional overrides. The headers are computed once
 * at creation and replayed on every response (helmet itself is only re-run per request when a CSP
 * directive holds a function, in an array or a Set, e.g. a nonce). A directive value helmet cannot
 * use is refused here, naming the directive. X-Powered-By is always removed (`xPoweredBy: false`
 * included).
 */
export function securityHeaders(profile: HeaderProfile = 'api', overrides?: SecurityHeadersOverrides) {
  if (profile !== 'api' && profile !== 'web')
    throw optionError('baseline', 'profile', 'must be "api" or "web"', 'omit it for "api"', profile);
  const given: Readonly<Record<string, unknown>> = checkOptions('baseline', overrides, HEADER_KEYS);
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
  const disabled: DangerousHeaderOption[] = [];
  for (const [key, dangerous] of Object.entries(PROTECTIVE_HEADERS) as [Protective, DangerousHeaderOption][]) {
    if (given[key] === false) {
      throw optionError(
        'baseline',
        `${key}: false`,
        `turns a protection off`,
        `use "${dangerous}: true" if you really must (checkDeploy reports it in production)`,
      );
    }
    const flag = given[dangerous];
    if (flag === undefined || flag === false) continue;
    if (flag !== true)
      throw optionError(
        'baseline',
        dangerous,
        `must be a boolean`,
        'see the options table of the @portcullis/baseline README',
        flag,
      );
    if (given[key] !== undefined)
      throw optionError(
        'baseline',
        dangerous,
        `and "${key}" contradict each other`,
        'see the options table of the @portcullis/baseline README',
      );
    helmetOptions[key] = false;
    disabled.push(dangerous);
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
    throw optionError(
      'baseline',
      'overrides',
      `were rejected by helmet (${error instanceof Error ? error.message : 'unknown error'})`,
      "check them against helmet 8's options",
    );
  }
  const extra: [string, string][] = [];
  if (cacheControl !== false) extra.push(['Cache-Control', cacheControl]);
  if (permissionsPolicy !== false) extra.push(['Permissions-Policy', permissionsPolicy]);

  if (dynamicCsp) {
    return markDangerous(function securityHeadersDynamic(req: IncomingMessage, res: ServerResponse, next: Next): void {
      for (const [name, value] of extra) res.setHeader(name, value);
      res.removeHeader('X-Powered-By');
      middleware(req, res, next);
    }, disabled);
  }

  const { set, removed } = record(middleware);
  const all = [...set, ...extra];
  const names = all.map(([name]) => name);
  const values = all.map(([, value]) => value);
  const toRemove = [...new Set([...removed, 'X-Powered-By'])];
  const count = names.length;

  return markDangerous(function securityHeadersMiddleware(
    _req: IncomingMessage,
    res: ServerResponse,
    next: Next,
  ): void {
    for (let i = 0; i < count; i++) res.setHeader(names[i] as string, values[i] as string);
    for (const name of toRemove) res.removeHeader(name);
    next();
  }, disabled);
}
