// Hostile and malformed stored strings: each refused for its own reason, with no hash computed.
import { describe, expect, it } from 'vitest';
import { createPasswordHasher, type StoredRefusal } from '../src/index.js';
import { parseStored } from '../src/phc.js';
import { DEFAULT_CEILING } from '../src/options.js';

const SALT = 'c2FsdHNhbHRzYWx0c2FsdA'; // 16 bytes
const HASH = 'JEQK6BeKkl9WaRSR1jSKGlzBq70Fddr/CElG5Qgtmw4'; // 32 bytes
const ok = (params: string, salt = SALT, hash = HASH): string => `$argon2id$v=19$${params}$${salt}$${hash}`;

const CORPUS: [string, string, StoredRefusal][] = [
  ['a memory cost of 4 GiB (m=4194304)', ok('m=4194304,t=2,p=1'), 'above_ceiling'],
  ['m just above the 256 MiB ceiling', ok('m=262145,t=2,p=1'), 'above_ceiling'],
  ['t=11 above the ceiling', ok('m=19456,t=11,p=1'), 'above_ceiling'],
  ['p=9 above the ceiling', ok('m=19456,t=2,p=9'), 'above_ceiling'],
  ['m with ten digits', ok('m=4294967295,t=2,p=1'), 'above_ceiling'],
  ['m with eleven digits', ok('m=42949672950,t=2,p=1'), 'malformed'],
  ['a leading zero in m', ok('m=019456,t=2,p=1'), 'malformed'],
  ['a leading zero in t', ok('m=19456,t=02,p=1'), 'malformed'],
  ['a sign in p', ok('m=19456,t=2,p=+1'), 'malformed'],
  ['a negative t', ok('m=19456,t=-2,p=1'), 'malformed'],
  ['t=0', ok('m=19456,t=0,p=1'), 'malformed'],
  ['m below 8p', ok('m=8,t=2,p=2'), 'malformed'],
  ['a repeated parameter', ok('m=19456,m=19456,t=2'), 'malformed'],
  ['parameters in the order t,m,p', ok('t=2,m=19456,p=1'), 'malformed'],
  ['a missing parameter', ok('m=19456,t=2'), 'malformed'],
  ['an unknown parameter', ok('m=19456,t=2,p=1,x=1'), 'malformed'],
  ['associated data (data=)', ok('m=19456,t=2,p=1,data=YWJj'), 'malformed'],
  ['a keyid with a bad character', ok('m=19456,t=2,p=1,keyid=a.b'), 'malformed'],
  ['a 15-byte salt', ok('m=19456,t=2,p=1', 'c2FsdHNhbHRzYWx0c2Fs'), 'salt_too_short'],
  ['an empty salt', ok('m=19456,t=2,p=1', ''), 'malformed'],
  ['a padded salt', ok('m=19456,t=2,p=1', `${SALT}==`), 'malformed'],
  ['a base64url salt', ok('m=19456,t=2,p=1', 'c2FsdHNhbHRzYWx0c2Fsd-_'), 'malformed'],
  ['a non-canonical salt (trailing bits)', ok('m=19456,t=2,p=1', 'c2FsdHNhbHRzYWx0c2FsdB'), 'malformed'],
  ['a 4-byte hash', ok('m=19456,t=2,p=1', SALT, 'AAAAAA'), 'malformed'],
  ['a 100-byte hash', ok('m=19456,t=2,p=1', SALT, 'A'.repeat(134)), 'malformed'],
  ['version 16', `$argon2id$v=16$m=19456,t=2,p=1$${SALT}$${HASH}`, 'unsupported_version'],
  ['no version', `$argon2id$m=19456,t=2,p=1$${SALT}$${HASH}`, 'malformed'],
  ['a version with a leading zero', `$argon2id$v=019$m=19456,t=2,p=1$${SALT}$${HASH}`, 'malformed'],
  ['argon2i', `$argon2i$v=19$m=19456,t=2,p=1$${SALT}$${HASH}`, 'unknown_algorithm'],
  ['argon2d', `$argon2d$v=19$m=19456,t=2,p=1$${SALT}$${HASH}`, 'unknown_algorithm'],
  ['bcrypt', '$2b$12$R9h/cIPz0gi.URNNX3kh2OPST9/PgBkqquzi.Ss7KIUgO2t0jWMUW', 'unknown_algorithm'],
  ['an upper-case identifier', `$ARGON2ID$v=19$m=19456,t=2,p=1$${SALT}$${HASH}`, 'malformed'],
  ['a trailing field', `${ok('m=19456,t=2,p=1')}$extra`, 'malformed'],
  ['a missing hash field', `$argon2id$v=19$m=19456,t=2,p=1$${SALT}`, 'malformed'],
  ['an empty string', '', 'malformed'],
  ['plain text', 'hunter2', 'malformed'],
  ['a 513-character string', `$argon2id$${'A'.repeat(503)}`, 'malformed'],
  ['a NUL inside', `$argon2id$v=19$m=19456,t=2,p=1\u0000$${SALT}$${HASH}`, 'malformed'],
  ['scrypt with N=2^21', `$scrypt$ln=21,r=8,p=1$${SALT}$${HASH}`, 'above_ceiling'],
  ['scrypt needing 512 MiB (ln=19, r=8)', `$scrypt$ln=19,r=8,p=1$${SALT}$${HASH}`, 'above_ceiling'],
  ['scrypt with r=0', `$scrypt$ln=14,r=0,p=1$${SALT}$${HASH}`, 'malformed'],
  ['scrypt in another order', `$scrypt$r=8,ln=14,p=1$${SALT}$${HASH}`, 'malformed'],
  ['pbkdf2 with 10^8 iterations', `$pbkdf2-sha256$i=100000000$${SALT}$${HASH}`, 'above_ceiling'],
  ['pbkdf2 with i=0', `$pbkdf2-sha256$i=0$${SALT}$${HASH}`, 'malformed'],
  ['pbkdf2 without i=', `$pbkdf2-sha256$600000$${SALT}$${HASH}`, 'malformed'],
  ['a 63-character hex digest', 'a'.repeat(63), 'malformed'],
];

describe('parseStored', () => {
  it.each(CORPUS)('refuses %s as %s', (_title, stored, reason) => {
    expect(parseStored(stored, DEFAULT_CEILING)).toEqual({ ok: false, reason });
  });

  it.each([
    ['m,t,p (what we write)', ok('m=19456,t=2,p=1')],
    ["m,p,t (node-argon2's order)", ok('m=19456,p=1,t=2')],
    ['a keyid', ok('m=19456,t=2,p=1,keyid=k1')],
  ])('accepts %s', (_title, stored) => {
    const parsed = parseStored(stored, DEFAULT_CEILING);
    expect(parsed.ok).toBe(true);
    expect(
      parsed.ok &&
        parsed.value.kind === 'argon2id' && [parsed.value.memoryKiB, parsed.value.timeCost, parsed.value.parallelism],
    ).toEqual([19_456, 2, 1]);
  });
});

describe('verify refuses hostile stored hashes without computing anything [ASVS V15.2.2]', () => {
  it.each(CORPUS)('%s → { ok: false, reason: %s }, no hash computed, reason logged', async (_title, stored, reason) => {
    const warnings: unknown[] = [];
    const hasher = createPasswordHasher({
      legacy: ['scrypt', 'pbkdf2-sha256', 'sha256-hex'],
      logger: { warn: (obj) => warnings.push(obj) },
    });
    await expect(hasher.verify(stored, 'password')).resolves.toEqual({ ok: false, needsRehash: false, reason });
    expect(hasher.stats().started).toBe(0);
    expect(warnings).toEqual([{ reason }]);
    expect(JSON.stringify(warnings)).not.toContain(stored.length > 3 ? stored : '\u0001');
  });

  it('refuses a value that is not a string', async () => {
    const hasher = createPasswordHasher();
    await expect(hasher.verify(42 as unknown as string, 'password')).resolves.toMatchObject({
      ok: false,
      reason: 'malformed',
    });
  });
});
