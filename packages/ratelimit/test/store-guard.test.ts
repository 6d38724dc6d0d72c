// Store failures fail closed: errors, hangs and nonsense answers become 503 (deny) or a logged pass (allow).
import request from 'supertest';
import { afterEach, describe, expect, it, vi } from 'vitest';
import type { RateLimitStore } from '@portcullis/ratelimit';
import { STORE_FAILURE_LOG_INTERVAL_MS, describeLimiter, rateLimit } from '@portcullis/ratelimit';
import { expressFlavours } from '../../../test-support/express.js';
import { limitedApp, recordingLogger } from './helpers.js';

type Behaviour = 'ok' | 'throw' | 'reject' | 'hang' | 'nan' | 'zero' | 'bad-date' | 'null';

/** A store whose increment misbehaves on demand, recording the keys it sees. */
function scriptedStore(initial: Behaviour): RateLimitStore & { behaviour: Behaviour; keys: string[]; calls: string[] } {
  const hits = new Map<string, number>();
  const store = {
    behaviour: initial,
    keys: [] as string[],
    calls: [] as string[],
    increment(key: string) {
      store.keys.push(key);
      switch (store.behaviour) {
        case 'throw':
          throw new Error('connection refused');
        case 'reject':
          return Promise.reject(new Error("READONLY You can't write against a read only replica"));
        case 'hang':
          return new Promise<never>(() => undefined);
        case 'nan':
          return Promise.resolve({ totalHits: Number.NaN, resetTime: undefined });
        case 'zero':
          return Promise.resolve({ totalHits: 0, resetTime: undefined });
        case 'bad-date':
          return Promise.resolve({ totalHits: 1, resetTime: new Date(Number.NaN) });
        case 'null':
          return Promise.resolve(null as never);
        default: {
          const n = (hits.get(key) ?? 0) + 1;
          hits.set(key, n);
          return Promise.resolve({ totalHits: n, resetTime: new Date(Date.now() + 60_000) });
        }
      }
    },
    decrement: (key: string) => {
      store.calls.push(`decrement:${key}`);
      return Promise.resolve();
    },
    resetKey: (key: string) => {
      store.calls.push(`resetKey:${key}`);
      hits.delete(key);
      return Promise.resolve();
    },
    init: () => {
      store.calls.push('init');
    },
    shutdown: () => {
      store.calls.push('shutdown');
    },
  };
  return store;
}

afterEach(() => {
  vi.useRealTimers();
});

describe.each(expressFlavours)('store failures on $name [ASVS V16.5.3]', (flavour) => {
  it.each<Behaviour>(['throw', 'reject', 'hang', 'nan', 'zero', 'bad-date', 'null'])(
    'denies with 503 unavailable + Retry-After when the store answers "%s"',
    async (behaviour) => {
      const store = scriptedStore(behaviour);
      const app = limitedApp(
        flavour,
        rateLimit({ name: 'api', windowMs: 60_000, limit: 5, store, storeTimeoutMs: 50 }),
      );
      const started = Date.now();
      const res = await request(app).get('/');
      expect(Date.now() - started).toBeLessThan(1000);
      expect(res.status).toBe(503);
      expect(res.body).toMatchObject({ status: 503, code: 'unavailable' });
      expect(res.headers['retry-after']).toBe('5');
      expect(res.text).not.toContain('READONLY');
      expect(res.text).not.toContain('refused');
    },
  );

  it('lets requests pass with dangerouslyAllowOnStoreError and logs the failure once per interval', async () => {
    const store = scriptedStore('reject');
    const logger = recordingLogger();
    const app = limitedApp(
      flavour,
      rateLimit({ name: 'api', windowMs: 60_000, limit: 1, store, dangerouslyAllowOnStoreError: true, logger }),
    );
    for (let i = 0; i < 3; i += 1) {
      const res = await request(app).get('/');
      expect(res.status).toBe(200);
      expect(res.body).toEqual({ ok: true });
      expect(res.headers['ratelimit']).toBeUndefined();
    }
    expect(logger.lines).toHaveLength(1);
    expect(logger.lines[0]).toMatchObject({
      level: 'error',
      msg: 'rate limit store failed: requests pass without a limit',
    });
    expect(logger.lines[0]?.obj).toMatchObject({ limiter: 'api', onStoreError: 'allow', suppressed: 0 });
  });

  it('logs again after the interval, counting what it suppressed', async () => {
    vi.useFakeTimers({ toFake: ['Date'] });
    const store = scriptedStore('hang');
    const logger = recordingLogger();
    const app = limitedApp(
      flavour,
      rateLimit({ name: 'api', windowMs: 60_000, limit: 1, store, storeTimeoutMs: 20, logger }),
    );
    expect((await request(app).get('/')).status).toBe(503);
    expect((await request(app).get('/')).status).toBe(503);
    vi.setSystemTime(Date.now() + STORE_FAILURE_LOG_INTERVAL_MS + 1);
    expect((await request(app).get('/')).status).toBe(503);
    expect(logger.lines.map((l) => l.msg)).toEqual([
      'rate limit store failed: requests denied with 503',
      'rate limit store failed: requests denied with 503',
    ]);
    expect(logger.lines[1]?.obj).toMatchObject({ suppressed: 1 });
  });

  it('recovers as soon as the store answers again, and prefixes keys with the policy name', async () => {
    const store = scriptedStore('hang');
    const limiter = rateLimit({ name: 'api', windowMs: 60_000, limit: 1, store, storeTimeoutMs: 20 });
    const app = limitedApp(flavour, limiter);
    expect((await request(app).get('/')).status).toBe(503);
    store.behaviour = 'ok';
    const ok = await request(app).get('/');
    expect(ok.status).toBe(200);
    expect(ok.headers['ratelimit']).toBe('"api"; r=0; t=60');
    const limited = await request(app).get('/');
    expect(limited.status).toBe(429);
    expect(limited.body.code).toBe('rate_limited');
    expect(store.keys.every((k) => k.startsWith('api:'))).toBe(true);
    expect(store.calls).toContain('init');
    expect(describeLimiter(limiter)).toMatchObject({ store: 'custom', shared: true });
    await limiter.shutdown();
    expect(store.calls).toContain('shutdown');
  });

  it('a logger that throws does not turn a store failure into a 500', async () => {
    const store = scriptedStore('throw');
    const logger = {
      warn: () => {
        throw new Error('logger down');
      },
      error: () => {
        throw new Error('logger down');
      },
    };
    const app = limitedApp(flavour, rateLimit({ name: 'api', windowMs: 60_000, limit: 1, store, logger }));
    const res = await request(app).get('/');
    expect(res.status).toBe(503);
    expect(res.body.code).toBe('unavailable');
  });
});
