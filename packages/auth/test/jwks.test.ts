// Remote key set behaviour against a loopback JWKS server: rotation, outage, stale keys, timeouts, redirects, size, floods.
import { describe, it, expect, beforeEach, afterEach } from 'vitest';
import request from 'supertest';
import { errorHandler } from '@portcullis/errors';
import { jwtAuth, type JwtAuthOptions } from '@portcullis/auth';
import { expressFlavours, buildApp } from '../../../test-support/express.js';
import { AUDIENCE, ISSUER, claims, jwt, keys, sleep, startJwksServer, type JwksServer } from './helpers.js';

let server: JwksServer;
beforeEach(async () => {
  server = await startJwksServer([keys.rsa.jwk, keys.ec.jwk]);
});
afterEach(async () => {
  await server.close();
});

function setup(flavour: (typeof expressFlavours)[number], extra: Partial<JwtAuthOptions> = {}) {
  const mw = jwtAuth({
    issuer: ISSUER,
    audience: AUDIENCE,
    algorithms: ['RS256', 'ES256'],
    jwksUri: server.url,
    dangerouslyAllowHttpJwks: true,
    ...extra,
  });
  const app = buildApp(flavour, (a) => {
    a.get('/r', mw, (req, res) => {
      res.json({ sub: req.auth?.subject });
    });
    a.use(errorHandler());
  });
  const get = async (token: string) => request(app).get('/r').set('Authorization', `Bearer ${token}`);
  return { mw, get };
}

describe.each(expressFlavours)('remote key set on $name [ASVS V16.5.2]', (flavour) => {
  it('fetches the key set lazily once and reuses it', async () => {
    const { get } = setup(flavour);
    const token = await jwt(keys.rsa);
    const results = await Promise.all([get(token), get(token), get(token)]);
    expect(results.map((r) => r.status)).toEqual([200, 200, 200]);
    expect((await get(await jwt(keys.ec))).status).toBe(200);
    expect(server.hits).toBe(1);
  });

  it('accepts a rotated key after one refetch (new kid appears)', async () => {
    const { mw, get } = setup(flavour, { cooldownMs: 30 });
    await mw.ready();
    expect(server.hits).toBe(1);
    await sleep(40);
    server.keys = [keys.rsa.jwk, keys.rsa2.jwk];
    const res = await get(await jwt(keys.rsa2));
    expect(res.status).toBe(200);
    expect(res.body).toEqual({ sub: 'user-1' });
    expect(server.hits).toBe(2);
    // Known now: no further fetch.
    expect((await get(await jwt(keys.rsa2))).status).toBe(200);
    expect(server.hits).toBe(2);
  });

  it('bounds refetches under an unknown-kid flood (one per cooldown)', async () => {
    const { mw, get } = setup(flavour, { cooldownMs: 60_000 });
    await mw.ready();
    const forged = await Promise.all(
      Array.from({ length: 30 }, (_, i) => jwt({ ...keys.attacker, kid: `flood-${i}` })),
    );
    const results = await Promise.all(forged.map((t) => get(t)));
    expect(results.every((r) => r.status === 401 && (r.body as { code: string }).code === 'invalid_token')).toBe(true);
    expect(server.hits).toBe(1);
  });

  it('refetches at most once for a concurrent flood once the cooldown has passed', async () => {
    const { mw, get } = setup(flavour, { cooldownMs: 300 });
    const forged = await Promise.all(
      Array.from({ length: 20 }, (_, i) => jwt({ ...keys.attacker, kid: `flood-${i}` })),
    );
    await mw.ready();
    await sleep(310);
    const results = await Promise.all(forged.map((t) => get(t)));
    expect(results.every((r) => r.status === 401)).toBe(true);
    expect(server.hits).toBe(2);
  });

  it('answers 503 with Retry-After when the endpoint is down at cold start, then recovers', async () => {
    server.mode = 'down';
    const { mw, get } = setup(flavour, { cooldownMs: 500 });
    await expect(mw.ready()).rejects.toThrow(/could not load the key set/);
    const token = await jwt(keys.rsa);
    const res = await get(token);
    expect(res.status).toBe(503);
    expect((res.body as { code: string }).code).toBe('unavailable');
    expect(Number(res.headers['retry-after'])).toBeGreaterThanOrEqual(1);
    expect(res.headers['www-authenticate']).toBeUndefined();
    // Within the cooldown: no new request, still 503.
    const hits = server.hits;
    expect((await get(token)).status).toBe(503);
    expect(server.hits).toBe(hits);
    server.mode = 'ok';
    await sleep(510);
    expect((await get(token)).status).toBe(200);
  });

  it('keeps serving stale keys inside staleIfErrorSec, then 503, then recovers', async () => {
    const { mw, get } = setup(flavour, { cacheMaxAgeMs: 50, cooldownMs: 20, staleIfErrorSec: 1 });
    await mw.ready();
    const token = await jwt(keys.rsa);
    server.mode = 'status500';
    await sleep(60);
    const stale = await get(token);
    expect(stale.status).toBe(200);
    expect(server.hits).toBe(2);
    await sleep(1050);
    const gone = await get(token);
    expect(gone.status).toBe(503);
    expect(gone.headers['retry-after']).toMatch(/^\d+$/);
    server.mode = 'ok';
    await sleep(30);
    expect((await get(token)).status).toBe(200);
  });

  it('with staleIfErrorSec 0 a failing refresh is 503 at once', async () => {
    const { mw, get } = setup(flavour, { cacheMaxAgeMs: 30, cooldownMs: 20, staleIfErrorSec: 0 });
    await mw.ready();
    server.mode = 'down';
    await sleep(40);
    expect((await get(await jwt(keys.rsa))).status).toBe(503);
  });

  it('an unknown kid during an outage is 503, not 401', async () => {
    const { mw, get } = setup(flavour, { cooldownMs: 500 });
    await mw.ready();
    server.mode = 'down';
    const forged = await jwt(keys.rsa2);
    await sleep(510);
    expect((await get(forged)).status).toBe(503);
    // Inside the cooldown after that failure: still 503, no request.
    const hits = server.hits;
    expect((await get(forged)).status).toBe(503);
    expect(server.hits).toBe(hits);
    // Known keys keep working meanwhile.
    expect((await get(await jwt(keys.rsa))).status).toBe(200);
  });

  it('times out a slow endpoint (503, not a hung request)', async () => {
    server.mode = 'slow';
    const { get } = setup(flavour, { timeoutMs: 100 });
    const started = Date.now();
    const res = await get(await jwt(keys.rsa));
    expect(res.status).toBe(503);
    expect(Date.now() - started).toBeLessThan(1400);
  });

  it('does not follow a redirect', async () => {
    server.mode = 'redirect';
    const { get } = setup(flavour);
    const res = await get(await jwt(keys.rsa));
    expect(res.status).toBe(503);
    expect(server.hits).toBe(1);
  });

  it('refuses a huge key set body (bounded read)', async () => {
    server.mode = 'huge';
    const { get } = setup(flavour);
    const res = await get(await jwt(keys.rsa));
    expect(res.status).toBe(503);
    expect((res.body as { code: string }).code).toBe('unavailable');
  });

  it.each([
    ['a body that is not JSON', 'not-json'],
    ['a key set holding private keys only', 'private'],
    ['an HTTP 500', 'status500'],
  ] as const)('treats %s as a failure (503)', async (_name, mode) => {
    server.mode = mode;
    const { get } = setup(flavour);
    expect((await get(await jwt(keys.rsa))).status).toBe(503);
  });

  it('answers 503 when nothing listens on the port', async () => {
    const { get } = setup(flavour);
    await server.close();
    expect((await get(await jwt(keys.rsa))).status).toBe(503);
    server = await startJwksServer([]);
  });

  it('a bad token with a known kid never triggers a fetch', async () => {
    const { mw, get } = setup(flavour, { cooldownMs: 1, cacheMaxAgeMs: 60_000 });
    await mw.ready();
    await sleep(5);
    const res = await get(await jwt(keys.rsa, claims({ aud: 'nope' })));
    expect(res.status).toBe(401);
    const forged = await jwt({ ...keys.attacker, kid: 'rsa-1' });
    expect((await get(forged)).status).toBe(401);
    expect(server.hits).toBe(1);
  });

  it('logs key set failures to req.log.warn without exposing them', async () => {
    server.mode = 'status500';
    const lines: { obj: Record<string, unknown>; msg: string }[] = [];
    const mw = jwtAuth({
      issuer: ISSUER,
      audience: AUDIENCE,
      algorithms: ['RS256'],
      jwksUri: server.url,
      dangerouslyAllowHttpJwks: true,
    });
    const app = buildApp(flavour, (a) => {
      a.use((req, _res, next) => {
        (req as unknown as { log: object }).log = {
          warn: (obj: Record<string, unknown>, msg: string) => lines.push({ obj, msg }),
        };
        next();
      });
      a.get('/r', mw, (_req, res) => res.json({}));
      a.use(errorHandler());
    });
    const res = await request(app)
      .get('/r')
      .set('Authorization', `Bearer ${await jwt(keys.rsa)}`);
    expect(res.status).toBe(503);
    expect(JSON.stringify(res.body)).not.toMatch(/500|jwks|127\.0\.0\.1/);
    expect(lines.map((l) => l.msg)).toContain('auth: key set fetch failed');
    expect(lines.some((l) => /HTTP 500/.test(String(l.obj['reason'])))).toBe(true);
  });
});
