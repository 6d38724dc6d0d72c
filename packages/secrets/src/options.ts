// Options of createPasswordHasher: validated once, at creation, with @portcullis/errors/options.
import { availableParallelism } from 'node:os';
import { checkOptions, optionError, type OptionKeys } from '@portcullis/errors/options';
import { KEYID, type Ceiling } from './phc.js';
import type { PasswordNormalization } from './password.js';

const PKG = 'secrets';

/** Argon2id cost parameters. */
export interface Argon2Params {
  /** Memory per hash, KiB. At least 19456 (19 MiB, OWASP's minimum for t=2, p=1). @default 19456 */
  memoryKiB?: number | undefined;
  /** Passes over the memory. At least 2. @default 2 */
  timeCost?: number | undefined;
  /** Lanes. At least 1. @default 1 */
  parallelism?: number | undefined;
}

/** Upper bounds on the parameters of a stored hash; a string above them is refused without computing anything. */
export interface VerifyCeiling {
  /** Largest `m` verified, KiB (also bounds scrypt's 128·N·r bytes). @default 262144 (256 MiB) */
  memoryKiB?: number | undefined;
  /** Largest `t` verified. @default 10 */
  timeCost?: number | undefined;
  /** Largest `p` verified. @default 8 */
  parallelism?: number | undefined;
}

/** A server-side secret mixed into every new hash (argon2's secret input); its id is stored as the PHC `keyid`. */
export interface Pepper {
  /** Identifier stored in the hash, 1 to 11 characters of `[A-Za-z0-9+/]`. */
  id: string;
  /** The secret key, at least 32 bytes. Keep it out of the database (environment or a secrets manager). */
  key: Uint8Array;
}

/** Stored formats verified (never created) for migration. */
export type LegacyScheme = 'scrypt' | 'pbkdf2-sha256' | 'sha256-hex';

/** Where refusals of stored hashes and failed upgrades are reported (pino qualifies). */
export interface SecretsLogger {
  warn(obj: object, msg?: string): void;
}

/** Options of createPasswordHasher(). */
export interface PasswordHasherOptions {
  /** Argon2id parameters of new hashes; lower than OWASP's minimum throws. @default { memoryKiB: 19456, timeCost: 2, parallelism: 1 } */
  params?: Argon2Params | undefined;
  /** Stored hashes with larger parameters are refused unread. @default { memoryKiB: 262144, timeCost: 10, parallelism: 8 } */
  verifyCeiling?: VerifyCeiling | undefined;
  /** Hash computations running at once (each holds `memoryKiB` of memory), 1 to 256. @default os.availableParallelism() */
  maxConcurrency?: number | undefined;
  /** Calls waiting for a slot, 0 to 100000; beyond it a call fails with 503 hasher_busy. @default 64 */
  maxQueue?: number | undefined;
  /** Longest wait for a slot, milliseconds, 1 to 60000; then 503 hasher_busy. @default 5000 */
  queueTimeoutMs?: number | undefined;
  /** Longest password, UTF-8 bytes after normalisation, 256 (64 four-byte characters) to 65536. Longer → password_too_long. @default 4096 */
  maxPasswordBytes?: number | undefined;
  /** Unicode normalisation before hashing: "NFKC" (so "ﬁ" and "fi", or composed and decomposed "é", are one password) or false. @default "NFKC" */
  normalize?: PasswordNormalization | undefined;
  /** A pepper for new hashes. @default none */
  pepper?: Pepper | undefined;
  /** Legacy formats verify() accepts (then needsRehash is true). @default [] */
  legacy?: readonly LegacyScheme[] | undefined;
  /** Logger for refused stored hashes (reason only, never the hash) and failed upgrades. @default none (dropped) */
  logger?: SecretsLogger | undefined;
}

/** The validated options. */
export interface HasherConfig {
  readonly params: Required<{ [K in keyof Argon2Params]-?: number }>;
  readonly ceiling: Ceiling;
  readonly maxConcurrency: number;
  readonly maxQueue: number;
  readonly queueTimeoutMs: number;
  readonly maxPasswordBytes: number;
  readonly normalize: PasswordNormalization;
  readonly pepper: { readonly id: string; readonly key: Buffer } | undefined;
  readonly legacy: ReadonlySet<LegacyScheme>;
  readonly logger: SecretsLogger | undefined;
}

/** OWASP Password Storage Cheat Sheet (2023) minimum for argon2id. */
export const MIN_PARAMS = Object.freeze({ memoryKiB: 19_456, timeCost: 2, parallelism: 1 });
/** Defaults of `params`: the minimum. */
export const DEFAULT_PARAMS = MIN_PARAMS;
/** Defaults of `verifyCeiling`. */
export const DEFAULT_CEILING = Object.freeze({ memoryKiB: 262_144, timeCost: 10, parallelism: 8 });
/** Default of `maxPasswordBytes`. */
export const DEFAULT_MAX_PASSWORD_BYTES = 4096;

const KEYS: OptionKeys<PasswordHasherOptions> = {
  params: true,
  verifyCeiling: true,
  maxConcurrency: true,
  maxQueue: true,
  queueTimeoutMs: true,
  maxPasswordBytes: true,
  normalize: true,
  pepper: true,
  legacy: true,
  logger: true,
};
const PARAM_KEYS: OptionKeys<Argon2Params> = { memoryKiB: true, timeCost: true, parallelism: true };
const PEPPER_KEYS: OptionKeys<Pepper> = { id: true, key: true };
const LEGACY: readonly LegacyScheme[] = ['scrypt', 'pbkdf2-sha256', 'sha256-hex'];

function integer(name: string, value: unknown, min: number, max: number, fallback: number, fix: string): number {
  if (value === undefined) return fallback;
  if (typeof value !== 'number' || !Number.isInteger(value) || value < min || value > max) {
    throw optionError(PKG, name, `must be an integer from ${min} to ${max}`, fix, value);
  }
  return value;
}

/** Validates createPasswordHasher's options. */
export function readHasherOptions(options: unknown): HasherConfig {
  const given = checkOptions<PasswordHasherOptions>(PKG, options, KEYS);
  const ceilingIn = checkOptions<VerifyCeiling>(PKG, given.verifyCeiling, PARAM_KEYS, 'verifyCeiling');
  const ceiling: Ceiling = Object.freeze({
    memoryKiB: integer(
      'verifyCeiling.memoryKiB',
      ceilingIn.memoryKiB,
      MIN_PARAMS.memoryKiB,
      4_194_304,
      DEFAULT_CEILING.memoryKiB,
      'the default 262144 (256 MiB) fits most servers',
    ),
    timeCost: integer(
      'verifyCeiling.timeCost',
      ceilingIn.timeCost,
      MIN_PARAMS.timeCost,
      1000,
      DEFAULT_CEILING.timeCost,
      'the default is 10',
    ),
    parallelism: integer(
      'verifyCeiling.parallelism',
      ceilingIn.parallelism,
      1,
      255,
      DEFAULT_CEILING.parallelism,
      'the default is 8',
    ),
  });
  const paramsIn = checkOptions<Argon2Params>(PKG, given.params, PARAM_KEYS, 'params');
  const below = 'is below the OWASP minimum for argon2id';
  const params = Object.freeze({
    memoryKiB: integer(
      'params.memoryKiB',
      paramsIn.memoryKiB,
      1,
      ceiling.memoryKiB,
      DEFAULT_PARAMS.memoryKiB,
      `an integer of KiB up to verifyCeiling.memoryKiB (${ceiling.memoryKiB})`,
    ),
    timeCost: integer(
      'params.timeCost',
      paramsIn.timeCost,
      1,
      ceiling.timeCost,
      DEFAULT_PARAMS.timeCost,
      `an integer up to verifyCeiling.timeCost (${ceiling.timeCost})`,
    ),
    parallelism: integer(
      'params.parallelism',
      paramsIn.parallelism,
      1,
      ceiling.parallelism,
      DEFAULT_PARAMS.parallelism,
      `an integer up to verifyCeiling.parallelism (${ceiling.parallelism})`,
    ),
  });
  for (const key of ['memoryKiB', 'timeCost', 'parallelism'] as const) {
    if (params[key] < MIN_PARAMS[key])
      throw optionError(
        PKG,
        `params.${key}`,
        below,
        `use at least ${MIN_PARAMS[key]} (19456 KiB, t=2, p=1)`,
        params[key],
      );
  }
  const maxConcurrency = integer(
    'maxConcurrency',
    given.maxConcurrency,
    1,
    256,
    Math.max(1, availableParallelism()),
    'e.g. the number of CPU cores',
  );
  const maxQueue = integer('maxQueue', given.maxQueue, 0, 100_000, 64, 'e.g. 64');
  const queueTimeoutMs = integer('queueTimeoutMs', given.queueTimeoutMs, 1, 60_000, 5000, 'milliseconds, e.g. 5000');
  const maxPasswordBytes = integer(
    'maxPasswordBytes',
    given.maxPasswordBytes,
    256,
    65_536,
    DEFAULT_MAX_PASSWORD_BYTES,
    'bytes; 256 lets any 64 characters through',
  );
  const normalize = given.normalize ?? 'NFKC';
  if (normalize !== 'NFKC' && normalize !== false)
    throw optionError(
      PKG,
      'normalize',
      'must be "NFKC" or false',
      'keep the default "NFKC" unless existing hashes were made without it',
      normalize,
    );

  let pepper: HasherConfig['pepper'];
  if (given.pepper !== undefined) {
    const p = checkOptions<Pepper>(PKG, given.pepper, PEPPER_KEYS, 'pepper');
    if (typeof p.id !== 'string' || !KEYID.test(p.id))
      throw optionError(PKG, 'pepper.id', 'must be 1 to 11 characters of A-Z a-z 0-9 + /', 'e.g. "k1"', p.id);
    if (!(p.key instanceof Uint8Array) || p.key.byteLength < 32)
      throw optionError(
        PKG,
        'pepper.key',
        'must be a Uint8Array of at least 32 bytes',
        'e.g. crypto.randomBytes(32) kept outside the database',
        p.key,
      );
    // A private copy: the caller's buffer may be reused or zeroed later.
    pepper = Object.freeze({ id: p.id, key: Buffer.from(p.key) });
  }

  const legacyIn = given.legacy ?? [];
  if (!Array.isArray(legacyIn))
    throw optionError(
      PKG,
      'legacy',
      'must be an array of "scrypt", "pbkdf2-sha256", "sha256-hex"',
      'e.g. ["sha256-hex"]',
      legacyIn,
    );
  const legacy = new Set<LegacyScheme>();
  for (const scheme of legacyIn as unknown[]) {
    if (!LEGACY.includes(scheme as LegacyScheme))
      throw optionError(
        PKG,
        'legacy',
        `has an unknown scheme; use ${LEGACY.map((s) => `"${s}"`).join(', ')}`,
        'list only the formats in your database',
        scheme,
      );
    legacy.add(scheme as LegacyScheme);
  }

  const logger = given.logger;
  if (
    logger !== undefined &&
    (typeof logger !== 'object' || logger === null || typeof (logger as SecretsLogger).warn !== 'function')
  )
    throw optionError(PKG, 'logger', 'must have a warn(obj, msg) method', 'pass a pino logger', logger);

  return Object.freeze({
    params,
    ceiling,
    maxConcurrency,
    maxQueue,
    queueTimeoutMs,
    maxPasswordBytes,
    normalize,
    pepper,
    legacy,
    logger: logger as SecretsLogger | undefined,
  });
}
