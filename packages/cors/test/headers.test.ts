// Response headers: Vary on every response, no reflection, credentials only when configured, preflight answering.
import request from 'supertest';
import { describe, expect, it } from 'vitest';
import { errorHandler } from '@portcullis/errors';
import { strictCors, type StrictCorsOptions } from '@portcullis/cors';
import { expressFlavours, buildApp, type ExpressFlavour } from '../../../test-support/express.js';

const ALLOWED = 'https://app.example.com';
const EVIL = 'https://evil.example.net';

function appWith(
  flavour: ExpressFlavour,
  options: StrictCorsOptions,
  before?: (a: ReturnType<ExpressFlavour['create']>) => void,
) {
  return buildApp(flavour, (a) => {
    before?.(a);
    a.use(strictCors(options));
    a.get('/data', (_req, res) => {
      res.json({ ok: true });
    });
    a.post('/data', (_req, res) => {
      res.status(201).json({ created: true });
    });
    a.options('/plain', (_req, res) => {
      res.status(200).send('route options');
    });
    a.use(errorHandler());
  });
}

describe.each(expressFlavours)('strictCors headers on $name [ASVS V3.4.2]', (flavour) => {
  const app = appWith(flavour, { origins: [ALLOWED] });

  describe('Vary: Origin on every response (no cache poisoning across origins)', () => {
    it.each([
      ['an allowed origin', ALLOWED],
      ['a rejected origin', EVIL],
    ])('varies on Origin for %s', async (_label, origin) => {
      const res = await request(app).get('/data').set('Origin', origin);
      expect(res.status).toBe(200);
      expect(res.headers['vary']).toBe('Origin');
    });

    it('varies on Origin when the request has no Origin', async () => {
      const res = await request(app).get('/data');
      expect(res.status).toBe(200);
      expect(res.body).toEqual({ ok: true });
      expect(res.headers['vary']).toBe('Origin');
      expect(res.headers['access-control-allow-origin']).toBeUndefined();
    });

    it('varies on Origin on a 404 from later handlers', async () => {
      const res = await request(app).get('/missing').set('Origin', ALLOWED);
      expect(res.status).toBe(404);
      expect(res.headers['vary']).toBe('Origin');
    });

    it.each([
      ['an allowed preflight', ALLOWED, 204],
      ['a rejected preflight', EVIL, 403],
    ])('varies on Origin and the request headers for %s', async (_label, origin, status) => {
      const res = await request(app).options('/data').set('Origin', origin).set('Access-Control-Request-Method', 'PUT');
      expect(res.status).toBe(status);
      expect(res.headers['vary']).toBe('Origin, Access-Control-Request-Method, Access-Control-Request-Headers');
    });

    it('keeps a Vary set by earlier middleware and appends once', async () => {
      const merged = appWith(flavour, { origins: [ALLOWED] }, (a) =>
        a.use((_req, res, next) => {
          res.setHeader('Vary', 'Accept-Encoding, origin');
          next();
        }),
      );
      const simple = await request(merged).get('/data').set('Origin', ALLOWED);
      expect(simple.headers['vary']).toBe('Accept-Encoding, origin');
      const pre = await request(merged)
        .options('/data')
        .set('Origin', EVIL)
        .set('Access-Control-Request-Method', 'GET');
      expect(pre.status).toBe(403);
      expect(pre.headers['vary']).toBe(
        'Accept-Encoding, origin, Access-Control-Request-Method, Access-Control-Request-Headers',
      );
    });

    it('leaves Vary: * alone', async () => {
      const star = appWith(flavour, { origins: [ALLOWED] }, (a) =>
        a.use((_req, res, next) => {
          res.setHeader('Vary', '*');
          next();
        }),
      );
      const res = await request(star).get('/data').set('Origin', ALLOWED);
      expect(res.headers['vary']).toBe('*');
    });
  });

  describe('allowed origin', () => {
    it('echoes exactly the allowed origin and exposes the default headers on a simple request', async () => {
      const res = await request(app).post('/data').set('Origin', ALLOWED);
      expect(res.status).toBe(201);
      expect(res.headers['access-control-allow-origin']).toBe(ALLOWED);
      expect(res.headers['access-control-expose-headers']).toBe('X-Request-Id,Retry-After,RateLimit,RateLimit-Policy');
      expect(res.headers['access-control-allow-credentials']).toBeUndefined();
      expect(res.headers['access-control-allow-methods']).toBeUndefined();
    });

    it('answers the preflight itself with 204, fixed lists and max-age, without reaching routes', async () => {
      const res = await request(app)
        .options('/plain')
        .set('Origin', ALLOWED)
        .set('Access-Control-Request-Method', 'DELETE')
        .set('Access-Control-Request-Headers', 'x-evil-header, authorization');
      expect(res.status).toBe(204);
      expect(res.text).toBe('');
      expect(res.headers['content-length']).toBe('0');
      expect(res.headers['access-control-allow-origin']).toBe(ALLOWED);
      expect(res.headers['access-control-allow-methods']).toBe('GET,HEAD,POST,PUT,PATCH,DELETE');
      expect(res.headers['access-control-allow-headers']).toBe(
        'Authorization,Content-Type,Idempotency-Key,X-Request-Id',
      );
      expect(res.headers['access-control-max-age']).toBe('600');
      expect(res.headers['access-control-allow-credentials']).toBeUndefined();
    });

    it('never reflects requested headers, even with an empty allowedHeaders list', async () => {
      const empty = appWith(flavour, { origins: [ALLOWED], allowedHeaders: [] });
      const res = await request(empty)
        .options('/data')
        .set('Origin', ALLOWED)
        .set('Access-Control-Request-Method', 'POST')
        .set('Access-Control-Request-Headers', 'x-evil-header');
      expect(res.status).toBe(204);
      expect(res.headers['access-control-allow-headers']).toBeUndefined();
      expect(JSON.stringify(res.headers).toLowerCase()).not.toContain('x-evil-header');
    });

    it('never reflects the requested method', async () => {
      const res = await request(app)
        .options('/data')
        .set('Origin', ALLOWED)
        .set('Access-Control-Request-Method', 'PROPFIND');
      expect(res.status).toBe(204);
      expect(res.headers['access-control-allow-methods']).toBe('GET,HEAD,POST,PUT,PATCH,DELETE');
    });

    it('passes a non-preflight OPTIONS request (no Access-Control-Request-Method) to the route', async () => {
      const res = await request(app).options('/plain').set('Origin', ALLOWED);
      expect(res.status).toBe(200);
      expect(res.text).toBe('route options');
      expect(res.headers['access-control-allow-origin']).toBe(ALLOWED);
      expect(res.headers['vary']).toBe('Origin, Access-Control-Request-Method, Access-Control-Request-Headers');
    });

    it('passes an OPTIONS request without Origin to the route', async () => {
      const res = await request(app).options('/plain').set('Access-Control-Request-Method', 'GET');
      expect(res.status).toBe(200);
      expect(res.text).toBe('route options');
      expect(res.headers['access-control-allow-origin']).toBeUndefined();
    });
  });

  describe('credentials', () => {
    it('sends no Access-Control-Allow-Credentials unless configured', async () => {
      const simple = await request(app).get('/data').set('Origin', ALLOWED);
      const pre = await request(app)
        .options('/data')
        .set('Origin', ALLOWED)
        .set('Access-Control-Request-Method', 'POST');
      expect(simple.headers['access-control-allow-credentials']).toBeUndefined();
      expect(pre.status).toBe(204);
      expect(pre.headers['access-control-allow-credentials']).toBeUndefined();
    });

    it('sends Access-Control-Allow-Credentials: true with the exact origin when configured', async () => {
      const creds = appWith(flavour, { origins: [ALLOWED], credentials: true });
      const simple = await request(creds).get('/data').set('Origin', ALLOWED);
      const pre = await request(creds)
        .options('/data')
        .set('Origin', ALLOWED)
        .set('Access-Control-Request-Method', 'POST');
      expect(simple.headers['access-control-allow-credentials']).toBe('true');
      expect(simple.headers['access-control-allow-origin']).toBe(ALLOWED);
      expect(pre.status).toBe(204);
      expect(pre.headers['access-control-allow-credentials']).toBe('true');
      expect(pre.headers['access-control-allow-origin']).toBe(ALLOWED);
    });

    it('does not send credentials to a rejected origin even when configured', async () => {
      const creds = appWith(flavour, { origins: [ALLOWED], credentials: true });
      const res = await request(creds).get('/data').set('Origin', 'null');
      expect(res.status).toBe(200);
      expect(res.headers['access-control-allow-credentials']).toBeUndefined();
      expect(res.headers['access-control-allow-origin']).toBeUndefined();
    });
  });

  describe('custom lists', () => {
    it('uses the configured methods, headers, exposed headers and max-age', async () => {
      const custom = appWith(flavour, {
        origins: [ALLOWED],
        methods: ['GET', 'POST'],
        allowedHeaders: ['Content-Type'],
        exposedHeaders: [],
        maxAgeSec: 0,
      });
      const pre = await request(custom)
        .options('/data')
        .set('Origin', ALLOWED)
        .set('Access-Control-Request-Method', 'POST');
      expect(pre.status).toBe(204);
      expect(pre.headers['access-control-allow-methods']).toBe('GET,POST');
      expect(pre.headers['access-control-allow-headers']).toBe('Content-Type');
      expect(pre.headers['access-control-max-age']).toBe('0');
      const simple = await request(custom).get('/data').set('Origin', ALLOWED);
      expect(simple.headers['access-control-allow-origin']).toBe(ALLOWED);
      expect(simple.headers['access-control-expose-headers']).toBeUndefined();
    });
  });

  describe('rejected origin', () => {
    it('rejects the preflight with 403 cors_rejected and reports it once', async () => {
      const seen: string[] = [];
      const reporting = appWith(flavour, { origins: [ALLOWED], onReject: (origin) => seen.push(origin) });
      const res = await request(reporting)
        .options('/data')
        .set('Origin', EVIL)
        .set('Access-Control-Request-Method', 'DELETE');
      expect(res.status).toBe(403);
      expect(res.body).toEqual({
        type: 'about:blank',
        title: 'Forbidden',
        status: 403,
        code: 'cors_rejected',
        detail: 'This origin is not allowed to make cross-origin requests.',
      });
      expect(seen).toEqual([EVIL]);
    });

    it('still runs the route for a simple request (CORS is not authentication) and reports it', async () => {
      const seen: string[] = [];
      const reporting = appWith(flavour, { origins: [ALLOWED], onReject: (origin) => seen.push(origin) });
      const res = await request(reporting).post('/data').set('Origin', EVIL);
      expect(res.status).toBe(201);
      expect(res.body).toEqual({ created: true });
      expect(res.headers['access-control-allow-origin']).toBeUndefined();
      expect(seen).toEqual([EVIL]);
    });

    it('truncates a huge rejected origin before handing it to onReject', async () => {
      const seen: string[] = [];
      const reporting = appWith(flavour, { origins: [ALLOWED], onReject: (origin) => seen.push(origin) });
      const huge = `https://${'a'.repeat(8000)}.com`;
      const res = await request(reporting).get('/data').set('Origin', huge);
      expect(res.status).toBe(200);
      expect(seen).toEqual([huge.slice(0, 256)]);
    });

    it('does not report allowed or origin-less requests', async () => {
      const seen: string[] = [];
      const reporting = appWith(flavour, { origins: [ALLOWED], onReject: (origin) => seen.push(origin) });
      await request(reporting).get('/data').set('Origin', ALLOWED);
      await request(reporting).get('/data');
      expect(seen).toEqual([]);
    });

    it('survives an onReject hook that throws (no 500 from attacker input)', async () => {
      const throwing = appWith(flavour, {
        origins: [ALLOWED],
        onReject: () => {
          throw new Error('logger down');
        },
      });
      const simple = await request(throwing).get('/data').set('Origin', EVIL);
      expect(simple.status).toBe(200);
      const pre = await request(throwing)
        .options('/data')
        .set('Origin', EVIL)
        .set('Access-Control-Request-Method', 'GET');
      expect(pre.status).toBe(403);
      expect(pre.body.code).toBe('cors_rejected');
    });

    it('rejects two Origin headers (joined by Node) as one unparseable value', async () => {
      const res = await request(app)
        .options('/data')
        .set('Origin', [ALLOWED, EVIL] as unknown as string)
        .set('Access-Control-Request-Method', 'GET');
      expect(res.status).toBe(403);
      expect(res.body.code).toBe('cors_rejected');
      expect(res.headers['access-control-allow-origin']).toBeUndefined();
    });
  });
});
