// Contract at the config → baseline seam: whatever loadSecurityConfig accepts, the baseline and its packages accept.
import { randomBytes } from 'node:crypto';
import express from 'express';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { SUPPORTED_ALGORITHMS } from '@portcullis/auth';
import { ConfigError, JWT_ALGORITHM_NAMES, LOG_LEVELS, loadSecurityConfig, type Env } from '@portcullis/config';
import { MAX_TRUST_PROXY_HOPS } from '@portcullis/errors/trust-proxy';
import { jsonBody, secureBaseline } from '@portcullis/baseline';

function configAccepts(bodyLimit: string): boolean {
  try {
    loadSecurityConfig({ NODE_ENV: 'test', BODY_LIMIT: bodyLimit });
    return true;
  } catch (error) {
    if (error instanceof ConfigError) return false;
    throw error;
  }
}

function jsonBodyAccepts(limit: string): boolean {
  try {
    jsonBody({ limit });
    return true;
  } catch (error) {
    if (error instanceof TypeError) return false;
    throw error;
  }
}

describe('BODY_LIMIT and jsonBody share one grammar and one bound', () => {
  it.each(['1.5 MB', '2gb', '1.5mb', '11mb', '0', '1 mb', 'lots', '100KB', '10mb', '10240kb', '1', '100kb'])(
    'config and jsonBody agree on %j',
    (value) => {
      expect(configAccepts(value)).toBe(jsonBodyAccepts(value));
    },
  );

  it('agrees on generated sizes (property)', () => {
    const size = fc.oneof(
      fc
        .tuple(fc.nat({ max: 20_000_000 }), fc.constantFrom('', 'b', 'kb', 'mb', 'gb', 'KB', 'Mb', ' mb', '.5mb', 'tb'))
        .map(([n, unit]) => `${n}${unit}`),
      fc.string({ maxLength: 12 }),
    );
    fc.assert(
      fc.property(size, (value) => {
        // A blank BODY_LIMIT is "unset" (the default), not a value: compare only what config reads as a value.
        fc.pre(value.trim() !== '');
        expect(configAccepts(value)).toBe(jsonBodyAccepts(value));
      }),
      { numRuns: 300 },
    );
  });

  it('hands jsonBody the limit in bytes', () => {
    const config = loadSecurityConfig({ NODE_ENV: 'test', BODY_LIMIT: '2mb' });
    expect(config.bodyLimit).toBe(2 * 1024 * 1024);
    expect(() => jsonBody({ limit: config.bodyLimit })).not.toThrow();
  });
});

describe('the algorithm tables of config and auth', () => {
  it('JWT_ALGORITHMS accepts exactly the algorithms jwtAuth supports (config cannot import auth, so this test compares them)', () => {
    const configured = JWT_ALGORITHM_NAMES.filter((alg) => alg !== 'none');
    expect([...configured].sort()).toEqual([...SUPPORTED_ALGORITHMS].sort());
  });
});

// Every variable over its valid domain. JWT settings come as a consistent family (HS with a random secret,
// or asymmetric with an https JWKS_URI): config lets some of them be missing outside production, but then
// there is nothing to build jwtAuth from — that is a missing value, not a value a later layer refuses.
const label = fc.stringMatching(/^[a-z][a-z0-9-]{0,10}[a-z0-9]$/);
const httpsOrigin = fc
  .tuple(
    label,
    fc.constantFrom('example.com', 'example.org', 'app.test'),
    fc.option(fc.integer({ min: 1, max: 65535 }), { nil: undefined }),
  )
  .map(([sub, domain, port]) => `https://${sub}.${domain}${port === undefined ? '' : `:${port}`}`);
const origin = fc.oneof(
  httpsOrigin,
  fc.integer({ min: 1, max: 65535 }).map((port) => `http://localhost:${port}`),
);
const v4 = fc.tuple(fc.integer({ min: 1, max: 223 }), fc.nat(255), fc.nat(255), fc.nat(255)).map((p) => p.join('.'));
const proxyEntry = fc.oneof(
  v4,
  fc.tuple(v4, fc.integer({ min: 8, max: 32 })).map(([a, p]) => `${a}/${p}`),
  fc.constantFrom('loopback', 'linklocal', 'uniquelocal', 'fd00::/8', '2001:db8::/32', '::1', '::ffff:10.0.0.1'),
);
const trustProxy = fc.oneof(
  fc.constantFrom('false', '0'),
  fc.integer({ min: 1, max: MAX_TRUST_PROXY_HOPS }).map(String),
  fc.array(proxyEntry, { minLength: 1, maxLength: 4 }).map((list) => list.join(',')),
);
const bodyLimit = fc.oneof(
  fc.integer({ min: 1, max: 10 * 1024 * 1024 }).map(String),
  fc.integer({ min: 1, max: 10 * 1024 }).map((n) => `${n}kb`),
  fc.integer({ min: 1, max: 10 }).map((n) => `${n}MB`),
);
const hs = fc
  .tuple(fc.subarray(['HS256', 'HS384', 'HS512'], { minLength: 1 }))
  .map(([algs]) => ({ JWT_ALGORITHMS: algs.join(','), JWT_SECRET: randomBytes(64).toString('base64url') }));
const asymmetric = fc
  .subarray(['RS256', 'RS384', 'RS512', 'PS256', 'PS384', 'PS512', 'ES256', 'ES384', 'ES512', 'EdDSA', 'Ed25519'], {
    minLength: 1,
  })
  .map((algs) => ({ JWT_ALGORITHMS: algs.join(','), JWKS_URI: 'https://id.example.com/.well-known/jwks.json' }));
const int = (min: number, max: number) => fc.integer({ min, max }).map(String);

const environment: fc.Arbitrary<Env> = fc
  .record({
    NODE_ENV: fc.constantFrom('production', 'development', 'test'),
    PORT: int(1, 65535),
    LOG_LEVEL: fc.constantFrom(...LOG_LEVELS),
    DEBUG: fc.constantFrom('false', '0', 'off', 'true'),
    ALLOWED_ORIGINS: fc.array(origin, { maxLength: 3 }).map((list) => list.join(',')),
    TRUST_PROXY: trustProxy,
    JWT_ISSUER: httpsOrigin.map((o) => `${o}/`),
    JWT_AUDIENCE: label,
    keys: fc.oneof(hs, asymmetric),
    ACCESS_TOKEN_MAX_TTL_SEC: int(1, 31_536_000),
    JWT_VERIFIED_TOKEN_CACHE_MAX_ENTRIES: int(0, 1_000_000),
    JWT_VERIFIED_TOKEN_CACHE_MAX_AGE_SEC: int(1, 3600),
    JWT_DPOP: fc.constantFrom('off', 'allowed', 'required'),
    PUBLIC_ORIGIN: httpsOrigin,
    RATE_LIMIT_WINDOW_SEC: int(1, 86_400),
    RATE_LIMIT_MAX: int(1, 1_000_000_000),
    RATE_LIMIT_SUBJECT_WINDOW_SEC: int(1, 86_400),
    RATE_LIMIT_SUBJECT_MAX: int(1, 1_000_000_000),
    TRUST_REQUEST_ID: fc.constantFrom('true', 'false'),
    BODY_LIMIT: bodyLimit,
    DATABASE_URL: fc.constant(`postgres://app:${randomBytes(16).toString('hex')}@db.internal:5432/app`),
    REDIS_URL: fc.constant(`rediss://redis.internal:6380`),
  })
  .map(({ keys, ...rest }) => ({ ...rest, ...keys }));

describe('contract: every environment loadSecurityConfig accepts builds a secureBaseline', () => {
  it("builds (and installs on an app) for generated environments over every variable's valid domain", async () => {
    let accepted = 0;
    const runs = 150;
    await fc.assert(
      fc.asyncProperty(environment, async (env) => {
        let config;
        try {
          config = loadSecurityConfig(env);
        } catch (error) {
          if (error instanceof ConfigError) return; // refused by config: not part of the contract
          throw error;
        }
        accepted += 1;
        const baseline = secureBaseline({ config, auth: {} });
        try {
          baseline.install(express());
          expect(() => jsonBody({ limit: config.bodyLimit })).not.toThrow();
        } finally {
          await baseline.shutdown();
        }
      }),
      { numRuns: runs },
    );
    // The generator must mostly produce environments config accepts, or the contract proves little.
    expect(accepted).toBeGreaterThan(runs / 2);
  }, 120_000);
});
