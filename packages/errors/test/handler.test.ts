// errorHandler: every thrown value × NODE_ENV × Express major → a fixed status, content type and body that leaks nothing.
import fc from 'fast-check';
import request from 'supertest';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { z } from 'zod';
import { buildApp, expressFlavours, type ExpressFlavour } from '../../../test-support/express.js';
import {
  BadRequestError,
  ConflictError,
  ForbiddenError,
  HttpError,
  NotFoundError,
  PayloadTooLargeError,
  ServiceUnavailableError,
  TooManyRequestsError,
  UnauthorizedError,
  UnsupportedMediaTypeError,
  ValidationError,
  errorHandler,
  notFoundHandler,
  type ErrorLogger,
} from '@portcullis/errors';

const PROBLEM = 'application/problem+json; charset=utf-8';
const GENERIC_500 = { type: 'about:blank', title: 'Internal Server Error', status: 500, code: 'internal_error' };

function circular(): object {
  const a: Record<string, unknown> = { message: 'cycle secret' };
  a['self'] = a;
  return a;
}

function throwingGetters(): object {
  const o = {};
  for (const key of ['status', 'statusCode', 'message', 'name', 'type', 'expose', 'headers', 'stack']) {
    Object.defineProperty(o, key, {
      enumerable: true,
      get: () => {
        throw new Error('getter secret');
      },
    });
  }
  return o;
}

function foreignHttpError(): Error {
  // What http-errors / a third-party library produces: it must not pick our status or set our headers.
  return Object.assign(new Error('foreign secret'), {
    status: 418,
    statusCode: 418,
    expose: true,
    headers: { 'Set-Cookie': 'session=evil', Location: 'https://evil.example' },
  });
}

interface Row {
  title: string;
  make: () => unknown;
  status: number;
  body: Record<string, unknown>;
  headers?: Record<string, string>;
}

const rows: Row[] = [
  {
    title: 'BadRequestError',
    make: () => new BadRequestError('bad secret'),
    status: 400,
    body: { title: 'Bad Request', status: 400, code: 'bad_request' },
  },
  {
    title: 'BadRequestError with detail',
    make: () => new BadRequestError('log only', { detail: 'Field "x" is malformed.' }),
    status: 400,
    body: { title: 'Bad Request', status: 400, code: 'bad_request', detail: 'Field "x" is malformed.' },
  },
  {
    title: 'UnauthorizedError with a challenge',
    make: () => new UnauthorizedError('sig failed secret', { challenge: { realm: 'api', error: 'invalid_token' } }),
    status: 401,
    body: { title: 'Unauthorized', status: 401, code: 'invalid_token' },
    headers: { 'www-authenticate': 'Bearer realm="api", error="invalid_token"' },
  },
  {
    title: 'ForbiddenError',
    make: () => new ForbiddenError('role secret'),
    status: 403,
    body: { title: 'Forbidden', status: 403, code: 'forbidden' },
  },
  {
    title: 'NotFoundError',
    make: () => new NotFoundError('tenant secret'),
    status: 404,
    body: { title: 'Not Found', status: 404, code: 'not_found' },
  },
  {
    title: 'ConflictError',
    make: () => new ConflictError('x', { code: 'invalid_transition' }),
    status: 409,
    body: { title: 'Conflict', status: 409, code: 'invalid_transition' },
  },
  {
    title: 'PayloadTooLargeError',
    make: () => new PayloadTooLargeError(),
    status: 413,
    body: { title: 'Payload Too Large', status: 413, code: 'payload_too_large' },
  },
  {
    title: 'UnsupportedMediaTypeError',
    make: () => new UnsupportedMediaTypeError(),
    status: 415,
    body: { title: 'Unsupported Media Type', status: 415, code: 'unsupported_media_type' },
  },
  {
    title: 'ValidationError',
    make: () => new ValidationError('x', { issues: [{ pointer: '/title', message: 'Required' }] }),
    status: 422,
    body: {
      title: 'Unprocessable Entity',
      status: 422,
      code: 'validation_failed',
      errors: [{ pointer: '/title', message: 'Required' }],
    },
  },
  {
    title: 'TooManyRequestsError',
    make: () => new TooManyRequestsError('x', { retryAfterSec: 30 }),
    status: 429,
    body: { title: 'Too Many Requests', status: 429, code: 'rate_limited' },
    headers: { 'retry-after': '30' },
  },
  {
    title: 'ServiceUnavailableError (detail not shown: 5xx)',
    make: () => new ServiceUnavailableError('redis secret', { retryAfterSec: 5, detail: 'internal host secret' }),
    status: 503,
    body: { title: 'Service Unavailable', status: 503, code: 'unavailable' },
    headers: { 'retry-after': '5' },
  },
  {
    title: 'an HttpError 500 with a detail',
    make: () => new HttpError(500, 'db', 'x', { detail: 'SELECT secret' }),
    status: 500,
    body: { title: 'Internal Server Error', status: 500, code: 'db' },
  },
  {
    title: 'a ZodError',
    make: () => z.object({ title: z.string(), tags: z.array(z.number()) }).safeParse({ tags: ['a/b~'] }).error,
    status: 422,
    body: {
      title: 'Unprocessable Entity',
      status: 422,
      code: 'validation_failed',
      errors: [
        { pointer: '/title', message: expect.any(String) as unknown },
        { pointer: '/tags/0', message: expect.any(String) as unknown },
      ],
    },
  },
  {
    title: 'a plain Error with SQL in its message',
    make: () => new Error("syntax error at or near 'secret' in SELECT * FROM users"),
    status: 500,
    body: GENERIC_500,
  },
  {
    title: 'an Error with a file path',
    make: () => new Error('ENOENT: open /srv/app/secret/config.json'),
    status: 500,
    body: GENERIC_500,
  },
  { title: 'a foreign error with status/expose/headers', make: foreignHttpError, status: 500, body: GENERIC_500 },
  {
    title: 'a plain object with status and code',
    make: () => ({ status: 400, code: 'bad_request', message: 'object secret' }),
    status: 500,
    body: GENERIC_500,
  },
  { title: 'a string', make: () => 'string secret', status: 500, body: GENERIC_500 },
  { title: 'a number', make: () => 42, status: 500, body: GENERIC_500 },
  { title: 'null', make: () => null, status: 500, body: GENERIC_500 },
  { title: 'undefined', make: () => undefined, status: 500, body: GENERIC_500 },
  { title: 'an object with a circular reference', make: circular, status: 500, body: GENERIC_500 },
  { title: 'an object whose getters throw', make: throwingGetters, status: 500, body: GENERIC_500 },
  {
    title: 'a TypeError from a bug',
    make: () => new TypeError("Cannot read properties of undefined (reading 'secret')"),
    status: 500,
    body: GENERIC_500,
  },
];

const envs = [undefined, 'development', 'production'] as const;

function appThrowing(flavour: ExpressFlavour, make: () => unknown, options?: { logger: ErrorLogger }) {
  return buildApp(flavour, (app) => {
    app.get('/throw', () => {
      throw make();
    });
    app.get('/next', (_req, _res, next) => {
      next(make());
    });
    // Express treats a falsy value passed to next() as "no error" and goes on routing, so the
    // handler is also called directly, the way Express would call it with that value.
    const handler = errorHandler(options);
    app.get('/direct', (req, res, next) => {
      handler(make(), req, res, next);
    });
    app.use(handler);
  });
}

afterEach(() => {
  vi.unstubAllEnvs();
});

describe.each(expressFlavours)('errorHandler on $name [ASVS V16.5.1, V4.1.1]', (flavour) => {
  describe.each(envs)('NODE_ENV=%s', (env) => {
    it.each(rows)('renders $title', async ({ make, status, body, headers }) => {
      if (env === undefined) vi.stubEnv('NODE_ENV', undefined);
      else vi.stubEnv('NODE_ENV', env);
      const app = appThrowing(flavour, make);
      const paths = make() ? ['/throw', '/next', '/direct'] : ['/direct'];
      for (const path of paths) {
        const res = await request(app).get(path);
        expect(res.status).toBe(status);
        expect(res.headers['content-type']).toBe(PROBLEM);
        expect(res.body).toEqual({ type: 'about:blank', ...body });
        expect(res.text).not.toMatch(/secret|\bat \S+|node_modules|\/srv\//);
        expect(res.headers['set-cookie']).toBeUndefined();
        expect(res.headers['location']).toBeUndefined();
        for (const [name, value] of Object.entries(headers ?? {})) expect(res.headers[name]).toBe(value);
      }
    });
  });

  it('adds requestId and instance when a request logger set a safe req.id', async () => {
    const app = buildApp(flavour, (a) => {
      a.use((req, _res, next) => {
        (req as unknown as { id: string }).id = 'req-123';
        next();
      });
      a.use(notFoundHandler());
      a.use(errorHandler());
    });
    const res = await request(app).get('/missing');
    expect(res.status).toBe(404);
    expect(res.body).toEqual({
      type: 'about:blank',
      title: 'Not Found',
      status: 404,
      code: 'not_found',
      requestId: 'req-123',
      instance: 'urn:request:req-123',
    });
  });

  it('does not echo an unsafe req.id into the body', async () => {
    const app = buildApp(flavour, (a) => {
      a.use((req, _res, next) => {
        (req as unknown as { id: string }).id = '<script>alert(1)</script>';
        next();
      });
      a.use(notFoundHandler());
      a.use(errorHandler());
    });
    const res = await request(app).get('/missing');
    expect(res.body).toEqual({ type: 'about:blank', title: 'Not Found', status: 404, code: 'not_found' });
  });

  it('rejects malformed JSON with a fixed 400 and never quotes the body (sentinel password)', async () => {
    const logged: unknown[] = [];
    const logger: ErrorLogger = {
      error: (o) => logged.push(o),
      info: (o) => logged.push(o),
      warn: (o) => logged.push(o),
    };
    const app = buildApp(flavour, (a) => {
      a.use(flavour.json());
      a.post('/login', (_req, res) => res.json({ ok: true }));
      a.use(errorHandler({ logger }));
    });
    const res = await request(app)
      .post('/login')
      .set('Content-Type', 'application/json')
      .send('{"password":"SENTINEL-hunter2-8c1f", oops}');
    expect(res.status).toBe(400);
    expect(res.body).toEqual({
      type: 'about:blank',
      title: 'Bad Request',
      status: 400,
      code: 'bad_request',
      detail: 'The request body could not be parsed.',
    });
    expect(res.text).not.toContain('SENTINEL');
    expect(logged.length).toBeGreaterThan(0);
    expect(JSON.stringify(logged)).not.toContain('SENTINEL');
  });

  it('maps an oversize JSON body to 413', async () => {
    const app = buildApp(flavour, (a) => {
      a.use(flavour.json({ limit: '10b' }));
      a.post('/x', (_req, res) => res.json({ ok: true }));
      a.use(errorHandler());
    });
    const res = await request(app)
      .post('/x')
      .set('Content-Type', 'application/json')
      .send({ a: 'a'.repeat(100) });
    expect(res.status).toBe(413);
    expect(res.body.code).toBe('payload_too_large');
  });

  it('maps an unsupported charset to 415', async () => {
    const app = buildApp(flavour, (a) => {
      a.use(flavour.json());
      a.post('/x', (_req, res) => res.json({ ok: true }));
      a.use(errorHandler());
    });
    const res = await request(app).post('/x').set('Content-Type', 'application/json; charset=klingon').send('{"a":1}');
    expect(res.status).toBe(415);
    expect(res.body.code).toBe('unsupported_media_type');
  });

  it('maps a malformed percent-encoding in a route parameter to 400 without echoing it', async () => {
    const app = buildApp(flavour, (a) => {
      a.get('/files/:name', (req, res) => res.json({ name: req.params['name'] }));
      a.use(errorHandler());
    });
    const res = await request(app).get('/files/%E0%A4%A');
    expect(res.status).toBe(400);
    expect(res.body).toEqual({ type: 'about:blank', title: 'Bad Request', status: 400, code: 'bad_request' });
    expect(res.text).not.toContain('%E0');
  });

  it('logs 5xx details (message, stack) to the injected logger, not the response', async () => {
    const logged: Record<string, unknown>[] = [];
    const logger: ErrorLogger = { error: (o) => logged.push(o as Record<string, unknown>) };
    const res = await request(appThrowing(flavour, () => new Error('db exploded secret'), { logger })).get('/throw');
    expect(res.status).toBe(500);
    expect(logged).toHaveLength(1);
    expect((logged[0]?.['err'] as Error).message).toBe('db exploded secret');
    expect(logged[0]?.['status']).toBe(500);
  });

  it('prefers req.log when a request logger attached one', async () => {
    const fromReq: unknown[] = [];
    const fromOption: unknown[] = [];
    const app = buildApp(flavour, (a) => {
      a.use((req, _res, next) => {
        (req as unknown as { log: ErrorLogger }).log = { error: (o) => fromReq.push(o) };
        next();
      });
      a.get('/throw', () => {
        throw new Error('x');
      });
      a.use(errorHandler({ logger: { error: (o) => fromOption.push(o) } }));
    });
    await request(app).get('/throw');
    expect(fromReq).toHaveLength(1);
    expect(fromOption).toHaveLength(0);
  });

  it('survives a logger that throws', async () => {
    const logger: ErrorLogger = {
      error: () => {
        throw new Error('logger down');
      },
    };
    const res = await request(appThrowing(flavour, () => new Error('x'), { logger })).get('/throw');
    expect(res.status).toBe(500);
    expect(res.body.code).toBe('internal_error');
  });

  it('destroys a response whose headers were already sent instead of sending twice', async () => {
    const app = buildApp(flavour, (a) => {
      a.get('/partial', (_req, res, next) => {
        res.writeHead(200, { 'Content-Type': 'text/plain' });
        res.write('partial');
        next(new Error('late failure'));
      });
      a.use(errorHandler());
    });
    await expect(request(app).get('/partial')).rejects.toThrow();
  });

  it('removes stale body headers set before the failure', async () => {
    const app = buildApp(flavour, (a) => {
      a.get('/download', (_req, res, next) => {
        res.setHeader('Content-Disposition', 'attachment; filename="x.csv"');
        next(new NotFoundError());
      });
      a.use(errorHandler());
    });
    const res = await request(app).get('/download');
    expect(res.status).toBe(404);
    expect(res.headers['content-disposition']).toBeUndefined();
    expect(res.headers['cache-control']).toBe('no-store');
  });

  it('answers HEAD with the status and no body', async () => {
    const app = buildApp(flavour, (a) => {
      a.use(notFoundHandler());
      a.use(errorHandler());
    });
    const res = await request(app).head('/missing');
    expect(res.status).toBe(404);
    expect(res.text ?? '').toBe('');
  });
});

describe('errorHandler options', () => {
  it.each([
    ['an unknown key', { loger: {} }],
    ['a logger without error()', { logger: { info: () => undefined } }],
    ['a non-object', 'verbose'],
  ])('throws a TypeError for %s', (_title, options) => {
    expect(() => errorHandler(options as never)).toThrow(TypeError);
    expect(() => errorHandler(options as never)).toThrow(/@portcullis\/errors/);
  });

  it('accepts frozen options and treats undefined as absent', () => {
    expect(() => errorHandler(Object.freeze({ logger: { error: () => undefined } }))).not.toThrow();
    expect(() => errorHandler({ logger: undefined } as never)).not.toThrow();
    expect(() => errorHandler({})).not.toThrow();
  });
});

describe('no leak property [ASVS V16.5.1]', () => {
  const [flavour] = expressFlavours;
  const thrownValue = fc.oneof(
    fc.string().map((s) => new Error(`SECRET_${s}`)),
    fc.string().map((s) => `SECRET_${s}`),
    fc.string().map((s) => ({ message: `SECRET_${s}`, status: 400, expose: true, headers: { 'X-Evil': s } })),
    fc.string().map((s) => Object.assign(new TypeError(`SECRET_${s}`), { statusCode: 401 })),
    fc.constantFrom(1, true, Symbol('s'), [], new Map()),
  );

  it('never renders the thrown message, stack frames, node_modules, absolute paths or the request body', async () => {
    await fc.assert(
      fc.asyncProperty(thrownValue, fc.string(), async (thrown, bodyText) => {
        const app = buildApp(flavour!, (a) => {
          a.use(flavour!.json());
          a.post('/x', () => {
            // eslint-disable-next-line @typescript-eslint/only-throw-error -- throwing non-Errors is the point
            throw thrown;
          });
          a.use(errorHandler());
        });
        const res = await request(app)
          .post('/x')
          .send({ body: `BODY_${bodyText}` });
        expect(res.status).toBe(500);
        expect(res.text).not.toContain('SECRET_');
        expect(res.text).not.toContain('BODY_');
        expect(res.text).not.toMatch(/ at |node_modules|\/work\/|\/home\//);
        expect(res.body).toEqual(GENERIC_500);
      }),
      { numRuns: 60 },
    );
  });
});
