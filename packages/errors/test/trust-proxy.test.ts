// checkTrustProxy: the one predicate config and ratelimit share; coverage is computed on normalised ranges, however split.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { MAX_TRUST_PROXY_HOPS, checkTrustProxy, trustProxyCoverage } from '@portcullis/errors/trust-proxy';
import { INVALID, SAFE, TRUSTS_ANY } from '../../../test-support/trust-proxy-corpus.js';

describe('checkTrustProxy [ASVS V15.3.4]', () => {
  it.each(TRUSTS_ANY)('refuses $title ($env) as trusting every client', ({ setting }) => {
    const verdict = checkTrustProxy(setting);
    expect(verdict.ok).toBe(false);
    if (!verdict.ok) expect(verdict.refusal).toBe(typeof setting === 'number' ? 'bad-hops' : 'trusts-any');
  });

  it.each(SAFE)('accepts $title ($env)', ({ setting }) => {
    expect(checkTrustProxy(setting)).toEqual({ ok: true, setting });
  });

  it.each(INVALID)('refuses $title ($env) as an invalid entry', ({ setting }) => {
    expect(checkTrustProxy(setting)).toMatchObject({ ok: false, refusal: 'bad-entry', index: 0 });
  });

  it.each([
    { title: 'true', setting: true, refusal: 'trusts-any' },
    { title: '"*"', setting: '*', refusal: 'trusts-any' },
    { title: 'a negative hop count', setting: -1, refusal: 'bad-hops' },
    { title: 'a fractional hop count', setting: 1.5, refusal: 'bad-hops' },
    { title: 'NaN', setting: Number.NaN, refusal: 'bad-hops' },
    { title: 'one hop above the bound', setting: MAX_TRUST_PROXY_HOPS + 1, refusal: 'bad-hops' },
    { title: 'an empty list', setting: [], refusal: 'empty' },
    { title: 'a comma string', setting: '10.0.0.1,10.0.0.2', refusal: 'bad-type' },
    { title: 'null', setting: null, refusal: 'bad-type' },
    { title: 'a list with a number', setting: ['10.0.0.1', 7], refusal: 'bad-entry' },
    { title: 'a list with "*"', setting: ['*'], refusal: 'bad-entry' },
    { title: 'a prototype key', setting: ['constructor'], refusal: 'bad-entry' },
  ])('refuses $title', ({ setting, refusal }) => {
    expect(checkTrustProxy(setting)).toMatchObject({ ok: false, refusal });
  });

  it('reports trusting everyone before a badly spelt entry', () => {
    expect(checkTrustProxy(['banana', '0/0'])).toMatchObject({ ok: false, refusal: 'trusts-any' });
    expect(checkTrustProxy(['10.0.0.1', 'banana'])).toMatchObject({ ok: false, refusal: 'bad-entry', index: 1 });
  });

  it('trims entries and returns a frozen copy', () => {
    const verdict = checkTrustProxy([' 10.0.0.0/8 ', 'loopback']);
    expect(verdict).toEqual({ ok: true, setting: ['10.0.0.0/8', 'loopback'] });
    if (verdict.ok) expect(Object.isFrozen(verdict.setting)).toBe(true);
  });

  it('names what the list covers, and nothing for a partial list', () => {
    expect(trustProxyCoverage(['0.0.0.0/1', '128.0.0.0/1'])).toMatch(/IPv4/);
    expect(trustProxyCoverage(['::/1', '8000::/1'])).toBe('every address');
    expect(trustProxyCoverage(['10.0.0.0/8', 'not an address'])).toBeUndefined();
  });

  it('refuses every split of the IPv4 space into CIDRs, in any order and spelling (property)', () => {
    // Cut [0, 2^32) at random prefix-aligned points into CIDR blocks, then spell each as IPv4 or IPv4-mapped IPv6.
    const blocks = fc.array(fc.integer({ min: 1, max: 24 }), { minLength: 1, maxLength: 8 }).map((depths) => {
      const out: { start: number; prefix: number }[] = [];
      let start = 0;
      for (const depth of depths) {
        const size = 2 ** (32 - depth);
        if (start % size !== 0 || start + size > 2 ** 32) break;
        out.push({ start, prefix: depth });
        start += size;
      }
      // Fill the rest with the largest aligned blocks.
      while (start < 2 ** 32) {
        let prefix = 1;
        while (start % 2 ** (32 - prefix) !== 0 || start + 2 ** (32 - prefix) > 2 ** 32) prefix += 1;
        out.push({ start, prefix });
        start += 2 ** (32 - prefix);
      }
      return out;
    });
    const v4 = (n: number) => [n >>> 24, (n >>> 16) & 255, (n >>> 8) & 255, n & 255].join('.');
    fc.assert(
      fc.property(
        blocks,
        fc.array(fc.boolean(), { minLength: 64, maxLength: 64 }),
        fc.integer(),
        (parts, mapped, seed) => {
          const entries = parts.map((b, i) =>
            mapped[i % 64] === true ? `::ffff:${v4(b.start)}/${96 + b.prefix}` : `${v4(b.start)}/${b.prefix}`,
          );
          const shuffled = [...entries].sort((a, b) => ((a.length * 31 + seed) % 7) - ((b.length * 31 + seed) % 7));
          expect(checkTrustProxy(shuffled)).toMatchObject({ ok: false, refusal: 'trusts-any' });
          // Drop one block and it no longer covers everything.
          if (entries.length > 1) expect(checkTrustProxy(entries.slice(1)).ok).toBe(true);
        },
      ),
      { numRuns: 200 },
    );
  });
});
