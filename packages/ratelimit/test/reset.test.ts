// resetKey / reset: a successful login forgets the failed attempts, on the memory store and on Redis.
import { randomUUID } from 'node:crypto';
import type { Request } from 'express';
import { Redis } from 'ioredis';
import request from 'supertest';
import { afterAll, describe, expect, it } from 'vitest';
import { errorHandler } from '@portcullis/errors';
import { loginLimiter, rateLimit, redisStore, type RateLimitStore } from '@portcullis/ratelimit';
import { buildApp, expressFlavours, type ExpressFlavour } from '../../../test-support/express.js';
import { serviceUrl } from '../../../test-support/services.js';

const url = serviceUrl('REDIS_URL');
const prefix = `rl:test-reset:${randomUUID()}:`;
const clients: Redis[] = [];

function redis(): RateLimitStore {
  const c = new Redis(url ?? '', { maxRetriesPerRequest: 1, lazyConnect: false });
  clients.push(c);
  return redisStore(c, { prefix });
}

afterAll(async () => {
  const admin = clients[0];
  if (admin !== undefined) {
    const keys = (await admin.call('KEYS', `${prefix}*`)) as string[];
    if (keys.length > 0) await admin.call('DEL', ...keys);
  }
  await Promise.all(clients.map((c) => c.quit()));
});

/** A login route: the password "right" succeeds and resets the limiter's bucket for this IP + username. */
function loginApp(flavour: ExpressFlavour, store: RateLimitStore | undefined) {
  const limiter = loginLimiter({ limit: 3, ...(store === undefined ? {} : { store }) });
  const app = buildApp(flavour, (a) => {
    a.use(flavour.json());
    a.post('/login', limiter, async (req: Request, res, next) => {
      const body = req.body as { password?: unknown };
      if (body.password !== 'right') {
        res.status(401).json({ code: 'bad_credentials' });
        return;
      }
      try {
        await limiter.reset(req);
      } catch (error) {
        next(error);
        return;
      }
      res.json({ ok: true });
    });
    a.use(errorHandler());
  });
  return { app, limiter };
}

const stores: [string, () => RateLimitStore | undefined, boolean][] = [
  ['the memory store', () => undefined, false],
  ['Redis', redis, url === undefined],
];

describe.each(expressFlavours)('limiter reset on $name', (flavour) => {
  describe.each(stores)('with %s', (_name, makeStore, skip) => {
    it.skipIf(skip)('a successful login resets the failed attempts of that user and address only', async () => {
      const { app } = loginApp(flavour, makeStore());
      const user = `alice-${randomUUID()}`;
      const attempt = (username: string, password: string) => request(app).post('/login').send({ username, password });
      expect((await attempt(user, 'wrong')).status).toBe(401);
      expect((await attempt(user, 'wrong')).status).toBe(401);
      expect((await attempt(user, 'right')).status).toBe(200);
      // The bucket was forgotten: three more attempts before 429.
      for (let i = 0; i < 3; i++) expect((await attempt(user, 'wrong')).status).toBe(401);
      const limited = await attempt(user, 'wrong');
      expect(limited.status).toBe(429);
      expect(limited.body.code).toBe('rate_limited');
    });

    it.skipIf(skip)('resetKey(key) forgets exactly one bucket', async () => {
      const store = makeStore();
      const limiter = rateLimit({
        name: 'reset-key',
        windowMs: 60_000,
        limit: 1,
        key: (req) => String(req.headers['x-bucket']),
        ...(store === undefined ? {} : { store }),
      });
      const app = buildApp(flavour, (a) => {
        a.use(limiter);
        a.get('/', (req, res) => {
          // express-rate-limit records the bucket key on the request: what resetKey() takes.
          res.json({ key: (req as Request & { rateLimit?: { key: string } }).rateLimit?.key });
        });
        a.use(errorHandler());
      });
      const a = `a-${randomUUID()}`;
      const b = `b-${randomUUID()}`;
      const first = await request(app).get('/').set('x-bucket', a);
      expect(first.status).toBe(200);
      expect((await request(app).get('/').set('x-bucket', b)).status).toBe(200);
      expect((await request(app).get('/').set('x-bucket', a)).status).toBe(429);
      await limiter.resetKey((first.body as { key: string }).key);
      expect((await request(app).get('/').set('x-bucket', a)).status).toBe(200);
      const stillLimited = await request(app).get('/').set('x-bucket', b);
      expect(stillLimited.status).toBe(429);
      expect(stillLimited.body.code).toBe('rate_limited');
    });
  });

  it('resetKey refuses an empty key', async () => {
    const { limiter } = loginApp(flavour, undefined);
    await expect(limiter.resetKey('')).rejects.toThrow(TypeError);
  });
});
