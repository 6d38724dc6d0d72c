// One-label https wildcards: "https://*.example.com" matches a.example.com and nothing wider.
import request from 'supertest';
import { describe, expect, it } from 'vitest';
import { errorHandler } from '@portcullis/errors';
import { createOriginMatcher, strictCors } from '@portcullis/cors';
import { expressFlavours, buildApp } from '../../../test-support/express.js';

const PATTERN = 'https://*.example.com';

const CASES: readonly { name: string; origin: string; expected: string | null }[] = [
  { name: 'allows one label', origin: 'https://a.example.com', expected: 'https://a.example.com' },
  { name: 'allows a hyphenated label', origin: 'https://team-1.example.com', expected: 'https://team-1.example.com' },
  {
    name: 'allows one label after normalisation',
    origin: 'HTTPS://TEAM.EXAMPLE.COM:443',
    expected: 'https://team.example.com',
  },
  {
    name: 'allows a punycode label',
    origin: 'https://xn--pp-6kc.example.com',
    expected: 'https://xn--pp-6kc.example.com',
  },
  { name: 'rejects two labels', origin: 'https://a.b.example.com', expected: null },
  { name: 'rejects the apex', origin: 'https://example.com', expected: null },
  { name: 'rejects an empty label', origin: 'https://.example.com', expected: null },
  { name: 'rejects http', origin: 'http://a.example.com', expected: null },
  { name: 'rejects another port', origin: 'https://a.example.com:8443', expected: null },
  { name: 'rejects the suffix followed by evil.com', origin: 'https://a.example.com.evil.com', expected: null },
  { name: 'rejects a lookalike parent (aexample.com)', origin: 'https://aexample.com', expected: null },
  { name: 'rejects *.example.com.evil.com', origin: 'https://x.example.com.evil.com', expected: null },
  { name: 'rejects a label with an underscore', origin: 'https://a_b.example.com', expected: null },
  { name: 'rejects a label starting with a hyphen', origin: 'https://-a.example.com', expected: null },
  { name: 'rejects a 64-character label', origin: `https://${'a'.repeat(64)}.example.com`, expected: null },
  { name: 'rejects a literal star', origin: 'https://*.example.com', expected: null },
  { name: 'rejects a trailing dot', origin: 'https://a.example.com.', expected: null },
  { name: 'rejects userinfo', origin: 'https://a.example.com@evil.com', expected: null },
];

describe('one-label wildcard matcher', () => {
  const match = createOriginMatcher([PATTERN]);
  it.each(CASES)('$name', ({ origin, expected }) => {
    expect(match(origin)).toBe(expected);
  });

  it('allows a wildcard with a port only on that port', () => {
    const withPort = createOriginMatcher(['https://*.example.com:8443']);
    expect(withPort('https://a.example.com:8443')).toBe('https://a.example.com:8443');
    expect(withPort('https://a.example.com')).toBeNull();
  });

  it('combines exact origins and wildcards', () => {
    const both = createOriginMatcher(['https://example.com', PATTERN, 'https://*.example.org']);
    expect(both('https://example.com')).toBe('https://example.com');
    expect(both('https://a.example.org')).toBe('https://a.example.org');
    expect(both('https://a.b.example.org')).toBeNull();
    expect(both(undefined)).toBeNull();
  });
});

describe.each(expressFlavours)('one-label wildcard on $name', (flavour) => {
  const app = buildApp(flavour, (a) => {
    a.use(strictCors({ origins: [PATTERN], credentials: true }));
    a.get('/data', (_req, res) => {
      res.json({ ok: true });
    });
    a.use(errorHandler());
  });

  it.each(CASES)('simple request: $name', async ({ origin, expected }) => {
    const res = await request(app).get('/data').set('Origin', origin);
    expect(res.status).toBe(200);
    expect(res.headers['vary']).toBe('Origin');
    expect(res.headers['access-control-allow-origin']).toBe(expected ?? undefined);
    expect(res.headers['access-control-allow-credentials']).toBe(expected === null ? undefined : 'true');
  });

  it.each(CASES)('preflight: $name', async ({ origin, expected }) => {
    const res = await request(app).options('/data').set('Origin', origin).set('Access-Control-Request-Method', 'PATCH');
    if (expected === null) {
      expect(res.status).toBe(403);
      expect(res.body.code).toBe('cors_rejected');
      expect(res.headers['access-control-allow-origin']).toBeUndefined();
    } else {
      expect(res.status).toBe(204);
      expect(res.headers['access-control-allow-origin']).toBe(expected);
      expect(res.headers['access-control-allow-credentials']).toBe('true');
    }
  });
});
