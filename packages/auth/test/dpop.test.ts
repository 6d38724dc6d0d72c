// DPoP (RFC 9449) at the resource server: every proof check is a test named after the attack it stops.
import { randomUUID } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import request from 'supertest';
import { SignJWT, type JWK } from 'jose';
import { errorHandler } from '@portcullis/errors';
import {
  jwtAuth,
  memoryReplayStore,
  requireScopes,
  type DpopOptions,
  type DpopReplayStore,
  type JwtAuthOptions,
} from '@portcullis/auth';
import { expressFlavours, buildApp, type ExpressFlavour } from '../../../test-support/express.js';
import { accessTokenHash, normaliseHtu } from '../src/dpop.js';
import { AUDIENCE, HMAC_SECRET, ISSUER, jwt, keys, now } from './helpers.js';
import { ORIGIN, boundToken, makeClient, proof, rawProof, type Client } from './dpop-helpers.js';

const base = { issuer: ISSUER, audience: AUDIENCE, algorithms: ['ES256'], publicKey: keys.ec.publicKey } as const;
const dpopOn: DpopOptions = { mode: 'allowed', publicOrigin: ORIGIN };

function appWith(flavour: ExpressFlavour, dpop: Partial<DpopOptions> = {}, extra: Partial<JwtAuthOptions> = {}) {
  const state = { runs: 0, reason: '', scheme: '' };
  const mw = jwtAuth({ ...base, ...extra, dpop: { ...dpopOn, ...dpop } });
  const app = buildApp(flavour, (a) => {
    a.use((req, _res, next) => {
      (req as unknown as { log: object }).log = {
        debug: (obj: { reason?: string }) => {
          state.reason = obj.reason ?? '';
        },
        warn: (obj: { reason?: string }) => {
          state.reason = obj.reason ?? '';
        },
      };
      next();
    });
    const handler = (req: import('express').Request, res: import('express').Response) => {
      state.runs++;
      state.scheme = req.auth?.scheme ?? '';
      res.json({ sub: req.auth?.subject ?? null, scheme: req.auth?.scheme ?? null });
    };
    a.all('/r', mw, handler);
    const router = flavour.create();
    router.get('/r', mw, handler);
    a.use('/api', router);
    a.use(errorHandler());
  });
  return { app, state };
}

interface Sent {
  readonly token: string;
  readonly proofs: readonly string[];
  readonly method?: 'GET' | 'POST';
  readonly path?: string;
  readonly host?: string;
  readonly scheme?: string;
}

function send(app: ReturnType<typeof appWith>['app'], s: Sent) {
  const method = s.method ?? 'GET';
  let req = (method === 'GET' ? request(app).get(s.path ?? '/r') : request(app).post(s.path ?? '/r')).set(
    'Authorization',
    `${s.scheme ?? 'DPoP'} ${s.token}`,
  );
  if (s.proofs.length === 1) req = req.set('DPoP', s.proofs[0] as string);
  // An array sends one header line per value (Node's setHeader), which is what the attack needs.
  else if (s.proofs.length > 1) req = req.set('DPoP', [...s.proofs] as unknown as string);
  if (s.host !== undefined) req = req.set('Host', s.host);
  return req;
}

type Attack = (client: Client) => Promise<Sent & { why: RegExp; code?: string }>;

const attacks: [string, Attack][] = [
  [
    'refuses a DPoP request without a DPoP proof header',
    async (c) => ({ token: await boundToken(c), proofs: [], why: /exactly one DPoP header/ }),
  ],
  [
    'refuses two DPoP proof headers',
    async (c) => {
      const token = await boundToken(c);
      return { token, proofs: [await proof(c, { token }), await proof(c, { token })], why: /exactly one DPoP header/ };
    },
  ],
  [
    'refuses a proof that is not a compact JWS',
    async (c) => ({ token: await boundToken(c), proofs: ['not-a-jws'], why: /not a compact JWS/ }),
  ],
  [
    'refuses a proof without typ dpop+jwt (an access token replayed as a proof)',
    async (c) => {
      const token = await boundToken(c);
      return { token, proofs: [await proof(c, { token, header: { typ: 'at+jwt' } })], why: /"typ" is not dpop\+jwt/ };
    },
  ],
  [
    'refuses an unsigned proof (alg none)',
    async (c) => {
      const token = await boundToken(c);
      const valid = await proof(c, { token });
      const [, payload] = valid.split('.');
      const header = Buffer.from(JSON.stringify({ alg: 'none', typ: 'dpop+jwt', jwk: c.jwk })).toString('base64url');
      return {
        token,
        proofs: [`${header}.${payload}.${Buffer.from('x').toString('base64url')}`],
        why: /"alg" is not in the allowlist/,
      };
    },
  ],
  [
    'refuses an HMAC proof (HS256 with the public key as secret)',
    async (c) => {
      const token = await boundToken(c);
      const p = await new SignJWT({
        jti: randomUUID(),
        htm: 'GET',
        htu: `${ORIGIN}/r`,
        iat: now(),
        ath: accessTokenHash(token),
      })
        .setProtectedHeader({ alg: 'HS256', typ: 'dpop+jwt', jwk: c.jwk })
        .sign(Buffer.from(HMAC_SECRET));
      return { token, proofs: [p], why: /"alg" is not in the allowlist/ };
    },
  ],
  [
    'refuses a proof algorithm outside dpop.algorithms (RS256)',
    async (c) => {
      const token = await boundToken(c);
      const p = rawProof(
        { alg: 'RS256', typ: 'dpop+jwt', jwk: keys.rsa.jwk },
        { jti: randomUUID(), htm: 'GET', htu: `${ORIGIN}/r`, iat: now(), ath: accessTokenHash(token) },
        keys.rsa,
      );
      return { token, proofs: [p], why: /"alg" is not in the allowlist/ };
    },
  ],
  [
    'refuses a proof whose jwk carries the private key',
    async (c) => {
      const token = await boundToken(c);
      const privateJwk = c.privateKey.export({ format: 'jwk' }) as JWK;
      return { token, proofs: [await proof(c, { token, header: { jwk: privateJwk } })], why: /private key material/ };
    },
  ],
  [
    'refuses a proof signed by a key other than its jwk',
    async (c) => {
      const token = await boundToken(c);
      const other = await makeClient();
      return {
        token,
        proofs: [await proof(other, { token, header: { jwk: c.jwk } })],
        why: /signature verification failed/,
      };
    },
  ],
  [
    'refuses a proof that names its key by kid instead of embedding it',
    async (c) => {
      const token = await boundToken(c);
      return { token, proofs: [await proof(c, { token, header: { kid: 'k1' } })], why: /"kid" is not accepted/ };
    },
  ],
  [
    'refuses a proof for another method (htm POST replayed on GET)',
    async (c) => {
      const token = await boundToken(c);
      return { token, proofs: [await proof(c, { token, method: 'POST' })], why: /"htm"/ };
    },
  ],
  [
    'refuses a lower-case htm (methods are case-sensitive)',
    async (c) => {
      const token = await boundToken(c);
      return { token, proofs: [await proof(c, { token, method: 'get' })], why: /"htm"/ };
    },
  ],
  [
    'refuses a proof for another path',
    async (c) => {
      const token = await boundToken(c);
      return { token, proofs: [await proof(c, { token, url: `${ORIGIN}/admin` })], why: /"htu"/ };
    },
  ],
  [
    'refuses a proof for another origin, even when the Host header names it',
    async (c) => {
      const token = await boundToken(c);
      return {
        token,
        proofs: [await proof(c, { token, url: 'https://evil.example/r' })],
        host: 'evil.example',
        why: /"htu"/,
      };
    },
  ],
  [
    'refuses a proof for http:// when the public origin is https://',
    async (c) => {
      const token = await boundToken(c);
      return { token, proofs: [await proof(c, { token, url: 'http://api.example/r' })], why: /"htu"/ };
    },
  ],
  [
    'refuses a proof with userinfo in htu',
    async (c) => {
      const token = await boundToken(c);
      return { token, proofs: [await proof(c, { token, url: 'https://user@api.example/r' })], why: /"htu"/ };
    },
  ],
  [
    'refuses a proof older than proofMaxAgeSec',
    async (c) => {
      const token = await boundToken(c);
      return { token, proofs: [await proof(c, { token, claims: { iat: now() - 120 } })], why: /too far in the past/ };
    },
  ],
  [
    'refuses a proof from the future (iat beyond the clock tolerance)',
    async (c) => {
      const token = await boundToken(c);
      return { token, proofs: [await proof(c, { token, claims: { iat: now() + 60 } })], why: /should be in the past/ };
    },
  ],
  [
    'refuses a proof without jti',
    async (c) => {
      const token = await boundToken(c);
      return { token, proofs: [await proof(c, { token, claims: { jti: undefined } })], why: /missing required "jti"/ };
    },
  ],
  [
    'refuses a proof without ath',
    async (c) => ({ token: await boundToken(c), proofs: [await proof(c)], why: /"ath"/ }),
  ],
  [
    'refuses a proof made for another access token (ath mismatch)',
    async (c) => {
      const token = await boundToken(c);
      const other = await boundToken(c, { jti: 'other' });
      return { token, proofs: [await proof(c, { token: other })], why: /"ath"/ };
    },
  ],
  [
    "refuses a stolen bound token with the thief's own valid proof (thumbprint ≠ cnf.jkt)",
    async (c) => {
      const token = await boundToken(c);
      const thief = await makeClient();
      return { token, proofs: [await proof(thief, { token })], why: /cnf\.jkt/ };
    },
  ],
  [
    'refuses a token without cnf presented with a proof',
    async (c) => {
      const token = await jwt(keys.ec);
      return { token, proofs: [await proof(c, { token })], why: /not DPoP-bound/, code: 'invalid_token' };
    },
  ],
];

describe.each(expressFlavours)('DPoP proofs on $name [ASVS V10.3.5]', (flavour) => {
  it('accepts a DPoP-bound token with a valid proof (ES256), setting req.auth.scheme "DPoP"', async () => {
    const { app, state } = appWith(flavour);
    const client = await makeClient();
    const token = await boundToken(client);
    const res = await send(app, { token, proofs: [await proof(client, { token })] });
    expect(res.status).toBe(200);
    expect(res.body).toEqual({ sub: 'user-1', scheme: 'DPoP' });
    expect(state.scheme).toBe('DPoP');
  });

  it('answers a missing scope on a DPoP request with a DPoP insufficient_scope challenge', async () => {
    const mw = jwtAuth({ ...base, dpop: dpopOn });
    const app = buildApp(flavour, (a) => {
      a.get('/r', mw, requireScopes('admin'), (_req, res) => res.json({}));
      a.use(errorHandler());
    });
    const client = await makeClient();
    const token = await boundToken(client);
    const res = await send(app, { token, proofs: [await proof(client, { token })] });
    expect(res.status).toBe(403);
    expect(res.body.code).toBe('insufficient_scope');
    expect(res.headers['www-authenticate']).toBe('DPoP realm="api", error="insufficient_scope", scope="admin"');
  });

  it('accepts an EdDSA proof, and a proof for a POST under a mounted router (htu from the original URL)', async () => {
    const { app } = appWith(flavour);
    const client = await makeClient('EdDSA');
    const token = await boundToken(client);
    const post = await send(app, { token, method: 'POST', proofs: [await proof(client, { token, method: 'POST' })] });
    expect(post.status).toBe(200);
    const mounted = await send(app, {
      token,
      path: '/api/r?x=1',
      proofs: [await proof(client, { token, url: `${ORIGIN}/api/r` })],
    });
    expect(mounted.status).toBe(200);
  });

  it.each([
    ['with a query and a fragment in htu (ignored)', `${ORIGIN}/r?a=1#f`],
    ['with an upper-case scheme and host', 'HTTPS://API.EXAMPLE/r'],
    ['with the default port spelt out', 'https://api.example:443/r'],
    ['with a percent-encoded unreserved character', `${ORIGIN}/%72`],
  ])('accepts htu %s (RFC 9449 §4.3 normalisation)', async (_name, htu) => {
    const { app } = appWith(flavour);
    const client = await makeClient();
    const token = await boundToken(client);
    const res = await send(app, { token, proofs: [await proof(client, { token, url: htu })] });
    expect(res.status).toBe(200);
  });

  it.each(attacks)('%s', async (_name, attack) => {
    const { app, state } = appWith(flavour);
    const client = await makeClient();
    const a = await attack(client);
    const res = await send(app, a);
    const code = a.code ?? 'invalid_dpop_proof';
    expect(res.status).toBe(401);
    expect(res.body.code).toBe(code);
    const error = code === 'invalid_token' ? 'invalid_token' : 'invalid_dpop_proof';
    expect(res.headers['www-authenticate']).toBe(
      `DPoP realm="api", error="${error}", algs="ES256 EdDSA", Bearer realm="api"`,
    );
    expect(state.reason).toMatch(a.why);
    expect(state.runs).toBe(0);
  });

  it('refuses a replayed proof (the same proof twice)', async () => {
    const { app, state } = appWith(flavour);
    const client = await makeClient();
    const token = await boundToken(client);
    const p = await proof(client, { token });
    expect((await send(app, { token, proofs: [p] })).status).toBe(200);
    const res = await send(app, { token, proofs: [p] });
    expect(res.status).toBe(401);
    expect(res.body.code).toBe('invalid_dpop_proof');
    expect(state.reason).toMatch(/replayed/);
    expect(state.runs).toBe(1);
  });

  it('refuses a replayed proof on a verified-token cache hit (the proof is checked on every path)', async () => {
    const { app } = appWith(flavour, {}, { verifiedTokenCache: { maxEntries: 10 } });
    const client = await makeClient();
    const token = await boundToken(client);
    const p = await proof(client, { token });
    expect((await send(app, { token, proofs: [p] })).status).toBe(200);
    expect((await send(app, { token, proofs: [await proof(client, { token })] })).status).toBe(200); // hit, new proof
    const res = await send(app, { token, proofs: [p] }); // hit, old proof
    expect(res.status).toBe(401);
    expect(res.body.code).toBe('invalid_dpop_proof');
  });

  it('does not record an invalid proof: its jti stays usable for the valid one', async () => {
    const seen: string[] = [];
    const store: DpopReplayStore = { seen: (jti) => (seen.push(jti), Promise.resolve(false)) };
    const { app } = appWith(flavour, { replay: store });
    const client = await makeClient();
    const token = await boundToken(client);
    await send(app, { token, proofs: [await proof(client, { token, method: 'POST' })] });
    expect(seen).toEqual([]);
  });

  it.each<[string, DpopReplayStore, Partial<JwtAuthOptions>]>([
    ['fails closed (503) when the replay store throws', { seen: () => Promise.reject(new Error('down')) }, {}],
    [
      'fails closed (503) when the replay store does not answer in time',
      { seen: () => new Promise<boolean>(() => undefined) },
      { timeoutMs: 50 },
    ],
    [
      'fails closed (503) when the replay store answers a non-boolean',
      { seen: () => Promise.resolve('no' as unknown as boolean) },
      {},
    ],
  ])('%s', async (_name, replay, extra) => {
    const { app, state } = appWith(flavour, { replay }, extra);
    const client = await makeClient();
    const token = await boundToken(client);
    const res = await send(app, { token, proofs: [await proof(client, { token })] });
    expect(res.status).toBe(503);
    expect(res.body.code).toBe('unavailable');
    expect(state.runs).toBe(0);
  });

  it('fails closed (503) when the memory replay store is full of live proof ids', async () => {
    const { app } = appWith(flavour, { replay: memoryReplayStore({ maxEntries: 1 }) });
    const client = await makeClient();
    const token = await boundToken(client);
    expect((await send(app, { token, proofs: [await proof(client, { token })] })).status).toBe(200);
    const res = await send(app, { token, proofs: [await proof(client, { token })] });
    expect(res.status).toBe(503);
    expect(res.body.code).toBe('unavailable');
  });

  describe('server nonces', () => {
    const nonce = { current: () => 'n-2', accept: (n: string) => n === 'n-2' || n === 'n-1' };
    it.each([
      ['refuses a proof without a nonce: 401 use_dpop_nonce with a DPoP-Nonce header', undefined],
      ['refuses a proof with a stale nonce', 'n-0'],
    ])('%s', async (_name, given) => {
      const { app, state } = appWith(flavour, { nonce });
      const client = await makeClient();
      const token = await boundToken(client);
      const res = await send(app, { token, proofs: [await proof(client, { token, claims: { nonce: given } })] });
      expect(res.status).toBe(401);
      expect(res.body.code).toBe('use_dpop_nonce');
      expect(res.headers['dpop-nonce']).toBe('n-2');
      expect(res.headers['www-authenticate']).toBe(
        'DPoP realm="api", error="use_dpop_nonce", algs="ES256 EdDSA", Bearer realm="api"',
      );
      expect(state.runs).toBe(0);
    });

    it('accepts a proof with an accepted nonce', async () => {
      const { app } = appWith(flavour, { nonce });
      const client = await makeClient();
      const token = await boundToken(client);
      const res = await send(app, { token, proofs: [await proof(client, { token, claims: { nonce: 'n-1' } })] });
      expect(res.status).toBe(200);
    });

    it.each([
      [
        'current() throws',
        {
          current: () => {
            throw new Error('x');
          },
          accept: () => false,
        },
      ],
      ['current() returns a header-splitting value', { current: () => 'a\r\nSet-Cookie: x', accept: () => false }],
      [
        'accept() throws',
        {
          current: () => 'n',
          accept: () => {
            throw new Error('x');
          },
        },
      ],
    ])('fails closed (503) when the nonce source misbehaves: %s', async (_name, broken) => {
      const { app } = appWith(flavour, { nonce: broken });
      const client = await makeClient();
      const token = await boundToken(client);
      const res = await send(app, { token, proofs: [await proof(client, { token, claims: { nonce: 'n' } })] });
      expect(res.status).toBe(503);
      expect(res.headers['set-cookie']).toBeUndefined();
    });
  });

  describe('modes and challenges', () => {
    it('allowed: no credentials → 401 with a Bearer and a DPoP challenge', async () => {
      const { app } = appWith(flavour);
      const res = await request(app).get('/r');
      expect(res.status).toBe(401);
      expect(res.body.code).toBe('unauthorized');
      expect(res.headers['www-authenticate']).toBe('Bearer realm="api", DPoP realm="api", algs="ES256 EdDSA"');
    });

    it('allowed: an unbound bearer token is accepted as Bearer', async () => {
      const { app } = appWith(flavour);
      const res = await request(app)
        .get('/r')
        .set('Authorization', `Bearer ${await jwt(keys.ec)}`);
      expect(res.status).toBe(200);
      expect(res.body.scheme).toBe('Bearer');
    });

    it('required: refuses an unbound bearer token, challenging with DPoP only', async () => {
      const { app } = appWith(flavour, { mode: 'required' });
      const res = await request(app)
        .get('/r')
        .set('Authorization', `Bearer ${await jwt(keys.ec)}`);
      expect(res.status).toBe(401);
      expect(res.body.code).toBe('invalid_token');
      expect(res.headers['www-authenticate']).toBe('DPoP realm="api", error="invalid_token", algs="ES256 EdDSA"');
      const none = await request(app).get('/r');
      expect(none.headers['www-authenticate']).toBe('DPoP realm="api", algs="ES256 EdDSA"');
    });

    it('required: accepts a bound token with its proof', async () => {
      const { app } = appWith(flavour, { mode: 'required' });
      const client = await makeClient();
      const token = await boundToken(client);
      expect((await send(app, { token, proofs: [await proof(client, { token })] })).status).toBe(200);
    });

    it('off: the DPoP scheme is an unsupported scheme (401), and a bound token as Bearer is still refused', async () => {
      const { app } = appWith(flavour, { mode: 'off' });
      const client = await makeClient();
      const token = await boundToken(client);
      const res = await send(app, { token, proofs: [await proof(client, { token })] });
      expect(res.status).toBe(401);
      expect(res.body.code).toBe('unauthorized');
      expect(res.headers['www-authenticate']).toBe('Bearer realm="api"');
      const bearer = await send(app, { token, proofs: [], scheme: 'Bearer' });
      expect(bearer.status).toBe(401);
      expect(bearer.body.code).toBe('invalid_token');
    });

    it('an expired DPoP-bound token is token_expired under the DPoP challenge', async () => {
      const { app } = appWith(flavour);
      const client = await makeClient();
      const token = await boundToken(client, { iat: now() - 700, exp: now() - 60 });
      const res = await send(app, { token, proofs: [await proof(client, { token })] });
      expect(res.status).toBe(401);
      expect(res.body.code).toBe('token_expired');
      expect(res.headers['www-authenticate']).toBe(
        'DPoP realm="api", error="invalid_token", algs="ES256 EdDSA", Bearer realm="api"',
      );
    });

    it('a malformed DPoP Authorization header is 400 invalid_request under the DPoP challenge', async () => {
      const { app } = appWith(flavour);
      const res = await request(app).get('/r').set('Authorization', 'DPoP  two-spaces');
      expect(res.status).toBe(400);
      expect(res.body.code).toBe('invalid_request');
      expect(res.headers['www-authenticate']).toMatch(/^DPoP realm="api", error="invalid_request"/);
    });
  });
});

describe('dpop options', () => {
  it.each<[string, unknown, RegExp]>([
    ['no publicOrigin', { mode: 'allowed' }, /"dpop.publicOrigin" is required/],
    [
      'a publicOrigin with a path',
      { mode: 'allowed', publicOrigin: 'https://api.example/v1' },
      /"dpop.publicOrigin" must be/,
    ],
    [
      'a publicOrigin with credentials',
      { mode: 'allowed', publicOrigin: 'https://u:p@api.example' },
      /"dpop.publicOrigin" must be/,
    ],
    [
      'a publicOrigin that is not http(s)',
      { mode: 'allowed', publicOrigin: 'ftp://api.example' },
      /"dpop.publicOrigin" must be/,
    ],
    ['alg none', { mode: 'allowed', publicOrigin: ORIGIN, algorithms: ['none'] }, /must not contain "none"/],
    ['an HMAC algorithm', { mode: 'allowed', publicOrigin: ORIGIN, algorithms: ['HS256'] }, /must not contain "HS256"/],
    ['an empty algorithm list', { mode: 'allowed', publicOrigin: ORIGIN, algorithms: [] }, /non-empty array/],
    ['an unknown mode', { mode: 'on', publicOrigin: ORIGIN }, /"dpop.mode" must be/],
    ['an unknown key', { mode: 'allowed', publicOrigin: ORIGIN, replayStore: {} }, /replayStore/],
    ['proofMaxAgeSec 0', { mode: 'allowed', publicOrigin: ORIGIN, proofMaxAgeSec: 0 }, /proofMaxAgeSec/],
    ['a replay store without seen()', { mode: 'allowed', publicOrigin: ORIGIN, replay: {} }, /"dpop.replay" must be/],
    [
      'a nonce without accept()',
      { mode: 'allowed', publicOrigin: ORIGIN, nonce: { current: () => 'n' } },
      /"dpop.nonce" must be/,
    ],
    ['not an object', 'allowed', /"dpop" must be an object/],
  ])('throws at creation for %s', (_name, dpop, message) => {
    expect(() => jwtAuth({ ...base, dpop } as unknown as JwtAuthOptions)).toThrow(message);
  });

  it('accepts a frozen options object and mode "off" without publicOrigin', () => {
    expect(() => jwtAuth(Object.freeze({ ...base, dpop: Object.freeze({ mode: 'off' as const }) }))).not.toThrow();
    expect(() =>
      jwtAuth({ ...base, dpop: Object.freeze({ ...dpopOn, algorithms: Object.freeze(['ES256' as const]) }) }),
    ).not.toThrow();
  });

  it('throws for mtls without a certificate function', () => {
    expect(() => jwtAuth({ ...base, mtls: {} } as unknown as JwtAuthOptions)).toThrow(
      /"mtls.certificate" must be a function/,
    );
    expect(() =>
      jwtAuth({ ...base, mtls: { certificate: () => undefined, x: 1 } } as unknown as JwtAuthOptions),
    ).toThrow(/"mtls.x"/);
  });
});

describe('normaliseHtu (RFC 9449 §4.3, RFC 3986 §6.2.2-6.2.3)', () => {
  it.each<[string, string | undefined]>([
    ['https://api.example/r', 'https://api.example/r'],
    ['HTTPS://API.EXAMPLE/r', 'https://api.example/r'],
    ['https://api.example:443/r', 'https://api.example/r'],
    ['http://api.example:80/r', 'http://api.example/r'],
    ['https://api.example:8443/r', 'https://api.example:8443/r'],
    ['https://api.example/r?q=1#x', 'https://api.example/r'],
    ['https://api.example/a/../r', 'https://api.example/r'],
    ['https://api.example/%7euser', 'https://api.example/~user'],
    ['https://api.example/a%2fb', 'https://api.example/a%2Fb'],
    ['https://api.example', 'https://api.example/'],
    ['https://user:pw@api.example/r', undefined],
    ['javascript:alert(1)', undefined],
    ['/r', undefined],
  ])('%s → %s', (input, expected) => {
    expect(normaliseHtu(input)).toBe(expected);
  });
});
