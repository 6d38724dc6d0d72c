// Password input: one function decides what bytes are hashed (NFKC, lone surrogates refused, a byte cap, never truncated).
import { PasswordInputError } from './errors.js';

/** How passwords are normalised before hashing. */
export type PasswordNormalization = 'NFKC' | false;

// With the u flag a well-formed surrogate pair is one code point, so this matches lone surrogates only.
const LONE_SURROGATE = /\p{Cs}/u;

/** The bytes that are hashed: `normalized` (what new hashes use) and `raw` (the UTF-8 of the input, for legacy schemes). */
export interface PasswordBytes {
  readonly normalized: Buffer;
  readonly raw: Buffer;
}

/**
 * Checks and encodes a password. Throws PasswordInputError: `password_invalid` for a non-string, an empty
 * string or a lone surrogate; `password_too_long` above `maxBytes` UTF-8 bytes (before or after NFKC).
 */
export function passwordBytes(password: unknown, maxBytes: number, normalize: PasswordNormalization): PasswordBytes {
  if (typeof password !== 'string' || password.length === 0)
    throw new PasswordInputError('password_invalid', 'The password must be a non-empty string.');
  // Every UTF-16 unit is at least one UTF-8 byte: a longer string is too long before any work is done on it.
  if (password.length > maxBytes)
    throw new PasswordInputError('password_too_long', `The password must be at most ${maxBytes} bytes.`);
  if (LONE_SURROGATE.test(password))
    throw new PasswordInputError('password_invalid', 'The password contains an invalid character.');
  const raw = Buffer.from(password, 'utf8');
  // NFKC can expand a character up to 18 times (U+FDFA): the cap applies to what is hashed.
  const normalized = normalize === 'NFKC' ? Buffer.from(password.normalize('NFKC'), 'utf8') : raw;
  if (raw.length > maxBytes || normalized.length > maxBytes)
    throw new PasswordInputError('password_too_long', `The password must be at most ${maxBytes} bytes.`);
  return { normalized, raw };
}
