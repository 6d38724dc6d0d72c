// Test fixtures: a test-profile security config, an ES256 key pair and tokens the baseline accepts.
import { randomUUID } from 'node:crypto';
import { SignJWT, exportJWK, generateKeyPair, type JWK } from 'jose';
import { loadSecurityConfig, type SecurityConfig } from '@portcullis/config';

export const ISSUER = 'https://issuer.test';
export const AUDIENCE = 'https://api.test';
export const ALLOWED = 'https://app.example.com';

/** A production-profile environment that passes every @portcullis/config rule (the deploy tests start from it). */
export const PROD_ENV: Readonly<Record<string, string>> = {
  NODE_ENV: 'production',
  ALLOWED_ORIGINS: ALLOWED,
  JWT_ISSUER: ISSUER,
  JWT_AUDIENCE: AUDIENCE,
  JWT_ALGORITHMS: 'ES256',
  JWKS_URI: 'https://issuer.test/.well-known/jwks.json',
};

export function testConfig(extra: Record<string, string> = {}): SecurityConfig {
  return loadSecurityConfig({
    NODE_ENV: 'test',
    ALLOWED_ORIGINS: ALLOWED,
    JWT_ISSUER: ISSUER,
    JWT_AUDIENCE: AUDIENCE,
    JWT_ALGORITHMS: 'ES256',
    ...extra,
  });
}

export interface Keys {
  jwks: { keys: JWK[] };
  token(claims?: Record<string, unknown>): Promise<string>;
}

export async function makeKeys(): Promise<Keys> {
  const { publicKey, privateKey } = await generateKeyPair('ES256', { extractable: true });
  const jwk = { ...(await exportJWK(publicKey)), kid: 'k1', alg: 'ES256', use: 'sig' };
  return {
    jwks: { keys: [jwk] },
    token: (claims = {}) =>
      new SignJWT({ scope: 'cases:read', client_id: 'client-1', jti: randomUUID(), ...claims })
        .setProtectedHeader({ alg: 'ES256', kid: 'k1', typ: 'at+jwt' })
        .setIssuer(ISSUER)
        .setAudience(AUDIENCE)
        .setSubject(typeof claims['sub'] === 'string' ? claims['sub'] : 'user-1')
        .setIssuedAt()
        .setExpirationTime('5m')
        .sign(privateKey),
  };
}

/** The headers of the "api" profile, as a client receives them. */
export const API_HEADERS: Readonly<Record<string, string>> = {
  'content-security-policy': "default-src 'none';frame-ancestors 'none';base-uri 'none';form-action 'none'",
  'x-frame-options': 'DENY',
  'cache-control': 'no-store',
  'referrer-policy': 'no-referrer',
  'cross-origin-resource-policy': 'same-origin',
  'cross-origin-opener-policy': 'same-origin',
  'strict-transport-security': 'max-age=31536000; includeSubDomains',
  'x-content-type-options': 'nosniff',
};
