// Local key set (jwks): keys are selected by jose's rules and remembered per (alg, kid); the answer must be
// the same on the first request and on every later one (the memo must never turn a refusal into an acceptance).
import { describe, it, expect } from 'vitest';
import request from 'supertest';
import { errorHandler } from '@portcullis/errors';
import { jwtAuth, type JwtAuthOptions } from '@portcullis/auth';
import { expressFlavours, buildApp } from '../../../test-support/express.js';
import { AUDIENCE, ISSUER, jwt, keys } from './helpers.js';

const { kid: _kid, ...withoutKid } = keys.ec.jwk;
const twoRsa: JwtAuthOptions = {
  issuer: ISSUER,
  audience: AUDIENCE,
  algorithms: ['RS256', 'ES256'],
  jwks: { keys: [keys.rsa.jwk, keys.rsa2.jwk, keys.ec.jwk] },
};
const oneEc: JwtAuthOptions = {
  issuer: ISSUER,
  audience: AUDIENCE,
  algorithms: ['ES256'],
  jwks: { keys: [withoutKid] },
};

describe.each(expressFlavours)('local key set on $name', (flavour) => {
  const appFor = (options: JwtAuthOptions, warm: boolean) => {
    const mw = jwtAuth(options);
    const app = buildApp(flavour, (a) => {
      a.get('/r', mw, (req, res) => res.json({ sub: req.auth?.subject }));
      a.use(errorHandler());
    });
    return { app, ready: warm ? mw.ready() : Promise.resolve() };
  };

  it.each<[string, JwtAuthOptions, () => Promise<string>, number]>([
    ['accepts the key its kid names', twoRsa, () => jwt(keys.rsa2), 200],
    ['accepts an EC key next to RSA keys', twoRsa, () => jwt(keys.ec), 200],
    ['rejects an unknown kid', twoRsa, () => jwt({ ...keys.rsa, kid: 'nope' }), 401],
    [
      'rejects a signature by another key under a known kid',
      twoRsa,
      () => jwt({ ...keys.rsa, kid: keys.rsa2.kid }),
      401,
    ],
    [
      'rejects a kid-less token when several keys could match',
      twoRsa,
      () => jwt({ ...keys.rsa, kid: undefined as unknown as string }),
      401,
    ],
    [
      'rejects the attacker key under the kid of an EC key',
      twoRsa,
      () => jwt({ ...keys.attacker, kid: keys.ec.kid }),
      401,
    ],
    [
      'accepts a kid-less token against a one-key set',
      oneEc,
      () => jwt({ ...keys.ec, kid: undefined as unknown as string }),
      200,
    ],
    ['rejects a kid on a set whose key has none', oneEc, () => jwt(keys.ec), 401],
  ])('%s, the same way every time', async (_name, options, token, status) => {
    for (const warm of [false, true]) {
      const { app, ready } = appFor(options, warm);
      await ready;
      const t = await token();
      for (let i = 0; i < 3; i++) {
        const res = await request(app).get('/r').set('Authorization', `Bearer ${t}`);
        expect(res.status).toBe(status);
        if (status === 401) expect((res.body as { code: string }).code).toBe('invalid_token');
        else expect(res.body).toEqual({ sub: 'user-1' });
      }
    }
  });
});
