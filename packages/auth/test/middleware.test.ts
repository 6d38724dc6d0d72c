// Request handling: where the token may come from, RFC 6750 errors, req.auth, requireScopes, isRevoked, logging.
import { describe, it, expect, vi } from 'vitest';
import request from 'supertest';
import { errorHandler } from '@portcullis/errors';
import { jwtAuth, requireScopes, type AuthInfo, type JwtAuthOptions } from '@portcullis/auth';
import { expressFlavours, buildApp, type ExpressFlavour } from '../../../test-support/express.js';
import { AUDIENCE, ISSUER, claims, jwt, keys, now } from './helpers.js';

const base: JwtAuthOptions = {
  issuer: ISSUER,
  audience: AUDIENCE,
  algorithms: ['ES256'],
  publicKey: keys.ec.publicKey,
};

interface Seen {
  auth: AuthInfo | undefined;
  runs: number;
  logs: { level: string; obj: Record<string, unknown>; msg: string }[];
}

type Opts = { [K in keyof JwtAuthOptions]?: JwtAuthOptions[K] | undefined };

function appWith(
  flavour: ExpressFlavour,
  options: Opts = {},
  scopes?: string[],
  logger: 'full' | 'info-only' | 'broken' | 'none' = 'full',
) {
  const seen: Seen = { auth: undefined, runs: 0, logs: [] };
  const mw = jwtAuth({ ...base, ...options } as JwtAuthOptions);
  const app = buildApp(flavour, (a) => {
    a.use(flavour.json());
    a.use((req, _res, next) => {
      const rec = (level: string) => (obj: Record<string, unknown>, msg: string) => seen.logs.push({ level, obj, msg });
      if (logger === 'full')
        (req as unknown as { log: object }).log = { debug: rec('debug'), info: rec('info'), warn: rec('warn') };
      if (logger === 'info-only') (req as unknown as { log: object }).log = { info: rec('info') };
      if (logger === 'broken')
        (req as unknown as { log: object }).log = {
          debug: () => {
            throw new Error('logger down');
          },
        };
      next();
    });
    const handlers = scopes === undefined ? [mw] : [mw, requireScopes(...scopes)];
    a.all('/r', ...handlers, (req, res) => {
      seen.runs++;
      seen.auth = req.auth;
      res.json({ sub: req.auth?.subject ?? null });
    });
    a.get('/scoped-no-auth', requireScopes('x'), (_req, res) => res.json({}));
    a.use(errorHandler());
  });
  return { app, seen };
}

const code = (res: request.Response): string => (res.body as { code: string }).code;

describe.each(expressFlavours)('jwtAuth requests on $name', (flavour) => {
  it('sets a frozen req.auth with subject, claims, merged scopes and token', async () => {
    const { app, seen } = appWith(flavour);
    const token = await jwt(keys.ec, claims({ scope: 'a b', scp: ['b', 'c'], permissions: ['d', 7] }));
    const res = await request(app).get('/r').set('Authorization', `Bearer ${token}`);
    expect(res.status).toBe(200);
    expect(seen.auth?.subject).toBe('user-1');
    expect(seen.auth?.token).toBe(token);
    expect(seen.auth?.scopes).toEqual(['a', 'b', 'c', 'd']);
    expect(seen.auth?.claims.iss).toBe(ISSUER);
    expect(Object.isFrozen(seen.auth)).toBe(true);
    expect(Object.isFrozen(seen.auth?.claims)).toBe(true);
    expect(Object.isFrozen(seen.auth?.scopes)).toBe(true);
  });

  it('reads scp as a space-delimited string too', async () => {
    const { app, seen } = appWith(flavour);
    const token = await jwt(keys.ec, claims({ scope: undefined, scp: 'x y' }));
    expect((await request(app).get('/r').set('Authorization', `Bearer ${token}`)).status).toBe(200);
    expect(seen.auth?.scopes).toEqual(['x', 'y']);
  });

  it.each(['bearer', 'BEARER', 'BeArEr'])('accepts the scheme spelled %s', async (scheme) => {
    const { app } = appWith(flavour);
    const res = await request(app)
      .get('/r')
      .set('Authorization', `${scheme} ${await jwt(keys.ec)}`);
    expect(res.status).toBe(200);
  });

  it('answers 401 without an error attribute when no token was sent', async () => {
    const { app, seen } = appWith(flavour);
    const res = await request(app).get('/r');
    expect(res.status).toBe(401);
    expect(code(res)).toBe('unauthorized');
    expect(res.headers['www-authenticate']).toBe('Bearer realm="api"');
    expect(seen.runs).toBe(0);
  });

  it('answers 401 without an error attribute for another scheme (Basic)', async () => {
    const { app, seen } = appWith(flavour);
    const res = await request(app).get('/r').set('Authorization', 'Basic dXNlcjpwYXNz');
    expect(res.status).toBe(401);
    expect(res.headers['www-authenticate']).toBe('Bearer realm="api"');
    expect(seen.runs).toBe(0);
  });

  it.each<[string, (t: string) => string]>([
    ['"Bearer" with no token', () => 'Bearer'],
    ['"Bearer " with only a space', () => 'Bearer '],
    ['a double space after the scheme', (t) => `Bearer  ${t}`],
    ['a tab after the scheme', (t) => `Bearer\t${t}`],
    ['whitespace inside the token', (t) => `Bearer ${t.slice(0, 10)} ${t.slice(10)}`],
    ['a quote inside the token', (t) => `Bearer ${t.slice(0, 10)}"${t.slice(10)}`],
    ['a comma inside the token', (t) => `Bearer ${t},x`],
    ['padding in the middle of the token', (t) => `Bearer ab==${t}`],
    ['an empty Authorization header', () => ''],
  ])('answers 400 invalid_request for %s', async (_name, header) => {
    const { app, seen } = appWith(flavour);
    const res = await request(app)
      .get('/r')
      .set('Authorization', header(await jwt(keys.ec)));
    expect(res.status).toBe(400);
    expect(code(res)).toBe('invalid_request');
    expect(res.headers['www-authenticate']).toBe('Bearer realm="api", error="invalid_request"');
    expect(seen.runs).toBe(0);
  });

  it('answers 400 invalid_request for several Authorization headers', async () => {
    const { app, seen } = appWith(flavour);
    const token = await jwt(keys.ec);
    const res = await request(app)
      .get('/r')
      .set('Authorization', [`Bearer ${token}`, `Bearer ${token}`] as unknown as string);
    expect(res.status).toBe(400);
    expect(code(res)).toBe('invalid_request');
    expect(seen.runs).toBe(0);
  });

  it.each<[string, (t: string) => string]>([
    ['access_token', (t) => `/r?access_token=${t}`],
    ['a percent-encoded access_token', (t) => `/r?x=1&access%5Ftoken=${t}`],
    ['access_token[]', (t) => `/r?access_token[]=${t}`],
  ])(
    'answers 400 for a token in the query string (%s), with or without a header [ASVS V14.2.1]',
    async (_name, url) => {
      const { app, seen } = appWith(flavour, { credentialsRequired: false });
      const token = await jwt(keys.ec);
      const alone = await request(app).get(url(token));
      expect(alone.status).toBe(400);
      expect(code(alone)).toBe('invalid_request');
      const both = await request(app).get(url(token)).set('Authorization', `Bearer ${token}`);
      expect(both.status).toBe(400);
      expect(seen.runs).toBe(0);
    },
  );

  it.each<[string, (t: string) => string, number, string]>([
    ['base64 padding on the signature', (t) => `${t}=`, 401, 'invalid_token'],
    ['two padding characters', (t) => `${t}==`, 401, 'invalid_token'],
    ['a "+" of standard base64 in the signature', (t) => `${t.slice(0, -1)}+`, 401, 'invalid_token'],
    // '=' inside the credentials breaks RFC 6750's b64token grammar itself: a malformed request.
    ['padding on the payload segment', (t) => t.replace(/\.([^.]+)\./, '.$1=.'), 400, 'invalid_request'],
  ])(
    'refuses a second spelling of a valid token (%s); the handler never runs [ASVS V9.1.1]',
    async (_name, respell, status, errorCode) => {
      const { app, seen } = appWith(flavour);
      const token = await jwt(keys.ec);
      const ok = await request(app).get('/r').set('Authorization', `Bearer ${token}`);
      expect(ok.status).toBe(200);
      const res = await request(app)
        .get('/r')
        .set('Authorization', `Bearer ${respell(token)}`);
      expect(res.status).toBe(status);
      expect(code(res)).toBe(errorCode);
      expect(seen.runs).toBe(1);
    },
  );

  it('ignores an unrelated query string', async () => {
    const { app } = appWith(flavour);
    const res = await request(app)
      .get('/r?x=%20&token=1')
      .set('Authorization', `Bearer ${await jwt(keys.ec)}`);
    expect(res.status).toBe(200);
  });

  it('answers 400 for a token in a parsed body, with or without a header', async () => {
    const { app, seen } = appWith(flavour, { credentialsRequired: false });
    const token = await jwt(keys.ec);
    const alone = await request(app).post('/r').send({ access_token: token });
    expect(alone.status).toBe(400);
    expect(code(alone)).toBe('invalid_request');
    const both = await request(app).post('/r').set('Authorization', `Bearer ${token}`).send({ access_token: token });
    expect(both.status).toBe(400);
    expect(seen.runs).toBe(0);
  });

  it('never reads a token from a cookie', async () => {
    const { app, seen } = appWith(flavour);
    const res = await request(app)
      .get('/r')
      .set('Cookie', `access_token=${await jwt(keys.ec)}`);
    expect(res.status).toBe(401);
    expect(seen.runs).toBe(0);
  });

  it('credentialsRequired: false lets an anonymous request through with req.auth undefined', async () => {
    const { app, seen } = appWith(flavour, { credentialsRequired: false });
    const res = await request(app).get('/r');
    expect(res.status).toBe(200);
    expect(res.body).toEqual({ sub: null });
    expect(seen.auth).toBeUndefined();
  });

  it('credentialsRequired: false still rejects a present-and-invalid token (never silently anonymous)', async () => {
    const { app, seen } = appWith(flavour, { credentialsRequired: false });
    const expired = await jwt(keys.ec, claims({ iat: now() - 100, exp: now() - 50 }));
    const res = await request(app).get('/r').set('Authorization', `Bearer ${expired}`);
    expect(res.status).toBe(401);
    expect(code(res)).toBe('token_expired');
    const other = await request(app).get('/r').set('Authorization', 'Basic eDp5');
    expect(other.status).toBe(401);
    expect(seen.runs).toBe(0);
  });

  it('uses the configured realm in every challenge', async () => {
    const { app } = appWith(flavour, { realm: 'cases' }, ['admin']);
    expect((await request(app).get('/r')).headers['www-authenticate']).toBe('Bearer realm="cases"');
    expect((await request(app).get('/r').set('Authorization', 'Bearer x.y.z')).headers['www-authenticate']).toBe(
      'Bearer realm="cases", error="invalid_token"',
    );
    expect((await request(app).get('/r').set('Authorization', 'Bearer  x')).headers['www-authenticate']).toBe(
      'Bearer realm="cases", error="invalid_request"',
    );
    const forbidden = await request(app)
      .get('/r')
      .set('Authorization', `Bearer ${await jwt(keys.ec)}`);
    expect(forbidden.headers['www-authenticate']).toBe(
      'Bearer realm="cases", error="insufficient_scope", scope="admin"',
    );
  });

  it('clockToleranceSec: 0 rejects a token that expired 2 s ago', async () => {
    const { app } = appWith(flavour, { clockToleranceSec: 0 });
    const res = await request(app)
      .get('/r')
      .set('Authorization', `Bearer ${await jwt(keys.ec, claims({ exp: now() - 2 }))}`);
    expect(res.status).toBe(401);
    expect(code(res)).toBe('token_expired');
  });

  it('maxTokenAgeSec rejects a token issued too long ago', async () => {
    const { app } = appWith(flavour, { maxTokenAgeSec: 60 });
    const res = await request(app)
      .get('/r')
      .set('Authorization', `Bearer ${await jwt(keys.ec, claims({ iat: now() - 600 }))}`);
    expect(res.status).toBe(401);
    expect(code(res)).toBe('token_expired');
    expect(
      (
        await request(app)
          .get('/r')
          .set('Authorization', `Bearer ${await jwt(keys.ec)}`)
      ).status,
    ).toBe(200);
  });

  it('maxTokenLifetimeSec caps exp − iat', async () => {
    const { app } = appWith(flavour, { maxTokenLifetimeSec: 300 });
    const res = await request(app)
      .get('/r')
      .set('Authorization', `Bearer ${await jwt(keys.ec, claims({ exp: now() + 600 }))}`);
    expect(res.status).toBe(401);
    expect(code(res)).toBe('invalid_token');
  });

  it('maxTokenBytes rejects a larger token before decoding it', async () => {
    const { app, seen } = appWith(flavour, { maxTokenBytes: 256 });
    const res = await request(app)
      .get('/r')
      .set('Authorization', `Bearer ${'a'.repeat(300)}`);
    expect(res.status).toBe(401);
    expect(seen.logs.some((l) => l.obj['reason'] === 'token too large')).toBe(true);
  });

  describe('isRevoked', () => {
    it('rejects a revoked token with 401 and passes a frozen claims set', async () => {
      const hook = vi.fn((c: { jti?: string }) => Promise.resolve(c.jti === 'j1'));
      const { app, seen } = appWith(flavour, { isRevoked: hook });
      const res = await request(app)
        .get('/r')
        .set('Authorization', `Bearer ${await jwt(keys.ec)}`);
      expect(res.status).toBe(401);
      expect(code(res)).toBe('invalid_token');
      expect(hook).toHaveBeenCalledOnce();
      expect(Object.isFrozen(hook.mock.calls[0]?.[0])).toBe(true);
      expect(
        (
          await request(app)
            .get('/r')
            .set('Authorization', `Bearer ${await jwt(keys.ec, claims({ jti: 'j2' }))}`)
        ).status,
      ).toBe(200);
      expect(seen.runs).toBe(1);
    });

    it.each<[string, () => Promise<boolean>]>([
      ['rejects', () => Promise.reject(new Error('redis down'))],
      [
        'throws synchronously',
        () => {
          throw new Error('boom');
        },
      ],
      ['never answers (timeout)', () => new Promise<boolean>(() => undefined)],
      ['answers a non-boolean', () => Promise.resolve('no' as unknown as boolean)],
    ])('fails closed with 503 when the hook %s', async (_name, hook) => {
      const { app, seen } = appWith(flavour, { isRevoked: hook, timeoutMs: 50 });
      const res = await request(app)
        .get('/r')
        .set('Authorization', `Bearer ${await jwt(keys.ec)}`);
      expect(res.status).toBe(503);
      expect(code(res)).toBe('unavailable');
      expect(res.headers['retry-after']).toBe('1');
      expect(JSON.stringify(res.body)).not.toMatch(/redis|boom/);
      expect(seen.runs).toBe(0);
    });

    it('is not called for a token that fails verification', async () => {
      const hook = vi.fn(() => Promise.resolve(false));
      const { app } = appWith(flavour, { isRevoked: hook });
      await request(app)
        .get('/r')
        .set('Authorization', `Bearer ${await jwt(keys.ec, claims({ aud: 'x' }))}`);
      expect(hook).not.toHaveBeenCalled();
    });
  });

  describe('requireScopes', () => {
    it('lets a token with every scope through', async () => {
      const { app, seen } = appWith(flavour, {}, ['cases:read', 'cases:write']);
      expect(
        (
          await request(app)
            .get('/r')
            .set('Authorization', `Bearer ${await jwt(keys.ec)}`)
        ).status,
      ).toBe(200);
      expect(seen.runs).toBe(1);
    });

    it('answers 403 insufficient_scope naming the needed scopes', async () => {
      const { app, seen } = appWith(flavour, {}, ['cases:read', 'cases:admin']);
      const res = await request(app)
        .get('/r')
        .set('Authorization', `Bearer ${await jwt(keys.ec)}`);
      expect(res.status).toBe(403);
      expect(code(res)).toBe('insufficient_scope');
      expect(res.headers['www-authenticate']).toBe(
        'Bearer realm="api", error="insufficient_scope", scope="cases:read cases:admin"',
      );
      expect(seen.runs).toBe(0);
    });

    it('does not treat a scope prefix or substring as a match', async () => {
      const { app } = appWith(flavour, {}, ['cases']);
      const res = await request(app)
        .get('/r')
        .set('Authorization', `Bearer ${await jwt(keys.ec, claims({ scope: 'cases:read casesX' }))}`);
      expect(res.status).toBe(403);
    });

    it('answers 401 when req.auth is missing', async () => {
      const { app } = appWith(flavour);
      const res = await request(app).get('/scoped-no-auth');
      expect(res.status).toBe(401);
      expect(res.headers['www-authenticate']).toBe('Bearer realm="api"');
    });
  });

  describe('logging', () => {
    it('logs the reason at debug, never the token, and the body stays generic', async () => {
      const { app, seen } = appWith(flavour);
      const token = await jwt(keys.ec, claims({ aud: 'other' }));
      const res = await request(app).get('/r').set('Authorization', `Bearer ${token}`);
      expect(res.status).toBe(401);
      expect(JSON.stringify(res.body)).not.toMatch(/aud/);
      const line = seen.logs.find((l) => l.level === 'debug');
      expect(line?.obj['reason']).toBe('unexpected "aud" claim value');
      expect(JSON.stringify(seen.logs)).not.toContain(token.split('.')[2]);
    });

    it('falls back to info when the logger has no debug', async () => {
      const { app, seen } = appWith(flavour, {}, undefined, 'info-only');
      await request(app).get('/r').set('Authorization', 'Bearer x.y.z');
      expect(seen.logs.map((l) => l.level)).toEqual(['info']);
    });

    it('a throwing logger does not turn a 401 into a 500', async () => {
      const { app } = appWith(flavour, {}, undefined, 'broken');
      const res = await request(app).get('/r').set('Authorization', 'Bearer x.y.z');
      expect(res.status).toBe(401);
    });

    it('works without any logger', async () => {
      const { app } = appWith(flavour, {}, undefined, 'none');
      expect((await request(app).get('/r').set('Authorization', 'Bearer x.y.z')).status).toBe(401);
    });
  });

  it('verifies with a local JWKS (kid selection)', async () => {
    const { app } = appWith(flavour, {
      publicKey: undefined,
      jwks: { keys: [keys.rsa.jwk, keys.ec.jwk] },
      algorithms: ['RS256', 'ES256'],
    });
    expect(
      (
        await request(app)
          .get('/r')
          .set('Authorization', `Bearer ${await jwt(keys.rsa)}`)
      ).status,
    ).toBe(200);
    expect(
      (
        await request(app)
          .get('/r')
          .set('Authorization', `Bearer ${await jwt(keys.ec)}`)
      ).status,
    ).toBe(200);
    expect(
      (
        await request(app)
          .get('/r')
          .set('Authorization', `Bearer ${await jwt(keys.rsa2)}`)
      ).status,
    ).toBe(401);
  });

  it('verifies with a PEM public key and several algorithms of its family', async () => {
    const pem = keys.rsa.publicKey.export({ type: 'spki', format: 'pem' }) as string;
    const { app } = appWith(flavour, { publicKey: pem, algorithms: ['RS256', 'PS256'] });
    expect(
      (
        await request(app)
          .get('/r')
          .set('Authorization', `Bearer ${await jwt(keys.rsa)}`)
      ).status,
    ).toBe(200);
    expect(
      (
        await request(app)
          .get('/r')
          .set('Authorization', `Bearer ${await jwt({ ...keys.rsa, alg: 'PS256' as 'RS256' })}`)
      ).status,
    ).toBe(200);
  });

  it('issuer and audience lists accept any listed value', async () => {
    const { app } = appWith(flavour, { issuer: ['https://a.example', ISSUER], audience: ['x', AUDIENCE] });
    expect(
      (
        await request(app)
          .get('/r')
          .set('Authorization', `Bearer ${await jwt(keys.ec)}`)
      ).status,
    ).toBe(200);
  });
});
