// Contract at the config → baseline seam: whatever loadSecurityConfig accepts, the baseline and its packages accept.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { ConfigError, loadSecurityConfig } from '@portcullis/config';
import { jsonBody } from '@portcullis/baseline';

function configAccepts(bodyLimit: string): boolean {
  try {
    loadSecurityConfig({ NODE_ENV: 'test', BODY_LIMIT: bodyLimit });
    return true;
  } catch (error) {
    if (error instanceof ConfigError) return false;
    throw error;
  }
}

function jsonBodyAccepts(limit: string): boolean {
  try {
    jsonBody({ limit });
    return true;
  } catch (error) {
    if (error instanceof TypeError) return false;
    throw error;
  }
}

describe('BODY_LIMIT and jsonBody share one grammar and one bound', () => {
  it.each(['1.5 MB', '2gb', '1.5mb', '11mb', '0', '1 mb', 'lots', '100KB', '10mb', '10240kb', '1', '100kb'])(
    'config and jsonBody agree on %j',
    (value) => {
      expect(configAccepts(value)).toBe(jsonBodyAccepts(value));
    },
  );

  it('agrees on generated sizes (property)', () => {
    const size = fc.oneof(
      fc
        .tuple(fc.nat({ max: 20_000_000 }), fc.constantFrom('', 'b', 'kb', 'mb', 'gb', 'KB', 'Mb', ' mb', '.5mb', 'tb'))
        .map(([n, unit]) => `${n}${unit}`),
      fc.string({ maxLength: 12 }),
    );
    fc.assert(
      fc.property(size, (value) => {
        // A blank BODY_LIMIT is "unset" (the default), not a value: compare only what config reads as a value.
        fc.pre(value.trim() !== '');
        expect(configAccepts(value)).toBe(jsonBodyAccepts(value));
      }),
      { numRuns: 300 },
    );
  });

  it('hands jsonBody the limit in bytes', () => {
    const config = loadSecurityConfig({ NODE_ENV: 'test', BODY_LIMIT: '2mb' });
    expect(config.bodyLimit).toBe(2 * 1024 * 1024);
    expect(() => jsonBody({ limit: config.bodyLimit })).not.toThrow();
  });
});
