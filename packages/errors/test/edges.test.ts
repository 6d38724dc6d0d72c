// errorHandler at its edges: values that break while being rendered, success-only headers, titles, the statusCode alias.
import { STATUS_CODES } from 'node:http';
import request from 'supertest';
import { describe, expect, expectTypeOf, it } from 'vitest';
import { buildApp, expressFlavours } from '../../../test-support/express.js';
import {
  HttpError,
  NotFoundError,
  UnauthorizedError,
  ValidationError,
  errorHandler,
  isHttpError,
  statusTitle,
  type ErrorLogger,
} from '@portcullis/errors';

const PROBLEM = 'application/problem+json; charset=utf-8';
const FIXED_500 = '{"type":"about:blank","title":"Internal Server Error","status":500,"code":"internal_error"}';
const BRAND = Symbol.for('@portcullis/errors.HttpError');

function branded(fields: Record<string, unknown>): object {
  return { [BRAND]: true, status: 404, code: 'not_found', expose: true, headers: {}, message: 'm', ...fields };
}

function brandedWithThrowingGetter(key: string): object {
  const o = branded({});
  Object.defineProperty(o, key, {
    enumerable: true,
    get: () => {
      throw new Error('getter secret /srv/app/x.js');
    },
  });
  return o;
}

function revokedProxy(): object {
  const { proxy, revoke } = Proxy.revocable(new Error('proxy secret'), {});
  revoke();
  return proxy;
}

function trapEverything(): object {
  const boom = (): never => {
    throw new Error('trap secret');
  };
  return new Proxy({}, { get: boom, has: boom, getPrototypeOf: boom, ownKeys: boom, getOwnPropertyDescriptor: boom });
}

// Values that make building or sending the problem document fail: the client gets the fixed body.
const unrenderable: [string, () => unknown][] = [
  ['a revoked Proxy', revokedProxy],
  ['a Proxy whose every trap throws', trapEverything],
  ['a branded object whose expose getter throws', () => brandedWithThrowingGetter('expose')],
  ['a branded object whose headers getter throws', () => brandedWithThrowingGetter('headers')],
  ['a branded object whose detail getter throws', () => brandedWithThrowingGetter('detail')],
  [
    'a branded object with CR/LF in WWW-Authenticate (response splitting)',
    () => branded({ headers: { 'WWW-Authenticate': 'Bearer\r\nSet-Cookie: session=evil' } }),
  ],
  ['a branded object with a lone LF in Allow', () => branded({ headers: { Allow: 'GET\nX-Evil: 1' } })],
  ['a branded object with a NUL in Retry-After', () => branded({ headers: { 'Retry-After': '1\u0000' } })],
  ['a branded object with a number header', () => branded({ headers: { 'Retry-After': 5 } })],
  ['a branded object with an array header', () => branded({ headers: { Allow: ['GET', 'POST'] } })],
  ['a branded object whose headers is a string', () => branded({ headers: 'Allow: GET' })],
  ['a branded object without headers', () => branded({ headers: undefined })],
  ['a branded object without expose', () => branded({ expose: undefined })],
  ['a branded object with a numeric detail', () => branded({ detail: 42 })],
  ['a branded object with an empty code', () => branded({ code: '' })],
  ['a branded 422 whose issues is a string', () => branded({ status: 422, issues: 'secret' })],
  ['a branded 422 with a malformed issue', () => branded({ status: 422, issues: [{ pointer: 1 }] })],
];

describe.each(expressFlavours)('errorHandler edges on $name [ASVS V16.5.1, V16.5.4]', (flavour) => {
  function app(make: () => unknown, logger: ErrorLogger) {
    return buildApp(flavour, (a) => {
      a.get('/throw', () => {
        throw make();
      });
      a.get('/next', (_req, _res, next) => {
        next(make());
      });
      a.use(errorHandler({ logger }));
    });
  }

  it.each(unrenderable)('answers %s with the fixed 500 body, logged once', async (_title, make) => {
    for (const path of ['/throw', '/next']) {
      const entries: [object, string | undefined][] = [];
      const logger: ErrorLogger = {
        error: (o, msg) => entries.push([o, msg]),
        info: (o, msg) => entries.push([o, msg]),
      };
      const res = await request(app(make, logger)).get(path);
      expect(res.status).toBe(500);
      expect(res.headers['content-type']).toBe(PROBLEM);
      expect(res.headers['cache-control']).toBe('no-store');
      expect(res.text).toBe(FIXED_500);
      expect(res.headers['set-cookie']).toBeUndefined();
      expect(res.headers['www-authenticate']).toBeUndefined();
      expect(res.headers['x-evil']).toBeUndefined();
      expect(entries).toHaveLength(1);
      expect(JSON.stringify(entries)).not.toMatch(/secret|\/srv\//);
    }
  });

  it('answers the fixed 500 with no body to HEAD', async () => {
    const res = await request(app(revokedProxy, { error: () => undefined })).head('/throw');
    expect(res.status).toBe(500);
    expect(res.headers['content-type']).toBe(PROBLEM);
    expect(res.text ?? '').toBe('');
  });

  it('still answers when the logger throws on an unrenderable value', async () => {
    const logger: ErrorLogger = {
      error: () => {
        throw new Error('logger down');
      },
    };
    const res = await request(app(revokedProxy, logger)).get('/throw');
    expect(res.status).toBe(500);
    expect(res.text).toBe(FIXED_500);
  });

  it('logs an Error whose getters throw while the logger serialises it, once', async () => {
    const entries: object[] = [];
    const logger: ErrorLogger = {
      error: (o) => {
        // A serialising logger (pino) reads err.message: here that throws.
        JSON.stringify(o, (_k, v: unknown) => (v instanceof Error ? v.message : v));
        entries.push(o);
      },
    };
    const make = () =>
      Object.defineProperty(new Error('x'), 'message', {
        get: () => {
          throw new Error('getter secret');
        },
      });
    const res = await request(app(make, logger)).get('/throw');
    expect(res.status).toBe(500);
    expect(res.body).toEqual({
      type: 'about:blank',
      title: 'Internal Server Error',
      status: 500,
      code: 'internal_error',
    });
    expect(entries).toEqual([
      { requestId: undefined, status: 500, code: 'internal_error', thrownType: 'unserialisable' },
    ]);
  });

  it('drops the session cookie and redirect Location of a route that set them and then threw', async () => {
    const a = buildApp(flavour, (x) => {
      x.get('/login', (_req, res) => {
        res.cookie('session', 'sess-secret-4e1b', { httpOnly: true });
        res.setHeader('Location', '/dashboard');
        throw new Error('failed after setting the cookie');
      });
      x.use(errorHandler());
    });
    const res = await request(a).get('/login');
    expect(res.status).toBe(500);
    expect(res.body).toEqual({
      type: 'about:blank',
      title: 'Internal Server Error',
      status: 500,
      code: 'internal_error',
    });
    expect(res.headers['set-cookie']).toBeUndefined();
    expect(res.headers['location']).toBeUndefined();
    expect(JSON.stringify(res.headers)).not.toContain('sess-secret');
  });

  it('drops every success-only header and keeps security, Vary, CORS, request id, rate-limit and the error own headers', async () => {
    const kept: Record<string, string> = {
      'strict-transport-security': 'max-age=31536000',
      'x-content-type-options': 'nosniff',
      'content-security-policy': "default-src 'none'",
      vary: 'Origin',
      'access-control-allow-origin': 'https://app.example',
      'access-control-allow-credentials': 'true',
      'x-request-id': 'req-1',
      'ratelimit-policy': '100;w=60',
      ratelimit: 'limit=100, remaining=0, reset=30',
      'ratelimit-remaining': '0',
      'retry-after': '30',
    };
    const dropped: Record<string, string> = {
      'set-cookie': 'a=b',
      location: '/next',
      'content-disposition': 'attachment; filename="x.csv"',
      'content-encoding': 'gzip',
      'content-language': 'de',
      etag: '"abc"',
      'last-modified': 'Tue, 01 Dec 2026 00:00:00 GMT',
      link: '</style.css>; rel=preload',
      refresh: '0; url=/elsewhere',
      'content-range': 'bytes 0-1/2',
    };
    const a = buildApp(flavour, (x) => {
      x.get('/fail', (_req, res, next) => {
        for (const [name, value] of Object.entries({ ...kept, ...dropped })) res.setHeader(name, value);
        next(new UnauthorizedError('x', { challenge: { error: 'invalid_token' } }));
      });
      x.use(errorHandler());
    });
    const res = await request(a).get('/fail');
    expect(res.status).toBe(401);
    expect(res.body.code).toBe('invalid_token');
    expect(res.headers['www-authenticate']).toBe('Bearer realm="api", error="invalid_token"');
    expect(res.headers['content-type']).toBe(PROBLEM);
    for (const [name, value] of Object.entries(kept)) expect(res.headers[name], name).toBe(value);
    for (const name of Object.keys(dropped)) expect(res.headers[name], name).toBeUndefined();
  });

  it('sets the Allow an error carries', async () => {
    const a = buildApp(flavour, (x) => {
      x.get('/m', (_req, _res, next) => {
        next(new HttpError(405, 'method_not_allowed', 'x', { headers: { Allow: 'GET' } }));
      });
      x.use(errorHandler());
    });
    const res = await request(a).get('/m');
    expect(res.status).toBe(405);
    expect(res.headers['allow']).toBe('GET');
    expect(res.body).toEqual({
      type: 'about:blank',
      title: 'Method Not Allowed',
      status: 405,
      code: 'method_not_allowed',
    });
  });

  it.each([
    [502, 'Bad Gateway'],
    [410, 'Gone'],
    [412, 'Precondition Failed'],
    [418, "I'm a Teapot"],
    [504, 'Gateway Timeout'],
  ])('titles a %i "%s"', async (status, title) => {
    const a = buildApp(flavour, (x) => {
      x.get('/s', () => {
        throw new HttpError(status, 'some_code');
      });
      x.use(errorHandler());
    });
    const res = await request(a).get('/s');
    expect(res.status).toBe(status);
    expect(res.body).toEqual({ type: 'about:blank', title, status, code: 'some_code' });
  });
});

describe('statusTitle', () => {
  it("is node:http's STATUS_CODES phrase for every status 400-599 Node names", () => {
    for (let status = 400; status <= 599; status++) {
      const phrase = STATUS_CODES[status];
      if (phrase !== undefined) expect(statusTitle(status)).toBe(phrase);
      else expect(statusTitle(status)).toBe(status < 500 ? 'Client Error' : 'Server Error');
    }
  });

  it.each([200, 302, 399, 600, 1000, -1, 4.5, Number.NaN])('treats %s as 500', (status) => {
    expect(statusTitle(status)).toBe('Internal Server Error');
    expect(new HttpError(status, 'x').status).toBe(500);
  });
});

describe('HttpError.statusCode', () => {
  it('is a read-only alias of status (code written for http-errors reads it)', () => {
    const error = new NotFoundError();
    expect(error.statusCode).toBe(404);
    expect(() => {
      (error as unknown as { statusCode: number }).statusCode = 200;
    }).toThrow(TypeError);
    expect(error.statusCode).toBe(404);
    expect(error.status).toBe(404);
  });
});

describe('codes that narrow', () => {
  type AppCode = 'case_locked' | 'invalid_transition';

  it('types a subclass by the code it is given, or its default', () => {
    expectTypeOf(new NotFoundError().code).toEqualTypeOf<'not_found'>();
    expectTypeOf(new ValidationError('x', { code: 'bad_csv' }).code).toEqualTypeOf<'bad_csv'>();
    expectTypeOf(
      new UnauthorizedError('x', { challenge: { error: 'invalid_token' } }).code,
    ).toEqualTypeOf<'invalid_token'>();
    const code = 'case_locked' as AppCode;
    expectTypeOf(new HttpError(409, code).code).toEqualTypeOf<AppCode>();
  });

  it('isHttpError(value, code) is true only for that code and narrows to it', () => {
    const err: unknown = new HttpError<AppCode>(409, 'case_locked');
    expect(isHttpError(err, 'case_locked')).toBe(true);
    expect(isHttpError(err, 'invalid_transition')).toBe(false);
    expect(isHttpError(err, ['invalid_transition', 'case_locked'])).toBe(true);
    expect(isHttpError(err, [])).toBe(false);
    if (isHttpError(err, ['invalid_transition', 'case_locked'])) {
      expectTypeOf(err.code).toEqualTypeOf<'invalid_transition' | 'case_locked'>();
      let seen: string;
      switch (err.code) {
        case 'case_locked':
          seen = 'locked';
          break;
        case 'invalid_transition':
          seen = 'transition';
          break;
        default: {
          const never: never = err.code;
          seen = never;
        }
      }
      expect(seen).toBe('locked');
    }
  });

  it('isHttpError never throws, even for a revoked Proxy', () => {
    expect(isHttpError(revokedProxy())).toBe(false);
    expect(isHttpError(revokedProxy(), 'x')).toBe(false);
    expect(isHttpError(trapEverything())).toBe(false);
  });
});
