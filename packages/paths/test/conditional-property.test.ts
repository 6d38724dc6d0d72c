// Properties: any Range header gives a range inside the file or none; any download name gives a header Node accepts, without injection.
import { validateHeaderValue } from 'node:http';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { listMatches, parseHttpDate, parseRange } from '../src/conditional.js';
import { cleanDownloadName, contentDisposition } from '../src/send.js';

const RANGE_PIECES = [
  'bytes=',
  'BYTES=',
  'items=',
  '-',
  ',',
  ' ',
  '0',
  '1',
  '9',
  '19',
  '20',
  '99999999999999999999',
  'a',
];
const rangeHeader = fc.oneof(
  fc.string(),
  fc.array(fc.constantFrom(...RANGE_PIECES), { maxLength: 8 }).map((parts) => parts.join('')),
);

describe('conditional properties', () => {
  it('parseRange never throws and a partial range always lies inside the file', () => {
    fc.assert(
      fc.property(rangeHeader, fc.nat({ max: 1000 }), (header, size) => {
        const outcome = parseRange(header, size);
        if (outcome.kind === 'partial') {
          expect(Number.isSafeInteger(outcome.start) && Number.isSafeInteger(outcome.end)).toBe(true);
          expect(outcome.start).toBeGreaterThanOrEqual(0);
          expect(outcome.end).toBeGreaterThanOrEqual(outcome.start);
          expect(outcome.end).toBeLessThan(size);
        }
      }),
      { numRuns: 2000 },
    );
  });

  it('parseHttpDate and listMatches never throw, and a date is a whole number of seconds', () => {
    fc.assert(
      fc.property(fc.string(), (text) => {
        const date = parseHttpDate(text, 1_700_000_000);
        if (date !== undefined) expect(Number.isInteger(date)).toBe(true);
        expect(typeof listMatches(text, '"abc"', true)).toBe('boolean');
      }),
      { numRuns: 2000 },
    );
  });

  it('the download name from any attachment result is a header value Node accepts, with no line break and only ASCII', () => {
    fc.assert(
      fc.property(
        fc.oneof(
          fc.string({ unit: 'binary' }),
          fc.string({ unit: 'grapheme' }),
          // Code points never give a lone surrogate: put one in.
          fc
            .tuple(fc.string({ unit: 'binary' }), fc.constantFrom('\uD800', '\uDBFF', '\uDC00', '\uDFFF'), fc.string())
            .map(([a, b, c]) => a + b + c),
        ),
        (chosen) => {
          // What the attachment option does with a function's result (any string, lone surrogates too).
          const header = contentDisposition(cleanDownloadName(chosen) || 'report.csv');
          expect(() => {
            validateHeaderValue('Content-Disposition', header);
          }).not.toThrow();
          expect(/^[\x20-\x7e]+$/.test(header)).toBe(true);
          // The quoted fallback holds no quote of its own: nothing can close it early and add a parameter.
          const fallback = /^attachment; filename="([^"]*)"(?:; filename\*=UTF-8''[A-Za-z0-9!#$&+.^_`|~%-]+)?$/.exec(
            header,
          );
          expect(fallback).not.toBeNull();
        },
      ),
      { numRuns: 2000 },
    );
  });
});
