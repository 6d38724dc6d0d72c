// Memory store: limits, headers, windows, keys (IP, subject, IPv6 /56), trust proxy, presets, on Express 5 and 4.
import request from 'supertest';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { apiLimiter, describeLimiter, loginLimiter, rateLimit, trustProxy } from '@portcullis/ratelimit';
import { expressFlavours } from '../../../test-support/express.js';
import { limitedApp, stubAuth } from './helpers.js';

let warnSpy: ReturnType<typeof vi.spyOn>;
let errorSpy: ReturnType<typeof vi.spyOn>;
beforeEach(() => {
  warnSpy = vi.spyOn(console, 'warn');
  errorSpy = vi.spyOn(console, 'error');
});
afterEach(() => {
  // express-rate-limit's own validation messages must never reach the console.
  expect(warnSpy).not.toHaveBeenCalled();
  expect(errorSpy).not.toHaveBeenCalled();
  vi.restoreAllMocks();
});

describe.each(expressFlavours)('memory store on $name [ASVS V2.4.1]', (flavour) => {
  it('answers 429 problem+json rate_limited with Retry-After once the limit is spent', async () => {
    const app = limitedApp(flavour, rateLimit({ name: 'api', windowMs: 60_000, limit: 2 }));
    expect((await request(app).get('/')).status).toBe(200);
    expect((await request(app).get('/')).status).toBe(200);
    const res = await request(app).get('/');
    expect(res.status).toBe(429);
    expect(res.headers['content-type']).toBe('application/problem+json; charset=utf-8');
    expect(res.body).toMatchObject({
      type: 'about:blank',
      status: 429,
      code: 'rate_limited',
      title: 'Too Many Requests',
    });
    const retryAfter = Number(res.headers['retry-after']);
    expect(retryAfter).toBeGreaterThanOrEqual(59);
    expect(retryAfter).toBeLessThanOrEqual(60);
    expect(res.headers['ratelimit']).toMatch(/^"api"; r=0; t=\d+$/);
  });

  it('sends draft-8 RateLimit and RateLimit-Policy headers named by the policy, and no X-RateLimit-*', async () => {
    const app = limitedApp(flavour, rateLimit({ name: 'search', windowMs: 60_000, limit: 3 }));
    const res = await request(app).get('/');
    expect(res.status).toBe(200);
    expect(res.body).toEqual({ ok: true });
    expect(res.headers['ratelimit']).toBe('"search"; r=2; t=60');
    expect(res.headers['ratelimit-policy']).toMatch(/^"search"; q=3; w=60; pk=:[A-Za-z0-9+/=]+:$/);
    expect(Object.keys(res.headers).filter((h) => h.startsWith('x-ratelimit'))).toEqual([]);
    expect(res.headers['retry-after']).toBeUndefined();
  });

  it('opens a new window once the old one has passed', async () => {
    const app = limitedApp(flavour, rateLimit({ name: 'short', windowMs: 300, limit: 1 }));
    expect((await request(app).get('/')).status).toBe(200);
    expect((await request(app).get('/')).status).toBe(429);
    await new Promise((r) => setTimeout(r, 350));
    const res = await request(app).get('/');
    expect(res.status).toBe(200);
    expect(res.headers['ratelimit']).toBe('"short"; r=0; t=1');
  });

  it('does not let X-Forwarded-For pick a new bucket when trust proxy is off', async () => {
    const app = limitedApp(flavour, rateLimit({ name: 'api', windowMs: 60_000, limit: 1 }));
    expect((await request(app).get('/').set('X-Forwarded-For', '203.0.113.1')).status).toBe(200);
    const res = await request(app).get('/').set('X-Forwarded-For', '203.0.113.2');
    expect(res.status).toBe(429);
    expect(res.body.code).toBe('rate_limited');
  });

  it('keys by the forwarded client address with trustProxy(app, 1)', async () => {
    const app = limitedApp(flavour, rateLimit({ name: 'api', windowMs: 60_000, limit: 1 }), (a) => {
      trustProxy(a, 1);
    });
    expect((await request(app).get('/').set('X-Forwarded-For', '203.0.113.1')).status).toBe(200);
    expect((await request(app).get('/').set('X-Forwarded-For', '203.0.113.2')).status).toBe(200);
    const res = await request(app).get('/').set('X-Forwarded-For', '198.51.100.9, 203.0.113.1');
    expect(res.status).toBe(429);
    expect(res.body.code).toBe('rate_limited');
  });

  it('ignores X-Forwarded-For when someone set "trust proxy" to true behind our back (and says so in the log)', async () => {
    const lines: string[] = [];
    const logger = {
      warn: (_o: object, m?: string) => lines.push(m ?? ''),
      error: (_o: object, m?: string) => lines.push(m ?? ''),
    };
    const app = limitedApp(flavour, rateLimit({ name: 'api', windowMs: 60_000, limit: 1, logger }), (a) => {
      a.set('trust proxy', true);
    });
    expect((await request(app).get('/').set('X-Forwarded-For', '203.0.113.1')).status).toBe(200);
    const res = await request(app).get('/').set('X-Forwarded-For', '203.0.113.2');
    expect(res.status).toBe(429);
    expect(res.body.code).toBe('rate_limited');
    expect(lines.filter((l) => l.includes('trust proxy'))).toHaveLength(1);
  });

  it.each([
    {
      title: 'IPv6 addresses in one /56 share a bucket',
      first: '2001:db8:0:1::1',
      second: '2001:db8:0:ff:ffff::2',
      shared: true,
    },
    {
      title: 'IPv6 addresses in different /56 do not',
      first: '2001:db8:0:1::1',
      second: '2001:db8:0:100::1',
      shared: false,
    },
    {
      title: 'IPv4-mapped IPv6 counts as the IPv4 address',
      first: '192.0.2.7',
      second: '::ffff:192.0.2.7',
      shared: true,
    },
    { title: 'distinct IPv4 addresses do not share', first: '192.0.2.7', second: '192.0.2.8', shared: false },
  ])('$title', async ({ first, second, shared }) => {
    const app = limitedApp(flavour, rateLimit({ name: 'v6', windowMs: 60_000, limit: 1 }), (a) => {
      trustProxy(a, ['loopback']);
    });
    expect((await request(app).get('/').set('X-Forwarded-For', first)).status).toBe(200);
    const res = await request(app).get('/').set('X-Forwarded-For', second);
    expect(res.status).toBe(shared ? 429 : 200);
    if (shared) expect(res.body.code).toBe('rate_limited');
  });

  it('answers 401 for key "subject" when the request is not authenticated', async () => {
    const app = limitedApp(flavour, rateLimit({ name: 'user', windowMs: 60_000, limit: 1, key: 'subject' }), (a) =>
      a.use(stubAuth),
    );
    const res = await request(app).get('/');
    expect(res.status).toBe(401);
    expect(res.body.code).toBe('unauthorized');
    expect(res.headers['www-authenticate']).toMatch(/^Bearer/);
  });

  it('gives every subject its own bucket with key "subject", whatever its IP', async () => {
    const app = limitedApp(flavour, rateLimit({ name: 'user', windowMs: 60_000, limit: 1, key: 'subject' }), (a) =>
      a.use(stubAuth),
    );
    expect((await request(app).get('/').set('X-Test-Subject', 'alice')).status).toBe(200);
    expect((await request(app).get('/').set('X-Test-Subject', 'bob')).status).toBe(200);
    const res = await request(app).get('/').set('X-Test-Subject', 'alice');
    expect(res.status).toBe(429);
    expect(res.body.code).toBe('rate_limited');
  });

  it('does not confuse a subject named like an IP with that IP ("subject-or-ip")', async () => {
    const app = limitedApp(
      flavour,
      rateLimit({ name: 'mixed', windowMs: 60_000, limit: 1, key: 'subject-or-ip' }),
      (a) => a.use(stubAuth),
    );
    expect((await request(app).get('/').set('X-Test-Subject', '::ffff:127.0.0.1')).status).toBe(200);
    expect((await request(app).get('/').set('X-Test-Subject', '127.0.0.1')).status).toBe(200);
    expect((await request(app).get('/')).status).toBe(200);
    const res = await request(app).get('/');
    expect(res.status).toBe(429);
    expect(res.body.code).toBe('rate_limited');
  });

  it('uses a custom key function and skip predicate', async () => {
    const limiter = rateLimit({
      name: 'tenant',
      windowMs: 60_000,
      limit: 1,
      key: (req) => String(req.headers['x-tenant'] ?? 'none'),
      skip: (req) => req.headers['x-health'] === '1',
    });
    const app = limitedApp(flavour, limiter);
    expect((await request(app).get('/').set('X-Tenant', 'a')).status).toBe(200);
    expect((await request(app).get('/').set('X-Tenant', 'a').set('X-Health', '1')).status).toBe(200);
    expect((await request(app).get('/').set('X-Tenant', 'b')).status).toBe(200);
    const res = await request(app).get('/').set('X-Tenant', 'a');
    expect(res.status).toBe(429);
    expect(res.body.code).toBe('rate_limited');
  });

  it('bounds over-long custom keys instead of storing them as sent', async () => {
    const app = limitedApp(
      flavour,
      rateLimit({ name: 'long', windowMs: 60_000, limit: 1, key: (req) => String(req.headers['x-k']) }),
    );
    const long = 'x'.repeat(5000);
    expect((await request(app).get('/').set('X-K', long)).status).toBe(200);
    const res = await request(app).get('/').set('X-K', long);
    expect(res.status).toBe(429);
    expect(res.body.code).toBe('rate_limited');
  });

  it('answers 500 internal_error when a custom key function returns no string (a bug, never a pass)', async () => {
    const app = limitedApp(
      flavour,
      rateLimit({ name: 'bug', windowMs: 60_000, limit: 5, key: () => undefined as unknown as string }),
    );
    const res = await request(app).get('/');
    expect(res.status).toBe(500);
    expect(res.body.code).toBe('internal_error');
  });

  it('loginLimiter: a username in other case, spacing or Unicode form counts as the same username', async () => {
    const app = limitedApp(flavour, loginLimiter({ limit: 2 }));
    expect((await request(app).post('/login').send({ username: 'Alice', password: 'x' })).status).toBe(200);
    expect((await request(app).post('/login').send({ username: '  alice ', password: 'x' })).status).toBe(200);
    const res = await request(app).post('/login').send({ username: 'ＡＬＩＣＥ', password: 'x' });
    expect(res.status).toBe(429);
    expect(res.body.code).toBe('rate_limited');
    expect(res.headers['ratelimit-policy']).toMatch(/^"login"; q=2; w=900;/);
    expect((await request(app).post('/login').send({ username: 'bob', password: 'x' })).status).toBe(200);
  });

  it('loginLimiter: omitting or mangling the username does not escape the limit', async () => {
    const app = limitedApp(flavour, loginLimiter({ limit: 1, usernameField: 'email' }));
    expect((await request(app).post('/login').send({ password: 'x' })).status).toBe(200);
    for (const body of [{ password: 'y' }, { email: ['a'] }, { email: { $ne: 1 } }, {}]) {
      const res = await request(app).post('/login').send(body);
      expect(res.status).toBe(429);
      expect(res.body.code).toBe('rate_limited');
    }
    expect((await request(app).post('/login').send({ email: 'a@example.test' })).status).toBe(200);
  });

  it('loginLimiter: defaults to 5 attempts per 15 minutes', async () => {
    const app = limitedApp(flavour, loginLimiter());
    for (let i = 0; i < 5; i += 1)
      expect((await request(app).post('/login').send({ username: 'eve' })).status).toBe(200);
    const res = await request(app).post('/login').send({ username: 'eve' });
    expect(res.status).toBe(429);
    expect(res.body.code).toBe('rate_limited');
    expect(Number(res.headers['retry-after'])).toBeGreaterThan(890);
  });

  it('apiLimiter: keys by subject, else IP, with documented defaults', async () => {
    const app = limitedApp(flavour, apiLimiter({ limit: 1 }), (a) => a.use(stubAuth));
    expect((await request(app).get('/').set('X-Test-Subject', 'alice')).status).toBe(200);
    const anon = await request(app).get('/');
    expect(anon.status).toBe(200);
    expect(anon.headers['ratelimit-policy']).toMatch(/^"api"; q=1; w=60;/);
    const res = await request(app).get('/').set('X-Test-Subject', 'alice');
    expect(res.status).toBe(429);
    expect(res.body.code).toBe('rate_limited');
    const def = limitedApp(flavour, apiLimiter());
    expect((await request(def).get('/')).headers['ratelimit']).toBe('"api"; r=299; t=60');
  });
});

describe('describeLimiter', () => {
  it('reports a memory store as not shared, for deploy checks', () => {
    const limiter = rateLimit({ name: 'api', windowMs: 1000, limit: 1 });
    expect(describeLimiter(limiter)).toEqual({
      name: 'api',
      store: 'memory',
      shared: false,
      windowMs: 1000,
      limit: 1,
      key: 'ip',
      onStoreError: 'deny',
      storeTimeoutMs: 200,
    });
    expect(limiter.limiterName).toBe('api');
    expect(describeLimiter(loginLimiter())).toMatchObject({ name: 'login', key: 'login', windowMs: 900_000, limit: 5 });
    expect(describeLimiter(() => undefined)).toBeUndefined();
    expect(describeLimiter({})).toBeUndefined();
  });

  it('shutdown() stops the memory store', async () => {
    const limiter = rateLimit({ name: 'api', windowMs: 1000, limit: 1 });
    await expect(limiter.shutdown()).resolves.toBeUndefined();
  });
});
