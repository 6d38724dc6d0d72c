// The environment corpus: each unsafe production setting alone gives exactly its rule id; combinations give all.
import { describe, expect, it } from 'vitest';
import { ConfigError, loadSecurityConfig, securityConfig, SECURITY_RULES, type Env } from '@portcullis/config';
import { SAFE_HS, SAFE_RS, withEnv } from './fixtures.js';

function problemsOf(env: Env): ConfigError {
  try {
    loadSecurityConfig(env);
  } catch (error) {
    if (error instanceof ConfigError) return error;
    throw error;
  }
  throw new Error('expected a ConfigError');
}

interface Case {
  name: string;
  id: string;
  key: string;
  base: Env;
  changes: Env;
  /** An unsafe value that must not appear in the production message. */
  value?: string;
}

const HS = SAFE_HS;
const RS = SAFE_RS;

const UNSAFE: Case[] = [
  { name: 'rejects DEBUG=true', id: 'SEC_DEBUG_ON', key: 'DEBUG', base: RS, changes: { DEBUG: 'true' } },
  { name: 'rejects DEBUG=1', id: 'SEC_DEBUG_ON', key: 'DEBUG', base: RS, changes: { DEBUG: '1' } },
  {
    name: 'rejects a debug-module pattern DEBUG=express:*',
    id: 'SEC_DEBUG_ON',
    key: 'DEBUG',
    base: RS,
    changes: { DEBUG: 'express:*' },
    value: 'express:*',
  },
  {
    name: 'rejects the "*" origin',
    id: 'SEC_CORS_WILDCARD',
    key: 'ALLOWED_ORIGINS',
    base: RS,
    changes: { ALLOWED_ORIGINS: '*' },
  },
  {
    name: 'rejects a wildcard subdomain pattern',
    id: 'SEC_CORS_WILDCARD',
    key: 'ALLOWED_ORIGINS',
    base: RS,
    changes: { ALLOWED_ORIGINS: 'https://*.example.com' },
    value: '*.example.com',
  },
  {
    name: 'rejects the "null" origin',
    id: 'SEC_CORS_NULL_ORIGIN',
    key: 'ALLOWED_ORIGINS',
    base: RS,
    changes: { ALLOWED_ORIGINS: 'https://app.example.com,null' },
  },
  {
    name: 'rejects "NULL" in any case',
    id: 'SEC_CORS_NULL_ORIGIN',
    key: 'ALLOWED_ORIGINS',
    base: RS,
    changes: { ALLOWED_ORIGINS: 'NULL' },
  },
  {
    name: 'rejects an http origin',
    id: 'SEC_CORS_INSECURE_ORIGIN',
    key: 'ALLOWED_ORIGINS',
    base: RS,
    changes: { ALLOWED_ORIGINS: 'http://app.example.com' },
    value: 'http://app.example.com',
  },
  {
    name: 'rejects an origin with a trailing slash',
    id: 'SEC_CORS_ORIGIN_HAS_PATH',
    key: 'ALLOWED_ORIGINS',
    base: RS,
    changes: { ALLOWED_ORIGINS: 'https://app.example.com/' },
    value: 'app.example.com/',
  },
  {
    name: 'rejects an origin with a path',
    id: 'SEC_CORS_ORIGIN_HAS_PATH',
    key: 'ALLOWED_ORIGINS',
    base: RS,
    changes: { ALLOWED_ORIGINS: 'https://app.example.com/app' },
    value: '/app',
  },
  {
    name: 'rejects an origin with a query',
    id: 'SEC_CORS_ORIGIN_HAS_PATH',
    key: 'ALLOWED_ORIGINS',
    base: RS,
    changes: { ALLOWED_ORIGINS: 'https://app.example.com?x=1' },
    value: '?x=1',
  },
  {
    name: 'rejects an origin with an empty query',
    id: 'SEC_CORS_ORIGIN_HAS_PATH',
    key: 'ALLOWED_ORIGINS',
    base: RS,
    changes: { ALLOWED_ORIGINS: 'https://app.example.com?' },
  },
  {
    name: 'rejects an origin with a fragment',
    id: 'SEC_CORS_ORIGIN_HAS_PATH',
    key: 'ALLOWED_ORIGINS',
    base: RS,
    changes: { ALLOWED_ORIGINS: 'https://app.example.com#top' },
    value: '#top',
  },
  {
    name: 'rejects an origin with user info',
    id: 'SEC_CORS_ORIGIN_HAS_PATH',
    key: 'ALLOWED_ORIGINS',
    base: RS,
    changes: { ALLOWED_ORIGINS: 'https://evil@app.example.com' },
    value: 'evil@',
  },
  {
    name: 'rejects TRUST_PROXY=true',
    id: 'SEC_TRUST_PROXY_ANY',
    key: 'TRUST_PROXY',
    base: RS,
    changes: { TRUST_PROXY: 'true' },
  },
  {
    name: 'rejects TRUST_PROXY=*',
    id: 'SEC_TRUST_PROXY_ANY',
    key: 'TRUST_PROXY',
    base: RS,
    changes: { TRUST_PROXY: '*' },
  },
  {
    name: 'rejects TRUST_PROXY=0.0.0.0/0',
    id: 'SEC_TRUST_PROXY_ANY',
    key: 'TRUST_PROXY',
    base: RS,
    changes: { TRUST_PROXY: '10.0.0.0/8,0.0.0.0/0' },
    value: '0.0.0.0/0',
  },
  {
    name: 'rejects TRUST_PROXY=::/0',
    id: 'SEC_TRUST_PROXY_ANY',
    key: 'TRUST_PROXY',
    base: RS,
    changes: { TRUST_PROXY: '::/0' },
  },
  {
    name: 'rejects a missing issuer',
    id: 'SEC_JWT_ISSUER_MISSING',
    key: 'JWT_ISSUER',
    base: RS,
    changes: { JWT_ISSUER: undefined },
  },
  {
    name: 'rejects an empty issuer',
    id: 'SEC_JWT_ISSUER_MISSING',
    key: 'JWT_ISSUER',
    base: RS,
    changes: { JWT_ISSUER: '   ' },
  },
  {
    name: 'rejects a missing audience',
    id: 'SEC_JWT_AUDIENCE_MISSING',
    key: 'JWT_AUDIENCE',
    base: RS,
    changes: { JWT_AUDIENCE: undefined },
  },
  {
    name: 'rejects missing algorithms',
    id: 'SEC_JWT_ALG_MISSING',
    key: 'JWT_ALGORITHMS',
    base: RS,
    changes: { JWT_ALGORITHMS: undefined },
  },
  {
    name: 'rejects alg none',
    id: 'SEC_JWT_ALG_NONE',
    key: 'JWT_ALGORITHMS',
    base: RS,
    changes: { JWT_ALGORITHMS: 'RS256,none' },
  },
  {
    name: 'rejects alg NONE in upper case',
    id: 'SEC_JWT_ALG_NONE',
    key: 'JWT_ALGORITHMS',
    base: RS,
    changes: { JWT_ALGORITHMS: 'NONE,RS256' },
  },
  {
    name: 'rejects HS and RS algorithms mixed (key confusion)',
    id: 'SEC_JWT_ALG_MIXED',
    key: 'JWT_ALGORITHMS',
    base: HS,
    changes: { JWT_ALGORITHMS: 'HS256,RS256', JWKS_URI: RS.JWKS_URI },
  },
  {
    name: 'rejects an HS256 secret shorter than 32 bytes',
    id: 'SEC_JWT_SECRET_WEAK',
    key: 'JWT_SECRET',
    base: HS,
    changes: { JWT_SECRET: 'Aw3VwfShwgHQBqVv3HGo57uoV35skmH' }, // random, one byte short
  },
  {
    name: 'rejects an HS512 secret shorter than 64 bytes',
    id: 'SEC_JWT_SECRET_WEAK',
    key: 'JWT_SECRET',
    base: HS,
    changes: { JWT_ALGORITHMS: 'HS512', JWT_SECRET: 'UCF03oDj1nNHxhBH798H8plxqJlnumOE9epqDp2ZmexjyoyBc3BRO1z4rAnXMN8' },
  },
  {
    name: 'rejects a JWKS_URI with credentials in it',
    id: 'SEC_JWKS_URI_CREDENTIALS',
    key: 'JWKS_URI',
    base: RS,
    changes: { JWKS_URI: 'https://svc:Jw5Kp4ss@id.example.com/.well-known/jwks.json' },
    value: 'Jw5Kp4ss',
  },
  {
    name: 'rejects an HS algorithm without JWT_SECRET',
    id: 'SEC_JWT_KEY_MISSING',
    key: 'JWT_SECRET',
    base: HS,
    changes: { JWT_SECRET: undefined },
  },
  {
    name: 'rejects an asymmetric algorithm without JWKS_URI',
    id: 'SEC_JWT_KEY_MISSING',
    key: 'JWKS_URI',
    base: RS,
    changes: { JWKS_URI: undefined },
  },
  {
    name: 'rejects a JWKS fetched over http',
    id: 'SEC_JWKS_INSECURE',
    key: 'JWKS_URI',
    base: RS,
    changes: { JWKS_URI: 'http://id.example.com/jwks.json' },
    value: 'http://id.example.com',
  },
  {
    name: 'rejects access tokens living over an hour',
    id: 'SEC_TOKEN_TTL_LONG',
    key: 'ACCESS_TOKEN_MAX_TTL_SEC',
    base: RS,
    changes: { ACCESS_TOKEN_MAX_TTL_SEC: '3601' },
    value: '3601',
  },
  {
    name: 'rejects LOG_LEVEL=debug',
    id: 'SEC_LOG_LEVEL_VERBOSE',
    key: 'LOG_LEVEL',
    base: RS,
    changes: { LOG_LEVEL: 'debug' },
  },
  {
    name: 'rejects LOG_LEVEL=TRACE',
    id: 'SEC_LOG_LEVEL_VERBOSE',
    key: 'LOG_LEVEL',
    base: RS,
    changes: { LOG_LEVEL: 'TRACE' },
  },
  {
    name: 'rejects postgres:postgres',
    id: 'SEC_DB_DEFAULT_CREDENTIALS',
    key: 'DATABASE_URL',
    base: RS,
    changes: { DATABASE_URL: 'postgres://postgres:postgres@127.0.0.1:5432/app' },
  },
  {
    name: 'rejects root:root',
    id: 'SEC_DB_DEFAULT_CREDENTIALS',
    key: 'DATABASE_URL',
    base: RS,
    changes: { DATABASE_URL: 'mysql://root:root@127.0.0.1:3306/app' },
  },
  {
    name: 'rejects admin:admin',
    id: 'SEC_DB_DEFAULT_CREDENTIALS',
    key: 'DATABASE_URL',
    base: RS,
    changes: { DATABASE_URL: 'postgresql://admin:admin@db/app' },
  },
  {
    name: 'rejects user:password (percent-encoded)',
    id: 'SEC_DB_DEFAULT_CREDENTIALS',
    key: 'DATABASE_URL',
    base: RS,
    changes: { DATABASE_URL: 'postgres://user:pass%77ord@db/app' },
  },
  {
    name: 'rejects redis:// without a password',
    id: 'SEC_REDIS_NO_AUTH',
    key: 'REDIS_URL',
    base: RS,
    changes: { REDIS_URL: 'redis://127.0.0.1:6379' },
  },
  {
    name: 'rejects redis:// with a user but no password',
    id: 'SEC_REDIS_NO_AUTH',
    key: 'REDIS_URL',
    base: RS,
    changes: { REDIS_URL: 'redis://default@127.0.0.1:6379' },
  },
  {
    name: 'rejects JWT_DPOP=allowed without PUBLIC_ORIGIN (htu would have nothing to be compared against)',
    id: 'SEC_DPOP_ORIGIN_MISSING',
    key: 'PUBLIC_ORIGIN',
    base: RS,
    changes: { JWT_DPOP: 'allowed' },
  },
  {
    name: 'rejects an http PUBLIC_ORIGIN',
    id: 'SEC_PUBLIC_ORIGIN_INSECURE',
    key: 'PUBLIC_ORIGIN',
    base: RS,
    changes: { PUBLIC_ORIGIN: 'http://api.example.com' },
    value: 'http://api.example.com',
  },
];

const EVERY_PROFILE = new Set(SECURITY_RULES.filter((r) => r.everyProfile === true).map((r) => r.id));

describe('securityConfig: safe production environments', () => {
  it.each([
    ['asymmetric (RS256/ES256 + JWKS)', SAFE_RS],
    ['HS256 with a 64+ byte secret', SAFE_HS],
    [
      'rediss:// without a password and no database',
      withEnv(SAFE_RS, { REDIS_URL: 'rediss://redis.internal:6380', DATABASE_URL: undefined }),
    ],
  ])('loads %s with no warnings', (_name, env) => {
    const config = loadSecurityConfig(env);
    expect(config.profile).toBe('production');
    expect(config.warnings).toEqual([]);
  });

  it('returns typed, parsed values', () => {
    const config = loadSecurityConfig(
      withEnv(SAFE_RS, {
        ALLOWED_ORIGINS: ' HTTPS://App.Example.COM:443 , https://admin.example.com:8443,https://app.example.com ',
        TRUST_PROXY: '10.0.0.0/8, loopback, ::1',
        RATE_LIMIT_MAX: '50',
        RATE_LIMIT_WINDOW_SEC: '30',
        ACCESS_TOKEN_MAX_TTL_SEC: '600',
        JWT_VERIFIED_TOKEN_CACHE_MAX_ENTRIES: '10000',
        JWT_VERIFIED_TOKEN_CACHE_MAX_AGE_SEC: ' 30 ',
        BODY_LIMIT: '2MB',
        LOG_LEVEL: 'WARN',
        APP_ENV: 'production',
      }),
    );
    expect(config.allowedOrigins).toEqual(['https://app.example.com', 'https://admin.example.com:8443']);
    expect(config.trustProxy).toEqual(['10.0.0.0/8', 'loopback', '::1']);
    expect(config.port).toBe(8080);
    expect(config.rateLimitMax).toBe(50);
    expect(config.rateLimitWindowSec).toBe(30);
    expect(config.accessTokenMaxTtlSec).toBe(600);
    expect(config.jwtVerifiedTokenCacheMaxEntries).toBe(10_000);
    expect(config.jwtVerifiedTokenCacheMaxAgeSec).toBe(30);
    expect(config.bodyLimit).toBe(2 * 1024 * 1024);
    expect(config.logLevel).toBe('warn');
    expect(config.debug).toBe(false);
    expect(config.jwtAlgorithms).toEqual(['RS256', 'ES256']);
    expect(config.jwtIssuer).toBe('https://id.example.com/');
    expect(config.jwtAudience).toBe('case-api');
    expect(config.jwksUri).toBe('https://id.example.com/.well-known/jwks.json');
    expect(config.jwtSecret).toBeUndefined();
    expect(config.nodeEnv).toBe('production');
    expect(config.appEnv).toBe('production');
    expect(config.databaseUrl).toContain('postgres://app:');
    expect(config.redisUrl).toContain('redis://:');
  });

  it('applies the documented defaults', () => {
    const config = loadSecurityConfig({ NODE_ENV: 'test' });
    expect(config).toMatchObject({
      port: 3000,
      logLevel: 'info',
      debug: false,
      allowedOrigins: [],
      trustProxy: false,
      jwtAlgorithms: [],
      accessTokenMaxTtlSec: 900,
      jwtVerifiedTokenCacheMaxEntries: 0,
      jwtVerifiedTokenCacheMaxAgeSec: 60,
      rateLimitWindowSec: 60,
      rateLimitMax: 300,
      rateLimitSubjectWindowSec: 60,
      rateLimitSubjectMax: 120,
      trustRequestId: false,
      bodyLimit: 102_400,
      profile: 'test',
    });
  });

  it.each([
    ['true', true],
    ['TRUE', true],
    [' false ', false],
  ] as const)('parses TRUST_REQUEST_ID=%j as %s', (raw, expected) => {
    expect(loadSecurityConfig(withEnv(SAFE_RS, { TRUST_REQUEST_ID: raw })).trustRequestId).toBe(expected);
  });

  it.each(['yes', '1', 'on'])('refuses TRUST_REQUEST_ID=%j (only true or false adopt or refuse client ids)', (raw) => {
    expect(() => loadSecurityConfig(withEnv(SAFE_RS, { TRUST_REQUEST_ID: raw }))).toThrow(/TRUST_REQUEST_ID/);
  });

  it('reads the per-subject limit variables', () => {
    const config = loadSecurityConfig(
      withEnv(SAFE_RS, { RATE_LIMIT_SUBJECT_MAX: '7', RATE_LIMIT_SUBJECT_WINDOW_SEC: '30' }),
    );
    expect(config.rateLimitSubjectMax).toBe(7);
    expect(config.rateLimitSubjectWindowSec).toBe(30);
    expect(() => loadSecurityConfig(withEnv(SAFE_RS, { RATE_LIMIT_SUBJECT_MAX: '0' }))).toThrow(
      /RATE_LIMIT_SUBJECT_MAX/,
    );
  });

  it.each([
    ['2', 2],
    ['false', false],
    ['0', false],
    ['FALSE', false],
  ] as const)('parses TRUST_PROXY=%s as %s', (raw, expected) => {
    expect(loadSecurityConfig(withEnv(SAFE_RS, { TRUST_PROXY: raw })).trustProxy).toBe(expected);
  });

  it.each(['false', '0', 'no', 'off', '', ' '])('treats DEBUG=%j as off', (raw) => {
    expect(loadSecurityConfig(withEnv(SAFE_RS, { DEBUG: raw })).debug).toBe(false);
  });
});

describe('securityConfig: the verified-token cache variables', () => {
  it.each([
    ['0', '1', 0, 1],
    ['1', '3600', 1, 3600],
    ['1000000', '60', 1_000_000, 60],
  ])(
    'accepts JWT_VERIFIED_TOKEN_CACHE_MAX_ENTRIES=%s and _MAX_AGE_SEC=%s at their bounds',
    (entries, age, expectedEntries, expectedAge) => {
      const config = loadSecurityConfig(
        withEnv(SAFE_RS, { JWT_VERIFIED_TOKEN_CACHE_MAX_ENTRIES: entries, JWT_VERIFIED_TOKEN_CACHE_MAX_AGE_SEC: age }),
      );
      expect(config.jwtVerifiedTokenCacheMaxEntries).toBe(expectedEntries);
      expect(config.jwtVerifiedTokenCacheMaxAgeSec).toBe(expectedAge);
      expect(config.warnings).toEqual([]);
    },
  );

  it('treats empty or whitespace-only values as unset (cache off, 60 s)', () => {
    const config = loadSecurityConfig(
      withEnv(SAFE_RS, { JWT_VERIFIED_TOKEN_CACHE_MAX_ENTRIES: ' ', JWT_VERIFIED_TOKEN_CACHE_MAX_AGE_SEC: '' }),
    );
    expect(config.jwtVerifiedTokenCacheMaxEntries).toBe(0);
    expect(config.jwtVerifiedTokenCacheMaxAgeSec).toBe(60);
  });

  it('lists both variables in the summary that portcullis-config check prints', () => {
    const summary = securityConfig.describe(
      loadSecurityConfig(withEnv(SAFE_RS, { JWT_VERIFIED_TOKEN_CACHE_MAX_ENTRIES: '5000' })),
    );
    expect(summary).toMatch(/^JWT_VERIFIED_TOKEN_CACHE_MAX_ENTRIES\s+5000$/m);
    expect(summary).toMatch(/^JWT_VERIFIED_TOKEN_CACHE_MAX_AGE_SEC\s+60$/m);
  });
});

describe('securityConfig: JWT_DPOP and PUBLIC_ORIGIN', () => {
  it.each([
    [undefined, 'off'],
    ['off', 'off'],
    [' Allowed ', 'allowed'],
    ['REQUIRED', 'required'],
  ] as const)('parses JWT_DPOP=%j as %s', (raw, expected) => {
    const env = withEnv(SAFE_RS, { JWT_DPOP: raw, PUBLIC_ORIGIN: 'https://api.example.com' });
    expect(loadSecurityConfig(env).jwtDpop).toBe(expected);
  });

  it.each(['on', 'true', 'yes', 'bearer'])('refuses JWT_DPOP=%s (one grammar: off, allowed, required)', (raw) => {
    expect(problemsOf(withEnv(SAFE_RS, { JWT_DPOP: raw })).message).toContain('JWT_DPOP');
  });

  it('normalises PUBLIC_ORIGIN like ALLOWED_ORIGINS (lower-case host, default port dropped)', () => {
    const config = loadSecurityConfig(
      withEnv(SAFE_RS, { JWT_DPOP: 'required', PUBLIC_ORIGIN: ' HTTPS://API.Example.com:443 ' }),
    );
    expect(config.publicOrigin).toBe('https://api.example.com');
    expect(config.warnings).toEqual([]);
  });

  it.each(['https://api.example.com/v1', 'https://u:p@api.example.com', 'api.example.com', 'https://*.example.com'])(
    'refuses PUBLIC_ORIGIN=%s (not an origin)',
    (raw) => {
      expect(problemsOf(withEnv(SAFE_RS, { PUBLIC_ORIGIN: raw })).message).toContain('PUBLIC_ORIGIN');
    },
  );

  it('allows an http PUBLIC_ORIGIN outside production, with a warning', () => {
    const config = loadSecurityConfig(
      withEnv(SAFE_RS, { NODE_ENV: 'development', JWT_DPOP: 'allowed', PUBLIC_ORIGIN: 'http://localhost:3000' }),
    );
    expect(config.publicOrigin).toBe('http://localhost:3000');
    expect(config.warnings.map((w) => w.rule)).toEqual(['SEC_PUBLIC_ORIGIN_INSECURE']);
  });
});

describe('securityConfig: each unsafe production setting alone gives exactly its rule id', () => {
  it.each(UNSAFE)('$name → $id', ({ id, key, base, changes, value }) => {
    const error = problemsOf(withEnv(base, changes));
    expect(error.profile).toBe('production');
    expect(error.problems.map((p) => p.rule)).toEqual([id]);
    expect(error.problems[0]?.key).toBe(key);
    expect(error.problems[0]?.hint.length).toBeGreaterThan(10);
    expect(error.message).toContain(`[${id}]`);
    // Production messages carry no values at all.
    expect(error.message).not.toContain('(got');
    if (value !== undefined) expect(error.message).not.toContain(value);
  });

  it.each(UNSAFE.map((c) => ({ ...c, expectThrow: EVERY_PROFILE.has(c.id) })))(
    'development with the same values: $id is a warning unless it applies in every profile',
    ({ id, base, changes, expectThrow }) => {
      const env = withEnv(base, { ...changes, NODE_ENV: 'development' });
      if (expectThrow) {
        expect(problemsOf(env).problems.map((p) => p.rule)).toEqual([id]);
        return;
      }
      const config = loadSecurityConfig(env);
      expect(config.profile).toBe('development');
      expect(config.warnings.map((w) => w.rule)).toEqual([id]);
      expect(securityConfig.describe(config)).toContain(`[${id}]`);
    },
  );

  it('covers every rule of the pack', () => {
    expect(new Set(UNSAFE.map((c) => c.id))).toEqual(new Set(SECURITY_RULES.map((r) => r.id)));
    expect(SECURITY_RULES.map((r) => r.id)).toEqual([
      'SEC_DEBUG_ON',
      'SEC_CORS_WILDCARD',
      'SEC_CORS_NULL_ORIGIN',
      'SEC_CORS_INSECURE_ORIGIN',
      'SEC_CORS_ORIGIN_HAS_PATH',
      'SEC_TRUST_PROXY_ANY',
      'SEC_JWT_ISSUER_MISSING',
      'SEC_JWT_AUDIENCE_MISSING',
      'SEC_JWT_ALG_MISSING',
      'SEC_JWT_ALG_NONE',
      'SEC_JWT_ALG_MIXED',
      'SEC_JWT_SECRET_WEAK',
      'SEC_JWT_KEY_MISSING',
      'SEC_DPOP_ORIGIN_MISSING',
      'SEC_PUBLIC_ORIGIN_INSECURE',
      'SEC_JWKS_INSECURE',
      'SEC_JWKS_URI_CREDENTIALS',
      'SEC_TOKEN_TTL_LONG',
      'SEC_LOG_LEVEL_VERBOSE',
      'SEC_DB_DEFAULT_CREDENTIALS',
      'SEC_REDIS_NO_AUTH',
    ]);
    // Every rule whose value a later layer (strictCors, jwtAuth, trustProxy()) would refuse applies in every profile.
    expect([...EVERY_PROFILE].sort()).toEqual([
      'SEC_CORS_INSECURE_ORIGIN',
      'SEC_CORS_NULL_ORIGIN',
      'SEC_CORS_ORIGIN_HAS_PATH',
      'SEC_CORS_WILDCARD',
      'SEC_DPOP_ORIGIN_MISSING',
      'SEC_JWKS_INSECURE',
      'SEC_JWKS_URI_CREDENTIALS',
      'SEC_JWT_ALG_MIXED',
      'SEC_JWT_ALG_NONE',
      'SEC_JWT_SECRET_WEAK',
      'SEC_TRUST_PROXY_ANY',
    ]);
  });
});

describe('securityConfig: combinations report every id at once', () => {
  const everything: Env = {
    NODE_ENV: 'production',
    DEBUG: 'true',
    LOG_LEVEL: 'trace',
    ALLOWED_ORIGINS: '*,null,http://a.example.com,https://b.example.com/',
    TRUST_PROXY: 'true',
    JWT_ALGORITHMS: 'none,HS256,RS256',
    JWT_SECRET: 'changeme',
    JWKS_URI: 'http://id.example.com/jwks',
    ACCESS_TOKEN_MAX_TTL_SEC: '86400',
    DATABASE_URL: 'postgres://postgres:postgres@db/app',
    REDIS_URL: 'redis://redis:6379',
    JWT_DPOP: 'allowed',
  };
  // ALG_MISSING needs no algorithms at all, so it is covered by its own combination below; PUBLIC_ORIGIN_INSECURE
  // needs PUBLIC_ORIGIN set, which DPOP_ORIGIN_MISSING needs unset (each has its own case above).
  const all = SECURITY_RULES.map((r) => r.id).filter(
    (id) => id !== 'SEC_JWT_ALG_MISSING' && id !== 'SEC_PUBLIC_ORIGIN_INSECURE' && id !== 'SEC_JWKS_URI_CREDENTIALS',
  );

  it.each([
    // The signing-key checks of JWT_SECRET (published, weak) come after the rule pack.
    [
      'with a well-known secret',
      everything,
      [...all.filter((id) => id !== 'SEC_JWT_KEY_MISSING'), 'SEC_SECRET_PUBLISHED'],
    ],
    [
      'without a secret',
      withEnv(everything, { JWT_SECRET: undefined }),
      all.filter((id) => id !== 'SEC_JWT_SECRET_WEAK'),
    ],
    [
      'with a short secret',
      withEnv(everything, { JWT_SECRET: 'x'.repeat(12) }),
      [...all.filter((id) => id !== 'SEC_JWT_KEY_MISSING'), 'SEC_SECRET_WEAK'],
    ],
    [
      'with no algorithms',
      withEnv(everything, { JWT_ALGORITHMS: undefined, JWT_SECRET: 'changeme' }),
      [
        'SEC_DEBUG_ON',
        'SEC_CORS_WILDCARD',
        'SEC_CORS_NULL_ORIGIN',
        'SEC_CORS_INSECURE_ORIGIN',
        'SEC_CORS_ORIGIN_HAS_PATH',
        'SEC_TRUST_PROXY_ANY',
        'SEC_JWT_ISSUER_MISSING',
        'SEC_JWT_AUDIENCE_MISSING',
        'SEC_JWT_ALG_MISSING',
        'SEC_DPOP_ORIGIN_MISSING',
        'SEC_JWKS_INSECURE',
        'SEC_TOKEN_TTL_LONG',
        'SEC_LOG_LEVEL_VERBOSE',
        'SEC_DB_DEFAULT_CREDENTIALS',
        'SEC_REDIS_NO_AUTH',
        'SEC_SECRET_PUBLISHED',
      ],
    ],
  ])('reports all findings %s', (_name, env, expected) => {
    const error = problemsOf(env);
    expect(error.problems.map((p) => p.rule)).toEqual(expected);
    expect(error.message.match(/\[SEC_/g)?.length).toBe(expected.length);
  });

  it('reports schema problems together with rule findings', () => {
    const error = problemsOf(withEnv(everything, { PORT: 'eighty', RATE_LIMIT_MAX: '-1' }));
    const rules = error.problems.map((p) => `${p.key}:${p.rule}`);
    expect(rules).toContain('PORT:CONFIG_INVALID');
    expect(rules).toContain('RATE_LIMIT_MAX:CONFIG_INVALID');
    expect(rules).toContain('DEBUG:SEC_DEBUG_ON');
    expect(rules).toContain('JWT_ALGORITHMS:SEC_JWT_ALG_NONE');
  });

  it('in development the values a later layer refuses are errors; the rest are warnings', () => {
    // JWT_DPOP without PUBLIC_ORIGIN is an error in every profile too (its own case above).
    const dev = withEnv(everything, { NODE_ENV: 'development', JWT_DPOP: undefined });
    expect(problemsOf(dev).problems.map((p) => p.rule)).toEqual([
      'SEC_CORS_WILDCARD',
      'SEC_CORS_NULL_ORIGIN',
      'SEC_CORS_INSECURE_ORIGIN',
      'SEC_CORS_ORIGIN_HAS_PATH',
      'SEC_TRUST_PROXY_ANY',
      'SEC_JWT_ALG_NONE',
      'SEC_JWT_ALG_MIXED',
      'SEC_JWT_SECRET_WEAK',
      'SEC_JWKS_INSECURE',
    ]);
    const config = loadSecurityConfig(
      withEnv(dev, {
        JWT_ALGORITHMS: 'HS256',
        // Long enough for HS256 (a short one is refused everywhere), but published: a warning here.
        JWT_SECRET: 'a-string-secret-at-least-256-bits-long',
        TRUST_PROXY: '1',
        ALLOWED_ORIGINS: 'http://localhost:3000',
        JWKS_URI: undefined,
      }),
    );
    // http://localhost is what strictCors accepts outside production: not even a warning there.
    expect(config.warnings.map((w) => w.rule)).toEqual([
      'SEC_DEBUG_ON',
      'SEC_JWT_ISSUER_MISSING',
      'SEC_JWT_AUDIENCE_MISSING',
      'SEC_TOKEN_TTL_LONG',
      'SEC_LOG_LEVEL_VERBOSE',
      'SEC_DB_DEFAULT_CREDENTIALS',
      'SEC_REDIS_NO_AUTH',
      'SEC_SECRET_PUBLISHED',
    ]);
    // Outside production the offending (non-secret) values are shown to help the developer.
    expect(securityConfig.describe(config)).toContain('(got "trace")');
    expect(problemsOf(dev).message).toContain('(got "*")');
    // Entries a rule reports are kept as written, not silently fixed.
    expect(problemsOf(withEnv(dev, { ALLOWED_ORIGINS: 'https://b.example.com/' })).message).toContain(
      '(got "https://b.example.com/")',
    );
  });
});

describe('securityConfig: values that are not valid at all fail in every profile', () => {
  it.each([
    ['PORT', 'abc'],
    ['PORT', '0'],
    ['PORT', '70000'],
    ['PORT', '80.5'],
    ['LOG_LEVEL', 'loud'],
    ['TRUST_PROXY', 'banana'],
    ['TRUST_PROXY', '10.0.0.0/33'],
    ['TRUST_PROXY', '10.0.0.0/x'],
    ['TRUST_PROXY', ','],
    ['JWT_ALGORITHMS', 'HS257'],
    ['JWT_ALGORITHMS', 'rs256'],
    ['ALLOWED_ORIGINS', 'app.example.com'],
    ['ALLOWED_ORIGINS', 'ftp://files.example.com'],
    ['ALLOWED_ORIGINS', 'https://'],
    ['JWKS_URI', 'not a url'],
    ['JWKS_URI', 'file:///etc/jwks.json'],
    ['REDIS_URL', 'http://redis:6379'],
    ['DATABASE_URL', 'nonsense'],
    ['BODY_LIMIT', 'lots'],
    ['BODY_LIMIT', '1.2.3kb'],
    ['BODY_LIMIT', 'kb'],
    ['BODY_LIMIT', '1.kb'],
    ['BODY_LIMIT', '1.5 MB'],
    ['BODY_LIMIT', '1.5mb'],
    ['BODY_LIMIT', '2gb'],
    ['BODY_LIMIT', '11mb'],
    ['BODY_LIMIT', '0'],
    ['BODY_LIMIT', '1 mb'],
    ['TRUST_PROXY', '1.5'],
    ['TRUST_PROXY', '-1'],
    ['RATE_LIMIT_MAX', '-1'],
    ['RATE_LIMIT_WINDOW_SEC', '0'],
    ['ACCESS_TOKEN_MAX_TTL_SEC', '1e3'],
    ['JWT_VERIFIED_TOKEN_CACHE_MAX_ENTRIES', '-1'],
    ['JWT_VERIFIED_TOKEN_CACHE_MAX_ENTRIES', '1000001'],
    ['JWT_VERIFIED_TOKEN_CACHE_MAX_ENTRIES', '1.5'],
    ['JWT_VERIFIED_TOKEN_CACHE_MAX_ENTRIES', '1e4'],
    ['JWT_VERIFIED_TOKEN_CACHE_MAX_ENTRIES', 'on'],
    ['JWT_VERIFIED_TOKEN_CACHE_MAX_AGE_SEC', '0'],
    ['JWT_VERIFIED_TOKEN_CACHE_MAX_AGE_SEC', '3601'],
    ['JWT_VERIFIED_TOKEN_CACHE_MAX_AGE_SEC', '-60'],
    ['JWT_VERIFIED_TOKEN_CACHE_MAX_AGE_SEC', '60s'],
  ])('rejects %s=%j with CONFIG_INVALID', (key, value) => {
    for (const profile of ['production', 'development']) {
      const error = problemsOf(withEnv(SAFE_RS, { [key]: value, NODE_ENV: profile }));
      expect(error.problems.map((p) => `${p.key}:${p.rule}`)).toEqual([`${key}:CONFIG_INVALID`]);
      expect(error.problems[0]?.hint).toMatch(new RegExp(`^Set ${key} to `));
      if (profile === 'production') expect(error.problems[0]?.message).not.toContain('(got');
    }
  });

  it.each([
    ['JWT_VERIFIED_TOKEN_CACHE_MAX_ENTRIES', '1000001', 'must be at most 1000000'],
    ['JWT_VERIFIED_TOKEN_CACHE_MAX_ENTRIES', '2.5', 'must be a whole number'],
    ['JWT_VERIFIED_TOKEN_CACHE_MAX_AGE_SEC', '0', 'must be at least 1'],
    ['JWT_VERIFIED_TOKEN_CACHE_MAX_AGE_SEC', '3601', 'must be at most 3600'],
  ])('names %s and its range when %j is refused', (key, value, range) => {
    const error = problemsOf(withEnv(SAFE_RS, { [key]: value }));
    expect(error.message).toContain(`${key} [CONFIG_INVALID] ${range}`);
    expect(error.message).toContain(`Set ${key} to a number of`);
  });

  it('shows the offending value outside production only', () => {
    const dev = problemsOf(withEnv(SAFE_RS, { NODE_ENV: 'development', PORT: 'eighty' }));
    expect(dev.problems[0]?.message).toContain('(got "eighty")');
    const prod = problemsOf(withEnv(SAFE_RS, { PORT: 'eighty' }));
    expect(prod.message).not.toContain('eighty');
  });
});
