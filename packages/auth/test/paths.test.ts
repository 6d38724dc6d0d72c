// One verification path: the whole claims corpus through a full verification, a verification with the key at hand,
// and a verified-token cache hit must give identical outcomes and codes (a hit skips only the signature check).
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import request from 'supertest';
import { decodeJwt, decodeProtectedHeader } from 'jose';
import { errorHandler } from '@portcullis/errors';
import { jwtAuth, type JwtAuthOptions } from '@portcullis/auth';
import { expressFlavours, buildApp, type ExpressFlavour } from '../../../test-support/express.js';
import { countSignatureChecks } from '../../../test-support/signature-checks.js';
import { deepFreeze, VerifiedTokenCache } from '../src/token-cache.js';
import { scopesOf } from '../src/scopes.js';
import { AUDIENCE, ISSUER, claims, keys, now, rawToken, startJwksServer, type JwksServer } from './helpers.js';

const policy = {
  issuer: ISSUER,
  audience: AUDIENCE,
  algorithms: ['ES256'],
  maxTokenLifetimeSec: 3600,
  maxTokenAgeSec: 1800,
} as const;
const thumb = 'A'.repeat(43);

interface Entry {
  readonly name: string;
  readonly claims: () => Record<string, unknown>;
  readonly header?: Record<string, unknown> | undefined;
  /** Raw JSON text replacing the serialised claims (for values JSON.stringify cannot produce, like 1e400). */
  readonly raw?: (json: string) => string;
  readonly status: number;
  readonly code?: string;
}

const ok = (name: string, c: () => Record<string, unknown>, header?: Record<string, unknown>): Entry => ({
  name,
  claims: c,
  header,
  status: 200,
});
const bad = (
  name: string,
  c: () => Record<string, unknown>,
  code = 'invalid_token',
  header?: Record<string, unknown>,
): Entry => ({
  name,
  claims: c,
  header,
  status: 401,
  code,
});

const corpus: Entry[] = [
  ok('a valid token', () => claims()),
  // expiry, nbf, iat, lifetime cap
  bad('an expired token', () => claims({ iat: now() - 700, exp: now() - 60 }), 'token_expired'),
  ok('exp just inside the clock tolerance', () => claims({ iat: now() - 60, exp: now() - 2 })),
  bad('exp as a string', () => claims({ exp: String(now() + 600) })),
  bad('a missing exp', () => claims({ exp: undefined })),
  {
    name: 'exp 1e400',
    claims: () => claims({ exp: 12345 }),
    raw: (j) => j.replace('12345', '1e400'),
    status: 401,
    code: 'invalid_token',
  },
  bad('nbf in the future', () => claims({ nbf: now() + 600 }), 'token_not_yet_valid'),
  ok('nbf just inside the clock tolerance', () => claims({ nbf: now() + 3 })),
  bad('nbf as a string', () => claims({ nbf: 'soon' })),
  bad('iat in the future beyond the tolerance', () => claims({ iat: now() + 600, exp: now() + 1200 })),
  bad('iat older than maxTokenAgeSec', () => claims({ iat: now() - 2000, exp: now() + 600 }), 'token_expired'),
  bad('iat as a string', () => claims({ iat: String(now()) })),
  bad('a lifetime over maxTokenLifetimeSec', () => claims({ exp: now() + 7200 })),
  // iss / aud
  bad('a wrong issuer', () => claims({ iss: 'https://evil.example' })),
  bad('an issuer as an array', () => claims({ iss: [ISSUER] })),
  bad('a missing issuer', () => claims({ iss: undefined })),
  bad('a wrong audience', () => claims({ aud: 'https://other.example' })),
  ok('an audience array containing the audience', () => claims({ aud: ['x', AUDIENCE] })),
  bad('an empty audience array', () => claims({ aud: [] })),
  bad('a missing audience', () => claims({ aud: undefined })),
  // typ
  ok('typ application/at+jwt', () => claims(), { typ: 'application/at+jwt' }),
  bad('typ JWT in rfc9068 mode', () => claims(), 'invalid_token', { typ: 'JWT' }),
  bad('no typ in rfc9068 mode', () => claims(), 'invalid_token', { typ: undefined }),
  bad('typ dpop+jwt (a proof as an access token)', () => claims(), 'invalid_token', { typ: 'dpop+jwt' }),
  // RFC 9068 §2.2 required claims and their types
  bad('a missing client_id', () => claims({ client_id: undefined })),
  bad('a numeric client_id', () => claims({ client_id: 7 })),
  bad('an empty client_id', () => claims({ client_id: '' })),
  bad('a missing jti', () => claims({ jti: undefined })),
  bad('a numeric jti', () => claims({ jti: 1 })),
  bad('a jti of 257 characters', () => claims({ jti: 'j'.repeat(257) })),
  ok('a jti of 256 characters', () => claims({ jti: 'j'.repeat(256) })),
  bad('a missing sub', () => claims({ sub: undefined })),
  bad('a numeric sub', () => claims({ sub: 42 })),
  bad('an ID token (nonce)', () => claims({ nonce: 'n' })),
  // cnf
  bad('a DPoP-bound token (cnf.jkt) presented as Bearer', () => claims({ cnf: { jkt: thumb } })),
  bad('a certificate-bound token (cnf.x5t#S256) without mtls', () => claims({ cnf: { 'x5t#S256': thumb } })),
  bad('cnf that is not an object', () => claims({ cnf: 'x' })),
  bad('an empty cnf', () => claims({ cnf: {} })),
  bad('cnf with a confirmation method we cannot check (jwk)', () => claims({ cnf: { jwk: keys.ec.jwk } })),
  bad('cnf.jkt that is not a SHA-256 thumbprint', () => claims({ cnf: { jkt: 'short' } })),
];

function tokenOf(entry: Entry): string {
  const header: Record<string, unknown> = { alg: 'ES256', typ: 'at+jwt', kid: 'ec-1', ...entry.header };
  const json = JSON.stringify(entry.claims());
  return rawToken(
    JSON.stringify(Object.fromEntries(Object.entries(header).filter(([, v]) => v !== undefined))),
    entry.raw === undefined ? json : entry.raw(json),
    keys.ec,
  );
}

const signatureChecks = countSignatureChecks();

describe.each(expressFlavours)('one verification path on $name [ASVS V9.2.1]', (flavour: ExpressFlavour) => {
  let server: JwksServer;
  beforeAll(async () => {
    server = await startJwksServer([keys.ec.jwk]);
  });
  afterAll(async () => {
    await server.close();
  });

  function appOf(options: JwtAuthOptions) {
    const mw = jwtAuth(options);
    const app = buildApp(flavour, (a) => {
      a.get('/r', mw, (req, res) => res.json({ sub: req.auth?.subject ?? null }));
      a.use(errorHandler());
    });
    return { app, mw };
  }
  const outcome = async (app: ReturnType<typeof appOf>['app'], token: string) => {
    const res = await request(app).get('/r').set('Authorization', `Bearer ${token}`);
    return { status: res.status, code: (res.body as { code?: string }).code };
  };

  it.each(corpus)('$name: identical outcome through every path', async (entry) => {
    const token = tokenOf(entry);
    const want = { status: entry.status, code: entry.code };

    // 1. Full verification: a fresh remote key set, so jose resolves the key through our resolver (one fetch).
    const hits = server.hits;
    const full = appOf({ ...policy, jwksUri: server.url, dangerouslyAllowHttpJwks: true });
    const viaFull = await outcome(full.app, token);
    const fetched = server.hits - hits;

    // 2. Key at hand: a local public key imported before the request; jose is handed the CryptoKey itself.
    const atHand = appOf({ ...policy, publicKey: keys.ec.publicKey });
    await atHand.mw.ready();
    const viaKey = await outcome(atHand.app, token);

    // 3. Cache hit: the cache answers with the token's header and claims as if verified before; no signature check.
    const hitApp = appOf({ ...policy, publicKey: keys.ec.publicKey, verifiedTokenCache: { maxEntries: 10 } });
    await hitApp.mw.ready();
    const get = vi.spyOn(VerifiedTokenCache.prototype, 'get').mockImplementation(() =>
      deepFreeze({
        header: decodeProtectedHeader(token),
        claims: decodeJwt(token),
        scopes: scopesOf(decodeJwt(token)),
      }),
    );
    const before = signatureChecks();
    const viaHit = await outcome(hitApp.app, token);
    expect(get).toHaveBeenCalledTimes(1);
    expect(signatureChecks()).toBe(before);
    get.mockRestore();

    expect(viaFull).toEqual(want);
    expect(viaKey).toEqual(want);
    expect(viaHit).toEqual(want);
    // The full path really went through the resolver (a fetch), unless our header check refused first.
    expect(fetched).toBe(entry.header !== undefined && entry.status === 401 ? 0 : 1);
  });
});
