// Startup settings in-process: the profile rule, the development defaults and the production refusals.
import { describe, expect, it } from 'vitest';
import { DEV_AUDIENCE, DEV_ISSUER } from '../src/devkeys.js';
import { authOptions, loadSettings } from '../src/settings.js';

const SAFE_PRODUCTION = {
  NODE_ENV: 'production',
  JWT_ISSUER: 'https://issuer.example',
  JWT_AUDIENCE: 'case-api',
  JWT_ALGORITHMS: 'ES256',
  JWKS_URI: 'https://issuer.example/jwks.json',
  ALLOWED_ORIGINS: 'https://app.example.com',
};

const rules = (env: Record<string, string>): string[] => {
  const r = loadSettings(env, '/srv');
  return r.ok ? [] : r.problems.map((p) => p.rule);
};

describe('loadSettings', () => {
  it('the development profile gets the dev issuer and trusts the dev key', () => {
    const r = loadSettings({ APP_ENV: 'development' }, '/srv/app');
    expect(r.ok).toBe(true);
    if (r.ok) {
      expect(r.useDevKeys).toBe(true);
      expect(r.dataDir).toBe('/srv/app/.data');
      expect(r.config.jwtIssuer).toBe(DEV_ISSUER);
      const auth = authOptions(r.config, { privateJwk: {}, jwks: { keys: [] }, kid: 'k' });
      expect(auth).toMatchObject({ issuer: DEV_ISSUER, audience: DEV_AUDIENCE, algorithms: ['ES256'], jwks: { keys: [] } });
      expect(() => authOptions(r.config, undefined)).toThrow(/no key source/);
    }
  });

  it('a safe production environment loads, uses JWKS_URI and never the dev key', () => {
    const r = loadSettings({ ...SAFE_PRODUCTION, DATA_DIR: '/var/lib/case-api' }, '/srv');
    expect(r.ok).toBe(true);
    if (r.ok) {
      expect(r.useDevKeys).toBe(false);
      expect(r.dataDir).toBe('/var/lib/case-api');
      expect(authOptions(r.config, undefined)).toMatchObject({ jwksUri: SAFE_PRODUCTION.JWKS_URI, issuer: 'https://issuer.example' });
    }
  });

  it.each([
    ['ALLOWED_ORIGINS="*"', { ALLOWED_ORIGINS: '*' }, 'SEC_CORS_WILDCARD'],
    ['an http origin', { ALLOWED_ORIGINS: 'http://app.example.com' }, 'SEC_CORS_INSECURE_ORIGIN'],
    ['DEBUG on', { DEBUG: 'true' }, 'SEC_DEBUG_ON'],
    ['an http JWKS_URI', { JWKS_URI: 'http://issuer.example/jwks.json' }, 'SEC_JWKS_INSECURE'],
    ['no JWKS_URI', { JWKS_URI: '' }, 'CASE_API_JWKS_REQUIRED'],
    ['alg none', { JWT_ALGORITHMS: 'none' }, 'SEC_JWT_ALG_NONE'],
  ])('production with %s refuses with its rule id', (_label, change, rule) => {
    expect(rules({ ...SAFE_PRODUCTION, ...change })).toContain(rule);
  });

  it('no NODE_ENV and no APP_ENV is production: the dev defaults do not apply', () => {
    expect(rules({})).toEqual(expect.arrayContaining(['SEC_JWT_ISSUER_MISSING', 'SEC_JWT_AUDIENCE_MISSING', 'SEC_JWT_ALG_MISSING', 'CASE_API_JWKS_REQUIRED']));
  });
});
