// The test issuer's JWKS endpoint in each mode, its callback listener, and the runner's failure paths.
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { createTestIssuer, runAttacks, startTarget, type IssuerMode } from '../src/index.js';

describe('createTestIssuer', () => {
  it.each<[IssuerMode, number, RegExp]>([
    ['ok', 200, /"keys":\[\{/],
    ['500', 500, /internal/],
    ['html', 200, /<html>/],
    ['redirect', 302, /^$/],
    ['huge', 200, /"pad":"a{1000}/],
    ['slow', 200, /"keys"/],
  ])('serves mode %s as %i', async (mode, status, body) => {
    const issuer = await createTestIssuer({ issuer: 'i', audience: 'a', algorithms: ['ES256', 'PS256'], slowMs: 50 });
    const target = await startTarget(issuer.jwksUri.replace('/.well-known/jwks.json', ''));
    try {
      issuer.setMode(mode);
      const res = await target.request({ path: '/.well-known/jwks.json' });
      expect(res.status).toBe(status);
      expect(res.text).toMatch(body);
      if (mode === 'redirect') expect(String(res.headers.location)).toContain(issuer.callbackUrl);
      expect(issuer.jwksHits()).toBe(1);
      expect((await target.request({ path: '/other' })).status).toBe(404);
    } finally {
      await issuer.close();
    }
  });

  it('records callback hits and signs with every algorithm and key', async () => {
    const issuer = await createTestIssuer({ issuer: 'i', audience: 'a', algorithms: ['ES384', 'RS256', 'PS256'] });
    const callback = await startTarget(issuer.callbackUrl);
    try {
      const res = await callback.request({ path: '/jwks.json', method: 'POST', body: 'x' });
      expect(res.status).toBe(200);
      expect(issuer.callbackHits()).toEqual([{ method: 'POST', path: '/jwks.json' }]);
      for (const alg of issuer.algorithms)
        for (const key of ['published', 'unpublished', 'foreign'] as const) {
          const token = await issuer.sign({ sub: 's', exp: undefined }, { alg, key, header: { typ: 'JWT' } });
          const header = JSON.parse(Buffer.from(token.split('.')[0] ?? '', 'base64url').toString()) as {
            alg: string;
            typ: string;
          };
          expect(header).toMatchObject({ alg, typ: 'JWT' });
          expect(JSON.parse(Buffer.from(token.split('.')[1] ?? '', 'base64url').toString())).not.toHaveProperty('exp');
        }
      await expect(issuer.sign({}, { alg: 'ES256' })).rejects.toThrow(/"alg"/);
    } finally {
      await issuer.close();
    }
  });
});

describe('the runner', () => {
  it('fails every case of a suite whose setup fails (never a pass)', async () => {
    const base = await mkdtemp(join(tmpdir(), 'testkit-missing-'));
    const target = await startTarget('http://127.0.0.1:9');
    try {
      // The root does not exist: planting the symlink fails.
      const [, , report] = await runAttacks({ traversal: { target, prefix: '/f/', root: join(base, 'nope') } });
      expect(report?.results.length).toBeGreaterThan(40);
      expect(report?.results.every((r) => !r.passed && r.reason.startsWith('suite setup failed'))).toBe(true);
    } finally {
      await rm(base, { recursive: true, force: true });
    }
  });

  it('fails cases when the target does not answer', async () => {
    const target = await startTarget('http://127.0.0.1:9', { timeoutMs: 500 });
    const [, cors, , leaks] = await runAttacks({
      cors: { target, path: '/', allowedOrigins: ['https://a.example'] },
      leaks: { target, path: '/' },
    });
    expect(cors?.results.every((r) => !r.passed)).toBe(true);
    expect(cors?.results[0]?.reason).toMatch(/no Access-Control-Allow-Origin/);
    // For leaks a refused connection leaks nothing.
    expect(leaks?.results.every((r) => r.passed && /no answer/.test(r.reason))).toBe(true);
  });
});
