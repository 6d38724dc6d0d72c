// The leak corpus: every credential shape, each with a unique sentinel, must never reach the log output.
import request from 'supertest';
import { describe, expect, it } from 'vitest';
import type { NextFunction, Request, Response } from 'express';
import { expressFlavours, buildApp } from '../../../test-support/express.js';
import { requestLogger } from '@portcullis/logging';
import { capturedLogger, isCompletion, waitForLine } from './helpers.js';

const b64url = (value: string): string => Buffer.from(value).toString('base64url');

// Unique sentinels: alphanumeric so they survive JSON escaping unchanged and cannot hide.
const S = {
  bearerHeader: 'SentinelBearerHeader0a1b2c',
  basicPass: 'SentinelBasicPass1b2c3d',
  cookie: 'SentinelCookie2c3d4e',
  setCookie: 'SentinelSetCookie3d4e5f',
  apiKey: 'SentinelApiKey4e5f6g',
  queryToken: 'SentinelQueryToken5f6g7h',
  queryAccessToken: 'SentinelQueryAccess6g7h8i',
  depth1: 'SentinelDepthOne7h8i9j',
  depth2: 'SentinelDepthTwo8i9j0k',
  depth3: 'SentinelDepthThree9j0k1l',
  depth4: 'SentinelDepthFour0k1l2m',
  depth5: 'SentinelDepthFive1l2m3n',
  depth6: 'SentinelDepthSix2m3n4o',
  arrayToken: 'SentinelArrayToken3n4o5p',
  jwtSig: 'SentinelJwtSignature4o5p6q',
  msgBearer: 'SentinelMessageBearer5p6q7r',
  axiosAuth: 'SentinelAxiosAuth6q7r8s',
  axiosBody: 'SentinelAxiosBody7r8s9t',
  userinfo: 'SentinelUserinfo8s9t0u',
  pem: 'SentinelPemBody9t0u1v',
  proxyAuth: 'SentinelProxyAuth0u1v2w',
} as const;

const jwt = `${b64url('{"alg":"HS256","typ":"JWT"}')}.${b64url('{"sub":"alice"}')}.${S.jwtSig}`;
const basic = Buffer.from(`alice:${S.basicPass}`).toString('base64');

// A JSON body with secrets at depth 1..6, in mixed casing and spelling.
const body = {
  password: S.depth1,
  profile: {
    Password: S.depth2,
    prefs: {
      ACCESS_TOKEN: S.depth3,
      a: {
        'Api-Key': S.depth4,
        b: {
          clientSecret: S.depth5,
          c: { 'x-auth-token': S.depth6, items: [{ Token: S.arrayToken }] },
        },
      },
    },
  },
};

function axiosLikeError(): Error {
  return Object.assign(new Error('Request failed with status code 401'), {
    code: 'ERR_BAD_REQUEST',
    config: { url: 'https://api.example/x', headers: { Authorization: `Bearer ${S.axiosAuth}` }, data: S.axiosBody },
    request: { _header: `GET /x HTTP/1.1\r\nAuthorization: Bearer ${S.axiosAuth}\r\n` },
    response: { status: 401, headers: {}, data: { echo: S.axiosBody } },
    toJSON: () => ({ config: { headers: { Authorization: `Bearer ${S.axiosAuth}` } } }),
  });
}

describe.each(expressFlavours)('leak corpus on $name [ASVS V16.2.5]', (flavour) => {
  it('never prints a sentinel, while method, path, status and request id are logged', async () => {
    const { logger, out } = capturedLogger();
    const app = buildApp(flavour, (a) => {
      a.use(requestLogger({ logger }));
      a.use(flavour.json());
      a.post('/login', (req: Request, res: Response) => {
        req.log?.info(req.body as object, 'login body');
        req.log?.info({ body: req.body as unknown }, 'login body nested');
        req.log?.info({ headers: req.headers }, 'all request headers, logged by mistake');
        req.log?.info(`verifying ${jwt}`);
        req.log?.warn(`upstream said Authorization: Bearer ${S.msgBearer}`);
        req.log?.info({ upstream: `https://alice:${S.userinfo}@db.internal:5432/app` }, 'connecting');
        req.log?.info({ note: `-----BEGIN PRIVATE KEY-----\nMIIE${S.pem}\n-----END PRIVATE KEY-----` }, 'key loaded');
        res.cookie('sid', S.setCookie);
        res.status(200).json({ ok: true });
      });
      a.get('/search', (req: Request, res: Response) => {
        req.log?.info({ url: req.originalUrl }, 'search');
        res.json({ ok: true });
      });
      a.get('/upstream', (_req: Request, _res: Response, next: NextFunction) => {
        next(axiosLikeError());
      });
      a.use((err: unknown, req: Request, res: Response, _next: NextFunction) => {
        req.log?.error({ err, cause: err }, 'request failed');
        res.status(502).json({ code: 'bad_gateway' });
      });
    });

    const login = await request(app)
      .post('/login')
      .set('Authorization', `Bearer ${S.bearerHeader}`)
      .set('Cookie', `session=${S.cookie}; theme=dark`)
      .set('X-Api-Key', S.apiKey)
      .set('Proxy-Authorization', `Basic ${basic}`)
      .send(body);
    expect(login.status).toBe(200);
    expect(login.body).toEqual({ ok: true });
    const search = await request(app)
      .get(`/search?q=shoes&token=${S.queryToken}&access_token=${S.queryAccessToken}`)
      .set('Authorization', `Basic ${basic}`);
    expect(search.status).toBe(200);
    const upstream = await request(app).get('/upstream');
    expect(upstream.status).toBe(502);
    expect(upstream.body.code).toBe('bad_gateway');

    const loginLine = await waitForLine(out, (e) => isCompletion(e) && (e.req as { path?: string }).path === '/login');
    await waitForLine(out, (e) => isCompletion(e) && (e.req as { path?: string }).path === '/upstream');
    await waitForLine(out, (e) => isCompletion(e) && (e.req as { path?: string }).path === '/search');

    const text = out.text();
    if (process.env.SHOW_LOG) process.stdout.write(text);
    for (const [name, sentinel] of Object.entries(S)) {
      expect(text.includes(sentinel), `sentinel ${name} leaked`).toBe(false);
    }
    // Sanity: the secrets were really logged (in masked form), so the test could have failed.
    expect(text).toContain('[REDACTED]');
    expect(text).toContain('all request headers');
    expect(text).toContain('"query":"q=shoes&token=[REDACTED]&access_token=[REDACTED]"');
    expect(loginLine).toMatchObject({
      req: { method: 'POST', path: '/login', id: login.headers['x-request-id'] },
      res: { statusCode: 200 },
    });
    const errored = await waitForLine(out, (e) => isCompletion(e) && (e.req as { path?: string }).path === '/upstream');
    expect(errored.level).toBe(50);
    expect(errored.res).toEqual({ statusCode: 502 });
  });
});
