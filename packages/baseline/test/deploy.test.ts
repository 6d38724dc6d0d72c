// checkDeploy / assertDeploy: a corpus of misconfigured apps → the expected finding ids; a correct app → no errors.
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import express5, { type Express } from 'express';
import { Redis } from 'ioredis';
import { beforeAll, describe, expect, it } from 'vitest';
import { jwtAuth } from '@portcullis/auth';
import { createLogger, requestLogger } from '@portcullis/logging';
import { redisStore } from '@portcullis/ratelimit';
import {
  assertDeploy,
  checkDeploy,
  secureBaseline,
  securityHeaders,
  type SecureBaselineOptions,
} from '@portcullis/baseline';
import { makeKeys, PROD_ENV, testConfig, type Keys } from './helpers.js';

let keys: Keys;
beforeAll(async () => {
  keys = await makeKeys();
});

const prodConfig = () => testConfig(PROD_ENV);

function goodApp(extra: Partial<SecureBaselineOptions> = {}, configEnv: Record<string, string> = PROD_ENV): Express {
  const app = express5();
  app.disable('x-powered-by');
  const baseline = secureBaseline({
    config: testConfig(configEnv),
    auth: { jwks: keys.jwks },
    logger: createLogger({ level: 'silent' }),
    ...extra,
  });
  app.use(baseline.before);
  app.get('/cases', (_req, res) => res.json([]));
  app.use(baseline.after);
  return app;
}

const ids = (app: Express, config = prodConfig(), instances = 1) =>
  checkDeploy(app, config, { instances }).map((f) => f.id);
const errorIds = (app: Express, config = prodConfig(), instances = 1) =>
  checkDeploy(app, config, { instances })
    .filter((f) => f.severity === 'error')
    .map((f) => f.id);

describe('checkDeploy', () => {
  it('finds no error on a correct production app', () => {
    expect(errorIds(goodApp())).toEqual([]);
    expect(() => assertDeploy(goodApp(), prodConfig(), { instances: 1 })).not.toThrow();
  });

  const corpus: [string, () => Express, string[], number?][] = [
    [
      'an app with no baseline at all',
      () => {
        const app = express5();
        app.get('/cases', (_req, res) => res.json([]));
        return app;
      },
      [
        'DEPLOY_MISSING_REQUEST_LOGGER',
        'DEPLOY_MISSING_SECURITY_HEADERS',
        'DEPLOY_MISSING_CORS',
        'DEPLOY_MISSING_RATE_LIMIT',
        'DEPLOY_MISSING_JSON_BODY',
        'DEPLOY_MISSING_CONTENT_TYPE_GUARD',
        'DEPLOY_MISSING_AUTH',
        'DEPLOY_MISSING_ERROR_HANDLER',
        'DEPLOY_MISSING_NOT_FOUND',
        'DEPLOY_X_POWERED_BY',
      ],
    ],
    [
      'a route registered after the error handler',
      () => {
        const app = goodApp();
        app.get('/late', (_req, res) => res.json({}));
        return app;
      },
      ['DEPLOY_ROUTE_AFTER_ERROR_HANDLER'],
    ],
    [
      'a route registered before the baseline (reachable without a token)',
      () => {
        const app = express5();
        app.disable('x-powered-by');
        app.get('/admin', (_req, res) => res.json({}));
        const b = secureBaseline({
          config: prodConfig(),
          auth: { jwks: keys.jwks },
          logger: createLogger({ level: 'silent' }),
        });
        app.use(b.before);
        app.use(b.after);
        return app;
      },
      ['DEPLOY_ROUTE_BEFORE_AUTH'],
    ],
    [
      'pieces mounted out of order',
      () => {
        const app = express5();
        app.disable('x-powered-by');
        const b = secureBaseline({
          config: prodConfig(),
          auth: { jwks: keys.jwks },
          logger: createLogger({ level: 'silent' }),
        });
        app.use([...b.before].reverse());
        app.get('/cases', (_req, res) => res.json([]));
        app.use(b.after);
        return app;
      },
      ['DEPLOY_PIPELINE_ORDER'],
    ],
    [
      'a hand-assembled app without the error handler',
      () => {
        const app = express5();
        app.disable('x-powered-by');
        const b = secureBaseline({
          config: prodConfig(),
          auth: { jwks: keys.jwks },
          logger: createLogger({ level: 'silent' }),
        });
        app.use(b.before);
        app.get('/cases', (_req, res) => res.json([]));
        return app;
      },
      ['DEPLOY_MISSING_ERROR_HANDLER'],
    ],
    [
      'trust proxy true',
      () => {
        const app = goodApp();
        app.set('trust proxy', true);
        return app;
      },
      ['DEPLOY_TRUST_PROXY_ANY'],
    ],
    ['a memory rate-limit store with 3 instances declared', () => goodApp(), ['DEPLOY_MEMORY_RATE_LIMIT_STORE'], 3],
    [
      'cookies without Secure/HttpOnly/SameSite',
      () => goodApp({ cookies: { secure: false, httpOnly: false, sameSite: 'none' } }),
      ['DEPLOY_COOKIE_FLAGS'],
    ],
  ];

  it.each(corpus)('reports %s', (_title, make, expected, instances) => {
    const found = ids(make(), prodConfig(), instances ?? 1);
    for (const id of expected) expect(found).toContain(id);
    expect(() => assertDeploy(make(), prodConfig(), { instances: instances ?? 1 })).toThrow(/deploy check failed/);
  });

  it('reports only the missing pieces of a partial hand-made pipeline', () => {
    const app = express5();
    app.disable('x-powered-by');
    app.use(requestLogger({ logger: createLogger({ level: 'silent' }) }));
    app.use(securityHeaders('api'));
    app.use(
      jwtAuth({ issuer: 'https://issuer.test', audience: 'https://api.test', algorithms: ['ES256'], jwks: keys.jwks }),
    );
    const found = ids(app);
    expect(found).toContain('DEPLOY_MISSING_RATE_LIMIT');
    expect(found).toContain('DEPLOY_MISSING_CORS');
  });

  it('reports the development profile, DEBUG and a weak secret from the configuration', () => {
    // (ALLOWED_ORIGINS=* is refused by the config in every profile: strictCors would refuse it.)
    const config = testConfig({ NODE_ENV: 'development', DEBUG: 'true', LOG_LEVEL: 'debug' });
    const found = ids(goodApp({}, { ...PROD_ENV, NODE_ENV: 'development' }), config);
    expect(found).toContain('DEPLOY_NOT_PRODUCTION');
    expect(found).toContain('SEC_DEBUG_ON');
    expect(found).toContain('SEC_LOG_LEVEL_VERBOSE');
  });

  it('reports a weak HS secret found by the configuration rules', () => {
    const config = testConfig({
      NODE_ENV: 'development',
      JWT_ALGORITHMS: 'HS256',
      // Long enough for HS256 (a shorter one is refused in every profile) but published: a development warning.
      JWT_SECRET: 'a-string-secret-at-least-256-bits-long',
      JWKS_URI: '',
    });
    expect(ids(goodApp({}, { ...PROD_ENV }), config)).toContain('SEC_SECRET_PUBLISHED');
  });

  it('accepts a shared (Redis) store with several instances', () => {
    const client = new Redis({ lazyConnect: true, enableOfflineQueue: false });
    try {
      const app = goodApp({
        rateLimit: { store: redisStore(client, { prefix: 'deploy-test:' }) },
        subjectRateLimit: { store: redisStore(client, { prefix: 'deploy-test:' }) },
      });
      expect(ids(app, prodConfig(), 3)).not.toContain('DEPLOY_MEMORY_RATE_LIMIT_STORE');
    } finally {
      client.disconnect();
    }
  });

  it('refuses something that is not an Express app', () => {
    expect(() => checkDeploy({}, prodConfig())).toThrow(TypeError);
  });
});

describe('portcullis-check CLI', () => {
  const cli = join(import.meta.dirname, '../src/cli.ts');
  const tsx = join(import.meta.dirname, '../../../node_modules/.bin/tsx');

  const bareApp = join(import.meta.dirname, 'fixtures/bare-app.mjs');
  function runCli(env: Record<string, string>) {
    return spawnSync(tsx, ['--conditions=@portcullis/source', cli, bareApp], {
      encoding: 'utf8',
      env: { PATH: process.env['PATH'] ?? '', ...env },
      cwd: join(import.meta.dirname, '..'),
    });
  }

  it('exits 1 and lists the findings of a bare app', () => {
    const result = runCli(PROD_ENV);
    expect(result.status).toBe(1);
    expect(result.stdout).toContain('DEPLOY_MISSING_AUTH');
    expect(result.stdout).toContain('DEPLOY_MISSING_ERROR_HANDLER');
  });

  it('exits 1 with the configuration problems when the environment is unsafe', () => {
    const result = runCli({ ...PROD_ENV, ALLOWED_ORIGINS: '*' });
    expect(result.status).toBe(1);
    expect(result.stdout + result.stderr).toContain('SEC_CORS_WILDCARD');
  });

  const cleanApp = join(import.meta.dirname, 'fixtures/clean-app.mjs');
  function runCliOn(module: string, env: Record<string, string>) {
    return spawnSync(tsx, ['--conditions=@portcullis/source', cli, module], {
      encoding: 'utf8',
      env: { PATH: process.env['PATH'] ?? '', ...env },
      cwd: join(import.meta.dirname, '..'),
    });
  }

  it('exits 0 for an installed baseline with no findings', () => {
    const result = runCliOn(cleanApp, PROD_ENV);
    expect(result.stdout).toContain('no findings');
    expect(result.status).toBe(0);
  });

  it('exits 1 for a route registered before authentication, printing the route and the fix', () => {
    const result = runCliOn(cleanApp, { ...PROD_ENV, FIXTURE_ROUTE_BEFORE_AUTH: '1' });
    expect(result.status).toBe(1);
    expect(result.stdout).toContain('DEPLOY_ROUTE_BEFORE_AUTH');
    expect(result.stdout).toContain('GET /early');
    expect(result.stdout).toContain('fix: ');
  });

  it('exits 2 without a module argument', () => {
    const result = spawnSync(tsx, ['--conditions=@portcullis/source', cli], { encoding: 'utf8' });
    expect(result.status).toBe(2);
    expect(result.stderr).toContain('usage');
  });
});
