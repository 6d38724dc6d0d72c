// The Redis replay store with a real Redis: a proof accepted by one instance is refused by another; Redis down → 503.
import { randomUUID } from 'node:crypto';
import { afterAll, describe, expect, it } from 'vitest';
import request from 'supertest';
import { Redis } from 'ioredis';
import { errorHandler } from '@portcullis/errors';
import { jwtAuth, redisReplayStore, type DpopReplayStore } from '@portcullis/auth';
import { expressFlavours, buildApp, type ExpressFlavour } from '../../../test-support/express.js';
import { serviceUrl } from '../../../test-support/services.js';
import { AUDIENCE, ISSUER, keys } from './helpers.js';
import { ORIGIN, boundToken, makeClient, proof } from './dpop-helpers.js';

const redisUrl = serviceUrl('REDIS_URL');
const clients: Redis[] = [];

function instance(flavour: ExpressFlavour, replay: DpopReplayStore) {
  const mw = jwtAuth({
    issuer: ISSUER,
    audience: AUDIENCE,
    algorithms: ['ES256'],
    publicKey: keys.ec.publicKey,
    timeoutMs: 1000,
    dpop: { mode: 'required', publicOrigin: ORIGIN, replay },
  });
  return buildApp(flavour, (a) => {
    a.get('/r', mw, (req, res) => res.json({ sub: req.auth?.subject ?? null }));
    a.use(errorHandler());
  });
}

afterAll(async () => {
  await Promise.all(
    clients.map((c) =>
      c.quit().catch(() => {
        c.disconnect();
      }),
    ),
  );
});

describe.each(expressFlavours)('redisReplayStore on $name [ASVS V10.3.5]', (flavour) => {
  it.skipIf(redisUrl === undefined)('refuses a proof accepted by instance A and replayed to instance B', async () => {
    const prefix = `test:auth:dpop:${randomUUID().slice(0, 8)}:`;
    const a = new Redis(redisUrl!);
    const b = new Redis(redisUrl!);
    clients.push(a, b);
    const appA = instance(flavour, redisReplayStore(a, { prefix }));
    const appB = instance(flavour, redisReplayStore(b, { prefix }));
    const client = await makeClient();
    const token = await boundToken(client);
    const p = await proof(client, { token });
    const first = await request(appA).get('/r').set('Authorization', `DPoP ${token}`).set('DPoP', p);
    expect(first.status).toBe(200);
    const replayed = await request(appB).get('/r').set('Authorization', `DPoP ${token}`).set('DPoP', p);
    expect(replayed.status).toBe(401);
    expect(replayed.body.code).toBe('invalid_dpop_proof');
    // A fresh proof still works on B, and the key expires with the proof window (TTL set, never persistent).
    const fresh = await request(appB)
      .get('/r')
      .set('Authorization', `DPoP ${token}`)
      .set('DPoP', await proof(client, { token }));
    expect(fresh.status).toBe(200);
    const keysSet = await a.keys(`${prefix}*`);
    expect(keysSet).toHaveLength(2);
    for (const key of keysSet) {
      const ttl = await a.ttl(key);
      expect(ttl).toBeGreaterThan(0);
      expect(ttl).toBeLessThanOrEqual(67);
      expect(key.slice(prefix.length)).toMatch(/^[A-Za-z0-9_-]{43}$/); // SHA-256 of the jti, never the jti itself
    }
  });

  it('fails closed (503) when Redis cannot be reached', async () => {
    // Port 1 on loopback: nothing listens there; no retries, no offline queue, so the command fails at once.
    const down = new Redis({
      host: '127.0.0.1',
      port: 1,
      lazyConnect: true,
      maxRetriesPerRequest: 0,
      enableOfflineQueue: false,
      retryStrategy: () => null,
    });
    down.on('error', () => undefined);
    clients.push(down);
    const app = instance(flavour, redisReplayStore(down));
    const client = await makeClient();
    const token = await boundToken(client);
    const res = await request(app)
      .get('/r')
      .set('Authorization', `DPoP ${token}`)
      .set('DPoP', await proof(client, { token }));
    expect(res.status).toBe(503);
    expect(res.body.code).toBe('unavailable');
  });
});

describe('redisReplayStore options', () => {
  it.each<[string, unknown, unknown, RegExp]>([
    ['a client without call()', {}, undefined, /must be an ioredis client/],
    ['null', null, undefined, /must be an ioredis client/],
    ['a prefix with spaces', { call: () => Promise.resolve('OK') }, { prefix: 'a b' }, /"prefix"/],
    ['an unknown option', { call: () => Promise.resolve('OK') }, { ttl: 5 }, /ttl/],
  ])('throws for %s', (_name, client, options, message) => {
    expect(() => redisReplayStore(client as never, options as never)).toThrow(message);
  });

  it('rejects (so the request gets 503) on a reply that is neither OK nor null', async () => {
    const store = redisReplayStore({ call: () => Promise.resolve(1) });
    await expect(store.seen('j', Date.now() / 1000 + 60)).rejects.toThrow(/unexpected reply/);
  });
});
