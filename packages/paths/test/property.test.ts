// Property: for any string, resolveSafePath rejects with a PathError or returns a real path inside the real base.
import { realpath } from 'node:fs/promises';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PathError, resolveSafePath, type ResolveSafePathOptions } from '@portcullis/paths';
import { isInside } from '../src/resolve.js';
import { makeTree, type Tree } from './fixture.js';

let tree: Tree;
beforeAll(async () => {
  tree = await makeTree();
});
afterAll(async () => {
  await tree.cleanup();
});

// Pieces that matter to paths, plus names that exist in the fixture (so some inputs resolve).
const PIECES = [
  '.',
  '..',
  '/',
  '\\',
  ':',
  '~',
  '%2e',
  '%2f',
  '%00',
  '\u0000',
  ' ',
  'C:',
  '//',
  '\\\\',
  '?',
  '*',
  '．',
  '／',
  '＼',
  '‥',
  '﹒',
  '\u202e',
  'e\u0301',
  'é',
  'a',
  'x.csv',
  'report.csv',
  'nested',
  'inner.csv',
  'linkdir',
  'link-outside.csv',
  'link-inside.csv',
  'evil.csv',
  'self',
  'secret.csv',
  'outside',
  'exports-evil',
  'exports',
  '.env',
  'CON',
  'nul.txt',
  'dir.csv',
];

const pathLike = fc.array(fc.constantFrom(...PIECES), { maxLength: 8 }).map((parts) => parts.join(''));
// Segment-shaped inputs built from names in the fixture, so a fair share resolves (the property is not vacuous).
const NAMES = [
  'report.csv',
  'nested',
  'inner.csv',
  'linkdir',
  'secret.csv',
  'link-inside.csv',
  'self',
  'to-nested.csv',
  '..',
  '.',
  '',
  '.env',
];
const segmentLike = fc.array(fc.constantFrom(...NAMES), { minLength: 1, maxLength: 3 }).map((parts) => parts.join('/'));
const anyString = fc.oneof(
  { arbitrary: fc.string({ maxLength: 40 }), weight: 1 },
  { arbitrary: fc.string({ unit: 'binary', maxLength: 40 }), weight: 1 },
  { arbitrary: pathLike, weight: 2 },
  { arbitrary: segmentLike, weight: 3 },
);

const OPTION_SETS: readonly ResolveSafePathOptions[] = [
  {},
  { allowSubdirectories: true },
  { allowSubdirectories: true, allowDotfiles: true },
  { allowSubdirectories: true, allowDotfiles: true, mustExist: false },
];

describe('resolveSafePath property [ASVS V5.3.2]', () => {
  it.each(OPTION_SETS.map((o) => [JSON.stringify(o), o] as const))(
    'rejects or returns a real path inside the real base with %s',
    async (_title, options) => {
      const realBase = await realpath(tree.base);
      let accepted = 0;
      await fc.assert(
        fc.asyncProperty(anyString, async (input) => {
          let resolved: string;
          try {
            resolved = await resolveSafePath(tree.base, input, options);
          } catch (error) {
            // Only PathErrors: anything else would become a 500.
            expect(error).toBeInstanceOf(PathError);
            return;
          }
          accepted += 1;
          expect(isInside(realBase, resolved)).toBe(true);
          if (options.mustExist !== false) {
            expect(await realpath(resolved)).toBe(resolved);
          } else {
            const parent = resolved.slice(0, resolved.lastIndexOf('/'));
            expect(await realpath(parent)).toBe(parent);
          }
        }),
        { numRuns: 400 },
      );
      // The generator does reach accepted paths (the property is not vacuous).
      expect(accepted).toBeGreaterThan(0);
    },
  );
});
