// Hand-built request objects (tests, adapters, serverless shims) and the key-at-hand header checks, each case on its own.
import type { IncomingMessage, ServerResponse } from 'node:http';
import { describe, expect, it } from 'vitest';
import request from 'supertest';
import { errorHandler, isHttpError } from '@portcullis/errors';
import { jwtAuth, type JwtAuthOptions } from '@portcullis/auth';
import { expressFlavours, buildApp } from '../../../test-support/express.js';
import { AUDIENCE, ISSUER, claims, jwt, keys, rawToken, startJwksServer } from './helpers.js';

const policy = { issuer: ISSUER, audience: AUDIENCE, algorithms: ['ES256'] } as const;
const base: JwtAuthOptions = {
  ...policy,
  publicKey: keys.ec.publicKey,
};

/** Runs the middleware on a plain object and returns what it passed to next(). */
async function run(options: JwtAuthOptions, req: Record<string, unknown>): Promise<unknown> {
  const mw = jwtAuth(options);
  await mw.ready();
  return new Promise((resolve) => {
    mw(req as unknown as IncomingMessage, {} as ServerResponse, (err?: unknown) => {
      resolve(err);
    });
  });
}

describe('a hand-built request gets 401/400, never a TypeError', () => {
  it.each<[string, () => Promise<Record<string, unknown>>, number, string]>([
    [
      'no rawHeaders',
      async () => ({ headers: { authorization: `Bearer ${await jwt(keys.ec)}` } }),
      400,
      'invalid_request',
    ],
    [
      'rawHeaders that is not an array',
      async () => ({ headers: { authorization: `Bearer ${await jwt(keys.ec)}` }, rawHeaders: 'x' }),
      400,
      'invalid_request',
    ],
    [
      'a capitalised Authorization key',
      async () => {
        const value = `Bearer ${await jwt(keys.ec)}`;
        return { headers: { Authorization: value }, rawHeaders: ['Authorization', value] };
      },
      400,
      'invalid_request',
    ],
    ['no headers object at all', () => Promise.resolve({}), 400, 'invalid_request'],
    ['headers: null', () => Promise.resolve({ headers: null, rawHeaders: [] }), 400, 'invalid_request'],
    [
      'an Authorization value that is an array',
      () => Promise.resolve({ headers: { authorization: ['Bearer a', 'Bearer b'] }, rawHeaders: [] }),
      400,
      'invalid_request',
    ],
    ['no Authorization and no url', () => Promise.resolve({ headers: {}, rawHeaders: [] }), 401, 'unauthorized'],
    [
      'a null-prototype header object without Authorization',
      () => Promise.resolve({ headers: Object.create(null) as object, rawHeaders: [] }),
      401,
      'unauthorized',
    ],
  ])('%s', async (_name, build, status, code) => {
    const err = await run(base, await build());
    expect(isHttpError(err)).toBe(true);
    expect((err as { status: number }).status).toBe(status);
    expect((err as { code: string }).code).toBe(code);
  });

  it('accepts a well-formed hand-built request (so the refusals above are for their reason)', async () => {
    const value = `Bearer ${await jwt(keys.ec)}`;
    const req: Record<string, unknown> = {
      headers: { authorization: value },
      rawHeaders: ['Authorization', value],
      url: '/r',
    };
    expect(await run(base, req)).toBeUndefined();
    expect((req['auth'] as { subject: string }).subject).toBe('user-1');
  });
});

// Each test builds its own middleware and warms its key, so no test relies on another having run first;
// describe.shuffle runs them in a random order to prove it.
const FORBIDDEN: readonly [string, Record<string, unknown>][] = [
  ['jku', { jku: 'https://evil.example/jwks.json' }],
  ['jwk', { jwk: keys.ec.jwk }],
  ['x5u', { x5u: 'https://evil.example/cert.pem' }],
  ['x5c', { x5c: ['MIIB'] }],
  ['crit', { crit: ['exp'], exp: 1 }],
  ['b64', { b64: false }],
];

describe.each(expressFlavours)('header checks with the key at hand on $name', (flavour) => {
  describe.shuffle.each<[string, 'publicKey' | 'jwks' | 'jwksUri']>([
    ['a public key', 'publicKey'],
    ['a local key set', 'jwks'],
    ['a remote key set', 'jwksUri'],
  ])('with %s', (_label, source) => {
    it.each(FORBIDDEN)('refuses a token carrying "%s" even though its key is at hand', async (name, extra) => {
      const server = source === 'jwksUri' ? await startJwksServer([keys.ec.jwk]) : undefined;
      try {
        const options: JwtAuthOptions =
          source === 'publicKey'
            ? base
            : source === 'jwks'
              ? { ...policy, jwks: { keys: [keys.ec.jwk] } }
              : { ...policy, jwksUri: server!.url, dangerouslyAllowHttpJwks: true };
        const mw = jwtAuth(options);
        await mw.ready();
        let reason = '';
        let runs = 0;
        const app = buildApp(flavour, (a) => {
          a.use((req, _res, next) => {
            (req as unknown as { log: object }).log = {
              debug: (obj: { reason?: string }) => {
                reason = obj.reason ?? '';
              },
            };
            next();
          });
          a.get('/r', mw, (_req, res) => {
            runs++;
            res.json({});
          });
          a.use(errorHandler());
        });
        // The key is at hand: a clean token signed by it is accepted first.
        const good = await request(app)
          .get('/r')
          .set('Authorization', `Bearer ${await jwt(keys.ec)}`);
        expect(good.status).toBe(200);
        const token = rawToken(
          JSON.stringify({ alg: 'ES256', typ: 'at+jwt', kid: 'ec-1', ...extra }),
          JSON.stringify(claims()),
          keys.ec,
        );
        const res = await request(app).get('/r').set('Authorization', `Bearer ${token}`);
        expect(res.status).toBe(401);
        expect(res.body.code).toBe('invalid_token');
        expect(reason).toBe(`header parameter "${name}" is not accepted`);
        expect(runs).toBe(1);
      } finally {
        await server?.close();
      }
    });
  });
});
