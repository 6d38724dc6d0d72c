// authOptionsFromConfig: the one mapping from configuration to jwtAuth options, and how secureBaseline completes it.
import { createHash, randomUUID } from 'node:crypto';
import request from 'supertest';
import { SignJWT, calculateJwkThumbprint, exportJWK, generateKeyPair } from 'jose';
import { beforeAll, describe, expect, it } from 'vitest';
import { buildApp, expressFlavours } from '../../../test-support/express.js';
import { createLogger } from '@portcullis/logging';
import { authOptionsFromConfig, secureBaseline } from '@portcullis/baseline';
import { AUDIENCE, ISSUER, makeKeys, testConfig, type Keys } from './helpers.js';

let keys: Keys;
beforeAll(async () => {
  keys = await makeKeys();
});

describe('authOptionsFromConfig', () => {
  it('maps every authentication variable of the configuration', () => {
    const config = testConfig({
      JWKS_URI: 'https://issuer.test/jwks.json',
      ACCESS_TOKEN_MAX_TTL_SEC: '600',
      JWT_VERIFIED_TOKEN_CACHE_MAX_ENTRIES: '50',
      JWT_VERIFIED_TOKEN_CACHE_MAX_AGE_SEC: '30',
    });
    expect(authOptionsFromConfig(config)).toEqual({
      issuer: ISSUER,
      audience: AUDIENCE,
      algorithms: ['ES256'],
      jwksUri: 'https://issuer.test/jwks.json',
      maxTokenLifetimeSec: 600,
      verifiedTokenCache: { maxEntries: 50, maxAgeSec: 30 },
    });
  });

  it('takes JWT_SECRET as the key source for HS algorithms and leaves the cache off by default', () => {
    const secret = 'k'.repeat(48);
    const options = authOptionsFromConfig(testConfig({ JWT_ALGORITHMS: 'HS256', JWT_SECRET: secret }));
    expect(options).toMatchObject({ algorithms: ['HS256'], secret, maxTokenLifetimeSec: 900 });
    expect(options).not.toHaveProperty('verifiedTokenCache');
    expect(options).not.toHaveProperty('jwksUri');
  });

  it('maps JWT_DPOP and PUBLIC_ORIGIN to dpop, and leaves dpop out while JWT_DPOP is off', () => {
    const on = authOptionsFromConfig(testConfig({ JWT_DPOP: 'required', PUBLIC_ORIGIN: 'https://API.test:443' }));
    expect(on.dpop).toEqual({ mode: 'required', publicOrigin: 'https://api.test' });
    expect(authOptionsFromConfig(testConfig())).not.toHaveProperty('dpop');
    expect(
      authOptionsFromConfig(testConfig({ JWT_DPOP: 'off', PUBLIC_ORIGIN: 'https://api.test' })),
    ).not.toHaveProperty('dpop');
  });

  it.each([
    ['JWT_ISSUER', { JWT_ISSUER: '' }],
    ['JWT_AUDIENCE', { JWT_AUDIENCE: '' }],
    ['JWT_ALGORITHMS', { JWT_ALGORITHMS: '' }],
  ])('throws naming %s when it is not set', (variable, env) => {
    expect(() => authOptionsFromConfig(testConfig(env))).toThrow(new RegExp(variable));
  });
});

describe.each(expressFlavours)('secureBaseline completes the auth options from the config on $name', (flavour) => {
  it('a key source passed in auth replaces JWKS_URI from the config (jwtAuth takes exactly one)', async () => {
    const baseline = secureBaseline({
      config: testConfig({ JWKS_URI: 'https://issuer.test/jwks.json' }),
      auth: { jwks: keys.jwks },
      logger: createLogger({ level: 'silent' }),
    });
    const app = buildApp(flavour, (a) => {
      baseline.install(a);
      a.get('/me', (req, res) => res.json({ subject: req.auth?.subject }));
      a.use(baseline.after);
    });
    const res = await request(app)
      .get('/me')
      .set('Authorization', `Bearer ${await keys.token()}`);
    expect(res.status).toBe(200);
    expect(res.body).toEqual({ subject: 'user-1' });
  });

  it('refuses an issuer the configuration does not name', async () => {
    const baseline = secureBaseline({
      config: testConfig(),
      auth: { jwks: keys.jwks, issuer: 'https://other.test' },
      logger: createLogger({ level: 'silent' }),
    });
    const app = buildApp(flavour, (a) => {
      baseline.install(a);
      a.get('/me', (_req, res) => res.json({}));
      a.use(baseline.after);
    });
    const res = await request(app)
      .get('/me')
      .set('Authorization', `Bearer ${await keys.token()}`);
    expect(res.status).toBe(401);
    expect(res.body.code).toBe('invalid_token');
  });

  it('JWT_DPOP=required: refuses a bearer token, accepts a DPoP-bound token with its proof, and a replay store passed in auth.dpop is used', async () => {
    const client = await generateKeyPair('ES256', { extractable: true });
    const clientJwk = await exportJWK(client.publicKey);
    const jkt = await calculateJwkThumbprint(clientJwk);
    const seen: string[] = [];
    const baseline = secureBaseline({
      config: testConfig({ JWT_DPOP: 'required', PUBLIC_ORIGIN: 'https://api.test' }),
      auth: { jwks: keys.jwks, dpop: { replay: { seen: (jti) => Promise.resolve(seen.push(jti) > 1) } } },
      logger: createLogger({ level: 'silent' }),
    });
    const app = buildApp(flavour, (a) => {
      baseline.install(a);
      a.get('/me', (req, res) => res.json({ subject: req.auth?.subject, scheme: req.auth?.scheme }));
      a.use(baseline.after);
    });
    const bearer = await request(app)
      .get('/me')
      .set('Authorization', `Bearer ${await keys.token()}`);
    expect(bearer.status).toBe(401);
    expect(bearer.body.code).toBe('invalid_token');
    const token = await keys.token({ cnf: { jkt } });
    const proof = await new SignJWT({
      htm: 'GET',
      htu: 'https://api.test/me',
      ath: createHash('sha256').update(token).digest('base64url'),
    })
      .setProtectedHeader({ alg: 'ES256', typ: 'dpop+jwt', jwk: clientJwk })
      .setJti(randomUUID())
      .setIssuedAt()
      .sign(client.privateKey);
    const res = await request(app).get('/me').set('Authorization', `DPoP ${token}`).set('DPoP', proof);
    expect(res.status).toBe(200);
    expect(res.body).toEqual({ subject: 'user-1', scheme: 'DPoP' });
    expect(seen).toHaveLength(1);
  });

  it('throws at creation when neither the config nor auth names an issuer', () => {
    expect(() =>
      secureBaseline({
        config: testConfig({ JWT_ISSUER: '' }),
        auth: { jwks: keys.jwks },
        logger: createLogger({ level: 'silent' }),
      }),
    ).toThrow(/JWT_ISSUER/);
  });
});
