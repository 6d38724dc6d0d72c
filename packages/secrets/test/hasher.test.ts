// Password hashing: interop with an independent argon2 (hash-wasm), rehash paths, pepper, legacy schemes, Unicode.
import { createHash, pbkdf2Sync, randomBytes, scryptSync } from 'node:crypto';
import { hash as nodeRsHash } from '@node-rs/argon2';
import { argon2Verify, argon2id } from 'hash-wasm';
import { describe, expect, it } from 'vitest';
import { createPasswordHasher, HasherBusyError, PasswordInputError, wrapLegacy } from '../src/index.js';

const b64 = (bytes: Uint8Array): string => Buffer.from(bytes).toString('base64').replace(/=+$/, '');

describe('interop with hash-wasm (an independent argon2id) [ASVS V11.4.2]', () => {
  const hasher = createPasswordHasher();

  it('hash-wasm verifies the hashes we write', async () => {
    for (const password of ['correct horse battery staple', 'pässwörd', '🔐 emoji', 'x'.repeat(4096)]) {
      const stored = await hasher.hash(password);
      expect(stored).toMatch(/^\$argon2id\$v=19\$m=19456,t=2,p=1\$[A-Za-z0-9+/]{22}\$[A-Za-z0-9+/]{43}$/);
      await expect(argon2Verify({ password: password.normalize('NFKC'), hash: stored })).resolves.toBe(true);
      await expect(argon2Verify({ password: `${password}!`, hash: stored })).resolves.toBe(false);
    }
  });

  it('we verify the hashes hash-wasm writes', async () => {
    const salt = randomBytes(16);
    const theirs = await argon2id({
      password: 'hunter2hunter2',
      salt,
      iterations: 2,
      parallelism: 1,
      memorySize: 19_456,
      hashLength: 32,
      outputType: 'encoded',
    });
    await expect(hasher.verify(theirs, 'hunter2hunter2')).resolves.toEqual({ ok: true, needsRehash: false });
    await expect(hasher.verify(theirs, 'hunter2hunter3')).resolves.toEqual({
      ok: false,
      needsRehash: false,
      reason: 'mismatch',
    });
  });

  it('verifies a hash-wasm hash of other parameters and asks for a rehash', async () => {
    const theirs = await argon2id({
      password: 'pw-other-params',
      salt: randomBytes(16),
      iterations: 3,
      parallelism: 2,
      memorySize: 20_480,
      hashLength: 32,
      outputType: 'encoded',
    });
    await expect(hasher.verify(theirs, 'pw-other-params')).resolves.toEqual({ ok: true, needsRehash: true });
  });

  it("accepts node-argon2's m,p,t order and writes m,t,p", async () => {
    const theirs = await argon2id({
      password: 'order-test',
      salt: randomBytes(16),
      iterations: 2,
      parallelism: 1,
      memorySize: 19_456,
      hashLength: 32,
      outputType: 'encoded',
    });
    const reordered = theirs.replace('m=19456,t=2,p=1', 'm=19456,p=1,t=2');
    expect(reordered).not.toBe(theirs);
    await expect(hasher.verify(reordered, 'order-test')).resolves.toEqual({ ok: true, needsRehash: false });
    expect(await hasher.hash('order-test')).toContain('$m=19456,t=2,p=1$');
  });

  it("writes exactly @node-rs/argon2's canonical string for the same salt", async () => {
    // Our writer formats the PHC string itself (it adds keyid); the library's own hash() is the reference.
    const stored = await hasher.hash('canonical');
    const salt = Buffer.from(stored.split('$')[4]!, 'base64');
    expect(await nodeRsHash('canonical', { salt, memoryCost: 19_456, timeCost: 2, parallelism: 1 })).toBe(stored);
  });

  it('a pepper is the argon2 secret: hash-wasm with the same secret computes the same hash', async () => {
    const key = randomBytes(32);
    const peppered = createPasswordHasher({ pepper: { id: 'k1', key } });
    const stored = await peppered.hash('peppered password');
    expect(stored).toMatch(/\$m=19456,t=2,p=1,keyid=k1\$/);
    const [, , , , salt, hash] = stored.split('$');
    const raw = await argon2id({
      password: 'peppered password',
      secret: key,
      salt: Buffer.from(salt!, 'base64'),
      iterations: 2,
      parallelism: 1,
      memorySize: 19_456,
      hashLength: 32,
      outputType: 'binary',
    });
    expect(b64(raw)).toBe(hash);
  });
});

describe('verify, needsRehash and verifyAndUpgrade [ASVS V11.4.2]', () => {
  it('refuses a wrong password with reason mismatch', async () => {
    const hasher = createPasswordHasher();
    const stored = await hasher.hash('right password');
    await expect(hasher.verify(stored, 'wrong password')).resolves.toEqual({
      ok: false,
      needsRehash: false,
      reason: 'mismatch',
    });
  });

  it('verifyOrDummy does a full argon2 computation for an unknown account', async () => {
    const hasher = createPasswordHasher();
    await expect(hasher.verifyOrDummy(undefined, 'any password')).resolves.toEqual({
      ok: false,
      needsRehash: false,
      reason: 'no_account',
    });
    await expect(hasher.verifyOrDummy(null, 'any password')).resolves.toMatchObject({ ok: false });
    expect(hasher.stats().started).toBe(2);
  });

  it('rehashes on login after the configured parameters are lowered', async () => {
    const strong = createPasswordHasher({ params: { memoryKiB: 19_456, timeCost: 3 } });
    const current = createPasswordHasher({ params: { memoryKiB: 19_456, timeCost: 2 } });
    let stored = await strong.hash('rehash me');
    expect(current.needsRehash(stored)).toBe(true);
    const saved: string[] = [];
    const result = await current.verifyAndUpgrade(stored, 'rehash me', (fresh) => {
      saved.push(fresh);
    });
    expect(result).toEqual({ ok: true, needsRehash: false, upgraded: true });
    expect(saved).toHaveLength(1);
    stored = saved[0]!;
    expect(stored).toContain('$m=19456,t=2,p=1$');
    expect(current.needsRehash(stored)).toBe(false);
    await expect(current.verifyAndUpgrade(stored, 'rehash me', () => expect.unreachable())).resolves.toEqual({
      ok: true,
      needsRehash: false,
      upgraded: false,
    });
  });

  it('does not save anything for a wrong password', async () => {
    const old = await createPasswordHasher({ params: { timeCost: 3 } }).hash('pw-upgrade');
    const hasher = createPasswordHasher();
    await expect(hasher.verifyAndUpgrade(old, 'not it', () => expect.unreachable())).resolves.toEqual({
      ok: false,
      needsRehash: false,
      reason: 'mismatch',
      upgraded: false,
    });
  });

  it('a failing save is logged and the login still succeeds', async () => {
    const warnings: string[] = [];
    const old = await createPasswordHasher({ params: { timeCost: 3 } }).hash('pw-save-fails');
    const hasher = createPasswordHasher({ logger: { warn: (_o, msg) => warnings.push(msg ?? '') } });
    const result = await hasher.verifyAndUpgrade(old, 'pw-save-fails', () => Promise.reject(new Error('db down')));
    expect(result).toEqual({ ok: true, needsRehash: true, upgraded: false });
    expect(warnings).toEqual(['password rehash not saved']);
  });

  it('needsRehash for a pepper added, a pepper changed, and malformed input', async () => {
    const plain = createPasswordHasher();
    const k1 = createPasswordHasher({ pepper: { id: 'k1', key: randomBytes(32) } });
    const stored = await plain.hash('pw');
    expect(k1.needsRehash(stored)).toBe(true);
    await expect(k1.verify(stored, 'pw')).resolves.toEqual({ ok: true, needsRehash: true });
    const peppered = await k1.hash('pw');
    await expect(k1.verify(peppered, 'pw')).resolves.toEqual({ ok: true, needsRehash: false });
    await expect(plain.verify(peppered, 'pw')).resolves.toEqual({
      ok: false,
      needsRehash: false,
      reason: 'unknown_pepper',
    });
    const k2 = createPasswordHasher({ pepper: { id: 'k2', key: randomBytes(32) } });
    await expect(k2.verify(peppered, 'pw')).resolves.toMatchObject({ ok: false, reason: 'unknown_pepper' });
    expect(plain.needsRehash('garbage')).toBe(true);
  });

  it('a hash made with one pepper key does not verify with another key of the same id', async () => {
    const a = createPasswordHasher({ pepper: { id: 'k1', key: randomBytes(32) } });
    const b = createPasswordHasher({ pepper: { id: 'k1', key: randomBytes(32) } });
    await expect(b.verify(await a.hash('pw'), 'pw')).resolves.toMatchObject({ ok: false, reason: 'mismatch' });
  });

  it('does not block the event loop while hashing', async () => {
    const hasher = createPasswordHasher();
    let ticks = 0;
    const timer = setInterval(() => (ticks += 1), 1);
    try {
      await Promise.all([hasher.hash('a'), hasher.hash('b'), hasher.hash('c'), hasher.hash('d')]);
    } finally {
      clearInterval(timer);
    }
    expect(ticks).toBeGreaterThan(0);
  });
});

describe('legacy schemes (verify only, for migration)', () => {
  const legacy = createPasswordHasher({ legacy: ['scrypt', 'pbkdf2-sha256', 'sha256-hex'] });
  const salt = randomBytes(16);
  const scryptStored = `$scrypt$ln=14,r=8,p=1$${b64(salt)}$${b64(scryptSync('legacy pw', salt, 32, { N: 2 ** 14, r: 8, p: 1 }))}`;
  const pbkdf2Stored = `$pbkdf2-sha256$i=600000$${b64(salt)}$${b64(pbkdf2Sync('legacy pw', salt, 600_000, 32, 'sha256'))}`;
  const shaStored = createHash('sha256').update('legacy pw').digest('hex');

  it.each([
    ['scrypt', scryptStored],
    ['pbkdf2-sha256', pbkdf2Stored],
    ['sha256-hex (the anti-example)', shaStored],
    ['sha256-hex in upper case', shaStored.toUpperCase()],
  ])('verifies %s and asks for a rehash', async (_name, stored) => {
    await expect(legacy.verify(stored, 'legacy pw')).resolves.toEqual({ ok: true, needsRehash: true });
    await expect(legacy.verify(stored, 'legacy pW')).resolves.toEqual({
      ok: false,
      needsRehash: false,
      reason: 'mismatch',
    });
    expect(legacy.needsRehash(stored)).toBe(true);
  });

  it('refuses legacy formats that were not enabled', async () => {
    const strict = createPasswordHasher({ legacy: ['scrypt'] });
    await expect(strict.verify(shaStored, 'legacy pw')).resolves.toEqual({
      ok: false,
      needsRehash: false,
      reason: 'legacy_not_enabled',
    });
    await expect(strict.verify(pbkdf2Stored, 'legacy pw')).resolves.toMatchObject({ reason: 'legacy_not_enabled' });
    await expect(createPasswordHasher().verify(scryptStored, 'legacy pw')).resolves.toMatchObject({
      reason: 'legacy_not_enabled',
    });
  });

  it('verifyAndUpgrade replaces a legacy hash with argon2id', async () => {
    let saved = '';
    await expect(legacy.verifyAndUpgrade(shaStored, 'legacy pw', (h) => void (saved = h))).resolves.toMatchObject({
      ok: true,
      upgraded: true,
    });
    expect(saved).toMatch(/^\$argon2id\$v=19\$m=19456,t=2,p=1\$/);
    await expect(createPasswordHasher().verify(saved, 'legacy pw')).resolves.toEqual({ ok: true, needsRehash: false });
  });

  it('wrapLegacy wraps a stored sha256-hex offline; the wrapped hash verifies and upgrades at login', async () => {
    const wrapped = await wrapLegacy(shaStored);
    expect(wrapped).toMatch(/^\$sha256hex-argon2id\$v=19\$m=19456,t=2,p=1\$/);
    const hasher = createPasswordHasher(); // no legacy scheme needed for the wrapped form
    await expect(hasher.verify(wrapped, 'legacy pw')).resolves.toEqual({ ok: true, needsRehash: true });
    await expect(hasher.verify(wrapped, 'legacy pW')).resolves.toMatchObject({ ok: false, reason: 'mismatch' });
    let saved = '';
    await hasher.verifyAndUpgrade(wrapped, 'legacy pw', (h) => void (saved = h));
    expect(saved.startsWith('$argon2id$')).toBe(true);
  });

  it('wrapLegacy refuses anything but a sha256 hex digest', async () => {
    await expect(wrapLegacy(scryptStored)).rejects.toThrow(/"stored" must be a 64-character SHA-256 hex digest/);
  });
});

describe('password input [ASVS V6.2.8, V6.2.9]', () => {
  const hasher = createPasswordHasher();

  it('NFKC: composed and decomposed é, and the ﬁ ligature, are the same password', async () => {
    const stored = await hasher.hash('caf\u00e9 \ufb01le');
    await expect(hasher.verify(stored, 'cafe\u0301 file')).resolves.toMatchObject({ ok: true });
  });

  it('without normalisation they are different passwords', async () => {
    const raw = createPasswordHasher({ normalize: false });
    const stored = await raw.hash('caf\u00e9');
    await expect(raw.verify(stored, 'cafe\u0301')).resolves.toMatchObject({ ok: false, reason: 'mismatch' });
    await expect(raw.verify(stored, 'caf\u00e9')).resolves.toMatchObject({ ok: true });
  });

  it.each([
    ['a lone high surrogate', 'abc\ud800def'],
    ['a lone low surrogate', '\udc00password'],
    ['an empty password', ''],
    ['a number', 12_345_678],
    ['undefined', undefined],
  ])('refuses %s with 422 password_invalid (hash and verify)', async (_t, password) => {
    await expect(hasher.hash(password as string)).rejects.toMatchObject({ status: 422, code: 'password_invalid' });
    await expect(hasher.verifyOrDummy(undefined, password as string)).rejects.toBeInstanceOf(PasswordInputError);
  });

  it('accepts a well-formed surrogate pair (emoji)', async () => {
    await expect(hasher.verify(await hasher.hash('🔐🔐🔐🔐'), '🔐🔐🔐🔐')).resolves.toMatchObject({ ok: true });
  });

  it('accepts 64 four-byte characters even at the smallest byte cap', async () => {
    const small = createPasswordHasher({ maxPasswordBytes: 256 });
    await expect(small.hash('𝔸'.repeat(64))).resolves.toMatch(/^\$argon2id\$/);
  });

  it.each([
    ['4097 ASCII bytes', 'a'.repeat(4097)],
    ['1025 four-byte characters (4100 bytes)', '😀'.repeat(1025)],
    ['a string that NFKC expands past the cap (U+FDFA × 300)', '\ufdfa'.repeat(300)],
    ['a megabyte', 'a'.repeat(1_000_000)],
  ])('refuses %s with password_too_long, never truncating', async (_t, password) => {
    await expect(hasher.hash(password)).rejects.toMatchObject({ status: 422, code: 'password_too_long' });
    const stored = await hasher.hash('a'.repeat(4096));
    await expect(hasher.verify(stored, password)).rejects.toMatchObject({ code: 'password_too_long' });
  });

  it('exactly maxPasswordBytes is accepted and one byte more is not a prefix match', async () => {
    const stored = await hasher.hash('a'.repeat(4096));
    await expect(hasher.verify(stored, 'a'.repeat(4096))).resolves.toMatchObject({ ok: true });
    await expect(hasher.verify(stored, 'a'.repeat(4095))).resolves.toMatchObject({ ok: false });
  });

  it('HasherBusyError is a 503 with Retry-After', () => {
    const error = new HasherBusyError('queue_full', 5);
    expect(error).toMatchObject({ status: 503, code: 'hasher_busy', headers: { 'Retry-After': '5' } });
  });
});
