// checkDeploy on the login app: zero findings in production settings; the cookie findings fire when the flags are weakened.
import { loadSecurityConfig } from '@portcullis/config';
import { createLogger } from '@portcullis/logging';
import { describe, expect, it } from 'vitest';
import { expressFlavours } from '../../../test-support/express.js';
import { createService } from '../src/app.js';
import { loadSettings } from '../src/settings.js';
import { openSqliteStore } from '../src/storage/index.js';

// What a production deployment sets. The JWT_* and JWKS_URI lines are only there because @portcullis/config's
// production rules require them of every app; this one authenticates with cookies and never reads them.
const PRODUCTION = {
  NODE_ENV: 'production',
  ALLOWED_ORIGINS: 'https://login.example.com',
  JWT_ISSUER: 'https://issuer.example.com/',
  JWT_AUDIENCE: 'https://login.example.com',
  JWT_ALGORITHMS: 'ES256',
  JWKS_URI: 'https://issuer.example.com/.well-known/jwks.json',
};

function build(
  flavour: (typeof expressFlavours)[number],
  weaken?: Parameters<typeof createService>[0]['dangerouslyWeakenCookie'],
) {
  const config = loadSecurityConfig(PRODUCTION);
  const store = openSqliteStore(':memory:');
  const service = createService({
    config,
    store,
    logger: createLogger({ level: 'silent' }),
    createExpress: flavour.create,
    dangerouslyWeakenCookie: weaken,
  });
  return { config, store, service };
}

// Express 5 only for now: on Express 4, checkDeploy reads `app.router`, whose Express 4 getter throws, so it
// sees an empty stack (every DEPLOY_MISSING_* finding). That is @portcullis/baseline's to fix (issue #20).
describe.each(expressFlavours.filter((f) => f.name === 'express5'))(
  'checkDeploy on the login app ($name)',
  (flavour) => {
    it('has zero findings in production settings', async () => {
      const { config, store, service } = build(flavour);
      expect(config.profile).toBe('production');
      expect(service.checkDeploy()).toEqual([]);
      await service.shutdown();
      await store.close();
    });

    it.each([
      ['Secure off', { secure: false }, 'Secure'],
      ['HttpOnly off', { httpOnly: false }, 'HttpOnly'],
      ['SameSite=None', { sameSite: 'none' as const }, 'SameSite'],
      ['no SameSite', { sameSite: false as const }, 'SameSite'],
    ])('reports DEPLOY_COOKIE_FLAGS when the cookie is weakened (%s)', async (_t, weaken, flag) => {
      const { store, service } = build(flavour, weaken);
      const findings = service.checkDeploy();
      expect(findings.map((f) => f.id)).toEqual(['DEPLOY_COOKIE_FLAGS']);
      expect(findings[0]?.message).toContain(flag);
      await service.shutdown();
      await store.close();
    });
  },
);

describe('loadSettings', () => {
  it('starts the development profile on embedded defaults', () => {
    const loaded = loadSettings({ APP_ENV: 'development' }, '/srv');
    expect(loaded.ok && [loaded.config.profile, loaded.config.port, loaded.sessions, loaded.dataDir]).toEqual([
      'development',
      3100,
      { idleTimeoutSec: 1800, absoluteTimeoutSec: 43_200 },
      '/srv/.data',
    ]);
  });

  it('refuses bad session timeouts naming the variable', () => {
    const loaded = loadSettings(
      { APP_ENV: 'development', SESSION_IDLE_TIMEOUT_SEC: '10', SESSION_ABSOLUTE_TIMEOUT_SEC: 'x' },
      '/srv',
    );
    expect(loaded.ok).toBe(false);
    expect(!loaded.ok && loaded.problems.map((p) => p.key).sort()).toEqual([
      'SESSION_ABSOLUTE_TIMEOUT_SEC',
      'SESSION_IDLE_TIMEOUT_SEC',
    ]);
  });

  it('refuses an idle timeout longer than the absolute one', () => {
    const loaded = loadSettings(
      { APP_ENV: 'development', SESSION_IDLE_TIMEOUT_SEC: '3600', SESSION_ABSOLUTE_TIMEOUT_SEC: '600' },
      '/srv',
    );
    expect(!loaded.ok && loaded.problems.map((p) => p.rule)).toEqual(['LOGIN_SESSION_TIMEOUTS']);
  });

  it('production gets no embedded defaults', () => {
    const loaded = loadSettings({ NODE_ENV: 'production' }, '/srv');
    expect(!loaded.ok && loaded.problems.map((p) => p.key)).toContain('JWT_ISSUER');
    expect(loadSettings(PRODUCTION, '/srv').ok).toBe(true);
  });
});
