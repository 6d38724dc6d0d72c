// safeEqual: equality exactly as === for strings and bytewise for buffers, never throwing on unequal lengths.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { safeEqual } from '../src/index.js';

describe('safeEqual [ASVS V11.2.4]', () => {
  it('safeEqual(a, b) === (a === b) for any strings, lone surrogates included', () => {
    fc.assert(
      fc.property(
        fc.string({ unit: 'binary' }),
        fc.string({ unit: 'binary' }),
        (a, b) => safeEqual(a, b) === (a === b),
      ),
      { numRuns: 2000 },
    );
    fc.assert(fc.property(fc.string({ unit: 'binary' }), (a) => safeEqual(a, a) && safeEqual(a, a)));
  });

  it('compares byte arrays bytewise', () => {
    fc.assert(
      fc.property(
        fc.uint8Array(),
        fc.uint8Array(),
        (a, b) => safeEqual(a, b) === Buffer.from(a).equals(Buffer.from(b)),
      ),
    );
    fc.assert(fc.property(fc.uint8Array(), (a) => safeEqual(a, Buffer.from(a))));
  });

  it.each([
    ['unequal lengths', 'a', 'a'.repeat(10_000), false],
    ['an empty and a non-empty string', '', 'x', false],
    ['two empty strings', '', '', true],
    ['lone surrogates that UTF-8 would merge', '\ud800', '\ud801', false],
    ['a string and its bytes', 'abc', Buffer.from('abc'), false],
  ])('%s', (_t, a, b, want) => {
    expect(safeEqual(a, b)).toBe(want);
  });

  it('never throws on values that are not strings or bytes', () => {
    for (const bad of [undefined, null, 1, {}, [], Symbol('x')]) {
      expect(safeEqual(bad as never, 'x')).toBe(false);
      expect(safeEqual('x', bad as never)).toBe(false);
    }
  });
});
