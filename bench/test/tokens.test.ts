// The load's token mix: distinct valid tokens per user, handed out in rotation — and, for (b3), a
// rotation long enough that the verified-token cache can never hold the token that comes next.
import { decodeJwt } from 'jose';
import { describe, expect, it } from 'vitest';
import {
  CACHE_MAX_ENTRIES,
  MISS_TOKENS,
  TokenRotation,
  USERS,
  VARIANTS,
  makeKeys,
  tokenCounts,
} from '../src/shared.js';

describe('benchmark tokens', () => {
  it('makes one distinct token per user, differing in sub and jti', async () => {
    const keys = await makeKeys({ es256: 5, hs256: 3 });
    expect(keys.tokens.es256).toHaveLength(5);
    expect(keys.tokens.hs256).toHaveLength(3);
    const claims = keys.tokens.es256.map((t) => decodeJwt(t));
    expect(new Set(claims.map((c) => c.sub)).size).toBe(5);
    expect(new Set(claims.map((c) => c.jti)).size).toBe(5);
    expect(claims.map((c) => c.sub)).toEqual(['user-1', 'user-2', 'user-3', 'user-4', 'user-5']);
  });

  it('hands tokens out in order and wraps around', () => {
    const r = new TokenRotation(['t1', 't2', 't3', 't4'], 3);
    expect(Array.from({ length: 7 }, () => r.next())).toEqual(['t1', 't2', 't3', 't1', 't2', 't3', 't1']);
    expect(r.size).toBe(3);
  });

  it('refuses a rotation over more tokens than were made', () => {
    expect(() => new TokenRotation(['t1'], 2)).toThrow(/rotation over 2 tokens, but 1 were made/);
  });

  it('(b3) reuses a token only after more distinct tokens than the cache holds, so every request misses', () => {
    const b3 = VARIANTS.find((v) => v.id === 'b3');
    expect(b3?.tokens).toBe(MISS_TOKENS);
    expect(MISS_TOKENS).toBeGreaterThan(CACHE_MAX_ENTRIES);
    const tokens = Array.from({ length: MISS_TOKENS }, (_, i) => `t${String(i)}`);
    const r = new TokenRotation(tokens);
    const lastSeen = new Map<string, number>();
    let minGap = Number.POSITIVE_INFINITY;
    for (let i = 0; i < MISS_TOKENS * 2; i++) {
      const t = r.next();
      const prev = lastSeen.get(t);
      if (prev !== undefined) minGap = Math.min(minGap, i - prev - 1);
      lastSeen.set(t, i);
    }
    // Distinct tokens requested between two uses of the same token: all of them evict it from an LRU of maxEntries.
    expect(minGap).toBe(MISS_TOKENS - 1);
    expect(minGap).toBeGreaterThanOrEqual(CACHE_MAX_ENTRIES);
  });

  it('signs as many tokens as the most demanding selected variant rotates through', () => {
    expect(tokenCounts(VARIANTS)).toEqual({ es256: MISS_TOKENS, hs256: USERS });
    expect(tokenCounts(VARIANTS.filter((v) => v.id === 'a'))).toEqual({ es256: USERS, hs256: 1 });
  });
});
