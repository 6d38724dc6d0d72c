// Startup settings in-process: the profile rule, the development defaults and the production refusals.
import { describe, expect, it } from 'vitest';
import { DEV_AUDIENCE, DEV_ISSUER } from '../src/devkeys.js';
import { authOptionsFromConfig } from '@portcullis/baseline';
import { loadSettings } from '../src/settings.js';

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
      // No key source from the config: the service adds the development key set.
      const auth = authOptionsFromConfig(r.config);
      expect(auth).toMatchObject({ issuer: DEV_ISSUER, audience: DEV_AUDIENCE, algorithms: ['ES256'] });
      expect(auth).not.toHaveProperty('jwksUri');
    }
  });

  it('EVIDENCE_DIR defaults to DATA_DIR/evidence; a relative value is resolved against the working directory', () => {
    const byDefault = loadSettings({ APP_ENV: 'development', DATA_DIR: '/var/lib/case-api' }, '/srv/app');
    expect(byDefault.ok && byDefault.evidenceDir).toBe('/var/lib/case-api/evidence');
    const relative = loadSettings({ APP_ENV: 'development', EVIDENCE_DIR: 'files/evidence' }, '/srv/app');
    expect(relative.ok && relative.evidenceDir).toBe('/srv/app/files/evidence');
    const absolute = loadSettings({ APP_ENV: 'development', EVIDENCE_DIR: '/mnt/evidence' }, '/srv/app');
    expect(absolute.ok && absolute.evidenceDir).toBe('/mnt/evidence');
  });

  it('a safe production environment loads, uses JWKS_URI and never the dev key', () => {
    const r = loadSettings({ ...SAFE_PRODUCTION, DATA_DIR: '/var/lib/case-api' }, '/srv');
    expect(r.ok).toBe(true);
    if (r.ok) {
      expect(r.useDevKeys).toBe(false);
      expect(r.dataDir).toBe('/var/lib/case-api');
      expect(authOptionsFromConfig(r.config)).toMatchObject({
        jwksUri: SAFE_PRODUCTION.JWKS_URI,
        issuer: 'https://issuer.example',
      });
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

  it('retention defaults: IDEMPOTENCY_TTL_SEC 86400 (24 h), EXPORT_TTL_SEC 3600 (1 h); set values are used', () => {
    const defaults = loadSettings({ APP_ENV: 'development' }, '/srv');
    expect(defaults.ok && defaults.retention).toEqual({ idempotencyTtlSec: 86_400, exportTtlSec: 3600 });
    const set = loadSettings({ ...SAFE_PRODUCTION, IDEMPOTENCY_TTL_SEC: '60', EXPORT_TTL_SEC: ' 604800 ' }, '/srv');
    expect(set.ok && set.retention).toEqual({ idempotencyTtlSec: 60, exportTtlSec: 604_800 });
    const empty = loadSettings({ APP_ENV: 'development', IDEMPOTENCY_TTL_SEC: '', EXPORT_TTL_SEC: '' }, '/srv');
    expect(empty.ok && empty.retention).toEqual({ idempotencyTtlSec: 86_400, exportTtlSec: 3600 });
  });

  const badRetention: [string, string, RegExp][] = [
    ['59', 'below the minimum', /^must be at least 60/],
    ['604801', 'above the maximum (7 days)', /^must be at most 604800/],
    ['0', 'zero', /^must be at least 60/],
    ['-1', 'negative', /^must be a whole number/],
    ['1.5', 'a fraction', /^must be a whole number/],
    ['1e5', 'an exponent', /^must be a whole number/],
    ['forever', 'a word', /^must be a whole number/],
  ];
  describe.each(['IDEMPOTENCY_TTL_SEC', 'EXPORT_TTL_SEC'])('%s', (variable) => {
    it.each(badRetention)(
      'refuses %j (%s) with a message naming the variable, in every profile',
      (value, _label, message) => {
        for (const env of [{ APP_ENV: 'development' }, { APP_ENV: 'test' }, SAFE_PRODUCTION]) {
          const r = loadSettings({ ...env, [variable]: value }, '/srv');
          expect(r.ok).toBe(false);
          if (!r.ok) {
            expect(r.problems).toHaveLength(1);
            expect(r.problems[0]).toMatchObject({ rule: 'CONFIG_INVALID', key: variable });
            expect(r.problems[0]?.message).toMatch(message);
          }
        }
      },
    );
  });

  it('a bad retention value is listed with the security problems, all at once', () => {
    expect(rules({ ...SAFE_PRODUCTION, ALLOWED_ORIGINS: '*', EXPORT_TTL_SEC: '10' })).toEqual([
      'SEC_CORS_WILDCARD',
      'CONFIG_INVALID',
    ]);
  });

  it('no NODE_ENV and no APP_ENV is production: the dev defaults do not apply', () => {
    expect(rules({})).toEqual(
      expect.arrayContaining([
        'SEC_JWT_ISSUER_MISSING',
        'SEC_JWT_AUDIENCE_MISSING',
        'SEC_JWT_ALG_MISSING',
        'CASE_API_JWKS_REQUIRED',
      ]),
    );
  });
});
