// createPasswordHasher: argon2id on @node-rs/argon2 (libuv thread pool, never the event loop), behind a bounded gate.
import { createHash, pbkdf2, randomBytes, scrypt, timingSafeEqual } from 'node:crypto';
import { hashRaw, type Algorithm, type Version } from '@node-rs/argon2';
import { createGate, type GateStats } from './gate.js';
import { readHasherOptions, type HasherConfig, type PasswordHasherOptions } from './options.js';
import { passwordBytes, type PasswordBytes } from './password.js';
import { formatArgon2, parseStored, type Argon2Phc, type ParsedStored, type StoredRefusal } from './phc.js';

// @node-rs/argon2 declares these as const enums, which isolated modules cannot read: the values are fixed by its ABI.
// eslint-disable-next-line @typescript-eslint/no-unsafe-enum-assignment -- Algorithm.Argon2id, a const enum we cannot import
const ARGON2ID = 2 as Algorithm;
// eslint-disable-next-line @typescript-eslint/no-unsafe-enum-assignment -- Version.V0x13 (19)
const V0X13 = 1 as Version;
const SALT_BYTES = 16;
const OUTPUT_BYTES = 32;

/** Why verify() answered `ok: false`: `mismatch` is a wrong password; every other reason is about the stored value. */
export type VerifyFailure = 'mismatch' | 'no_account' | StoredRefusal;

/** The answer of verify(): on success, whether the stored hash should be replaced by a fresh one. */
export type VerifyResult =
  | { readonly ok: true; readonly needsRehash: boolean }
  | { readonly ok: false; readonly needsRehash: false; readonly reason: VerifyFailure };

/** The answer of verifyAndUpgrade(): `upgraded` when a new hash was saved. */
export type UpgradeResult = VerifyResult & { readonly upgraded: boolean };

/** What createPasswordHasher() returns. */
export interface PasswordHasher {
  /** A new argon2id PHC string (`$argon2id$v=19$m=…,t=…,p=…[,keyid=…]$salt$hash`) for the password. */
  hash(password: string): Promise<string>;
  /**
   * Compares the password with a stored hash in constant time. A malformed, unknown, legacy-not-enabled
   * or over-ceiling stored value is `{ ok: false }` (reason logged) without any hash computed.
   */
  verify(stored: string, password: string): Promise<VerifyResult>;
  /** verify(), or, when there is no stored hash (unknown account), the same work against nothing: `{ ok: false, reason: "no_account" }`. */
  verifyOrDummy(stored: string | null | undefined, password: string): Promise<VerifyResult>;
  /** True when the stored value is not an argon2id hash with the current parameters and pepper. */
  needsRehash(stored: string): boolean;
  /** verify(); when it succeeds and needsRehash, hashes again and awaits `save(newHash)` (a failing save is logged, the login still succeeds). */
  verifyAndUpgrade(
    stored: string | null | undefined,
    password: string,
    save: (newHash: string) => Promise<void> | void,
  ): Promise<UpgradeResult>;
  /** Counters of the concurrency gate. */
  stats(): GateStats;
}

function equal(a: Buffer, b: Buffer): boolean {
  return a.length === b.length && timingSafeEqual(a, b);
}

function scryptAsync(pw: Buffer, salt: Buffer, keylen: number, N: number, r: number, p: number): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    scrypt(pw, salt, keylen, { N, r, p, maxmem: 128 * N * r + 1024 * 1024 }, (error, key) => {
      if (error) reject(error);
      else resolve(key);
    });
  });
}

function pbkdf2Async(pw: Buffer, salt: Buffer, iterations: number, keylen: number): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    pbkdf2(pw, salt, iterations, keylen, 'sha256', (error, key) => {
      if (error) reject(error);
      else resolve(key);
    });
  });
}

function sha256Hex(bytes: Buffer): Buffer {
  return Buffer.from(createHash('sha256').update(bytes).digest('hex'), 'latin1');
}

/**
 * Creates a password hasher. Options are checked here: parameters below OWASP's argon2id minimum
 * (19456 KiB, t=2, p=1) throw a TypeError naming `params.memoryKiB` / `params.timeCost` / `params.parallelism`.
 */
export function createPasswordHasher(options?: PasswordHasherOptions): PasswordHasher {
  const config: HasherConfig = readHasherOptions(options);
  const { params, ceiling, pepper, legacy, logger } = config;
  const gate = createGate(config.maxConcurrency, config.maxQueue, config.queueTimeoutMs);

  function argon2(
    password: Buffer,
    salt: Buffer,
    p: { memoryKiB: number; timeCost: number; parallelism: number },
    outputLen: number,
    secret: Buffer | undefined,
  ): Promise<Buffer> {
    return gate.run(() =>
      hashRaw(password, {
        algorithm: ARGON2ID,
        version: V0X13,
        memoryCost: p.memoryKiB,
        timeCost: p.timeCost,
        parallelism: p.parallelism,
        outputLen,
        salt,
        ...(secret === undefined ? {} : { secret }),
      }),
    );
  }

  function report(reason: StoredRefusal): void {
    if (logger === undefined) return;
    try {
      logger.warn({ reason }, 'stored password hash refused');
    } catch {
      // A throwing logger must not turn a refusal into a 500.
    }
  }

  function input(password: unknown): PasswordBytes {
    return passwordBytes(password, config.maxPasswordBytes, config.normalize);
  }

  async function newHash(bytes: Buffer, wrapped: boolean): Promise<string> {
    const salt = randomBytes(SALT_BYTES);
    const hash = await argon2(bytes, salt, params, OUTPUT_BYTES, pepper?.key);
    return formatArgon2({ wrapped, ...params, keyid: pepper?.id, salt, hash });
  }

  function currentArgon2(value: Argon2Phc): boolean {
    return (
      !value.wrapped &&
      value.memoryKiB === params.memoryKiB &&
      value.timeCost === params.timeCost &&
      value.parallelism === params.parallelism &&
      value.keyid === pepper?.id &&
      value.hash.length === OUTPUT_BYTES
    );
  }

  function legacyEnabled(value: ParsedStored): boolean {
    return value.kind === 'argon2id' || legacy.has(value.kind);
  }

  async function compare(value: ParsedStored, pw: PasswordBytes): Promise<boolean> {
    switch (value.kind) {
      case 'argon2id': {
        // A wrapped hash is argon2id over the SHA-256 hex the old system stored, of the password as it was typed.
        const bytes = value.wrapped ? sha256Hex(pw.raw) : pw.normalized;
        const secret = value.keyid === undefined ? undefined : pepper?.key;
        return equal(await argon2(bytes, value.salt, value, value.hash.length, secret), value.hash);
      }
      case 'scrypt':
        return equal(
          await gate.run(() => scryptAsync(pw.raw, value.salt, value.hash.length, 2 ** value.log2N, value.r, value.p)),
          value.hash,
        );
      case 'pbkdf2-sha256':
        return equal(
          await gate.run(() => pbkdf2Async(pw.raw, value.salt, value.iterations, value.hash.length)),
          value.hash,
        );
      case 'sha256-hex':
        return equal(createHash('sha256').update(pw.raw).digest(), value.hash);
    }
  }

  async function verify(stored: string, password: string): Promise<VerifyResult> {
    const pw = input(password);
    const parsed = parseStored(stored, ceiling);
    let refusal: StoredRefusal | undefined;
    if (!parsed.ok) refusal = parsed.reason;
    else if (!legacyEnabled(parsed.value)) refusal = 'legacy_not_enabled';
    else if (parsed.value.kind === 'argon2id' && parsed.value.keyid !== undefined && parsed.value.keyid !== pepper?.id)
      refusal = 'unknown_pepper';
    if (refusal !== undefined || !parsed.ok) {
      report(refusal ?? 'malformed');
      return { ok: false, needsRehash: false, reason: refusal ?? 'malformed' };
    }
    const value = parsed.value;
    if (!(await compare(value, pw))) return { ok: false, needsRehash: false, reason: 'mismatch' };
    return { ok: true, needsRehash: value.kind !== 'argon2id' || !currentArgon2(value) };
  }

  async function dummy(password: string): Promise<VerifyResult> {
    const pw = input(password);
    // The same computation a real verify of a current hash does, against a random salt; the result is discarded.
    await argon2(pw.normalized, randomBytes(SALT_BYTES), params, OUTPUT_BYTES, pepper?.key);
    return { ok: false, needsRehash: false, reason: 'no_account' };
  }

  function verifyOrDummy(stored: string | null | undefined, password: string): Promise<VerifyResult> {
    return stored === undefined || stored === null ? dummy(password) : verify(stored, password);
  }

  const hasher: PasswordHasher = {
    hash: async (password: string): Promise<string> => newHash(input(password).normalized, false),
    verify,
    verifyOrDummy,
    needsRehash(stored: string): boolean {
      const parsed = parseStored(stored, ceiling);
      return !parsed.ok || parsed.value.kind !== 'argon2id' || !currentArgon2(parsed.value);
    },
    async verifyAndUpgrade(stored, password, save): Promise<UpgradeResult> {
      const result = await verifyOrDummy(stored, password);
      if (!result.ok || !result.needsRehash) return { ...result, upgraded: false };
      const fresh = await newHash(input(password).normalized, false);
      try {
        await save(fresh);
      } catch (error) {
        try {
          logger?.warn(
            { err: error instanceof Error ? { name: error.name } : { name: 'Error' } },
            'password rehash not saved',
          );
        } catch {
          // ignore: a logging failure must not fail a correct login
        }
        return { ok: true, needsRehash: true, upgraded: false };
      }
      return { ok: true, needsRehash: false, upgraded: true };
    },
    stats: () => gate.stats(),
  };
  return Object.freeze(hasher);
}

/** Internal: the argon2id wrap of a sha256-hex digest, used by wrapLegacy. */
export async function wrapSha256Hex(hexDigest: string, config: PasswordHasherOptions | undefined): Promise<string> {
  const c = readHasherOptions(config);
  const salt = randomBytes(SALT_BYTES);
  const hash = await hashRaw(Buffer.from(hexDigest.toLowerCase(), 'latin1'), {
    algorithm: ARGON2ID,
    version: V0X13,
    memoryCost: c.params.memoryKiB,
    timeCost: c.params.timeCost,
    parallelism: c.params.parallelism,
    outputLen: OUTPUT_BYTES,
    salt,
    ...(c.pepper === undefined ? {} : { secret: c.pepper.key }),
  });
  return formatArgon2({ wrapped: true, ...c.params, keyid: c.pepper?.id, salt, hash });
}
