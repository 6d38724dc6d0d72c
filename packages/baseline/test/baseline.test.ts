// secureBaseline: the order of the pipeline (every error carries headers and CORS), deny by default, validation.
import request from 'supertest';
import { beforeAll, describe, expect, it } from 'vitest';
import { buildApp, expressFlavours, type ExpressFlavour } from '../../../test-support/express.js';
import { ForbiddenError } from '@portcullis/errors';
import { createLogger } from '@portcullis/logging';
import { secureBaseline, type SecureBaselineOptions } from '@portcullis/baseline';
import { ALLOWED, API_HEADERS, makeKeys, testConfig, type Keys } from './helpers.js';

let keys: Keys;
let token: string;
beforeAll(async () => {
  keys = await makeKeys();
  token = await keys.token();
});

const quietLogger = () => createLogger({ level: 'silent' });

function appWith(
  flavour: ExpressFlavour,
  extra: Partial<SecureBaselineOptions> = {},
  env: Record<string, string> = {},
) {
  const baseline = secureBaseline({
    config: testConfig(env),
    auth: { jwks: keys.jwks },
    logger: quietLogger(),
    ...extra,
  });
  return buildApp(flavour, (app) => {
    app.use(baseline.before);
    app.get('/health', (_req, res) => res.json({ status: 'ok' }));
    app.get('/cases/:id', (req, res) => res.json({ id: req.params['id'], subject: req.auth?.subject }));
    app.post('/cases', (req, res) => res.status(201).json({ created: req.body as unknown }));
    app.get('/forbidden', () => {
      throw new ForbiddenError();
    });
    app.get('/boom', () => {
      throw new Error('SELECT secret FROM db');
    });
    app.use(baseline.after);
  });
}

function expectHardened(res: request.Response): void {
  for (const [name, value] of Object.entries(API_HEADERS)) expect(res.headers[name], name).toBe(value);
  expect(res.headers['x-powered-by']).toBeUndefined();
  expect(res.headers['access-control-allow-origin']).toBe(ALLOWED);
  expect(res.headers['vary']).toMatch(/Origin/);
  expect(res.headers['x-request-id']).toMatch(/^[A-Za-z0-9._-]+$/);
  expect(res.headers['content-type']).toContain('application/problem+json');
}

describe.each(expressFlavours)('secureBaseline on $name [ASVS V3.4.1, V3.4.4, V14.3.2]', (flavour) => {
  it('answers /health publicly and a protected route with the token', async () => {
    const app = appWith(flavour);
    const health = await request(app).get('/health');
    expect(health.status).toBe(200);
    expect(health.body).toEqual({ status: 'ok' });
    const res = await request(app).get('/cases/7').set('Authorization', `Bearer ${token}`).set('Origin', ALLOWED);
    expect(res.status).toBe(200);
    expect(res.body).toEqual({ id: '7', subject: 'user-1' });
    expect(res.headers['access-control-allow-origin']).toBe(ALLOWED);
  });

  it('denies by default: a route nobody declared public answers 401 without a token', async () => {
    const res = await request(appWith(flavour)).get('/cases/7').set('Origin', ALLOWED);
    expect(res.status).toBe(401);
    expect(res.body.code).toBe('unauthorized');
    expect(res.headers['www-authenticate']).toBe('Bearer realm="api"');
    expectHardened(res);
  });

  it('does not treat a look-alike of a public path as public', async () => {
    const app = appWith(flavour);
    for (const path of ['/health/', '/Health', '/health/../cases/1', '/healthz', '/health;x']) {
      const res = await request(app).get(path);
      expect([401, 404]).toContain(res.status);
      expect(res.status).not.toBe(200);
    }
    const post = await request(app).post('/health').send({});
    expect(post.status).toBe(401);
  });

  const withToken = (r: request.Test) => r.set('Authorization', `Bearer ${token}`).set('Origin', ALLOWED);
  it.each([
    ['403', (app: ReturnType<typeof appWith>) => withToken(request(app).get('/forbidden')), 403, 'forbidden'],
    ['404', (app: ReturnType<typeof appWith>) => withToken(request(app).get('/nope')), 404, 'not_found'],
    [
      '413',
      (app: ReturnType<typeof appWith>) => withToken(request(app).post('/cases')).send({ big: 'x'.repeat(200_000) }),
      413,
      'payload_too_large',
    ],
    [
      '415',
      (app: ReturnType<typeof appWith>) => withToken(request(app).post('/cases')).type('form').send('title=x'),
      415,
      'unsupported_media_type',
    ],
    [
      '400 prototype pollution',
      (app: ReturnType<typeof appWith>) =>
        withToken(request(app).post('/cases'))
          .set('Content-Type', 'application/json')
          .send('{"__proto__":{"admin":true}}'),
      400,
      'prototype_pollution',
    ],
    ['500', (app: ReturnType<typeof appWith>) => withToken(request(app).get('/boom')), 500, 'internal_error'],
  ])('a %s carries the api headers and CORS for the allowed origin', async (_title, send, status, code) => {
    const res = await send(appWith(flavour));
    expect(res.status).toBe(status);
    expect(res.body.code).toBe(code);
    expectHardened(res);
    expect(res.text).not.toContain('secret');
  });

  it('a 429 carries the api headers and CORS for the allowed origin', async () => {
    const app = appWith(flavour, {}, { RATE_LIMIT_MAX: '2' });
    await withToken(request(app).get('/cases/1'));
    await withToken(request(app).get('/cases/1'));
    const res = await withToken(request(app).get('/cases/1'));
    expect(res.status).toBe(429);
    expect(res.body.code).toBe('rate_limited');
    expect(Number(res.headers['retry-after'])).toBeGreaterThan(0);
    expectHardened(res);
  });

  it('turns csrfGuard on with cookies: a cross-site POST is refused with 403 csrf_rejected', async () => {
    const app = appWith(flavour, { cookies: { secure: true, httpOnly: true, sameSite: 'lax' } });
    const res = await request(app)
      .post('/cases')
      .set('Authorization', `Bearer ${token}`)
      .set('Sec-Fetch-Site', 'cross-site')
      .set('Origin', 'https://evil.example')
      .send({ title: 'x' });
    expect(res.status).toBe(403);
    expect(res.body.code).toBe('csrf_rejected');
    const ok = await request(app)
      .post('/cases')
      .set('Authorization', `Bearer ${token}`)
      .set('Sec-Fetch-Site', 'same-origin')
      .send({ title: 'x' });
    expect(ok.status).toBe(201);
  });

  it('lets a declared body type through on its route only', async () => {
    const baseline = secureBaseline({
      config: testConfig(),
      auth: { jwks: keys.jwks },
      logger: quietLogger(),
      bodyTypes: [{ method: 'POST', path: '/import', types: ['text/csv'] }],
    });
    const app = buildApp(flavour, (a) => {
      a.use(baseline.before);
      a.post('/import', (_req, res) => res.status(201).json({ ok: true }));
      a.post('/cases', (_req, res) => res.status(201).json({ ok: true }));
      a.use(baseline.after);
    });
    const csv = await request(app)
      .post('/import')
      .set('Authorization', `Bearer ${token}`)
      .type('text/csv')
      .send('title\nx\n');
    expect(csv.status).toBe(201);
    const other = await request(app)
      .post('/cases')
      .set('Authorization', `Bearer ${token}`)
      .type('text/csv')
      .send('title\nx\n');
    expect(other.status).toBe(415);
  });

  it('refuses preflights from anywhere when no origin is allowed', async () => {
    const app = appWith(flavour, {}, { ALLOWED_ORIGINS: '' });
    const res = await request(app)
      .options('/cases/1')
      .set('Origin', ALLOWED)
      .set('Access-Control-Request-Method', 'GET');
    expect(res.status).toBe(403);
    expect(res.body.code).toBe('cors_rejected');
    expect(res.headers['access-control-allow-origin']).toBeUndefined();
  });
});

describe('secureBaseline validation', () => {
  it.each([
    ['a missing config', () => secureBaseline({ auth: {} } as never)],
    [
      'a config that is not from loadSecurityConfig',
      () => secureBaseline({ config: { profile: 'production' }, auth: {} } as never),
    ],
    ['a missing auth', () => secureBaseline({ config: testConfig() } as never)],
    [
      'an unknown option',
      () => secureBaseline({ config: testConfig(), auth: { jwks: keys.jwks }, publicRoute: [] } as never),
    ],
    [
      'a wildcard public route',
      () =>
        secureBaseline({
          config: testConfig(),
          auth: { jwks: keys.jwks },
          publicRoutes: [{ method: 'GET', path: '/*' }],
        }),
    ],
    ['bad cookies', () => secureBaseline({ config: testConfig(), auth: { jwks: keys.jwks }, cookies: 'yes' as never })],
  ])('throws a TypeError for %s', (_title, make) => {
    expect(make).toThrow(TypeError);
    expect(make).toThrow(/^@portcullis\/baseline: "[^"]+" [^\n]+; [^\n]+$/);
  });

  it('refuses an auth configuration jwtAuth refuses (alg none from the config)', () => {
    expect(() =>
      secureBaseline({ config: testConfig(), auth: { jwks: keys.jwks, algorithms: ['none' as never] } }),
    ).toThrow(TypeError);
  });
});
