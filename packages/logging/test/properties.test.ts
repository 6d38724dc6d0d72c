// Property tests: whatever shape a logged object has, secrets under sensitive names never print.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { scrubText } from '@portcullis/logging';
import { capturedLogger } from './helpers.js';

const SENSITIVE_NAMES = [
  'password',
  'Password',
  'PASSWORD',
  'passwd',
  'secret',
  'clientSecret',
  'client_secret',
  'token',
  'accessToken',
  'access_token',
  'REFRESH_TOKEN',
  'apiKey',
  'API-KEY',
  'api_key',
  'x-auth-token',
  'X-Api-Key',
  'privateKey',
  'session',
  'sessionId',
  'cookie',
  'Set-Cookie',
  'authorization',
  'otp',
  'PIN',
  'ssn',
  'cvv',
  'card number',
  'cardNumber',
  'IBAN',
  'userPassword',
  'stripe_secret_key',
];
const plainKey = fc.constantFrom('id', 'name', 'data', 'items', 'meta', 'value', 'nested', 'list', 'user', 'child');
const sentinel = fc.stringMatching(/^[a-z]{4,10}$/).map((s) => `Sentinel${s}Zq9`);

interface Planted {
  value: unknown;
  sentinels: string[];
}

// Random nested objects and arrays; some leaves are sentinels placed under sensitive names.
const planted: fc.Arbitrary<Planted> = fc.letrec<{ node: Planted }>((tie) => ({
  node: fc.oneof(
    { depthSize: 'small', withCrossShrink: true },
    fc
      .oneof(
        fc.integer(),
        fc.boolean(),
        fc.constant(null),
        fc.string({ maxLength: 8 }).map((s) => s.replace(/Sentinel/g, '')),
      )
      .map((v) => ({ value: v, sentinels: [] })),
    fc.tuple(fc.constantFrom(...SENSITIVE_NAMES), sentinel, tie('node')).map(([key, secret, rest]) => ({
      value:
        typeof rest.value === 'object' && rest.value !== null && !Array.isArray(rest.value)
          ? { ...rest.value, [key]: secret }
          : { [key]: secret, other: rest.value },
      sentinels: [secret, ...rest.sentinels],
    })),
    fc.tuple(fc.constantFrom(...SENSITIVE_NAMES), tie('node')).map(([key, inner]) => ({
      // A whole subtree under a sensitive name goes, whatever it holds.
      value: { [key]: inner.value },
      sentinels: inner.sentinels,
    })),
    fc.array(fc.tuple(plainKey, tie('node')), { maxLength: 4 }).map((entries) => ({
      value: Object.fromEntries(entries.map(([k, n]) => [k, n.value])),
      sentinels: entries.flatMap(([k, n], i) => (entries.findLastIndex(([k2]) => k2 === k) === i ? n.sentinels : [])),
    })),
    fc
      .array(tie('node'), { maxLength: 3 })
      .map((items) => ({ value: items.map((n) => n.value), sentinels: items.flatMap((n) => n.sentinels) })),
  ),
})).node;

describe('key scrub properties', () => {
  it('never prints a sentinel stored under a sensitive key name, at any depth', () => {
    fc.assert(
      fc.property(planted, ({ value, sentinels }) => {
        const { logger, out } = capturedLogger();
        logger.info({ payload: value }, 'property');
        logger.info({ wrapped: [value] }, 'with %j', value as object);
        const text = out.text();
        for (const s of sentinels) expect(text).not.toContain(s);
        expect(out.lines).toHaveLength(2);
      }),
      { numRuns: 300 },
    );
  });

  it('does not mutate the logged object', () => {
    fc.assert(
      fc.property(planted, ({ value }) => {
        const { logger } = capturedLogger();
        const obj = { payload: value, password: 'x' };
        const before = structuredClone(obj);
        logger.info(obj);
        logger.child({ bound: value }).info(obj, 'again');
        expect(obj).toEqual(before);
      }),
      { numRuns: 200 },
    );
  });

  it('does not throw on cycles, and marks them', () => {
    fc.assert(
      fc.property(planted, fc.nat({ max: 3 }), ({ value }, depth) => {
        const { logger, out } = capturedLogger();
        const root: Record<string, unknown> = { value };
        let cursor = root;
        for (let i = 0; i < depth; i++) {
          const next: Record<string, unknown> = {};
          cursor.next = next;
          cursor = next;
        }
        cursor.back = root;
        cursor.list = [root, cursor];
        expect(() => {
          logger.info({ root }, 'cycle');
        }).not.toThrow();
        expect(out.text()).toContain('[Circular]');
      }),
      { numRuns: 100 },
    );
  });
});

describe('string scrubber properties', () => {
  it('masks a bearer credential wherever it sits in the text', () => {
    fc.assert(
      fc.property(fc.string({ maxLength: 40 }), sentinel, fc.string({ maxLength: 40 }), (before, secret, after) => {
        expect(scrubText(`${before} Bearer ${secret} ${after}`)).not.toContain(secret);
      }),
    );
  });

  it('is idempotent', () => {
    fc.assert(
      fc.property(fc.string({ maxLength: 200 }), (text) => {
        const once = scrubText(text);
        expect(scrubText(once)).toBe(once);
      }),
    );
  });
});
