// Property tests: arbitrary Authorization values and token-shaped garbage never yield a 500 or reach the handler.
import { describe, it, expect } from 'vitest';
import fc from 'fast-check';
import request from 'supertest';
import { errorHandler } from '@portcullis/errors';
import { jwtAuth } from '@portcullis/auth';
import { expressFlavours, buildApp } from '../../../test-support/express.js';
import { AUDIENCE, ISSUER, b64, keys } from './helpers.js';
import { parseAuthorization } from '../src/request.js';

const B64TOKEN = /^[A-Za-z0-9\-._~+/]+=*$/;

describe('parseAuthorization', () => {
  it('returns a token only when it matches the b64token grammar after exactly "Bearer " or "DPoP "', () => {
    const prefixed = fc.tuple(
      fc.constantFrom('Bearer ', 'bearer', 'DPoP ', 'dpop  ', 'DPOP ', ''),
      fc.string({ maxLength: 200 }),
    );
    fc.assert(
      fc.property(prefixed, ([prefix, rest]) => {
        const value = prefix + rest;
        const parsed = parseAuthorization(value);
        if (parsed.kind === 'token') {
          const skip = parsed.scheme === 'Bearer' ? 7 : 5;
          expect(value.slice(0, skip).toLowerCase()).toBe(`${parsed.scheme.toLowerCase()} `);
          expect(parsed.token).toBe(value.slice(skip));
          expect(B64TOKEN.test(parsed.token)).toBe(true);
        } else if (/^(bearer|dpop)(\s|$)/i.test(value)) {
          expect(parsed.kind).toBe('malformed');
        }
      }),
      { numRuns: 2000 },
    );
  });
});

describe.each(expressFlavours)('attacker tokens on $name [ASVS V9.1.1]', (flavour) => {
  let runs = 0;
  const app = buildApp(flavour, (a) => {
    a.get(
      '/r',
      jwtAuth({
        issuer: ISSUER,
        audience: AUDIENCE,
        algorithms: ['RS256', 'ES256'],
        jwks: { keys: [keys.rsa.jwk, keys.ec.jwk] },
      }),
      (_req, res) => {
        runs++;
        res.json({});
      },
    );
    a.use(errorHandler());
  });

  const segment = fc.oneof(
    fc.string({ maxLength: 60 }).map((s) => b64(s)),
    fc.json({ maxDepth: 2 }).map((j) => b64(j)),
    fc
      .record(
        {
          alg: fc.constantFrom('RS256', 'ES256', 'none', 'HS256', 'PS256'),
          typ: fc.constantFrom('at+jwt', 'JWT', undefined),
          kid: fc.constantFrom('rsa-1', 'ec-1', 'x', undefined),
          jku: fc.constantFrom(undefined, 'https://evil.example'),
        },
        { requiredKeys: [] },
      )
      .map((h) => b64(JSON.stringify(h))),
    fc.stringMatching(/^[A-Za-z0-9_-]{0,40}$/),
  );

  it('never answers 5xx and never runs the handler for forged tokens', async () => {
    await fc.assert(
      fc.asyncProperty(fc.array(segment, { minLength: 1, maxLength: 6 }), async (parts) => {
        const res = await request(app)
          .get('/r')
          .set('Authorization', `Bearer ${parts.join('.')}`);
        expect([400, 401]).toContain(res.status);
        expect(typeof (res.body as { code?: unknown }).code).toBe('string');
      }),
      { numRuns: 80 },
    );
    expect(runs).toBe(0);
  });
});
