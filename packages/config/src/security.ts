// securityConfig: the variables every Portcullis service reads, parsed and typed, with the production rule pack.
import { z } from 'zod';
import { MAX_TRUST_PROXY_HOPS, checkTrustProxy } from '@portcullis/errors/trust-proxy';
import { checkBodyLimit } from './bytes.js';
import { defineConfig, type ConfigDefinition, type ConfigRule, type LoadedConfig } from './define.js';
import { classifyOrigin, splitList } from './origins.js';
import type { Env } from './profile.js';
import { secret } from './secret.js';

/** pino log levels accepted in LOG_LEVEL. */
export const LOG_LEVELS = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'] as const;
/** A LOG_LEVEL value. */
export type LogLevel = (typeof LOG_LEVELS)[number];

/** Minimum secret length in bytes per HMAC algorithm: at least the hash output size (RFC 7518 §3.2). */
const HS_MIN_BYTES: Readonly<Record<string, number>> = Object.freeze({ HS256: 32, HS384: 48, HS512: 64 });
const ASYMMETRIC_ALGORITHMS = [
  'RS256',
  'RS384',
  'RS512',
  'PS256',
  'PS384',
  'PS512',
  'ES256',
  'ES384',
  'ES512',
  'EdDSA',
  'Ed25519',
];
/** JWS algorithm names accepted in JWT_ALGORITHMS ("none" is accepted only so that its rule can name it). */
export const JWT_ALGORITHM_NAMES: readonly string[] = Object.freeze([
  ...Object.keys(HS_MIN_BYTES),
  ...ASYMMETRIC_ALGORITHMS,
  'none',
]);

/** user:password pairs that ship as defaults in database images and tutorials. Compared case-insensitively. */
const DEFAULT_DB_CREDENTIALS = new Set([
  'postgres:postgres',
  'postgres:password',
  'postgres:admin',
  'root:root',
  'root:password',
  'root:toor',
  'admin:admin',
  'admin:password',
  'user:password',
  'user:user',
  'test:test',
  'mysql:mysql',
  'sa:sa',
]);

const FALSE_LIKE = new Set(['false', '0', 'no', 'off']);

/** Hosts strictCors accepts over plain http (outside production). */
const LOOPBACK_HOSTS: ReadonlySet<string> = new Set(['localhost', '127.0.0.1', '[::1]']);

/**
 * The parsed security variables. Each field reads the variable named in its doc; see the README
 * variables table. Loaded configs add `profile` and `warnings` (see {@link ConfigMeta}).
 */
export interface SecurityConfigValues {
  /** NODE_ENV as given (trimmed). Only used for the profile rule. */
  nodeEnv?: string | undefined;
  /** APP_ENV as given (trimmed); wins over NODE_ENV for the profile. */
  appEnv?: string | undefined;
  /** PORT: TCP port to listen on, 1–65535. @default 3000 */
  port: number;
  /** LOG_LEVEL: pino level. @default 'info' */
  logLevel: LogLevel;
  /** DEBUG: anything other than unset/false/0/no/off is on (including `debug`-module patterns like `express:*`). @default false */
  debug: boolean;
  /** ALLOWED_ORIGINS: comma-separated; valid entries normalised to `url.origin` (lower-case host, default port dropped). @default [] */
  allowedOrigins: string[];
  /**
   * TRUST_PROXY: a hop count (1–32), a list of addresses/CIDRs/named ranges, or false; always a value
   * `trustProxy()` of @portcullis/ratelimit accepts (one shared check). @default false
   */
  trustProxy: number | string[] | false;
  /** JWT_ISSUER: expected `iss`. */
  jwtIssuer?: string | undefined;
  /** JWT_AUDIENCE: expected `aud`. */
  jwtAudience?: string | undefined;
  /** JWT_ALGORITHMS: comma-separated JWS algorithm allowlist. @default [] */
  jwtAlgorithms: string[];
  /** JWKS_URI: URL of the issuer's key set (asymmetric algorithms). */
  jwksUri?: string | undefined;
  /** JWT_SECRET: HMAC key for HS algorithms. Secret: masked and non-enumerable. */
  jwtSecret?: string | undefined;
  /** ACCESS_TOKEN_MAX_TTL_SEC: longest accepted access-token lifetime, seconds. @default 900 */
  accessTokenMaxTtlSec: number;
  /**
   * JWT_VERIFIED_TOKEN_CACHE_MAX_ENTRIES: size of jwtAuth's opt-in verified-token cache, tokens, 0–1000000;
   * 0 turns the cache off. @default 0
   */
  jwtVerifiedTokenCacheMaxEntries: number;
  /** JWT_VERIFIED_TOKEN_CACHE_MAX_AGE_SEC: longest time a verified token is served from that cache, seconds, 1–3600. @default 60 */
  jwtVerifiedTokenCacheMaxAgeSec: number;
  /**
   * JWT_DPOP: DPoP-bound access tokens (RFC 9449) — "off", "allowed" (DPoP and unbound Bearer) or "required"
   * (DPoP only). Needs PUBLIC_ORIGIN when not "off". @default 'off'
   */
  jwtDpop: 'off' | 'allowed' | 'required';
  /**
   * PUBLIC_ORIGIN: the origin clients address this service at, e.g. https://api.example.com (normalised:
   * lower-case host, default port dropped). DPoP proofs name it; https in production.
   */
  publicOrigin?: string | undefined;
  /** RATE_LIMIT_WINDOW_SEC: rate-limit window, seconds. @default 60 */
  rateLimitWindowSec: number;
  /** RATE_LIMIT_MAX: requests per window per client address, counted before authentication. @default 300 */
  rateLimitMax: number;
  /** RATE_LIMIT_SUBJECT_WINDOW_SEC: window of the per-subject limit (counted after authentication), seconds. @default 60 */
  rateLimitSubjectWindowSec: number;
  /** RATE_LIMIT_SUBJECT_MAX: requests per window per token subject, counted after authentication. @default 120 */
  rateLimitSubjectMax: number;
  /**
   * TRUST_REQUEST_ID: "true" adopts a valid incoming X-Request-Id as the request's id (only behind a
   * proxy that sets it); otherwise the server generates every id. @default false
   */
  trustRequestId: boolean;
  /** BODY_LIMIT: request body size limit in bytes, written as bytes or with a b/kb/mb unit ("100kb", "1mb"), at most 10 MiB. @default 102400 (100kb) */
  bodyLimit: number;
  /** DATABASE_URL: database connection URL. Secret: credentials masked, non-enumerable. */
  databaseUrl?: string | undefined;
  /** REDIS_URL: redis:// or rediss:// URL. Secret: credentials masked, non-enumerable. */
  redisUrl?: string | undefined;
}

/** A loaded security configuration: the parsed variables plus `profile` and `warnings`, deeply frozen. */
export type SecurityConfig = LoadedConfig<SecurityConfigValues>;

function integer(min: number, max: number, fallback: number, description: string) {
  return z
    .string()
    .trim()
    .regex(/^\d{1,15}$/, { error: 'must be a whole number' })
    .transform(Number)
    .pipe(
      z
        .number()
        .int()
        .min(min, { error: `must be at least ${min}` })
        .max(max, { error: `must be at most ${max}` }),
    )
    .default(fallback)
    .describe(description);
}

/** "true" and "*" as parsed: a list the shared check refuses as trusting every address (SEC_TRUST_PROXY_ANY). */
const TRUST_ANY: readonly string[] = Object.freeze(['0.0.0.0/0', '::/0']);

function url(protocols: readonly string[], what: string) {
  return z
    .string()
    .trim()
    .refine((value) => URL.canParse(value) && protocols.includes(new URL(value).protocol), {
      error: `must be ${what}`,
    });
}

const securitySchema = z.object({
  nodeEnv: z.string().trim().optional().describe('"production", "development" or "test"'),
  appEnv: z.string().trim().optional().describe('"production", "development" or "test"'),
  port: integer(1, 65535, 3000, 'a TCP port between 1 and 65535, e.g. 3000'),
  logLevel: z
    .string()
    .trim()
    .toLowerCase()
    .pipe(z.enum(LOG_LEVELS, { error: `must be one of ${LOG_LEVELS.join(', ')}` }))
    .default('info')
    .describe(`one of ${LOG_LEVELS.join(', ')}`),
  debug: z
    .string()
    .transform((value) => !FALSE_LIKE.has(value.trim().toLowerCase()))
    .default(false)
    .describe('"false" (or leave it unset)'),
  allowedOrigins: z
    .string()
    .transform((raw, ctx) => {
      const out: string[] = [];
      let invalid = 0;
      for (const entry of splitList(raw)) {
        const parsed = classifyOrigin(entry);
        if (parsed.kind === 'invalid') invalid += 1;
        // Entries a rule will report are kept as written, never silently "fixed".
        else out.push(parsed.kind === 'origin' ? parsed.origin : entry);
      }
      if (invalid > 0) {
        ctx.addIssue({
          code: 'custom',
          message: `has ${invalid} entr${invalid === 1 ? 'y that is' : 'ies that are'} not an http(s) origin`,
        });
        return z.NEVER;
      }
      return [...new Set(out)];
    })
    .default(() => [])
    .describe('a comma-separated list of exact origins, e.g. https://app.example.com,https://admin.example.com'),
  trustProxy: z
    .string()
    .transform((raw, ctx): number | string[] | false => {
      const value = raw.trim().toLowerCase();
      if (value === 'false' || /^0+$/.test(value)) return false;
      if (value === 'true' || value === '*') return [...TRUST_ANY];
      // Hop counts above the bound parse, so that SEC_TRUST_PROXY_ANY (every profile) names the problem.
      if (/^\d{1,15}$/.test(value)) return Number(value);
      const list = splitList(raw);
      const verdict = checkTrustProxy(list);
      // A list that trusts everyone is reported by SEC_TRUST_PROXY_ANY; anything else unusable is a schema problem.
      if (!verdict.ok && verdict.refusal !== 'trusts-any') {
        ctx.addIssue({ code: 'custom', message: verdict.problem });
        return z.NEVER;
      }
      return list;
    })
    .default(false)
    .describe(
      `the number of proxies in front of the app (1 to ${MAX_TRUST_PROXY_HOPS}, e.g. 1) or their addresses/CIDRs (e.g. 10.0.0.0/8)`,
    ),
  jwtIssuer: z.string().trim().optional().describe('the exact issuer ("iss") of accepted tokens'),
  jwtAudience: z.string().trim().optional().describe('the audience ("aud") this service accepts'),
  jwtAlgorithms: z
    .string()
    .transform((raw, ctx) => {
      const list = splitList(raw).map((alg) => (alg.toLowerCase() === 'none' ? 'none' : alg));
      if (!list.every((alg) => JWT_ALGORITHM_NAMES.includes(alg))) {
        ctx.addIssue({
          code: 'custom',
          message: `has an unknown algorithm (known: ${JWT_ALGORITHM_NAMES.filter((a) => a !== 'none').join(', ')}; names are case-sensitive)`,
        });
        return z.NEVER;
      }
      return list;
    })
    .default(() => [])
    .describe('the accepted JWS algorithms, e.g. RS256 or ES256 (or HS256 with JWT_SECRET)'),
  jwksUri: url(['https:', 'http:'], 'an http(s) URL').optional().describe("the https URL of the issuer's JWKS"),
  jwtSecret: secret(z.string().optional(), { kind: 'signing-key' }).describe(
    'a random secret of at least 32 bytes (64 for HS512), e.g. `openssl rand -base64 64`',
  ),
  accessTokenMaxTtlSec: integer(1, 31_536_000, 900, 'a number of seconds, at most 3600 (e.g. 900)'),
  jwtVerifiedTokenCacheMaxEntries: integer(
    0,
    1_000_000,
    0,
    'a number of cached tokens between 0 (cache off) and 1000000 (e.g. 10000)',
  ),
  jwtVerifiedTokenCacheMaxAgeSec: integer(1, 3600, 60, 'a number of seconds between 1 and 3600 (e.g. 60)'),
  jwtDpop: z
    .string()
    .trim()
    .toLowerCase()
    .pipe(z.enum(['off', 'allowed', 'required'], { error: 'must be off, allowed or required' }))
    .default('off')
    .describe('off, allowed or required (e.g. allowed)'),
  publicOrigin: z
    .string()
    .transform((raw, ctx) => {
      const parsed = classifyOrigin(raw.trim());
      if (parsed.kind !== 'origin') {
        ctx.addIssue({ code: 'custom', message: 'must be an http(s) origin without path, query or credentials' });
        return z.NEVER;
      }
      return parsed.origin;
    })
    .optional()
    .describe('the origin clients use, e.g. https://api.example.com'),
  rateLimitWindowSec: integer(1, 86_400, 60, 'a number of seconds between 1 and 86400 (e.g. 60)'),
  rateLimitMax: integer(1, 1_000_000_000, 300, 'a positive whole number of requests per window (e.g. 300)'),
  rateLimitSubjectWindowSec: integer(1, 86_400, 60, 'a number of seconds between 1 and 86400 (e.g. 60)'),
  rateLimitSubjectMax: integer(
    1,
    1_000_000_000,
    120,
    'a positive whole number of requests per window and token subject (e.g. 120)',
  ),
  trustRequestId: z
    .string()
    .trim()
    .toLowerCase()
    .pipe(z.enum(['true', 'false'], { error: 'must be "true" or "false"' }))
    .transform((value) => value === 'true')
    .default(false)
    .describe('"true" only behind a proxy that sets X-Request-Id itself; otherwise "false" (or leave it unset)'),
  bodyLimit: z
    .string()
    .transform((raw, ctx): number => {
      const verdict = checkBodyLimit(raw);
      if (verdict.ok) return verdict.bytes;
      ctx.addIssue({ code: 'custom', message: verdict.problem });
      return z.NEVER;
    })
    .default(100 * 1024)
    .describe('a size like 100kb or 1mb (at most 10mb), or a number of bytes'),
  databaseUrl: secret(
    url(
      ['postgres:', 'postgresql:', 'mysql:', 'mariadb:', 'sqlserver:', 'mongodb:', 'mongodb+srv:', 'sqlite:', 'file:'],
      'a database URL like postgres://user:password@host:5432/db',
    ).optional(),
    { mask: 'url-credentials' },
  ).describe('a database URL with non-default credentials, e.g. postgres://app:<random password>@db:5432/app'),
  redisUrl: secret(url(['redis:', 'rediss:'], 'a redis:// or rediss:// URL').optional(), {
    mask: 'url-credentials',
  }).describe('a rediss:// URL, or a redis:// URL with a password, e.g. redis://:<password>@redis:6379'),
});

type Rule = ConfigRule<SecurityConfigValues>;

const hasHs = (algs: readonly string[]): boolean => algs.some((a) => Object.hasOwn(HS_MIN_BYTES, a));
const hasAsymmetric = (algs: readonly string[]): boolean => algs.some((a) => ASYMMETRIC_ALGORITHMS.includes(a));

function originsOf(
  config: Readonly<SecurityConfigValues>,
  kind: 'wildcard' | 'null' | 'has-path' | 'insecure',
): string[] {
  return config.allowedOrigins.filter((entry) => {
    const parsed = classifyOrigin(entry);
    return kind === 'insecure' ? parsed.kind === 'origin' && !parsed.secure : parsed.kind === kind;
  });
}

function parseUrl(value: string | undefined): URL | undefined {
  if (value === undefined || !URL.canParse(value)) return undefined;
  return new URL(value);
}

/** TRUST_PROXY as the developer wrote it, for a finding outside production ("true"/"*" were parsed to TRUST_ANY). */
function shownTrustProxy(value: number | readonly string[]): readonly string[] {
  if (typeof value === 'number') return [String(value)];
  return value.length === TRUST_ANY.length && value.every((v, i) => v === TRUST_ANY[i]) ? ['true'] : value;
}

/** The production rule pack; ids are stable and listed in the README rules table. */
export const SECURITY_RULES: readonly Rule[] = Object.freeze([
  {
    id: 'SEC_DEBUG_ON',
    key: 'DEBUG',
    hint: 'Unset DEBUG or set DEBUG=false in production; debug output leaks internals.',
    check: (c) => (c.debug ? { message: 'debug mode is on' } : undefined),
  },
  {
    id: 'SEC_CORS_WILDCARD',
    key: 'ALLOWED_ORIGINS',
    // strictCors refuses most wildcards ("*", patterns it cannot bound): an error everywhere, never a warning.
    everyProfile: true,
    hint: 'List every allowed origin exactly (https://app.example.com); never "*" or patterns.',
    check: (c) => {
      const bad = originsOf(c, 'wildcard');
      return bad.length > 0 ? { message: 'contains a wildcard, which allows any origin', values: bad } : undefined;
    },
  },
  {
    id: 'SEC_CORS_NULL_ORIGIN',
    key: 'ALLOWED_ORIGINS',
    everyProfile: true,
    hint: 'Remove "null": sandboxed iframes and file:// pages send it, so any attacker can.',
    check: (c) => (originsOf(c, 'null').length > 0 ? { message: 'contains the "null" origin' } : undefined),
  },
  {
    id: 'SEC_CORS_INSECURE_ORIGIN',
    key: 'ALLOWED_ORIGINS',
    // Production refuses every http origin; elsewhere the http origins strictCors refuses (not loopback).
    everyProfile: true,
    hint: 'Use https:// origins only (http://localhost and other loopback hosts are accepted outside production); an http origin can be spoofed by anyone on the network path.',
    check: (c, { profile }) => {
      const bad = originsOf(c, 'insecure').filter(
        (origin) => profile === 'production' || !LOOPBACK_HOSTS.has(new URL(origin).hostname),
      );
      return bad.length > 0 ? { message: 'contains an http (not https) origin', values: bad } : undefined;
    },
  },
  {
    id: 'SEC_CORS_ORIGIN_HAS_PATH',
    key: 'ALLOWED_ORIGINS',
    everyProfile: true,
    hint: 'Write origins as scheme://host[:port] with no path, query, user info or trailing slash.',
    check: (c) => {
      const bad = originsOf(c, 'has-path');
      return bad.length > 0
        ? {
            message: 'contains an entry with a path, query, user info or trailing slash (browsers never send one)',
            values: bad,
          }
        : undefined;
    },
  },
  {
    id: 'SEC_TRUST_PROXY_ANY',
    key: 'TRUST_PROXY',
    everyProfile: true,
    hint: `List the addresses or CIDRs of your real proxies in TRUST_PROXY (e.g. TRUST_PROXY=10.0.0.0/8 for the load balancer's subnet), or set the number of proxies in front of the app (1 to ${MAX_TRUST_PROXY_HOPS}); never true, "*", or ranges that together cover every address.`,
    check: (c) => {
      if (c.trustProxy === false) return undefined;
      const verdict = checkTrustProxy(c.trustProxy);
      return verdict.ok ? undefined : { message: verdict.problem, values: shownTrustProxy(c.trustProxy) };
    },
  },
  {
    id: 'SEC_JWT_ISSUER_MISSING',
    key: 'JWT_ISSUER',
    hint: 'Set JWT_ISSUER to the exact "iss" of your identity provider.',
    check: (c) =>
      c.jwtIssuer === undefined ? { message: 'is not set, so tokens from any issuer would be accepted' } : undefined,
  },
  {
    id: 'SEC_JWT_AUDIENCE_MISSING',
    key: 'JWT_AUDIENCE',
    hint: 'Set JWT_AUDIENCE to the "aud" value tokens for this service carry.',
    check: (c) =>
      c.jwtAudience === undefined
        ? { message: 'is not set, so tokens meant for other services would be accepted' }
        : undefined,
  },
  {
    id: 'SEC_JWT_ALG_MISSING',
    key: 'JWT_ALGORITHMS',
    hint: 'Set JWT_ALGORITHMS to the algorithms your issuer signs with, e.g. RS256.',
    check: (c) =>
      c.jwtAlgorithms.length === 0
        ? { message: 'is not set; the accepted algorithms must be an explicit allowlist' }
        : undefined,
  },
  {
    id: 'SEC_JWT_ALG_NONE',
    key: 'JWT_ALGORITHMS',
    everyProfile: true,
    hint: 'Remove "none": it accepts unsigned tokens (CVE-2015-9235 class).',
    check: (c) =>
      c.jwtAlgorithms.includes('none') ? { message: 'contains "none", which accepts unsigned tokens' } : undefined,
  },
  {
    id: 'SEC_JWT_ALG_MIXED',
    key: 'JWT_ALGORITHMS',
    everyProfile: true,
    hint: 'Use either HS* (with JWT_SECRET) or asymmetric algorithms (with JWKS_URI), never both: mixing enables key-confusion attacks.',
    check: (c) =>
      hasHs(c.jwtAlgorithms) && hasAsymmetric(c.jwtAlgorithms)
        ? { message: 'mixes HMAC (HS*) and asymmetric algorithms', values: c.jwtAlgorithms }
        : undefined,
  },
  {
    id: 'SEC_JWT_SECRET_WEAK',
    key: 'JWT_SECRET',
    // jwtAuth refuses a secret shorter than the hash: an error everywhere, never a warning.
    everyProfile: true,
    hint: 'Use a random secret at least as long as the hash: 32 bytes for HS256, 48 for HS384, 64 for HS512 (openssl rand -base64 64).',
    check: (c) => {
      if (c.jwtSecret === undefined) return undefined;
      const needed = Math.max(0, ...c.jwtAlgorithms.map((a) => HS_MIN_BYTES[a] ?? 0));
      return Buffer.byteLength(c.jwtSecret, 'utf8') < needed
        ? { message: `is shorter than ${needed} bytes, the minimum for the configured HS algorithm` }
        : undefined;
    },
  },
  {
    id: 'SEC_JWT_KEY_MISSING',
    key: 'JWT_SECRET',
    hint: 'Set JWT_SECRET for HS* algorithms, or JWKS_URI for asymmetric ones.',
    check: (c) => {
      if (hasHs(c.jwtAlgorithms) && c.jwtSecret === undefined)
        return { key: 'JWT_SECRET', message: 'is not set but an HS algorithm is allowed' };
      if (hasAsymmetric(c.jwtAlgorithms) && c.jwksUri === undefined)
        return { key: 'JWKS_URI', message: 'is not set but an asymmetric algorithm is allowed' };
      return undefined;
    },
  },
  {
    id: 'SEC_DPOP_ORIGIN_MISSING',
    key: 'PUBLIC_ORIGIN',
    everyProfile: true,
    hint: 'Set PUBLIC_ORIGIN to the origin clients address (https://api.example.com): DPoP proofs are checked against it, never against the Host header.',
    check: (c) =>
      c.jwtDpop !== 'off' && c.publicOrigin === undefined
        ? { message: `is not set but JWT_DPOP is ${c.jwtDpop}` }
        : undefined,
  },
  {
    id: 'SEC_PUBLIC_ORIGIN_INSECURE',
    key: 'PUBLIC_ORIGIN',
    hint: 'Serve and name the public origin over https (https://api.example.com).',
    check: (c) =>
      c.publicOrigin !== undefined && !c.publicOrigin.startsWith('https://')
        ? { message: 'is not an https origin', values: [c.publicOrigin] }
        : undefined,
  },
  {
    id: 'SEC_JWKS_INSECURE',
    key: 'JWKS_URI',
    // jwtAuth refuses an http jwksUri (a loopback one only with dangerouslyAllowHttpJwks, set in code).
    everyProfile: true,
    hint: 'Fetch keys over https only; an attacker on the path could substitute their own keys. For a loopback test issuer pass jwksUri with dangerouslyAllowHttpJwks in code instead.',
    check: (c) =>
      c.jwksUri !== undefined && parseUrl(c.jwksUri)?.protocol !== 'https:'
        ? { message: 'is not an https URL', values: [c.jwksUri] }
        : undefined,
  },
  {
    id: 'SEC_JWKS_URI_CREDENTIALS',
    key: 'JWKS_URI',
    // Credentials in a key-set URL are sent to the issuer on every fetch and land in logs and proxies; no safe use.
    everyProfile: true,
    hint: 'Remove the user name and password from JWKS_URI; a public key set needs no credentials (if yours does, fetch it in code with a jwks option).',
    check: (c) => {
      const parsed = parseUrl(c.jwksUri);
      return parsed !== undefined && (parsed.username !== '' || parsed.password !== '')
        ? { message: 'contains credentials (user info before "@")' }
        : undefined;
    },
  },
  {
    id: 'SEC_TOKEN_TTL_LONG',
    key: 'ACCESS_TOKEN_MAX_TTL_SEC',
    hint: 'Keep access tokens short-lived: at most 3600 seconds (900 is the default).',
    check: (c) =>
      c.accessTokenMaxTtlSec > 3600
        ? {
            message: 'is above 3600 seconds; a stolen token would stay valid too long',
            values: [String(c.accessTokenMaxTtlSec)],
          }
        : undefined,
  },
  {
    id: 'SEC_LOG_LEVEL_VERBOSE',
    key: 'LOG_LEVEL',
    hint: 'Use info (or warn/error) in production; debug and trace log request details.',
    check: (c) =>
      c.logLevel === 'debug' || c.logLevel === 'trace'
        ? { message: 'is verbose (debug/trace)', values: [c.logLevel] }
        : undefined,
  },
  {
    id: 'SEC_DB_DEFAULT_CREDENTIALS',
    key: 'DATABASE_URL',
    hint: 'Create a dedicated database user with a random password; never ship image defaults like postgres:postgres.',
    check: (c) => {
      const parsed = parseUrl(c.databaseUrl);
      if (parsed === undefined) return undefined;
      const pair = `${safeDecode(parsed.username)}:${safeDecode(parsed.password)}`.toLowerCase();
      return DEFAULT_DB_CREDENTIALS.has(pair) ? { message: 'uses well-known default credentials' } : undefined;
    },
  },
  {
    id: 'SEC_REDIS_NO_AUTH',
    key: 'REDIS_URL',
    hint: 'Set a Redis password (redis://:<password>@host:6379) or use rediss:// with TLS.',
    check: (c) => {
      const parsed = parseUrl(c.redisUrl);
      return parsed !== undefined && parsed.protocol !== 'rediss:' && parsed.password === ''
        ? { message: 'has no password and is not rediss://' }
        : undefined;
    },
  },
]);

function safeDecode(value: string): string {
  try {
    return decodeURIComponent(value);
  } catch {
    return value;
  }
}

/**
 * The ready-made security configuration: the variables of the README table parsed into
 * {@link SecurityConfigValues}, checked by {@link SECURITY_RULES}.
 */
export const securityConfig: ConfigDefinition<SecurityConfigValues> = defineConfig(securitySchema, {
  rules: SECURITY_RULES,
});

/**
 * Loads the security configuration: `securityConfig.load(env)`.
 * @param env variables to read. @default process.env
 * @throws ConfigError listing every problem when the configuration is invalid or unsafe for its profile.
 */
export function loadSecurityConfig(env?: Env): SecurityConfig {
  return securityConfig.load(env);
}
