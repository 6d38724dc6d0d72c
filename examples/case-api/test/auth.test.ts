// Token attacks against the running app: every forged, stale or misdirected token → 401, a valid one → 200.
import { createPublicKey } from 'node:crypto';
import { SignJWT, base64url, importJWK } from 'jose';
import { randomBytes } from 'node:crypto';
import { checkDeploy } from '@portcullis/baseline';
import { redisStore } from '@portcullis/ratelimit';
import { Redis } from 'ioredis';
import { loadSecurityConfig } from '@portcullis/config';
import request from 'supertest';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEV_AUDIENCE, DEV_ISSUER } from '../src/devkeys.js';
import { openPostgresRepository } from '../src/storage/index.js';
import { serviceUrl } from '../../../test-support/services.js';
import { testDatabases } from './db.js';
import { startHarness, type Harness } from './harness.js';

const database = testDatabases[0]!;
// RFC 9068 §2.2 claims (client_id, jti) are required by jwtAuth's default profile.
const claims = { client_id: 'c1', jti: 'j1', tenant_id: 't1', roles: ['admin'] };

describe('token attacks on GET /cases [ASVS V9.1.1, V9.1.2]', () => {
  let h: Harness;
  let sign: (mutate: (jwt: SignJWT) => SignJWT, header?: Record<string, unknown>) => Promise<string>;
  beforeAll(async () => {
    h = await startHarness(database);
    const key = await importJWK(h.keys.privateJwk, 'ES256');
    sign = (mutate, header = {}) => {
      const now = Math.floor(Date.now() / 1000);
      const base = new SignJWT(claims)
        .setProtectedHeader({ alg: 'ES256', typ: 'at+jwt', kid: h.keys.kid, ...header })
        .setIssuer(DEV_ISSUER)
        .setAudience(DEV_AUDIENCE)
        .setSubject('u1')
        .setIssuedAt(now)
        .setExpirationTime(now + 300);
      return mutate(base).sign(key);
    };
  });
  afterAll(async () => {
    await h.close();
    await database.cleanup();
  });

  const get = (authorization?: string) => {
    const req = request(h.server).get('/cases');
    return authorization === undefined ? req : req.set('Authorization', authorization);
  };

  it('accepts a valid development token (200)', async () => {
    const res = await get(`Bearer ${await sign((j) => j)}`);
    expect(res.status).toBe(200);
    expect(res.body).toHaveProperty('items');
  });

  it('rejects a request without a token (401, challenge without error)', async () => {
    const res = await get();
    expect(res.status).toBe(401);
    expect(res.body.code).toBe('unauthorized');
    expect(res.headers['www-authenticate']).toMatch(/^Bearer realm=/);
  });

  it('rejects an expired token (401)', async () => {
    const now = Math.floor(Date.now() / 1000);
    const res = await get(`Bearer ${await sign((j) => j.setIssuedAt(now - 1000).setExpirationTime(now - 600))}`);
    expect(res.status).toBe(401);
    expect(res.body.code).toBe('token_expired');
  });

  it('rejects a token for another audience (401)', async () => {
    const res = await get(`Bearer ${await sign((j) => j.setAudience('another-api'))}`);
    expect(res.status).toBe(401);
    expect(res.body.code).toBe('invalid_token');
  });

  it('rejects a token from another issuer (401)', async () => {
    const res = await get(`Bearer ${await sign((j) => j.setIssuer('https://evil.example'))}`);
    expect(res.status).toBe(401);
    expect(res.body.code).toBe('invalid_token');
  });

  it('rejects alg none, with and without a signature (401)', async () => {
    const now = Math.floor(Date.now() / 1000);
    const header = base64url.encode(JSON.stringify({ alg: 'none', typ: 'at+jwt' }));
    const payload = base64url.encode(
      JSON.stringify({ ...claims, sub: 'u1', iss: DEV_ISSUER, aud: DEV_AUDIENCE, iat: now, exp: now + 300 }),
    );
    for (const token of [`${header}.${payload}.`, `${header}.${payload}.c2ln`]) {
      const res = await get(`Bearer ${token}`);
      expect(res.status).toBe(401);
      expect(res.body.code).toBe('invalid_token');
    }
  });

  it('rejects HS256 signed with the public key (algorithm confusion) (401)', async () => {
    const publicPem = createPublicKey({ key: h.keys.jwks.keys[0]!, format: 'jwk' })
      .export({ type: 'spki', format: 'pem' })
      .toString();
    const now = Math.floor(Date.now() / 1000);
    for (const secret of [publicPem, JSON.stringify(h.keys.jwks.keys[0])]) {
      const token = await new SignJWT(claims)
        .setProtectedHeader({ alg: 'HS256', typ: 'at+jwt', kid: h.keys.kid })
        .setIssuer(DEV_ISSUER)
        .setAudience(DEV_AUDIENCE)
        .setSubject('u1')
        .setIssuedAt(now)
        .setExpirationTime(now + 300)
        .sign(new TextEncoder().encode(secret));
      const res = await get(`Bearer ${token}`);
      expect(res.status).toBe(401);
      expect(res.body.code).toBe('invalid_token');
    }
  });

  it('rejects a token signed by another key with the same kid (401)', async () => {
    const { generateKeyPair } = await import('jose');
    const other = await generateKeyPair('ES256');
    const now = Math.floor(Date.now() / 1000);
    const token = await new SignJWT(claims)
      .setProtectedHeader({ alg: 'ES256', typ: 'at+jwt', kid: h.keys.kid })
      .setIssuer(DEV_ISSUER)
      .setAudience(DEV_AUDIENCE)
      .setSubject('u1')
      .setIssuedAt(now)
      .setExpirationTime(now + 300)
      .sign(other.privateKey);
    const res = await get(`Bearer ${token}`);
    expect(res.status).toBe(401);
  });

  it('rejects a token in the query string instead of the header (401 or 400, never 200)', async () => {
    const token = await sign((j) => j);
    const res = await request(h.server).get(`/cases?access_token=${token}`);
    expect([400, 401]).toContain(res.status);
  });

  const badClaims: [string, Record<string, unknown>][] = [
    ['no tenant_id', { roles: ['admin'] }],
    ['roles as a string', { tenant_id: 't1', roles: 'admin' }],
    ['no roles', { tenant_id: 't1' }],
    ['a tenant_id object', { tenant_id: { $ne: null }, roles: ['admin'] }],
  ];
  it.each(badClaims)('a genuine token with %s → 403 invalid_claims, never a 500', async (_label, body) => {
    const key = await importJWK(h.keys.privateJwk, 'ES256');
    const now = Math.floor(Date.now() / 1000);
    const token = await new SignJWT({ client_id: 'c1', jti: 'j1', ...body })
      .setProtectedHeader({ alg: 'ES256', typ: 'at+jwt', kid: h.keys.kid })
      .setIssuer(DEV_ISSUER)
      .setAudience(DEV_AUDIENCE)
      .setSubject('u1')
      .setIssuedAt(now)
      .setExpirationTime(now + 300)
      .sign(key);
    const res = await get(`Bearer ${token}`);
    expect(res.status).toBe(403);
    expect(res.body.code).toBe('invalid_claims');
  });

  it('every route but /health requires a token', async () => {
    const id = crypto.randomUUID();
    const routes: [string, string][] = [
      ['get', '/cases'],
      ['post', '/cases'],
      ['get', `/cases/${id}`],
      ['post', `/cases/${id}/transitions`],
      ['get', `/cases/${id}/audit`],
      ['post', `/cases/${id}/notes`],
      ['post', '/exports'],
      ['get', '/exports/x.csv'],
      ['post', '/cases/import'],
      ['get', '/no-such-route'],
    ];
    for (const [method, path] of routes) {
      const res = method === 'get' ? await request(h.server).get(path) : await request(h.server).post(path).send({});
      expect(res.status, `${method} ${path}`).toBe(401);
    }
  });
});

describe('deploy self-check', () => {
  it('the app passes checkDeploy with a safe production configuration (pipeline complete and in order)', async () => {
    const h = await startHarness(database);
    try {
      const production = loadSecurityConfig({
        NODE_ENV: 'production',
        JWT_ISSUER: 'https://issuer.example',
        JWT_AUDIENCE: 'case-api',
        JWT_ALGORITHMS: 'ES256',
        JWKS_URI: 'https://issuer.example/jwks.json',
        ALLOWED_ORIGINS: 'https://app.example.com',
      });
      expect(checkDeploy(h.app, production)).toEqual([]);
      // The test profile itself is reported: it must never be deployed.
      expect(
        checkDeploy(
          h.app,
          loadSecurityConfig({
            APP_ENV: 'test',
            JWT_ISSUER: DEV_ISSUER,
            JWT_AUDIENCE: DEV_AUDIENCE,
            JWT_ALGORITHMS: 'ES256',
          }),
        ).map((f) => f.id),
      ).toContain('DEPLOY_NOT_PRODUCTION');
    } finally {
      await h.close();
    }
  });
});

describe('rate limit through the app [ASVS V2.4.1]', () => {
  let h: Harness;
  beforeAll(async () => {
    h = await startHarness(database, { RATE_LIMIT_MAX: '3', RATE_LIMIT_WINDOW_SEC: '60' });
  });
  afterAll(async () => {
    await h.close();
  });

  it('a flood from one client → 429 problem+json with Retry-After and the security headers', async () => {
    const token = await h.token('flooder', 't1', ['admin']);
    const statuses: number[] = [];
    let last: request.Response | undefined;
    for (let i = 0; i < 5; i++) {
      last = await request(h.server)
        .get('/cases')
        .set('Authorization', `Bearer ${token}`)
        .set('Origin', 'http://127.0.0.1:4000');
      statuses.push(last.status);
    }
    expect(statuses).toEqual([200, 200, 200, 429, 429]);
    expect(last?.status).toBe(429);
    expect(last?.body.code).toBe('rate_limited');
    expect(Number(last?.headers['retry-after'])).toBeGreaterThan(0);
    expect(last?.headers['content-security-policy']).toContain("default-src 'none'");
    expect(last?.headers['access-control-allow-origin']).toBe('http://127.0.0.1:4000');
  });
});

const redisUrl = serviceUrl('REDIS_URL');

describe('rate limit shared by two instances through Redis (REDIS_URL) [ASVS V2.4.1]', () => {
  it.skipIf(redisUrl === undefined)(
    'two app instances on one Redis allow exactly RATE_LIMIT_MAX in total',
    async () => {
      const prefix = `case-api-test:${randomBytes(6).toString('hex')}:`;
      const clients = [new Redis(redisUrl ?? ''), new Redis(redisUrl ?? '')];
      const apps = await Promise.all(
        clients.map((c) => startHarness(database, { RATE_LIMIT_MAX: '4' }, redisStore(c, { prefix }))),
      );
      try {
        // Each test instance has its own development key, so each gets its own token.
        const tokens = await Promise.all(apps.map((a) => a.token('shared', 't1', ['admin'])));
        const results = await Promise.all(
          Array.from({ length: 12 }, (_, i) =>
            request(apps[i % 2]!.server)
              .get('/cases')
              .set('Authorization', `Bearer ${tokens[i % 2]!}`),
          ),
        );
        expect(results.filter((r) => r.status === 200)).toHaveLength(4);
        expect(results.filter((r) => r.status === 429)).toHaveLength(8);
      } finally {
        for (const a of apps) await a.close();
        for (const c of clients) c.disconnect();
      }
    },
  );
});

describe('body hygiene through the app [ASVS V15.3.6]', () => {
  let h: Harness;
  beforeAll(async () => {
    h = await startHarness(database, { BODY_LIMIT: '2kb' });
  });
  afterAll(async () => {
    await h.close();
  });

  it.each([
    {
      label: 'a body over BODY_LIMIT',
      body: JSON.stringify({ title: 'x'.repeat(4096) }),
      status: 413,
      code: 'payload_too_large',
    },
    {
      label: '__proto__ pollution',
      body: '{"title":"x","__proto__":{"admin":true}}',
      status: 400,
      code: 'prototype_pollution',
    },
    { label: 'malformed JSON', body: '{"title":', status: 400, code: 'bad_request' },
  ])('$label on POST /cases → $status $code', async ({ body, status, code }) => {
    const token = await h.token('body-user', 't1', ['admin']);
    const res = await request(h.server)
      .post('/cases')
      .set('Authorization', `Bearer ${token}`)
      .set('Content-Type', 'application/json')
      .send(body);
    expect(res.status).toBe(status);
    expect(res.body.code).toBe(code);
    expect(({} as Record<string, unknown>)['admin']).toBeUndefined();
  });
});

describe('database outage [ASVS V16.5.2, V16.5.3]', () => {
  it('a database that refuses connections → 503 with Retry-After, never a 500 and never data', async () => {
    const h = await startHarness({
      name: 'postgres',
      // Port 1 on loopback: nothing listens, the connection is refused at once.
      open: () =>
        Promise.resolve(openPostgresRepository({ connectionString: 'postgres://postgres@127.0.0.1:1/none', max: 1 })),
      cleanup: () => Promise.resolve(),
    });
    try {
      const token = await h.token('outage', 't1', ['admin']);
      for (const req of [request(h.server).get('/cases'), request(h.server).post('/cases').send({ title: 'x' })]) {
        const res = await req.set('Authorization', `Bearer ${token}`);
        expect(res.status).toBe(503);
        expect(res.body.code).toBe('unavailable');
        expect(res.headers['retry-after']).toBe('5');
        expect(res.text).not.toContain('ECONNREFUSED');
      }
    } finally {
      await h.close();
    }
  });
});
