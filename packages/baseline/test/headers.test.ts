// securityHeaders: the exact "api" and "web" header sets, overrides, and option validation.
import request from 'supertest';
import { describe, expect, it } from 'vitest';
import { buildApp, expressFlavours } from '../../../test-support/express.js';
import { RESTRICTIVE_PERMISSIONS_POLICY, securityHeaders } from '@portcullis/baseline';
import { API_HEADERS } from './helpers.js';

describe.each(expressFlavours)('securityHeaders on $name', (flavour) => {
  it('"api" sets the API header set and removes X-Powered-By', async () => {
    const app = flavour.create(); // x-powered-by left on: the middleware must remove it
    app.use(securityHeaders('api'));
    app.get('/x', (_req, res) => res.json({ ok: true }));
    const res = await request(app).get('/x');
    expect(res.status).toBe(200);
    for (const [name, value] of Object.entries(API_HEADERS)) expect(res.headers[name], name).toBe(value);
    expect(res.headers['x-powered-by']).toBeUndefined();
    expect(res.headers['permissions-policy']).toBeUndefined();
  });

  it('"web" keeps helmet defaults with base-uri none and a restrictive Permissions-Policy', async () => {
    const app = buildApp(flavour, (a) => {
      a.use(securityHeaders('web'));
      a.get('/x', (_req, res) => res.send('<p>hi</p>'));
    });
    const res = await request(app).get('/x');
    expect(res.headers['content-security-policy']).toContain("base-uri 'none'");
    expect(res.headers['content-security-policy']).toContain("default-src 'self'");
    expect(res.headers['content-security-policy']).toContain("object-src 'none'");
    expect(res.headers['permissions-policy']).toBe(RESTRICTIVE_PERMISSIONS_POLICY);
    expect(res.headers['x-frame-options']).toBe('SAMEORIGIN');
    expect(res.headers['cache-control']).toBeUndefined();
  });

  it('applies overrides by helmet option name and runs helmet per request for function directives', async () => {
    const app = buildApp(flavour, (a) => {
      a.use(
        securityHeaders('web', {
          strictTransportSecurity: { maxAge: 63_072_000, includeSubDomains: true, preload: true },
          contentSecurityPolicy: {
            directives: {
              scriptSrc: ["'self'", (_req, res) => `'nonce-${(res as unknown as { locals: { n: string } }).locals.n}'`],
            },
          },
          cacheControl: 'private, max-age=0',
          permissionsPolicy: false,
        }),
      );
      a.get('/x', (_req, res) => res.send('ok'));
    });
    const app2 = buildApp(flavour, (a) => {
      a.use((_req, res, next) => {
        res.locals['n'] = 'abc123';
        next();
      });
      a.use(app);
    });
    const res = await request(app2).get('/x');
    expect(res.headers['strict-transport-security']).toBe('max-age=63072000; includeSubDomains; preload');
    expect(res.headers['content-security-policy']).toContain("script-src 'self' 'nonce-abc123'");
    expect(res.headers['cache-control']).toBe('private, max-age=0');
    expect(res.headers['permissions-policy']).toBeUndefined();
  });
});

describe('securityHeaders validation', () => {
  it.each([
    ['an unknown profile', () => securityHeaders('strict' as never)],
    ['an unknown override (typo)', () => securityHeaders('api', { contentSecurityPolcy: false } as never)],
    ["a helmet alias instead of the canonical name ('hsts')", () => securityHeaders('api', { hsts: false } as never)],
    ['a header value with a line break', () => securityHeaders('api', { cacheControl: 'no-store\r\nSet-Cookie: a=b' })],
    ['an empty header value', () => securityHeaders('api', { permissionsPolicy: '' })],
    ['options that are not an object', () => securityHeaders('api', 'strict' as never)],
    [
      'a CSP helmet refuses',
      () =>
        securityHeaders('api', {
          contentSecurityPolicy: { useDefaults: false, directives: { 'default-src': ['self'] } },
        }),
    ],
  ])('throws a TypeError for %s', (_title, make) => {
    expect(make).toThrow(/@portcullis\/baseline: securityHeaders/);
  });

  it('accepts frozen overrides and treats undefined as absent', () => {
    expect(() => securityHeaders('api', Object.freeze({ cacheControl: undefined }))).not.toThrow();
  });
});
