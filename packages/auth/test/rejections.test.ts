// The rejection corpus of issue 6: every token here must get 401, never reach the handler, never cause a fetch.
import { createPublicKey } from 'node:crypto';
import { describe, it, expect, beforeAll, afterAll } from 'vitest';
import request from 'supertest';
import { EncryptJWT } from 'jose';
import { errorHandler } from '@portcullis/errors';
import { jwtAuth, type JwtAuthOptions } from '@portcullis/auth';
import { expressFlavours, buildApp, type ExpressFlavour } from '../../../test-support/express.js';
import {
  AUDIENCE,
  HMAC_SECRET,
  ISSUER,
  b64,
  claims,
  hsJwt,
  jwt,
  keys,
  now,
  rawToken,
  startJwksServer,
  type JwksServer,
} from './helpers.js';

type App = 'asym' | 'hmac' | 'compat';
interface Case {
  name: string;
  app: App;
  token: () => Promise<string> | string;
  code?: string;
}

const goodHeader = (alg: string, kid: string, extra: Record<string, unknown> = {}): string =>
  JSON.stringify({ alg, typ: 'at+jwt', kid, ...extra });
const goodPayload = (extra: Record<string, unknown> = {}): string => JSON.stringify(claims(extra));
const rsaSpki = keys.rsa.publicKey.export({ type: 'spki', format: 'pem' }) as string;
const rsaPkcs1 = keys.rsa.publicKey.export({ type: 'pkcs1', format: 'pem' }) as string;
const ecSpki = keys.ec.publicKey.export({ type: 'spki', format: 'pem' }) as string;
const rsaJwkJson = JSON.stringify(keys.rsa.jwk);
const ecJwkJson = JSON.stringify(keys.ec.jwk);
const hsWith = (secret: string, kid: string): string =>
  rawToken(JSON.stringify({ alg: 'HS256', typ: 'at+jwt', kid }), goodPayload(), { hmac: secret });
const noneToken = (alg: string, sig: string): string =>
  `${b64(JSON.stringify({ alg, typ: 'at+jwt' }))}.${b64(goodPayload())}.${sig}`;

const cases: Case[] = [
  // alg none, any casing, with and without a signature
  ...['none', 'None', 'NONE', 'nOnE'].flatMap((alg): Case[] => [
    { name: `rejects alg ${alg} without a signature`, app: 'asym', token: () => noneToken(alg, '') },
    { name: `rejects alg ${alg} with a signature`, app: 'asym', token: () => noneToken(alg, b64('sig')) },
  ]),
  { name: 'rejects alg none against an HMAC config', app: 'hmac', token: () => noneToken('none', '') },
  // HS256 signed with the public key (algorithm confusion), every encoding
  {
    name: 'rejects HS256 signed with the RSA public key as SPKI PEM',
    app: 'asym',
    token: () => hsWith(rsaSpki, 'rsa-1'),
  },
  {
    name: 'rejects HS256 signed with the RSA public key as PKCS#1 PEM',
    app: 'asym',
    token: () => hsWith(rsaPkcs1, 'rsa-1'),
  },
  {
    name: 'rejects HS256 signed with the RSA public key as JWK JSON',
    app: 'asym',
    token: () => hsWith(rsaJwkJson, 'rsa-1'),
  },
  {
    name: 'rejects HS256 signed with the RSA PEM with leading whitespace',
    app: 'asym',
    token: () => hsWith(`\n  ${rsaSpki}`, 'rsa-1'),
  },
  {
    name: 'rejects HS256 signed with the RSA PEM without trailing newline',
    app: 'asym',
    token: () => hsWith(rsaSpki.trim(), 'rsa-1'),
  },
  { name: 'rejects HS256 signed with the EC public key as SPKI PEM', app: 'asym', token: () => hsWith(ecSpki, 'ec-1') },
  {
    name: 'rejects HS256 signed with the EC public key as JWK JSON',
    app: 'asym',
    token: () => hsWith(ecJwkJson, 'ec-1'),
  },
  {
    name: 'rejects HS256 signed with the public key without kid',
    app: 'asym',
    token: () => rawToken(JSON.stringify({ alg: 'HS256', typ: 'at+jwt' }), goodPayload(), { hmac: rsaSpki }),
  },
  // keys the token chooses
  { name: 'rejects an unknown kid', app: 'asym', token: () => jwt(keys.attacker) },
  {
    name: 'rejects a kid carrying a path',
    app: 'asym',
    token: () => jwt(keys.attacker, claims(), { kid: '../../../../dev/null' }),
  },
  {
    name: 'rejects a kid carrying SQL',
    app: 'asym',
    token: () => jwt(keys.attacker, claims(), { kid: "x' UNION SELECT 'secret' --" }),
  },
  {
    name: 'rejects a numeric kid',
    app: 'asym',
    token: () => rawToken(goodHeader('RS256', 'x', { kid: 1 }), goodPayload(), keys.rsa),
  },
  {
    name: 'rejects a jku header',
    app: 'asym',
    token: () => jwt(keys.attacker, claims(), { jku: 'https://evil.example/jwks.json' }),
  },
  {
    name: 'rejects a jku header even with a known kid',
    app: 'asym',
    token: () => jwt(keys.rsa, claims(), { jku: 'https://evil.example/jwks.json' }),
  },
  {
    name: 'rejects an x5u header',
    app: 'asym',
    token: () => jwt(keys.attacker, claims(), { x5u: 'https://evil.example/cert.pem' }),
  },
  {
    name: 'rejects an embedded jwk header',
    app: 'asym',
    token: () => jwt(keys.attacker, claims(), { jwk: keys.attacker.jwk }),
  },
  { name: 'rejects an x5c header', app: 'asym', token: () => jwt(keys.rsa, claims(), { x5c: ['MIIB'] }) },
  {
    name: 'rejects crit with an unknown extension',
    app: 'asym',
    token: () => rawToken(goodHeader('RS256', 'rsa-1', { crit: ['urn:evil'], 'urn:evil': 1 }), goodPayload(), keys.rsa),
  },
  {
    name: 'rejects crit listing exp',
    app: 'asym',
    token: () => rawToken(goodHeader('RS256', 'rsa-1', { crit: ['exp'], exp: 1 }), goodPayload(), keys.rsa),
  },
  {
    name: 'rejects b64:false',
    app: 'asym',
    token: () => rawToken(goodHeader('RS256', 'rsa-1', { crit: ['b64'], b64: false }), goodPayload(), keys.rsa),
  },
  {
    name: 'rejects b64:false without crit',
    app: 'asym',
    token: () => rawToken(goodHeader('RS256', 'rsa-1', { b64: false }), goodPayload(), keys.rsa),
  },
  { name: 'rejects a nested JWT (cty)', app: 'asym', token: () => jwt(keys.rsa, claims(), { cty: 'JWT' }) },
  // time
  {
    name: 'rejects an expired token',
    app: 'asym',
    token: () => jwt(keys.rsa, claims({ iat: now() - 1200, exp: now() - 600 })),
    code: 'token_expired',
  },
  {
    name: 'rejects an expired HS256 token',
    app: 'hmac',
    token: () => hsJwt(claims({ iat: now() - 1200, exp: now() - 600 })),
    code: 'token_expired',
  },
  {
    name: 'rejects nbf in the future',
    app: 'asym',
    token: () => jwt(keys.ec, claims({ nbf: now() + 600 })),
    code: 'token_not_yet_valid',
  },
  {
    name: 'rejects iat in the future beyond tolerance',
    app: 'asym',
    token: () => jwt(keys.ec, claims({ iat: now() + 600, exp: now() + 1200 })),
  },
  { name: 'rejects a missing exp', app: 'asym', token: () => jwt(keys.rsa, claims({ exp: undefined })) },
  {
    name: 'rejects a missing exp in compat mode',
    app: 'compat',
    token: () => jwt(keys.rsa, claims({ exp: undefined }), { typ: 'JWT' }),
  },
  { name: 'rejects exp as a string', app: 'asym', token: () => jwt(keys.rsa, claims({ exp: String(now() + 600) })) },
  {
    name: 'rejects exp 1e400',
    app: 'asym',
    token: () =>
      rawToken(goodHeader('RS256', 'rsa-1'), goodPayload({ exp: 12345 }).replace('12345', '1e400'), keys.rsa),
  },
  {
    name: 'rejects exp 1e400 in compat mode without iat',
    app: 'compat',
    token: () =>
      rawToken(
        goodHeader('RS256', 'rsa-1'),
        goodPayload({ exp: 12345, iat: undefined }).replace('12345', '1e400'),
        keys.rsa,
      ),
  },
  {
    name: 'rejects a lifetime over the cap',
    app: 'asym',
    token: () => jwt(keys.rsa, claims({ exp: now() + 3 * 86400 })),
  },
  {
    name: 'rejects a lifetime over the cap without iat (compat)',
    app: 'compat',
    token: () => jwt(keys.rsa, claims({ iat: undefined, exp: now() + 3 * 86400 })),
  },
  // issuer and audience
  { name: 'rejects a wrong issuer', app: 'asym', token: () => jwt(keys.rsa, claims({ iss: 'https://evil.example' })) },
  {
    name: 'rejects an issuer with a trailing slash',
    app: 'asym',
    token: () => jwt(keys.rsa, claims({ iss: `${ISSUER}/` })),
  },
  {
    name: 'rejects an issuer with an upper-case host',
    app: 'asym',
    token: () => jwt(keys.rsa, claims({ iss: 'https://ISSUER.example' })),
  },
  { name: 'rejects an issuer as an array', app: 'asym', token: () => jwt(keys.rsa, claims({ iss: [ISSUER] })) },
  { name: 'rejects a missing issuer', app: 'asym', token: () => jwt(keys.rsa, claims({ iss: undefined })) },
  {
    name: 'rejects a wrong audience',
    app: 'asym',
    token: () => jwt(keys.rsa, claims({ aud: 'https://other.example' })),
  },
  { name: 'rejects an empty audience array', app: 'asym', token: () => jwt(keys.rsa, claims({ aud: [] })) },
  { name: 'rejects a missing audience', app: 'asym', token: () => jwt(keys.rsa, claims({ aud: undefined })) },
  {
    name: 'rejects a wrong audience on HS256',
    app: 'hmac',
    token: () => hsJwt(claims({ aud: 'https://other.example' })),
  },
  // signatures and structure
  {
    name: 'rejects a stripped signature',
    app: 'asym',
    token: async () => (await jwt(keys.rsa)).replace(/\.[^.]+$/, '.'),
  },
  {
    name: 'rejects a swapped signature',
    app: 'asym',
    token: async () => {
      const a = (await jwt(keys.rsa, claims({ sub: 'admin' }))).split('.');
      const b = (await jwt(keys.rsa)).split('.');
      return `${a[0]}.${a[1]}.${b[2]}`;
    },
  },
  {
    name: 'rejects a DER-encoded ES256 signature',
    app: 'asym',
    token: () => rawToken(goodHeader('ES256', 'ec-1'), goodPayload(), keys.ec, 'der'),
  },
  {
    name: 'rejects ECDSA r=s=0 (psychic signature)',
    app: 'asym',
    token: () => `${b64(goodHeader('ES256', 'ec-1'))}.${b64(goodPayload())}.${Buffer.alloc(64).toString('base64url')}`,
  },
  {
    name: 'rejects a signature by another key under a known kid',
    app: 'asym',
    token: () => jwt({ ...keys.attacker, kid: 'rsa-1' }),
  },
  {
    name: 'rejects an alg swap RS256→PS256 with the same key',
    app: 'asym',
    token: () => jwt({ ...keys.rsa, alg: 'PS256' as 'RS256' }),
  },
  { name: 'rejects an extra segment', app: 'asym', token: async () => `${await jwt(keys.rsa)}.e30` },
  {
    name: 'rejects a missing segment',
    app: 'asym',
    token: async () => (await jwt(keys.rsa)).split('.').slice(0, 2).join('.'),
  },
  {
    name: 'rejects a token over maxTokenBytes',
    app: 'asym',
    token: () => jwt(keys.rsa, claims({ pad: 'x'.repeat(9000) })),
  },
  {
    name: 'rejects a JWE (5 segments)',
    app: 'hmac',
    token: () =>
      new EncryptJWT(claims())
        .setProtectedHeader({ alg: 'dir', enc: 'A256GCM', typ: 'at+jwt' })
        .encrypt(Buffer.alloc(32, 1)),
  },
  {
    name: 'rejects a header that is not JSON',
    app: 'asym',
    token: () => `${b64('{not json')}.${b64(goodPayload())}.${b64('x')}`,
  },
  {
    name: 'rejects a payload that is not an object',
    app: 'asym',
    token: () => rawToken(goodHeader('RS256', 'rsa-1'), '"a string"', keys.rsa),
  },
  { name: 'rejects HS256 with a wrong secret', app: 'hmac', token: () => hsJwt(claims(), {}, 'x'.repeat(40)) },
  {
    name: 'rejects HS512 when only HS256 is allowed',
    app: 'hmac',
    token: () => rawToken(JSON.stringify({ alg: 'HS512', typ: 'at+jwt' }), goodPayload(), { hmac: HMAC_SECRET }),
  },
  { name: 'rejects RS256 against an HMAC config', app: 'hmac', token: () => jwt(keys.rsa) },
  // token types
  { name: 'rejects typ JWT in rfc9068 mode', app: 'asym', token: () => jwt(keys.rsa, claims(), { typ: 'JWT' }) },
  {
    name: 'rejects a missing typ in rfc9068 mode',
    app: 'asym',
    token: () => rawToken(JSON.stringify({ alg: 'RS256', kid: 'rsa-1' }), goodPayload(), keys.rsa),
  },
  {
    name: 'rejects an ID token (nonce) in rfc9068 mode',
    app: 'asym',
    token: () => jwt(keys.rsa, claims({ nonce: 'n' })),
  },
  {
    name: 'rejects a missing sub in rfc9068 mode',
    app: 'asym',
    token: () => jwt(keys.rsa, claims({ sub: undefined })),
  },
  {
    name: 'rejects a missing iat in rfc9068 mode',
    app: 'asym',
    token: () => jwt(keys.rsa, claims({ iat: undefined })),
  },
  ...['nonce', 'at_hash', 'c_hash'].map((c): Case => ({
    name: `rejects an ID token (${c}) in compat mode`,
    app: 'compat',
    token: () => jwt(keys.rsa, claims({ [c]: 'x' }), { typ: 'JWT' }),
  })),
  ...['dpop+jwt', 'logout+jwt', 'id_token', 'application/secevent+jwt'].map((typ): Case => ({
    name: `rejects typ ${typ} in compat mode`,
    app: 'compat',
    token: () => jwt(keys.rsa, claims(), { typ }),
  })),
  {
    name: 'rejects a non-string sub in compat mode',
    app: 'compat',
    token: () => jwt(keys.rsa, claims({ sub: 42 }), { typ: 'JWT' }),
  },
];

// Each rejection must happen for the intended reason (read from the debug log), not by accident.
const WHY: readonly (readonly [RegExp, RegExp])[] = [
  [
    /alg n[oO]n[eE]|alg NONE|HS256 signed with|HS512 when|RS256 against|RS256→PS256/i,
    /"alg" \(Algorithm\) Header Parameter value not allowed/,
  ],
  [/unknown kid|kid carrying/, /no applicable key/],
  [
    /jku|x5u|embedded jwk|x5c|b64:false without|nested JWT/,
    /header parameter "(jku|x5u|jwk|x5c|b64|cty)" is not accepted/,
  ],
  [/crit with an unknown|crit listing|b64:false$/, /Extension Header Parameter|header parameter "crit"/],
  [/expired/, /"exp" claim timestamp check failed/],
  [/nbf in the future/, /"nbf" claim timestamp/],
  [/iat in the future/, /"iat" is in the future/],
  [/missing exp/, /missing required "exp"/],
  [/exp as a string/, /"exp" claim must be a number/],
  [/exp 1e400/, /finite/],
  [/lifetime over the cap/, /lifetime exceeds/],
  [/issuer/, /"iss" claim/],
  [/audience/, /"aud" claim/],
  [/stripped|swapped|DER-encoded|r=s=0|another key|wrong secret/, /signature verification failed/],
  [/segment|JWE/, /Invalid Compact JWS/],
  [/over maxTokenBytes/, /too large/],
  [/typ /, /"typ" header/],
  [/ID token/, /marks an ID token/],
];

describe.each(expressFlavours)(
  'rejection corpus on $name [ASVS V9.1.1, V9.1.2, V9.1.3, V9.2.1, V9.2.2, V9.2.3, V10.3.1]',
  (flavour: ExpressFlavour) => {
    let server: JwksServer;
    let handlerRuns = 0;
    let lastReason = '';
    let hitsAfterWarmup = 0;
    const apps: Partial<Record<App, ReturnType<typeof buildApp>>> = {};

    const mount = (opts: JwtAuthOptions): { app: ReturnType<typeof buildApp>; ready: () => Promise<void> } => {
      const mw = jwtAuth(opts);
      const app = buildApp(flavour, (a) => {
        a.use((req, _res, next) => {
          (req as unknown as { log: object }).log = {
            debug: (obj: { reason?: string }) => {
              lastReason = obj.reason ?? '';
            },
          };
          next();
        });
        a.get('/r', mw, (req, res) => {
          handlerRuns++;
          res.json({ sub: req.auth?.subject ?? null });
        });
        a.use(errorHandler());
      });
      return { app, ready: () => mw.ready() };
    };

    beforeAll(async () => {
      server = await startJwksServer([keys.rsa.jwk, keys.ec.jwk, keys.ed.jwk]);
      const base = {
        issuer: ISSUER,
        audience: AUDIENCE,
        jwksUri: server.url,
        dangerouslyAllowHttpJwks: true,
        cooldownMs: 60_000,
      } as const;
      const asym = mount({ ...base, algorithms: ['RS256', 'ES256', 'EdDSA'] });
      const compat = mount({ ...base, algorithms: ['RS256', 'ES256', 'EdDSA'], profile: 'compat' });
      const hmac = mount({ issuer: ISSUER, audience: AUDIENCE, algorithms: ['HS256'], secret: HMAC_SECRET });
      await Promise.all([asym.ready(), compat.ready(), hmac.ready()]);
      apps.asym = asym.app;
      apps.compat = compat.app;
      apps.hmac = hmac.app;
      hitsAfterWarmup = server.hits;
    });
    afterAll(async () => {
      await server.close();
    });

    it.each(cases)('$name', async ({ name, app, token, code }) => {
      const before = handlerRuns;
      lastReason = '';
      const res = await request(apps[app]!)
        .get('/r')
        .set('Authorization', `Bearer ${await token()}`);
      expect(res.status).toBe(401);
      expect(res.body.code).toBe(code ?? 'invalid_token');
      expect(res.headers['www-authenticate']).toBe('Bearer realm="api", error="invalid_token"');
      // The body says no more than the code; the reason is only in the log.
      expect(Object.keys(res.body as object).sort()).toEqual(['code', 'status', 'title', 'type']);
      expect(lastReason).not.toBe('');
      for (const [title, why] of WHY) if (title.test(name)) expect(lastReason).toMatch(why);
      if (process.env['SHOW_REASONS'] === '1') process.stdout.write(`REASON ${app} | ${lastReason}\n`);
      expect(handlerRuns).toBe(before);
    });

    it('made no key set request because of token content', () => {
      expect(hitsAfterWarmup).toBe(2);
      expect(server.hits).toBe(hitsAfterWarmup);
    });

    it.each([
      ['RS256', () => jwt(keys.rsa)],
      ['ES256', () => jwt(keys.ec)],
      ['EdDSA', () => jwt(keys.ed)],
      ['typ application/at+jwt', () => jwt(keys.ec, claims(), { typ: 'application/at+jwt' })],
      ['typ AT+JWT (case-insensitive media type)', () => jwt(keys.ec, claims(), { typ: 'AT+JWT' })],
      ['aud as an array containing the audience', () => jwt(keys.ec, claims({ aud: ['x', AUDIENCE] }))],
      ['exp just inside the clock tolerance', () => jwt(keys.ec, claims({ exp: now() - 2 }))],
    ])('accepts a valid %s token', async (_name, token) => {
      const res = await request(apps.asym!)
        .get('/r')
        .set('Authorization', `Bearer ${await token()}`);
      expect(res.status).toBe(200);
      expect(res.body).toEqual({ sub: 'user-1' });
    });

    it('accepts HS256 with the configured secret', async () => {
      const res = await request(apps.hmac!)
        .get('/r')
        .set('Authorization', `Bearer ${await hsJwt()}`);
      expect(res.status).toBe(200);
      expect(res.body).toEqual({ sub: 'user-1' });
    });

    it.each([
      ['typ JWT', { typ: 'JWT' }],
      ['typ at+jwt', {}],
      ['no typ', { typ: undefined }],
    ])('compat mode accepts %s', async (_name, header) => {
      const token = await jwt(keys.rsa, claims(), header);
      const res = await request(apps.compat!).get('/r').set('Authorization', `Bearer ${token}`);
      expect(res.status).toBe(200);
      expect(res.body).toEqual({ sub: 'user-1' });
    });

    it('compat mode accepts a token without sub and iat (subject undefined)', async () => {
      const token = await jwt(keys.rsa, claims({ sub: undefined, iat: undefined }), { typ: 'JWT' });
      const res = await request(apps.compat!).get('/r').set('Authorization', `Bearer ${token}`);
      expect(res.status).toBe(200);
      expect(res.body).toEqual({ sub: null });
    });

    it('rejects a jwk-embedded token even when the embedded key is the right public key', async () => {
      const jwk = { ...createPublicKey(keys.rsa.privateKey).export({ format: 'jwk' }) };
      const res = await request(apps.asym!)
        .get('/r')
        .set('Authorization', `Bearer ${await jwt(keys.rsa, claims(), { jwk })}`);
      expect(res.status).toBe(401);
      expect(res.body.code).toBe('invalid_token');
    });
  },
);
