// Sentinel secrets in JWT_SECRET, DATABASE_URL and REDIS_URL never appear in any output, error or copy of the config.
import { inspect } from 'node:util';
import { describe, expect, it } from 'vitest';
import { ConfigError, loadSecurityConfig, securityConfig, type Env } from '@portcullis/config';
import { SAFE_HS, SENTINEL_DB, SENTINEL_JWT, SENTINEL_REDIS, withEnv } from './fixtures.js';

const SENTINELS = [SENTINEL_JWT, SENTINEL_DB, SENTINEL_REDIS];

function expectNoSentinel(text: string): void {
  for (const sentinel of SENTINELS) expect(text).not.toContain(sentinel);
  // Not even a recognisable piece of one.
  expect(text).not.toContain('S3NTINEL');
}

function catchConfigError(env: Env): ConfigError {
  try {
    loadSecurityConfig(env);
  } catch (error) {
    if (error instanceof ConfigError) return error;
    throw error;
  }
  throw new Error('expected a ConfigError');
}

describe('secrets never leak from a loaded config [ASVS V16.2.5]', () => {
  const config = loadSecurityConfig(SAFE_HS);
  const dev = loadSecurityConfig(
    withEnv(SAFE_HS, { NODE_ENV: 'development', DEBUG: 'true', REDIS_URL: `redis://${SENTINEL_REDIS}@127.0.0.1:6379` }),
  );

  it('still gives the program the real values', () => {
    expect(config.jwtSecret).toBe(SENTINEL_JWT);
    expect(config.databaseUrl).toBe(`postgres://app:${SENTINEL_DB}@127.0.0.1:5432/app`);
    expect(config.redisUrl).toBe(`redis://:${SENTINEL_REDIS}@127.0.0.1:6379`);
    const { jwtSecret } = config;
    expect(jwtSecret).toBe(SENTINEL_JWT);
  });

  it.each([
    ['describe()', () => securityConfig.describe(config)],
    ['describe() in development with warnings', () => securityConfig.describe(dev)],
    ['JSON.stringify(config)', () => JSON.stringify(config)],
    ['JSON.stringify({ config }) (nested, as a logger would)', () => JSON.stringify({ config })],
    ['util.inspect(config)', () => inspect(config)],
    ['util.inspect(config, { showHidden: true, depth: 10 })', () => inspect(config, { showHidden: true, depth: 10 })],
    ['util.inspect of a development config', () => inspect(dev)],
    ['object spread (a logger merging the config into a line)', () => JSON.stringify({ ...config })],
    ['Object.entries', () => JSON.stringify(Object.entries(config))],
    ['Object.assign', () => inspect(Object.assign({}, config))],
  ])('masks secrets in %s', (_name, render) => {
    const text = render();
    expect(text.length).toBeGreaterThan(0);
    expectNoSentinel(text);
  });

  it('shows where secrets are set, masked, and keeps the URLs readable', () => {
    const summary = securityConfig.describe(config);
    expect(summary).toMatch(/JWT_SECRET\s+\[redacted\]/);
    expect(summary).toMatch(/DATABASE_URL\s+postgres:\/\/app:\[redacted\]@127\.0\.0\.1:5432\/app/);
    expect(summary).toMatch(/REDIS_URL\s+redis:\/\/:\[redacted\]@127\.0\.0\.1:6379/);
    expect(JSON.parse(JSON.stringify(config))).toMatchObject({
      jwtSecret: '[redacted]',
      port: 8080,
      profile: 'production',
    });
    // A lone user name may be a password for some clients: masked too.
    expect(securityConfig.describe(dev)).toMatch(/REDIS_URL\s+redis:\/\/\[redacted\]@127\.0\.0\.1:6379/);
  });

  it('masks query strings of secret URLs (they can carry passwords)', () => {
    const loaded = loadSecurityConfig(
      withEnv(SAFE_HS, { DATABASE_URL: `postgres://app@db/app?password=${SENTINEL_DB}` }),
    );
    expectNoSentinel(securityConfig.describe(loaded));
    expectNoSentinel(JSON.stringify(loaded));
  });
});

describe('secrets never leak from a ConfigError', () => {
  const cases: [string, Env][] = [
    ['production, unsafe settings beside the secrets', withEnv(SAFE_HS, { DEBUG: 'true', ALLOWED_ORIGINS: '*' })],
    ['production, weak secret containing the sentinel', withEnv(SAFE_HS, { JWT_SECRET: 'S3NTINEL-short' })],
    [
      'production, default DB credentials with sentinel host part',
      withEnv(SAFE_HS, { DATABASE_URL: `postgres://postgres:postgres@${SENTINEL_DB.toLowerCase()}/app` }),
    ],
    [
      'development, secret URL with a bad scheme',
      withEnv(SAFE_HS, {
        NODE_ENV: 'development',
        DATABASE_URL: `ftp://app:${SENTINEL_DB}@db/app`,
        REDIS_URL: `http://:${SENTINEL_REDIS}@r:6379`,
      }),
    ],
    [
      'development, JWT alg none beside a sentinel secret',
      withEnv(SAFE_HS, { NODE_ENV: 'development', JWT_ALGORITHMS: 'none,HS256', JWT_SECRET: 'S3NTINEL' }),
    ],
    [
      'development, redis without password (sentinel in the user name)',
      withEnv(SAFE_HS, {
        APP_ENV: 'development',
        REDIS_URL: `redis://${SENTINEL_REDIS}@r:6379`,
        JWT_ALGORITHMS: 'none',
      }),
    ],
  ];

  it.each(cases)('%s', (_name, env) => {
    const error = catchConfigError(env);
    expect(error.problems.length).toBeGreaterThan(0);
    expectNoSentinel(error.message);
    expectNoSentinel(String(error.stack));
    expectNoSentinel(JSON.stringify(error.problems));
    expectNoSentinel(inspect(error, { depth: 10 }));
  });
});
