// Redis store against the shared Redis at REDIS_URL: several app instances see one counter.
import { randomUUID } from 'node:crypto';
import { Redis } from 'ioredis';
import request from 'supertest';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { describeLimiter, rateLimit, redisStore } from '@portcullis/ratelimit';
import { expressFlavours } from '../../../test-support/express.js';
import { serviceUrl } from '../../../test-support/services.js';
import { limitedApp } from './helpers.js';

const url = serviceUrl('REDIS_URL');
const prefix = `rl:test:${randomUUID()}:`;
const clients: Redis[] = [];

function client(): Redis {
  const c = new Redis(url ?? '', { maxRetriesPerRequest: 1, lazyConnect: false });
  clients.push(c);
  return c;
}

beforeAll(() => {
  if (url !== undefined && !/^redis:\/\/(127\.0\.0\.1|localhost|\[::1\])[:/]/.test(url)) {
    throw new Error('REDIS_URL must point at a loopback Redis');
  }
});

afterAll(async () => {
  if (url === undefined) return;
  const admin = clients[0];
  if (admin !== undefined) {
    const keys = (await admin.call('KEYS', `${prefix}*`)) as string[];
    if (keys.length > 0) await admin.call('DEL', ...keys);
  }
  await Promise.all(clients.map((c) => c.quit()));
});

describe.each(expressFlavours)('redis store on $name [ASVS V2.4.1]', (flavour) => {
  it.skipIf(url === undefined)(
    'two app instances on one Redis allow exactly `limit` of 3 × limit concurrent requests',
    async () => {
      const limit = 7;
      const name = `shared-${flavour.name}`;
      const appA = limitedApp(
        flavour,
        rateLimit({ name, windowMs: 60_000, limit, store: redisStore(client(), { prefix }) }),
      );
      const appB = limitedApp(
        flavour,
        rateLimit({ name, windowMs: 60_000, limit, store: redisStore(client(), { prefix }) }),
      );
      const responses = await Promise.all(
        Array.from({ length: 3 * limit }, (_, i) => request(i % 2 === 0 ? appA : appB).get('/')),
      );
      const allowed = responses.filter((r) => r.status === 200);
      const limited = responses.filter((r) => r.status === 429);
      expect(allowed).toHaveLength(limit);
      expect(limited).toHaveLength(2 * limit);
      for (const r of limited) expect(r.body.code).toBe('rate_limited');
      for (const r of allowed) expect(r.headers['ratelimit']).toMatch(new RegExp(`^"${name}"; r=\\d+; t=(59|60)$`));
      const remaining = allowed
        .map((r) => Number(/r=(\d+)/.exec(String(r.headers['ratelimit']))?.[1]))
        .sort((a, b) => a - b);
      expect(remaining).toEqual(Array.from({ length: limit }, (_, i) => i));
    },
  );

  it.skipIf(url === undefined)('limiters with different names on one prefix keep separate counts', async () => {
    const c = client();
    const first = rateLimit({
      name: `one-${flavour.name}`,
      windowMs: 60_000,
      limit: 1,
      store: redisStore(c, { prefix }),
    });
    const second = rateLimit({
      name: `two-${flavour.name}`,
      windowMs: 60_000,
      limit: 1,
      store: redisStore(c, { prefix }),
    });
    expect(describeLimiter(first)).toMatchObject({ store: 'redis', shared: true });
    const appFirst = limitedApp(flavour, first);
    const appSecond = limitedApp(flavour, second);
    expect((await request(appFirst).get('/')).status).toBe(200);
    expect((await request(appSecond).get('/')).status).toBe(200);
    const res = await request(appFirst).get('/');
    expect(res.status).toBe(429);
    expect(res.body.code).toBe('rate_limited');
    const keys = (await c.call('KEYS', `${prefix}one-${flavour.name}:*`)) as string[];
    expect(keys).toHaveLength(1);
  });
});
