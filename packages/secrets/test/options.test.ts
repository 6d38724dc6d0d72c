// createPasswordHasher / randomToken / createApiToken option checks: weak parameters and typos throw at creation.
import { describe, expect, it } from 'vitest';
import { createApiToken, createPasswordHasher, randomToken, type PasswordHasherOptions } from '../src/index.js';

const BAD: [string, unknown, RegExp][] = [
  [
    'memory below the OWASP minimum',
    { params: { memoryKiB: 19_455 } },
    /"params\.memoryKiB" is below the OWASP minimum/,
  ],
  ['memory of 1 MiB', { params: { memoryKiB: 1024 } }, /"params\.memoryKiB"/],
  ['one pass', { params: { timeCost: 1 } }, /"params\.timeCost" is below the OWASP minimum/],
  ['zero lanes', { params: { parallelism: 0 } }, /"params\.parallelism" must be an integer/],
  ['memory as a string', { params: { memoryKiB: '65536' } }, /"params\.memoryKiB" must be an integer/],
  ['memory NaN', { params: { memoryKiB: NaN } }, /"params\.memoryKiB"/],
  [
    'memory above the verify ceiling',
    { params: { memoryKiB: 300_000 } },
    /"params\.memoryKiB" must be an integer from 1 to 262144/,
  ],
  [
    'a typo in params',
    { params: { memoryKib: 65_536 } },
    /"params\.memoryKib" is not a known option.*did you mean "memoryKiB"/,
  ],
  ['a typo at the top', { maxConcurency: 2 }, /"maxConcurency" is not a known option/],
  ['maxConcurrency 0', { maxConcurrency: 0 }, /"maxConcurrency" must be an integer from 1 to 256/],
  ['maxQueue -1', { maxQueue: -1 }, /"maxQueue"/],
  ['queueTimeoutMs 0', { queueTimeoutMs: 0 }, /"queueTimeoutMs"/],
  [
    'maxPasswordBytes under 64 four-byte characters',
    { maxPasswordBytes: 255 },
    /"maxPasswordBytes" must be an integer from 256/,
  ],
  ['normalize "NFC"', { normalize: 'NFC' }, /"normalize" must be "NFKC" or false/],
  [
    'a 31-byte pepper',
    { pepper: { id: 'k1', key: new Uint8Array(31) } },
    /"pepper\.key" must be a Uint8Array of at least 32 bytes/,
  ],
  ['a pepper given as a string', { pepper: { id: 'k1', key: 'x'.repeat(40) } }, /"pepper\.key"/],
  ['a pepper id with a comma', { pepper: { id: 'k,1', key: new Uint8Array(32) } }, /"pepper\.id"/],
  ['an unknown legacy scheme', { legacy: ['md5'] }, /"legacy" has an unknown scheme/],
  ['legacy not an array', { legacy: 'scrypt' }, /"legacy" must be an array/],
  ['a logger without warn', { logger: {} }, /"logger" must have a warn/],
  ['options as an array', [], /"options" must be a plain object/],
  ['verifyCeiling below the minimum', { verifyCeiling: { memoryKiB: 1000 } }, /"verifyCeiling\.memoryKiB"/],
];

describe('createPasswordHasher options', () => {
  it.each(BAD)('refuses %s at creation', (_title, options, message) => {
    expect(() => createPasswordHasher(options as PasswordHasherOptions)).toThrow(TypeError);
    expect(() => createPasswordHasher(options as PasswordHasherOptions)).toThrow(message);
  });

  it('names the package in every message', () => {
    expect(() => createPasswordHasher({ params: { memoryKiB: 4096 } })).toThrow(/^@portcullis\/secrets: /);
  });

  it('accepts frozen options and treats { x: undefined } as absent', async () => {
    const frozen = Object.freeze({
      params: Object.freeze({ memoryKiB: 19_456, timeCost: undefined }),
      maxQueue: undefined,
    });
    const a = createPasswordHasher(frozen);
    const b = createPasswordHasher({});
    const c = createPasswordHasher();
    const stored = await a.hash('correct horse');
    for (const h of [a, b, c]) {
      expect(h.needsRehash(stored)).toBe(false);
      await expect(h.verify(stored, 'correct horse')).resolves.toEqual({ ok: true, needsRehash: false });
    }
  });

  it('never shows a pepper key in the message', () => {
    const key = 'super-secret-pepper-value-0123456789';
    try {
      createPasswordHasher({ pepper: { id: 'k1', key: key as unknown as Uint8Array } });
      expect.unreachable();
    } catch (error) {
      expect(String(error)).not.toContain(key);
    }
  });
});

describe('randomToken and createApiToken options', () => {
  it.each([
    [{ bytes: 15 }, /"bytes" must be an integer from 16/],
    [{ bytes: 8 }, /"bytes"/],
    [{ bytes: 32.5 }, /"bytes"/],
    [{ encoding: 'base64' }, /"encoding" must be "base64url" or "hex"/],
    [{ byte: 32 }, /"byte" is not a known option/],
  ])('randomToken refuses %o', (options, message) => {
    expect(() => randomToken(options as never)).toThrow(message);
  });

  it.each([['PC'], ['p'], ['pc_live'], ['1pc'], [''], [undefined], ['averyveryverylongprefix']])(
    'createApiToken refuses the prefix %j',
    (prefix) => {
      expect(() => createApiToken({ prefix } as never)).toThrow(/"prefix"/);
    },
  );
});
