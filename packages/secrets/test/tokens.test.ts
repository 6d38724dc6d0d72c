// Random tokens and API tokens: alphabet, length, no collisions, every one-character typo refused before any lookup.
import { describe, expect, it } from 'vitest';
import { createApiToken, parseApiToken, randomToken, safeEqual } from '../src/index.js';

describe('randomToken [ASVS V11.5.1]', () => {
  it('is 32 bytes as 43 base64url characters by default', () => {
    expect(randomToken()).toMatch(/^[A-Za-z0-9_-]{43}$/);
  });

  it.each([
    [{ bytes: 16 }, /^[A-Za-z0-9_-]{22}$/],
    [{ bytes: 64, encoding: 'hex' as const }, /^[0-9a-f]{128}$/],
    [{ encoding: 'hex' as const }, /^[0-9a-f]{64}$/],
  ])('%o has the right alphabet and length', (options, shape) => {
    expect(randomToken(options)).toMatch(shape);
  });

  it('produces no collision in 10^5 tokens', () => {
    const seen = new Set<string>();
    for (let i = 0; i < 100_000; i++) seen.add(randomToken({ bytes: 16 }));
    expect(seen.size).toBe(100_000);
  });
});

describe('API tokens', () => {
  it('has the shape <prefix>_<id>_<secret>_<checksum> and round-trips', () => {
    const created = createApiToken({ prefix: 'pc' });
    expect(created.token).toMatch(/^pc_[a-z2-7]{16}_[a-z2-7]{52}_[0-9a-f]{8}$/);
    expect(created.token).toContain(`_${created.id}_`);
    const parsed = parseApiToken(created.token, 'pc');
    expect(parsed).toEqual({ prefix: 'pc', id: created.id, hash: created.hash });
    expect(safeEqual(parsed!.hash, created.hash)).toBe(true);
    expect(created.hash).not.toContain(created.token.split('_')[2]!);
  });

  it('ids and tokens do not collide in 10^4', () => {
    const ids = new Set<string>();
    for (let i = 0; i < 10_000; i++) ids.add(createApiToken({ prefix: 'pc' }).id);
    expect(ids.size).toBe(10_000);
  });

  it('refuses every one-character typo (substitution, deletion, insertion) by shape or checksum', () => {
    const alphabet = 'abcdefghijklmnopqrstuvwxyz0123456789_ABCXYZ-';
    for (let n = 0; n < 3; n++) {
      const { token } = createApiToken({ prefix: 'pclive' });
      let tried = 0;
      for (let i = 0; i < token.length; i++) {
        for (const c of alphabet) {
          if (c !== token[i]) {
            expect(parseApiToken(token.slice(0, i) + c + token.slice(i + 1))).toBeUndefined();
            tried += 1;
          }
          expect(parseApiToken(token.slice(0, i) + c + token.slice(i))).toBeUndefined();
        }
        expect(parseApiToken(token.slice(0, i) + token.slice(i + 1))).toBeUndefined();
      }
      expect(tried).toBeGreaterThan(token.length * 40);
      expect(parseApiToken(token)).toBeDefined();
    }
  });

  it.each([
    ['another prefix than expected', (t: string) => t, 'other'],
    ['surrounding whitespace', (t: string) => ` ${t} `, undefined],
    ['upper case', (t: string) => t.toUpperCase(), undefined],
    ['a very long input', (t: string) => t.repeat(1000), undefined],
    ['an empty string', () => '', undefined],
  ])('refuses %s', (_title, mutate, prefix) => {
    const { token } = createApiToken({ prefix: 'pc' });
    expect(parseApiToken(mutate(token), prefix)).toBeUndefined();
  });

  it('refuses non-strings', () => {
    for (const input of [undefined, null, 42, {}, ['pc_x']]) expect(parseApiToken(input)).toBeUndefined();
  });
});
