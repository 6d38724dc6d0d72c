// The opt-in verified-token cache: a hit skips only the signature check; every other check still runs.
// Signature checks are counted by spying on crypto.subtle.verify (what jose calls), so no timing is involved.
import { createHash } from 'node:crypto';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import request from 'supertest';
import { errorHandler } from '@portcullis/errors';
import { jwtAuth, type AuthInfo, type JwtAuthOptions } from '@portcullis/auth';
import { expressFlavours, buildApp, type ExpressFlavour } from '../../../test-support/express.js';
import { countSignatureChecks } from '../../../test-support/signature-checks.js';
import { tokenDigest } from '../src/token-cache.js';
import {
  AUDIENCE,
  HMAC_SECRET,
  ISSUER,
  claims,
  hsJwt,
  jwt,
  keys,
  now,
  sleep,
  startJwksServer,
  type JwksServer,
} from './helpers.js';

type Opts = { [K in keyof JwtAuthOptions]?: JwtAuthOptions[K] | undefined };
const base: JwtAuthOptions = {
  issuer: ISSUER,
  audience: AUDIENCE,
  algorithms: ['ES256'],
  jwks: { keys: [keys.ec.jwk] },
};
const cached: Opts = { verifiedTokenCache: { maxEntries: 100, maxAgeSec: 3600 } };

const signatureChecks = countSignatureChecks();

function appWith(flavour: ExpressFlavour, options: Opts) {
  const seen: { auths: AuthInfo[]; runs: number } = { auths: [], runs: 0 };
  const mw = jwtAuth({ ...base, ...options } as JwtAuthOptions);
  const app = buildApp(flavour, (a) => {
    a.get('/r', mw, (req, res) => {
      seen.runs++;
      if (req.auth !== undefined) seen.auths.push(req.auth);
      res.json({ sub: req.auth?.subject ?? null });
    });
    a.use(errorHandler());
  });
  const get = (token: string, header = `Bearer ${token}`, path = '/r') =>
    request(app).get(path).set('Authorization', header);
  return { app, seen, get, mw };
}

const code = (res: request.Response): string => (res.body as { code: string }).code;

/** Only the Date clock is faked: sockets and timers stay real. */
function freezeClock(): number {
  vi.useFakeTimers({ toFake: ['Date'] });
  const t = Date.now();
  vi.setSystemTime(t);
  return t;
}

describe.each(expressFlavours)('verifiedTokenCache on $name', (flavour) => {
  it('is off by default: the signature is checked on every request', async () => {
    const { get, seen } = appWith(flavour, {});
    const token = await jwt(keys.ec);
    for (let i = 0; i < 3; i++) expect((await get(token)).status).toBe(200);
    expect(signatureChecks()).toBe(3);
    expect(seen.runs).toBe(3);
  });

  it('is off with verifiedTokenCache: false: the signature is checked on every request', async () => {
    const { get } = appWith(flavour, { verifiedTokenCache: false });
    const token = await jwt(keys.ec);
    for (let i = 0; i < 3; i++) expect((await get(token)).status).toBe(200);
    expect(signatureChecks()).toBe(3);
  });

  it('is off by default for a secret too (HS256)', async () => {
    const { get } = appWith(flavour, { jwks: undefined, algorithms: ['HS256'], secret: HMAC_SECRET });
    const token = await hsJwt();
    for (let i = 0; i < 3; i++) expect((await get(token)).status).toBe(200);
    expect(signatureChecks()).toBe(3);
  });

  it('checks the signature once for a repeated token and gives every request its own frozen req.auth', async () => {
    const { get, seen } = appWith(flavour, cached);
    const token = await jwt(keys.ec, claims({ roles: ['reviewer'] }));
    for (let i = 0; i < 3; i++) expect((await get(token)).body).toEqual({ sub: 'user-1' });
    expect(signatureChecks()).toBe(1);
    const [a, b] = seen.auths;
    expect(a).not.toBe(b);
    expect(b?.token).toBe(token);
    expect(b?.scopes).toEqual(['cases:read', 'cases:write']);
    expect(Object.isFrozen(b)).toBe(true);
    // Nothing one request could mutate reaches the next one.
    expect(Object.isFrozen(b?.claims)).toBe(true);
    expect(Object.isFrozen(b?.claims['roles'])).toBe(true);
    expect(Object.isFrozen(b?.scopes)).toBe(true);
  });

  it('does not treat a token differing by one character as a hit', async () => {
    const { get } = appWith(flavour, cached);
    const token = await jwt(keys.ec);
    expect((await get(token)).status).toBe(200);
    const [h, p, s] = token.split('.') as [string, string, string];
    const i = 10;
    const tampered = `${h}.${p}.${s.slice(0, i)}${s[i] === 'A' ? 'B' : 'A'}${s.slice(i + 1)}`;
    const res = await get(tampered);
    expect(res.status).toBe(401);
    expect(code(res)).toBe('invalid_token');
    expect(signatureChecks()).toBe(2);
  });

  it('rejects an expired cached token', async () => {
    const t0 = freezeClock();
    const { get } = appWith(flavour, cached);
    const token = await jwt(keys.ec, claims({ exp: now() + 30 }));
    expect((await get(token)).status).toBe(200);
    expect((await get(token)).status).toBe(200);
    expect(signatureChecks()).toBe(1);
    vi.setSystemTime(t0 + 60_000);
    const res = await get(token);
    expect(res.status).toBe(401);
    expect(code(res)).toBe('token_expired');
  });

  // The clock stepping back (NTP) after a token was cached: the hit path must re-run the time checks.
  it.each<[string, Record<string, unknown>, Opts, number, string]>([
    ['rejects a cached token whose nbf is in the future again', { nbf: now() }, {}, -60_000, 'token_not_yet_valid'],
    ['rejects a cached token whose iat is in the future again', {}, {}, -60_000, 'invalid_token'],
    ['rejects a cached token older than maxTokenAgeSec', {}, { maxTokenAgeSec: 30 }, 40_000, 'token_expired'],
  ])('%s', async (_name, extra, options, shiftMs, expected) => {
    const t0 = freezeClock();
    const { get, seen } = appWith(flavour, { ...cached, ...options });
    const token = await jwt(keys.ec, claims(extra));
    expect((await get(token)).status).toBe(200);
    vi.setSystemTime(t0 + shiftMs);
    const res = await get(token);
    expect(res.status).toBe(401);
    expect(code(res)).toBe(expected);
    expect(signatureChecks()).toBe(1); // rejected on the hit path, before any signature check
    expect(seen.runs).toBe(1);
  });

  it('rejects a revoked cached token (isRevoked is still consulted on a hit)', async () => {
    let revokedNow = false;
    const isRevoked = vi.fn(() => Promise.resolve(revokedNow));
    const { get, seen } = appWith(flavour, { ...cached, isRevoked });
    const token = await jwt(keys.ec);
    expect((await get(token)).status).toBe(200);
    expect((await get(token)).status).toBe(200);
    revokedNow = true;
    const res = await get(token);
    expect(res.status).toBe(401);
    expect(code(res)).toBe('invalid_token');
    expect(isRevoked).toHaveBeenCalledTimes(3);
    expect(signatureChecks()).toBe(1);
    expect(seen.runs).toBe(2);
    // Revoked tokens are dropped from the cache: the next attempt is fully verified again (and still revoked).
    expect((await get(token)).status).toBe(401);
    expect(signatureChecks()).toBe(2);
  });

  it('fails closed (503) when isRevoked throws on a cache hit', async () => {
    let fail = false;
    const isRevoked = () => (fail ? Promise.reject(new Error('redis down')) : Promise.resolve(false));
    const { get, seen } = appWith(flavour, { ...cached, isRevoked });
    const token = await jwt(keys.ec);
    expect((await get(token)).status).toBe(200);
    fail = true;
    const res = await get(token);
    expect(res.status).toBe(503);
    expect(code(res)).toBe('unavailable');
    expect(seen.runs).toBe(1);
  });

  it('never lets a malformed Authorization header reach the cache', async () => {
    const { get, seen } = appWith(flavour, cached);
    const token = await jwt(keys.ec);
    expect((await get(token)).status).toBe(200);
    for (const [header, path] of [
      [`Bearer  ${token}`, '/r'],
      [`Bearer ${token},x`, '/r'],
      [`Bearer\t${token}`, '/r'],
      [`Bearer ${token}`, `/r?access_token=${token}`],
    ] as const) {
      const res = await get(token, header, path);
      expect(res.status).toBe(400);
      expect(code(res)).toBe('invalid_request');
    }
    expect(seen.runs).toBe(1);
  });

  it('holds at most maxEntries tokens (least recently used evicted)', async () => {
    const { get } = appWith(flavour, { verifiedTokenCache: { maxEntries: 2 } });
    const [a, b, c] = await Promise.all(['a', 'b', 'c'].map((jti) => jwt(keys.ec, claims({ jti }))));
    for (const t of [a, b, c]) expect((await get(t as string)).status).toBe(200);
    expect(signatureChecks()).toBe(3);
    expect((await get(c as string)).status).toBe(200); // hit
    expect(signatureChecks()).toBe(3);
    expect((await get(a as string)).status).toBe(200); // evicted: verified again, evicts b
    expect(signatureChecks()).toBe(4);
    expect((await get(b as string)).status).toBe(200);
    expect(signatureChecks()).toBe(5);
  });

  it('trusts an entry for at most maxAgeSec', async () => {
    const t0 = freezeClock();
    const { get } = appWith(flavour, { verifiedTokenCache: { maxEntries: 10, maxAgeSec: 2 } });
    const token = await jwt(keys.ec);
    expect((await get(token)).status).toBe(200);
    vi.setSystemTime(t0 + 1_000);
    expect((await get(token)).status).toBe(200);
    expect(signatureChecks()).toBe(1);
    vi.setSystemTime(t0 + 2_500);
    expect((await get(token)).status).toBe(200);
    expect(signatureChecks()).toBe(2);
  });
});

describe.each(expressFlavours)('verifiedTokenCache with a remote key set on $name', (flavour) => {
  let server: JwksServer;
  beforeEach(async () => {
    server = await startJwksServer([keys.ec.jwk]);
  });
  afterEach(async () => {
    await server.close();
  });

  const remote = (extra: Opts): Opts => ({
    ...cached,
    jwks: undefined,
    jwksUri: server.url,
    dangerouslyAllowHttpJwks: true,
    algorithms: ['ES256', 'RS256'],
    ...extra,
  });

  it('flushes on key rotation: a token signed by a removed key is rejected after the refetch', async () => {
    const { get, mw } = appWith(flavour, remote({ cooldownMs: 30 }));
    await mw.ready();
    const old = await jwt(keys.ec);
    expect((await get(old)).status).toBe(200);
    expect((await get(old)).status).toBe(200);
    expect(signatureChecks()).toBe(1);
    await sleep(40);
    server.keys = [keys.rsa2.jwk]; // ec-1 removed, rsa-2 added
    expect((await get(await jwt(keys.rsa2))).status).toBe(200); // unknown kid → refetch → a different set → flush
    expect(server.hits).toBe(2);
    const res = await get(old);
    expect(res.status).toBe(401);
    expect(code(res)).toBe('invalid_token');
  });

  it('stops accepting cached tokens of a removed key at the next scheduled refresh', async () => {
    const { get, mw } = appWith(flavour, remote({ cacheMaxAgeMs: 50, cooldownMs: 60_000 }));
    await mw.ready();
    const old = await jwt(keys.ec);
    expect((await get(old)).status).toBe(200);
    server.keys = [keys.rsa2.jwk];
    await sleep(60);
    const res = await get(old); // the key set is due for a refresh: no hit before it is refetched
    expect(res.status).toBe(401);
    expect(code(res)).toBe('invalid_token');
    expect(server.hits).toBe(2);
  });

  it('keeps the cache when a refetch returns the same key set', async () => {
    // Wide margins: the third request must arrive within cacheMaxAgeMs of the refresh, even on a loaded machine.
    const { get, mw } = appWith(flavour, remote({ cacheMaxAgeMs: 1500 }));
    await mw.ready();
    const token = await jwt(keys.ec);
    expect((await get(token)).status).toBe(200);
    await sleep(1600);
    expect((await get(token)).status).toBe(200); // refreshed, same keys: verified again, cached again
    expect((await get(token)).status).toBe(200); // hit
    expect(server.hits).toBe(2);
    expect(signatureChecks()).toBe(2);
  });
});

describe('verifiedTokenCache key', () => {
  it('is the SHA-256 of the whole token, so a token differing in any one character maps elsewhere', () => {
    const token = 'eyJhbGciOiJFUzI1NiJ9.eyJzdWIiOiJ1MSJ9.c2lnbmF0dXJl';
    expect(tokenDigest(token)).toBe(createHash('sha256').update(token).digest('base64'));
    expect(tokenDigest(token)).not.toContain(token.split('.')[2]);
    for (let i = 0; i < token.length; i++) {
      const changed = `${token.slice(0, i)}${token[i] === 'A' ? 'B' : 'A'}${token.slice(i + 1)}`;
      expect(tokenDigest(changed)).not.toBe(tokenDigest(token));
    }
  });
});
