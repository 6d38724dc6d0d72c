// checkDeploy on Express 5 and 4: one test per finding (routes before auth, prefix, static, body parsers, error
// handler position, trust proxy, dangerously… options), and a clean app with zero findings.
import type { Express, RequestHandler } from 'express';
import { beforeAll, describe, expect, it } from 'vitest';
import { createLogger } from '@portcullis/logging';
import {
  assertDeploy,
  checkDeploy,
  secureBaseline,
  type SecureBaseline,
  type SecureBaselineOptions,
} from '@portcullis/baseline';
import { expressFlavours } from '../../../test-support/express.js';
import { makeKeys, PROD_ENV, testConfig, type Keys } from './helpers.js';

let keys: Keys;
beforeAll(async () => {
  keys = await makeKeys();
});

const prod = () => testConfig(PROD_ENV);

function baselineFor(extra: Partial<SecureBaselineOptions> = {}): SecureBaseline {
  return secureBaseline({
    config: prod(),
    auth: { jwks: keys.jwks },
    logger: createLogger({ level: 'silent' }),
    ...extra,
  });
}

const ok: RequestHandler = (_req, res) => {
  res.json({});
};

describe.each(expressFlavours)('checkDeploy findings on $name [ASVS V8.2.1]', (flavour) => {
  /** baseline.install → setup → routes → after, as an app should be built. */
  function built(setup: (app: Express, b: SecureBaseline) => void, extra: Partial<SecureBaselineOptions> = {}) {
    const app = flavour.create();
    const b = baselineFor(extra);
    setup(app, b);
    return app;
  }
  const clean = (extra: Partial<SecureBaselineOptions> = {}) =>
    built((app, b) => {
      b.install(app);
      app.get('/health', ok);
      app.get('/cases/:id', ok);
      app.use(b.after);
    }, extra);
  const found = (app: Express) => checkDeploy(app, prod(), { instances: 1 });
  const only = (app: Express, id: string) => found(app).filter((f) => f.id === id);

  it('a clean installed app has zero findings, and assertDeploy passes', () => {
    expect(found(clean())).toEqual([]);
    expect(() => assertDeploy(clean(), prod(), { instances: 1 })).not.toThrow();
  });

  it('baseline.checkDeploy() checks the installed app with its config', () => {
    const app = flavour.create();
    const b = baselineFor();
    expect(() => b.checkDeploy()).toThrow(/install\(app\) first/);
    b.install(app);
    app.get('/cases', ok);
    app.use(b.after);
    expect(b.checkDeploy({ instances: 1 })).toEqual([]);
    expect(() => {
      b.install(app);
    }).toThrow(/already/);
  });

  it('DEPLOY_ROUTE_BEFORE_AUTH: a route registered before the baseline, naming it', () => {
    const app = built((a, b) => {
      a.get('/admin/users', ok);
      b.install(a);
      a.use(b.after);
    });
    const [finding, ...rest] = only(app, 'DEPLOY_ROUTE_BEFORE_AUTH');
    expect(rest).toEqual([]);
    expect(finding).toMatchObject({ severity: 'error', fix: expect.stringContaining('publicRoutes') });
    expect(finding?.message).toContain('GET /admin/users');
    expect(() => assertDeploy(app, prod(), { instances: 1 })).toThrow(/DEPLOY_ROUTE_BEFORE_AUTH/);
  });

  it('DEPLOY_ROUTE_BEFORE_AUTH: a route inside a router mounted before the baseline, with its prefix', () => {
    const app = built((a, b) => {
      const router = flavour.Router();
      router.post('/reset', ok);
      a.use('/internal', router);
      b.install(a);
      a.use(b.after);
    });
    expect(only(app, 'DEPLOY_ROUTE_BEFORE_AUTH')[0]?.message).toContain('POST /internal/reset');
  });

  it('DEPLOY_ROUTE_BEFORE_AUTH: a responding middleware (no next) before the baseline', () => {
    const app = built((a, b) => {
      a.use(function adminPanel(_req, res) {
        res.send('panel');
      });
      b.install(a);
      a.use(b.after);
    });
    const finding = only(app, 'DEPLOY_ROUTE_BEFORE_AUTH')[0];
    expect(finding?.severity).toBe('error');
    expect(finding?.message).toContain('"adminPanel"');
  });

  it('a public route registered before the baseline is not reported when declared public', () => {
    const app = built((a, b) => {
      a.get('/health', ok);
      b.install(a);
      a.use(b.after);
    });
    expect(found(app)).toEqual([]);
  });

  it('DEPLOY_MIDDLEWARE_BEFORE_AUTH (warning): a middleware that may pass on, before the baseline', () => {
    const app = built((a, b) => {
      a.use(function tracing(_req, _res, next) {
        next();
      });
      b.install(a);
      a.use(b.after);
    });
    expect(only(app, 'DEPLOY_MIDDLEWARE_BEFORE_AUTH')).toMatchObject([
      { severity: 'warning', message: expect.stringContaining('"tracing"') },
    ]);
  });

  it('DEPLOY_BASELINE_UNDER_PREFIX: the baseline under /api while routes exist outside it', () => {
    const app = built((a, b) => {
      a.disable('x-powered-by');
      a.use('/api', b.before);
      a.get('/api/cases', ok);
      a.get('/export', ok);
      a.use(b.after);
    });
    const finding = only(app, 'DEPLOY_BASELINE_UNDER_PREFIX')[0];
    expect(finding?.severity).toBe('error');
    expect(finding?.message).toContain('/api');
    expect(finding?.message).toContain('GET /export');
    expect(finding?.message).not.toContain('/api/cases');
  });

  it('DEPLOY_STATIC_BEFORE_AUTH: express.static before authentication, unless declared in publicStatic', () => {
    const withStatic = (extra: Partial<SecureBaselineOptions>) =>
      built((a, b) => {
        a.use('/assets', flavour.static(import.meta.dirname));
        b.install(a);
        a.use(b.after);
      }, extra);
    const finding = only(withStatic({}), 'DEPLOY_STATIC_BEFORE_AUTH')[0];
    expect(finding).toMatchObject({ severity: 'error', fix: expect.stringContaining('publicStatic: ["/assets"]') });
    expect(finding?.message).toContain('/assets');
    expect(found(withStatic({ publicStatic: ['/assets'] }))).toEqual([]);
  });

  it('DEPLOY_BODY_PARSER_BEFORE_AUTH: express.urlencoded before authentication', () => {
    const app = built((a, b) => {
      a.use(flavour.urlencoded({ extended: false }));
      b.install(a);
      a.use(b.after);
    });
    expect(only(app, 'DEPLOY_BODY_PARSER_BEFORE_AUTH')).toMatchObject([
      { severity: 'error', message: expect.stringContaining('urlencodedParser') },
    ]);
  });

  it('DEPLOY_ROUTE_AFTER_ERROR_HANDLER: a route after baseline.after, naming it', () => {
    const app = clean();
    app.get('/late', ok);
    expect(only(app, 'DEPLOY_ROUTE_AFTER_ERROR_HANDLER')).toMatchObject([
      { severity: 'error', message: expect.stringContaining('GET /late') },
    ]);
  });

  it('DEPLOY_ERROR_HANDLER_NOT_LAST: a middleware after the error handler', () => {
    const app = clean();
    app.use(function afterTheEnd(_req, _res, next) {
      next();
    });
    expect(only(app, 'DEPLOY_ERROR_HANDLER_NOT_LAST')).toMatchObject([
      { severity: 'error', message: expect.stringContaining('"afterTheEnd"') },
    ]);
  });

  it('DEPLOY_MISSING_ERROR_HANDLER: no error handler at all', () => {
    const app = built((a, b) => {
      b.install(a);
      a.get('/cases', ok);
    });
    expect(only(app, 'DEPLOY_MISSING_ERROR_HANDLER')).toHaveLength(1);
  });

  it.each([
    ['a CIDR covering the internet', ['0.0.0.0/1', '128.0.0.0/1']],
    ['a public address list', '8.8.8.8, 10.0.0.1'],
    ['a function trusting everything', () => true],
  ])('DEPLOY_TRUST_PROXY_PUBLIC: trust proxy set to %s', (_title, setting) => {
    const app = clean();
    app.set('trust proxy', setting);
    const finding = only(app, 'DEPLOY_TRUST_PROXY_PUBLIC')[0];
    expect(finding?.severity).toBe('error');
    expect(finding?.message).toMatch(/trusts the public address/);
  });

  it('trusting only private proxies (TRUST_PROXY=10.0.0.0/8,loopback) is clean', () => {
    const app = flavour.create();
    const b = secureBaseline({
      config: testConfig({ ...PROD_ENV, TRUST_PROXY: '10.0.0.0/8,loopback' }),
      auth: { jwks: keys.jwks },
      logger: createLogger({ level: 'silent' }),
    });
    b.install(app);
    app.get('/cases', ok);
    app.use(b.after);
    expect(app.get('trust proxy')).toEqual(['10.0.0.0/8', 'loopback']);
    expect(found(app)).toEqual([]);
  });

  it('DEPLOY_TRUST_PROXY_HOPS (warning): a hop count trusts whatever address connects', () => {
    const app = flavour.create();
    const b = secureBaseline({
      config: testConfig({ ...PROD_ENV, TRUST_PROXY: '1' }),
      auth: { jwks: keys.jwks },
      logger: createLogger({ level: 'silent' }),
    });
    b.install(app);
    app.use(b.after);
    expect(only(app, 'DEPLOY_TRUST_PROXY_HOPS')).toMatchObject([{ severity: 'warning' }]);
  });

  it('DEPLOY_TRUST_PROXY_ANY: trust proxy true', () => {
    const app = clean();
    app.set('trust proxy', true);
    expect(only(app, 'DEPLOY_TRUST_PROXY_ANY')).toMatchObject([{ severity: 'error' }]);
  });

  it('install() applies x-powered-by off; DEPLOY_X_POWERED_BY when it is turned back on', () => {
    const app = clean();
    expect(app.get('x-powered-by')).toBe(false);
    app.enable('x-powered-by');
    expect(only(app, 'DEPLOY_X_POWERED_BY')).toMatchObject([{ severity: 'warning' }]);
  });

  it.each([
    [
      'DEPLOY_DANGEROUSLY_DISABLE_CONTENT_SECURITY_POLICY',
      { headers: { dangerouslyDisableContentSecurityPolicy: true } },
    ],
    [
      'DEPLOY_DANGEROUSLY_DISABLE_STRICT_TRANSPORT_SECURITY',
      { headers: { dangerouslyDisableStrictTransportSecurity: true } },
    ],
    ['DEPLOY_DANGEROUSLY_DISABLE_X_FRAME_OPTIONS', { headers: { dangerouslyDisableXFrameOptions: true } }],
    ['DEPLOY_DANGEROUSLY_DISABLE_X_CONTENT_TYPE_OPTIONS', { headers: { dangerouslyDisableXContentTypeOptions: true } }],
    [
      'DEPLOY_DANGEROUSLY_DISABLE_CROSS_ORIGIN_RESOURCE_POLICY',
      { headers: { dangerouslyDisableCrossOriginResourcePolicy: true } },
    ],
    [
      'DEPLOY_DANGEROUSLY_DISABLE_CROSS_ORIGIN_OPENER_POLICY',
      { headers: { dangerouslyDisableCrossOriginOpenerPolicy: true } },
    ],
    ['DEPLOY_DANGEROUSLY_ALLOW_ON_STORE_ERROR', { rateLimit: { dangerouslyAllowOnStoreError: true } }],
    [
      'DEPLOY_DANGEROUSLY_ALLOW_HTTP_JWKS',
      { auth: { jwksUri: 'http://127.0.0.1:1/jwks.json', dangerouslyAllowHttpJwks: true } },
    ],
  ] as [string, Partial<SecureBaselineOptions>][])(
    '%s is an error in production, a warning with its reason once acknowledged',
    (id, extra) => {
      const finding = only(clean(extra), id)[0];
      expect(finding).toMatchObject({ severity: 'error', fix: expect.stringContaining('acknowledge') });
      expect(() => assertDeploy(clean(extra), prod(), { instances: 1 })).toThrow(new RegExp(id));
      const reason = 'the CDN in front of us sets it, checked in the edge config';
      const accepted = only(clean({ ...extra, acknowledge: [{ id, reason }] }), id);
      expect(accepted).toMatchObject([{ severity: 'warning', acknowledged: reason }]);
      expect(() =>
        assertDeploy(clean({ ...extra, acknowledge: [{ id, reason }] }), prod(), { instances: 1 }),
      ).not.toThrow();
    },
  );

  it('DEPLOY_MISSING_SUBJECT_RATE_LIMIT: a pipeline without the subject limiter', () => {
    const app = flavour.create();
    const b = baselineFor();
    app.disable('x-powered-by');
    app.use(b.before.filter((_fn, i) => i !== 5));
    app.get('/cases', ok);
    app.use(b.after);
    expect(found(app).map((f) => f.id)).toContain('DEPLOY_MISSING_SUBJECT_RATE_LIMIT');
  });
});

describe('secureBaseline acknowledge validation', () => {
  it.each([
    ['an id that is not a dangerously… finding', [{ id: 'DEPLOY_ROUTE_BEFORE_AUTH', reason: 'long enough reason' }]],
    ['a missing reason', [{ id: 'DEPLOY_DANGEROUSLY_ALLOW_HTTP_JWKS' }]],
    ['a short reason', [{ id: 'DEPLOY_DANGEROUSLY_ALLOW_HTTP_JWKS', reason: 'ok' }]],
    ['an unknown key', [{ id: 'DEPLOY_DANGEROUSLY_ALLOW_HTTP_JWKS', reason: 'long enough reason', by: 'me' }]],
    ['not an array', 'DEPLOY_DANGEROUSLY_ALLOW_HTTP_JWKS'],
  ])('throws for %s', (_title, acknowledge) => {
    expect(() => baselineFor({ acknowledge: acknowledge as never })).toThrow(TypeError);
  });
});
