// Property: whatever the Origin, ACAO is absent or exactly one configured origin; parsing is idempotent.
import fc from 'fast-check';
import request from 'supertest';
import { describe, expect, it } from 'vitest';
import { errorHandler } from '@portcullis/errors';
import { createOriginMatcher, parseOrigin, strictCors } from '@portcullis/cors';
import { expressFlavours, buildApp } from '../../../test-support/express.js';

const CONFIGURED = ['https://app.example.com', 'https://admin.example.com:8443', 'http://localhost:3000'];

// Strings that look like origins, so the property explores near-misses and not only noise.
const originish = fc.oneof(
  fc.string({ maxLength: 80 }),
  fc.string({ unit: 'grapheme-ascii', maxLength: 80 }),
  fc
    .tuple(
      fc.constantFrom('https://', 'http://', 'HTTPS://', 'https:', '//', ''),
      fc.constantFrom('app.example.com', 'admin.example.com', 'localhost', 'evil.com', 'APP.example.COM', ''),
      fc.constantFrom('', ':443', ':8443', ':3000', ':80', '.', '/', '@evil.com', '.evil.com', ' ', '%2e'),
      fc.string({ unit: 'grapheme-ascii', maxLength: 6 }),
    )
    .map((parts) => parts.join('')),
);

describe('origin matcher property', () => {
  const match = createOriginMatcher(CONFIGURED);
  it('returns null or exactly one configured origin for any string', () => {
    fc.assert(
      fc.property(originish, (value) => {
        const result = match(value);
        expect(result === null || CONFIGURED.includes(result)).toBe(true);
        if (result !== null) expect(parseOrigin(value)).toBe(result);
      }),
      { numRuns: 3000 },
    );
  });

  it('parseOrigin is idempotent', () => {
    fc.assert(
      fc.property(originish, (value) => {
        const once = parseOrigin(value);
        if (once !== null) expect(parseOrigin(once)).toBe(once);
      }),
      { numRuns: 3000 },
    );
  });

  it('a wildcard match is always one label over the configured suffix', () => {
    const wild = createOriginMatcher(['https://*.example.com']);
    fc.assert(
      fc.property(
        fc.string({ unit: 'grapheme-ascii', maxLength: 20 }),
        fc.constantFrom('', '.a', '.example.com', '.example.com.evil.com'),
        (label, tail) => {
          const result = wild(`https://${label}${tail}`);
          if (result !== null) expect(result).toMatch(/^https:\/\/[a-z0-9-]{1,63}\.example\.com$/);
        },
      ),
      { numRuns: 2000 },
    );
  });
});

// Header values Node's HTTP client accepts: visible ASCII, space and tab, trimmed by the server.
const sendable = originish.filter((v) => /^[\x20-\x7e\t]*$/.test(v));

describe.each(expressFlavours)('ACAO property on $name [ASVS V3.4.2]', (flavour) => {
  const app = buildApp(flavour, (a) => {
    a.use(strictCors({ origins: CONFIGURED }));
    a.get('/data', (_req, res) => {
      res.json({ ok: true });
    });
    a.use(errorHandler());
  });

  it('ACAO is absent or exactly one configured origin, and the route always answers', async () => {
    await fc.assert(
      fc.asyncProperty(sendable, fc.boolean(), async (origin, preflight) => {
        const res = preflight
          ? await request(app).options('/data').set('Origin', origin).set('Access-Control-Request-Method', 'GET')
          : await request(app).get('/data').set('Origin', origin);
        const acao = res.headers['access-control-allow-origin'];
        expect(acao === undefined || CONFIGURED.includes(acao)).toBe(true);
        expect(res.headers['vary']).toMatch(/^Origin/);
        if (preflight) expect(res.status).toBe(acao === undefined ? 403 : 204);
        else expect(res.status).toBe(200);
      }),
      { numRuns: 150 },
    );
  });
});
