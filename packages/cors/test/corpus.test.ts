// Every corpus Origin against ["https://app.example.com"], through a real Express 5 and Express 4 app and the pure matcher.
import request from 'supertest';
import { describe, expect, it } from 'vitest';
import { errorHandler } from '@portcullis/errors';
import { createOriginMatcher, strictCors } from '@portcullis/cors';
import { expressFlavours, buildApp } from '../../../test-support/express.js';
import { ALLOWED, CORPUS } from './corpus.js';

describe('bypass corpus size', () => {
  it('holds at least 35 Origin values, allowed and rejected', () => {
    expect(CORPUS.length).toBeGreaterThanOrEqual(35);
    expect(CORPUS.filter((x) => x.expected === null).length).toBeGreaterThanOrEqual(35);
    expect(new Set(CORPUS.map((x) => x.origin)).size).toBe(CORPUS.length);
  });
});

describe('bypass corpus: pure matcher', () => {
  const match = createOriginMatcher([ALLOWED]);
  it.each(CORPUS)('$name', ({ origin, expected }) => {
    expect(match(origin)).toBe(expected);
  });
});

describe.each(expressFlavours)('bypass corpus on $name [ASVS V3.4.2]', (flavour) => {
  const rejected: string[] = [];
  const app = buildApp(flavour, (a) => {
    a.use(strictCors({ origins: [ALLOWED], onReject: (origin) => rejected.push(origin) }));
    a.get('/data', (_req, res) => {
      res.json({ reached: true });
    });
    a.use(errorHandler());
  });
  const sendable = CORPUS.filter((x) => x.sendable);

  it.each(sendable)('simple request: $name', async ({ origin, expected }) => {
    const res = await request(app).get('/data').set('Origin', origin);
    // CORS is not authorization: the route runs either way; only the ACAO header differs.
    expect(res.status).toBe(200);
    expect(res.body).toEqual({ reached: true });
    expect(res.headers['vary']).toBe('Origin');
    if (expected === null) {
      expect(res.headers['access-control-allow-origin']).toBeUndefined();
      expect(res.headers['access-control-allow-credentials']).toBeUndefined();
      expect(res.headers['access-control-expose-headers']).toBeUndefined();
      expect(rejected.at(-1)).toBe(origin.slice(0, 256));
    } else {
      expect(res.headers['access-control-allow-origin']).toBe(expected);
    }
  });

  it.each(sendable)('preflight: $name', async ({ origin, expected }) => {
    const res = await request(app).options('/data').set('Origin', origin).set('Access-Control-Request-Method', 'POST');
    expect(res.headers['vary']).toBe('Origin, Access-Control-Request-Method, Access-Control-Request-Headers');
    if (expected === null) {
      expect(res.status).toBe(403);
      expect(res.headers['content-type']).toBe('application/problem+json; charset=utf-8');
      expect(res.body).toMatchObject({ status: 403, code: 'cors_rejected' });
      const acHeaders = Object.keys(res.headers).filter((h) => h.startsWith('access-control-'));
      expect(acHeaders).toEqual([]);
    } else {
      expect(res.status).toBe(204);
      expect(res.text).toBe('');
      expect(res.headers['access-control-allow-origin']).toBe(expected);
      expect(res.headers['access-control-allow-methods']).toBe('GET,HEAD,POST,PUT,PATCH,DELETE');
    }
  });
});
