// Setup mistakes throw at creation: bad values, unknown keys, reused stores, permissive trust proxy.
import express from 'express';
import { describe, expect, it } from 'vitest';
import {
  apiLimiter,
  describeLimiter,
  loginLimiter,
  rateLimit,
  redisStore,
  trustProxy,
  type RateLimitOptions,
} from '@portcullis/ratelimit';
import { INVALID, SAFE, TRUSTS_ANY } from '../../../test-support/trust-proxy-corpus.js';

const base: RateLimitOptions = { name: 'api', windowMs: 60_000, limit: 10 };
const fakeStore = () => ({
  increment: () => Promise.resolve({ totalHits: 1, resetTime: new Date(Date.now() + 1000) }),
  decrement: () => Promise.resolve(),
  resetKey: () => Promise.resolve(),
});

describe('rateLimit options', () => {
  it.each([
    ['name', undefined],
    ['name', ''],
    ['name', 'has space'],
    ['name', 'quote"injection'],
    ['name', 'x'.repeat(65)],
    ['name', 42],
    ['windowMs', undefined],
    ['windowMs', NaN],
    ['windowMs', -1],
    ['windowMs', 0],
    ['windowMs', 15],
    ['windowMs', 1.5],
    ['windowMs', '1000'],
    ['windowMs', 2 ** 31],
    ['windowMs', null],
    ['limit', undefined],
    ['limit', 0],
    ['limit', -1],
    ['limit', '10'],
    ['limit', Infinity],
    ['limit', []],
    ['key', 'email'],
    ['key', 42],
    ['key', {}],
    ['store', {}],
    ['store', { increment: () => 1 }],
    ['store', 'redis'],
    ['dangerouslyAllowOnStoreError', 'allow'],
    ['dangerouslyAllowOnStoreError', 1],
    ['storeTimeoutMs', 0],
    ['storeTimeoutMs', 60_001],
    ['storeTimeoutMs', '200'],
    ['skip', true],
    ['logger', console.log],
    ['logger', { warn: () => undefined }],
  ])('rejects %s = %o', (option, value) => {
    expect(() => rateLimit({ ...base, [option]: value })).toThrow(new RegExp(`^@portcullis/ratelimit: "${option}" `));
  });

  it.each([null, 'api', 5, []])('rejects non-object options %o', (value) => {
    expect(() => rateLimit(value as unknown as RateLimitOptions)).toThrow(TypeError);
  });

  it('rejects unknown keys so a typo cannot switch a control off', () => {
    expect(() => rateLimit({ ...base, max: 5 } as RateLimitOptions)).toThrow(
      /^@portcullis\/ratelimit: "max" is not a known option \(got 5\); /,
    );
    expect(() => rateLimit({ ...base, storeTimeoutMS: 10 } as RateLimitOptions)).toThrow(
      /"storeTimeoutMS" is not a known option \(got .*\); did you mean "storeTimeoutMs"\?/,
    );
  });

  it('reaches the fail-open store mode only through dangerouslyAllowOnStoreError (onStoreError: "allow" is refused)', () => {
    expect(() => rateLimit({ ...base, onStoreError: 'allow' } as RateLimitOptions)).toThrow(
      /"onStoreError" is not a known option/,
    );
    expect(describeLimiter(rateLimit({ ...base, dangerouslyAllowOnStoreError: true }))?.onStoreError).toBe('allow');
    expect(describeLimiter(rateLimit({ ...base, dangerouslyAllowOnStoreError: false }))?.onStoreError).toBe('deny');
  });

  it('accepts frozen options and treats undefined as absent', () => {
    const frozen = Object.freeze({ ...base, key: 'ip' as const });
    expect(() => rateLimit(frozen)).not.toThrow();
    expect(frozen).toEqual({ ...base, key: 'ip' });
    expect(() =>
      rateLimit({ ...base, key: undefined, store: undefined, skip: undefined, logger: undefined }),
    ).not.toThrow();
  });

  it('refuses one store for two limiters (their counts would mix)', () => {
    const store = fakeStore();
    rateLimit({ ...base, store });
    expect(() => rateLimit({ ...base, name: 'other', store })).toThrow(/"store" is already used by another limiter/);
  });

  it('validates the preset options too', () => {
    expect(() => loginLimiter({ usernameField: '__proto__.x' })).toThrow(/"usernameField"/);
    expect(() => loginLimiter({ usernameField: 5 as unknown as string })).toThrow(/"usernameField"/);
    expect(() => loginLimiter({ key: 'ip' } as never)).toThrow(/"key" is not a known option \(got "ip"\)/);
    expect(() => apiLimiter({ limit: 0 })).toThrow(/"limit"/);
    expect(() => apiLimiter({ windowMs: -5 })).toThrow(/"windowMs"/);
    expect(() => apiLimiter('x' as never)).toThrow(TypeError);
  });
});

describe('redisStore options', () => {
  const client = { call: () => Promise.resolve('OK') };
  it.each([undefined, null, {}, { call: 'x' }])('rejects client %o', (value) => {
    expect(() => redisStore(value as never)).toThrow(/"client"/);
  });
  it.each(['', 'has space', 'x'.repeat(65), 5])('rejects prefix %o', (prefix) => {
    expect(() => redisStore(client, { prefix: prefix as string })).toThrow(/"prefix"/);
  });
  it('rejects unknown keys', () => {
    expect(() => redisStore(client, { prefx: 'a' } as never)).toThrow(
      /"prefx" is not a known option \(got "a"\); did you mean "prefix"\?/,
    );
  });
});

describe('trustProxy [ASVS V15.3.4]', () => {
  it.each([
    { title: 'true (any client could spoof X-Forwarded-For)', setting: true },
    { title: '"*"', setting: '*' },
    { title: 'a comma string', setting: '10.0.0.1, 10.0.0.2' },
    { title: 'a negative hop count', setting: -1 },
    { title: 'a fractional hop count', setting: 1.5 },
    { title: 'an absurd hop count', setting: 1000 },
    { title: 'an empty list', setting: [] },
    { title: 'a list with "*"', setting: ['*'] },
    { title: 'a list with 0.0.0.0/0', setting: ['0.0.0.0/0'] },
    { title: 'a list with ::/0', setting: ['::/0'] },
    { title: 'a list with a bad prefix', setting: ['10.0.0.0/33'] },
    { title: 'a list with a non-string', setting: [1] },
    { title: 'a function', setting: () => true },
    { title: 'null', setting: null },
  ])('refuses $title', ({ setting }) => {
    const app = express();
    expect(() => {
      trustProxy(app, setting as never);
    }).toThrow(TypeError);
    expect(app.get('trust proxy')).toBe(false);
  });

  it.each([
    { setting: 0, expected: 0 },
    { setting: 2, expected: 2 },
    {
      setting: ['10.0.0.0/8', '  fd00::/8 ', 'loopback', '192.0.2.1'],
      expected: ['10.0.0.0/8', 'fd00::/8', 'loopback', '192.0.2.1'],
    },
  ])('accepts $setting', ({ setting, expected }) => {
    const app = express();
    trustProxy(app, setting);
    expect(app.get('trust proxy')).toEqual(expected);
  });

  // The shared corpus: config's TRUST_PROXY refuses exactly these too (packages/config/test/trust-proxy.test.ts).
  it.each([...TRUSTS_ANY, ...INVALID])('refuses $title ($env), as config does', ({ setting }) => {
    const app = express();
    expect(() => {
      trustProxy(app, setting);
    }).toThrow(/^@portcullis\/ratelimit: "setting(\[\d+\])?" .*; pass the number of proxies/);
    expect(app.get('trust proxy')).toBe(false);
  });

  it.each(SAFE)('accepts $title ($env), as config does', ({ setting }) => {
    const app = express();
    trustProxy(app, setting);
    expect(app.get('trust proxy')).toEqual(setting);
  });

  it('refuses something that is not an app', () => {
    expect(() => {
      trustProxy(null as never, 1);
    }).toThrow(/"app"/);
    expect(() => {
      trustProxy({} as never, 1);
    }).toThrow(/"app"/);
  });
});
