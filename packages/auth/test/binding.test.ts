// Sender-constrained tokens presented without their sender: cnf.jkt as Bearer (RFC 9449 §7.2), cnf["x5t#S256"]
// without the certificate (RFC 8705 §3), and the RFC 9068 §2.2 claims a denylist needs.
import { randomBytes } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import request from 'supertest';
import { errorHandler } from '@portcullis/errors';
import { jwtAuth, type JwtAuthOptions } from '@portcullis/auth';
import { expressFlavours, buildApp, type ExpressFlavour } from '../../../test-support/express.js';
import { certificateThumbprint } from '../src/binding.js';
import { AUDIENCE, ISSUER, claims, jwt, keys } from './helpers.js';

const base: JwtAuthOptions = {
  issuer: ISSUER,
  audience: AUDIENCE,
  algorithms: ['ES256'],
  publicKey: keys.ec.publicKey,
};
const jkt = 'NzbLsXh8uDCcd-6MNwXF4W_7noWXFZAfHkxZsRGC9Xs';
const dpopModes = [
  ['DPoP support off (no dpop option)', undefined],
  ['dpop.mode "off"', { mode: 'off' }],
  ['dpop.mode "allowed"', { mode: 'allowed', publicOrigin: 'https://api.example' }],
  ['dpop.mode "required"', { mode: 'required', publicOrigin: 'https://api.example' }],
] as const;

function appWith(flavour: ExpressFlavour, options: Partial<JwtAuthOptions>) {
  const state = { runs: 0, reason: '' };
  const mw = jwtAuth({ ...base, ...options });
  const app = buildApp(flavour, (a) => {
    a.use((req, _res, next) => {
      (req as unknown as { log: object }).log = {
        debug: (obj: { reason?: string }) => {
          state.reason = obj.reason ?? '';
        },
      };
      next();
    });
    a.get('/r', mw, (req, res) => {
      state.runs++;
      res.json({ sub: req.auth?.subject ?? null, scheme: req.auth?.scheme ?? null });
    });
    a.use(errorHandler());
  });
  return { app, state };
}

describe.each(expressFlavours)('bound tokens on $name [ASVS V10.3.5, V12.1.3]', (flavour) => {
  it.each(dpopModes)('refuses a DPoP-bound token presented as Bearer with %s', async (_name, dpop) => {
    const { app, state } = appWith(flavour, dpop === undefined ? {} : { dpop });
    const token = await jwt(keys.ec, claims({ cnf: { jkt } }));
    const res = await request(app).get('/r').set('Authorization', `Bearer ${token}`);
    expect(res.status).toBe(401);
    expect(res.body.code).toBe('invalid_token');
    expect(res.headers['www-authenticate']).toMatch(/error="invalid_token"/);
    expect(state.reason).toMatch(/cnf\.jkt|bearer tokens are refused/);
    expect(state.runs).toBe(0);
  });

  it.each(dpopModes.slice(0, 3))(
    'still accepts an unbound bearer token with %s (the refusal above is for cnf)',
    async (_n, dpop) => {
      const { app } = appWith(flavour, dpop === undefined ? {} : { dpop });
      const res = await request(app)
        .get('/r')
        .set('Authorization', `Bearer ${await jwt(keys.ec)}`);
      expect(res.status).toBe(200);
      expect(res.body).toEqual({ sub: 'user-1', scheme: 'Bearer' });
    },
  );

  const der = randomBytes(512);
  const x5t = certificateThumbprint(der);
  it.each<[string, Partial<JwtAuthOptions>, string, number]>([
    ['refuses a certificate-bound token when no mtls is configured', {}, x5t, 401],
    [
      'refuses a certificate-bound token presented without a client certificate',
      { mtls: { certificate: () => undefined } },
      x5t,
      401,
    ],
    [
      'refuses a certificate-bound token presented with another certificate',
      { mtls: { certificate: () => randomBytes(512) } },
      x5t,
      401,
    ],
    [
      'refuses a certificate-bound token when the certificate source throws',
      {
        mtls: {
          certificate: () => {
            throw new Error('no socket');
          },
        },
      },
      x5t,
      401,
    ],
    [
      'accepts a certificate-bound token presented with its certificate',
      { mtls: { certificate: () => der } },
      x5t,
      200,
    ],
  ])('%s', async (_name, options, thumbprint, status) => {
    const { app, state } = appWith(flavour, options);
    const token = await jwt(keys.ec, claims({ cnf: { 'x5t#S256': thumbprint } }));
    const res = await request(app).get('/r').set('Authorization', `Bearer ${token}`);
    expect(res.status).toBe(status);
    if (status === 401) {
      expect(res.body.code).toBe('invalid_token');
      expect(state.runs).toBe(0);
    } else expect(res.body).toEqual({ sub: 'user-1', scheme: 'Bearer' });
  });

  it.each<[string, Record<string, unknown>]>([
    ['refuses a token without client_id (RFC 9068 §2.2)', { client_id: undefined }],
    ['refuses a token without jti (RFC 9068 §2.2; a denylist needs it)', { jti: undefined }],
    ['refuses a numeric client_id', { client_id: 12 }],
    ['refuses an array jti', { jti: ['a'] }],
    ['refuses a jti longer than 256 characters', { jti: 'x'.repeat(257) }],
  ])('%s', async (_name, extra) => {
    const { app, state } = appWith(flavour, {});
    const res = await request(app)
      .get('/r')
      .set('Authorization', `Bearer ${await jwt(keys.ec, claims(extra))}`);
    expect(res.status).toBe(401);
    expect(res.body.code).toBe('invalid_token');
    expect(state.reason).toMatch(/client_id|jti/);
  });

  it.each<[string, Record<string, unknown>]>([
    ['without client_id and jti', { client_id: undefined, jti: undefined }],
    ['with a numeric jti', { jti: 5 }],
  ])('compat mode keeps its leniency: accepts a token %s', async (_name, extra) => {
    const { app } = appWith(flavour, { profile: 'compat' });
    const res = await request(app)
      .get('/r')
      .set('Authorization', `Bearer ${await jwt(keys.ec, claims(extra), { typ: 'JWT' })}`);
    expect(res.status).toBe(200);
  });
});
