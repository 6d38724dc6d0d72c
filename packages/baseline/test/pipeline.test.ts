// The order of the pipeline: authentication before the body, honest limiter keys, server-owned request ids, install().
import { request as httpRequest, type IncomingMessage, type Server } from 'node:http';
import { Writable } from 'node:stream';
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import request from 'supertest';
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { Express } from 'express';
import { createLogger } from '@portcullis/logging';
import { PIECES, secureBaseline, type SecureBaselineOptions } from '@portcullis/baseline';
import { buildApp, expressFlavours, type ExpressFlavour } from '../../../test-support/express.js';
import { makeKeys, testConfig, type Keys } from './helpers.js';

let keys: Keys;
beforeAll(async () => {
  keys = await makeKeys();
});

const servers: Server[] = [];
afterEach(async () => {
  for (const s of servers.splice(0)) {
    s.closeAllConnections();
    await new Promise<void>((resolve) => {
      s.close(() => {
        resolve();
      });
    });
  }
});

function appWith(
  flavour: ExpressFlavour,
  env: Record<string, string> = {},
  extra: Partial<SecureBaselineOptions> = {},
): Express {
  const baseline = secureBaseline({
    config: testConfig(env),
    auth: { jwks: keys.jwks },
    logger: createLogger({ level: 'silent' }),
    ...extra,
  });
  return buildApp(flavour, (app) => {
    baseline.install(app);
    app.get('/health', (_req, res) => res.json({ status: 'ok' }));
    app.get('/me', (req, res) => res.json({ subject: req.auth?.subject, id: req.id }));
    app.post('/cases', (req, res) => res.status(201).json({ keys: Object.keys(req.body as object) }));
    app.use(baseline.after);
  });
}

async function listen(app: Express): Promise<number> {
  const server = await new Promise<Server>((resolve) => {
    const s = app.listen(0, '127.0.0.1', () => {
      resolve(s);
    });
  });
  servers.push(server);
  const address = server.address();
  if (address === null || typeof address === 'string') throw new Error('no port');
  return address.port;
}

const MB = 1024 * 1024;
// A collection before each reading, so garbage (discarded chunks) is not mistaken for a retained body.
setFlagsFromString('--expose-gc');
const gc = runInNewContext('gc') as () => void;
const BODY_BYTES = 20 * MB;
const CHUNK = Buffer.alloc(64 * 1024, 0x20);

/**
 * POSTs a 20 MB JSON body (Content-Length declared) but writes only its first 64 KiB, then waits for the
 * answer: a server that reads bodies before authentication would wait for the rest and never answer.
 */
function postPartialBody(port: number, headers: Record<string, string>): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const req = httpRequest(
      {
        host: '127.0.0.1',
        port,
        method: 'POST',
        path: '/cases',
        headers: { 'content-type': 'application/json', 'content-length': String(BODY_BYTES), ...headers },
      },
      (res: IncomingMessage) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () => {
          resolve({ status: res.statusCode ?? 0, body: Buffer.concat(chunks).toString('utf8') });
          req.destroy();
        });
      },
    );
    req.on('error', reject);
    req.write('{"title":"');
    req.write(CHUNK);
  });
}

/** Streams the whole 20 MB body (one reused 64 KiB chunk, so the client holds no copy) and returns the answer. */
function postWholeBody(port: number, headers: Record<string, string>): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const req = httpRequest(
      {
        host: '127.0.0.1',
        port,
        method: 'POST',
        path: '/cases',
        headers: { 'content-type': 'application/json', 'content-length': String(BODY_BYTES), ...headers },
      },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () => {
          answered = true;
          resolve({ status: res.statusCode ?? 0, body: Buffer.concat(chunks).toString('utf8') });
          req.destroy();
        });
      },
    );
    let answered = false;
    // The server may answer and close before the whole body is sent: that is the point. A write that
    // was already queued then fails on the socket after the request let go of it, so the socket keeps
    // a listener of its own (an unhandled ECONNRESET would otherwise fail the whole run).
    req.on('socket', (socket) => {
      socket.on('error', () => undefined);
    });
    req.on('error', (error: NodeJS.ErrnoException) => {
      if (error.code !== 'EPIPE' && error.code !== 'ECONNRESET') reject(error);
    });
    const sink = new Writable({
      write(chunk: Buffer, _encoding, done) {
        if (answered || req.destroyed) {
          done();
          return;
        }
        req.write(chunk, () => {
          done();
        });
      },
      final(done) {
        req.end();
        done();
      },
    });
    let sent = 0;
    const pump = (): void => {
      while (sent < BODY_BYTES) {
        sent += CHUNK.length;
        if (!sink.write(CHUNK)) {
          sink.once('drain', pump);
          return;
        }
      }
      sink.end();
    };
    pump();
  });
}

describe.each(expressFlavours)('pipeline order on $name [ASVS V15.2.2]', (flavour) => {
  it('installs the pieces in the documented order', () => {
    const baseline = secureBaseline({
      config: testConfig(),
      auth: { jwks: keys.jwks },
      logger: createLogger({ level: 'silent' }),
      cookies: { secure: true, httpOnly: true, sameSite: 'lax' },
    });
    expect(baseline.before.map((fn) => fn.name)).toHaveLength(PIECES.length);
    expect(PIECES).toEqual([
      'requestLogger',
      'securityHeaders',
      'cors',
      'rateLimit',
      'csrfGuard',
      'authenticate',
      'subjectRateLimit',
      'requireJson',
      'jsonBody',
    ]);
  });

  it('refuses a 20 MB body without a token with 401 before reading it, and the server retains none of it', async () => {
    const port = await listen(appWith(flavour, { BODY_LIMIT: '10mb' }));
    const partial = await postPartialBody(port, {});
    expect(partial.status).toBe(401);
    expect(JSON.parse(partial.body)).toMatchObject({ code: 'unauthorized' });
    // One full exchange first, so sockets, buffers and code paths are warm before measuring.
    expect((await postWholeBody(port, {})).status).toBe(401);
    // Retained memory (heap + buffers after a collection), not RSS: the allocator keeps freed pages
    // mapped for a while, so RSS after 80 MB of discarded chunks measures the allocator, not retention.
    const retained = (): number => {
      gc();
      const m = process.memoryUsage();
      return m.heapUsed + m.arrayBuffers;
    };
    const before = retained();
    for (let i = 0; i < 4; i++) {
      const whole = await postWholeBody(port, {});
      expect(whole.status).toBe(401);
    }
    const grown = retained() - before;
    // 80 MB were sent; none was kept (buffering one body alone would keep at least its 20 MB).
    expect(grown).toBeLessThan(16 * MB);
  });

  it('reads the body of an authenticated request and refuses 20 MB with 413', async () => {
    const port = await listen(appWith(flavour, { BODY_LIMIT: '10mb' }));
    const token = await keys.token();
    const res = await postWholeBody(port, { authorization: `Bearer ${token}` });
    expect(res.status).toBe(413);
    expect(JSON.parse(res.body)).toMatchObject({ code: 'payload_too_large' });
  });

  it('a content-type the route did not declare is refused after authentication (401 first, then 415)', async () => {
    const app = appWith(flavour);
    const anonymous = await request(app).post('/cases').type('form').send('a=1');
    expect(anonymous.status).toBe(401);
    const res = await request(app)
      .post('/cases')
      .set('Authorization', `Bearer ${await keys.token()}`)
      .type('form')
      .send('a=1');
    expect(res.status).toBe(415);
    expect(res.body.code).toBe('unsupported_media_type');
  });
});

describe.each(expressFlavours)('rate limits by address and by subject on $name [ASVS V2.4.1]', (flavour) => {
  it('one user behind a shared address cannot exhaust another user’s budget', async () => {
    const app = appWith(flavour, { RATE_LIMIT_MAX: '100', RATE_LIMIT_SUBJECT_MAX: '2' });
    const alice = await keys.token({ sub: 'alice' });
    const bob = await keys.token({ sub: 'bob' });
    const as = (t: string) => request(app).get('/me').set('Authorization', `Bearer ${t}`);
    expect((await as(alice)).status).toBe(200);
    expect((await as(alice)).status).toBe(200);
    const limited = await as(alice);
    expect(limited.status).toBe(429);
    expect(limited.body.code).toBe('rate_limited');
    expect(limited.headers['ratelimit']).toContain('"subject"; r=0');
    const other = await as(bob);
    expect(other.status).toBe(200);
    expect(other.body).toMatchObject({ subject: 'bob' });
  });

  it('one user cannot escape their budget by rotating addresses', async () => {
    // Behind a trusted loopback proxy, X-Forwarded-For names the client: each request claims a new address.
    const app = appWith(flavour, { TRUST_PROXY: 'loopback', RATE_LIMIT_MAX: '100', RATE_LIMIT_SUBJECT_MAX: '2' });
    const alice = await keys.token({ sub: 'alice' });
    const statuses: number[] = [];
    for (let i = 1; i <= 4; i++) {
      const res = await request(app)
        .get('/me')
        .set('Authorization', `Bearer ${alice}`)
        .set('X-Forwarded-For', `198.51.100.${i}`);
      statuses.push(res.status);
    }
    expect(statuses).toEqual([200, 200, 429, 429]);
  });

  it('the address limit counts before authentication: a flood without a token gets 429, not 401', async () => {
    const app = appWith(flavour, { RATE_LIMIT_MAX: '2' });
    const statuses: number[] = [];
    for (let i = 0; i < 3; i++) statuses.push((await request(app).get('/me')).status);
    expect(statuses).toEqual([401, 401, 429]);
  });

  it('public routes are not counted by subject', async () => {
    const app = appWith(flavour, { RATE_LIMIT_SUBJECT_MAX: '1' });
    for (let i = 0; i < 3; i++) expect((await request(app).get('/health')).status).toBe(200);
  });

  it('refuses a limiter override that changes the key', () => {
    expect(() =>
      secureBaseline({ config: testConfig(), auth: { jwks: keys.jwks }, rateLimit: { key: 'subject' } as never }),
    ).toThrow(/rateLimit\.key/);
  });
});

describe.each(expressFlavours)('request ids through the baseline on $name [ASVS V4.1.3]', (flavour) => {
  const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;

  it('generates the id by default and never takes a client X-Request-Id', async () => {
    const res = await request(appWith(flavour))
      .get('/me')
      .set('Authorization', `Bearer ${await keys.token()}`)
      .set('X-Request-Id', 'client-chosen');
    expect(res.status).toBe(200);
    expect(res.headers['x-request-id']).toMatch(UUID);
    expect(res.body.id).toBe(res.headers['x-request-id']);
  });

  it('adopts a valid X-Request-Id with TRUST_REQUEST_ID=true, and still refuses an invalid one', async () => {
    const app = appWith(flavour, { TRUST_REQUEST_ID: 'true' });
    const token = await keys.token();
    const adopted = await request(app)
      .get('/me')
      .set('Authorization', `Bearer ${token}`)
      .set('X-Request-Id', 'proxy-1');
    expect(adopted.body.id).toBe('proxy-1');
    const refused = await request(app)
      .get('/me')
      .set('Authorization', `Bearer ${token}`)
      .set('X-Request-Id', '{"forged":1}');
    expect(refused.body.id).toMatch(UUID);
  });
});

describe.each(expressFlavours)('install(app) on $name', (flavour) => {
  it('applies TRUST_PROXY and turns x-powered-by off', () => {
    const app = flavour.create();
    expect(app.get('x-powered-by')).toBe(true);
    secureBaseline({
      config: testConfig({ TRUST_PROXY: '2' }),
      auth: { jwks: keys.jwks },
      logger: createLogger({ level: 'silent' }),
    }).install(app);
    expect(app.get('x-powered-by')).toBe(false);
    expect(app.get('trust proxy')).toBe(2);
  });

  it('refuses something that is not an app', () => {
    const b = secureBaseline({
      config: testConfig(),
      auth: { jwks: keys.jwks },
      logger: createLogger({ level: 'silent' }),
    });
    expect(() => {
      b.install({} as never);
    }).toThrow(TypeError);
  });
});
