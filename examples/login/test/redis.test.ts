// With REDIS_URL: rate limits and sessions live in Redis, shared by every instance.
import { randomBytes } from 'node:crypto';
import { Redis } from 'ioredis';
import request from 'supertest';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { expressFlavours } from '../../../test-support/express.js';
import { serviceUrl } from '../../../test-support/services.js';
import { openSqliteStore } from '../src/storage/index.js';
import { newEmail, sessionCookie, startHarness, type Harness } from './harness.js';

const redisUrl = serviceUrl('REDIS_URL');

describe.skipIf(redisUrl === undefined).each(expressFlavours)(
  'Redis limits and sessions on $name [ASVS V6.3.1]',
  (flavour) => {
    let redis: Redis;
    let a: Harness;
    let b: Harness;
    const prefix = `login-test:${randomBytes(6).toString('hex')}:`;
    beforeAll(async () => {
      redis = new Redis(redisUrl!, { maxRetriesPerRequest: 1 });
      // Two instances on one database and one Redis, as behind a load balancer.
      const store = openSqliteStore(':memory:');
      a = await startHarness(store, flavour, { redis, redisPrefix: prefix });
      b = await startHarness(store, flavour, { redis, redisPrefix: prefix });
    });
    afterAll(async () => {
      await a.close();
      await b.close();
      await a.store.close();
      const keys = await redis.keys(`${prefix}*`);
      if (keys.length > 0) await redis.del(...keys);
      await redis.quit();
    });

    it('credential stuffing across two instances: one counter, 429 after 5 attempts in total', async () => {
      const email = newEmail();
      await request(a.server).post('/register').send({ email, password: 'a long passphrase' });
      const statuses: number[] = [];
      for (let i = 0; i < 8; i++) {
        const target = i % 2 === 0 ? a : b;
        statuses.push(
          (await request(target.server).post('/login').send({ email, password: 'wrong wrong wrong' })).status,
        );
      }
      expect(statuses).toEqual([401, 401, 401, 401, 401, 429, 429, 429]);
      expect(await redis.keys(`${prefix}rl:login:*`)).not.toEqual([]);
    });

    it('a successful login on one instance resets the shared account counter', async () => {
      const email = newEmail();
      await request(a.server).post('/register').send({ email, password: 'a long passphrase' });
      for (let i = 0; i < 4; i++) await request(b.server).post('/login').send({ email, password: 'wrong wrong wrong' });
      expect((await request(a.server).post('/login').send({ email, password: 'a long passphrase' })).status).toBe(200);
      const after: number[] = [];
      for (let i = 0; i < 5; i++)
        after.push((await request(b.server).post('/login').send({ email, password: 'wrong wrong wrong' })).status);
      expect(after).toEqual([401, 401, 401, 401, 401]);
    });

    it('a session made on one instance works on the other, is stored hashed, and logout ends it everywhere', async () => {
      const email = newEmail();
      await request(a.server).post('/register').send({ email, password: 'a long passphrase' });
      const res = await request(a.server).post('/login').send({ email, password: 'a long passphrase' });
      const cookie = sessionCookie(res.headers['set-cookie'])!;
      const id = cookie.split('=')[1]!;
      expect((await request(b.server).get('/me').set('Cookie', cookie)).body.email).toBe(email);
      const keys = await redis.keys(`${prefix}sess:s:*`);
      expect(keys.some((k) => k.includes(id))).toBe(false);
      expect(await redis.pttl(keys[0]!)).toBeGreaterThan(0);
      // The per-user index of sessions expires too (at most the absolute timeout after the last login).
      const userKeys = await redis.keys(`${prefix}sess:u:*`);
      expect(userKeys).not.toEqual([]);
      for (const key of userKeys) expect(await redis.pttl(key)).toBeGreaterThan(0);
      expect((await request(b.server).post('/logout').set('Cookie', cookie)).status).toBe(204);
      expect((await request(a.server).get('/me').set('Cookie', cookie)).status).toBe(401);
    });

    it('a password change revokes the other Redis sessions of the user', async () => {
      const email = newEmail();
      await request(a.server).post('/register').send({ email, password: 'a long passphrase' });
      const one = sessionCookie(
        (await request(a.server).post('/login').send({ email, password: 'a long passphrase' })).headers['set-cookie'],
      )!;
      const two = sessionCookie(
        (await request(b.server).post('/login').send({ email, password: 'a long passphrase' })).headers['set-cookie'],
      )!;
      const res = await request(a.server)
        .post('/password')
        .set('Cookie', one)
        .send({ currentPassword: 'a long passphrase', newPassword: 'another long passphrase' });
      expect(res.status).toBe(200);
      expect((await request(b.server).get('/me').set('Cookie', two)).status).toBe(401);
      expect((await request(b.server).get('/me').set('Cookie', one)).status).toBe(401);
      expect((await request(b.server).get('/me').set('Cookie', sessionCookie(res.headers['set-cookie'])!)).status).toBe(
        200,
      );
    });
  },
);

describe.each(expressFlavours)('Redis unreachable on $name [ASVS V16.5.2, V16.5.3]', (flavour) => {
  it('a session lookup with Redis down is 503 with Retry-After, never a 500', async () => {
    // Port 1 on loopback: nothing listens; no offline queue, so every command fails at once.
    const down = new Redis({
      host: '127.0.0.1',
      port: 1,
      lazyConnect: true,
      enableOfflineQueue: false,
      maxRetriesPerRequest: 0,
    });
    const h = await startHarness(openSqliteStore(':memory:'), flavour, { redis: down, redisPrefix: 'login-down:' });
    try {
      const res = await request(h.server)
        .get('/me')
        .set('Cookie', `__Host-session=${'A'.repeat(43)}`);
      expect(res.status).toBe(503);
      expect(res.body.code).toBe('unavailable');
      expect(res.headers['retry-after']).toMatch(/^\d+$/);
    } finally {
      await h.close();
      await h.store.close();
      down.disconnect();
    }
  });
});
