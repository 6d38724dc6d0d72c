// Shared environments for the config tests: safe production baselines and sentinel secrets.
import type { Env } from '@portcullis/config';

/** Values that must never show up in any output. */
export const SENTINEL_JWT = 'S3NTINEL-jwt-7f3a9c2e41d84b6f9a0c1e5d7b3f2a8c-9e1d4c7b2a5f8e3d6c9b0a1f4e7d2c5b';
export const SENTINEL_DB = 'S3NTINELdbPw9c2e41d8';
export const SENTINEL_REDIS = 'S3NTINELredisPw4b6f9a0c';

/** A safe production environment using an asymmetric algorithm and a JWKS. */
export const SAFE_RS: Env = Object.freeze({
  NODE_ENV: 'production',
  PORT: '8080',
  ALLOWED_ORIGINS: 'https://app.example.com,https://admin.example.com',
  TRUST_PROXY: '1',
  JWT_ISSUER: 'https://id.example.com/',
  JWT_AUDIENCE: 'case-api',
  JWT_ALGORITHMS: 'RS256,ES256',
  JWKS_URI: 'https://id.example.com/.well-known/jwks.json',
  DATABASE_URL: `postgres://app:${SENTINEL_DB}@127.0.0.1:5432/app`,
  REDIS_URL: `redis://:${SENTINEL_REDIS}@127.0.0.1:6379`,
});

/** A safe production environment using HS256 with a long random secret. */
export const SAFE_HS: Env = Object.freeze({
  ...SAFE_RS,
  JWT_ALGORITHMS: 'HS256',
  JWKS_URI: undefined,
  JWT_SECRET: SENTINEL_JWT,
});

/** The environment with some variables replaced (`undefined` removes one). */
export function withEnv(base: Env, changes: Env): Env {
  return Object.freeze({ ...base, ...changes });
}
