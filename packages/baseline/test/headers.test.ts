// securityHeaders: the exact "api" and "web" header sets, overrides, and option validation.
import request from 'supertest';
import { describe, expect, it } from 'vitest';
import { buildApp, expressFlavours } from '../../../test-support/express.js';
import { RESTRICTIVE_PERMISSIONS_POLICY, securityHeaders } from '@portcullis/baseline';
import { API_HEADERS } from './helpers.js';

describe.each(expressFlavours)(
  'securityHeaders on $name [ASVS V3.4.1, V3.4.3, V3.4.4, V3.4.5, V3.4.6, V3.4.8, V14.3.2]',
  (flavour) => {
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
                scriptSrc: [
                  "'self'",
                  (_req, res) => `'nonce-${(res as unknown as { locals: { n: string } }).locals.n}'`,
                ],
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
  },
);

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
    expect(make).toThrow(/^@portcullis\/baseline: "[^"]+" [^\n]+; [^\n]+$/);
  });

  it('accepts frozen overrides and treats undefined as absent', () => {
    expect(() => securityHeaders('api', Object.freeze({ cacheControl: undefined }))).not.toThrow();
  });
});

// A nonce function read from res.locals, as apps write it.
const nonce = (_req: unknown, res: unknown): string => `'nonce-${(res as { locals: { n: string } }).locals.n}'`;

describe.each(expressFlavours)('securityHeaders CSP functions and X-Powered-By on $name', (flavour) => {
  function appWith(overrides: Parameters<typeof securityHeaders>[1]) {
    let counter = 0;
    return buildApp(flavour, (a) => {
      a.enable('x-powered-by'); // left on: the middleware must remove it
      a.use((_req, res, next) => {
        counter += 1;
        res.locals['n'] = `n${counter}`;
        next();
      });
      a.use(securityHeaders('web', overrides));
      a.get('/x', (_req, res) => {
        res.send('ok');
      });
    });
  }

  it.each([
    ['in a Set', { scriptSrc: new Set(["'self'", nonce]) }, 'script-src'],
    ['in an array', { scriptSrc: ["'self'", nonce] }, 'script-src'],
    [
      'in a Set of another directive while script-src is static',
      { scriptSrc: ["'self'"], styleSrc: new Set([nonce]) },
      'style-src',
    ],
  ] as const)('never freezes a nonce held %s into a replayed header', async (_title, directives, name) => {
    const app = appWith({ contentSecurityPolicy: { directives } });
    const first = await request(app).get('/x');
    const second = await request(app).get('/x');
    expect(first.status).toBe(200);
    expect(first.headers['content-security-policy']).toMatch(new RegExp(`${name}[^;]*'nonce-n1'`));
    expect(second.headers['content-security-policy']).toMatch(new RegExp(`${name}[^;]*'nonce-n2'`));
    expect(second.headers['content-security-policy']).not.toContain('nonce-n1');
    expect(first.headers['x-powered-by']).toBeUndefined();
  });

  it.each([
    ['static headers', {}],
    ['per-request headers', { contentSecurityPolicy: { directives: { scriptSrc: [nonce] } } }],
  ])('removes X-Powered-By with xPoweredBy: false (%s)', async (_title, overrides) => {
    const app = appWith({ ...overrides, xPoweredBy: false });
    const res = await request(app).get('/x');
    expect(res.status).toBe(200);
    expect(res.text).toBe('ok');
    expect(res.headers['x-powered-by']).toBeUndefined();
    expect(res.headers['content-security-policy']).toContain("default-src 'self'");
  });
});

describe('securityHeaders refuses CSP values helmet cannot use, naming the directive', () => {
  function* generator(): Generator<string> {
    yield "'self'";
  }
  it.each([
    ['a number in the array', { scriptSrc: ["'self'", 5] }, 'scriptSrc', '5'],
    ['an object in a Set', { scriptSrc: new Set(["'self'", {}]) }, 'scriptSrc', 'an object'],
    ['null in the array', { imgSrc: [null] }, 'imgSrc', 'null'],
    ['a function given bare, not in an array', { scriptSrc: nonce }, 'scriptSrc', 'a function'],
    ['a Map', { scriptSrc: new Map([['a', 'b']]) }, 'scriptSrc', 'a Map'],
    ['a generator (consumed once)', { scriptSrc: generator() }, 'scriptSrc', 'a class instance'],
    ['a number', { frameAncestors: 0 }, 'frameAncestors', '0'],
    ['true', { upgradeInsecureRequests: true }, 'upgradeInsecureRequests', 'true'],
  ] as const)('refuses %s', (_title, directives, name, shown) => {
    const make = () => securityHeaders('web', { contentSecurityPolicy: { directives } as never });
    expect(make).toThrow(TypeError);
    expect(make).toThrow(`@portcullis/baseline: "contentSecurityPolicy.directives.${name}" `);
    expect(make).toThrow(`(got ${shown})`);
  });

  it('refuses directives given as a Map (helmet would ignore them)', () => {
    expect(() => securityHeaders('web', { contentSecurityPolicy: { directives: new Map() as never } })).toThrow(
      '@portcullis/baseline: "contentSecurityPolicy.directives" must be a plain object',
    );
  });

  it('refuses a non-boolean xPoweredBy (helmet would console.warn and go on)', () => {
    expect(() => securityHeaders('api', { xPoweredBy: { setTo: 'PHP' } as never })).toThrow(
      '@portcullis/baseline: "xPoweredBy" must be a boolean (got an object)',
    );
  });

  it('accepts null, strings and empty arrays like helmet', () => {
    expect(() =>
      securityHeaders('web', {
        contentSecurityPolicy: {
          directives: { scriptSrcAttr: null, objectSrc: "'none'", upgradeInsecureRequests: [] },
        },
      }),
    ).not.toThrow();
  });
});
