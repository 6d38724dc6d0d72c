// The draft-8 RateLimit / RateLimit-Policy text written by rateLimit() is exactly express-rate-limit 8's own
// `standardHeaders: 'draft-8'` output, stacked limiters included.
import { createHash } from 'node:crypto';
import express, { type RequestHandler, type Response } from 'express';
import { rateLimit as erlRateLimit } from 'express-rate-limit';
import request from 'supertest';
import { describe, expect, it } from 'vitest';
import { rateLimit } from '@portcullis/ratelimit';
import { draft8Writer } from '../src/limiter.js';
import { expressFlavours } from '../../../test-support/express.js';
import { limitedApp } from './helpers.js';

/** What express-rate-limit itself sends for a draft-8 limiter on the key our limiter uses (`k:` + the custom key). */
function reference(name: string, limit: number): RequestHandler {
  return erlRateLimit({
    windowMs: 60_000,
    limit,
    standardHeaders: 'draft-8',
    legacyHeaders: false,
    identifier: name,
    keyGenerator: () => 'k:client-a',
  }) as RequestHandler;
}

function stacked(
  flavour: (typeof expressFlavours)[number],
  first: RequestHandler,
  second: RequestHandler,
): express.Express {
  return limitedApp(flavour, ((req, res, next) => {
    first(req, res, (err?: unknown) => {
      if (err !== undefined) {
        next(err);
        return;
      }
      second(req, res, next);
    });
  }) as RequestHandler);
}

describe.each(expressFlavours)('draft-8 header text on $name', (flavour) => {
  it('matches express-rate-limit draft-8 byte for byte, for two stacked limiters, until the limit is spent', async () => {
    const ours = stacked(
      flavour,
      rateLimit({ name: 'burst', windowMs: 60_000, limit: 2, key: () => 'client-a' }),
      rateLimit({ name: 'day', windowMs: 60_000, limit: 5, key: () => 'client-a' }),
    );
    const theirs = stacked(flavour, reference('burst', 2), reference('day', 5));
    for (let i = 0; i < 3; i += 1) {
      const [a, b] = await Promise.all([request(ours).get('/'), request(theirs).get('/')]);
      expect(a.status).toBe(i < 2 ? 200 : 429);
      expect(a.headers['ratelimit']).toBe(b.headers['ratelimit']);
      expect(a.headers['ratelimit-policy']).toBe(b.headers['ratelimit-policy']);
      expect(a.headers['ratelimit-policy']).toMatch(
        /^"burst"; q=2; w=60; pk=:[A-Za-z0-9+/=]+:(, "day"; q=5; w=60; pk=:[A-Za-z0-9+/=]+:)?$/,
      );
    }
  });
});

describe('draft8Writer', () => {
  function fakeRes(): Response & { headers: Record<string, unknown> } {
    const headers: Record<string, unknown> = {};
    return {
      headers,
      headersSent: false,
      getHeader: (f: string) => headers[f.toLowerCase()],
      setHeader: (f: string, v: unknown) => {
        headers[f.toLowerCase()] = v;
      },
    } as unknown as Response & { headers: Record<string, unknown> };
  }
  const pkOf = (key: string): string =>
    Buffer.from(createHash('sha256').update(key).digest('hex').slice(0, 12)).toString('base64');

  it('keeps the partition-key hash right for attacker-chosen keys beyond the memo size (memo is cleared, never grows)', () => {
    const write = draft8Writer('api', 10, 1_500);
    for (let i = 0; i < 5_000; i += 1) {
      const res = fakeRes();
      write(res, { limit: 10, remaining: 9, resetTime: undefined, key: `k${String(i)}` });
      expect(res.headers['ratelimit']).toBe('"api"; r=9; t=2');
      expect(res.headers['ratelimit-policy']).toBe(`"api"; q=10; w=2; pk=:${pkOf(`k${String(i)}`)}:`);
    }
  });

  it('appends to an existing single value and writes nothing once headers are sent', () => {
    const write = draft8Writer('b', 1, 60_000);
    const res = fakeRes();
    res.setHeader('RateLimit', '"a"; r=1; t=60');
    write(res, { limit: 1, remaining: 0, resetTime: new Date(Date.now() + 30_000), key: 'x' });
    expect(res.headers['ratelimit']).toEqual(['"a"; r=1; t=60', '"b"; r=0; t=30']);
    const sent = Object.assign(fakeRes(), { headersSent: true });
    write(sent, { limit: 1, remaining: 0, resetTime: undefined, key: 'x' });
    expect(sent.headers).toEqual({});
  });
});
